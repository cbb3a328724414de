// Errand's metrics as objects prom-client's registry reads at scrape time (`registerMetric`, then
// `get()`), not prom-client's own Counter, Gauge and Histogram: those validate and hash the labels on
// every call (per job about 3 µs of CPU, for series a caller can key by one string), and using them
// would load prom-client with errand/metrics. This way only a registry is needed, and only at scrape.
import type { Registry } from "prom-client";

type Labels = Record<string, string>;

export interface MetricValue {
  value: number;
  labels: Labels;
  metricName?: string;
}

interface Snapshot {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: MetricValue[];
}

/** What prom-client's registry reads from a metric (`registerMetric` / `getMetricsAsString`). */
export abstract class Collected {
  readonly aggregator = "sum";
  abstract readonly type: "counter" | "gauge" | "histogram";
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  /** Adds this metric to `registry` (which rejects a second metric of the same name). */
  registerIn(registry: Registry): this {
    (registry as unknown as { registerMetric(metric: unknown): void }).registerMetric(this);
    return this;
  }
  protected abstract values(): MetricValue[] | Promise<MetricValue[]>;
  get(): Snapshot | Promise<Snapshot> {
    const snapshot = (values: MetricValue[]) => ({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
    const values = this.values();
    return values instanceof Promise ? values.then(snapshot) : snapshot(values);
  }
  abstract reset(): void;
}

export class FastCounter extends Collected {
  readonly type = "counter";
  readonly #series = new Map<string, { labels: Labels; value: number }>();

  /** `key` identifies the series; `labels` is called only for a series not seen before. */
  inc(key: string, labels: () => Labels, by = 1): void {
    const series = this.#series.get(key);
    if (series) series.value += by;
    else this.#series.set(key, { labels: labels(), value: by });
  }

  protected values(): MetricValue[] {
    return [...this.#series.values()].map(({ labels, value }) => ({ labels, value }));
  }

  reset(): void {
    this.#series.clear();
  }
}

export class FastHistogram extends Collected {
  readonly type = "histogram";
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, { labels: Labels; counts: Float64Array; sum: number; count: number }>();

  constructor(name: string, help: string, buckets: readonly number[]) {
    super(name, help);
    this.#bounds = [...buckets].sort((a, b) => a - b);
  }

  observe(key: string, labels: () => Labels, value: number): void {
    let series = this.#series.get(key);
    if (!series) {
      series = { labels: labels(), counts: new Float64Array(this.#bounds.length), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    if (i < bounds.length) series.counts[i]!++;
    series.sum += value;
    series.count++;
  }

  protected values(): MetricValue[] {
    const values: MetricValue[] = [];
    for (const { labels, counts, sum, count } of this.#series.values()) {
      let cumulative = 0;
      this.#bounds.forEach((bound, i) => {
        cumulative += counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: String(bound), ...labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: "+Inf", ...labels }, value: count });
      values.push({ metricName: `${this.name}_sum`, labels, value: sum });
      values.push({ metricName: `${this.name}_count`, labels, value: count });
    }
    return values;
  }

  reset(): void {
    this.#series.clear();
  }
}

/** A gauge whose values are read when scraped (from the store, a channel): nothing to keep between. */
export class CollectedGauge extends Collected {
  readonly type = "gauge";
  readonly #collect: () => MetricValue[] | Promise<MetricValue[]>;

  constructor(name: string, help: string, collect: () => MetricValue[] | Promise<MetricValue[]>) {
    super(name, help);
    this.#collect = collect;
  }

  protected values(): MetricValue[] | Promise<MetricValue[]> {
    return this.#collect();
  }

  reset(): void {}
}

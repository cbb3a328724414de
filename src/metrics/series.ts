// Counters and histograms that keep their series in plain maps and hand them to prom-client's registry
// only at scrape time. prom-client's own Counter and Histogram validate and hash the labels on every
// call; per job that was about 3 µs of CPU, for series whose labels a caller can key by one string.
import type { Registry } from "prom-client";

type Labels = Record<string, string>;

interface MetricValue {
  value: number;
  labels: Labels;
  metricName?: string;
}

/** What prom-client's registry reads from a metric (`registerMetric` / `getMetricsAsString`). */
abstract class Collected {
  readonly aggregator = "sum";
  abstract readonly type: "counter" | "histogram";
  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    (registry as unknown as { registerMetric(metric: unknown): void }).registerMetric(this);
  }
  protected abstract values(): MetricValue[];
  get(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] } {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values() };
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

  constructor(name: string, help: string, registry: Registry, buckets: readonly number[]) {
    super(name, help, registry);
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

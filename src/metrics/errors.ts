/**
 * prom-client, the peer dependency errand/metrics registers its metrics with, could not be loaded when
 * the metrics made their own registry (at the first scrape).
 */
export class PromClientMissingError extends Error {
  override name = "PromClientMissingError";
  constructor(options: { cause: unknown }) {
    super(
      "errand/metrics needs prom-client, which could not be loaded: install it (bun add prom-client), " +
        "or pass the registry of a prom-client you load yourself as errandMetrics({ registry }).",
      options,
    );
  }
}

/** The abort reason an item's signal carries when the item ran longer than the worker's `timeoutMs`. */
export class QueueItemTimeoutError extends Error {
  override name = "QueueItemTimeoutError";
  constructor(
    readonly workerName: string,
    readonly timeoutMs: number,
  ) {
    super(
      `Queue worker "${workerName}": the item ran longer than timeoutMs (${timeoutMs} ms), so its signal was aborted. ` +
        "Raise timeoutMs, or make the handler honour its signal sooner.",
    );
  }
}

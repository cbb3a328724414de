import { ChannelClosedError, type ChannelReader, NO_ITEM } from "../channel/index.ts";
import { describe } from "../hosting/errors.ts";
import { BackgroundService, consoleLogger, type Logger } from "../hosting/index.ts";
import { ServiceRegistry } from "../scope/index.ts";
import { QueueItemTimeoutError } from "./errors.ts";
import { type QueueHandler, type QueueWorkerOptions, validConcurrency, validHandler, validTimeout } from "./options.ts";

/**
 * Reads a channel with `concurrency` loops and runs the handler once per item, each in a fresh Scope
 * (the seed's EmailSenderService). A failing item is logged with the item and the loop goes on. On
 * stop, the loops take no new item and finish the ones in hand; the backlog stays in the channel.
 */
export class QueueWorker<T> extends BackgroundService {
  readonly name: string;
  readonly concurrency: number;
  readonly #reader: ChannelReader<T>;
  readonly #handle: QueueHandler<T>;
  readonly #timeoutMs: number | undefined;
  readonly #registry: ServiceRegistry;
  readonly #logger: Logger;
  /** One controller per item in hand, so the shutdown deadline can abort them all. */
  readonly #inHand = new Set<AbortController>();
  #deadlineReason: unknown = undefined;
  #deadlinePassed = false;

  constructor(options: QueueWorkerOptions<T>) {
    super();
    this.name = options.name ?? "queue-worker";
    this.concurrency = validConcurrency(options.concurrency, options.channel.singleReader);
    this.#reader = options.channel.reader;
    this.#handle = validHandler<T>(options.handle);
    this.#timeoutMs = validTimeout(options.timeoutMs);
    this.#registry = options.registry ?? new ServiceRegistry();
    this.#logger = (options.logger ?? consoleLogger).child({ service: this.name });
  }

  /** Items being handled right now. */
  get inHand(): number {
    return this.#inHand.size;
  }

  override async stop(signal: AbortSignal): Promise<void> {
    const onDeadline = () => this.#abortInHand(signal.reason);
    if (signal.aborted) onDeadline();
    else signal.addEventListener("abort", onDeadline, { once: true });
    try {
      await super.stop(signal);
    } finally {
      signal.removeEventListener("abort", onDeadline);
    }
  }

  protected async execute(stoppingSignal: AbortSignal): Promise<void> {
    const loops = Array.from({ length: this.concurrency }, () => this.#readLoop(stoppingSignal));
    await Promise.all(loops);
  }

  async #readLoop(stoppingSignal: AbortSignal): Promise<void> {
    while (!stoppingSignal.aborted) {
      const item = await this.#next(stoppingSignal);
      if (item === NO_ITEM) return;
      await this.#process(item);
    }
  }

  /** The next item, or NO_ITEM when the worker is stopping or the channel completed normally. */
  async #next(stoppingSignal: AbortSignal): Promise<T | typeof NO_ITEM> {
    const ready = this.#reader.tryRead();
    if (ready !== NO_ITEM) return ready;
    try {
      return await this.#reader.read(stoppingSignal);
    } catch (error) {
      if (stoppingSignal.aborted) return NO_ITEM;
      // A channel completed with an error means its producer failed: that fails this service too.
      if (error instanceof ChannelClosedError) {
        if (error.cause === undefined) return NO_ITEM;
        throw error.cause;
      }
      throw error;
    }
  }

  async #process(item: T): Promise<void> {
    const controller = new AbortController();
    this.#inHand.add(controller);
    if (this.#deadlinePassed) controller.abort(this.#deadlineReason);
    const timer = this.#timeoutMs === undefined ? undefined : this.#startTimer(controller, this.#timeoutMs);
    try {
      await using scope = this.#registry.createScope();
      await this.#handle(item, { scope, signal: controller.signal, logger: this.#logger });
    } catch (error) {
      this.#logger.error({ item, err: error }, `queue item failed: ${describe(error)}; continuing with the next item`);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      this.#inHand.delete(controller);
    }
  }

  #startTimer(controller: AbortController, timeoutMs: number): ReturnType<typeof setTimeout> {
    return setTimeout(() => controller.abort(new QueueItemTimeoutError(this.name, timeoutMs)), timeoutMs);
  }

  #abortInHand(reason: unknown): void {
    this.#deadlinePassed = true;
    this.#deadlineReason = reason;
    for (const controller of this.#inHand) controller.abort(reason);
  }
}

/** `queueWorker({ channel, concurrency, handle })`: the in-memory queue worker as one registration. */
export function queueWorker<T>(options: QueueWorkerOptions<T>): QueueWorker<T> {
  return new QueueWorker(options);
}

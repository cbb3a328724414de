import { MailRateLimitedError, MailRejectedError } from "./errors.ts";
import type { DeliveryLedger, DeliveryRoute } from "./ledger/ledger.ts";
import { batchKey } from "./ledger/route-key.ts";
import type { Delivery, MailTransport, OutgoingMail } from "./transport.ts";

export interface BatchingOptions {
  /** Where routes are kept; durable (SQLite, PostgreSQL) unless losing exactly-once on a crash is fine. */
  ledger: DeliveryLedger;
  /** Mails per request (default: the transport's maxBatchSize, 100 for Resend). */
  maxBatchSize?: number;
  /** Requests in flight at once (default 2); the transport's token bucket still paces them. */
  concurrency?: number;
}

export interface DeliverOptions {
  /** The mail's own idempotency key (queued mails derive it from the job id). */
  idempotencyKey: string;
  signal?: AbortSignal;
}

interface Waiting {
  mail: OutgoingMail;
  key: string;
  /** Its batch was refused: it goes alone, so one bad address cannot sink the others. */
  alone: boolean;
  resolve: (delivery: Delivery) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
}

/**
 * Delivers queued mails through a transport. Without batching each mail is one request under its own
 * key. With batching, mails that wait at the same time (the token bucket holds them back when many
 * are queued) leave together in one `sendBatch` request of up to `maxBatchSize`; the ledger records
 * each request's members before it goes out, so every retry repeats the very same request and key.
 */
export class MailSender {
  readonly #transport: MailTransport;
  readonly #ledger: DeliveryLedger | undefined;
  readonly #maxBatchSize: number;
  readonly #concurrency: number;
  readonly #waiting: Waiting[] = [];
  readonly #resends = new Map<string, Promise<Delivery[]>>();
  readonly #closing = new AbortController();
  #workers = 0;

  constructor(transport: MailTransport, batching?: BatchingOptions) {
    this.#transport = transport;
    this.#ledger = batching?.ledger;
    const canBatch = typeof transport.sendBatch === "function";
    this.#maxBatchSize = canBatch ? Math.max(1, Math.min(batching?.maxBatchSize ?? transport.maxBatchSize ?? 1, transport.maxBatchSize ?? 1)) : 1;
    this.#concurrency = Math.max(1, batching?.concurrency ?? 2);
  }

  get batching(): boolean {
    return this.#ledger !== undefined;
  }

  async deliver(mail: OutgoingMail, options: DeliverOptions): Promise<Delivery> {
    if (!this.#ledger) return this.#transport.send(mail, { idempotencyKey: options.idempotencyKey, ...signalOf(options.signal) });
    const route = await this.#ledger.find(options.idempotencyKey);
    if (route) return this.#follow(route, options.idempotencyKey, options.signal);
    return this.#wait(mail, options.idempotencyKey, options.signal, false);
  }

  /** Stops requests the sender started on its own (batches); routes stay in the ledger for the next process. */
  close(): void {
    this.#closing.abort(new Error("The mail sender was closed."));
  }

  #wait(mail: OutgoingMail, key: string, signal: AbortSignal | undefined, alone: boolean): Promise<Delivery> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiting: Waiting = { mail, key, alone, resolve, reject, signal };
      this.#waiting.push(waiting);
      signal?.addEventListener("abort", () => this.#abandon(waiting), { once: true });
      this.#spawn();
    });
  }

  #abandon(waiting: Waiting): void {
    const index = this.#waiting.indexOf(waiting);
    if (index >= 0) this.#waiting.splice(index, 1);
    waiting.reject(waiting.signal!.reason);
  }

  #spawn(): void {
    while (this.#workers < this.#concurrency && this.#workers < this.#waiting.length) {
      this.#workers++;
      void this.#work().finally(() => {
        this.#workers--;
        if (this.#waiting.length > 0) this.#spawn();
      });
    }
  }

  async #work(): Promise<void> {
    while (this.#waiting.length > 0) {
      const group = this.#takeGroup();
      const route = {
        key: group.length === 1 ? group[0]!.key : batchKey(group.map((w) => w.key)),
        memberKeys: group.map((w) => w.key),
        mails: group.map((w) => w.mail),
        createdAt: Date.now(),
      };
      try {
        await this.#ledger!.open(route);
      } catch {
        // A member got a route meanwhile (another attempt of the same job): let each follow its own.
        for (const w of group) this.deliver(w.mail, { idempotencyKey: w.key, ...signalOf(w.signal) }).then(w.resolve, w.reject);
        continue;
      }
      await this.#sendGroup(group, { ...route, state: "pending", ids: null });
    }
  }

  #takeGroup(): Waiting[] {
    const first = this.#waiting.shift()!;
    if (first.alone) return [first];
    const group = [first];
    for (let i = 0; i < this.#waiting.length && group.length < this.#maxBatchSize; ) {
      if (this.#waiting[i]!.alone) i++;
      else group.push(this.#waiting.splice(i, 1)[0]!);
    }
    return group;
  }

  async #sendGroup(group: Waiting[], route: DeliveryRoute): Promise<void> {
    try {
      const deliveries = await this.#resend(route, { first: true });
      group.forEach((w, i) => w.resolve(deliveries[i]!));
    } catch (error) {
      if (error instanceof MailRejectedError && group.length > 1) {
        for (const w of group) this.#wait(w.mail, w.key, w.signal, true).then(w.resolve, w.reject);
        return;
      }
      for (const w of group) w.reject(error);
    }
  }

  /** Follows a member's recorded route: the ids if it was sent, else the same request once more. */
  async #follow(route: DeliveryRoute, memberKey: string, signal: AbortSignal | undefined): Promise<Delivery> {
    const index = route.memberKeys.indexOf(memberKey);
    if (route.state === "sent" && route.ids) return { id: route.ids[index]! };
    const deliveries = await raceAbort(this.#resend(route, { first: false }), signal);
    return deliveries[index]!;
  }

  /** Sends a route's request; concurrent callers for the same route share one request. */
  #resend(route: DeliveryRoute, attempt: { first: boolean }): Promise<Delivery[]> {
    let sending = this.#resends.get(route.key);
    if (!sending) {
      sending = this.#request(route, attempt).finally(() => this.#resends.delete(route.key));
      this.#resends.set(route.key, sending);
    }
    return sending;
  }

  async #request(route: DeliveryRoute, attempt: { first: boolean }): Promise<Delivery[]> {
    const options = { idempotencyKey: route.key, signal: this.#closing.signal };
    try {
      const deliveries =
        route.memberKeys.length === 1
          ? [await this.#transport.send(route.mails[0]!, options)]
          : await this.#transport.sendBatch!(route.mails, options);
      await this.#ledger!.markSent(route.key, deliveries.map((d) => d.id));
      return deliveries;
    } catch (error) {
      // Only a definite "not taken" of the route's FIRST request frees its members. A route is resent
      // only after an ambiguous outcome (timeout, 5xx, dropped connection) that may have delivered it,
      // so a 429 on a resend says nothing about that earlier request: the route stays, retried as is.
      const refused = error instanceof MailRejectedError || error instanceof MailRateLimitedError;
      if (refused && attempt.first) await this.#ledger!.void(route.key);
      throw error;
    }
  }
}

function signalOf(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

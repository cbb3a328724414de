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

interface Attempt {
  /** The route's first request (fresh members), as opposed to a repeat after an ambiguous outcome. */
  first: boolean;
  tokenTaken: boolean;
}

interface Waiting {
  mail: OutgoingMail;
  key: string;
  /** Its batch was refused: it goes alone, so one bad address cannot sink the others. */
  alone: boolean;
  resolve: (delivery: Delivery) => void;
  reject: (error: unknown) => void;
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
  readonly #byKey = new Map<string, Promise<Delivery>>();
  readonly #closing = new AbortController();
  #workers = 0;

  constructor(transport: MailTransport, batching?: BatchingOptions) {
    this.#transport = transport;
    this.#ledger = batching?.ledger;
    const canBatch = typeof transport.sendBatch === "function";
    this.#maxBatchSize = canBatch
      ? Math.max(1, Math.min(batching?.maxBatchSize ?? transport.maxBatchSize ?? 1, transport.maxBatchSize ?? 1))
      : 1;
    this.#concurrency = Math.max(1, batching?.concurrency ?? 2);
  }

  get batching(): boolean {
    return this.#ledger !== undefined;
  }

  async deliver(mail: OutgoingMail, options: DeliverOptions): Promise<Delivery> {
    if (!this.#ledger)
      return this.#transport.send(mail, { idempotencyKey: options.idempotencyKey, ...signalOf(options.signal) });
    // At-least-once jobs can run the same mail twice at once (a lease lost and taken over in this
    // process): both callers share one delivery, so a batch never holds the same mail twice.
    const key = options.idempotencyKey;
    let delivery = this.#byKey.get(key);
    if (!delivery) {
      delivery = this.#route(mail, key).finally(() => this.#byKey.delete(key));
      this.#byKey.set(key, delivery);
    }
    return raceAbort(delivery, options.signal);
  }

  /** Stops requests the sender started on its own (batches); routes stay in the ledger for the next process. */
  close(): void {
    this.#closing.abort(new Error("The mail sender was closed."));
  }

  /**
   * A mail's own delivery, not tied to one caller's signal: a caller that gives up (shutdown) leaves
   * it queued; whatever request it joins is in the ledger first, so the next attempt finds it.
   */
  async #route(mail: OutgoingMail, key: string): Promise<Delivery> {
    const route = await this.#ledger!.find(key);
    if (route) return this.#follow(route, key);
    return this.#wait(mail, key, false);
  }

  #wait(mail: OutgoingMail, key: string, alone: boolean): Promise<Delivery> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ mail, key, alone, resolve, reject });
      this.#spawn();
    });
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
      // Token first, members second: while this worker waits for the bucket, more mails queue up and
      // join this very batch, so under a rate limit batches fill up instead of leaving half empty.
      const tokenTaken = await this.#takeToken();
      if (this.#waiting.length === 0) return;
      const group = this.#takeGroup();
      const route = {
        key: group.length === 1 ? group[0]!.key : batchKey(group.map((w) => w.key)),
        memberKeys: group.map((w) => w.key),
        mails: group.map((w) => w.mail),
        createdAt: Date.now(),
      };
      try {
        await this.#ledger!.open(route);
      } catch (error) {
        // A member got a route meanwhile (an attempt of the same job in another process), or the
        // ledger failed: members with a route follow it, the others fail this attempt and retry.
        for (const w of group) this.#followOrFail(w, error);
        continue;
      }
      await this.#sendGroup(group, { ...route, state: "pending", ids: null }, tokenTaken);
    }
  }

  #followOrFail(waiting: Waiting, error: unknown): void {
    this.#ledger!.find(waiting.key)
      .then((route) => (route ? this.#follow(route, waiting.key) : Promise.reject(error)))
      .then(waiting.resolve, waiting.reject);
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

  async #takeToken(): Promise<boolean> {
    if (!this.#transport.limiter) return false;
    try {
      await this.#transport.limiter.acquire(this.#closing.signal);
      return true;
    } catch (error) {
      // Closed while waiting: nobody will send the waiting mails from here; their jobs retry them.
      for (const w of this.#waiting.splice(0)) w.reject(error);
      return false;
    }
  }

  async #sendGroup(group: Waiting[], route: DeliveryRoute, tokenTaken: boolean): Promise<void> {
    try {
      const deliveries = await this.#resend(route, { first: true, tokenTaken });
      for (const [i, w] of group.entries()) w.resolve(deliveries[i]!);
    } catch (error) {
      if (error instanceof MailRejectedError && group.length > 1) {
        for (const w of group) this.#wait(w.mail, w.key, true).then(w.resolve, w.reject);
        return;
      }
      for (const w of group) w.reject(error);
    }
  }

  /** Follows a member's recorded route: the ids if it was sent, else the same request once more. */
  async #follow(route: DeliveryRoute, memberKey: string): Promise<Delivery> {
    const index = route.memberKeys.indexOf(memberKey);
    if (route.state === "sent" && route.ids) return { id: route.ids[index]! };
    const deliveries = await this.#resend(route, { first: false, tokenTaken: false });
    return deliveries[index]!;
  }

  /** Sends a route's request; concurrent callers for the same route share one request. */
  #resend(route: DeliveryRoute, attempt: Attempt): Promise<Delivery[]> {
    let sending = this.#resends.get(route.key);
    if (!sending) {
      sending = this.#request(route, attempt).finally(() => this.#resends.delete(route.key));
      this.#resends.set(route.key, sending);
    }
    return sending;
  }

  async #request(route: DeliveryRoute, attempt: Attempt): Promise<Delivery[]> {
    const options = { idempotencyKey: route.key, signal: this.#closing.signal, tokenTaken: attempt.tokenTaken };
    try {
      const deliveries =
        route.memberKeys.length === 1
          ? [await this.#transport.send(route.mails[0]!, options)]
          : await this.#transport.sendBatch!(route.mails, options);
      await this.#ledger!.markSent(
        route.key,
        deliveries.map((d) => d.id),
      );
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

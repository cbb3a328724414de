import { describe, expect, test } from "bun:test";
import { createChannel } from "../../src/channel/index.ts";
import { Host, silentLogger } from "../../src/hosting/index.ts";
import { QueueItemTimeoutError, queueWorker } from "../../src/queue/index.ts";
import { ServiceRegistry, token } from "../../src/scope/index.ts";
import { recordingLogger } from "../support/recording-logger.ts";

/** A promise with its resolver outside, to hold a handler until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await Bun.sleep(1);
}

class Unit {
  disposed = false;
  constructor(readonly id: number) {}
  async [Symbol.asyncDispose]() {
    this.disposed = true;
  }
}

describe("queueWorker", () => {
  test("handles every item in order, each in a fresh scope that is disposed afterwards", async () => {
    let nextId = 0;
    const UnitOfWork = token<Unit>("unitOfWork");
    const registry = new ServiceRegistry().scoped(UnitOfWork, () => new Unit(nextId++));
    const ch = createChannel<string>({ capacity: 10 });
    const seen: { item: string; unit: Unit }[] = [];
    const worker = queueWorker({
      channel: ch,
      registry,
      logger: silentLogger,
      handle: async (item, { scope }) => {
        const unit = scope.get(UnitOfWork);
        expect(scope.get(UnitOfWork)).toBe(unit);
        seen.push({ item, unit });
      },
    });
    const host = new Host({ services: [worker], logger: silentLogger });
    await host.start();
    for (const item of ["a", "b", "c"]) await ch.writer.write(item);
    ch.writer.complete();
    await worker.executeTask;
    await host.stop();
    expect(seen.map((s) => s.item)).toEqual(["a", "b", "c"]);
    expect(new Set(seen.map((s) => s.unit.id)).size).toBe(3);
    expect(seen.every((s) => s.unit.disposed)).toBe(true);
  });

  test("runs up to `concurrency` items at once, and no more", async () => {
    const ch = createChannel<number>();
    let running = 0;
    let peak = 0;
    const worker = queueWorker({
      channel: ch,
      concurrency: 3,
      logger: silentLogger,
      handle: async () => {
        peak = Math.max(peak, ++running);
        await Bun.sleep(2);
        running--;
      },
    });
    const host = new Host({ services: [worker], logger: silentLogger });
    await host.start();
    for (let i = 0; i < 30; i++) ch.writer.tryWrite(i);
    ch.writer.complete();
    await worker.executeTask;
    await host.stop();
    expect(peak).toBe(3);
  });

  test("a failing item is logged with the item and its error, and the worker goes on", async () => {
    const logger = recordingLogger();
    const ch = createChannel<{ to: string }>();
    const handled: string[] = [];
    const worker = queueWorker({
      name: "email-sender",
      channel: ch,
      logger,
      handle: async (item) => {
        if (item.to === "bad@example.com") throw new Error("mailbox unavailable");
        handled.push(item.to);
      },
    });
    const host = new Host({ services: [worker], logger: silentLogger });
    await host.start();
    for (const to of ["a@example.com", "bad@example.com", "b@example.com"]) ch.writer.tryWrite({ to });
    ch.writer.complete();
    await worker.executeTask;
    await host.stop();
    expect(handled).toEqual(["a@example.com", "b@example.com"]);
    const errors = logger.lines.filter((e) => e.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.fields.item).toEqual({ to: "bad@example.com" });
    expect((errors[0]!.fields.err as Error).message).toBe("mailbox unavailable");
    expect(errors[0]?.fields.service).toBe("email-sender");
  });

  test("the item's scope is disposed also when the handler throws", async () => {
    const units: Unit[] = [];
    const UnitOfWork = token<Unit>("unitOfWork");
    const registry = new ServiceRegistry().scoped(UnitOfWork, () => {
      const unit = new Unit(units.length);
      units.push(unit);
      return unit;
    });
    const ch = createChannel<number>();
    const worker = queueWorker({
      channel: ch,
      registry,
      logger: silentLogger,
      handle: (_item, { scope }) => {
        scope.get(UnitOfWork);
        throw new Error("handler failed");
      },
    });
    const host = new Host({ services: [worker], logger: silentLogger });
    await host.start();
    ch.writer.tryWrite(1);
    ch.writer.tryWrite(2);
    ch.writer.complete();
    await worker.executeTask;
    await host.stop();
    expect(units.map((u) => u.disposed)).toEqual([true, true]);
  });

  test("a scope whose service fails to resolve is a failed item, not a failed worker", async () => {
    const logger = recordingLogger();
    const ch = createChannel<number>();
    const worker = queueWorker({
      channel: ch,
      logger,
      handle: (_item, { scope }) => void scope.get(token<string>("never-registered")),
    });
    const host = new Host({ services: [worker], logger: silentLogger });
    await host.start();
    ch.writer.tryWrite(1);
    ch.writer.complete();
    await worker.executeTask;
    await host.stop();
    expect(logger.lines.filter((e) => e.level === "error")[0]?.message).toMatch(/never-registered/);
  });

  test("timeoutMs aborts the item's signal with a QueueItemTimeoutError", async () => {
    const ch = createChannel<number>();
    const reasons: unknown[] = [];
    const worker = queueWorker({
      channel: ch,
      timeoutMs: 20,
      logger: silentLogger,
      handle: async (item, { signal }) => {
        if (item === 1) await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        reasons.push(signal.aborted ? signal.reason : "not aborted");
      },
    });
    const host = new Host({ services: [worker], logger: silentLogger });
    await host.start();
    ch.writer.tryWrite(1);
    ch.writer.tryWrite(2);
    ch.writer.complete();
    await worker.executeTask;
    await host.stop();
    expect(reasons[0]).toBeInstanceOf(QueueItemTimeoutError);
    expect(reasons[1]).toBe("not aborted");
  });

  test("on stop it finishes the items in hand and leaves the backlog in the channel", async () => {
    const ch = createChannel<number>({ capacity: 100 });
    const release = gate();
    const finished: number[] = [];
    const worker = queueWorker({
      channel: ch,
      concurrency: 2,
      logger: silentLogger,
      handle: async (item) => {
        await release.promise;
        finished.push(item);
      },
    });
    const host = new Host({ services: [worker], logger: silentLogger, shutdownTimeoutMs: 5_000 });
    await host.start();
    for (let i = 0; i < 10; i++) ch.writer.tryWrite(i);
    await until(() => worker.inHand === 2);
    const stopping = host.stop();
    await Bun.sleep(5);
    release.open();
    await stopping;
    expect(finished.sort()).toEqual([0, 1]);
    expect(ch.reader.count).toBe(8);
    expect(ch.reader.tryRead()).toBe(2);
  });

  test("an idle worker stops at once without consuming an item written later", async () => {
    const ch = createChannel<number>();
    const worker = queueWorker({ channel: ch, concurrency: 4, logger: silentLogger, handle: () => {} });
    const host = new Host({ services: [worker], logger: silentLogger });
    await host.start();
    await host.stop();
    ch.writer.tryWrite(1);
    expect(ch.reader.tryRead()).toBe(1);
  });

  test("the host's stop deadline aborts the signal of items still in hand", async () => {
    const ch = createChannel<number>();
    let aborted = false;
    const worker = queueWorker({
      channel: ch,
      logger: silentLogger,
      handle: async (_item, { signal }) => {
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        aborted = signal.aborted;
      },
    });
    const host = new Host({ services: [worker], logger: silentLogger, shutdownTimeoutMs: 100 });
    await host.start();
    ch.writer.tryWrite(1);
    await until(() => worker.inHand === 1);
    await host.stop();
    await until(() => worker.inHand === 0);
    expect(aborted).toBe(true);
  });

  test("a channel completed with an error fails the service with that error", async () => {
    const ch = createChannel<number>();
    const worker = queueWorker({ channel: ch, logger: silentLogger, handle: () => {} });
    const host = new Host({ services: [worker], logger: silentLogger, onServiceFailure: "ignore" });
    await host.start();
    const failure = new Error("producer crashed");
    ch.writer.complete(failure);
    await expect(worker.executeTask).rejects.toBe(failure);
    expect(worker.health().ready).toBe(false);
    await host.stop();
  });

  test("bad options are RangeError/TypeError naming the option", () => {
    const channel = createChannel<number>();
    const handle = () => {};
    expect(() => queueWorker({ channel, handle, concurrency: 0 })).toThrow(/concurrency must be a positive integer/);
    expect(() => queueWorker({ channel, handle, concurrency: 1.5 })).toThrow(RangeError);
    expect(() => queueWorker({ channel, handle, timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => queueWorker({ channel, handle: "nope" as unknown as () => void })).toThrow(TypeError);
    const single = createChannel<number>({ singleReader: true });
    expect(() => queueWorker({ channel: single, handle, concurrency: 2 })).toThrow(/singleReader/);
    expect(queueWorker({ channel: single, handle }).concurrency).toBe(1);
  });
});

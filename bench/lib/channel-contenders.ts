// One producer/consumer workload per library: the producer writes 0..n-1 with backpressure at
// `capacity`, the consumer sums what it reads. Each returns the sum, which the harness checks, so no
// contender can skip work. Each uses its library's own backpressure idiom.
import { FixedBuffer, Repeater } from "@repeaterjs/repeater";
import { Channel as AsyncChannel } from "async-channel";
import { Effect, Fiber, Queue } from "effect";
import { pushable } from "it-pushable";
import PQueue from "p-queue";
import { Channel as QueueableChannel } from "queueable";
import { createChannel, NO_ITEM } from "../../src/channel/index.ts";

export type Workload = (n: number, capacity: number) => Promise<number>;

/** A plain synchronous ring buffer: fill to capacity, drain, repeat. The ceiling for moving items. */
export const syncRing: Workload = async (n, capacity) => {
  let size = 1;
  while (size < capacity) size *= 2;
  const ring = new Array<number>(size).fill(0);
  const mask = size - 1;
  let head = 0;
  let count = 0;
  let sum = 0;
  for (let i = 0; i < n; ) {
    while (count < capacity && i < n) ring[(head + count++) & mask] = i++;
    while (count > 0) {
      sum += ring[head] ?? 0;
      head = (head + 1) & mask;
      count--;
    }
  }
  return sum;
};

/** for await over a hand-written iterator with no channel: the floor for one await per item. */
export const forAwaitFloor: Workload = async (n) => {
  let i = 0;
  const iterator: AsyncIterableIterator<number> = {
    next: () => Promise.resolve(i < n ? { value: i++, done: false } : { value: undefined, done: true }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  let sum = 0;
  for await (const x of iterator) sum += x;
  return sum;
};

async function consume(source: AsyncIterable<number>): Promise<number> {
  let sum = 0;
  for await (const x of source) sum += x;
  return sum;
}

export const errandAwaitWrite: Workload = async (n, capacity) => {
  const { reader, writer } = createChannel<number>({ capacity });
  const produce = async () => {
    for (let i = 0; i < n; i++) await writer.write(i);
    writer.complete();
  };
  const [, sum] = await Promise.all([produce(), consume(reader)]);
  return sum;
};

export const errandTryWriteIdiom: Workload = async (n, capacity) => {
  const { reader, writer } = createChannel<number>({ capacity });
  const produce = async () => {
    for (let i = 0; i < n; i++) if (!writer.tryWrite(i)) await writer.write(i);
    writer.complete();
  };
  const [, sum] = await Promise.all([produce(), consume(reader)]);
  return sum;
};

export const errandReadBatch: Workload = async (n, capacity) => {
  const { reader, writer } = createChannel<number>({ capacity });
  const produce = async () => {
    for (let i = 0; i < n; i++) if (!writer.tryWrite(i)) await writer.write(i);
    writer.complete();
  };
  const drain = async () => {
    let sum = 0;
    for (let batch = await reader.readBatch(capacity); batch.length > 0; batch = await reader.readBatch(capacity)) {
      for (const x of batch) sum += x;
    }
    return sum;
  };
  const [, sum] = await Promise.all([produce(), drain()]);
  return sum;
};

export const errandDrainLoop: Workload = async (n, capacity) => {
  const { reader, writer } = createChannel<number>({ capacity });
  const produce = async () => {
    for (let i = 0; i < n; i++) if (!writer.tryWrite(i)) await writer.write(i);
    writer.complete();
  };
  const drain = async () => {
    let sum = 0;
    while (await reader.waitToRead()) {
      for (let x = reader.tryRead(); x !== NO_ITEM; x = reader.tryRead()) sum += x;
    }
    return sum;
  };
  const [, sum] = await Promise.all([produce(), drain()]);
  return sum;
};

/** queueable's push() resolves once the item is pulled; awaiting it at the bound is its backpressure. */
export const queueable: Workload = async (n, capacity) => {
  const channel = new QueueableChannel<number>();
  const produce = async () => {
    for (let i = 0; i < n; i++) {
      const pulled = channel.push(i);
      if (channel.pushBuffer.length >= capacity) await pulled;
    }
  };
  const take = async () => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (await channel.next()).value as number;
    return sum;
  };
  const [, sum] = await Promise.all([produce(), take()]);
  return sum;
};

export const itPushable: Workload = async (n, capacity) => {
  const source = pushable<number>({ objectMode: true });
  const produce = async () => {
    for (let i = 0; i < n; i++) {
      source.push(i);
      if (source.readableLength >= capacity) await source.onEmpty();
    }
    source.end();
  };
  const [, sum] = await Promise.all([produce(), consume(source)]);
  return sum;
};

export const repeater: Workload = async (n, capacity) =>
  consume(
    new Repeater<number>(async (push, stop) => {
      for (let i = 0; i < n; i++) await push(i);
      stop();
    }, new FixedBuffer(capacity)),
  );

export const asyncChannel: Workload = async (n, capacity) => {
  const channel = new AsyncChannel<number>(capacity);
  const produce = async () => {
    for (let i = 0; i < n; i++) await channel.push(i);
    channel.close();
  };
  const [, sum] = await Promise.all([produce(), consume(channel)]);
  return sum;
};

export const effectQueue: Workload = (n, capacity) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const queue = yield* Queue.bounded<number>(capacity);
      const producer = yield* Effect.forkChild(
        Effect.gen(function* () {
          for (let i = 0; i < n; i++) yield* Queue.offer(queue, i);
        }),
      );
      let sum = 0;
      for (let i = 0; i < n; i++) sum += yield* Queue.take(queue);
      yield* Fiber.join(producer);
      return sum;
    }),
  );

export const effectTakeAll: Workload = (n, capacity) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const queue = yield* Queue.bounded<number>(capacity);
      const producer = yield* Effect.forkChild(
        Effect.gen(function* () {
          for (let i = 0; i < n; i++) yield* Queue.offer(queue, i);
        }),
      );
      let sum = 0;
      for (let taken = 0; taken < n; ) {
        const batch = yield* Queue.takeAll(queue);
        for (const x of batch) sum += x;
        taken += batch.length;
      }
      yield* Fiber.join(producer);
      return sum;
    }),
  );

/** p-queue runs tasks rather than handing items over: the consumer is the task, concurrency 1. */
export const pQueue: Workload = async (n, capacity) => {
  const queue = new PQueue({ concurrency: 1 });
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (queue.size >= capacity) await queue.onSizeLessThan(capacity);
    void queue.add(() => {
      sum += i;
    });
  }
  await queue.onIdle();
  return sum;
};

/** A ReadableStream whose producer waits for pull() whenever desiredSize says the queue is full. */
export const webStream: Workload = async (n, capacity) => {
  let wakeProducer: (() => void) | undefined;
  let controller!: ReadableStreamDefaultController<number>;
  const stream = new ReadableStream<number>(
    {
      start: (c) => void (controller = c),
      pull: () => wakeProducer?.(),
    },
    new CountQueuingStrategy({ highWaterMark: capacity }),
  );
  const produce = async () => {
    for (let i = 0; i < n; i++) {
      controller.enqueue(i);
      if ((controller.desiredSize ?? 0) <= 0) await new Promise<void>((resolve) => (wakeProducer = resolve));
    }
    controller.close();
  };
  // ReadableStream is async iterable on Bun and Node 20; TypeScript's DOM lib does not say so yet.
  const [, sum] = await Promise.all([produce(), consume(stream as unknown as AsyncIterable<number>)]);
  return sum;
};

import { expect, test } from "bun:test";
import { coalescedNotify } from "../../../src/stores/postgres/notifier.ts";

test("a burst of wake-ups sends one NOTIFY in flight and one after it, never fewer than needed", async () => {
  const pending: (() => void)[] = [];
  let sent = 0;
  const notify = coalescedNotify(() => {
    sent++;
    return new Promise<void>((resolve) => pending.push(resolve));
  });
  notify();
  for (let i = 0; i < 10; i++) notify(); // while the first is in flight
  expect(sent).toBe(1);
  pending.shift()!();
  await Bun.sleep(0);
  expect(sent).toBe(2); // the enqueues that committed during the first get a NOTIFY sent after them
  pending.shift()!();
  await Bun.sleep(0);
  expect(sent).toBe(2);
  notify();
  expect(sent).toBe(3);
});

test("a failed NOTIFY does not stop later ones", async () => {
  let sent = 0;
  const notify = coalescedNotify(async () => {
    sent++;
    throw new Error("connection lost");
  });
  notify();
  await Bun.sleep(0);
  notify();
  expect(sent).toBe(2);
});

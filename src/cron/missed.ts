/**
 * What to do with ticks that passed while the process was down or asleep.
 * - "skip": nothing for the past; the schedule resumes at the next tick.
 * - "run-once": one run, for the latest missed tick.
 * - { catchUp: n }: runs for the latest n missed ticks, one after another (never a burst).
 */
export type MissedPolicy = "skip" | "run-once" | { catchUp: number };

/** How many past ticks a policy can ever run: the scheduler never looks further back than this. */
export function missedLimit(policy: MissedPolicy): number {
  if (policy === "skip") return 0;
  if (policy === "run-once") return 1;
  return policy.catchUp;
}

/**
 * Picks the ticks to run from the due ones (oldest first). Only the latest due tick can be on time,
 * and only when it is at most `lateToleranceMs` old: any earlier tick was overtaken by a later one,
 * so it was missed.
 */
export function selectTicks(
  due: readonly number[],
  now: number,
  policy: MissedPolicy,
  lateToleranceMs: number,
): number[] {
  const latest = due.at(-1);
  if (latest === undefined) return [];
  const onTime = now - latest <= lateToleranceMs;
  const missed = onTime ? due.slice(0, -1) : due;
  const limit = missedLimit(policy);
  const caughtUp = limit === 0 ? [] : missed.slice(-limit);
  return onTime ? [...caughtUp, latest] : caughtUp;
}

// Which due jobs of one limited name a claim may take, shared by the three stores so they agree on
// the semantics. The store gathers the facts under its own lock (an IMMEDIATE transaction, an advisory
// lock, or a synchronous call), this decides, and the store marks the chosen jobs running and records
// their starts. Web-standard: memoryStore uses it.
import type { RateLimitRule } from "../jobs/store.ts";
import { groupOf } from "./common.ts";

/** A due job of the name, in claim order. A null key is a group of its own ("" stands for it). */
export interface LimitedCandidate {
  id: string;
  groupKey: string | null;
  rateKey: string | null;
}

export interface NameLimitFacts {
  /** How many more jobs of the name this claim may take (batch room and the per-name limit). */
  room: number;
  /** Per-key concurrency limit, with the running jobs per groupKey. */
  groupLimit?: number;
  runningByGroup?: ReadonlyMap<string, number>;
  /** Rate limit, with the start times inside the window (now - perMs, now] per rateKey, ascending. */
  rate?: RateLimitRule;
  startsByRateKey?: ReadonlyMap<string, readonly number[]>;
  now: number;
}

export interface LimitedPlan {
  take: LimitedCandidate[];
  /** Earliest time a candidate held back by the rate limit may start; undefined when none was. */
  freeAt: number | undefined;
}

/**
 * Walks the candidates in claim order and takes each one its groups still have room for. A sliding
 * window: a start at time s counts while now - perMs < s, so with the window full the next start may
 * go at starts[length - max] + perMs, the moment the start that makes it full leaves it.
 */
export function planLimitedClaim(candidates: readonly LimitedCandidate[], facts: NameLimitFacts): LimitedPlan {
  const running = new Map(facts.runningByGroup ?? []);
  const starts = new Map<string, number[]>();
  for (const [key, times] of facts.startsByRateKey ?? []) starts.set(key, [...times]);
  const take: LimitedCandidate[] = [];
  let freeAt: number | undefined;
  for (const candidate of candidates) {
    if (take.length >= facts.room) break;
    const group = groupOf(candidate.groupKey);
    if (facts.groupLimit !== undefined && (running.get(group) ?? 0) >= facts.groupLimit) continue;
    if (facts.rate) {
      const key = groupOf(candidate.rateKey);
      const window = starts.get(key) ?? [];
      if (window.length >= facts.rate.max) {
        const at = window[window.length - facts.rate.max]! + facts.rate.perMs;
        freeAt = freeAt === undefined ? at : Math.min(freeAt, at);
        continue;
      }
      window.push(facts.now);
      starts.set(key, window);
    }
    running.set(group, (running.get(group) ?? 0) + 1);
    take.push(candidate);
  }
  return { take, freeAt };
}

/** Names the claim must take one at a time under the store's lock: those with a per-key or rate limit. */
export function keyedOrRateLimited(
  names: readonly string[],
  o: {
    groupLimits?: Readonly<Record<string, number>>;
    rateLimits?: Readonly<Record<string, RateLimitRule>>;
  },
): string[] {
  if (!o.groupLimits && !o.rateLimits) return [];
  return names.filter((name) => o.groupLimits?.[name] !== undefined || o.rateLimits?.[name] !== undefined);
}

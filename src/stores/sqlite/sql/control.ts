// Pauses: rows of errand_paused, which every claim reads (claim.ts), so a pause holds for every
// process sharing the file from its commit on, and across restarts.
import type { Database } from "bun:sqlite";
import type { Pause, PauseTarget } from "../../../jobs/store.ts";

export interface SqliteControl {
  pause(target: PauseTarget, now: number): boolean;
  resume(target: PauseTarget): boolean;
  paused(): Pause[];
}

const kindOf = (t: PauseTarget): [kind: "name" | "queue", value: string] =>
  t.name !== undefined ? ["name", t.name] : ["queue", t.queue];

export function prepareControl(db: Database): SqliteControl {
  const insert = db.prepare<never, [string, string, number]>(
    "INSERT INTO errand_paused (kind, value, paused_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
  );
  const remove = db.prepare<never, [string, string]>("DELETE FROM errand_paused WHERE kind = ?1 AND value = ?2");
  const list = db.prepare<{ kind: "name" | "queue"; value: string; paused_at: number }, []>(
    "SELECT kind, value, paused_at FROM errand_paused ORDER BY kind, value",
  );
  return {
    pause: (target, now) => insert.run(...kindOf(target), now).changes > 0,
    resume: (target) => remove.run(...kindOf(target)).changes > 0,
    paused: () =>
      list
        .all()
        .map((r) =>
          r.kind === "name" ? { name: r.value, pausedAt: r.paused_at } : { queue: r.value, pausedAt: r.paused_at },
        ),
  };
}

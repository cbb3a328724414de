/**
 * Idempotency keys of cron runs. A scheduled tick's key is `cron:<name>:<tick ISO time>`, so every
 * instance computing the same tick enqueues the same key and the store keeps one job for it. Manual
 * runs use `cron:<name>:manual:<ISO time>`, which never parses as a tick.
 */
export function runKeyPrefix(cronName: string): string {
  return `cron:${cronName}:`;
}

export function tickKey(cronName: string, tick: number): string {
  return `${runKeyPrefix(cronName)}${new Date(tick).toISOString()}`;
}

export function manualKey(cronName: string, at: number): string {
  return `${runKeyPrefix(cronName)}manual:${new Date(at).toISOString()}`;
}

/** The tick a key was enqueued for; undefined for manual runs and keys of other crons. */
export function tickOfKey(cronName: string, key: string): number | undefined {
  const prefix = runKeyPrefix(cronName);
  if (!key.startsWith(prefix)) return undefined;
  const rest = key.slice(prefix.length);
  const tick = Date.parse(rest);
  // Date.parse accepts more than ISO strings; round-tripping keeps only keys this module wrote.
  return Number.isNaN(tick) || new Date(tick).toISOString() !== rest ? undefined : tick;
}

/**
 * The cron a job key belongs to (its run, by tick or trigger), or undefined for other keys. Cron names
 * hold no ":", so the name ends at the first one after the prefix.
 */
export function cronOfKey(key: string): string | undefined {
  if (!key.startsWith("cron:")) return undefined;
  const end = key.indexOf(":", 5);
  return end > 5 ? key.slice(5, end) : undefined;
}

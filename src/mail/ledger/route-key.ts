/**
 * The idempotency key of a batch: a function of its members' keys only (sorted, so the order they
 * were picked in does not matter). The key is stable across retries because the members of a batch
 * never change once its route is in the ledger: every later attempt of any member repeats exactly
 * this batch, so it arrives with exactly this key and body, and the provider answers from memory.
 */
export function batchKey(memberKeys: readonly string[]): string {
  const joined = [...memberKeys].sort().join("\n");
  return `errand-batch/${memberKeys.length}/${fnv1a(joined, 0x811c9dc5)}${fnv1a(joined, 0x01000193 ^ 0x5bd1e995)}`;
}

function fnv1a(text: string, seed: number): string {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

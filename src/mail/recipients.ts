import { InvalidRecipientError } from "./errors.ts";

// Deliberately loose (one @, a dot in the domain, no spaces or brackets inside): the provider is
// the authority on deliverability; this only catches values that are clearly not addresses.
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const NAMED = /^[^<>]*<\s*([^<>]+?)\s*>$/;

/** `"a@x.io"` or `"Ada <a@x.io>"`; returns the list, throwing InvalidRecipientError on the first bad one. */
export function normalizeRecipients(to: string | readonly string[]): string[] {
  const list = typeof to === "string" ? [to] : [...to];
  if (list.length === 0) throw new InvalidRecipientError("(no recipient)");
  for (const recipient of list) {
    const address = NAMED.exec(recipient)?.[1] ?? recipient;
    if (!ADDRESS.test(address)) throw new InvalidRecipientError(recipient);
  }
  return list;
}

import type { OutgoingMail } from "../transport.ts";

/**
 * The request a mail went out in: alone (the route key is the mail's own key) or in a batch (the
 * route key is the batch's idempotency key, and every member points at it).
 */
export interface DeliveryRoute {
  key: string;
  memberKeys: string[];
  /** Exactly the body that was sent: a retry must repeat it byte for byte or the provider refuses the key. */
  mails: OutgoingMail[];
  /** `sent` once the provider answered with ids (one per member, in order). */
  state: "pending" | "sent";
  ids: string[] | null;
  createdAt: number;
}

/**
 * Remembers, durably and BEFORE the request, which request each mail goes out in. This is what keeps
 * batching exactly-once: a mail whose batch timed out may or may not have been delivered, and only a
 * repeat of that same batch under the same key is safe (the provider then answers from its memory
 * instead of sending again). Regrouping it into another batch, or sending it alone, could deliver it
 * twice. A route is written before the request and read back by every later attempt of its members,
 * in this process or in another one after a crash.
 */
export interface DeliveryLedger {
  /** The route of the mail with this idempotency key, if one was opened and not voided. */
  find(memberKey: string): Promise<DeliveryRoute | null>;
  /** Records a route before its request. Fails if a member already has one (the caller then re-reads). */
  open(route: Omit<DeliveryRoute, "state" | "ids">): Promise<void>;
  markSent(routeKey: string, ids: readonly string[]): Promise<void>;
  /** The provider definitely did not take the request (4xx, 429): forget it, the members may go another way. */
  void(routeKey: string): Promise<void>;
  /** Forgets routes older than this (the provider forgets idempotency keys after 24 h anyway). */
  prune(createdBefore: number): Promise<number>;
  close(): Promise<void>;
}

import type { DeliveryLedger, DeliveryRoute } from "./ledger.ts";

/**
 * Routes in memory: survives retries within the process, not a crash. For tests and benchmarks; a
 * process that can crash with batches in flight needs the SQLite or PostgreSQL ledger.
 */
export class MemoryDeliveryLedger implements DeliveryLedger {
  readonly #routes = new Map<string, DeliveryRoute>();
  readonly #members = new Map<string, string>();

  async find(memberKey: string): Promise<DeliveryRoute | null> {
    const routeKey = this.#members.get(memberKey);
    return routeKey === undefined ? null : (this.#routes.get(routeKey) ?? null);
  }

  async open(route: Omit<DeliveryRoute, "state" | "ids">): Promise<void> {
    const taken = route.memberKeys.find((key) => this.#members.has(key));
    if (taken !== undefined || this.#routes.has(route.key))
      throw new Error(`Mail ${taken ?? route.key} already has a delivery route.`);
    this.#routes.set(route.key, { ...route, state: "pending", ids: null });
    for (const key of route.memberKeys) this.#members.set(key, route.key);
  }

  async markSent(routeKey: string, ids: readonly string[]): Promise<void> {
    const route = this.#routes.get(routeKey);
    if (route) this.#routes.set(routeKey, { ...route, state: "sent", ids: [...ids] });
  }

  async void(routeKey: string): Promise<void> {
    const route = this.#routes.get(routeKey);
    if (!route) return;
    this.#routes.delete(routeKey);
    for (const key of route.memberKeys) this.#members.delete(key);
  }

  async prune(createdBefore: number): Promise<number> {
    let pruned = 0;
    for (const route of [...this.#routes.values()]) {
      if (route.createdAt < createdBefore) {
        await this.void(route.key);
        pruned++;
      }
    }
    return pruned;
  }

  async close(): Promise<void> {}
}

export function memoryDeliveryLedger(): MemoryDeliveryLedger {
  return new MemoryDeliveryLedger();
}

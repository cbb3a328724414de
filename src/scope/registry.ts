import { disposeAll } from "./dispose.ts";
import {
  CircularDependencyError,
  DuplicateRegistrationError,
  ScopeDisposedError,
  ScopedResolutionError,
  UnknownTokenError,
} from "./errors.ts";
import type { Token } from "./token.ts";

export type Lifetime = "singleton" | "scoped";

/** What a factory receives to resolve its own dependencies. */
export interface Resolver {
  get<T>(token: Token<T>): T;
}

export type Factory<T> = (resolver: Resolver) => T;

interface Registration {
  lifetime: Lifetime;
  factory: Factory<unknown>;
}

/**
 * The service registry (.NET's IServiceCollection + root provider): singletons live as long as the
 * registry, scoped services once per Scope. Values are built lazily, on first `get`.
 */
export class ServiceRegistry implements Resolver {
  readonly #registrations = new Map<Token<unknown>, Registration>();
  readonly #singletons = new Cache();

  singleton<T>(token: Token<T>, factory: Factory<T>): this {
    return this.#register(token, "singleton", factory);
  }

  scoped<T>(token: Token<T>, factory: Factory<T>): this {
    return this.#register(token, "scoped", factory);
  }

  has(token: Token<unknown>): boolean {
    return this.#registrations.has(token);
  }

  /** Resolves a singleton; a scoped token here is a ScopedResolutionError. */
  get<T>(token: Token<T>): T {
    return this.resolve(token, undefined, []);
  }

  createScope(): Scope {
    return new Scope(this);
  }

  /** Disposes the singletons built so far, in reverse order. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#singletons.dispose();
  }

  /**
   * @internal Shared by the root and scopes; `path` detects cycles. It holds the tokens, not their
   * names: two modules may well each have a token named "config", and one may depend on the other.
   */
  resolve<T>(token: Token<T>, scope: Scope | undefined, path: readonly Token<unknown>[]): T {
    const registration = this.#registrations.get(token);
    if (!registration) throw new UnknownTokenError(token.name);
    if (path.includes(token)) throw new CircularDependencyError([...path, token].map((t) => t.name));
    if (registration.lifetime === "scoped" && !scope) {
      throw new ScopedResolutionError(
        token.name,
        path.length ? `singleton "${path.at(-1)!.name}"` : "the root registry",
      );
    }
    // A singleton's dependencies resolve from the root even inside a scope, so a scoped value never
    // becomes captive in a singleton.
    const owner = registration.lifetime === "singleton" ? this.#singletons : scope!.cache;
    const childScope = registration.lifetime === "singleton" ? undefined : scope;
    return owner.getOrCreate(token, () =>
      registration.factory({ get: (dep) => this.resolve(dep, childScope, [...path, token]) }),
    ) as T;
  }

  #register<T>(token: Token<T>, lifetime: Lifetime, factory: Factory<T>): this {
    if (this.#registrations.has(token)) throw new DuplicateRegistrationError(token.name);
    this.#registrations.set(token, { lifetime, factory });
    return this;
  }
}

/**
 * One work item's services. `await using scope = registry.createScope()` disposes what it built, in
 * reverse order, when the block ends, also when it threw.
 */
export class Scope implements Resolver, AsyncDisposable {
  /** @internal */
  readonly cache = new Cache();
  readonly #registry: ServiceRegistry;

  constructor(registry: ServiceRegistry) {
    this.#registry = registry;
  }

  get<T>(token: Token<T>): T {
    if (this.cache.disposed) throw new ScopeDisposedError(token.name);
    return this.#registry.resolve(token, this, []);
  }

  get disposed(): boolean {
    return this.cache.disposed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.cache.dispose();
  }
}

/** Built values in creation order, so disposal can run in reverse. */
class Cache {
  readonly #values = new Map<Token<unknown>, unknown>();
  disposed = false;

  getOrCreate(token: Token<unknown>, create: () => unknown): unknown {
    if (this.#values.has(token)) return this.#values.get(token);
    const value = create();
    this.#values.set(token, value);
    return value;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const values = [...this.#values.values()];
    this.#values.clear();
    await disposeAll(values);
  }
}

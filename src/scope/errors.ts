/** Base class of every error the scope layer throws. */
export class ScopeError extends Error {
  override name = "ScopeError";
}

/** The token has no registration. */
export class UnknownTokenError extends ScopeError {
  override name = "UnknownTokenError";
  constructor(tokenName: string) {
    super(
      `No service is registered for token "${tokenName}". Register it with registry.singleton() or registry.scoped().`,
    );
  }
}

/**
 * A scoped service was resolved outside a scope (from the root registry or from a singleton factory):
 * it would live as long as the app, the captive-dependency mistake.
 */
export class ScopedResolutionError extends ScopeError {
  override name = "ScopedResolutionError";
  constructor(tokenName: string, from: string) {
    super(
      `Scoped service "${tokenName}" cannot be resolved from ${from}: it would outlive its work item. ` +
        "Resolve it from a scope (registry.createScope().get(...)), or register it as a singleton.",
    );
  }
}

/** The scope was already disposed. */
export class ScopeDisposedError extends ScopeError {
  override name = "ScopeDisposedError";
  constructor(tokenName: string) {
    super(
      `Cannot resolve "${tokenName}": the scope was already disposed. Resolve services only while the work item runs.`,
    );
  }
}

/** A token was registered twice. */
export class DuplicateRegistrationError extends ScopeError {
  override name = "DuplicateRegistrationError";
  constructor(tokenName: string) {
    super(`Token "${tokenName}" is already registered; each token has one lifetime and one factory.`);
  }
}

/** A factory depends on itself, directly or through others. */
export class CircularDependencyError extends ScopeError {
  override name = "CircularDependencyError";
  constructor(path: string[]) {
    super(`Circular dependency: ${path.join(" -> ")}`);
  }
}

export {
  CircularDependencyError,
  DuplicateRegistrationError,
  ScopeDisposedError,
  ScopedResolutionError,
  ScopeError,
  UnknownTokenError,
} from "./errors.ts";
export { type Factory, type Lifetime, type Resolver, Scope, ServiceRegistry } from "./registry.ts";
export { type Token, token } from "./token.ts";

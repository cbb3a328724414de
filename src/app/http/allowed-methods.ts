/** A route as Elysia lists it in `app.routes`: `:param` matches one path segment, `*` the rest. */
export interface RouteLike {
  method: string;
  path: string;
}

/**
 * The methods some route answers on `path`, for a 405's Allow header when the request's method is not
 * among them; empty when no route has this path, which stays a 404.
 */
export function allowedMethods(routes: Iterable<RouteLike>, path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) if (matches(route.path, path)) methods.add(route.method);
  return [...methods].sort();
}

function matches(pattern: string, path: string): boolean {
  const want = pattern.split("/");
  const got = path.split("/");
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!;
    if (segment === "*") return true;
    if (i >= got.length) return false;
    if (segment.startsWith(":") ? got[i] === "" : segment !== got[i]) return false;
  }
  return want.length === got.length;
}

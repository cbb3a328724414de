import { describe, expect, test } from "bun:test";
import {
  CircularDependencyError,
  DuplicateRegistrationError,
  ScopeDisposedError,
  ScopedResolutionError,
  ServiceRegistry,
  token,
  UnknownTokenError,
} from "../../src/scope/index.ts";

interface Resource {
  id: number;
}

function tracked(log: string[], name: string, kind: "async" | "sync" | "close" = "async") {
  const dispose = () => void log.push(`dispose ${name}`);
  if (kind === "sync") return { name, [Symbol.dispose]: dispose };
  if (kind === "close") return { name, close: dispose };
  return { name, [Symbol.asyncDispose]: async () => dispose() };
}

describe("ServiceRegistry and Scope", () => {
  test("scoped values are built lazily, once per scope", async () => {
    let built = 0;
    const Db = token<Resource>("db");
    const registry = new ServiceRegistry().scoped(Db, () => ({ id: ++built }));
    await using first = registry.createScope();
    expect(built).toBe(0);
    expect(first.get(Db)).toBe(first.get(Db));
    expect(built).toBe(1);
    await using second = registry.createScope();
    expect(second.get(Db).id).toBe(2);
  });

  test("singletons are shared by every scope and the root", async () => {
    const Config = token<Resource>("config");
    let built = 0;
    const registry = new ServiceRegistry().singleton(Config, () => ({ id: ++built }));
    await using a = registry.createScope();
    await using b = registry.createScope();
    expect(a.get(Config)).toBe(b.get(Config));
    expect(registry.get(Config)).toBe(a.get(Config));
    expect(built).toBe(1);
  });

  test("factories resolve their dependencies; scoped may depend on singletons", async () => {
    const Config = token<{ url: string }>("config");
    const Conn = token<{ url: string; n: number }>("conn");
    const registry = new ServiceRegistry()
      .singleton(Config, () => ({ url: "db://x" }))
      .scoped(Conn, (r) => ({ url: r.get(Config).url, n: 1 }));
    await using scope = registry.createScope();
    expect(scope.get(Conn).url).toBe("db://x");
  });

  test("disposes what it built in reverse order (asyncDispose, dispose, close), not what it did not build", async () => {
    const log: string[] = [];
    const A = token<object>("a");
    const B = token<object>("b");
    const C = token<object>("c");
    const Unused = token<object>("unused");
    const registry = new ServiceRegistry()
      .scoped(A, () => tracked(log, "a", "async"))
      .scoped(B, () => tracked(log, "b", "sync"))
      .scoped(C, () => tracked(log, "c", "close"))
      .scoped(Unused, () => tracked(log, "unused"));
    {
      await using scope = registry.createScope();
      scope.get(A);
      scope.get(B);
      scope.get(C);
    }
    expect(log).toEqual(["dispose c", "dispose b", "dispose a"]);
  });

  test("disposes even when the work item threw, and the work item's error stays visible", async () => {
    const log: string[] = [];
    const A = token<object>("a");
    const registry = new ServiceRegistry().scoped(A, () => tracked(log, "a"));
    const run = async () => {
      await using scope = registry.createScope();
      scope.get(A);
      throw new Error("work failed");
    };
    await expect(run()).rejects.toThrow("work failed");
    expect(log).toEqual(["dispose a"]);
  });

  test("a disposal error does not hide the work item's error (SuppressedError)", async () => {
    const Bad = token<object>("bad");
    const registry = new ServiceRegistry().scoped(Bad, () => ({
      [Symbol.asyncDispose]: async () => {
        throw new Error("dispose failed");
      },
    }));
    const run = async () => {
      await using scope = registry.createScope();
      scope.get(Bad);
      throw new Error("work failed");
    };
    const error = (await run().catch((e: unknown) => e)) as SuppressedError;
    expect(error).toBeInstanceOf(SuppressedError);
    expect((error.suppressed as Error).message).toBe("work failed");
    expect((error.error as Error).message).toBe("dispose failed");
  });

  test("every value is disposed even when several throw (AggregateError)", async () => {
    const log: string[] = [];
    const failing = (name: string) => ({
      close() {
        log.push(name);
        throw new Error(`${name} failed`);
      },
    });
    const A = token<object>("a");
    const B = token<object>("b");
    const registry = new ServiceRegistry().scoped(A, () => failing("a")).scoped(B, () => failing("b"));
    const scope = registry.createScope();
    scope.get(A);
    scope.get(B);
    const error = await scope[Symbol.asyncDispose]().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors).toHaveLength(2);
    expect(log).toEqual(["b", "a"]);
  });

  test("resolving a scoped token from the root is the captive-dependency error", () => {
    const Conn = token<object>("conn");
    const Cache = token<object>("cache");
    const registry = new ServiceRegistry().scoped(Conn, () => ({})).singleton(Cache, (r) => ({ conn: r.get(Conn) }));
    expect(() => registry.get(Conn)).toThrow(ScopedResolutionError);
    // A singleton that captures a scoped value fails even when first resolved inside a scope.
    const scope = registry.createScope();
    expect(() => scope.get(Cache)).toThrow(ScopedResolutionError);
    expect(() => scope.get(Cache)).toThrow(/singleton "cache"/);
  });

  test("clear errors for unknown, duplicate, circular and use after dispose", async () => {
    const A = token<object>("a");
    const B = token<object>("b");
    const registry = new ServiceRegistry().scoped(A, (r) => r.get(B)).scoped(B, (r) => r.get(A));
    expect(() => registry.createScope().get(token("nope"))).toThrow(UnknownTokenError);
    expect(() => registry.scoped(A, () => ({}))).toThrow(DuplicateRegistrationError);
    expect(() => registry.createScope().get(A)).toThrow(CircularDependencyError);
    const scope = new ServiceRegistry().scoped(A, () => ({})).createScope();
    await scope[Symbol.asyncDispose]();
    expect(() => scope.get(A)).toThrow(ScopeDisposedError);
  });

  test("two distinct tokens that share a name are not a cycle; a real cycle's message names its path", () => {
    const appConfig = token<{ from: string }>("config");
    const mailConfig = token<{ from: string }>("config");
    const registry = new ServiceRegistry()
      .singleton(appConfig, () => ({ from: "app" }))
      .scoped(mailConfig, (r) => ({ from: `mail, after ${r.get(appConfig).from}` }));
    expect(registry.createScope().get(mailConfig)).toEqual({ from: "mail, after app" });
    const A = token<object>("a");
    const B = token<object>("b");
    const cyclic = new ServiceRegistry().scoped(A, (r) => r.get(B)).scoped(B, (r) => r.get(A));
    expect(() => cyclic.createScope().get(A)).toThrow("Circular dependency: a -> b -> a");
  });

  test("the root disposes its singletons", async () => {
    const log: string[] = [];
    const A = token<object>("a");
    const registry = new ServiceRegistry().singleton(A, () => tracked(log, "a"));
    registry.get(A);
    await registry[Symbol.asyncDispose]();
    expect(log).toEqual(["dispose a"]);
  });
});

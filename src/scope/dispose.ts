/**
 * Disposes values in reverse order of creation: `Symbol.asyncDispose`, else `Symbol.dispose`, else
 * `close()`. Every value is disposed even when one throws; one error is rethrown as is, several as an
 * AggregateError. (`await using` then wraps it with the work item's own error in a SuppressedError.)
 */
export async function disposeAll(values: readonly unknown[]): Promise<void> {
  const errors: unknown[] = [];
  for (let i = values.length - 1; i >= 0; i--) {
    try {
      await disposeOne(values[i]);
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} services failed to dispose`);
}

async function disposeOne(value: unknown): Promise<void> {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return;
  const v = value as {
    [Symbol.asyncDispose]?: () => PromiseLike<void>;
    [Symbol.dispose]?: () => void;
    close?: () => unknown;
  };
  if (typeof v[Symbol.asyncDispose] === "function") return void (await v[Symbol.asyncDispose]!());
  if (typeof v[Symbol.dispose] === "function") return v[Symbol.dispose]!();
  if (typeof v.close === "function") await v.close();
}

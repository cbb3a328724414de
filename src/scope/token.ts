/** A typed key for the service registry: `const Db = token<Database>("db")`. */
export interface Token<T> {
  readonly name: string;
  /** Phantom field: carries T for inference, never set. */
  readonly __type?: T;
}

export function token<T>(name: string): Token<T> {
  return Object.freeze({ name });
}

// SQL as tagged templates, independent of the PostgreSQL client: `sql` builds a statement or a piece
// of one, values become parameters ($1, $2, …), and pieces nest (a condition added only when an
// option is set, a schema-qualified table name). The client runs the compiled text (connections.ts).

/** A piece of SQL with its parameters. Built by `sql`, `identifier` or `empty`; immutable. */
export class Fragment {
  /** @internal Use `sql`, `identifier` or `empty`. */
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

/**
 * `sql\`select * from ${table} where id = ${id}\``: each value is a parameter, except a Fragment,
 * whose text and parameters are spliced in.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
  return new Fragment(strings, values);
}

/** A quoted, schema-qualified name: `identifier("errand", "jobs")` is `"errand"."jobs"`. */
export function identifier(...names: string[]): Fragment {
  return new Fragment([names.map((name) => `"${name.replaceAll('"', '""')}"`).join(".")], []);
}

/** Nothing: the other branch of an optional condition. */
export const empty = new Fragment([""], []);

/**
 * The fragment flattened: text pieces with nested fragments' text merged in, and the parameters
 * between them (`strings.length === values.length + 1`, like a template's).
 */
export function flatten(fragment: Fragment): { strings: string[]; values: unknown[] } {
  const strings = [""];
  const values: unknown[] = [];
  const add = (f: Fragment): void => {
    f.strings.forEach((text, i) => {
      strings[strings.length - 1] += text;
      if (i === f.values.length) return;
      const value = f.values[i];
      if (value instanceof Fragment) add(value);
      else {
        values.push(value);
        strings.push("");
      }
    });
  };
  add(fragment);
  return { strings, values };
}

/** The text with $n placeholders, and the parameters in order. */
export function compile(fragment: Fragment): { text: string; values: unknown[] } {
  const { strings, values } = flatten(fragment);
  let text = strings[0]!;
  for (let i = 1; i < strings.length; i++) text += `$${i}${strings[i]}`;
  return { text, values };
}

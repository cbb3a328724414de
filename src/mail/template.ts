import type { Static, TSchema } from "@sinclair/typebox";
import type { ReactElement } from "react";

/**
 * One mail: a React Email component, its subject line and the TypeBox schema of its props. The
 * schema gives the static type (so a wrong prop fails to type-check) and validates at run time
 * (so a wrong prop from untyped input never reaches the queue).
 */
export interface MailTemplate<S extends TSchema = TSchema> {
  readonly schema: S;
  // Method syntax on purpose: it keeps a template with specific props assignable to the registry type.
  component(props: Static<S>): ReactElement;
  subject(props: Static<S>): string;
  /** Sample props: the preview page and the benchmarks render with them. */
  readonly previewProps: Static<S>;
}

export function defineTemplate<S extends TSchema>(template: MailTemplate<S>): MailTemplate<S> {
  return template;
}

/** Template names to templates: `{ confirmation: defineTemplate(...) }`. */
export type TemplateRegistry = Readonly<Record<string, MailTemplate>>;

/** The props type of template `K` in registry `R`. */
export type PropsOf<R extends TemplateRegistry, K extends keyof R> =
  R[K] extends MailTemplate<infer S> ? Static<S> : never;

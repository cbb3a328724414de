import type { TSchema } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import { InvalidMailPropsError, UnknownTemplateError } from "./errors.ts";
import { LruCache } from "./lru.ts";
import type { MailTemplate, PropsOf, TemplateRegistry } from "./template.ts";

type ReactEmailRender = typeof import("@react-email/render");
let reactEmailRender: Promise<ReactEmailRender> | undefined;

/**
 * @react-email/render brings react-dom/server and html-to-text, most of what importing errand/mail would
 * cost; an app that starts without sending a mail should not pay for them, so they load with the first
 * render.
 */
function loadReactEmailRender(): Promise<ReactEmailRender> {
  reactEmailRender ??= import("@react-email/render");
  return reactEmailRender;
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

export interface RendererOptions {
  /** Rendered mails kept by (template, props); a retried or re-sent mail skips React. Default 256, 0 disables. */
  cacheSize?: number;
  /**
   * How the text part is made from the HTML: "standard" is html-to-text, exactly what
   * `render(..., { plainText: true })` gives (headings upper-cased); "fast" is React Email's own
   * converter (`unstableToPlainText`), several times faster, with slightly different layout.
   * html-to-text is most of a warm render's cost. Default "standard".
   */
  text?: "standard" | "fast";
}

/**
 * Validates props and renders templates. What it caches: one compiled validator per template (TypeBox
 * compiles the schema to a function once), and the last `cacheSize` rendered mails by template and
 * props, which a job retry or a preview reload hits. The text part is derived from the rendered HTML
 * (what `render(..., { plainText: true })` does internally) so React runs once per mail, not twice.
 */
export class MailRenderer<R extends TemplateRegistry> {
  readonly #validators = new Map<string, TypeCheck<TSchema>>();
  readonly #cache: LruCache<string, RenderedMail>;
  readonly #text: "standard" | "fast";

  constructor(
    readonly templates: R,
    options: RendererOptions = {},
  ) {
    this.#cache = new LruCache(options.cacheSize ?? 256);
    this.#text = options.text ?? "standard";
  }

  template<K extends keyof R & string>(name: K): R[K] {
    if (!Object.hasOwn(this.templates, name)) throw new UnknownTemplateError(name, Object.keys(this.templates));
    return this.templates[name];
  }

  /** Throws InvalidMailPropsError listing each problem; returns the props typed. */
  validate<K extends keyof R & string>(name: K, props: unknown): PropsOf<R, K> {
    const check = this.#validator(name);
    if (check.Check(props)) return props as PropsOf<R, K>;
    const problems = [...check.Errors(props)].map((e) => `${e.path || "(props)"}: ${e.message}`);
    throw new InvalidMailPropsError(name, problems);
  }

  async render<K extends keyof R & string>(name: K, props: PropsOf<R, K>): Promise<RenderedMail> {
    const key = `${name}\u0000${JSON.stringify(props)}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const template: MailTemplate = this.template(name);
    const { render, toPlainText, unstableToPlainText } = await loadReactEmailRender();
    const html = await render(template.component(props));
    const text = this.#text === "fast" ? unstableToPlainText(html) : toPlainText(html);
    const rendered = { subject: template.subject(props), html, text };
    this.#cache.set(key, rendered);
    return rendered;
  }

  #validator(name: string): TypeCheck<TSchema> {
    let check = this.#validators.get(name);
    if (!check) {
      check = TypeCompiler.Compile(this.template(name).schema);
      this.#validators.set(name, check);
    }
    return check;
  }
}

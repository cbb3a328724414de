import { Elysia } from "elysia";
import { listPage, mailPage } from "../mail/preview/page.ts";
import type { PreviewStore } from "../mail/preview/store.ts";

export interface MailPreviewOptions {
  store: PreviewStore;
  /** Default: on unless NODE_ENV is "production" (the page shows mail contents, including links with tokens). */
  enabled?: boolean;
  /** Default "/dev/mail". */
  prefix?: string;
  /** How many mails the list shows (default 200). */
  limit?: number;
}

const HTML = { "content-type": "text/html; charset=utf-8" };
// The mail's own HTML runs with no scripts, no forms, no same-origin access, no network except images.
const MAIL_CSP = "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'; font-src *";

/**
 * The preview transport's page: `/dev/mail` lists kept mails, `/dev/mail/:id` shows one (headers,
 * the HTML part in a sandboxed iframe, the text part), `/dev/mail/:id/html` and `/text` serve the parts.
 * Mounts no route at all when disabled, so production answers 404.
 */
export function mailPreview(options: MailPreviewOptions) {
  const prefix = options.prefix ?? "/dev/mail";
  const enabled = options.enabled ?? process.env.NODE_ENV !== "production";
  const limit = options.limit ?? 200;
  const plugin = new Elysia({ name: "errand.mail-preview", seed: prefix });
  if (!enabled) return plugin;
  const notFound = () =>
    new Response("No such mail.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  return plugin
    .get(prefix, async () => new Response(listPage(prefix, await options.store.list(limit)), { headers: HTML }))
    .get(`${prefix}/:id`, async ({ params }) => {
      const mail = await options.store.get(params.id);
      return mail ? new Response(mailPage(prefix, mail), { headers: HTML }) : notFound();
    })
    .get(`${prefix}/:id/html`, async ({ params }) => {
      const mail = await options.store.get(params.id);
      return mail ? new Response(mail.html, { headers: { ...HTML, "content-security-policy": MAIL_CSP } }) : notFound();
    })
    .get(`${prefix}/:id/text`, async ({ params }) => {
      const mail = await options.store.get(params.id);
      return mail ? new Response(mail.text, { headers: { "content-type": "text/plain; charset=utf-8" } }) : notFound();
    });
}

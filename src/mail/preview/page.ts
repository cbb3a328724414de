import type { PreviewMail, PreviewMailSummary } from "./store.ts";

/** Every value on these pages comes from a mail, i.e. from users: escape all of it (the runtime's escaper). */
const escapeHtml = Bun.escapeHTML;

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#18181b}table{border-collapse:collapse;width:100%}
td,th{padding:.5rem;border-bottom:1px solid #e4e4e7;text-align:left}iframe{width:100%;height:70vh;border:1px solid #e4e4e7}
pre{white-space:pre-wrap;background:#f4f4f5;padding:1rem}a{color:#2563eb}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export function listPage(prefix: string, mails: readonly PreviewMailSummary[]): string {
  const rows = mails
    .map(
      (m) =>
        `<tr><td><a href="${prefix}/${encodeURIComponent(m.id)}">${escapeHtml(m.subject)}</a></td><td>${escapeHtml(m.to.join(", "))}</td><td>${new Date(m.createdAt).toISOString()}</td></tr>`,
    )
    .join("");
  const table = mails.length
    ? `<table><thead><tr><th>Subject</th><th>To</th><th>Kept at</th></tr></thead><tbody>${rows}</tbody></table>`
    : "<p>No mails yet. Mails sent through the preview transport appear here.</p>";
  return page(
    "Mail preview",
    `<h1>Mail preview</h1><p>Mails kept by the preview transport (nothing was sent).</p>${table}`,
  );
}

/** The mail's HTML goes in a sandboxed iframe served with its own CSP, so its markup cannot touch this page. */
export function mailPage(prefix: string, mail: PreviewMail): string {
  const base = `${prefix}/${encodeURIComponent(mail.id)}`;
  return page(
    mail.subject,
    `<p><a href="${prefix}">All mails</a></p><h1>${escapeHtml(mail.subject)}</h1>
<table><tr><th>From</th><td>${escapeHtml(mail.from)}</td></tr><tr><th>To</th><td>${escapeHtml(mail.to.join(", "))}</td></tr>
${mail.replyTo ? `<tr><th>Reply-To</th><td>${escapeHtml(mail.replyTo)}</td></tr>` : ""}<tr><th>Kept at</th><td>${new Date(mail.createdAt).toISOString()}</td></tr></table>
<h2>HTML</h2><iframe sandbox title="HTML part" src="${base}/html"></iframe>
<h2>Text</h2><pre>${escapeHtml(mail.text)}</pre>`,
  );
}

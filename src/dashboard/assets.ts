// The dashboard's stylesheet and script, served by the plugin itself (no CDN, no build step) so the
// Content-Security-Policy can allow scripts and styles from 'self' only. Their URLs carry a hash of
// their content, so browsers may cache them for good.

const css = `
:root{--bg:#f5f6f8;--panel:#fff;--text:#1f2328;--muted:#6b7280;--line:#e5e7eb;--head:#0f172a;--head-text:#e2e8f0;
--link:#2563eb;--code:#f8fafc;--ok:#15803d;--ok-bg:#dcfce7;--warn:#b45309;--warn-bg:#fef3c7;--bad:#b91c1c;--bad-bg:#fee2e2;
--info:#1d4ed8;--info-bg:#dbeafe;--wait:#4338ca;--wait-bg:#e0e7ff;--run:#0e7490;--run-bg:#cffafe;--off:#4b5563;--off-bg:#e5e7eb;
color-scheme:light}
@media (prefers-color-scheme:dark){:root{--bg:#0b0f17;--panel:#111827;--text:#e5e7eb;--muted:#9ca3af;--line:#1f2937;
--head:#020617;--link:#60a5fa;--code:#0b1220;--ok:#4ade80;--ok-bg:#052e16;--warn:#fbbf24;--warn-bg:#3b2a06;--bad:#f87171;
--bad-bg:#3f0d0d;--info:#93c5fd;--info-bg:#0c1f3f;--wait:#a5b4fc;--wait-bg:#1e1b4b;--run:#67e8f9;--run-bg:#083344;
--off:#d1d5db;--off-bg:#374151;color-scheme:dark}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
header.top{background:var(--head);color:var(--head-text);display:flex;align-items:center;gap:1.5rem;padding:0 1.5rem;height:52px}
header.top .brand{font-weight:700;font-size:16px;color:#fff;letter-spacing:.2px}
header.top .brand span{color:#60a5fa}
header.top nav{display:flex;gap:.25rem;flex:1}
header.top nav a{color:#cbd5e1;padding:.4rem .75rem;border-radius:6px}
header.top nav a:hover{background:#1e293b;text-decoration:none;color:#fff}
header.top nav a.current{background:#1e293b;color:#fff}
header.top .tools{display:flex;align-items:center;gap:.75rem;font-size:13px;color:#94a3b8}
header.top .tools button{background:transparent;border:1px solid #334155;color:#cbd5e1}
header.top .tools button:hover{background:#1e293b}
.live-dot{display:inline-block;width:8px;height:8px;border-radius:50%;background:#22c55e;margin-right:.35rem}
.live-off .live-dot{background:#64748b}
main{max-width:1280px;margin:0 auto;padding:1.5rem}
h1{font-size:20px;margin:0 0 1rem;display:flex;align-items:center;gap:.6rem;flex-wrap:wrap}
h2{font-size:15px;margin:0 0 .75rem}
h1 .mono{font-size:17px;font-weight:600}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:1rem 1.25rem;margin-bottom:1.25rem}
.panel.flush{padding:0;overflow-x:auto}.panel.flush h2{padding:1rem 1.25rem 0}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:.75rem;margin-bottom:1.25rem}
.tile{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;border-top:3px solid var(--off);color:var(--text)}
.tile:hover{text-decoration:none;border-color:var(--link)}
.tile .n{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums}
.tile .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.5px}
.tile.scheduled{border-top-color:var(--wait)}.tile.ready{border-top-color:var(--info)}.tile.running{border-top-color:var(--run)}
.tile.succeeded{border-top-color:var(--ok)}.tile.failed{border-top-color:var(--warn)}.tile.dead{border-top-color:var(--bad)}
.tile.cancelled{border-top-color:var(--off)}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.5rem .75rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.4px;color:var(--muted);font-weight:600;background:var(--code)}
tbody tr:hover{background:var(--code)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.zero{color:var(--muted)}
tr.queue-row td{background:var(--code)}
.mono,code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.muted{color:var(--muted)}
.err{color:var(--bad);max-width:30rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
td.t,td.nowrap{white-space:nowrap}
.payload{max-width:18rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;color:var(--muted)}
table#jobs td,table#crons td{vertical-align:middle}td button{padding:.15rem .6rem;font-size:12px}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:12px;font-weight:600;background:var(--off-bg);color:var(--off)}
.badge.scheduled{background:var(--wait-bg);color:var(--wait)}.badge.ready{background:var(--info-bg);color:var(--info)}
.badge.running{background:var(--run-bg);color:var(--run)}.badge.succeeded{background:var(--ok-bg);color:var(--ok)}
.badge.failed{background:var(--warn-bg);color:var(--warn)}.badge.dead{background:var(--bad-bg);color:var(--bad)}
.badge.cancelled{background:var(--off-bg);color:var(--off)}
progress{width:16rem;height:.8rem;vertical-align:middle}
.badge.enabled{background:var(--ok-bg);color:var(--ok)}.badge.disabled,.badge.paused{background:var(--warn-bg);color:var(--warn)}
button,.button{font:inherit;font-size:13px;padding:.3rem .75rem;border-radius:6px;border:1px solid var(--line);background:var(--panel);color:var(--text);cursor:pointer;display:inline-block}
button:hover,.button:hover{border-color:var(--link);text-decoration:none}
button.primary{background:#2563eb;border-color:#2563eb;color:#fff}button.primary:hover{background:#1d4ed8}
button.danger{color:var(--bad);border-color:var(--bad)}button.danger:hover{background:var(--bad-bg)}
form.inline{display:inline}
.actions{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center}
.filters{display:flex;gap:.75rem;flex-wrap:wrap;align-items:flex-end;margin-bottom:1rem}
.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted);gap:.2rem}
input,select{font:inherit;padding:.35rem .5rem;border:1px solid var(--line);border-radius:6px;background:var(--panel);color:var(--text);min-width:9rem}
input[type=search]{min-width:16rem}
.pager{display:flex;gap:.75rem;align-items:center;padding:.75rem 1.25rem;color:var(--muted)}
.notice{background:var(--ok-bg);color:var(--ok);border:1px solid var(--ok);padding:.6rem 1rem;border-radius:8px;margin-bottom:1rem}
.notice.bad{background:var(--bad-bg);color:var(--bad);border-color:var(--bad)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1.5rem;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
pre{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem;overflow:auto;max-height:32rem;margin:0;white-space:pre-wrap;word-break:break-word}
.jk{color:#7c3aed}.js{color:#047857}.jn{color:#b45309}.jl{color:#2563eb}
@media (prefers-color-scheme:dark){.jk{color:#c4b5fd}.js{color:#6ee7b7}.jn{color:#fcd34d}.jl{color:#93c5fd}}
.attempt{border-top:1px solid var(--line);padding:.75rem 0}.attempt:first-of-type{border-top:0}
.attempt .head{display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap}
details summary{cursor:pointer;color:var(--muted);margin:.35rem 0}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1.25rem}
@media (max-width:900px){.grid2{grid-template-columns:1fr}}
.chart svg{width:100%;height:auto;display:block}
.chart .axis{stroke:var(--line)}.chart text{fill:var(--muted);font-size:11px}
.chart .ok{fill:#22c55e}.chart .bad{fill:#ef4444}.chart .hit{fill:transparent}.chart .hit:hover{fill:rgba(100,116,139,.12)}
.legend{display:flex;gap:1rem;font-size:12px;color:var(--muted)}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:.3rem;vertical-align:-1px}
.legend .ok{background:#22c55e}.legend .bad{background:#ef4444}
.summary{display:flex;gap:2rem;flex-wrap:wrap;margin-bottom:.75rem}
.summary div .n{font-size:18px;font-weight:650;font-variant-numeric:tabular-nums}.summary div .l{font-size:12px;color:var(--muted)}
.runs{display:flex;gap:3px}.runs a{display:inline-block;width:12px;height:12px;border-radius:3px;background:var(--off-bg)}
.runs a.succeeded{background:#22c55e}.runs a.dead{background:#ef4444}.runs a.failed{background:#f59e0b}
.runs a.running,.runs a.ready,.runs a.scheduled{background:#38bdf8}
.login{max-width:360px;margin:12vh auto}.login form{display:flex;flex-direction:column;gap:.75rem}
.login input{width:100%}
.empty{padding:2rem;text-align:center;color:var(--muted)}
`;

// Live updates and in-place actions. Every `[data-live]` region is fetched again every few seconds
// and replaced if it changed (not while the user types in it, selects text in it or the tab is
// hidden, and keeping open <details> open); POST forms are sent with fetch and the page's main part
// swapped, so scroll position and the rest of the page stay. Without this script every page still
// works: forms post and redirect, pages just do not refresh themselves.
const js = `(() => {
  "use strict";
  const body = document.body;
  const every = Number(body.dataset.refreshMs || 0);
  const key = "errand.live";
  let live = localStorage.getItem(key) !== "off";
  let busy = false;
  let timer = 0;
  const toggle = document.getElementById("live-toggle");
  const showLive = () => {
    if (!toggle) return;
    toggle.classList.toggle("live-off", !live);
    toggle.querySelector("span.label").textContent = live ? "Live" : "Paused";
    toggle.setAttribute("aria-pressed", String(live));
  };
  const parse = (text) => new DOMParser().parseFromString(text, "text/html");
  const isLogin = (res) => res.headers.get("x-errand-page") === "login";
  async function load(url, init) {
    const res = await fetch(url, Object.assign({ credentials: "same-origin", headers: { "x-errand-live": "1" } }, init));
    if (isLogin(res)) { location.assign(res.url); return null; }
    return { res, doc: parse(await res.text()) };
  }
  const busyHere = (el) => {
    const active = document.activeElement;
    if (active && active !== body && el.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) return true;
    const sel = window.getSelection();
    return Boolean(sel && !sel.isCollapsed && sel.anchorNode && el.contains(sel.anchorNode));
  };
  function swapLive(doc) {
    for (const el of document.querySelectorAll("[data-live]")) {
      const next = doc.getElementById(el.id);
      if (!next || next.innerHTML === el.innerHTML || busyHere(el)) continue;
      const open = new Set([...el.querySelectorAll("details[open][id]")].map((d) => d.id));
      el.replaceWith(next);
      for (const id of open) document.getElementById(id)?.setAttribute("open", "");
    }
  }
  function schedule() {
    clearTimeout(timer);
    if (every > 0 && live) timer = setTimeout(refresh, every);
  }
  async function refresh() {
    if (busy || document.hidden || !document.querySelector("[data-live]")) return schedule();
    busy = true;
    try {
      const got = await load(location.href);
      if (got && got.res.ok) swapLive(got.doc);
    } catch (_) {
      // A failed refresh is retried at the next tick.
    } finally {
      busy = false;
      schedule();
    }
  }
  function dropNotice(url) {
    const u = new URL(url);
    if (!u.searchParams.has("notice")) return url;
    u.searchParams.delete("notice");
    u.searchParams.delete("n");
    return u.toString();
  }
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.confirm && !confirm(form.dataset.confirm)) { event.preventDefault(); return; }
    if (form.method.toLowerCase() !== "post" || !form.hasAttribute("data-enhance")) return;
    event.preventDefault();
    for (const b of form.querySelectorAll("button")) b.disabled = true;
    try {
      const got = await load(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)) });
      if (!got) return;
      const main = got.doc.querySelector("main");
      if (!main) { location.reload(); return; }
      const target = got.res.redirected ? got.res.url : location.href;
      if (target !== location.href) history.pushState(null, "", dropNotice(target));
      document.title = got.doc.title;
      document.querySelector("main").replaceWith(main);
      for (const link of document.querySelectorAll("header.top nav a")) {
        const next = got.doc.querySelector('header.top nav a[href="' + link.getAttribute("href") + '"]');
        if (next) link.className = next.className;
      }
    } catch (_) {
      form.submit();
    }
  });
  window.addEventListener("popstate", () => location.reload());
  toggle?.addEventListener("click", () => {
    live = !live;
    localStorage.setItem(key, live ? "on" : "off");
    showLive();
    if (live) refresh(); else clearTimeout(timer);
  });
  document.addEventListener("visibilitychange", () => { if (!document.hidden && live) refresh(); });
  if (location.search.includes("notice=")) history.replaceState(null, "", dropNotice(location.href));
  showLive();
  schedule();
})();
`;

/** FNV-1a, enough to tell two versions of an asset apart in its URL. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

export interface Asset {
  readonly file: string;
  readonly type: string;
  readonly body: string;
}

export const stylesheet: Asset = {
  file: `dashboard.${fingerprint(css)}.css`,
  type: "text/css; charset=utf-8",
  body: css,
};
export const script: Asset = {
  file: `dashboard.${fingerprint(js)}.js`,
  type: "text/javascript; charset=utf-8",
  body: js,
};
export const assets: ReadonlyMap<string, Asset> = new Map([stylesheet, script].map((asset) => [asset.file, asset]));

/**
 * The live web dashboard every runner serves next to `/stats` (§8.2): `/dashboard` is a small
 * self-contained HTML page (inline CSS allowed by its hash, no CDN, no external fetch) whose
 * script comes from the same origin (`/dashboard.js`); the script polls the runner's own
 * `/jsonstats` and renders role-specific sections. A strict Content-Security-Policy keeps the
 * page from running any inline script or talking to another origin. The page and its script are
 * public (they hold no data); the data stays behind the same credential as `/jsonstats`.
 */
import { createHash } from 'node:crypto';
import { DASHBOARD_SCRIPT } from './dashboard-script.ts';

/** Which sections the dashboard renders; 'runner' shows only the generic field tables. */
export type DashboardRole = 'proxy' | 'worker' | 'client' | 'runner';

export const DASHBOARD_PAGE_PATH = '/dashboard';
export const DASHBOARD_SCRIPT_PATH = '/dashboard.js';

/** One answer of the dashboard routes: status, headers and body. */
export interface DashboardAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const DASHBOARD_STYLE = [
  ':root{--fg:#1d2430;--muted:#5d6776;--line:#dde2ea;--card:#f6f8fb;--ok:#16794c;--bad:#b3261e;--accent:#2459c9}',
  '*{box-sizing:border-box}[hidden]{display:none!important}body{font:14px/1.4 system-ui,sans-serif;color:var(--fg);margin:0;padding:0 1.2em 2em}',
  'header{display:flex;align-items:center;gap:.8em;flex-wrap:wrap;padding:.8em 0;border-bottom:1px solid var(--line)}',
  'h1{font-size:1.3em;margin:0}h2{font-size:1.05em;margin:1.4em 0 .5em}',
  '.pill{border-radius:1em;padding:.1em .7em;font-size:.85em;background:var(--card);border:1px solid var(--line)}',
  '.pill.live{color:var(--ok);border-color:var(--ok)}.pill.refused,.pill.error{color:var(--bad);border-color:var(--bad)}',
  '.muted{color:var(--muted)}.spacer{flex:1}',
  '#notice{margin:1em 0;padding:.8em 1em;border:1px solid var(--bad);border-radius:.4em;color:var(--bad);background:#fff6f5}',
  '#login{margin:.5em 0 1em;display:flex;gap:.5em;align-items:center;flex-wrap:wrap}#login input{min-width:28em;font:inherit;padding:.3em}',
  'button{font:inherit;padding:.3em .8em;cursor:pointer}',
  '.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(12em,1fr));gap:.6em}',
  '.card{background:var(--card);border:1px solid var(--line);border-radius:.4em;padding:.6em .8em}',
  '.card .label{color:var(--muted);font-size:.85em}.card .value{font-size:1.35em;font-weight:600;overflow-wrap:anywhere}',
  '.card .sub{color:var(--muted);font-size:.8em;overflow-wrap:anywhere}',
  'table{border-collapse:collapse;margin:.3em 0;width:100%}th,td{border-bottom:1px solid var(--line);padding:.3em .5em;text-align:left;vertical-align:top}',
  'th{background:var(--card);font-weight:600}td.hash,td.address{font-family:ui-monospace,monospace;font-size:.8em;word-break:break-all;min-width:14em}',
  '.scroll{overflow-x:auto}.model-version{display:block;color:var(--muted);font-size:.8em;word-break:break-all}',
  '.bar{display:inline-block;width:6em;height:.6em;background:var(--line);border-radius:.3em;margin-right:.4em;vertical-align:middle}',
  '.bar>span{display:block;height:100%;background:var(--accent);border-radius:.3em}',
  '.yes{color:var(--ok)}.no{color:var(--bad)}details{margin-top:1.5em}summary{cursor:pointer;color:var(--muted)}',
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:.3em 0}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}',
].join('');

const STYLE_HASH = createHash('sha256').update(DASHBOARD_STYLE, 'utf8').digest('base64');

/**
 * No inline script, no eval, no plugin, no frame; styles only the hashed inline block (the
 * script sets sizes through the CSSOM, which the policy allows); data only from this origin.
 */
export const DASHBOARD_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': DASHBOARD_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The `/dashboard` HTML: the page's skeleton; everything else is drawn by `/dashboard.js`. */
export function renderDashboardPage(role: DashboardRole, title: string): string {
  const heading = escapeHtml(title);
  return [
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${heading} dashboard</title>`,
    `<style>${DASHBOARD_STYLE}</style>`,
    `<script src="${DASHBOARD_SCRIPT_PATH}" defer></script>`,
    `</head><body data-role="${escapeHtml(role)}">`,
    `<header><h1>${heading}</h1><span id="state" class="pill">connecting</span><span id="updated" class="muted"></span>`,
    '<span class="spacer"></span><a href="/stats" class="muted">plain tables</a><button id="forget" type="button" hidden>Forget token</button></header>',
    '<div id="notice" role="alert" hidden></div>',
    '<form id="login" hidden><select id="credential-kind" aria-label="credential kind"><option value="token">Admin token</option><option value="access_hash">Access hash</option></select>',
    '<input id="token-input" type="password" autocomplete="off" spellcheck="false" aria-label="credential">',
    '<button type="submit">Show data</button></form>',
    '<main id="content"></main>',
    '<noscript>The dashboard needs JavaScript; <a href="/stats">/stats</a> shows the same data as plain tables.</noscript>',
    '</body></html>',
  ].join('');
}

/**
 * The answer for `/dashboard` or `/dashboard.js` (GET or HEAD), undefined for any other path or
 * method: the caller goes on with its own routes. Neither answer depends on the runner's data.
 */
export function dashboardAnswer(method: string | undefined, pathname: string, role: DashboardRole, title: string): DashboardAnswer | undefined {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  if (pathname === DASHBOARD_PAGE_PATH) {
    return { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' }, body: renderDashboardPage(role, title) };
  }
  if (pathname === DASHBOARD_SCRIPT_PATH) {
    return { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8' }, body: DASHBOARD_SCRIPT };
  }
  return undefined;
}

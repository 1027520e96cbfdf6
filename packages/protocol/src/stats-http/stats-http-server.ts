/**
 * The small HTTP server every runner exposes for operators (§8.2): `/stats` (HTML),
 * `/jsonstats` (JSON), `/metrics` (Prometheus text, when given; guarded like the stats pages, or by
 * the admin token with metricsRequireToken), the live `/dashboard` (its page and script are public,
 * its data is `/jsonstats`) and optional POST control endpoints `/request/<name>`. Binds where it is
 * told (127.0.0.1 by default). Every request passes the HttpRequestGuard first (Host, Origin);
 * the control endpoints need the admin token (`Authorization: Bearer`) or the access hash, the
 * stats pages need a credential only when an access hash is configured; CORS answers go only to
 * configured origins and never to the control endpoints.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CocoonError, toCocoonError } from '../errors/error-table.ts';
import { HttpRequestGuard, isControlPath, type HttpAccessOptions } from '../http-guard/http-request-guard.ts';
import { renderStatsPage } from './stats-page.ts';
import { dashboardAnswer, type DashboardRole } from './dashboard-page.ts';
import { toJsonText } from './json-text.ts';
import type { MetricsEndpoint } from '../metrics/runner-metrics.ts';
import { readControlParameters } from './control-parameters.ts';

export type ControlHandler = (query: URLSearchParams) => Promise<Record<string, unknown>>;

export interface StatsHttpServerOptions extends HttpAccessOptions {
  host: string;
  port: number;
  title: string;
  /** Which sections `/dashboard` renders (default 'runner': the generic field tables only). */
  role?: DashboardRole;
  jsonStats: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** `/request/<name>` endpoints (POST), called only for requests with the admin token or the access hash. */
  controls?: Record<string, ControlHandler>;
  /** `GET /metrics` (Prometheus text format) when set. */
  metrics?: MetricsEndpoint;
  /** `/metrics` needs the admin token (or the access hash) even without an access hash configured (metrics_require_token). */
  metricsRequireToken?: boolean;
}

export interface StatsHttpServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startStatsHttpServer(options: StatsHttpServerOptions): Promise<StatsHttpServer> {
  const guard = new HttpRequestGuard({ bindHost: options.host, ...options });
  const server = createServer((request, response) => {
    handle(options, guard, request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const failure = toCocoonError(error); // operators see a control's failure message, as before
      send(response, failure.httpStatus, 'application/json', toJsonText({ error: failure.message, code: failure.code }), request.complete ? {} : { connection: 'close' });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `http://${hostForUrl}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function handle(options: StatsHttpServerOptions, guard: HttpRequestGuard, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  guard.screen(request.headers);
  const cors = guard.corsHeaders(request.headers, url.pathname);
  for (const [name, value] of Object.entries(cors)) response.setHeader(name, value);
  if (request.method === 'OPTIONS') {
    response.writeHead(204, guard.preflightHeaders(request.headers, url.pathname));
    response.end();
    return;
  }
  if (isControlPath(url.pathname)) {
    guard.requireAdmin(request.headers, url); // before anything else: the handler never runs without a credential
    const control = options.controls?.[url.pathname.slice('/request/'.length)];
    if (!control) throw new CocoonError('CCN_ERR_HTTP_NOT_FOUND', `no such endpoint ${url.pathname.slice(0, 200)}`);
    if (request.method !== 'POST') throw new CocoonError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', 'use POST');
    const parameters = await readControlParameters(request, url.searchParams); // query string + form or JSON body (§8.2)
    send(response, 200, 'application/json', toJsonText(await control(parameters)));
    return;
  }
  const dashboard = dashboardAnswer(request.method, url.pathname, options.role ?? 'runner', options.title);
  if (dashboard) { // the page and its script hold no data: public; the data they poll (/jsonstats) is guarded below
    send(response, dashboard.status, dashboard.headers['content-type']!, dashboard.body, dashboard.headers); // a HEAD answer's body is dropped by node
    return;
  }
  if (url.pathname === '/metrics' && options.metrics) {
    guard.requireMetricsAccess(request.headers, url, options.metricsRequireToken ?? false);
    if (request.method !== 'GET') throw new CocoonError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', 'use GET');
    send(response, 200, options.metrics.contentType, await options.metrics.text());
    return;
  }
  guard.requireStatsAccess(request.headers, url);
  if (request.method === 'GET' && url.pathname === '/jsonstats') {
    send(response, 200, 'application/json', toJsonText(await options.jsonStats()));
    return;
  }
  if (request.method === 'GET' && (url.pathname === '/stats' || url.pathname === '/')) {
    send(response, 200, 'text/html; charset=utf-8', renderStatsPage(await options.jsonStats(), options.title));
    return;
  }
  throw new CocoonError('CCN_ERR_HTTP_NOT_FOUND', `no such endpoint ${url.pathname.slice(0, 200)}`);
}

function send(response: ServerResponse, status: number, contentType: string, body: string, extraHeaders: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...extraHeaders });
  response.end(body);
}

/**
 * The small HTTP server every runner exposes for operators (§8.2): `/stats` (HTML),
 * `/jsonstats` (JSON) and optional POST control endpoints, guarded by an access hash
 * when one is configured. Binds where it is told (127.0.0.1 by default).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderStatsPage } from './stats-page.ts';
import { toJsonText } from './json-text.ts';

export type ControlHandler = (query: URLSearchParams) => Promise<Record<string, unknown>>;

export interface StatsHttpServerOptions {
  host: string;
  port: number;
  title: string;
  jsonStats: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** `/request/<name>` endpoints (POST). */
  controls?: Record<string, ControlHandler>;
  /** When non-empty, every endpoint requires `?access_hash=<value>`. */
  accessHash?: string;
}

export interface StatsHttpServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startStatsHttpServer(options: StatsHttpServerOptions): Promise<StatsHttpServer> {
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      send(response, 500, 'application/json', toJsonText({ error: error instanceof Error ? error.message : 'internal error' }));
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${options.host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function handle(options: StatsHttpServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (options.accessHash && url.searchParams.get('access_hash') !== options.accessHash) {
    send(response, 401, 'application/json', toJsonText({ error: 'access denied' }));
    return;
  }
  if (request.method === 'GET' && url.pathname === '/jsonstats') {
    send(response, 200, 'application/json', toJsonText(await options.jsonStats()));
    return;
  }
  if (request.method === 'GET' && (url.pathname === '/stats' || url.pathname === '/')) {
    send(response, 200, 'text/html; charset=utf-8', renderStatsPage(await options.jsonStats(), options.title));
    return;
  }
  const control = url.pathname.startsWith('/request/') ? options.controls?.[url.pathname.slice('/request/'.length)] : undefined;
  if (control) {
    if (request.method !== 'POST') {
      send(response, 405, 'application/json', toJsonText({ error: 'use POST' }));
      return;
    }
    send(response, 200, 'application/json', toJsonText(await control(url.searchParams)));
    return;
  }
  send(response, 404, 'application/json', toJsonText({ error: `no such endpoint ${url.pathname}` }));
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'access-control-allow-origin': '*' });
  response.end(body);
}

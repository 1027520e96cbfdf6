/**
 * The client runner's OpenAI-compatible HTTP edge (§4.1, §8.2): routes inference requests to an
 * InferenceGateway, answers `/v1/models`, CORS preflights and the stats pages. Bad input never
 * takes the process down: every handler answers errors as OpenAI-style JSON.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { CocoonError } from '@cocoon/protocol';
import type { ClientStatsSource, InferenceGateway, InferencePath } from './inference-gateway.ts';
import { CORS_HEADERS } from './http-headers.ts';
import { DEFAULT_INFERENCE_SETTINGS } from './inference-request-parser.ts';
import { runInferenceExchange } from './inference-exchange.ts';
import type { InferenceExchangeContext } from './inference-exchange.ts';
import { sendBody, sendError, sendJson } from './json-response.ts';
import { modelsListBody } from './models-list-body.ts';
import { renderStatsPage, toJsonText } from '@cocoon/protocol';
import { handleTelegramRoute, isTelegramRoute } from './telegram/index.ts'; // Telegram tasks (summarize, translate, transcriptions)
import type { TelegramRouteOptions } from './telegram/index.ts'; // Telegram tasks

export interface ClientHttpServerOptions {
  host: string;
  port: number;
  gateway: InferenceGateway;
  stats: ClientStatsSource;
  /** Default 8 MiB. */
  maxBodyBytes?: number;
  /** Default 60000 (§4.9). */
  bodyReadTimeoutMs?: number;
  defaults?: { maxCoefficient?: number; maxTokens?: number; timeoutSeconds?: number };
  /** When set, /stats and /jsonstats require `?access_hash=<this>`. */
  accessHash?: string;
  now?: () => number;
  /** Default 10000 (§4.9: `/v1/models` 10 s). */
  modelsTimeoutMs?: number;
  /** Telegram task routes: prompt templates and limits (see ./telegram/). */
  telegram?: TelegramRouteOptions;
  /** `/request/*` operations (§8.2, e.g. the chain's charge/topup/withdraw/close): true when handled. Access-hash checked. */
  requestRoutes?: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean>;
}

export interface ClientHttpServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

const INFERENCE_PATHS = new Set<string>(['/v1/chat/completions', '/v1/completions']);
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

function accessAllowed(expected: string | undefined, url: URL): boolean {
  if (expected === undefined || expected === '') return true;
  const given = Buffer.from(url.searchParams.get('access_hash') ?? '', 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** bigint totals as plain integers (strings only beyond 2^53), like every runner's /jsonstats. */
function statsJson(stats: ClientStatsSource): string {
  return toJsonText(stats.jsonStats());
}

export async function startClientHttpServer(options: ClientHttpServerOptions): Promise<ClientHttpServer> {
  const now = options.now ?? Date.now;
  const running = new Set<AbortController>();
  const context: InferenceExchangeContext = {
    gateway: options.gateway,
    defaults: { ...DEFAULT_INFERENCE_SETTINGS, ...stripUndefined(options.defaults ?? {}) },
    bodyLimits: { maxBytes: options.maxBodyBytes ?? 8 * 1024 * 1024, timeoutMs: options.bodyReadTimeoutMs ?? 60_000 },
    now,
    track: (controller) => {
      running.add(controller);
      return () => running.delete(controller);
    },
  };
  const modelsTimeoutMs = options.modelsTimeoutMs ?? 10_000;
  const telegramContext = { modelsTimeoutMs, ...options.telegram, ...context }; // Telegram tasks

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    if (method === 'OPTIONS') {
      response.writeHead(204, CORS_HEADERS);
      response.end();
      return;
    }
    // Telegram tasks: /v1/summarize, /v1/translate, /v1/audio/transcriptions (see ./telegram/).
    if (isTelegramRoute(url.pathname) && (await handleTelegramRoute(request, response, telegramContext))) return;
    const path = url.pathname;
    if (path.startsWith('/request/') && options.requestRoutes) {
      if (!accessAllowed(options.accessHash, url)) throw new CocoonError('CCN_ERR_HTTP_UNAUTHORIZED', 'missing or wrong access_hash');
      if (await options.requestRoutes(request, response, url)) return;
    }
    const allowed = INFERENCE_PATHS.has(path) ? 'POST' : path === '/v1/models' || path === '/stats' || path === '/jsonstats' ? 'GET' : undefined;
    if (allowed === undefined) throw new CocoonError('CCN_ERR_HTTP_NOT_FOUND', `no such endpoint: ${path.slice(0, 200)}`);
    if (method !== allowed && !(allowed === 'GET' && method === 'HEAD')) {
      request.resume();
      sendError(response, new CocoonError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', `${path} accepts ${allowed} only`), { allow: `${allowed}, OPTIONS` });
      return;
    }
    if (allowed === 'POST') return runInferenceExchange(request, response, path as InferencePath, context);
    if (path === '/v1/models') {
      const models = await options.gateway.listModels(AbortSignal.timeout(modelsTimeoutMs));
      sendJson(response, 200, modelsListBody(models));
      return;
    }
    if (!accessAllowed(options.accessHash, url)) throw new CocoonError('CCN_ERR_HTTP_UNAUTHORIZED', 'missing or wrong access_hash');
    if (path === '/jsonstats') sendBody(response, 200, 'application/json; charset=utf-8', statsJson(options.stats));
    else sendBody(response, 200, 'text/html; charset=utf-8', renderStatsPage(JSON.parse(statsJson(options.stats)) as Record<string, unknown>, 'COCOON client'));
  };

  const server = createServer({ keepAlive: true }, (request, response) => {
    request.on('error', () => undefined);
    response.on('error', () => undefined);
    route(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, error);
      else response.destroy();
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  server.requestTimeout = 0; // body reads have their own timer; answers may stream for minutes
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `http://${hostForUrl}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const controller of running) controller.abort(new CocoonError('CCN_ERR_CANCELLED', 'the HTTP server is closing'));
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as Partial<T>;
}

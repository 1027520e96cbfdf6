/**
 * The client runner's OpenAI-compatible HTTP edge (§4.1, §8.2): routes inference requests to an
 * InferenceGateway, answers `/v1/models` and `/v1/encryption/keys` (§20), CORS preflights, the stats pages and `/metrics`. Every request
 * passes the HttpRequestGuard first (Host 421, Origin 403); `/request/*` needs the admin token
 * or the access hash (401); JSON bodies must be application/json (415); CORS only for the
 * configured origins. Bad input never takes the process down: every handler answers errors as
 * OpenAI-style JSON. `extraRoutes` adds public routes (the e2e relay and receipts, §22); `appDir` serves a
 * static page at `/app/` (the light client, see ./app-directory-route.ts). A page served from this origin may use
 * the non-control endpoints without being listed in the CORS origins (the guard's same-origin rule). With
 * `telegramInitData` the paths that spend need a Telegram Mini App user's init data (./telegram-auth/).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CocoonError, HttpRequestGuard, isControlPath, requireJsonContentType } from '@cocoon/protocol';
import type { HttpAccessOptions, MetricsEndpoint } from '@cocoon/protocol';
import type { ClientStatsSource, InferenceGateway, InferencePath } from './inference-gateway.ts';
import { DEFAULT_INFERENCE_SETTINGS } from './inference-request-parser.ts';
import { runInferenceExchange } from './inference-exchange.ts';
import type { ReceiverKeyPolicy } from './receiver-key-policy.ts';
import type { InferenceExchangeContext } from './inference-exchange.ts';
import type { ExchangeTimers } from './gateway-exchange.ts';
import { sendBody, sendError, sendJson } from './json-response.ts';
import { modelsListBody } from './models-list-body.ts';
import { encryptionKeysBody } from './encryption-keys-body.ts';
import type { EncryptionKeysSource } from './encryption-keys-body.ts';
import { dashboardAnswer, renderStatsPage, toJsonText } from '@cocoon/protocol';
import { handleTelegramRoute, isTelegramRoute } from './telegram/index.ts'; // Telegram tasks (summarize, translate, transcriptions)
import { HttpShutdownDrain } from './http-shutdown-drain.ts';
import { AppDirectory, handleAppRoute, isAppPath } from './app-directory-route.ts';
import type { TelegramRouteOptions } from './telegram/index.ts'; // Telegram tasks
import type { TelegramInitDataGate } from './telegram-auth/index.ts';

/** `adminToken` authorizes `/request/*`; `accessHash`, when set, also guards /stats and /jsonstats (see HttpAccessOptions). */
export interface ClientHttpServerOptions extends HttpAccessOptions {
  host: string;
  port: number;
  gateway: InferenceGateway;
  stats: ClientStatsSource;
  /** Default 8 MiB. */
  maxBodyBytes?: number;
  /** Default 60000 (§4.9). */
  bodyReadTimeoutMs?: number;
  defaults?: { maxCoefficient?: number; maxTokens?: number; timeoutSeconds?: number };
  now?: () => number;
  /** Default 10000 (§4.9: `/v1/models` 10 s). */
  modelsTimeoutMs?: number;
  /** Telegram task routes: prompt templates and limits (see ./telegram/). */
  telegram?: TelegramRouteOptions;
  /** `/request/*` operations (§8.2, e.g. the chain's charge/topup/withdraw/close): true when handled. Called only with the admin token or access hash. */
  requestRoutes?: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean>;
  /** How long `close()` lets answers in flight finish before ending them with an error (default 10000). */
  shutdownDrainMs?: number;
  /** The request timers of the gateway calls (default: the system's; tests inject their own). */
  timers?: ExchangeTimers;
  /** `GET /metrics` (Prometheus text format) when set; guarded like the stats pages, or by the admin token with `metricsRequireToken`. */
  metrics?: MetricsEndpoint;
  metricsRequireToken?: boolean;
  /** Which `receiver_public_key` encrypted requests may name (§20); without it they are refused. */
  receiverKeys?: ReceiverKeyPolicy;
  /** What `GET /v1/encryption/keys` lists (§20: the keys `receiverKeys` accepts now); without it the list is empty. */
  encryptionKeys?: EncryptionKeysSource;
  /**
   * More public routes (the e2e relay and receipts, §22): true when handled. They run after the Host and Origin
   * checks, before the built-in routes, with the edge's body limits, drain tracking and timers.
   */
  extraRoutes?: (request: IncomingMessage, response: ServerResponse, url: URL, edge: InferenceExchangeContext) => Promise<boolean>;
  /** A directory served at `/app/` (config `app_dir`: the light client); must exist. Without it `/app/` is 404. */
  appDir?: string;
  /**
   * Telegram Mini App init data required on the paths that spend (config `telegram_bot_token_file`; see
   * ./telegram-auth/): 401 without valid `X-Telegram-Init-Data`, 429 over the per-user limit. Without it: off.
   */
  telegramInitData?: TelegramInitDataGate;
}

export interface ClientHttpServer {
  port: number;
  url: string;
  /** Drains (see HttpShutdownDrain): refuses new requests, lets answers in flight finish, then ends the rest with an answer. */
  close(): Promise<void>;
}

const INFERENCE_PATHS = new Set<string>(['/v1/chat/completions', '/v1/completions']);
/** The network keys apps encrypt requests to (ours, §20). */
const ENCRYPTION_KEYS_PATH = '/v1/encryption/keys';
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** bigint totals as plain integers (strings only beyond 2^53), like every runner's /jsonstats. */
function statsJson(stats: ClientStatsSource): string {
  return toJsonText(stats.jsonStats());
}

export async function startClientHttpServer(options: ClientHttpServerOptions): Promise<ClientHttpServer> {
  const now = options.now ?? Date.now;
  const context: InferenceExchangeContext = {
    gateway: options.gateway,
    defaults: { ...DEFAULT_INFERENCE_SETTINGS, ...stripUndefined(options.defaults ?? {}) },
    bodyLimits: { maxBytes: options.maxBodyBytes ?? 8 * 1024 * 1024, timeoutMs: options.bodyReadTimeoutMs ?? 60_000 },
    now,
    track: (controller) => drain.track(controller),
    timers: options.timers,
    receiverKeys: options.receiverKeys,
  };
  const modelsTimeoutMs = options.modelsTimeoutMs ?? 10_000;
  const telegramContext = { modelsTimeoutMs, ...options.telegram, ...context }; // Telegram tasks
  const guard = new HttpRequestGuard({ bindHost: options.host, ...options });
  const app = options.appDir ? await AppDirectory.open(options.appDir) : undefined;

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const path = url.pathname;
    guard.screen(request.headers, path); // 421 for a foreign Host, 403 for a foreign Origin (own origin accepted off /request/*)
    const cors = guard.corsHeaders(request.headers, path);
    for (const name in cors) response.setHeader(name, cors[name]!);
    if (method === 'OPTIONS') {
      response.writeHead(204, guard.preflightHeaders(request.headers, path));
      response.end();
      return;
    }
    if (isControlPath(path)) {
      guard.requireAdmin(request.headers, url); // 401 before any handler runs
      if (options.requestRoutes && (await options.requestRoutes(request, response, url))) return;
      throw new CocoonError('CCN_ERR_HTTP_NOT_FOUND', `no such endpoint: ${path.slice(0, 200)}`);
    }
    if (options.telegramInitData?.guards(path)) options.telegramInitData.admit(request.headers); // 401 / 429 before anything is spent
    if (options.extraRoutes && (await options.extraRoutes(request, response, url, context))) return;
    if (app && isAppPath(path)) return handleAppRoute(app, request, response, url); // public: the page holds no data
    // Telegram tasks: /v1/summarize, /v1/translate, /v1/audio/transcriptions (see ./telegram/).
    if (isTelegramRoute(path) && (await handleTelegramRoute(request, response, telegramContext))) return;
    const dashboard = dashboardAnswer(method, path, 'client', 'COCOON client'); // public page and script; their data is /jsonstats (guarded below)
    if (dashboard) return sendBody(response, dashboard.status, dashboard.headers['content-type']!, dashboard.body, dashboard.headers);
    const allowed = INFERENCE_PATHS.has(path) ? 'POST' : path === '/v1/models' || path === ENCRYPTION_KEYS_PATH || path === '/stats' || path === '/jsonstats' || (path === '/metrics' && options.metrics) ? 'GET' : undefined;
    if (allowed === undefined) throw new CocoonError('CCN_ERR_HTTP_NOT_FOUND', `no such endpoint: ${path.slice(0, 200)}`);
    if (method !== allowed && !(allowed === 'GET' && method === 'HEAD')) {
      request.resume();
      sendError(response, new CocoonError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', `${path} accepts ${allowed} only`), { allow: `${allowed}, OPTIONS` });
      return;
    }
    if (allowed === 'POST') {
      requireJsonContentType(request.headers); // 415: a browser sends other types without a preflight
      return runInferenceExchange(request, response, path as InferencePath, context);
    }
    if (path === '/v1/models') {
      const models = await options.gateway.listModels(AbortSignal.timeout(modelsTimeoutMs));
      sendJson(response, 200, modelsListBody(models));
      return;
    }
    if (path === ENCRYPTION_KEYS_PATH) { // public like /v1/models: the keys are on the root for anyone to read
      sendJson(response, 200, options.encryptionKeys ? encryptionKeysBody(options.encryptionKeys, Math.floor(now() / 1000)) : { object: 'list', data: [] });
      return;
    }
    if (path === '/metrics' && options.metrics) {
      guard.requireMetricsAccess(request.headers, url, options.metricsRequireToken ?? false);
      sendBody(response, 200, options.metrics.contentType, await options.metrics.text());
      return;
    }
    guard.requireStatsAccess(request.headers, url);
    if (path === '/jsonstats') sendBody(response, 200, 'application/json; charset=utf-8', statsJson(options.stats));
    else sendBody(response, 200, 'text/html; charset=utf-8', renderStatsPage(JSON.parse(statsJson(options.stats)) as Record<string, unknown>, 'COCOON client'));
  };

  const server = createServer({ keepAlive: true }, (request, response) => {
    request.on('error', () => undefined);
    response.on('error', () => undefined);
    if (!drain.admit(request, response)) return; // closing: answered 503
    route(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, error, request.complete ? {} : { connection: 'close' });
      else response.destroy();
    });
  });
  const drain = new HttpShutdownDrain(server, options.shutdownDrainMs);
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
    close: () => drain.close(),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as Partial<T>;
}

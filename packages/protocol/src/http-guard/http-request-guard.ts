/**
 * The doors of every runner's HTTP port, in one place (used by the stats HTTP server and the
 * client's HTTP edge): the Host check against DNS rebinding (421), the Origin check against
 * cross-site requests (403), CORS only for configured origins and never on the control
 * endpoints, the admin credential of the `/request/*` control endpoints (`Authorization: Bearer
 * <admin token>` or the reference's `?access_hash=`, compared in constant time, 401 otherwise),
 * and the media-type check of request bodies (415), so a browser cannot send a body without a
 * preflight that this guard refuses. A page the runner serves itself (same origin: the Origin is
 * `http://` + the request's Host, which passed the Host check) may use the non-control endpoints
 * without being listed; the control endpoints refuse every Origin.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { CocoonError } from '../errors/error-table.ts';

export interface HttpAccessOptions {
  /** Authorizes the control endpoints as `Authorization: Bearer <token>`; without it only `accessHash` opens them. */
  adminToken?: string;
  /** The reference's `?access_hash=`: when set, required on the stats pages too, and accepted on the control endpoints. */
  accessHash?: string;
  /** Exact origins (`http://127.0.0.1:10000`) that may use the non-control endpoints from a browser (CORS). */
  corsOrigins?: readonly string[];
  /** Host names served besides the loopback names and the bound host. */
  allowedHosts?: readonly string[];
}

export interface HttpRequestGuardOptions extends HttpAccessOptions {
  /** The address the server listens on (its name is served unless it is a wildcard address). */
  bindHost: string;
}

/** Every control endpoint lives under this prefix. */
export const CONTROL_PATH_PREFIX = '/request/';

/** Whether `pathname` is a control endpoint (`/request/<name>`). */
export function isControlPath(pathname: string): boolean {
  return pathname.startsWith(CONTROL_PATH_PREFIX);
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARD_ADDRESSES = new Set(['', '0.0.0.0', '::', '::0']);
/** Headers an allowed origin's page may read from an answer. */
const EXPOSED_HEADERS = [
  'retry-after', 'x-cocoon-client-start', 'x-cocoon-client-end', 'x-cocoon-proxy-start', 'x-cocoon-proxy-end', 'x-cocoon-worker-start', 'x-cocoon-worker-end',
  'x-cocoon-e2e', 'x-cocoon-receipt-id',
].join(', ');
/** What a preflight allows when it names no (well-formed) headers: the ones the SDK sends (a Mini App adds its Telegram init data). */
const DEFAULT_ALLOWED_HEADERS = 'accept, authorization, content-type, x-cocoon-e2e, x-telegram-init-data';
const HEADER_NAME_LIST = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*,[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+)*$/;
/** A Host header that is only a name or address and a port (no user info, path or other characters). */
const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const MAX_ECHOED_CHARS = 100;

/** A host name as compared here: lower case, IPv6 without brackets. */
export function normalizeHostName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

/** The host name of a `Host` header (`name[:port]`, `[v6][:port]`); undefined when missing or malformed. */
export function hostNameOfHeader(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const text = header.trim().toLowerCase();
  let name: string;
  let port: string | undefined;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) return undefined;
    name = text.slice(1, end);
    const rest = text.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) return undefined;
    port = rest === '' ? undefined : rest.slice(1);
  } else {
    const colon = text.indexOf(':');
    name = colon < 0 ? text : text.slice(0, colon);
    port = colon < 0 ? undefined : text.slice(colon + 1);
  }
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return undefined;
  return name === '' ? undefined : name;
}

/** Attacker-controlled text quoted in an error message: bounded and printable. */
function quoted(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return `'${printable.length > MAX_ECHOED_CHARS ? `${printable.slice(0, MAX_ECHOED_CHARS)}...` : printable}'`;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Equal digests of equal length: the comparison takes the same time wherever the texts differ. */
function sameSecret(given: string | undefined, expected: Buffer | undefined): boolean {
  if (given === undefined || expected === undefined) return false;
  return timingSafeEqual(digest(given), expected);
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export class HttpRequestGuard {
  readonly #hosts: ReadonlySet<string>;
  readonly #origins: ReadonlySet<string>;
  readonly #adminToken: Buffer | undefined;
  readonly #accessHash: Buffer | undefined;

  constructor(options: HttpRequestGuardOptions) {
    const bound = normalizeHostName(options.bindHost);
    this.#hosts = new Set([...LOOPBACK_NAMES, ...(WILDCARD_ADDRESSES.has(bound) ? [] : [bound]), ...(options.allowedHosts ?? []).map(normalizeHostName)]);
    this.#origins = new Set(options.corsOrigins ?? []);
    this.#adminToken = options.adminToken ? digest(options.adminToken) : undefined;
    this.#accessHash = options.accessHash ? digest(options.accessHash) : undefined;
  }

  /**
   * The checks every request passes first: its Host (421), then its Origin (403). With the request's
   * `pathname` a same-origin request is accepted on a non-control path; without it (or on a control
   * path) only the configured origins are. Throws a CocoonError.
   */
  screen(headers: IncomingHttpHeaders, pathname?: string): void {
    this.checkHost(headers);
    this.checkOrigin(headers, pathname);
  }

  /** 421 unless the Host header names this server (a request without one, as HTTP/1.0 allows, is refused too). */
  checkHost(headers: IncomingHttpHeaders): void {
    const name = hostNameOfHeader(headers.host);
    if (name !== undefined && this.#hosts.has(name)) return;
    const what = headers.host === undefined ? 'a request without a Host header' : `host ${quoted(headers.host)}`;
    throw new CocoonError('CCN_ERR_HTTP_MISDIRECTED', `${what} is not served here (add the name to http_allowed_hosts)`, { param: 'host' });
  }

  /**
   * 403 when the request comes from a web page whose origin is not in http_cors_origins — unless, on a
   * non-control `pathname`, the page is the runner's own (see isSameOrigin). Control paths refuse every Origin
   * that is not configured (and never answer one with CORS).
   */
  checkOrigin(headers: IncomingHttpHeaders, pathname?: string): void {
    const origin = singleHeader(headers.origin);
    if (origin === undefined || this.#origins.has(origin)) return;
    if (pathname !== undefined && !isControlPath(pathname) && isSameOrigin(headers)) return;
    throw new CocoonError('CCN_ERR_HTTP_FORBIDDEN_ORIGIN', `requests from origin ${quoted(origin)} are refused (add it to http_cors_origins)`, { param: 'origin' });
  }

  /** CORS headers of an answer: for an allowed Origin on a non-control path, none otherwise. */
  corsHeaders(headers: IncomingHttpHeaders, pathname: string): Record<string, string> {
    const origin = this.#allowedOrigin(headers, pathname);
    if (origin === undefined) return {};
    return { 'access-control-allow-origin': origin, vary: 'origin', 'access-control-expose-headers': EXPOSED_HEADERS };
  }

  /** Headers of the 204 answer to an OPTIONS preflight: allow headers only for an allowed Origin on a non-control path. */
  preflightHeaders(headers: IncomingHttpHeaders, pathname: string): Record<string, string> {
    const origin = this.#allowedOrigin(headers, pathname);
    if (origin === undefined) return {};
    const requested = singleHeader(headers['access-control-request-headers'])?.trim() ?? '';
    const allowHeaders = requested.length > 0 && requested.length <= 1000 && HEADER_NAME_LIST.test(requested) ? requested : DEFAULT_ALLOWED_HEADERS;
    return {
      'access-control-allow-origin': origin,
      vary: 'origin',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': allowHeaders,
      'access-control-max-age': '600',
    };
  }

  /** Whether the request carries the admin token (bearer) or the configured access hash. */
  hasAdminCredential(headers: IncomingHttpHeaders, url: URL): boolean {
    const bearer = BEARER.exec(singleHeader(headers.authorization) ?? '')?.[1];
    const byToken = sameSecret(bearer, this.#adminToken);
    const byHash = sameSecret(url.searchParams.get('access_hash') ?? undefined, this.#accessHash);
    return byToken || byHash;
  }

  /** 401 unless the request may use a control endpoint. */
  requireAdmin(headers: IncomingHttpHeaders, url: URL): void {
    if (this.hasAdminCredential(headers, url)) return;
    throw new CocoonError('CCN_ERR_HTTP_UNAUTHORIZED', 'control endpoints need Authorization: Bearer <admin token> (see admin_token_file) or ?access_hash=', { param: 'authorization' });
  }

  /** 401 when an access hash is configured and the request carries neither it nor the admin token (the stats pages). */
  requireStatsAccess(headers: IncomingHttpHeaders, url: URL): void {
    if (this.#accessHash === undefined || this.hasAdminCredential(headers, url)) return;
    throw new CocoonError('CCN_ERR_HTTP_UNAUTHORIZED', 'missing or wrong access_hash', { param: 'access_hash' });
  }

  /**
   * `/metrics`: like the stats pages (open unless an access hash is configured); with `requireToken`
   * (the config's metrics_require_token) 401 unless the request carries the admin token or the access hash.
   */
  requireMetricsAccess(headers: IncomingHttpHeaders, url: URL, requireToken: boolean): void {
    if (!requireToken) return this.requireStatsAccess(headers, url);
    if (this.hasAdminCredential(headers, url)) return;
    throw new CocoonError('CCN_ERR_HTTP_UNAUTHORIZED', '/metrics needs Authorization: Bearer <admin token> (metrics_require_token is set)', { param: 'authorization' });
  }

  #allowedOrigin(headers: IncomingHttpHeaders, pathname: string): string | undefined {
    const origin = singleHeader(headers.origin);
    return origin !== undefined && !isControlPath(pathname) && this.#origins.has(origin) ? origin : undefined;
  }
}

/**
 * Whether the request's Origin is the runner's own: exactly `http://` + its Host header (as a browser
 * serializes it: lower case, no default port). Only meaningful after checkHost passed: a DNS-rebinding page
 * carries its foreign name in both headers and was refused there.
 */
export function isSameOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = singleHeader(headers.origin);
  const host = headers.host;
  if (origin === undefined || host === undefined || !HOST_HEADER.test(host.trim())) return false;
  try {
    return new URL(`http://${host.trim()}`).origin === origin;
  } catch {
    return false;
  }
}

/** The media type of a Content-Type header, lower case, without parameters ('' when absent). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** 415 unless the request body is declared as `mediaType` (parameters such as charset allowed). */
export function requireMediaType(headers: IncomingHttpHeaders, mediaType: string): void {
  const given = mediaTypeOf(headers['content-type']);
  if (given === mediaType) return;
  const what = given === '' ? 'no content-type' : `content-type ${quoted(given)}`;
  throw new CocoonError('CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', `request body must be ${mediaType} (got ${what})`, { param: 'content-type' });
}

/** 415 unless the request body is declared as application/json. */
export function requireJsonContentType(headers: IncomingHttpHeaders): void {
  requireMediaType(headers, 'application/json');
}

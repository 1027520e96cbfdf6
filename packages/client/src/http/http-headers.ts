/**
 * Header rules of the HTTP edge: which request headers are forwarded to the gateway (§4.2), and
 * which answer headers from the worker reach the app (never its CORS headers: CORS is decided
 * here, per request, by the HttpRequestGuard).
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Hop-by-hop headers (RFC 9110 §7.6.1) plus the ones that describe this connection's framing. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);

/**
 * Request headers not forwarded: hop-by-hop, `host`, `authorization` (the app's API key stays
 * here), `expect`, and `accept-encoding` (the worker counts tokens in plain JSON).
 */
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'authorization', 'expect', 'accept-encoding']);

/** The request headers to hand to the gateway, lower-case names, multi-values joined. */
export function forwardableRequestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    forwarded[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return forwarded;
}

/** RFC 9110 token characters for names; field values without control characters (what node:http accepts). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

function isValidHeader(name: string, value: string): boolean {
  return HEADER_NAME.test(name) && !INVALID_HEADER_VALUE.test(value);
}

/** Unix seconds with 6 decimals, as the COCOON timing headers carry them (§4.6). */
export function cocoonTimestamp(milliseconds: number): string {
  return (milliseconds / 1000).toFixed(6);
}

/**
 * Answer headers for the app as a flat `[name, value, …]` list (what `writeHead` takes fastest;
 * building an object with these dashed keys costs ~10 µs per answer): the worker's headers minus
 * hop-by-hop, CORS (`access-control-*`, an engine's `*` must not reach the app) and invalid ones,
 * the `extra` ones, and defaults for what is still missing.
 */
export function answerResponseHeaders(workerHeaders: Record<string, string>, extra: Record<string, string>, defaults: Record<string, string>): string[] {
  const list: string[] = [];
  const present = new Set<string>();
  for (const rawName in workerHeaders) {
    const value = workerHeaders[rawName]!;
    const name = rawName.toLowerCase();
    if (HOP_BY_HOP.has(name) || name in extra || name.startsWith('access-control-') || !isValidHeader(name, value)) continue;
    list.push(name, value);
    present.add(name);
  }
  for (const name in extra) list.push(name, extra[name]!);
  for (const name in defaults) if (!present.has(name)) list.push(name, defaults[name]!);
  return list;
}


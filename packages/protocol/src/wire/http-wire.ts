/**
 * Conversions between plain HTTP messages and their TL envelopes (`http.request`,
 * `http.response`) as carried inside runQueryEx / queryAnswerEx (§4.2, §4.7).
 */
import { decodeBoxed, encodeBoxed, isTlObject } from '../tl/index.ts';
import type { HttpHeader } from '../tl/index.ts';
import { CocoonError } from '../errors/error-table.ts';

export type HeaderList = Array<[name: string, value: string]>;

export interface WireHttpRequest {
  method: string;
  url: string;
  httpVersion: string;
  headers: HeaderList;
  payload: Buffer;
}

export interface WireHttpResponse {
  httpVersion: string;
  statusCode: number;
  reason: string;
  headers: HeaderList;
  payload: Buffer;
}

const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

/** Drops length/encoding/connection headers (they are recomputed at every hop). */
export function withoutFramingHeaders(headers: HeaderList): HeaderList {
  return headers.filter(([name]) => !FRAMING_HEADERS.has(name.toLowerCase()));
}

function headersToTl(headers: HeaderList): HttpHeader[] {
  return headers.map(([name, value]) => ({ _: 'http.header', name, value }));
}

/** String(): a header the peer sent as bytes that are not UTF-8 decodes as a Buffer (see tl-reader.ts). */
function headersFromTl(headers: HttpHeader[]): HeaderList {
  return headers.map((header) => [String(header.name), String(header.value)]);
}

/** Boxed http.request with a fresh Content-Length, as the reference client sends it. */
export function encodeHttpRequest(request: WireHttpRequest): Buffer {
  const headers = withoutFramingHeaders(request.headers);
  headers.push(['Content-Length', String(request.payload.length)]);
  return encodeBoxed<'http.request'>({
    _: 'http.request',
    method: request.method,
    url: request.url,
    http_version: request.httpVersion,
    headers: headersToTl(headers),
    payload: request.payload,
  });
}

export function decodeHttpRequest(data: Buffer): WireHttpRequest {
  const value = decodeBoxed(data);
  if (!isTlObject(value, 'http.request')) throw new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `expected http.request, got ${value._}`);
  return {
    method: value.method,
    url: value.url,
    httpVersion: value.http_version,
    headers: headersFromTl(value.headers),
    payload: value.payload,
  };
}

export function encodeHttpResponse(response: WireHttpResponse): Buffer {
  return encodeBoxed<'http.response'>({
    _: 'http.response',
    http_version: response.httpVersion,
    status_code: response.statusCode,
    reason: response.reason,
    headers: headersToTl(response.headers),
    payload: response.payload,
  });
}

export function decodeHttpResponse(data: Buffer): WireHttpResponse {
  const value = decodeBoxed(data);
  if (!isTlObject(value, 'http.response')) throw new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `expected http.response, got ${value._}`);
  return {
    httpVersion: value.http_version,
    statusCode: value.status_code,
    reason: value.reason,
    headers: headersFromTl(value.headers),
    payload: value.payload,
  };
}

/** Unix seconds with 6 decimals, as in the reference X-Cocoon-*-Start/End headers. */
export function unixSecondsHeader(milliseconds: number): string {
  return (milliseconds / 1000).toFixed(6);
}

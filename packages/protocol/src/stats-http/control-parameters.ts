/**
 * The parameters of a `/request/<name>` operator call (§8.2): the query string, plus the body where
 * one is sent — `application/x-www-form-urlencoded` as the reference's operator endpoints take it
 * (e.g. `connection_id=…&new_model_name=…`), or a flat JSON object. At most 16 KiB; another media
 * type is 415, a body without a Content-Type is ignored, a malformed body 400, a parameter given twice 400.
 */
import type { IncomingMessage } from 'node:http';
import { CocoonError } from '../errors/error-table.ts';
import { mediaTypeOf } from '../http-guard/http-request-guard.ts';

export const MAX_CONTROL_BODY_BYTES = 16 * 1024;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_CONTROL_BODY_BYTES) {
    request.resume();
    throw new CocoonError('CCN_ERR_HTTP_BODY_TOO_LARGE', `request body is larger than ${MAX_CONTROL_BODY_BYTES} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CONTROL_BODY_BYTES) {
      request.resume();
      throw new CocoonError('CCN_ERR_HTTP_BODY_TOO_LARGE', `request body is larger than ${MAX_CONTROL_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function jsonParameters(body: Buffer): Array<[string, string]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new CocoonError('CCN_ERR_HTTP_BAD_JSON', 'request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'request body must be a JSON object of parameters');
  }
  return Object.entries(parsed).map(([name, value]) => {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `parameter ${name.slice(0, 100)} must be a string, number or boolean`, { param: name.slice(0, 100) });
    }
    return [name, String(value)];
  });
}

/** The query string's parameters merged with the body's (see the header). Always consumes the body. */
export async function readControlParameters(request: IncomingMessage, query: URLSearchParams): Promise<URLSearchParams> {
  const body = await readBody(request);
  const mediaType = mediaTypeOf(request.headers['content-type']);
  if (body.length === 0 || mediaType === '') return query; // an unlabelled body is ignored, as before bodies were read
  let entries: Array<[string, string]>;
  if (mediaType === 'application/x-www-form-urlencoded') entries = [...new URLSearchParams(body.toString('utf8'))];
  else if (mediaType === 'application/json') entries = jsonParameters(body);
  else {
    throw new CocoonError('CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', `request body must be application/x-www-form-urlencoded or application/json (got content-type ${mediaType.slice(0, 100)})`, { param: 'content-type' });
  }
  const merged = new URLSearchParams(query);
  for (const [name, value] of entries) {
    if (merged.has(name)) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `parameter ${name.slice(0, 100)} is given twice`, { param: name.slice(0, 100) });
    merged.append(name, value);
  }
  return merged;
}

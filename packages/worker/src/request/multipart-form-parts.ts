/**
 * The multipart/form-data reading the worker's transcription path shares (RFC 7578): the boundary of
 * a Content-Type, the parts of a body (name, whether a file, raw header block, data) and the offset of
 * the closing delimiter, and a body rebuilt from parts (the encrypted path replaces part data with the
 * decrypted bytes and drops the envelope parts). Malformed input is CCN_ERR_WORKER_INVALID_REQUEST.
 */
import { CocoonError } from '@cocoon/protocol';

export interface FormPart {
  name: string;
  isFile: boolean;
  /** The part's header lines as received (without the blank line that ends them). */
  headers: Buffer;
  data: Buffer;
}

const MAX_PARTS = 64;
const MAX_PART_HEADER_BYTES = 16 * 1024;
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

export function invalidRequest(reason: string, param?: string): CocoonError {
  return new CocoonError('CCN_ERR_WORKER_INVALID_REQUEST', `worker: invalid http request: ${reason}`, { param });
}

/** The boundary of a multipart/form-data Content-Type. */
export function boundaryOf(contentType: string | undefined): string {
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';');
  if (mediaType.trim().toLowerCase() !== 'multipart/form-data') throw invalidRequest('body must be multipart/form-data', 'content-type');
  for (const parameter of parameters) {
    const [key = '', ...rest] = parameter.split('=');
    if (key.trim().toLowerCase() !== 'boundary') continue;
    const value = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
    if (BOUNDARY.test(value)) return value;
  }
  throw invalidRequest('multipart/form-data without a valid boundary', 'content-type');
}

function partHeaders(block: string): { name: string; isFile: boolean } {
  const disposition = block.split('\r\n').find((line) => /^content-disposition\s*:/i.test(line));
  if (disposition === undefined || !/:\s*form-data\b/i.test(disposition)) throw invalidRequest('a part has no form-data Content-Disposition', 'body');
  const name = /;\s*name\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(disposition);
  const fieldName = name?.[1] ?? name?.[2];
  if (fieldName === undefined || fieldName === '') throw invalidRequest('a part has no name', 'body');
  return { name: fieldName, isFile: /;\s*filename\*?\s*=/i.test(disposition) };
}

/** Splits the body into parts; returns them with the offset of the closing delimiter. */
export function parseParts(body: Buffer, boundary: string): { parts: FormPart[]; closingOffset: number } {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const inner = Buffer.from(`\r\n--${boundary}`, 'latin1');
  let first = 0;
  if (!body.subarray(0, delimiter.length).equals(delimiter)) {
    const found = body.indexOf(inner);
    if (found < 0) throw invalidRequest('multipart body without a boundary delimiter', 'body');
    first = found + 2;
  }
  let position = first + delimiter.length;
  let delimiterStart = first;
  const parts: FormPart[] = [];
  for (;;) {
    if (body[position] === 0x2d && body[position + 1] === 0x2d) return { parts, closingOffset: delimiterStart };
    if (body[position] !== 0x0d || body[position + 1] !== 0x0a) throw invalidRequest('malformed multipart body', 'body');
    const headersEnd = body.indexOf('\r\n\r\n', position + 2, 'latin1');
    if (headersEnd < 0 || headersEnd - position > MAX_PART_HEADER_BYTES) throw invalidRequest('malformed multipart part headers', 'body');
    const dataEnd = body.indexOf(inner, headersEnd + 4);
    if (dataEnd < 0) throw invalidRequest('multipart body without a closing boundary', 'body');
    const headers = body.subarray(position + 2, headersEnd);
    parts.push({ ...partHeaders(headers.toString('utf8')), headers, data: body.subarray(headersEnd + 4, dataEnd) });
    if (parts.length > MAX_PARTS) throw invalidRequest(`more than ${MAX_PARTS} multipart parts`, 'body');
    delimiterStart = dataEnd + 2;
    position = dataEnd + inner.length;
  }
}

/** A multipart body of `parts` (headers kept as given) with `boundary`. */
export function buildMultipartBody(boundary: string, parts: readonly FormPart[]): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) pieces.push(Buffer.from(`--${boundary}\r\n`, 'latin1'), part.headers, Buffer.from('\r\n\r\n', 'latin1'), part.data, Buffer.from('\r\n', 'latin1'));
  pieces.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(pieces);
}

/**
 * A small multipart/form-data reader (RFC 7578) for transcription uploads: the boundary from the
 * Content-Type, each part's name, filename, content type and byte range. The body itself is never
 * rewritten here; `insertFormField` adds a text field before the first part.
 */
import { CocoonError } from '@cocoon/protocol';

export interface MultipartPart {
  name: string;
  filename: string | undefined;
  contentType: string | undefined;
  data: Buffer;
}

export interface MultipartForm {
  boundary: string;
  parts: MultipartPart[];
  /** Byte offset of the first delimiter line (`--boundary`). */
  firstDelimiterOffset: number;
}

const MAX_PARTS = 64;
const MAX_PART_HEADER_BYTES = 16 * 1024;
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

function malformed(message: string): CocoonError {
  return new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `malformed multipart/form-data body: ${message}`, { param: 'body' });
}

/** The boundary of a `multipart/form-data` Content-Type; throws 400 for any other type. */
export function multipartBoundary(contentType: string | undefined): string {
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';');
  if (mediaType.trim().toLowerCase() !== 'multipart/form-data') {
    throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'the request must be multipart/form-data', { param: 'content-type' });
  }
  for (const parameter of parameters) {
    const separator = parameter.indexOf('=');
    if (separator < 0 || parameter.slice(0, separator).trim().toLowerCase() !== 'boundary') continue;
    let value = parameter.slice(separator + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!BOUNDARY.test(value)) break;
    return value;
  }
  throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'multipart/form-data without a valid boundary', { param: 'content-type' });
}

/** A `key="value"` or `key=token` parameter of a header value (`filename*` is not read). */
function headerParameter(value: string, key: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${key}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(value);
  if (match === null) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
}

function parsePartHeaders(block: string): Omit<MultipartPart, 'data'> {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('bad part header line');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value;
  }
  if (disposition === undefined || !/^form-data\b/i.test(disposition)) throw malformed('a part has no form-data Content-Disposition');
  const fieldName = headerParameter(disposition, 'name');
  if (fieldName === undefined || fieldName === '') throw malformed('a part has no name');
  return { name: fieldName, filename: headerParameter(disposition, 'filename'), contentType };
}

/** Splits a multipart body into parts; throws 400 when it is not well formed. */
export function parseMultipartForm(body: Buffer, boundary: string): MultipartForm {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const innerDelimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  let position = body.subarray(0, delimiter.length).equals(delimiter) ? 0 : body.indexOf(innerDelimiter);
  if (position < 0) throw malformed('no boundary delimiter');
  const firstDelimiterOffset = position === 0 ? 0 : position + 2;
  position = firstDelimiterOffset + delimiter.length;
  const parts: MultipartPart[] = [];
  for (;;) {
    if (body[position] === 0x2d && body[position + 1] === 0x2d) return { boundary, parts, firstDelimiterOffset };
    while (body[position] === 0x20 || body[position] === 0x09) position++;
    if (body[position] !== 0x0d || body[position + 1] !== 0x0a) throw malformed('delimiter line not ended by CRLF');
    position += 2;
    const headersEnd = body.indexOf('\r\n\r\n', position, 'latin1');
    if (headersEnd < 0 || headersEnd - position > MAX_PART_HEADER_BYTES) throw malformed('part headers not terminated');
    const headers = parsePartHeaders(body.subarray(position, headersEnd).toString('utf8'));
    const dataStart = headersEnd + 4;
    const dataEnd = body.indexOf(innerDelimiter, dataStart);
    if (dataEnd < 0) throw malformed('no closing boundary');
    parts.push({ ...headers, data: body.subarray(dataStart, dataEnd) });
    if (parts.length > MAX_PARTS) throw malformed(`more than ${MAX_PARTS} parts`);
    position = dataEnd + innerDelimiter.length;
  }
}

/** The body with a text field inserted before the first part (everything else byte for byte). */
export function insertFormField(body: Buffer, form: MultipartForm, name: string, value: string): Buffer {
  const field = Buffer.from(`--${form.boundary}\r\nContent-Disposition: form-data; name="${name.replace(/["\\\r\n]/g, '')}"\r\n\r\n${value}\r\n`, 'utf8');
  return Buffer.concat([body.subarray(0, form.firstDelimiterOffset), field, body.subarray(form.firstDelimiterOffset)]);
}

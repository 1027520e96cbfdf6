/**
 * Validates an OpenAI audio transcription request before the worker forwards it to its engine
 * (e.g. vLLM serving Whisper): exact path, POST, a well-formed multipart/form-data body with one
 * non-empty `file` part and allow-listed text fields, the worker's model, and `response_format`
 * json only — its `usage` is what the worker bills. Streaming requests get
 * `stream_include_usage=true` added so the SSE answer carries usage too. The body is otherwise
 * forwarded byte for byte.
 */
import { CocoonError } from '@cocoon/protocol';

export const AUDIO_TRANSCRIPTIONS_PATH = '/v1/audio/transcriptions';

export interface AudioTranscriptionInput {
  method: string;
  url: string;
  /** The request's Content-Type header. */
  contentType: string | undefined;
  body: Buffer;
  modelBaseName: string;
}

export interface ValidatedAudioTranscription {
  /** The body to forward (the input buffer itself when nothing had to change). */
  body: Buffer;
  stream: boolean;
  kind: 'transcription';
}

interface FormPart {
  name: string;
  isFile: boolean;
  data: Buffer;
}

/** A field check: whether the value is acceptable, and what is expected otherwise. */
interface FieldRule {
  accepts: (value: string) => boolean;
  expected: string;
}

const rule = (accepts: (value: string) => boolean, expected: string): FieldRule => ({ accepts, expected });
const ANY_TEXT = rule(() => true, 'text');

/** Allowed text fields; names ending in `[]` may repeat. */
const FIELD_RULES: Readonly<Record<string, FieldRule>> = {
  model: ANY_TEXT,
  language: rule((value) => value.length > 0 && value.length <= 64, '1 to 64 characters'),
  prompt: ANY_TEXT,
  response_format: rule((value) => value === 'json', "'json' (its usage is what the worker bills)"),
  temperature: rule((value) => /^\d+(\.\d+)?$/.test(value) && Number(value) <= 1, 'a number in [0, 1]'),
  'timestamp_granularities[]': rule((value) => value === 'word' || value === 'segment', "'word' or 'segment'"),
  stream: rule((value) => value === 'true' || value === 'false', "'true' or 'false'"),
  stream_include_usage: rule((value) => value === 'true', "'true' (streamed usage is what the worker bills)"),
  seed: rule((value) => /^-?\d{1,15}$/.test(value), 'an integer'),
};

const MAX_PARTS = 64;
const MAX_PART_HEADER_BYTES = 16 * 1024;
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

function invalid(reason: string, param?: string): CocoonError {
  return new CocoonError('CCN_ERR_WORKER_INVALID_REQUEST', `worker: invalid http request: ${reason}`, { param });
}

function boundaryOf(contentType: string | undefined): string {
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';');
  if (mediaType.trim().toLowerCase() !== 'multipart/form-data') throw invalid('body must be multipart/form-data', 'content-type');
  for (const parameter of parameters) {
    const [key = '', ...rest] = parameter.split('=');
    if (key.trim().toLowerCase() !== 'boundary') continue;
    const value = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
    if (BOUNDARY.test(value)) return value;
  }
  throw invalid('multipart/form-data without a valid boundary', 'content-type');
}

function partHeaders(block: string): { name: string; isFile: boolean } {
  const disposition = block.split('\r\n').find((line) => /^content-disposition\s*:/i.test(line));
  if (disposition === undefined || !/:\s*form-data\b/i.test(disposition)) throw invalid('a part has no form-data Content-Disposition', 'body');
  const name = /;\s*name\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(disposition);
  const fieldName = name?.[1] ?? name?.[2];
  if (fieldName === undefined || fieldName === '') throw invalid('a part has no name', 'body');
  return { name: fieldName, isFile: /;\s*filename\*?\s*=/i.test(disposition) };
}

/** Splits the body into parts; returns them with the offset of the closing delimiter. */
function parseParts(body: Buffer, boundary: string): { parts: FormPart[]; closingOffset: number } {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const inner = Buffer.from(`\r\n--${boundary}`, 'latin1');
  let first = 0;
  if (!body.subarray(0, delimiter.length).equals(delimiter)) {
    const found = body.indexOf(inner);
    if (found < 0) throw invalid('multipart body without a boundary delimiter', 'body');
    first = found + 2;
  }
  let position = first + delimiter.length;
  let delimiterStart = first;
  const parts: FormPart[] = [];
  for (;;) {
    if (body[position] === 0x2d && body[position + 1] === 0x2d) return { parts, closingOffset: delimiterStart };
    if (body[position] !== 0x0d || body[position + 1] !== 0x0a) throw invalid('malformed multipart body', 'body');
    const headersEnd = body.indexOf('\r\n\r\n', position + 2, 'latin1');
    if (headersEnd < 0 || headersEnd - position > MAX_PART_HEADER_BYTES) throw invalid('malformed multipart part headers', 'body');
    const dataEnd = body.indexOf(inner, headersEnd + 4);
    if (dataEnd < 0) throw invalid('multipart body without a closing boundary', 'body');
    parts.push({ ...partHeaders(body.subarray(position + 2, headersEnd).toString('utf8')), data: body.subarray(headersEnd + 4, dataEnd) });
    if (parts.length > MAX_PARTS) throw invalid(`more than ${MAX_PARTS} multipart parts`, 'body');
    delimiterStart = dataEnd + 2;
    position = dataEnd + inner.length;
  }
}

function checkParts(parts: readonly FormPart[], modelBaseName: string): Map<string, string> {
  const fields = new Map<string, string>();
  let files = 0;
  for (const part of parts) {
    if (part.name === 'file') {
      if (!part.isFile || part.data.length === 0) throw invalid("'file' must be a non-empty file part", 'file');
      files += 1;
      continue;
    }
    const fieldRule = Object.hasOwn(FIELD_RULES, part.name) ? FIELD_RULES[part.name] : undefined;
    if (fieldRule === undefined) throw invalid(`unknown option '${part.name}'`, part.name);
    if (part.isFile) throw invalid(`'${part.name}' must be a text field`, part.name);
    const value = part.data.toString('utf8');
    if (!fieldRule.accepts(value)) throw invalid(`'${part.name}' must be ${fieldRule.expected}`, part.name);
    if (fields.has(part.name) && !part.name.endsWith('[]')) throw invalid(`duplicate key '${part.name}'`, part.name);
    fields.set(part.name, value);
  }
  if (files !== 1) throw invalid(files === 0 ? "missing required option 'file'" : "duplicate key 'file'", 'file');
  if (!fields.has('model')) throw invalid("missing required option 'model'", 'model');
  if (fields.get('model') !== modelBaseName) throw invalid('model name mismatch', 'model');
  return fields;
}

/** Validates the request and returns the body to forward; throws CCN_ERR_WORKER_INVALID_REQUEST. */
export function validateAudioTranscriptionRequest(input: AudioTranscriptionInput): ValidatedAudioTranscription {
  if (input.url !== AUDIO_TRANSCRIPTIONS_PATH) throw invalid('unsupported method', 'url');
  if (input.method.toUpperCase() !== 'POST') throw invalid(`method must be POST, got ${input.method}`, 'method');
  const boundary = boundaryOf(input.contentType);
  const { parts, closingOffset } = parseParts(input.body, boundary);
  const fields = checkParts(parts, input.modelBaseName);
  const stream = fields.get('stream') === 'true';
  if (!stream || fields.has('stream_include_usage')) return { body: input.body, stream, kind: 'transcription' };
  const usagePart = Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="stream_include_usage"\r\n\r\ntrue`, 'latin1');
  // Insert the part just before the closing delimiter's CRLF: `…data` + part + `\r\n--boundary--`.
  const body = Buffer.concat([input.body.subarray(0, closingOffset - 2), usagePart, input.body.subarray(closingOffset - 2)]);
  return { body, stream, kind: 'transcription' };
}

/**
 * Validates an OpenAI audio transcription request before the worker forwards it to its engine
 * (e.g. vLLM serving Whisper): exact path, POST, a well-formed multipart/form-data body with one
 * non-empty `file` part and allow-listed text fields, the worker's model, and `response_format`
 * json only — its `usage` is what the worker bills. Streaming requests get
 * `stream_include_usage=true` added so the SSE answer carries usage too. The body is otherwise
 * forwarded byte for byte.
 */
import { boundaryOf, invalidRequest as invalid, parseParts } from './multipart-form-parts.ts';
import type { FormPart } from './multipart-form-parts.ts';

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

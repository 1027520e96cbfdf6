/**
 * Parses and checks the JSON bodies of the Telegram tasks: `POST /v1/summarize`
 * `{model?, text, max_words?, language?}` and `POST /v1/translate`
 * `{model?, text, target_language, source_language?}`. Unknown fields are refused (400 naming the
 * field); `text` longer than the limit is refused with 413.
 */
import { CocoonError, parseCheckedJson } from '@cocoon/protocol';

export const DEFAULT_MAX_TEXT_CHARS = 100_000;
export const MAX_SUMMARY_WORDS = 2000;
export const MAX_LANGUAGE_CHARS = 64;

export interface SummarizeTaskRequest {
  model: string | undefined;
  text: string;
  maxWords: number | undefined;
  language: string | undefined;
}

export interface TranslateTaskRequest {
  model: string | undefined;
  text: string;
  targetLanguage: string;
  sourceLanguage: string | undefined;
}

type Fields = Record<string, unknown>;

function invalid(param: string, message: string): CocoonError {
  return new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `'${param}' ${message}`, { param });
}

function parseFields(raw: Buffer, allowed: readonly string[]): Fields {
  const value = parseCheckedJson(raw); // depth, size and duplicate keys checked before JSON.parse
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CocoonError('CCN_ERR_HTTP_BAD_JSON', 'request body must be a JSON object');
  for (const name of Object.keys(value)) {
    if (!allowed.includes(name)) throw invalid(name, `is not a known field (allowed: ${allowed.join(', ')})`);
  }
  return value as Fields;
}

function readText(fields: Fields, maxChars: number): string {
  const text = fields['text'];
  if (typeof text !== 'string' || text.trim().length === 0) throw invalid('text', 'must be a non-empty string');
  if (text.length > maxChars) throw new CocoonError('CCN_ERR_HTTP_BODY_TOO_LARGE', `'text' is longer than ${maxChars} characters`, { param: 'text' });
  return text;
}

function readModel(fields: Fields): string | undefined {
  const model = fields['model'];
  if (model === undefined) return undefined;
  if (typeof model !== 'string' || model.length === 0) throw invalid('model', 'must be a non-empty string');
  return model;
}

function readLanguage(fields: Fields, name: string, required: boolean): string | undefined {
  const value = fields[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim().length === 0) throw invalid(name, 'must be a non-empty string');
  if (value.length > MAX_LANGUAGE_CHARS) throw invalid(name, `must be at most ${MAX_LANGUAGE_CHARS} characters`);
  return value.trim();
}

function readMaxWords(fields: Fields): number | undefined {
  const value = fields['max_words'];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_SUMMARY_WORDS) {
    throw invalid('max_words', `must be an integer from 1 to ${MAX_SUMMARY_WORDS}`);
  }
  return value;
}

export function parseSummarizeRequest(raw: Buffer, maxTextChars = DEFAULT_MAX_TEXT_CHARS): SummarizeTaskRequest {
  const fields = parseFields(raw, ['model', 'text', 'max_words', 'language']);
  return { model: readModel(fields), text: readText(fields, maxTextChars), maxWords: readMaxWords(fields), language: readLanguage(fields, 'language', false) };
}

export function parseTranslateRequest(raw: Buffer, maxTextChars = DEFAULT_MAX_TEXT_CHARS): TranslateTaskRequest {
  const fields = parseFields(raw, ['model', 'text', 'target_language', 'source_language']);
  const targetLanguage = readLanguage(fields, 'target_language', true) as string;
  return { model: readModel(fields), text: readText(fields, maxTextChars), targetLanguage, sourceLanguage: readLanguage(fields, 'source_language', false) };
}

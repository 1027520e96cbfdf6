/**
 * Reads an OpenAI `POST /v1/audio/transcriptions` multipart body as the worker forwards it
 * (audio-transcription-validator.ts has already checked its fields) into what the whisper engine
 * needs: the decoded audio (wav-pcm-decoder.ts), language, prompt, temperature, stream and whether
 * the streamed answer carries usage. `response_format` must be json (the answer's usage is what the
 * worker bills); `timestamp_granularities[]` is refused (the json answer has no timestamps).
 * Problems are CocoonErrors with a 400 code and the field they are about.
 */
import { CocoonError } from '@cocoon/protocol';
import { boundaryOf, parseParts } from '../../request/multipart-form-parts.ts';
import { decodeWavAudio } from './wav-pcm-decoder.ts';
import type { DecodedAudio } from './wav-pcm-decoder.ts';

export interface WhisperTranscriptionRequest {
  model: string | undefined;
  audio: DecodedAudio;
  language: string | undefined;
  prompt: string;
  temperature: number | undefined;
  stream: boolean;
  includeUsage: boolean;
}

const invalid = (message: string, param: string) => new CocoonError('CCN_ERR_WORKER_INVALID_REQUEST', message, { param });
const unsupported = (message: string, param: string) => new CocoonError('CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER', message, { param });
/** The language codes whisper.cpp knows (its g_lang table), plus 'auto'. */
const WHISPER_LANGUAGES = new Set('auto en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro da hu ta no th ur hr bg lt la mi ml cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk sq sw gl mr pa si km sn yo so af oc ka be tg sd gu am yi lo uz fo ht ps tk nn mt sa lb my bo tl mg as tt haw ln ha ba jw su yue'.split(' '));
const TEXT_FIELDS = new Set(['model', 'language', 'prompt', 'response_format', 'temperature', 'stream', 'stream_include_usage', 'seed']);

export function parseWhisperTranscriptionRequest(contentType: string | undefined, body: Buffer): WhisperTranscriptionRequest {
  const { parts } = parseParts(body, boundaryOf(contentType));
  const fields = new Map<string, string>();
  let file: Buffer | undefined;
  for (const part of parts) {
    if (part.name === 'file') {
      if (!part.isFile || part.data.length === 0 || file !== undefined) throw invalid("expected exactly one non-empty 'file' part", 'file');
      file = part.data;
    } else if (part.name === 'timestamp_granularities[]') {
      throw unsupported("'timestamp_granularities[]' is not supported: the json answer carries the text only", part.name);
    } else if (TEXT_FIELDS.has(part.name)) {
      if (part.isFile || fields.has(part.name)) throw invalid(`'${part.name}' must be one text field`, part.name);
      fields.set(part.name, part.data.toString('utf8'));
    } else throw invalid(`unknown option '${part.name}'`, part.name);
  }
  if (file === undefined) throw invalid("missing required option 'file'", 'file');
  const format = fields.get('response_format');
  if (format !== undefined && format !== 'json') throw unsupported(`response_format '${format}' is not supported: only 'json' (its usage is what the worker bills)`, 'response_format');
  const temperatureText = fields.get('temperature');
  const temperature = temperatureText === undefined ? undefined : Number(temperatureText);
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 1)) throw invalid("'temperature' must be a number in [0, 1]", 'temperature');
  const language = fields.get('language');
  if (language !== undefined && !WHISPER_LANGUAGES.has(language)) throw invalid(`'language' must be a language whisper knows, such as 'en' or 'de', or 'auto'; got '${language.slice(0, 16)}'`, 'language');
  return {
    model: fields.get('model'),
    audio: decodeWavAudio(file),
    language,
    prompt: fields.get('prompt') ?? '',
    temperature,
    stream: fields.get('stream') === 'true',
    includeUsage: fields.get('stream_include_usage') === 'true',
  };
}

/**
 * Worker-side checks of audio transcription requests: path, method, multipart shape, allow-listed
 * fields, model match, json-only response_format, and the streamed-usage rewrite.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIO_TRANSCRIPTIONS_PATH, validateAudioTranscriptionRequest } from '../../src/request/audio-transcription-validator.ts';
import type { AudioTranscriptionInput } from '../../src/request/audio-transcription-validator.ts';

const BOUNDARY = 'xYz-boundary';
const AUDIO = Buffer.from([0x4f, 0x67, 0x67, 0x53, 0x00, 0xff, 0x0d, 0x0a, 0x2d]);

interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
}

function form(parts: readonly Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"\r\nContent-Type: audio/ogg`;
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n\r\n`), Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

const file: Part = { name: 'file', value: AUDIO, filename: 'voice.ogg' };
const model: Part = { name: 'model', value: 'whisper-large-v3' };

function input(body: Buffer, overrides: Partial<AudioTranscriptionInput> = {}): AudioTranscriptionInput {
  return { method: 'POST', url: AUDIO_TRANSCRIPTIONS_PATH, contentType: `multipart/form-data; boundary=${BOUNDARY}`, body, modelBaseName: 'whisper-large-v3', ...overrides };
}

/** The text parts of a body, as name=value (file parts as name=<file>). */
function fieldsOf(body: Buffer): string[] {
  return body
    .toString('latin1')
    .split(`--${BOUNDARY}`)
    .slice(1, -1)
    .map((part) => {
      const name = /name="([^"]+)"/.exec(part)?.[1];
      return part.includes('filename=') ? `${name}=<file>` : `${name}=${part.slice(part.indexOf('\r\n\r\n') + 4, -2)}`;
    });
}

describe('audio transcription validator', () => {
  test('a valid request is forwarded as the same buffer', () => {
    const body = form([file, model, { name: 'language', value: 'en' }, { name: 'response_format', value: 'json' }, { name: 'temperature', value: '0.2' }, { name: 'timestamp_granularities[]', value: 'word' }, { name: 'timestamp_granularities[]', value: 'segment' }]);
    const validated = validateAudioTranscriptionRequest(input(body, { method: 'post' }));
    assert.equal(validated.body, body);
    assert.equal(validated.stream, false);
    assert.equal(validated.kind, 'transcription');
  });

  test('streaming requests get stream_include_usage=true before the closing delimiter', () => {
    const body = form([model, file, { name: 'stream', value: 'true' }]);
    const validated = validateAudioTranscriptionRequest(input(body));
    assert.equal(validated.stream, true);
    assert.deepEqual(fieldsOf(validated.body), ['model=whisper-large-v3', 'file=<file>', 'stream=true', 'stream_include_usage=true']);
    assert.ok(validated.body.toString('latin1').endsWith(`\r\n--${BOUNDARY}--\r\n`));
    assert.ok(validated.body.includes(AUDIO));
    // Validating the rewritten body again changes nothing.
    assert.equal(validateAudioTranscriptionRequest(input(validated.body)).body, validated.body);
    const already = form([model, file, { name: 'stream', value: 'true' }, { name: 'stream_include_usage', value: 'true' }]);
    assert.equal(validateAudioTranscriptionRequest(input(already)).body, already);
  });

  const refused: Array<[string, AudioTranscriptionInput, string, RegExp]> = [
    ['another path', input(form([file, model]), { url: '/v1/audio/translations' }), 'url', /unsupported method/],
    ['GET', input(form([file, model]), { method: 'GET' }), 'method', /must be POST/],
    ['a JSON content type', input(Buffer.from('{}'), { contentType: 'application/json' }), 'content-type', /multipart\/form-data/],
    ['no boundary', input(form([file, model]), { contentType: 'multipart/form-data' }), 'content-type', /boundary/],
    ['a body without delimiter', input(Buffer.from('junk')), 'body', /boundary delimiter/],
    ['an unterminated body', input(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper`)), 'body', /closing boundary/],
    ['a part without a name', input(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${BOUNDARY}--`)), 'body', /no name/],
    ['no file', input(form([model])), 'file', /missing required option 'file'/],
    ['two files', input(form([file, file, model])), 'file', /duplicate key 'file'/],
    ['an empty file', input(form([{ ...file, value: '' }, model])), 'file', /non-empty file/],
    ['no model', input(form([file])), 'model', /missing required option 'model'/],
    ['another model', input(form([file, { name: 'model', value: 'Qwen3-8B' }])), 'model', /model name mismatch/],
    ['two models', input(form([file, model, model])), 'model', /duplicate key 'model'/],
    ['an unknown field', input(form([file, model, { name: 'tools', value: '[]' }])), 'tools', /unknown option 'tools'/],
    ['a text response_format', input(form([file, model, { name: 'response_format', value: 'srt' }])), 'response_format', /must be 'json'/],
    ['a temperature above 1', input(form([file, model, { name: 'temperature', value: '1.5' }])), 'temperature', /\[0, 1\]/],
    ['stream_include_usage=false', input(form([file, model, { name: 'stream', value: 'true' }, { name: 'stream_include_usage', value: 'false' }])), 'stream_include_usage', /must be 'true'/],
    ['a file given as a text field', input(form([file, model, { name: 'prompt', value: 'x', filename: 'p.txt' }])), 'prompt', /text field/],
  ];
  for (const [label, request, param, message] of refused) {
    test(`refuses ${label}`, () => {
      assert.throws(() => validateAudioTranscriptionRequest(request), (error: unknown) => {
        const failure = error as { code: string; param: string; message: string };
        assert.equal(failure.code, 'CCN_ERR_WORKER_INVALID_REQUEST');
        assert.equal(failure.param, param);
        assert.match(failure.message, /^worker: invalid http request: /);
        assert.match(failure.message, message);
        return true;
      });
    });
  }
});

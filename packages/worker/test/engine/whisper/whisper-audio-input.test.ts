/**
 * The whisper engine's input side without the native part: WAV decoding (16 kHz, s16 or f32, mono
 * or stereo, extensible, streaming-writer sizes), the clear 400s for other containers, encodings
 * and rates, the multipart form reading, and the billing arithmetic (50 audio tokens per second).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isCocoonError } from '@cocoon/protocol';
import { audioTokens, decodeWavAudio, encodeWavAudio, parseWhisperTranscriptionRequest, textTokens, transcriptionUsage } from '../../../src/engine/whisper/index.ts';
import { toneSamples, transcriptionForm } from './tiny-whisper-model.ts';

function wav(options: { format?: number; channels?: number; rate?: number; bits?: number; data: Buffer; dataSize?: number; extensible?: boolean }): Buffer {
  const channels = options.channels ?? 1;
  const bits = options.bits ?? 16;
  const fmt = Buffer.alloc(options.extensible ? 40 : 16);
  fmt.writeUInt16LE(options.extensible ? 0xfffe : options.format ?? 1, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(options.rate ?? 16_000, 4);
  fmt.writeUInt32LE((options.rate ?? 16_000) * channels * (bits / 8), 8);
  fmt.writeUInt16LE(channels * (bits / 8), 12);
  fmt.writeUInt16LE(bits, 14);
  if (options.extensible) fmt.writeUInt16LE(options.format ?? 1, 24);
  const chunk = (id: string, body: Buffer, size = body.length) => {
    const header = Buffer.alloc(8);
    header.write(id, 0, 'latin1');
    header.writeUInt32LE(size, 4);
    return Buffer.concat([header, body]);
  };
  const inner = Buffer.concat([Buffer.from('WAVE'), chunk('fmt ', fmt), chunk('LIST', Buffer.from('odd')), Buffer.alloc(1), chunk('data', options.data, options.dataSize)]);
  return Buffer.concat([Buffer.from('RIFF'), Buffer.from(Uint32Array.of(inner.length).buffer), inner]);
}

const codeOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    assert.ok(isCocoonError(error), String(error));
    return `${error.code} ${error.message}`;
  }
  return 'no error';
};

describe('WAV decoding', () => {
  test('16-bit mono round-trips; the duration is samples / 16000', () => {
    const samples = toneSamples(0.5);
    const decoded = decodeWavAudio(encodeWavAudio(samples));
    assert.deepEqual(decoded.samples, samples);
    assert.equal(decoded.seconds, 0.5);
    assert.equal(decoded.channels, 1);
  });

  test('stereo is averaged, float32 is scaled and clipped, extensible PCM and a 0 / 0xFFFFFFFF data size (streaming writers) are read', () => {
    const stereo = Buffer.alloc(8);
    stereo.writeInt16LE(1000, 0); stereo.writeInt16LE(3000, 2); stereo.writeInt16LE(-2000, 4); stereo.writeInt16LE(-4000, 6);
    assert.deepEqual([...decodeWavAudio(wav({ channels: 2, data: stereo })).samples], [2000, -3000]);
    const float = Buffer.alloc(12);
    float.writeFloatLE(0.5, 0); float.writeFloatLE(-1, 4); float.writeFloatLE(3, 8);
    assert.deepEqual([...decodeWavAudio(wav({ format: 3, bits: 32, data: float })).samples], [16384, -32767, 32767]);
    const pcm = Buffer.from(Int16Array.of(7, -7, 9).buffer);
    assert.deepEqual([...decodeWavAudio(wav({ extensible: true, data: pcm })).samples], [7, -7, 9]);
    assert.deepEqual([...decodeWavAudio(wav({ data: pcm, dataSize: 0 })).samples], [7, -7, 9]);
    assert.deepEqual([...decodeWavAudio(wav({ data: pcm, dataSize: 0xffffffff })).samples], [7, -7, 9]);
  });

  test('other containers, encodings, rates and channel counts: 400 ENGINE_UNSUPPORTED_PARAMETER naming what came and how to convert', () => {
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.concat([Buffer.from('OggS'), Buffer.alloc(40)]), /OGG file \(Opus\/Vorbis/],
      [Buffer.concat([Buffer.from('ID3'), Buffer.alloc(40)]), /MP3 file/],
      [Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(40)]), /FLAC file/],
      [Buffer.concat([Buffer.alloc(4), Buffer.from('ftypM4A '), Buffer.alloc(40)]), /MP4\/M4A file/],
      [Buffer.from('plain text, not audio at all'), /not a WAV file/],
      [wav({ rate: 44_100, data: Buffer.alloc(4) }), /a 44100 Hz WAV/],
      [wav({ bits: 8, data: Buffer.alloc(4) }), /8-bit PCM WAV/],
      [wav({ channels: 3, data: Buffer.alloc(6) }), /3 channels/],
      [wav({ format: 7, bits: 16, data: Buffer.alloc(4) }), /WAV encoding 7/],
    ];
    for (const [bytes, reason] of cases) {
      const failure = codeOf(() => decodeWavAudio(bytes));
      assert.match(failure, /^CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER /);
      assert.match(failure, reason);
      assert.match(failure, /ffmpeg -i INPUT -ar 16000 -ac 1 -c:a pcm_s16le OUTPUT\.wav/);
    }
  });

  test('a broken WAV: 400 WORKER_INVALID_REQUEST', () => {
    const good = encodeWavAudio(toneSamples(0.01));
    const noData = good.subarray(0, 36);
    assert.match(codeOf(() => decodeWavAudio(noData)), /^CCN_ERR_WORKER_INVALID_REQUEST .*no 'data' chunk/);
    const cut = Buffer.from(good.subarray(0, 30));
    assert.match(codeOf(() => decodeWavAudio(cut)), /^CCN_ERR_WORKER_INVALID_REQUEST .*runs past the end/);
    assert.match(codeOf(() => decodeWavAudio(wav({ data: Buffer.alloc(0) }))), /no audio samples/);
  });
});

describe('transcription form and billing', () => {
  const audio = encodeWavAudio(toneSamples(2));

  test('fields are read; response_format other than json, timestamps, a bad language, temperature or a second file are 400s', () => {
    const { body, contentType } = transcriptionForm(audio, { model: 'whisper-tiny', language: 'de', prompt: 'Cocoon', temperature: '0.2', stream: 'true', stream_include_usage: 'true' });
    const parsed = parseWhisperTranscriptionRequest(contentType, body);
    assert.equal(parsed.model, 'whisper-tiny');
    assert.equal(parsed.language, 'de');
    assert.equal(parsed.prompt, 'Cocoon');
    assert.equal(parsed.temperature, 0.2);
    assert.equal(parsed.stream, true);
    assert.equal(parsed.includeUsage, true);
    assert.equal(parsed.audio.samples.length, 32_000);
    const failures: Array<[Record<string, string>, RegExp]> = [
      [{ response_format: 'verbose_json' }, /^CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER .*only 'json'/],
      [{ 'timestamp_granularities[]': 'word' }, /^CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER .*timestamp_granularities/],
      [{ language: 'klingon' }, /^CCN_ERR_WORKER_INVALID_REQUEST .*'language'/],
      [{ temperature: '7' }, /^CCN_ERR_WORKER_INVALID_REQUEST .*'temperature'/],
      [{ colour: 'blue' }, /unknown option 'colour'/],
    ];
    for (const [fields, reason] of failures) {
      const form = transcriptionForm(audio, fields);
      assert.match(codeOf(() => parseWhisperTranscriptionRequest(form.contentType, form.body)), reason);
    }
    const twice = transcriptionForm(audio, {});
    const doubled = Buffer.concat([twice.body.subarray(0, twice.body.length - '--cocoon-test-boundary--\r\n'.length), transcriptionForm(audio).body]);
    assert.match(codeOf(() => parseWhisperTranscriptionRequest(twice.contentType, doubled)), /exactly one non-empty 'file'/);
    assert.match(codeOf(() => parseWhisperTranscriptionRequest('application/json', Buffer.from('{}'))), /multipart\/form-data/);
  });

  test('usage: 50 audio tokens per second (rounded up), text tokens = UTF-8 bytes / 4 (rounded up)', () => {
    assert.equal(audioTokens(16_000), 50);
    assert.equal(audioTokens(16_001), 51);
    assert.equal(audioTokens(320), 1);
    assert.equal(audioTokens(0), 0);
    assert.equal(textTokens(''), 0);
    assert.equal(textTokens('hello'), 2);
    assert.equal(textTokens('привет'), 3, '12 UTF-8 bytes');
    assert.deepEqual(transcriptionUsage(32_000, 'Cocoon', 'hello world'), {
      type: 'tokens', input_tokens: 102, input_token_details: { audio_tokens: 100, text_tokens: 2 }, output_tokens: 3, total_tokens: 105,
    });
  });
});

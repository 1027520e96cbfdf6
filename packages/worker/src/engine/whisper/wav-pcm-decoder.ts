/**
 * Decodes an uploaded audio file into what whisper.cpp consumes: 16 kHz mono signed 16-bit PCM.
 * Accepted: RIFF/WAVE at exactly 16 000 Hz, 16-bit integer PCM or 32-bit float, 1 or 2 channels
 * (stereo is averaged to mono), also as WAVE_FORMAT_EXTENSIBLE. Everything else is refused with a
 * clear 400 that names what was sent and how to convert it: other containers (OGG/Opus as Telegram
 * voice notes are, MP3, FLAC, WebM, MP4/M4A) and other WAV encodings or sample rates get
 * CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER; a broken WAV gets CCN_ERR_WORKER_INVALID_REQUEST.
 */
import { CocoonError } from '@cocoon/protocol';

export const WHISPER_SAMPLE_RATE = 16_000;
export const CONVERT_HINT = 'convert with: ffmpeg -i INPUT -ar 16000 -ac 1 -c:a pcm_s16le OUTPUT.wav';
const ACCEPTED = 'WAV, 16 kHz, 16-bit PCM or 32-bit float, mono or stereo';

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

export interface DecodedAudio {
  /** Mono 16 kHz samples. */
  samples: Int16Array;
  sampleRate: number;
  /** Channels in the file (before the downmix). */
  channels: number;
  seconds: number;
}

const unsupported = (what: string) =>
  new CocoonError('CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER', `unsupported audio: ${what}; the embedded whisper.cpp engine reads ${ACCEPTED} (${CONVERT_HINT})`, { param: 'file' });
const malformed = (what: string) => new CocoonError('CCN_ERR_WORKER_INVALID_REQUEST', `malformed WAV file: ${what}`, { param: 'file' });

/** The container a non-WAV upload looks like, from its first bytes. */
export function sniffAudioContainer(bytes: Buffer): string | undefined {
  const ascii = (start: number, end: number) => bytes.toString('latin1', start, end);
  if (ascii(0, 4) === 'OggS') return 'an OGG file (Opus/Vorbis, e.g. a Telegram voice note)';
  if (ascii(0, 4) === 'fLaC') return 'a FLAC file';
  if (ascii(0, 3) === 'ID3' || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return 'an MP3 file';
  if (bytes.readUInt32BE(0) === 0x1a45dfa3) return 'a WebM/Matroska file';
  if (bytes.length >= 8 && ascii(4, 8) === 'ftyp') return 'an MP4/M4A file';
  return undefined;
}

interface WavFormat {
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

function readFormat(chunk: Buffer): WavFormat {
  if (chunk.length < 16) throw malformed('fmt chunk shorter than 16 bytes');
  let format = chunk.readUInt16LE(0);
  if (format === FORMAT_EXTENSIBLE) {
    if (chunk.length < 40) throw malformed('WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes');
    format = chunk.readUInt16LE(24); // first two bytes of the sub-format GUID
  }
  return { format, channels: chunk.readUInt16LE(2), sampleRate: chunk.readUInt32LE(4), blockAlign: chunk.readUInt16LE(12), bitsPerSample: chunk.readUInt16LE(14) };
}

function checkFormat(format: WavFormat): void {
  const encoding = format.format === FORMAT_PCM ? `${format.bitsPerSample}-bit PCM` : format.format === FORMAT_FLOAT ? `${format.bitsPerSample}-bit float` : `WAV encoding ${format.format}`;
  const supported = (format.format === FORMAT_PCM && format.bitsPerSample === 16) || (format.format === FORMAT_FLOAT && format.bitsPerSample === 32);
  if (!supported) throw unsupported(`${encoding} WAV`);
  if (format.channels !== 1 && format.channels !== 2) throw unsupported(`a WAV with ${format.channels} channels`);
  if (format.sampleRate !== WHISPER_SAMPLE_RATE) throw unsupported(`a ${format.sampleRate} Hz WAV`);
  if (format.blockAlign !== (format.bitsPerSample / 8) * format.channels) throw malformed(`block align ${format.blockAlign} does not fit ${format.channels} × ${format.bitsPerSample} bits`);
}

function toMono(data: Buffer, format: WavFormat): Int16Array {
  const frames = Math.floor(data.length / format.blockAlign);
  const samples = new Int16Array(frames);
  const bytesPerSample = format.bitsPerSample / 8;
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < format.channels; channel++) {
      const offset = frame * format.blockAlign + channel * bytesPerSample;
      sum += format.format === FORMAT_PCM ? data.readInt16LE(offset) : Math.max(-1, Math.min(1, data.readFloatLE(offset) || 0)) * 32767;
    }
    samples[frame] = Math.round(sum / format.channels);
  }
  return samples;
}

/** Decodes a WAV upload; throws CocoonError (400) for anything else. */
export function decodeWavAudio(bytes: Buffer): DecodedAudio {
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE') {
    const container = bytes.length >= 4 ? sniffAudioContainer(bytes) : undefined;
    throw container !== undefined ? unsupported(container) : unsupported('not a WAV file (no RIFF/WAVE header)');
  }
  let format: WavFormat | undefined;
  let data: Buffer | undefined;
  for (let offset = 12; offset + 8 <= bytes.length && data === undefined;) {
    const id = bytes.toString('latin1', offset, offset + 4);
    const declared = bytes.readUInt32LE(offset + 4);
    const start = offset + 8;
    // Streaming writers leave the data size at 0 or 0xFFFFFFFF: the data then runs to the end of the file.
    const end = id === 'data' && (declared === 0 || start + declared > bytes.length) ? bytes.length : start + declared;
    if (end > bytes.length) throw malformed(`chunk '${id}' runs past the end of the file`);
    if (id === 'fmt ') format = readFormat(bytes.subarray(start, end));
    else if (id === 'data') {
      if (format === undefined) throw malformed("the 'data' chunk comes before the 'fmt ' chunk");
      data = bytes.subarray(start, end);
    }
    offset = end + (declared % 2); // chunks are padded to an even size
  }
  if (format === undefined) throw malformed("no 'fmt ' chunk");
  checkFormat(format);
  if (data === undefined) throw malformed("no 'data' chunk");
  const samples = toMono(data, format);
  if (samples.length === 0) throw malformed('no audio samples');
  return { samples, sampleRate: format.sampleRate, channels: format.channels, seconds: samples.length / WHISPER_SAMPLE_RATE };
}

/** A 16 kHz mono 16-bit PCM WAV file of `samples` (tests, and the inverse of decodeWavAudio). */
export function encodeWavAudio(samples: Int16Array, sampleRate = WHISPER_SAMPLE_RATE): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + samples.length * 2, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(FORMAT_PCM, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(samples.length * 2, 40);
  return Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)]);
}

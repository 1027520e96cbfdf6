/**
 * The native part of the embedded speech-to-text engine: whisper.cpp through @fugood/whisper.node
 * (prebuilt binaries, nothing compiled or downloaded). Loads a ggml model after checking its header
 * (whisper-model-header.ts), then transcribes 16 kHz mono PCM. The binding never settles a job's
 * promise when the native side fails or is stopped, so every job here races the caller's signal
 * (the request deadline): an aborted job is stopped and rejected instead of hanging. The
 * WhisperRuntime interface is what the engine uses, so tests can put a double behind it.
 */
import { CocoonError } from '@cocoon/protocol';
import type { Logger } from '@cocoon/protocol';
import { readWhisperModelHeader } from './whisper-model-header.ts';
import type { WhisperModelHeader } from './whisper-model-header.ts';

export interface WhisperTranscribeOptions {
  /** ISO 639-1 code; default 'auto' on multilingual models, 'en' on English-only ones. */
  language?: string;
  /** Text that conditions the decoder (OpenAI `prompt`). */
  prompt?: string;
  temperature?: number;
  /** Called with the text of each batch of newly decoded segments (streaming). */
  onSegments?: (texts: string[]) => void;
}

export interface WhisperSegment {
  text: string;
  /** Start and end, milliseconds. */
  startMs: number;
  endMs: number;
}

export interface WhisperTranscript {
  text: string;
  segments: WhisperSegment[];
  language: string | undefined;
}

export interface WhisperRuntime {
  /** Transcribes mono 16 kHz samples; rejects with the signal's reason when it aborts. */
  transcribe(samples: Int16Array, options: WhisperTranscribeOptions, signal: AbortSignal): Promise<WhisperTranscript>;
  release(): Promise<void>;
  readonly info: WhisperRuntimeInfo;
}

export interface WhisperRuntimeInfo {
  gpu: 'cuda' | 'vulkan' | false;
  threads: number;
  loadMs: number;
  multilingual: boolean;
  header: WhisperModelHeader;
}

export interface WhisperRuntimeOptions {
  modelPath: string;
  /** false (default): CPU; 'cuda' / 'vulkan': the binding's GPU build of that backend. */
  gpu?: 'cuda' | 'vulkan' | false;
  threads: number;
  logger?: Logger;
}

interface NativeJob {
  stop: () => Promise<void>;
  promise: Promise<{ result: string; language?: string; segments: Array<{ text: string; t0: number; t1: number }>; isAborted: boolean }>;
}

interface NativeContext {
  transcribeData(audio: ArrayBuffer, options: Record<string, unknown>): NativeJob;
  release(): Promise<void>;
}

/**
 * The binding's native log listener (toggleNativeLog) is NOT used: with it on, a transcription
 * deadlocks (its log calls block on the main thread). whisper.cpp's own lines go to stderr.
 */
type WhisperBinding = { initWhisper(options: { filePath: string; useGpu?: boolean }, variant?: 'default' | 'cuda' | 'vulkan'): Promise<NativeContext> };

async function loadBinding(): Promise<WhisperBinding> {
  const name = '@fugood/whisper.node';
  try {
    return (await import(name)) as WhisperBinding;
  } catch (error) {
    throw new CocoonError('CCN_ERR_ENGINE_UNAVAILABLE', `whisper.cpp binding ${name} does not load here: ${(error as Error).message}`, { cause: error });
  }
}

class NativeWhisperRuntime implements WhisperRuntime {
  constructor(
    private readonly context: NativeContext,
    readonly info: WhisperRuntimeInfo,
  ) {}

  transcribe(samples: Int16Array, options: WhisperTranscribeOptions, signal: AbortSignal): Promise<WhisperTranscript> {
    signal.throwIfAborted();
    const audio = samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.byteLength) as ArrayBuffer;
    const language = options.language ?? (this.info.multilingual ? 'auto' : 'en');
    const job = this.context.transcribeData(audio, {
      language,
      maxThreads: this.info.threads,
      ...(options.prompt ? { prompt: options.prompt } : {}),
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      ...(options.onSegments ? { onNewSegments: (update: { segments: Array<{ text: string }> }) => options.onSegments?.(update.segments.map((segment) => segment.text)) } : {}),
    });
    return new Promise<WhisperTranscript>((resolve, reject) => {
      const onAbort = (): void => {
        void job.stop().catch(() => {});
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      job.promise.then(
        (result) => {
          signal.removeEventListener('abort', onAbort);
          if (result.isAborted) return reject(new CocoonError('CCN_ERR_CANCELLED', 'whisper transcription stopped'));
          resolve({
            text: result.result,
            segments: result.segments.map((segment) => ({ text: segment.text, startMs: segment.t0, endMs: segment.t1 })),
            language: result.language,
          });
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(new CocoonError('CCN_ERR_ENGINE_FAILED', `whisper.cpp transcription failed: ${(error as Error).message ?? String(error)}`, { cause: error }));
        },
      );
    });
  }

  release(): Promise<void> {
    return this.context.release();
  }
}

/** Checks and loads the model; throws CCN_ERR_CONFIG_INVALID / CCN_ERR_ENGINE_UNAVAILABLE with the reason. */
export async function loadWhisperRuntime(options: WhisperRuntimeOptions): Promise<WhisperRuntime> {
  const startedAt = performance.now();
  const header = await readWhisperModelHeader(options.modelPath);
  const binding = await loadBinding();
  const gpu = options.gpu ?? false;
  let context: NativeContext;
  try {
    context = await binding.initWhisper({ filePath: options.modelPath, useGpu: gpu !== false }, gpu === false ? 'default' : gpu);
  } catch (error) {
    throw new CocoonError('CCN_ERR_ENGINE_UNAVAILABLE', `whisper model ${options.modelPath} does not load: ${(error as Error).message} (a truncated or damaged ggml file?)`, { param: 'model_path', cause: error });
  }
  const info: WhisperRuntimeInfo = { gpu, threads: options.threads, loadMs: Math.round(performance.now() - startedAt), multilingual: header.vocabulary >= 51_865, header };
  options.logger?.info('whisper.cpp model loaded', { path: options.modelPath, ms: info.loadMs, gpu, threads: options.threads, multilingual: info.multilingual });
  return new NativeWhisperRuntime(context, info);
}

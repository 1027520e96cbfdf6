/**
 * One report request through the Linux configfs-tsm interface (kernel ≥ 6.7), shared by the TDX and
 * SEV-SNP providers: a request directory per report, `provider` checked, REPORTDATA written to
 * `inblob`, the report read from `outblob` (and `auxblob`: the SEV-SNP certificate table when the
 * host supplies one), `generation` compared to detect a concurrent writer (retried), the directory
 * always removed.
 */
import { join } from 'node:path';
import { CocoonError } from '@cocoon/protocol';
import type { TsmFileSystem } from './tsm-file-system.ts';

export interface TsmRequestOptions {
  reportRoot: string;
  maxAttempts: number;
  fileSystem: TsmFileSystem;
  requestName: () => string;
  /** Expected `provider` attribute: 'tdx_guest' or 'sev_guest'. */
  provider: string;
  /** 'TDX' or 'SEV-SNP' (messages). */
  guest: string;
  /** The tee kind to suggest for a dev network (messages). */
  simulatedKind: string;
}

export interface TsmReport {
  readonly outblob: Buffer;
  /** Read when asked for; empty when the host supplies no certificates. */
  readonly auxblob?: Buffer;
}

type AttemptResult = { kind: 'report'; report: TsmReport } | { kind: 'raced'; detail: string };

const unavailable = (message: string, cause?: unknown): CocoonError =>
  new CocoonError('CCN_ERR_ATTEST_TEE_UNAVAILABLE', message, cause === undefined ? {} : { cause });

/** Runs the request; `check` validates an outblob (it throws to refuse one). */
export async function requestTsmReport(options: TsmRequestOptions, inblob: Buffer, request: { readAuxblob?: boolean; check?: (outblob: Buffer) => void } = {}): Promise<TsmReport> {
  try {
    await options.fileSystem.assertDirectory(options.reportRoot);
  } catch (cause) {
    throw unavailable(`no configfs-tsm at ${options.reportRoot}: this machine is not a ${options.guest} guest (use tee ${options.simulatedKind} for a dev network)`, cause);
  }
  let lastRace = '';
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    const result = await attemptOnce(options, inblob, request);
    if (result.kind === 'report') return result.report;
    lastRace = result.detail;
  }
  throw unavailable(`configfs-tsm ${options.guest === 'TDX' ? 'quote' : 'report'} generation raced with another writer ${options.maxAttempts} times (${lastRace})`);
}

async function attemptOnce(options: TsmRequestOptions, inblob: Buffer, request: { readAuxblob?: boolean; check?: (outblob: Buffer) => void }): Promise<AttemptResult> {
  const { fileSystem } = options;
  const directory = join(options.reportRoot, options.requestName());
  try {
    await fileSystem.mkdir(directory);
  } catch (cause) {
    throw unavailable(`cannot create configfs-tsm request ${directory}`, cause);
  }
  const read = async (name: string): Promise<Buffer> => {
    try {
      return await fileSystem.readFile(join(directory, name));
    } catch (cause) {
      throw unavailable(`cannot read configfs-tsm ${name} in ${directory}`, cause);
    }
  };
  const generation = async (): Promise<number> => {
    const text = (await read('generation')).toString('utf8').trim();
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw unavailable(`configfs-tsm generation is not a number: '${text}'`);
    return value;
  };
  try {
    const provider = (await read('provider')).toString('utf8').trim();
    if (provider !== options.provider) {
      throw unavailable(`configfs-tsm provider is '${provider}', expected '${options.provider}' (not a ${options.guest} guest)`);
    }
    const before = await generation();
    try {
      await fileSystem.writeFile(join(directory, 'inblob'), inblob);
    } catch (cause) {
      throw unavailable(`cannot write configfs-tsm inblob in ${directory}`, cause);
    }
    const outblob = await read('outblob');
    const auxblob = request.readAuxblob ? await read('auxblob') : undefined;
    const after = await generation();
    if (after !== before + 1) return { kind: 'raced', detail: `generation ${before} → ${after}` };
    request.check?.(outblob);
    return { kind: 'report', report: auxblob === undefined ? { outblob } : { outblob, auxblob } };
  } finally {
    await fileSystem.rmdir(directory).catch(() => undefined);
  }
}

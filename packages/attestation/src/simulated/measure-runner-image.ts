/**
 * Simulated TDX measurements derived from what really runs (§7.1 analogue): MRTD measures the
 * runner code bundle, RTMR0..2 are fixed "simulated firmware/kernel/initrd" values, RTMR3 is
 * extended with `cocoon:spec.tree=<static config hash>`, optionally `cocoon:cocoon_debug`, then
 * `cocoon:tdx_inited`. MRCONFIGID / MROWNER / MROWNERCONFIG stay zero.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { CocoonError } from '@cocoon/protocol';
import { canonicalJson } from './canonical-json.ts';
import type { TdxMeasurementRegisters } from './simulated-quote-builder.ts';

const REGISTER_LENGTH = 48;
const DOMAIN = 'cocoon-simulated-tdx';

export interface RunnerImageDescription {
  /** Files of the runner code bundle (hashed with their paths relative to `codeRoot`). */
  codeFiles?: readonly string[];
  /** Base for relative paths; default: the deepest directory containing every code file. */
  codeRoot?: string;
  /** A precomputed code bundle hash (instead of codeFiles). */
  codeBundleHash?: Buffer;
  staticConfig: Record<string, unknown>;
  debug?: boolean;
}

const sha384 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha384');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const domainTagged = (label: string, data: Buffer = Buffer.alloc(0)): Buffer => sha384(Buffer.from(`${DOMAIN}:${label}\0`, 'utf8'), data);

/** TDX RTMR extension: rtmr' = SHA-384(rtmr ‖ digest), the event digest being SHA-384(event). */
export function extendRtmr(rtmr: Buffer, event: string | Buffer): Buffer {
  return sha384(rtmr, sha384(typeof event === 'string' ? Buffer.from(event, 'utf8') : event));
}

/** SHA-256 (hex) of the canonical JSON of the static config: the `spec.tree` of RTMR3. */
export function staticConfigHash(staticConfig: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(staticConfig), 'utf8').digest('hex');
}

/** The RTMR3 event texts, in extension order. */
export function rtmr3Events(staticConfig: Record<string, unknown>, debug = false): string[] {
  return [`cocoon:spec.tree=${staticConfigHash(staticConfig)}`, ...(debug ? ['cocoon:cocoon_debug'] : []), 'cocoon:tdx_inited'];
}

function commonDirectory(files: readonly string[]): string {
  const parts = files.map((file) => dirname(resolve(file)).split(sep));
  const first = parts[0] ?? [];
  let length = first.length;
  for (const other of parts) {
    let index = 0;
    while (index < length && index < other.length && other[index] === first[index]) index++;
    length = index;
  }
  return first.slice(0, length).join(sep) || sep;
}

/** SHA-256 over (relative path NUL, u64 BE length, contents) of each file, sorted by path. */
export async function computeCodeBundleHash(files: readonly string[], codeRoot?: string): Promise<Buffer> {
  if (files.length === 0) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'runner code bundle has no files', { param: 'codeFiles' });
  const root = resolve(codeRoot ?? commonDirectory(files));
  const entries = files.map((file) => ({ file: resolve(file), path: relative(root, resolve(file)).split(sep).join('/') }));
  entries.sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
  const hash = createHash('sha256');
  for (const entry of entries) {
    const contents = await readFile(entry.file);
    const length = Buffer.alloc(8);
    length.writeBigUInt64BE(BigInt(contents.length));
    hash.update(`${entry.path}\0`, 'utf8').update(length).update(contents);
  }
  return hash.digest();
}

/** Registers for a code bundle hash, static config and debug flag (no file access). */
export function simulatedMeasurements(codeBundleHash: Buffer, staticConfig: Record<string, unknown>, debug = false): TdxMeasurementRegisters {
  let rtmr3: Buffer = Buffer.alloc(REGISTER_LENGTH);
  for (const event of rtmr3Events(staticConfig, debug)) rtmr3 = extendRtmr(rtmr3, event);
  return {
    mrTd: domainTagged('mrtd runner code bundle', codeBundleHash),
    mrConfigId: Buffer.alloc(REGISTER_LENGTH),
    mrOwner: Buffer.alloc(REGISTER_LENGTH),
    mrOwnerConfig: Buffer.alloc(REGISTER_LENGTH),
    rtmr0: domainTagged('simulated firmware'),
    rtmr1: domainTagged('simulated kernel'),
    rtmr2: domainTagged('simulated initrd'),
    rtmr3,
  };
}

export async function measureRunnerImage(description: RunnerImageDescription): Promise<TdxMeasurementRegisters> {
  let bundleHash = description.codeBundleHash;
  if (!bundleHash) {
    if (!description.codeFiles) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'measureRunnerImage needs codeFiles or codeBundleHash', { param: 'codeFiles' });
    bundleHash = await computeCodeBundleHash(description.codeFiles, description.codeRoot);
  }
  return simulatedMeasurements(bundleHash, description.staticConfig, description.debug ?? false);
}

async function collectTypeScriptFiles(directory: string, into: Set<string>): Promise<void> {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await collectTypeScriptFiles(path, into);
    else if (entry.isFile() && entry.name.endsWith('.ts')) into.add(path);
  }
}

/** The .ts files under each package's `src/` (or the directory itself when it has no `src/`), sorted. */
export async function runnerCodeFiles(packageRoots: readonly string[]): Promise<string[]> {
  const files = new Set<string>();
  for (const packageRoot of packageRoots) {
    const root = resolve(packageRoot);
    const source = join(root, 'src');
    const isPackage = await stat(source).then((info) => info.isDirectory(), () => false);
    await collectTypeScriptFiles(isPackage ? source : root, files);
  }
  return [...files].sort();
}

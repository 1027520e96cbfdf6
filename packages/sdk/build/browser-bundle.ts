/**
 * The one browser bundler of COCOON (`@cocoon/sdk/build`, Node only): bundleForBrowser bundles an
 * entry (a file, or a package path such as `@cocoon/protocol/browser`) with esbuild for the browser
 * platform as one minified ES2022 module, and reports its size raw and gzipped. The global `Buffer`
 * (TL codec, @phala/dcap-qvl) is the npm `buffer` package, injected by buffer-global.ts; `global` is
 * `globalThis`. Nothing else of Node is provided: an import of a Node built-in (node:fs, crypto,
 * …) fails the build with a CocoonError naming the import, the file that makes it and the chain of
 * imports that reached that file from the entry. Used by the SDK's bundle tests (no built-ins, the
 * size budget) and by the light-client builder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildFailure, type BuildOptions, type Message, type Metafile } from 'esbuild';
import { CocoonError } from '@cocoon/protocol';

export interface BrowserBundleOptions {
  /**
   * What to bundle: a file path (absolute, or relative to the working directory; `./…`, `../…`), a
   * `file:` URL, or a package path resolved as @cocoon/sdk sees it (`@cocoon/protocol/browser`).
   */
  entry: string | URL;
  /** Default true. */
  minify?: boolean;
  /** Where to write the bundle too (its directory is created); the code is returned either way. */
  outFile?: string;
  /** Imports left out of the bundle, for the page to provide (esbuild `external`, `*` wildcards allowed). */
  external?: readonly string[];
}

export interface BrowserBundle {
  /** The bundle: one ES module. */
  code: Uint8Array;
  bytes: number;
  /** Size once gzipped (level 9), what a browser downloads from a compressing server. */
  gzipBytes: number;
  /** esbuild's metafile: every input with its size and imports (paths relative to packages/sdk). */
  metafile: Metafile;
}

/** Where esbuild resolves package entries and writes metafile paths from: this package's folder. */
const PACKAGE_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));
const BUFFER_SHIM = fileURLToPath(new URL('./buffer-global.ts', import.meta.url));
/** Errors named in a failure message; the rest are counted. */
const MAX_REPORTED_ERRORS = 5;

function optionsError(message: string): CocoonError {
  return new CocoonError('CCN_ERR_CONFIG_INVALID', `bundleForBrowser: ${message}`);
}

/** The entry as esbuild takes it: an absolute path for a file, the package path as given otherwise. */
function entryPoint(entry: string | URL): string {
  if (entry instanceof URL) {
    if (entry.protocol !== 'file:') throw optionsError(`entry ${entry.href} is not a file: URL`);
    return fileURLToPath(entry);
  }
  if (typeof entry !== 'string' || entry.trim() === '') throw optionsError('entry must be a file path, a file: URL or a package path');
  if (entry.startsWith('file:')) return fileURLToPath(entry);
  if (isAbsolute(entry) || entry.startsWith('./') || entry.startsWith('../') || entry === '.' || entry === '..') return resolve(entry);
  return entry;
}

function checkOptions(options: BrowserBundleOptions): void {
  if (typeof options !== 'object' || options === null) throw optionsError('options must be an object with an entry');
  if (options.minify !== undefined && typeof options.minify !== 'boolean') throw optionsError('minify must be a boolean');
  if (options.outFile !== undefined && (typeof options.outFile !== 'string' || options.outFile === '')) throw optionsError('outFile must be a file path');
  if (options.external !== undefined && (!Array.isArray(options.external) || !options.external.every((name) => typeof name === 'string' && name !== ''))) {
    throw optionsError('external must be a list of import paths');
  }
}

function esbuildOptions(entry: string, minify: boolean, external: readonly string[]): BuildOptions & { metafile: true; write: false } {
  return {
    entryPoints: [entry],
    absWorkingDir: PACKAGE_DIRECTORY,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify,
    legalComments: 'none',
    inject: [BUFFER_SHIM],
    define: { global: 'globalThis' },
    external: [...external],
    logLevel: 'silent',
  };
}

/** A metafile path (relative to packages/sdk) as the caller reads it: relative to the working directory. */
function displayPath(file: string): string {
  const absolute = resolve(PACKAGE_DIRECTORY, file);
  const shown = relative(process.cwd(), absolute);
  return shown.startsWith('..') ? absolute : shown;
}

const isBuiltinNote = (message: Message): boolean => message.notes.some((note) => /built into node/.test(note.text));

/**
 * The chain of imports from the entry to `file`, found in a second build that leaves every Node
 * built-in external (so it succeeds as far as built-ins go); undefined when that build fails too.
 */
async function importChains(entry: string, minify: boolean, external: readonly string[], files: readonly string[]): Promise<Map<string, string[]>> {
  const chains = new Map<string, string[]>();
  let metafile: Metafile;
  try {
    const builtins = [...builtinModules, ...builtinModules.map((name) => `${name}/*`), 'node:*'];
    metafile = (await build({ ...esbuildOptions(entry, minify, [...external, ...builtins]), minify: false })).metafile;
  } catch {
    return chains;
  }
  // Breadth first from the entry's input(s): the shortest chain to each input file.
  const output = Object.values(metafile.outputs)[0];
  const start = output?.entryPoint;
  if (start === undefined) return chains;
  const previous = new Map<string, string | undefined>([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const next of metafile.inputs[current]?.imports ?? []) {
      if (next.external || previous.has(next.path)) continue;
      previous.set(next.path, current);
      queue.push(next.path);
    }
  }
  for (const file of files) {
    if (!previous.has(file)) continue;
    const chain: string[] = [];
    for (let at: string | undefined = file; at !== undefined; at = previous.get(at)) chain.unshift(at);
    chains.set(file, chain);
  }
  return chains;
}

/** The CocoonError of a failed build: each error with its file and line, built-ins named as such, with their import chains. */
async function buildError(entry: string, minify: boolean, external: readonly string[], failure: BuildFailure): Promise<CocoonError> {
  const errors = failure.errors;
  const builtinFiles = errors.filter(isBuiltinNote).map((message) => message.location?.file).filter((file): file is string => file !== undefined);
  const chains = builtinFiles.length > 0 ? await importChains(entry, minify, external, builtinFiles) : new Map<string, string[]>();
  const lines = errors.slice(0, MAX_REPORTED_ERRORS).map((message) => {
    const where = message.location ? `${displayPath(message.location.file)}:${message.location.line}: ` : '';
    if (!isBuiltinNote(message)) return `${where}${message.text}`;
    const chain = message.location ? chains.get(message.location.file) : undefined;
    const reached = chain && chain.length > 1 ? ` (reached through ${chain.map(displayPath).join(' → ')})` : '';
    return `${where}${message.text}: a Node built-in, which a browser bundle does not have${reached}`;
  });
  if (errors.length > MAX_REPORTED_ERRORS) lines.push(`… and ${errors.length - MAX_REPORTED_ERRORS} more error(s)`);
  const what = builtinFiles.length > 0 ? 'reaches a Node built-in' : 'failed';
  return new CocoonError('CCN_ERR_INTERNAL', `browser bundle of ${entry} ${what}:\n  ${lines.join('\n  ')}`, { cause: failure });
}

const isBuildFailure = (error: unknown): error is BuildFailure =>
  error instanceof Error && Array.isArray((error as Partial<BuildFailure>).errors);

/** Bundles `entry` for browsers (see the header); rejects with a CocoonError naming what broke the build. */
export async function bundleForBrowser(options: BrowserBundleOptions): Promise<BrowserBundle> {
  checkOptions(options);
  const entry = entryPoint(options.entry);
  const minify = options.minify ?? true;
  const external = options.external ?? [];
  let result;
  try {
    result = await build(esbuildOptions(entry, minify, external));
  } catch (error) {
    if (isBuildFailure(error)) throw await buildError(entry, minify, external, error);
    throw new CocoonError('CCN_ERR_INTERNAL', `browser bundle of ${entry} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const code = result.outputFiles[0]?.contents;
  if (code === undefined) throw new CocoonError('CCN_ERR_INTERNAL', `browser bundle of ${entry}: esbuild wrote no output`);
  if (options.outFile !== undefined) {
    await mkdir(dirname(resolve(options.outFile)), { recursive: true });
    await writeFile(options.outFile, code);
  }
  return { code, bytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength, metafile: result.metafile };
}

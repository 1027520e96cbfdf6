/**
 * Builds the light client into a directory a client runner serves at /app/ (config app_dir):
 * index.html and styles.css copied from page/, app.js (page/main.ts bundled for browsers with
 * @cocoon/sdk/build: the SDK, the attestation verifier and the e2e sealing run in the page) and
 * config.json (the trust the page verifies under, validated first). Node only; files are written
 * 0644, the directory created. `cocoon dev` calls it with the dev root and `networkIsTest: true`.
 */
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CocoonError } from '@cocoon/protocol';
import { bundleForBrowser } from '@cocoon/sdk/build';
import { parseLightClientConfig, type LightClientConfig } from './light-client-config.ts';

export interface BuildLightClientOptions {
  /** Where the page goes (created if missing; files of the same names are replaced). */
  outDir: string;
  /** The page's trust configuration (validated: a bad one fails the build with CCN_ERR_CONFIG_INVALID). */
  config: LightClientConfig;
  /** Default true. */
  minify?: boolean;
}

export interface LightClientBuild {
  /** The written files' names, relative to outDir: index.html, app.js, styles.css, config.json. */
  files: string[];
  /** app.js, raw and gzipped (what a browser downloads from a compressing server). */
  jsBytes: number;
  jsGzipBytes: number;
}

const PAGE_DIRECTORY = fileURLToPath(new URL('../page/', import.meta.url));
const PAGE_ENTRY = join(PAGE_DIRECTORY, 'main.ts');
/** Copied as they are. */
const STATIC_FILES = ['index.html', 'styles.css'] as const;
const FILE_MODE = 0o644;

export async function buildLightClient(options: BuildLightClientOptions): Promise<LightClientBuild> {
  if (typeof options !== 'object' || options === null) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'buildLightClient: options must be { outDir, config }');
  if (typeof options.outDir !== 'string' || options.outDir.trim() === '') throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'buildLightClient: outDir must be a directory path', { param: 'outDir' });
  const config = parseLightClientConfig(options.config);
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const bundle = await bundleForBrowser({ entry: PAGE_ENTRY, minify: options.minify ?? true });
  const written: string[] = [];
  const write = async (name: string, content: Uint8Array | string): Promise<void> => {
    const path = join(outDir, name);
    await writeFile(path, content, { mode: FILE_MODE });
    await chmod(path, FILE_MODE); // an existing file keeps its mode through writeFile
    written.push(name);
  };
  for (const name of STATIC_FILES) {
    const path = join(outDir, name);
    await copyFile(join(PAGE_DIRECTORY, name), path);
    await chmod(path, FILE_MODE);
    written.push(name);
  }
  await write('app.js', bundle.code);
  await write('config.json', `${JSON.stringify(config, null, 2)}\n`);
  return { files: written, jsBytes: bundle.bytes, jsGzipBytes: bundle.gzipBytes };
}

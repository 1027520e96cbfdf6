/**
 * The light-client page of a dev network (issue 14): built with `buildLightClient` from
 * `@cocoon/light-client` into `<data dir>/app`, trusting the dev attestation authority's root and, when it
 * has one, its SEV-SNP ARK (the page pins them and verifies every worker's simulated quote or SEV-SNP report
 * itself, `networkIsTest: true`, so `--tee mixed` pages verify both kinds) and served
 * by the client runner at `/app/` (its `app_dir`). The page is optional: a failed build is reported
 * with its reason and the network starts without it.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { toCocoonError, type Logger } from '@cocoon/protocol';
import type { BuildLightClientOptions, LightClientBuild } from '@cocoon/light-client';

/** Where the page is served (the client runner's `app_dir` route). */
export const DEV_LIGHT_CLIENT_PATH = '/app/';

/** The builder's signature (`buildLightClient` of @cocoon/light-client). */
export type LightClientBuilder = (options: BuildLightClientOptions) => Promise<LightClientBuild>;

export type DevLightClientBuild =
  | { built: true; directory: string; jsBytes: number; jsGzipBytes: number }
  | { built: false; reason: string };

export interface DevLightClientOptions {
  /** The data directory; the page goes to `<directory>/app` (replaced at every start). */
  directory: string;
  /** The dev authority's root certificate (DER); undefined under fake_tdx, where nothing could be verified. */
  rootCertificateDer: Buffer | undefined;
  /** The dev authority's SEV-SNP ARK certificate (DER); undefined when it has no SEV-SNP chain (SEV-SNP workers are then refused by the page). */
  sevArkDer?: Buffer | undefined;
  /** The model the workers serve (full string or base name); the page's default model is its base name. */
  model?: string;
  logger: Logger;
  /** Default: `buildLightClient` from @cocoon/light-client, loaded when first needed (it pulls esbuild). */
  build?: LightClientBuilder;
}

/** The page's default model: the name apps ask for (`test/tiny-chat`), without revision and hash. */
export function devLightClientModel(model: string): string {
  return model.split('@')[0]!;
}

/** Builds the page; never throws (a failure is `{ built: false, reason }`, logged as a warning). */
export async function buildDevLightClient(options: DevLightClientOptions): Promise<DevLightClientBuild> {
  if (!options.rootCertificateDer) {
    return { built: false, reason: 'fake_tdx: the workers are not attested, so the page would refuse every one (use --tee simulated)' };
  }
  const directory = join(options.directory, 'app');
  try {
    const build = options.build ?? (await loadBuilder());
    await rm(directory, { recursive: true, force: true }); // no stale file of an older build stays served
    await mkdir(directory, { recursive: true });
    const result = await build({
      outDir: directory,
      config: {
        trust: {
          devRootDer: options.rootCertificateDer.toString('base64'),
          ...(options.sevArkDer ? { devSevArkDer: options.sevArkDer.toString('base64') } : {}),
        },
        networkIsTest: true,
        ...(options.model ? { model: devLightClientModel(options.model) } : {}),
      },
    });
    options.logger.info('light client built', { directory, js_bytes: result.jsBytes, js_gzip_bytes: result.jsGzipBytes });
    return { built: true, directory, jsBytes: result.jsBytes, jsGzipBytes: result.jsGzipBytes };
  } catch (error) {
    const reason = `building it failed: ${toCocoonError(error).message}`;
    options.logger.warn(`the light client is not served: ${reason}`);
    return { built: false, reason };
  }
}

async function loadBuilder(): Promise<LightClientBuilder> {
  return (await import('@cocoon/light-client')).buildLightClient;
}

/**
 * The page's trust configuration: `./config.json` next to the page (written by buildLightClient),
 * checked with the same validator as the builder's, and the SDK policy it gives — the root the page
 * verifies quotes under and whether dev roots are acceptable (the SDK never sends a prompt in clear).
 */
import { CocoonError } from '@cocoon/protocol/browser';
import type { CocoonPolicy } from '@cocoon/sdk';
import { parseLightClientConfig, type LightClientConfig } from '../src/light-client-config.ts';

export const PAGE_CONFIG_FILE = './config.json';

export async function loadPageConfig(fetchImpl: typeof fetch, baseUrl: string): Promise<LightClientConfig> {
  const url = new URL(PAGE_CONFIG_FILE, baseUrl);
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: { accept: 'application/json' }, cache: 'no-cache' });
  } catch (error) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `the page's ${PAGE_CONFIG_FILE} could not be loaded (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  if (!response.ok) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `the page's ${PAGE_CONFIG_FILE} could not be loaded (HTTP ${response.status})`);
  let value: unknown;
  try {
    value = await response.json();
  } catch {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `the page's ${PAGE_CONFIG_FILE} is not JSON`);
  }
  return parseLightClientConfig(value);
}

/** What the SDK verifies under: the configured root, and the root's hash allow-lists whenever the runner's listing reports them. */
export function policyOf(config: LightClientConfig): CocoonPolicy {
  return { trust: config.trust, networkIsTest: config.networkIsTest, checkHashes: true };
}

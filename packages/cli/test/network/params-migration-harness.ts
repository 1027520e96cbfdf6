/**
 * Test support for the params_version migration system test: sends an owner-only admin
 * message to the dev root contract through the dev root admin wallet and waits until the
 * root shows the expected params_version.
 */
import { Address } from '@ton/core';
import { DEV_PROXY_OWNER_ADDRESS } from '@cocoon/protocol';
import { CocoonRootContract, readRootConfig, type Chain, type RootAdminMessage, type RootConfig } from '@cocoon/ton';
import { devRunnerWallet } from '../../src/dev/dev-chain-bootstrap.ts';
import { waitFor } from './network-harness.ts';

const TON = 1_000_000_000n;

/** Sends `message` to the root from the dev admin wallet (key file `adminKeyFile`), returns once the root shows `paramsVersion`. */
export async function sendRootAdminMessage(options: {
  chain: Chain; rootAddress: string; adminKeyFile: string; message: RootAdminMessage; paramsVersion: number; timeoutMs?: number;
}): Promise<RootConfig> {
  const { chain } = options;
  const root = Address.parse(options.rootAddress);
  const admin = devRunnerWallet(chain, options.adminKeyFile, Address.parse(DEV_PROXY_OWNER_ADDRESS));
  await admin.sendMessages([{ to: root, value: TON, body: CocoonRootContract.adminBody(options.message), bounce: true }]);
  let config: RootConfig | undefined;
  await waitFor(async () => {
    config = await readRootConfig(chain, root);
    return config.params.paramsVersion >= options.paramsVersion;
  }, options.timeoutMs ?? 30_000, `root params_version ${options.paramsVersion}`);
  return config!;
}

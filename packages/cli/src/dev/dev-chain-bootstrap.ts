/**
 * Prepares the local chain of `cocoon dev`: key files for every runner (0600), a root
 * contract deployed with dev parameters (fake-TON values of §6.8, mainnet prices) by a dev
 * admin wallet, the image and model hashes the dev runners attest to registered in it (§7.3),
 * the key manager named on the root (root_change_key_manager: its machine key, image hash and
 * address), with several proxies each registered on the root (register_proxy, §1.2: "IP:worker_port
 * IP:client_port"), and every runner wallet funded from the faucet. Idempotent: on a chain that survived
 * a restart it reuses the root, adds only missing hashes, renames the key manager only when it
 * changed, registers exactly the wanted proxies (unregistering stale ones), and only tops wallets up.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { CocoonError, DEV_CLIENT_OWNER_ADDRESS, DEV_PROXY_OWNER_ADDRESS, type Logger } from '@cocoon/protocol';
import {
  CocoonRootContract, RunnerWallet, WALLET_MAX_MESSAGES, devCocoonParams, loadContractCode, loadOrCreateKeyPair, readRootConfig,
  type Chain, type ChainFaucet, type CocoonParams, type RootAdminMessage, type RootConfig,
} from '@cocoon/ton';

const TON = 1_000_000_000n;
/** Faucet top-up target per runner wallet. */
const DEV_WALLET_FUNDS = 1000n * TON;

export interface DevChainKeys {
  rootAdmin: string;
  /** Proxy 1's wallet and payment key (the names a one-proxy network always used). */
  proxyWallet: string;
  proxyKey: string;
  /** Every proxy's wallet and payment key, proxy 1 first (its own contract: one per proxy key). */
  proxyWallets: string[];
  proxyKeys: string[];
  clientWallet: string;
  workerWallets: string[];
  keyManagerWallet: string;
  /** The key manager's machine key (signs its key store and publications; named on the root). */
  keyManagerMachine: string;
}

export interface DevChainBootstrap {
  rootAddress: string;
  keys: DevChainKeys;
  /** The client's owner address on chain = its runner wallet (§3.1). */
  clientWalletAddress: string;
}

export function devChainKeys(directory: string, workers: number, proxies = 1): DevChainKeys {
  const key = (name: string) => join(directory, 'keys', `${name}.key`);
  const proxyName = (index: number) => (index === 0 ? 'proxy' : `proxy-${index + 1}`);
  return {
    rootAdmin: key('root-admin-wallet'),
    proxyWallet: key('proxy-wallet'),
    proxyKey: key('proxy-payments'),
    proxyWallets: Array.from({ length: proxies }, (_, index) => key(`${proxyName(index)}-wallet`)),
    proxyKeys: Array.from({ length: proxies }, (_, index) => key(`${proxyName(index)}-payments`)),
    clientWallet: key('client-wallet'),
    workerWallets: Array.from({ length: workers }, (_, index) => key(`worker-${index + 1}-wallet`)),
    keyManagerWallet: key('key-manager-wallet'),
    keyManagerMachine: key('key-manager-machine'),
  };
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new CocoonError('CCN_ERR_TON_TIMEOUT', `dev chain: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function fundTo(chain: Chain, faucet: ChainFaucet, address: Address, target: bigint): Promise<void> {
  const balance = (await chain.getAccount(address)).balance;
  if (balance >= target / 2n) return;
  await faucet.fund(address, target - balance);
  await waitFor(`funds at ${address.toString()}`, async () => (await chain.getAccount(address)).balance > balance);
}

/** The wallet a runner will use, for a key file and owner (same derivation as the runner). */
export function devRunnerWallet(chain: Chain, keyFile: string, ownerAddress: Address): RunnerWallet {
  return new RunnerWallet({ chain, keyPair: loadOrCreateKeyPair(keyFile), ownerAddress });
}

/** Prices and multipliers a dev root may be deployed with instead of the dev ones (tests of §5 billing). */
export type DevRootPricing = Partial<Pick<CocoonParams,
  'pricePerToken' | 'workerFeePerToken' | 'promptTokensPriceMultiplier' | 'cachedTokensPriceMultiplier'
  | 'completionTokensPriceMultiplier' | 'reasoningTokensPriceMultiplier'>>;

/** Hashes the dev root must allow (§7.3): 32-byte image hashes (hex) and full model strings. */
export interface DevAllowedHashes {
  proxyImageHashes: string[];
  workerImageHashes: string[];
  models: string[];
}

/** Adds the missing hashes to the root (admin messages, 4 per wallet external) and waits until the root lists them. */
async function registerDevHashes(chain: Chain, admin: RunnerWallet, root: CocoonRootContract, allowed: DevAllowedHashes, logger: Logger): Promise<void> {
  const missing = (config: RootConfig): RootAdminMessage[] => [
    ...allowed.proxyImageHashes.filter((hash) => !config.proxyHashes.has(hash)).map((hash): RootAdminMessage => ({ type: 'addProxyHash', hash })),
    ...allowed.workerImageHashes.filter((hash) => !config.workerHashes.has(hash)).map((hash): RootAdminMessage => ({ type: 'addWorkerHash', hash })),
    ...allowed.models.map((model) => createHash('sha256').update(model, 'utf8').digest('hex'))
      .filter((hash) => !config.modelHashes.has(hash)).map((hash): RootAdminMessage => ({ type: 'addModelHash', hash })),
  ];
  let pending = missing(await readRootConfig(chain, root.address));
  while (pending.length > 0) {
    const batch = pending.slice(0, WALLET_MAX_MESSAGES);
    logger.info('registering dev attestation hashes in the root contract', { messages: batch.map((message) => message.type) });
    await admin.sendMessages(batch.map((message) => ({ to: root.address, value: TON / 20n, body: CocoonRootContract.adminBody(message) })));
    const left = pending.length - batch.length;
    await waitFor('hash registration in the root contract', async () => {
      pending = missing(await readRootConfig(chain, root.address));
      return pending.length <= left;
    });
  }
}

/** Names the dev key manager on the root (change_key_manager) unless the root already names exactly it; waits until it does. */
async function registerDevKeyManager(
  chain: Chain, admin: RunnerWallet, root: CocoonRootContract, keyManager: { publicKey: string; imageHash: string; address: string }, logger: Logger,
): Promise<void> {
  const named = async () => {
    const current = (await readRootConfig(chain, root.address)).keyManager;
    return current?.publicKey === keyManager.publicKey && current.imageHash === keyManager.imageHash && current.address === keyManager.address;
  };
  if (await named()) return;
  logger.info('naming the dev key manager in the root contract', { address: keyManager.address, image_hash: keyManager.imageHash });
  await admin.sendMessages([{ to: root.address, value: TON / 20n, body: CocoonRootContract.changeKeyManagerBody(keyManager) }]);
  await waitFor('the key manager in the root contract', named);
}

/** Makes the root's registered_proxies exactly `wanted` (register_proxy / unregister_proxy, 4 per wallet external) and waits until it is. */
async function registerDevProxies(chain: Chain, admin: RunnerWallet, root: CocoonRootContract, wanted: string[], logger: Logger): Promise<void> {
  const pending = (config: RootConfig): RootAdminMessage[] => [
    ...config.registeredProxies.filter((proxy) => !wanted.includes(proxy.address)).map((proxy): RootAdminMessage => ({ type: 'unregisterProxy', seqno: proxy.seqno })),
    ...wanted.filter((address) => !config.registeredProxies.some((proxy) => proxy.address === address)).map((address): RootAdminMessage => ({ type: 'registerProxy', address })),
  ];
  let messages = pending(await readRootConfig(chain, root.address));
  while (messages.length > 0) {
    const batch = messages.slice(0, WALLET_MAX_MESSAGES);
    logger.info('registering the dev proxies in the root contract', { messages: batch.map((message) => message.type) });
    await admin.sendMessages(batch.map((message) => ({ to: root.address, value: TON / 20n, body: CocoonRootContract.adminBody(message) })));
    const left = messages.length - batch.length;
    await waitFor('proxy registration in the root contract', async () => {
      messages = pending(await readRootConfig(chain, root.address));
      return messages.length <= left;
    });
  }
}

export async function bootstrapDevChain(options: {
  chain: Chain;
  faucet: ChainFaucet;
  directory: string;
  workers: number;
  workerOwnerAddress: string;
  logger: Logger;
  /** Image and model hashes to allow in the root (simulated TEE runners check them). */
  allowedHashes?: DevAllowedHashes;
  /** Deploy the root with these prices/multipliers (another root address than the dev one). */
  pricing?: DevRootPricing;
  /** Name a key manager on the root: its image hash and `host:port` (its machine key is `keys.keyManagerMachine`). */
  keyManager?: { imageHash: string; address: string };
  /** Number of proxies (default 1): each gets its own wallet and payment key. */
  proxies?: number;
  /** The root's registered_proxies to have, exactly ("IP:worker_port IP:client_port" each); unset leaves them alone. */
  registeredProxies?: string[];
}): Promise<DevChainBootstrap> {
  const { chain, faucet, logger } = options;
  const keys = devChainKeys(options.directory, options.workers, options.proxies ?? 1);
  const adminOwner = Address.parse(DEV_PROXY_OWNER_ADDRESS);
  const admin = devRunnerWallet(chain, keys.rootAdmin, adminOwner);
  await fundTo(chain, faucet, admin.address, DEV_WALLET_FUNDS);

  const params = { ...devCocoonParams({ proxyCode: loadContractCode('proxy'), workerCode: loadContractCode('worker'), clientCode: loadContractCode('client') }), ...options.pricing };
  const root = CocoonRootContract.fromConfig({ owner: admin.address, params });
  if ((await chain.getAccount(root.address)).state !== 'active') {
    logger.info('deploying the dev root contract', { address: root.address.toString({ testOnly: true }) });
    await admin.sendMessages([{ to: root.address, value: TON, init: root.init, bounce: false }]);
    await waitFor('root contract deployment', async () => (await chain.getAccount(root.address)).state === 'active');
  }
  if (options.allowedHashes) await registerDevHashes(chain, admin, root, options.allowedHashes, logger);
  if (options.keyManager) {
    const publicKey = loadOrCreateKeyPair(keys.keyManagerMachine).publicKey.toString('hex');
    await registerDevKeyManager(chain, admin, root, { publicKey, ...options.keyManager }, logger);
  }

  if (options.registeredProxies) await registerDevProxies(chain, admin, root, options.registeredProxies, logger);
  const proxyWallets = keys.proxyWallets.map((file) => devRunnerWallet(chain, file, Address.parse(DEV_PROXY_OWNER_ADDRESS)));
  for (const file of keys.proxyKeys) loadOrCreateKeyPair(file);
  const clientWalletOwner = Address.parse(DEV_CLIENT_OWNER_ADDRESS);
  const clientWallet = devRunnerWallet(chain, keys.clientWallet, clientWalletOwner);
  const workerWallets = keys.workerWallets.map((file) => devRunnerWallet(chain, file, Address.parse(options.workerOwnerAddress)));
  const keyManagerWallets = options.keyManager ? [devRunnerWallet(chain, keys.keyManagerWallet, adminOwner)] : [];
  for (const wallet of [...proxyWallets, clientWallet, ...workerWallets, ...keyManagerWallets]) await fundTo(chain, faucet, wallet.address, DEV_WALLET_FUNDS);
  return {
    rootAddress: root.address.toString({ testOnly: true }),
    keys,
    clientWalletAddress: clientWallet.address.toString({ bounceable: false, testOnly: true }),
  };
}

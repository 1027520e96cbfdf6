/**
 * ClientChain: the client runner's on-chain side. Owns one ClientChainAccount per proxy
 * contract (shared by all connections to that proxy), runs the automation loop (default
 * every 2 s; a failure — e.g. a low wallet balance — is logged and retried next pass,
 * never fatal), answers the manual `/request/*` operations and the `/jsonstats` sections.
 * Follows the root (§6.7): with a `RootConfigWatcher`, accounts for a proxy that moved to new
 * contracts are derived from the newest params; a handshake naming contracts other than
 * ours triggers an immediate root refresh (the reconnect then derives the new ones).
 */
import { CocoonError, toCocoonError, type NetworkParamsSource } from '@cocoon/protocol';
import { RootNetworkParamsSource, isRegisteredPublicKey, parseRegisteredProxyAddress, sameAddress, type RootConfig, type RootConfigWatcher } from '@cocoon/ton';
import { ClientChainAccount } from './client-chain-account.ts';
import type { ClientChainAccountContext, ProxyContractIdentity } from './client-chain-context.ts';

export type ClientChainRequest = 'charge' | 'topup' | 'withdraw' | 'close';

export interface ClientChainOptions extends ClientChainAccountContext {
  rootConfig: RootConfig;
  isTest: boolean;
  /** Automation period (§6.5: 1–2 s). Default 2000. */
  automationIntervalMs?: number;
  /** Keeps the root config current (§6.9); without it `rootConfig` is used as read at start. */
  watcher?: RootConfigWatcher;
}

export class ClientChain {
  /** `client_owner_address` in `client.params`: the runner wallet, user-friendly, non-bounceable. */
  readonly ownerAddressText: string;
  /** Price and multipliers (§5) of the newest root config: what the client reports costs with. */
  readonly networkParams: NetworkParamsSource;
  private readonly accountsByProxy = new Map<string, ClientChainAccount>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private walletBalance: bigint | undefined;
  private lastSyncedAt: number | undefined;

  constructor(private readonly options: ClientChainOptions) {
    this.ownerAddressText = options.wallet.address.toString({ bounceable: false, testOnly: options.isTest });
    this.networkParams = new RootNetworkParamsSource(options.watcher ?? { current: options.rootConfig, onChange: () => () => undefined });
  }

  /** The newest root config seen. */
  get root(): RootConfig {
    return this.options.watcher?.current ?? this.options.rootConfig;
  }

  /**
   * Whether apps may encrypt requests to `publicKeyHex` (§20): registered on the newest root and unexpired at
   * `nowSeconds`; the reference's public test key only on an is_test root.
   */
  isRegisteredEncryptionKey(publicKeyHex: string, nowSeconds: number): boolean {
    return isRegisteredPublicKey(this.root, publicKeyHex, nowSeconds);
  }

  /**
   * The client addresses of the proxies the newest root registers (§1.2: the second address of each
   * `registered_proxies` entry), in seqno order; a malformed entry is logged and skipped.
   */
  registeredProxyClientAddresses(): string[] {
    const addresses: string[] = [];
    for (const proxy of this.root.registeredProxies) {
      try {
        addresses.push(parseRegisteredProxyAddress(proxy.address).clientAddress);
      } catch (error) {
        this.options.logger.warn('skipping a malformed registered proxy of the root', { seqno: proxy.seqno, error: toCocoonError(error).message });
      }
    }
    return addresses;
  }

  /** Root `version` the client has seen (`min_config_version`). */
  get rootVersion(): number {
    return this.root.version;
  }

  /**
   * The verified account for the proxy a connection announced, derived from the newest
   * params (CCN_ERR_TON_CONTRACT_MISMATCH on mismatch, after which the root is re-read).
   */
  accountFor(identity: ProxyContractIdentity): ClientChainAccount {
    let candidate: ClientChainAccount;
    try {
      candidate = new ClientChainAccount({ ...this.options, params: this.root.params }, identity);
    } catch (error) {
      if (this.options.watcher) void this.options.watcher.poll();
      throw error;
    }
    const key = candidate.proxyAddress.toRawString();
    const existing = this.accountsByProxy.get(key);
    if (existing && existing.proxyPublicKey.equals(candidate.proxyPublicKey)) return existing;
    this.accountsByProxy.set(key, candidate);
    return candidate;
  }

  accounts(): ClientChainAccount[] {
    return [...this.accountsByProxy.values()];
  }

  /** The account of `proxy` (its contract address); with no `proxy`, the only account. */
  find(proxy: string | undefined): ClientChainAccount {
    const accounts = this.accounts();
    if (proxy === undefined || proxy === '') {
      if (accounts.length === 1 && accounts[0]) return accounts[0];
      throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `name the proxy contract with ?proxy= (${accounts.length} known)`, { param: 'proxy' });
    }
    const account = accounts.find((candidate) => sameAddress(candidate.proxyAddress, proxy));
    if (!account) throw new CocoonError('CCN_ERR_HTTP_NOT_FOUND', `no client contract at proxy contract ${proxy.slice(0, 100)}`, { param: 'proxy' });
    return account;
  }

  /** Runs a manual operation and answers the account's new state. */
  async request(operation: ClientChainRequest, proxy: string | undefined, amountNanoton?: bigint): Promise<Record<string, unknown>> {
    const account = this.find(proxy);
    if (operation === 'charge') await account.charge();
    else if (operation === 'topup') await account.topUp(amountNanoton);
    else if (operation === 'withdraw') await account.withdraw();
    else await account.close();
    return { ok: true, operation, proxy: account.json() };
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => {
        this.running = undefined;
      });
    }, this.options.automationIntervalMs ?? 2000);
    this.timer.unref();
  }

  /** One automation pass over the wallet and every account; never throws. */
  async tick(): Promise<void> {
    try {
      this.walletBalance = await this.options.wallet.balance();
      this.lastSyncedAt = Math.floor(this.options.now() / 1000);
    } catch (error) {
      this.options.logger.warn('cannot read the wallet balance', { error: toCocoonError(error).message });
    }
    for (const account of this.accounts()) {
      if (account.paramsVersion < this.root.params.paramsVersion) continue; // outdated: the proxy refunds it (§6.7)
      try {
        const action = await account.runAutomation();
        if (action) this.options.logger.info('client contract automation', { action, sc_address: account.friendly(account.contract.address) });
      } catch (error) {
        const failure = toCocoonError(error, 'CCN_ERR_TON_UNAVAILABLE');
        if (failure.code !== 'CCN_ERR_TON_LOW_BALANCE') {
          this.options.logger.warn('client contract automation failed; retrying', { sc_address: account.friendly(account.contract.address), error: failure.message });
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.options.watcher?.close();
    await this.running;
    await this.options.chain.close();
  }

  /** `/jsonstats` sections: `wallet`, `proxies`, and the TON sync time for `status`. */
  json(): { wallet: Record<string, unknown>; proxies: Record<string, unknown>[]; tonLastSyncedAt: number | null; root: Record<string, unknown> } {
    return {
      wallet: { address: this.ownerAddressText, balance: this.walletBalance ?? null },
      proxies: this.accounts().map((account) => account.json()),
      tonLastSyncedAt: this.lastSyncedAt ?? null,
      root: {
        version: this.root.version, params_version: this.root.params.paramsVersion,
        last_synced_at: this.options.watcher ? Math.floor(this.options.watcher.lastSyncedAt / 1000) : null,
      },
    };
  }
}

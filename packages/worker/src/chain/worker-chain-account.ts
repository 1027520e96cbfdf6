/**
 * `WorkerChainAccount`: the worker runner on chain. Its contracts are owned by the configured
 * owner_address (payouts go there, §6.6) while its node wallet pays gas. On every
 * `worker.connectedToProxy` it re-derives the proxy and worker contract addresses from the root
 * params (mismatch ⇒ CCN_ERR_TON_CONTRACT_MISMATCH), deploys the worker contract when needed and
 * hands the connection that proxy contract's durable ledger. A periodic check refreshes the
 * contracts and the wallet balance and cashes out what is due; `/request/payout` forces it.
 * A RootConfigWatcher keeps the root current (§6.9); a proxy on newer params (§6.7) makes it
 * re-read the root at once, and the new proxy contract gets its own worker contract and ledger file.
 */
import { Address, fromNano } from '@ton/core';
import { CocoonError, expectTlObject, toCocoonError } from '@cocoon/protocol';
import type { Logger, TlObject } from '@cocoon/protocol';
import { RootConfigWatcher, deriveProxyContract, parseRegisteredProxyAddress, deriveWorkerContract, sameAddress, type Chain, type RootConfig } from '@cocoon/ton';
import type { WorkerConnectionPayments, WorkerGasWallet } from './worker-chain-ports.ts';
import { WorkerLedgerStateFile } from './worker-ledger-state-file.ts';
import { WorkerProxyAccount, type CashOutResult } from './worker-proxy-account.ts';

export interface WorkerChainAccountOptions {
  chain: Chain;
  wallet: WorkerGasWallet;
  /** The worker owner (configured owner_address). */
  ownerAddress: Address;
  rootAddress: Address;
  /** Directory of the per-proxy ledger files. */
  stateDirectory: string;
  /** Cash out when unpaid tokens × worker_fee_per_token ≥ this (nanoTON). */
  payoutThresholdNanoton: bigint;
  /** Base period of payment status polls and chain checks; the actual delay is 1–2× this (§16: 10–20 s). */
  paymentStatusIntervalMs: number;
  logger: Logger;
  /** How long to wait for a deployment / payout to show up on chain. Default 60 s. */
  confirmTimeoutMs?: number;
  /** How long the handshake waits for a deployment before going on (it continues in the background). Default 20 s. */
  handshakeDeployWaitMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  pollIntervalMs?: number;
  /** Root contract refresh period (§16: 30–60 s). Default 45 000. */
  rootRefreshIntervalMs?: number;
}

export class WorkerChainAccount implements WorkerConnectionPayments {
  private readonly accounts = new Map<string, WorkerProxyAccount>();
  private readonly stateFile: WorkerLedgerStateFile;
  private walletBalance: bigint | null = null;
  private checkTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private watcher: Promise<RootConfigWatcher> | undefined;

  constructor(private readonly options: WorkerChainAccountOptions) {
    this.stateFile = new WorkerLedgerStateFile(options.stateDirectory);
  }

  get chain(): Chain {
    return this.options.chain;
  }

  get wallet(): WorkerGasWallet {
    return this.options.wallet;
  }

  nextPaymentStatusDelayMs(): number {
    return Math.round(this.options.paymentStatusIntervalMs * (1 + (this.options.random ?? Math.random)()));
  }

  /** §3.2 step 2 (worker side): verify both contract addresses, deploy the worker contract, return its ledger. */
  async connectedToProxy(params: TlObject, workerContractAddress: string): Promise<WorkerProxyAccount> {
    const proxyParams = expectTlObject(params, 'proxy.params');
    const proxyPublicKey = proxyParams.proxy_public_key;
    const proxyOwner = parseAddress(proxyParams.proxy_owner_address, 'proxy_owner_address');
    const watcher = await this.rootWatcher();
    const derive = (config: RootConfig) => deriveProxyContract(config.params, proxyOwner, proxyPublicKey, this.options.rootAddress);
    let root = watcher.current;
    if (!sameAddress(derive(root).address, String(proxyParams.proxy_sc_address))) root = await watcher.refresh(); // the proxy may be on newer params
    const proxy = derive(root);
    if (!sameAddress(proxy.address, String(proxyParams.proxy_sc_address))) {
      throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `proxy claims contract ${String(proxyParams.proxy_sc_address)}, expected ${proxy.address.toString()} (root params_version ${root.params.paramsVersion})`, { param: 'proxy_sc_address' });
    }
    const worker = deriveWorkerContract(root.params, this.options.ownerAddress, proxy.address, proxyPublicKey);
    if (!sameAddress(worker.address, workerContractAddress)) {
      throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `proxy names worker contract ${workerContractAddress}, expected ${worker.address.toString()}`, { param: 'worker_sc_address' });
    }
    const account = this.accountFor(root, proxy.address, proxyPublicKey, worker);
    const deployed = account.ensureDeployed().catch((error: unknown) => {
      this.options.logger.warn('worker contract deployment failed; will retry', { proxy: proxy.address.toString(), error: toCocoonError(error).message });
      return false;
    });
    const waitMs = this.options.handshakeDeployWaitMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([deployed, new Promise((resolve) => { timer = setTimeout(resolve, waitMs); timer.unref(); })]);
    clearTimeout(timer);
    return account;
  }

  /** The root config (`rootRefresh`), opened on first use and then refreshed in the background. */
  rootWatcher(): Promise<RootConfigWatcher> {
    const { options } = this;
    this.watcher ??= RootConfigWatcher.open({ chain: options.chain, rootAddress: options.rootAddress, intervalMs: options.rootRefreshIntervalMs, logger: options.logger })
      .then((watcher) => {
        if (this.stopped) watcher.close();
        else watcher.start();
        return watcher;
      });
    this.watcher.catch(() => { this.watcher = undefined; }); // the next call reads again
    return this.watcher;
  }

  /** §1.2: the worker addresses of the proxies the root registers (first address of each entry); malformed ones are logged and skipped. */
  async registeredProxyWorkerAddresses(): Promise<string[]> {
    const addresses: string[] = [];
    for (const proxy of (await this.rootWatcher()).current.registeredProxies) {
      try {
        addresses.push(parseRegisteredProxyAddress(proxy.address).workerAddress);
      } catch (error) {
        this.options.logger.warn('skipping a malformed registered proxy of the root', { seqno: proxy.seqno, error: toCocoonError(error).message });
      }
    }
    return addresses;
  }

  /** The ledgers known so far (one per proxy contract this worker connected to). */
  proxyAccounts(): WorkerProxyAccount[] {
    return [...this.accounts.values()];
  }

  /** One round of chain work: wallet balance, contract state, deployments and due cash-outs. Never throws. */
  async check(): Promise<void> {
    await this.refreshWalletBalance();
    for (const account of this.accounts.values()) {
      try {
        account.flush();
        if (!(await account.ensureDeployed())) continue;
        const result = await account.cashOut(false);
        if (result.sent) this.options.logger.info('cash-out sent', { proxy: result.proxy_sc_address, tokens: result.tokens, ton: fromNano(result.nanoton) });
      } catch (error) {
        this.options.logger.warn('worker chain check failed', { proxy: account.proxyContract.toString(), error: toCocoonError(error).message });
      }
    }
  }

  /** `/request/payout[?proxy=<proxy_sc>]`: cash out everything unpaid regardless of the threshold. */
  async requestPayout(proxy?: string): Promise<{ results: CashOutResult[] }> {
    const accounts = this.proxyAccounts().filter((account) => !proxy || sameAddress(account.proxyContract, proxy));
    if (proxy && accounts.length === 0) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `no proxy contract ${proxy} known to this worker`, { param: 'proxy' });
    const results: CashOutResult[] = [];
    for (const account of accounts) results.push(await account.cashOut(true));
    return { results };
  }

  async refreshWalletBalance(): Promise<void> {
    try {
      this.walletBalance = await this.options.wallet.ensureBalance();
    } catch (error) {
      const failure = toCocoonError(error, 'CCN_ERR_TON_UNAVAILABLE');
      if (failure.code === 'CCN_ERR_TON_LOW_BALANCE') {
        this.options.logger.error(failure.message, { wallet: this.options.wallet.friendlyAddress(), code: failure.code });
        this.walletBalance = await this.options.wallet.balance().catch(() => this.walletBalance);
      } else {
        this.options.logger.warn('cannot read the wallet balance', { error: failure.message });
      }
    }
  }

  /** Starts the periodic check (1–2× paymentStatusIntervalMs). */
  start(): void {
    const schedule = () => {
      if (this.stopped) return;
      this.checkTimer = setTimeout(() => { void this.check().finally(schedule); }, this.nextPaymentStatusDelayMs());
      this.checkTimer.unref();
    };
    void this.refreshWalletBalance().finally(schedule);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.checkTimer);
    void this.watcher?.then((watcher) => watcher.close(), () => undefined);
    for (const account of this.accounts.values()) account.flush();
  }

  walletJson(): Record<string, unknown> {
    return { address: this.options.wallet.friendlyAddress(), balance: this.walletBalance };
  }

  proxiesJson(): Record<string, unknown>[] {
    return this.proxyAccounts().map((account) => account.json());
  }

  private accountFor(root: RootConfig, proxyContract: Address, proxyPublicKey: Buffer, worker: ReturnType<typeof deriveWorkerContract>): WorkerProxyAccount {
    const key = proxyContract.toRawString();
    let account = this.accounts.get(key);
    if (!account) {
      const { options } = this;
      account = new WorkerProxyAccount({
        chain: options.chain, wallet: options.wallet, stateFile: this.stateFile, params: root.params,
        proxyContract, proxyPublicKey, workerContract: worker, ownerAddress: options.ownerAddress,
        payoutThresholdNanoton: options.payoutThresholdNanoton, logger: options.logger,
        ...(options.confirmTimeoutMs === undefined ? {} : { confirmTimeoutMs: options.confirmTimeoutMs }),
        ...(options.sleep ? { sleep: options.sleep } : {}),
        ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      });
      this.accounts.set(key, account);
    }
    return account;
  }
}

function parseAddress(value: unknown, param: string): Address {
  try {
    return Address.parse(String(value));
  } catch (error) {
    throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `proxy sent an unparsable ${param}: ${String(value)}`, { cause: error, param });
  }
}

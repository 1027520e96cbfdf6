/**
 * The proxy on chain (§6.4, §6.7): deploys its proxy contract against the root params,
 * anchors the ledger with save-state messages (only totals committed to the blockchain are
 * ever signed), mirrors client contracts, signs charges for clients and payouts for
 * workers, pushes them on chain at thresholds, and settles everything on demand.
 */
import { randomBytes } from 'node:crypto';
import { Address, beginCell, type Cell } from '@ton/core';
import { CocoonError, type Logger, type TlObject } from '@cocoon/protocol';
import {
  OP_DO_NOT_PROCESS, OP_PROXY_SAVE_STATE, parseClientContractData, parseProxyContractData, parseWorkerContractData,
  readContractData, readRootConfig, type Chain, type ClientContractData, type CocoonParams, type ProxyContractEvent,
} from '@cocoon/ton';
import type { Ledger } from '../ledger/index.ts';
import type { ClientContractState } from '../billing/index.ts';
import { ProxyContractWatcher } from './proxy-contract-watcher.ts';
import { SettlementContracts, type SettlementWallet } from './settlement-contracts.ts';
import { waitUntil } from './wait-until.ts';
import { rememberClient } from './known-clients.ts';

const TON = 1_000_000_000n;

export interface ProxySettlementOptions {
  chain: Chain;
  wallet: SettlementWallet;
  rootAddress: Address;
  ownerAddress: Address;
  /** Ed25519 key that signs payments; its public half is `proxy_public_key`. */
  proxyKey: { publicKey: Buffer; secretKey: Buffer };
  ledger: Ledger;
  logger: Logger;
  random?: (bytes: number) => Buffer;
  /** Contract polling period (§16: 5–10 s; dev: faster). */
  pollIntervalMs: number;
  /** Save-state period (§16: 30–60 s). */
  saveStateIntervalMs: number;
  /** Charge a client once its uncharged committed usage is worth this much (§6.7: 1 TON). */
  chargeThresholdNanoton: bigint;
  /** Pay a worker once its unpaid committed earnings are worth this much (§6.6: 10 TON). */
  payoutThresholdNanoton: bigint;
  /** Serve these params (a known instance) instead of reading the root's current ones. */
  params?: CocoonParams;
  /** Root version to report with `params` (default 0 until the watcher says otherwise). */
  configVersion?: number;
}


/** What `cocoon dev settle` prints: read back from the contracts after settling. */
export interface SettlementReport {
  tokens: string;
  client_paid_nanoton: string;
  worker_earned_nanoton: string;
  proxy_commission_nanoton: string;
  clients: number;
  workers: number;
  save_state_seqno: number;
}

type ClientListener = (owner: string, state: ClientContractState) => void;

export class ProxySettlement {
  params!: CocoonParams;
  configVersion = 0;
  contracts!: SettlementContracts;
  private watcher!: ProxyContractWatcher;
  private readonly sessionHash: Buffer;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private savingState: Promise<number> | undefined;
  private readonly registrations = new Map<string, Set<(nonce: bigint) => void>>();
  /** Register nonces seen before their authorizeWithProxyLong query arrived (§15.1 `received`). */
  private readonly seenRegistrations = new Map<string, bigint[]>();
  private readonly clientListeners: ClientListener[] = [];
  private pushing = false;
  /** The poll tick in progress: one at a time (while the chain is down a tick outlasts the period). */
  private ticking = false;

  constructor(private readonly options: ProxySettlementOptions) {
    this.sessionHash = (options.random ?? randomBytes)(32);
  }

  get proxyAddress(): Address { return this.contracts.proxy.address; }

  /** Reads the root, deploys the proxy contract if needed and anchors a first save-state. */
  async start(): Promise<void> {
    const { chain, rootAddress, logger, ledger } = this.options;
    if (this.options.params) {
      this.params = this.options.params;
      this.configVersion = this.options.configVersion ?? 0;
    } else {
      const root = await readRootConfig(chain, rootAddress);
      this.params = root.params;
      this.configVersion = root.version;
    }
    this.contracts = new SettlementContracts(this.params, this.options.ownerAddress, this.options.proxyKey.publicKey, rootAddress);
    await this.deployIfNeeded();
    this.watcher = new ProxyContractWatcher(chain, this.proxyAddress, ledger, (event) => this.onEvent(event), logger);
    await this.watcher.restore();
    await this.saveState();
    this.timers.push(setInterval(() => {
      if (this.ticking) return;
      this.ticking = true;
      this.tick().catch((error: unknown) => this.logFailure('poll', error)).finally(() => { this.ticking = false; });
    }, this.options.pollIntervalMs));
    this.timers.push(setInterval(() => { this.saveStateIfChanged().catch((error: unknown) => this.logFailure('save-state', error)); }, this.options.saveStateIntervalMs));
    logger.info('proxy contract ready', { address: this.proxyAddress.toString({ testOnly: this.params.isTest }), params_version: this.params.paramsVersion });
  }

  onClientState(listener: ClientListener): void { this.clientListeners.push(listener); }

  get ledger(): Ledger { return this.options.ledger; }


  clientContractAddress(owner: string): Address { return this.contracts.client(Address.parse(owner)).address; }
  workerContractAddress(owner: string): Address { return this.contracts.worker(Address.parse(owner)).address; }

  /** The client contract of `owner` at this proxy, or undefined while it is not deployed. */
  async loadClient(owner: string): Promise<{ contract: ClientContractData; state: ClientContractState } | undefined> {
    const found = await readContractData(this.options.chain, this.clientContractAddress(owner), parseClientContractData);
    if (!found) return undefined;
    return { contract: found.data, state: toAccountState(found.data) };
  }

  /** Resolves when the client contract forwards `client_proxy_register` with `nonce` (long auth, §3.1). */
  waitForRegistration(owner: string, nonce: bigint, timeoutMs: number): Promise<void> {
    const key = Address.parse(owner).toRawString();
    if (this.seenRegistrations.get(key)?.includes(nonce)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const listeners = this.registrations.get(key) ?? new Set();
      this.registrations.set(key, listeners);
      const listener = (seen: bigint) => {
        if (seen !== nonce) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => { cleanup(); reject(new CocoonError('CCN_ERR_TON_TIMEOUT', `no register transaction with nonce ${nonce} from ${owner}`)); }, timeoutMs);
      const cleanup = () => { clearTimeout(timer); listeners.delete(listener); };
      listeners.add(listener);
    });
  }

  /** `proxy.signedPayment` for the client's newest committed total (empty when nothing is committed). */
  async signedClientPayment(owner: string): Promise<TlObject> {
    const totals = await this.options.ledger.clientTotals(owner);
    if (totals.tokensCommittedToBlockchain === 0n) return { _: 'proxy.signedPaymentEmpty' };
    const cell = this.contracts.signedCharge(this.clientContractAddress(owner), totals.tokensCommittedToBlockchain, this.options.proxyKey.secretKey, this.options.wallet.address);
    return { _: 'proxy.signedPayment', data: cell.toBoc() };
  }

  async signedWorkerPayment(owner: string): Promise<TlObject> {
    const totals = await this.options.ledger.workerTotals(owner);
    if (totals.tokensCommittedToBlockchain === 0n) return { _: 'proxy.signedPaymentEmpty' };
    const cell = this.contracts.signedPayout(this.workerContractAddress(owner), totals.tokensCommittedToBlockchain, this.options.proxyKey.secretKey, this.options.wallet.address);
    return { _: 'proxy.signedPayment', data: cell.toBoc() };
  }

  /** Snapshots the ledger, anchors it on chain and waits until the proxy sees its own mark; returns the seqno. */
  /**
   * `fresh`: a save already in flight may hold an older snapshot, so wait it out and take a new
   * one (settle and migration need every completion recorded so far); otherwise join it.
   */
  async saveState(options: { fresh?: boolean } = {}): Promise<number> {
    if (!options.fresh && this.savingState) return this.savingState;
    while (this.savingState) await this.savingState.catch(() => undefined);
    const saving = this.saveStateOnce().finally(() => { if (this.savingState === saving) this.savingState = undefined; });
    this.savingState = saving;
    return saving;
  }

  /**
   * Forces every pending charge and payout on chain (`cocoon dev settle`): a fresh
   * save-state, then signed charges to every client and payouts to every worker behind
   * it, then waits until the contracts show them and reports what they hold.
   */
  async settle(timeoutMs = 120_000): Promise<SettlementReport> {
    const seqno = await this.saveState({ fresh: true });
    const { ledger, chain } = this.options;
    const clients = await ledger.clients();
    const workers = await ledger.workers();
    const chargedClients = [];
    for (const client of clients) if (await this.pushCharge(client.owner, client.totals.tokensCommittedToBlockchain, 0n)) chargedClients.push(client);
    const paidWorkers = [];
    for (const worker of workers) if (await this.pushPayout(worker.owner, worker.totals.tokensCommittedToBlockchain, 0n)) paidWorkers.push(worker);
    const deadline = Date.now() + timeoutMs;
    for (const { owner, totals } of chargedClients) {
      const address = this.clientContractAddress(owner);
      await waitUntil(async () => ((await readContractData(chain, address, parseClientContractData))?.data.tokensUsed ?? -1n) >= totals.tokensCommittedToBlockchain, deadline, `charge of ${owner}`);
    }
    for (const { owner, totals } of paidWorkers) {
      const address = this.workerContractAddress(owner);
      await waitUntil(async () => ((await readContractData(chain, address, parseWorkerContractData))?.data.tokens ?? -1n) >= totals.tokensCommittedToBlockchain, deadline, `payout of ${owner}`);
    }
    return this.report(clients.map((client) => client.owner), workers.map((worker) => worker.owner), seqno);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  private async report(clientOwners: string[], workerOwners: string[], seqno: number): Promise<SettlementReport> {
    const { chain } = this.options;
    let clientTokens = 0n;
    let clientPaid = 0n;
    for (const owner of clientOwners) {
      const found = await readContractData(chain, this.clientContractAddress(owner), parseClientContractData);
      if (!found) continue;
      clientTokens += found.data.tokensUsed;
      clientPaid += found.data.tokensUsed * found.data.params.pricePerToken;
    }
    let workerEarned = 0n;
    for (const owner of workerOwners) {
      const found = await readContractData(chain, this.workerContractAddress(owner), parseWorkerContractData);
      if (found) workerEarned += found.data.tokens * found.data.params.workerFeePerToken;
    }
    const proxy = await readContractData(chain, this.proxyAddress, parseProxyContractData);
    return {
      tokens: clientTokens.toString(),
      client_paid_nanoton: clientPaid.toString(),
      worker_earned_nanoton: workerEarned.toString(),
      proxy_commission_nanoton: (proxy?.data.balance ?? 0n).toString(),
      clients: clientOwners.length,
      workers: workerOwners.length,
      save_state_seqno: seqno,
    };
  }

  private async deployIfNeeded(): Promise<void> {
    const { chain, wallet, logger } = this.options;
    const proxy = this.contracts.proxy;
    const account = await chain.getAccount(proxy.address);
    if (account.state === 'active') return;
    logger.info('deploying proxy contract', { address: proxy.address.toString({ testOnly: this.params.isTest }), stake_nanoton: this.params.minProxyStake.toString() });
    await wallet.sendMessages([{
      to: proxy.address, value: 3n * TON / 10n + this.params.minProxyStake, init: proxy.init, bounce: false,
      body: this.contracts.increaseStakeBody(this.params.minProxyStake, wallet.address),
    }]);
    await waitUntil(async () => (await chain.getAccount(proxy.address)).state === 'active', Date.now() + 60_000, 'proxy contract deployment');
  }

  private async saveStateOnce(): Promise<number> {
    const { ledger, wallet } = this.options;
    const seqno = await ledger.snapshotForSaveState();
    const body: Cell = beginCell()
      .storeUint(OP_DO_NOT_PROCESS, 32).storeUint(BigInt(seqno), 64)
      .storeUint(OP_PROXY_SAVE_STATE, 32).storeInt(seqno, 32).storeBuffer(this.sessionHash, 32)
      .endCell();
    await wallet.sendMessages([{ to: this.proxyAddress, value: 1n, body, bounce: true, mode: 1 }]);
    await waitUntil(async () => {
      await this.watcher.poll();
      return (await ledger.lastSaveStateSeqno()).committed >= seqno;
    }, Date.now() + 120_000, `save-state ${seqno} on chain`);
    return seqno;
  }

  private async saveStateIfChanged(): Promise<void> {
    if (this.closed) return;
    const { ledger } = this.options;
    const anyPending = [...await ledger.clients(), ...await ledger.workers()].some(({ totals }) => totals.tokensMax > totals.tokensCommittedToBlockchain);
    if (anyPending) await this.saveState();
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    await this.watcher.poll();
    await this.pushAtThresholds();
  }

  private async onEvent(event: ProxyContractEvent): Promise<void> {
    const { ledger, wallet } = this.options;
    if (event.kind === 'save-state') {
      if (event.from?.equals(wallet.address) && event.sessionHash.equals(this.sessionHash)) await ledger.commitSaveState(event.seqno);
      return;
    }
    if (event.kind === 'client') {
      const state: ClientContractState = {
        status: event.state.status === 'normal' ? 'active' : event.state.status,
        balanceNanoton: event.state.balance, stakeNanoton: event.state.stake, chargedTokens: event.state.tokensUsed,
      };
      const owner = event.ownerAddress.toString({ bounceable: false, testOnly: this.params.isTest });
      await rememberClient(this.options.ledger, event.ownerAddress);
      for (const listener of this.clientListeners) listener(owner, state);
      if (event.payload?.kind === 'register') {
        const key = event.ownerAddress.toRawString();
        const seen = [...(this.seenRegistrations.get(key) ?? []), event.payload.nonce].slice(-16);
        this.seenRegistrations.set(key, seen);
        for (const listener of this.registrations.get(key) ?? []) listener(event.payload.nonce);
      }
    }
  }

  /** §6.6/§6.7: push charges and payouts whose value crossed the thresholds. */
  private async pushAtThresholds(): Promise<void> {
    if (this.pushing) return;
    this.pushing = true;
    try {
      const { ledger } = this.options;
      for (const { owner, totals } of await ledger.clients()) {
        await this.pushCharge(owner, totals.tokensCommittedToBlockchain, this.options.chargeThresholdNanoton);
      }
      for (const { owner, totals } of await ledger.workers()) {
        await this.pushPayout(owner, totals.tokensCommittedToBlockchain, this.options.payoutThresholdNanoton);
      }
    } finally {
      this.pushing = false;
    }
  }

  private readonly pushed = new Map<string, bigint>();

  /** Sends a signed charge if due; true when the contract is (or will be) at `committed`. */
  private async pushCharge(owner: string, committed: bigint, thresholdNanoton: bigint): Promise<boolean> {
    const address = this.clientContractAddress(owner);
    const found = await readContractData(this.options.chain, address, parseClientContractData);
    if (!found || found.data.status === 'closed') return false;
    const alreadyPushed = this.pushed.get(`client:${owner}`) ?? 0n;
    if (committed <= found.data.tokensUsed || committed <= alreadyPushed) return true;
    if ((committed - found.data.tokensUsed) * this.params.pricePerToken < thresholdNanoton) return false;
    const { wallet } = this.options;
    const body = this.contracts.signedCharge(address, committed, this.options.proxyKey.secretKey, wallet.address);
    await wallet.sendMessages([{ to: address, value: 7n * TON / 10n, body, bounce: true }]);
    this.pushed.set(`client:${owner}`, committed);
    this.options.logger.info('client charge sent', { owner, tokens: committed.toString() });
    return true;
  }

  /** Sends a signed payout if due; true when the contract is (or will be) at `committed`. */
  private async pushPayout(owner: string, committed: bigint, thresholdNanoton: bigint): Promise<boolean> {
    const address = this.workerContractAddress(owner);
    const found = await readContractData(this.options.chain, address, parseWorkerContractData);
    if (!found || found.data.status === 'closed') return false;
    const alreadyPushed = this.pushed.get(`worker:${owner}`) ?? 0n;
    if (committed <= found.data.tokens || committed <= alreadyPushed) return true;
    if ((committed - found.data.tokens) * this.params.workerFeePerToken < thresholdNanoton) return false;
    const { wallet } = this.options;
    const body = this.contracts.signedPayout(address, committed, this.options.proxyKey.secretKey, wallet.address);
    await wallet.sendMessages([{ to: address, value: 7n * TON / 10n, body, bounce: true }]);
    this.pushed.set(`worker:${owner}`, committed);
    this.options.logger.info('worker payout sent', { owner, tokens: committed.toString() });
    return true;
  }

  private logFailure(what: string, error: unknown): void {
    if (this.closed) return;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof CocoonError && error.code === 'CCN_ERR_TON_LOW_BALANCE') this.options.logger.error(message);
    else this.options.logger.warn(`settlement ${what} failed`, { error: message });
  }
}

function toAccountState(contract: ClientContractData): ClientContractState {
  return {
    status: contract.status === 'normal' ? 'active' : contract.status,
    balanceNanoton: contract.balance,
    stakeNanoton: contract.stake,
    chargedTokens: contract.tokensUsed,
  };
}

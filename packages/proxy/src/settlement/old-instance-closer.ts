/**
 * Shuts down an old proxy instance after a root `params_version` increase (§6.7): final
 * charges and payouts, signed close_request to the old proxy contract, wait
 * `proxy_delay_before_close` (the contract's unlock_ts), signed grant_refund to every client
 * contract and signed last_payout to every worker contract (final committed totals), then
 * signed close_complete (remaining funds + stake go to the proxy owner). 1 TON per message.
 * Progress lives in the old instance's ledger meta and every step first checks the contract,
 * so a restarted proxy resumes where it stopped without sending a finished step again.
 */
import { Address, type Cell, type StateInit } from '@ton/core';
import { CocoonError, toCocoonError, type Logger } from '@cocoon/protocol';
import {
  SignedPaymentOp, parseClientContractData, parseProxyContractData, parseWorkerContractData, readContractData, type Chain,
} from '@cocoon/ton';
import type { Ledger, LedgerOwnerTotals } from '../ledger/index.ts';
import type { SettlementContracts, SettlementWallet } from './settlement-contracts.ts';
import { knownClientOwners } from './known-clients.ts';

const TON = 1_000_000_000n;
const STEP_KEY = 'close_step';

export const CLOSE_STEPS = ['settle', 'close_request', 'wait_unlock', 'refunds', 'payouts', 'close_complete', 'done'] as const;
export type CloseStep = typeof CLOSE_STEPS[number];

export interface OldInstanceCloserOptions {
  chain: Chain;
  wallet: SettlementWallet;
  contracts: SettlementContracts;
  /** The old instance's ledger (final totals committed to the blockchain). */
  ledger: Ledger;
  proxySecretKey: Buffer;
  logger: Logger;
  /** How often chain state is re-read while waiting. */
  pollIntervalMs: number;
  /** How long to wait for a sent message to show before sending it again. Default 120 s. */
  confirmTimeoutMs?: number;
}

export class OldInstanceCloser {
  private stopped = false;
  private running: Promise<void> | undefined;
  private currentStep: CloseStep = 'settle';
  private readonly wakeups = new Set<() => void>();

  constructor(private readonly options: OldInstanceCloserOptions) {}

  get proxyAddress(): Address { return this.options.contracts.proxy.address; }
  get step(): CloseStep { return this.currentStep; }

  /** The persisted step ('settle' when the sequence has not started). */
  async loadStep(): Promise<CloseStep> {
    const stored = await this.options.ledger.getMeta(STEP_KEY);
    this.currentStep = (CLOSE_STEPS as readonly string[]).includes(stored ?? '') ? stored as CloseStep : 'settle';
    return this.currentStep;
  }

  /** Runs (or resumes) the sequence once; concurrent calls share the run. Rejects if stopped. */
  run(): Promise<void> {
    this.running ??= this.runOnce().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Interrupts waiting (a restart resumes from the persisted step). */
  stop(): void {
    this.stopped = true;
    for (const wake of this.wakeups) wake();
  }

  private async runOnce(): Promise<void> {
    const { contracts, logger } = this.options;
    let step = await this.loadStep();
    const friendly = contracts.proxy.address.toString({ testOnly: contracts.params.isTest });
    while (step !== 'done') {
      this.ensureRunning();
      logger.info('old proxy instance closing', { proxy_sc_address: friendly, step, params_version: contracts.params.paramsVersion });
      await this.runStep(step);
      step = CLOSE_STEPS[CLOSE_STEPS.indexOf(step) + 1] ?? 'done';
      await this.options.ledger.setMeta(STEP_KEY, step);
      this.currentStep = step;
    }
    logger.info('old proxy instance closed', { proxy_sc_address: friendly });
  }

  private async runStep(step: CloseStep): Promise<void> {
    const { contracts } = this.options;
    const { clients, workers } = await this.finalTotals();
    switch (step) {
      case 'settle':
        for (const { owner, totals } of clients) {
          const target = contracts.client(owner).address;
          if (totals.tokensCommittedToBlockchain > 0n) await this.sendOnce(`charge:${target.toRawString()}`, target, SignedPaymentOp.clientCharge, totals.tokensCommittedToBlockchain, async () => {
            const found = await this.client(target);
            return !found || found.status === 'closed' || found.tokensUsed >= totals.tokensCommittedToBlockchain;
          });
        }
        for (const { owner, totals } of workers) {
          const target = contracts.worker(owner).address;
          if (totals.tokensCommittedToBlockchain > 0n && await this.worker(target)) await this.sendOnce(`payout:${target.toRawString()}`, target, SignedPaymentOp.workerPayout, totals.tokensCommittedToBlockchain, async () => {
            const found = await this.worker(target);
            return !found || found.status === 'closed' || found.tokens >= totals.tokensCommittedToBlockchain;
          });
        }
        return;
      case 'close_request':
        return this.sendOnce('close_request', contracts.proxy.address, SignedPaymentOp.proxyCloseRequest, undefined, async () => (await this.proxy())?.status !== 'normal');
      case 'wait_unlock':
        return this.waitForUnlock();
      case 'refunds':
        for (const { owner, totals } of clients) {
          const target = contracts.client(owner).address;
          if (!(await this.client(target))) continue;
          await this.sendOnce(`refund:${target.toRawString()}`, target, SignedPaymentOp.clientGrantRefund, totals.tokensCommittedToBlockchain,
            async () => (await this.client(target))?.status === 'closed');
        }
        return;
      case 'payouts':
        for (const { owner, totals } of workers) {
          const derived = contracts.worker(owner);
          const deployed = await this.worker(derived.address);
          if (!deployed && totals.tokensCommittedToBlockchain === 0n) continue;
          await this.sendOnce(`last_payout:${derived.address.toRawString()}`, derived.address, SignedPaymentOp.workerLastPayout, totals.tokensCommittedToBlockchain,
            async () => (await this.worker(derived.address))?.status === 'closed', deployed ? {} : { init: derived.init });
        }
        return;
      case 'close_complete':
        return this.sendOnce('close_complete', contracts.proxy.address, SignedPaymentOp.proxyCloseComplete, undefined, async () => {
          const proxy = await this.proxy();
          return !proxy || proxy.status === 'closed';
        });
      case 'done':
        return;
    }
  }

  /** Final totals keyed by parsed owner; clients seen on chain without usage refund at 0 tokens. */
  private async finalTotals(): Promise<{ clients: Array<{ owner: Address; totals: LedgerOwnerTotals['totals'] }>; workers: Array<{ owner: Address; totals: LedgerOwnerTotals['totals'] }> }> {
    const { ledger } = this.options;
    const used = new Map((await ledger.clients()).map((client) => [Address.parse(client.owner).toRawString(), client.totals]));
    const zero = { tokensMax: 0n, tokensCommittedToDb: 0n, tokensCommittedToBlockchain: 0n };
    const clients = (await knownClientOwners(ledger)).map((raw) => ({ owner: Address.parse(raw), totals: used.get(raw) ?? zero }));
    const workers = (await ledger.workers()).map((worker) => ({ owner: Address.parse(worker.owner), totals: worker.totals }));
    return { clients, workers };
  }

  /**
   * Sends one signed message unless `done()` already holds; remembers that it was sent, then
   * waits for `done()`. A message sent before a restart is only sent again if it still has not
   * shown after the confirm timeout.
   */
  private async sendOnce(key: string, target: Address, op: number, tokens: bigint | undefined, done: () => Promise<boolean>,
    extra: { init?: StateInit } = {}): Promise<void> {
    const { ledger, wallet, contracts, proxySecretKey, logger } = this.options;
    if (await done()) return;
    const sentKey = `close_sent:${key}`;
    for (;;) {
      if (!(await ledger.getMeta(sentKey))) {
        const body: Cell = contracts.signed(op, target, tokens, proxySecretKey, wallet.address);
        await wallet.sendMessages([{ to: target, value: TON, body, bounce: !extra.init, ...(extra.init ? { init: extra.init } : {}) }]);
        await ledger.setMeta(sentKey, '1');
        logger.info('old instance message sent', { what: key.split(':')[0], target: target.toString({ testOnly: contracts.params.isTest }), ...(tokens === undefined ? {} : { tokens: tokens.toString() }) });
      }
      if (await this.waitFor(done, this.options.confirmTimeoutMs ?? 120_000)) return;
      logger.warn('old instance message not seen on chain; sending it again', { what: key });
      await ledger.setMeta(sentKey, '');
    }
  }

  private async waitForUnlock(): Promise<void> {
    const proxy = await this.proxy();
    if (!proxy || proxy.status === 'closed') return;
    if (proxy.status !== 'closing') throw new CocoonError('CCN_ERR_TON_TRANSACTION_FAILED', 'old proxy contract is not closing');
    for (;;) {
      this.ensureRunning();
      if (await this.options.chain.now() >= proxy.unlockTs) return;
      await this.sleep(this.options.pollIntervalMs);
    }
  }

  private async waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.ensureRunning();
      try {
        if (await condition()) return true;
      } catch (error) {
        this.options.logger.warn('old instance: chain read failed', { error: toCocoonError(error, 'CCN_ERR_TON_UNAVAILABLE').message });
      }
      if (Date.now() >= deadline) return false;
      await this.sleep(this.options.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => { clearTimeout(timer); this.wakeups.delete(wake); resolve(); };
      const timer = setTimeout(wake, ms);
      this.wakeups.add(wake);
    });
  }

  private ensureRunning(): void {
    if (this.stopped) throw new CocoonError('CCN_ERR_TON_PARAMS_CHANGED', 'old instance shutdown interrupted; it resumes on restart');
  }

  private async proxy() { return (await readContractData(this.options.chain, this.proxyAddress, parseProxyContractData))?.data; }
  private async client(address: Address) { return (await readContractData(this.options.chain, address, parseClientContractData))?.data; }
  private async worker(address: Address) { return (await readContractData(this.options.chain, address, parseWorkerContractData))?.data; }
}

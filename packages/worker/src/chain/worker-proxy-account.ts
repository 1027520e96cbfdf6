/**
 * The worker's account at one proxy contract (§3.2, §6.6): the durable ledger (newest valid
 * signed payout, proxy totals, cashed-out tokens), the anti-rollback check of
 * compareBalanceWithProxy, worker contract deployment (0.3 TON) and cash-out (the repacked
 * signed payout with 0.5 TON) once the unpaid earnings are worth the threshold in nanoTON.
 */
import { Cell, SendMode, beginCell, fromNano, toNano, type Address } from '@ton/core';
import { CocoonError, expectTlObject, toCocoonError } from '@cocoon/protocol';
import type { Logger, TlObject } from '@cocoon/protocol';
import { parseWorkerContractData, readContractData, repackSignedPayment, type Chain, type CocoonParams, type DerivedContract } from '@cocoon/ton';
import type { WorkerBalanceClaim, WorkerGasWallet, WorkerProxyLedger } from './worker-chain-ports.ts';
import { emptyWorkerLedgerState, type WorkerLedgerState, type WorkerLedgerStateFile } from './worker-ledger-state-file.ts';
import { verifyWorkerPayout } from './worker-signed-payout.ts';

export const WORKER_DEPLOY_VALUE = toNano('0.3');
export const WORKER_PAYOUT_VALUE = toNano('0.5');
const OWNER_WORKER_REGISTER = 0x26ed7f65;

export interface WorkerProxyAccountOptions {
  chain: Chain;
  wallet: WorkerGasWallet;
  stateFile: WorkerLedgerStateFile;
  params: CocoonParams;
  proxyContract: Address;
  proxyPublicKey: Buffer;
  workerContract: DerivedContract;
  /** The worker owner (configured owner_address): payouts go there. */
  ownerAddress: Address;
  payoutThresholdNanoton: bigint;
  logger: Logger;
  /** How long to wait for a sent message to show up on chain. Default 60 s. */
  confirmTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  pollIntervalMs?: number;
}

export interface CashOutResult {
  proxy_sc_address: string;
  sent: boolean;
  tokens: bigint;
  nanoton: bigint;
  reason?: string;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

export class WorkerProxyAccount implements WorkerProxyLedger {
  readonly state: WorkerLedgerState;
  scInited = false;
  private dirty = false;
  private busy: Promise<unknown> | undefined;

  constructor(private readonly options: WorkerProxyAccountOptions) {
    const stored = options.stateFile.load(options.proxyContract);
    this.state = stored ?? emptyWorkerLedgerState(options.proxyContract, options.workerContract.address);
    if (stored && stored.workerContractAddress !== options.workerContract.address.toRawString()) {
      throw new CocoonError('CCN_ERR_LEDGER_CORRUPT', `stored worker contract ${stored.workerContractAddress} differs from the derived one`, { param: 'worker_contract' });
    }
    if (!stored) options.stateFile.save(this.state);
  }

  get proxyContract(): Address {
    return this.options.proxyContract;
  }

  get workerContract(): Address {
    return this.options.workerContract.address;
  }

  get unpaidTokens(): bigint {
    const unpaid = this.state.tokensCommittedToBlockchain - this.state.cashedOutTokens;
    return unpaid > 0n ? unpaid : 0n;
  }

  balanceClaim(): WorkerBalanceClaim {
    return {
      tokens_committed_to_blockchain: this.state.tokensCommittedToBlockchain,
      tokens_committed_to_db: this.state.tokensCommittedToDb,
      max_tokens: this.state.maxTokens,
    };
  }

  /** §3.2: accept only if the proxy's signed total and DB total are at least what this worker holds. */
  acceptCompareResult(answer: TlObject): void {
    const result = expectTlObject(answer, 'worker.compareBalanceWithProxyResult');
    const payout = this.verify(result.signed_payment);
    const signedTokens = payout?.tokens ?? 0n;
    const proxyDb = result.tokens_committed_to_db;
    if (signedTokens < this.state.tokensCommittedToBlockchain || proxyDb < this.state.tokensCommittedToDb) {
      throw new CocoonError(
        'CCN_ERR_LEDGER_ROLLBACK',
        `proxy ${this.state.proxyContractAddress} is behind this worker (signed ${signedTokens} < ${this.state.tokensCommittedToBlockchain} or db ${proxyDb} < ${this.state.tokensCommittedToDb}): its state was rolled back`,
        { param: 'compareBalanceWithProxy' },
      );
    }
    if (result.error_code !== 0) {
      this.options.logger.warn('proxy knows fewer max tokens than this worker', { proxy: this.state.proxyContractAddress, ours: this.state.maxTokens, theirs: result.max_tokens });
    }
    this.record(payout, proxyDb, result.max_tokens);
    this.flush();
  }

  observePayment(signedPayment: TlObject | undefined, dbTokens: bigint, maxTokens: bigint): void {
    this.record(this.verify(signedPayment), dbTokens, maxTokens);
  }

  /** Writes pending changes (max-token updates are batched; payouts and DB totals are written at once). */
  flush(): void {
    if (!this.dirty) return;
    this.options.stateFile.save(this.state);
    this.dirty = false;
  }

  /** Reads the worker contract: deployed? tokens paid on chain (the proxy may pay out by itself). */
  async refresh(): Promise<void> {
    const contract = await readContractData(this.options.chain, this.workerContract, parseWorkerContractData);
    this.scInited = contract !== undefined;
    if (contract && contract.data.tokens > this.state.cashedOutTokens) {
      this.state.cashedOutTokens = contract.data.tokens;
      this.dirty = true;
      this.flush();
    }
  }

  /** Deploys the worker contract unless it is active; false (logged, retried later) on low balance or timeout. */
  ensureDeployed(): Promise<boolean> {
    return this.exclusive(async () => {
      await this.refresh();
      if (this.scInited) return true;
      if (!(await this.walletReady())) return false;
      const { wallet } = this.options;
      const ownedByWallet = wallet.address.equals(this.options.ownerAddress);
      // owner_worker_register is owner-only (exit 1004): a wallet that is not the owner deploys with an empty body.
      const body = ownedByWallet
        ? beginCell().storeUint(OWNER_WORKER_REGISTER, 32).storeUint(BigInt(Date.now()), 64).storeAddress(wallet.address).endCell()
        : beginCell().endCell();
      this.options.logger.info('deploying worker contract', { address: this.workerContract.toString(), proxy: this.proxyContract.toString() });
      const sent = await wallet.sendMessages([{ to: this.workerContract, value: WORKER_DEPLOY_VALUE, body, init: this.options.workerContract.init, bounce: false, mode: SendMode.PAY_GAS_SEPARATELY }]);
      return this.awaitChain(sent.seqno, async () => { await this.refresh(); return this.scInited; }, 'worker contract deployment');
    });
  }

  /** Cashes out when unpaid × worker_fee ≥ threshold (or always when `force`, e.g. /request/payout). */
  cashOut(force = false): Promise<CashOutResult> {
    return this.exclusive(async () => {
      await this.refresh();
      const tokens = this.unpaidTokens;
      const nanoton = tokens * this.options.params.workerFeePerToken;
      const result = (reason: string): CashOutResult => ({ proxy_sc_address: this.proxyContract.toString(), sent: false, tokens, nanoton, reason });
      if (!this.state.signedPayoutBoc || tokens === 0n) return result('nothing to cash out');
      if (!force && nanoton < this.options.payoutThresholdNanoton) return result(`below threshold (${fromNano(nanoton)} < ${fromNano(this.options.payoutThresholdNanoton)} TON)`);
      if (!this.scInited) return result('worker contract not deployed yet');
      if (!(await this.walletReady())) return result('wallet balance too low (ACTION REQUIRED)');
      const { wallet } = this.options;
      const signed = Cell.fromBoc(Buffer.from(this.state.signedPayoutBoc, 'hex'))[0] as Cell;
      const body = repackSignedPayment(signed, wallet.address);
      const target = this.state.tokensCommittedToBlockchain;
      this.options.logger.info('cashing out', { proxy: this.proxyContract.toString(), tokens, ton: fromNano(nanoton) });
      const sent = await wallet.sendMessages([{ to: this.workerContract, value: WORKER_PAYOUT_VALUE, body, bounce: true, mode: SendMode.PAY_GAS_SEPARATELY }]);
      const done = await this.awaitChain(sent.seqno, async () => { await this.refresh(); return this.state.cashedOutTokens >= target; }, 'worker payout');
      return { proxy_sc_address: this.proxyContract.toString(), sent: true, tokens, nanoton, ...(done ? {} : { reason: 'sent; not confirmed yet' }) };
    });
  }

  json(): Record<string, unknown> {
    return {
      sc_inited: this.scInited,
      proxy_sc_address: this.proxyContract.toString(),
      proxy_public_key: this.options.proxyPublicKey.toString('hex'),
      sc_address: this.workerContract.toString(),
      earned_tokens_committed_to_blockchain: this.state.tokensCommittedToBlockchain,
      earned_tokens_committed_to_proxy_db: this.state.tokensCommittedToDb,
      earned_tokens_max_known: this.state.maxTokens,
      cached_out_tokens: this.state.cashedOutTokens,
      params_version: this.options.params.paramsVersion,
    };
  }

  private verify(signedPayment: TlObject | undefined): ReturnType<typeof verifyWorkerPayout> {
    return verifyWorkerPayout(signedPayment, { proxyPublicKey: this.options.proxyPublicKey, workerContract: this.workerContract });
  }

  private record(payout: ReturnType<typeof verifyWorkerPayout>, dbTokens: bigint, maxTokens: bigint): void {
    let urgent = false;
    if (payout && payout.tokens > this.state.tokensCommittedToBlockchain) {
      this.state.tokensCommittedToBlockchain = payout.tokens;
      this.state.signedPayoutBoc = payout.cell.toBoc().toString('hex');
      urgent = true;
    }
    if (dbTokens > this.state.tokensCommittedToDb) {
      this.state.tokensCommittedToDb = dbTokens;
      urgent = true;
    }
    if (maxTokens > this.state.maxTokens) {
      this.state.maxTokens = maxTokens;
      this.dirty = true;
    }
    if (urgent) {
      this.dirty = true;
      this.flush();
    }
  }

  private async walletReady(): Promise<boolean> {
    try {
      await this.options.wallet.ensureBalance();
      return true;
    } catch (error) {
      const failure = toCocoonError(error, 'CCN_ERR_TON_UNAVAILABLE');
      if (failure.code !== 'CCN_ERR_TON_LOW_BALANCE') throw failure;
      this.options.logger.error(failure.message, { wallet: this.options.wallet.friendlyAddress(), code: failure.code });
      return false;
    }
  }

  /** Waits for the wallet external, then polls `check` until true or the confirm timeout. */
  private async awaitChain(seqno: number, check: () => Promise<boolean>, what: string): Promise<boolean> {
    const timeoutMs = this.options.confirmTimeoutMs ?? 60_000;
    const started = Date.now();
    await this.options.wallet.waitForSeqno(seqno, timeoutMs);
    for (;;) {
      if (await check()) return true;
      if (Date.now() - started >= timeoutMs) {
        this.options.logger.warn(`${what} not visible on chain yet; will check again`, { proxy: this.proxyContract.toString() });
        return false;
      }
      await (this.options.sleep ?? defaultSleep)(this.options.pollIntervalMs ?? 1000);
    }
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = (this.busy ?? Promise.resolve()).then(operation, operation);
    this.busy = run.catch(() => undefined);
    return run;
  }
}

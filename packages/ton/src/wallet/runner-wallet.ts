/**
 * RunnerWallet (§6.2): how a runner sends messages from its cocoon wallet on any `Chain`.
 * Sends are serialized — one signed external in flight at a time, queued requests batched up to
 * 4 messages per external — and an unconfirmed external is resent every 30 s until the wallet's
 * seqno advances. The first external (seqno 0, undeployed wallet) carries the state-init.
 * Implements @ton/core `Sender`, so contract wrappers' `send*` methods work through it.
 */
import { fromNano, SendMode, type Address, type Cell, type Sender, type SenderArguments } from '@ton/core';
import type { KeyPair } from '@ton/crypto';
import { CocoonError, toCocoonError, type Logger } from '@cocoon/protocol';
import type { Chain } from '../chain/chain.ts';
import { CocoonWalletContract, WALLET_MAX_MESSAGES, type WalletMessage } from '../wrappers/cocoon-wallet-contract.ts';

/** Runners refuse to operate below this balance (the contract keeps 2 TON). */
export const MIN_WALLET_BALANCE = 2_100_000_000n;
/** Runners warn below this balance. */
export const WARN_WALLET_BALANCE = 5_000_000_000n;
export const WALLET_VALIDITY_SECONDS = 3600;

export interface RunnerWalletOptions {
  chain: Chain;
  /** Ed25519 key pair from the node wallet key (32-byte seed). */
  keyPair: KeyPair;
  ownerAddress: Address;
  subwalletId?: number;
  /** Milliseconds since the epoch. Default Date.now. */
  now?: () => number;
  logger?: Logger;
  /** Wallet code. Default: the committed compiled wallet. */
  code?: Cell;
  /** Resend an unconfirmed external this often. Default 30 s. */
  resendIntervalMs?: number;
  /** Poll the wallet seqno this often. Default 1 s. */
  pollIntervalMs?: number;
  /** Give up waiting for one external after this long (logged). Default: its validity (1 h) + 1 min. */
  confirmTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface WalletSendResult {
  /** The seqno of the external that carries the messages. */
  seqno: number;
  /** Hash (hex) of the external-in message cell. */
  externalHash: string;
}

interface QueuedSend {
  messages: WalletMessage[];
  resolve: (result: WalletSendResult) => void;
  reject: (error: Error) => void;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class RunnerWallet implements Sender {
  readonly address: Address;
  readonly contract: CocoonWalletContract;
  private readonly chain: Chain;
  private readonly keyPair: KeyPair;
  private readonly subwalletId: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly logger: Logger | undefined;
  private readonly resendIntervalMs: number;
  private readonly pollIntervalMs: number;
  private readonly confirmTimeoutMs: number;
  private readonly queue: QueuedSend[] = [];
  private pump: Promise<void> | null = null;

  constructor(options: RunnerWalletOptions) {
    this.chain = options.chain;
    this.keyPair = options.keyPair;
    this.subwalletId = options.subwalletId ?? 0;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.logger = options.logger;
    this.resendIntervalMs = options.resendIntervalMs ?? 30_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? (WALLET_VALIDITY_SECONDS + 60) * 1000;
    this.contract = CocoonWalletContract.fromConfig(
      { publicKey: options.keyPair.publicKey, ownerAddress: options.ownerAddress, subwalletId: this.subwalletId },
      options.code,
    );
    this.address = this.contract.address;
  }

  /** @ton/core `Sender`: queues one message (resolves once its external was submitted). */
  async send(args: SenderArguments): Promise<void> {
    await this.sendMessages([{
      to: args.to, value: args.value, body: args.body ?? null, init: args.init ?? null,
      bounce: args.bounce ?? undefined, mode: args.sendMode ?? SendMode.PAY_GAS_SEPARATELY,
    }]);
  }

  /**
   * Queues 1–4 messages to go out in one external (possibly batched with other queued sends).
   * Resolves when that external has been submitted; use `waitForSeqno(result.seqno)` to wait
   * for it to be applied.
   */
  sendMessages(messages: WalletMessage[]): Promise<WalletSendResult> {
    if (messages.length === 0 || messages.length > WALLET_MAX_MESSAGES) {
      return Promise.reject(new CocoonError('CCN_ERR_INTERNAL', `send 1–${WALLET_MAX_MESSAGES} messages per external, got ${messages.length}`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      this.startPump();
    });
  }

  /** The wallet's current seqno on chain (0 while undeployed). */
  async seqno(): Promise<number> {
    const account = await this.chain.getAccount(this.address);
    if (account.state !== 'active' || !account.data) return 0;
    return CocoonWalletContract.parseData(account.data).seqno;
  }

  /** Waits until the external with `seqno` has been applied (on-chain seqno > `seqno`). */
  async waitForSeqno(seqno: number, timeoutMs = 120_000): Promise<void> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      if ((await this.seqno()) > seqno) return;
      if (this.now() >= deadline) {
        throw new CocoonError('CCN_ERR_TON_TIMEOUT', `wallet ${this.friendlyAddress()} did not reach seqno ${seqno + 1} within ${timeoutMs} ms`);
      }
      await this.sleep(this.pollIntervalMs);
    }
  }

  /** Waits until every queued send has been submitted and confirmed (or given up on). */
  async waitSent(): Promise<void> {
    while (this.pump) await this.pump;
  }

  async balance(): Promise<bigint> {
    return (await this.chain.getAccount(this.address)).balance;
  }

  /** Returns the balance; throws CCN_ERR_TON_LOW_BALANCE ("ACTION REQUIRED") below `minNanoton`. */
  async ensureBalance(minNanoton: bigint = MIN_WALLET_BALANCE, warnBelowNanoton: bigint = WARN_WALLET_BALANCE): Promise<bigint> {
    const balance = await this.balance();
    const address = this.friendlyAddress();
    if (balance < minNanoton) {
      throw new CocoonError(
        'CCN_ERR_TON_LOW_BALANCE',
        `ACTION REQUIRED: wallet ${address} has ${fromNano(balance)} TON, needs ≥ ${fromNano(minNanoton)} TON; send TON to ${address}`,
        { param: 'balance' },
      );
    }
    if (balance < warnBelowNanoton) {
      this.logger?.warn('wallet balance is low', { address, balance: fromNano(balance), recommended: fromNano(warnBelowNanoton) });
    }
    return balance;
  }

  /**
   * Waits until the wallet holds the minimum, logging the ACTION REQUIRED message every `retryMs`
   * (a runner never crashes on low funds); any other failure is thrown.
   */
  async waitUntilFunded(logger: Pick<Logger, 'error'>, retryMs = 5000): Promise<void> {
    for (;;) {
      try {
        await this.ensureBalance();
        return;
      } catch (error) {
        if (!(error instanceof CocoonError) || error.code !== 'CCN_ERR_TON_LOW_BALANCE') throw error;
        logger.error(error.message);
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
  }

  /** The non-bounceable user-friendly address (what to send TON to). */
  friendlyAddress(): string {
    return this.address.toString({ bounceable: false });
  }

  /** The seqno, or null when the chain could not be asked (transient errors while confirming). */
  private async seqnoOrNull(): Promise<number | null> {
    try {
      return await this.seqno();
    } catch (error) {
      this.logger?.warn('could not read the wallet seqno', { error: (error as Error).message });
      return null;
    }
  }

  private startPump(): void {
    if (this.pump) return;
    this.pump = this.drainQueue().finally(() => {
      this.pump = null;
      if (this.queue.length > 0) this.startPump();
    });
  }

  private async drainQueue(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      try {
        await this.sendBatch(batch);
      } catch (error) {
        const failure = toCocoonError(error, 'CCN_ERR_TON_TRANSACTION_FAILED');
        this.logger?.error('wallet external failed', { address: this.friendlyAddress(), error: failure.message });
        for (const entry of batch) entry.reject(failure);
      }
    }
  }

  private takeBatch(): QueuedSend[] {
    const batch: QueuedSend[] = [];
    let count = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (!next || count + next.messages.length > WALLET_MAX_MESSAGES) break;
      batch.push(next);
      count += next.messages.length;
      this.queue.shift();
    }
    return batch;
  }

  private async sendBatch(batch: QueuedSend[]): Promise<void> {
    const account = await this.chain.getAccount(this.address);
    const deployed = account.state === 'active' && account.data !== null;
    const seqno = deployed && account.data ? CocoonWalletContract.parseData(account.data).seqno : 0;
    const body = CocoonWalletContract.signedTransferBody({
      secretKey: this.keyPair.secretKey,
      subwalletId: this.subwalletId,
      seqno,
      validUntil: Math.floor(this.now() / 1000) + WALLET_VALIDITY_SECONDS,
      messages: batch.flatMap((entry) => entry.messages),
    });
    const external = CocoonWalletContract.externalMessage(this.address, body, deployed ? null : this.contract.init);
    const externalHash = external.hash().toString('hex');
    await this.chain.sendExternalMessage(external);
    this.logger?.debug('wallet external sent', { seqno, messages: batch.length, deploy: !deployed, hash: externalHash });
    for (const entry of batch) entry.resolve({ seqno, externalHash });
    await this.awaitConfirmation(seqno, external);
  }

  private async awaitConfirmation(seqno: number, external: Cell): Promise<void> {
    const started = this.now();
    let lastSent = started;
    for (;;) {
      if (((await this.seqnoOrNull()) ?? -1) > seqno) return;
      const now = this.now();
      if (now - started >= this.confirmTimeoutMs) {
        this.logger?.error('wallet external not confirmed; giving up', { address: this.friendlyAddress(), seqno });
        return;
      }
      if (now - lastSent >= this.resendIntervalMs) {
        lastSent = now;
        this.logger?.warn('wallet external not confirmed yet; resending', { seqno });
        await this.chain.sendExternalMessage(external).catch((error: unknown) => {
          this.logger?.warn('wallet external resend failed', { seqno, error: (error as Error).message });
        });
      }
      await this.sleep(this.pollIntervalMs);
    }
  }
}

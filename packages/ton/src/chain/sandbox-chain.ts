/**
 * `SandboxChain`: the `Chain` port over an in-process @ton/sandbox `Blockchain` (the
 * emulator), for tests and for the local `cocoon chain` process. Keeps its own
 * per-account transaction history, is its own faucet, and exports/restores its whole
 * state (touched accounts as ShardAccount BOCs, lt, chain time, history) as JSON.
 */
import { CocoonError } from '@cocoon/protocol';
import { Address, loadMessage, TupleReader, type Cell, type Message, type Transaction, type TupleItem } from '@ton/core';
import {
  Blockchain,
  EmulationError,
  GetMethodError,
  internal,
  snapshotFromSerializable,
  snapshotToSerializable,
  type SendMessageResult,
} from '@ton/sandbox';
import type { Chain, ChainAccount, ChainFaucet, ChainTransactionQuery } from './chain.ts';
import { TransactionHistory, type StoredTransaction } from './transaction-history.ts';

type SerializableSnapshot = ReturnType<typeof snapshotToSerializable>;

export interface SandboxChainOptions {
  /** Chain time in unix seconds; default: the wall clock. Chain time never goes backwards. */
  now?: () => number;
  /** Print contract debug output (`debug.print…`) to the console. Default false. */
  verbose?: boolean;
}

/** Everything a `SandboxChain` needs to come back after a restart (JSON-serializable). */
export interface SandboxChainState {
  version: 1;
  /** Last chain time used (unix seconds). */
  now: number;
  /** The sandbox snapshot (accounts as ShardAccount BOCs, lt, config) without its transaction log. */
  snapshot: SerializableSnapshot;
  transactions: StoredTransaction[];
}

/** What a get method returned, exit code included (the local chain server reports it as toncenter does). */
export interface GetMethodOutcome {
  exitCode: number;
  gasUsed: bigint;
  stack: TupleItem[];
}

/** Source address of faucet transfers (not a real contract). */
export const SANDBOX_FAUCET_ADDRESS = new Address(0, Buffer.alloc(32, 0xfa));
/** toncenter's exit code for get methods on accounts without code. */
const EXIT_CODE_NOT_ACTIVE = -13;

export class SandboxChain implements Chain, ChainFaucet {
  readonly kind = 'sandbox';
  private readonly clock: () => number;
  private lastNow: number;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly blockchain: Blockchain,
    private readonly history: TransactionHistory,
    options: SandboxChainOptions,
    lastNow: number,
  ) {
    this.clock = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.lastNow = lastNow;
    blockchain.verbosity = { print: options.verbose === true, blockchainLogs: false, vmLogs: 'none', debugLogs: options.verbose === true };
  }

  static async create(options: SandboxChainOptions = {}): Promise<SandboxChain> {
    return new SandboxChain(await Blockchain.create(), new TransactionHistory(), options, 0);
  }

  static async restore(state: SandboxChainState, options: SandboxChainOptions = {}): Promise<SandboxChain> {
    if (state?.version !== 1) throw new CocoonError('CCN_ERR_LEDGER_CORRUPT', 'unsupported sandbox chain state version');
    try {
      const blockchain = await Blockchain.create();
      await blockchain.loadFrom(snapshotFromSerializable(state.snapshot));
      blockchain.now = undefined;
      return new SandboxChain(blockchain, TransactionHistory.fromJSON(state.transactions), options, Number(state.now) || 0);
    } catch (error) {
      throw new CocoonError('CCN_ERR_LEDGER_CORRUPT', `sandbox chain state is damaged: ${errorText(error)}`, { cause: error });
    }
  }

  /** Number of transactions recorded so far (a block height stand-in). */
  get transactionCount(): number {
    return this.history.size;
  }

  async exportState(): Promise<SandboxChainState> {
    return this.serialized(async () => {
      const snapshot = snapshotToSerializable({ ...this.blockchain.snapshot(), transactions: [] });
      return { version: 1, now: this.lastNow, snapshot, transactions: this.history.toJSON() };
    });
  }

  async getAccount(address: Address): Promise<ChainAccount> {
    const contract = await this.blockchain.getContract(address);
    const storage = contract.accountState;
    const lastLt = contract.lastTransactionLt;
    return {
      state: storage?.type === 'active' ? 'active' : storage?.type === 'frozen' ? 'frozen' : 'uninit',
      balance: contract.balance,
      code: storage?.type === 'active' ? (storage.state.code ?? null) : null,
      data: storage?.type === 'active' ? (storage.state.data ?? null) : null,
      lastTransaction: lastLt > 0n ? { lt: lastLt, hash: bigintToHash(contract.lastTransactionHash) } : null,
    };
  }

  /** Runs a get method and reports the exit code instead of throwing on it. */
  async runGetMethodOutcome(address: Address, method: string | number, args: TupleItem[] = []): Promise<GetMethodOutcome> {
    const contract = await this.blockchain.getContract(address);
    if (contract.accountState?.type !== 'active') return { exitCode: EXIT_CODE_NOT_ACTIVE, gasUsed: 0n, stack: [] };
    try {
      const result = await this.blockchain.runGetMethod(address, method, args, { now: this.tick() });
      return { exitCode: result.exitCode, gasUsed: result.gasUsed, stack: result.stack };
    } catch (error) {
      if (error instanceof GetMethodError) return { exitCode: error.exitCode, gasUsed: error.gasUsed, stack: [] };
      throw new CocoonError('CCN_ERR_TON_TRANSACTION_FAILED', `get method ${method} failed: ${errorText(error)}`, { cause: error });
    }
  }

  async runGetMethod(address: Address, method: string, args: TupleItem[] = []): Promise<TupleReader> {
    const outcome = await this.runGetMethodOutcome(address, method, args);
    if (outcome.exitCode !== 0 && outcome.exitCode !== 1) {
      throw new CocoonError('CCN_ERR_TON_TRANSACTION_FAILED', `get method ${method} on ${address.toString()} failed with exit code ${outcome.exitCode}`);
    }
    return new TupleReader(outcome.stack);
  }

  async sendExternalMessage(message: Cell): Promise<void> {
    let parsed: Message;
    try {
      parsed = loadMessage(message.beginParse());
    } catch (error) {
      throw new CocoonError('CCN_ERR_TON_TRANSACTION_FAILED', `malformed external message: ${errorText(error)}`, { cause: error });
    }
    if (parsed.info.type !== 'external-in') {
      throw new CocoonError('CCN_ERR_TON_TRANSACTION_FAILED', `expected an external-in message, got ${parsed.info.type}`);
    }
    await this.apply(parsed, 'external message was not accepted');
  }

  async fund(address: Address, amountNanoton: bigint): Promise<void> {
    if (amountNanoton <= 0n) throw new CocoonError('CCN_ERR_TON_TRANSACTION_FAILED', 'faucet amount must be positive');
    await this.apply(internal({ from: SANDBOX_FAUCET_ADDRESS, to: address, value: amountNanoton, bounce: false }), 'faucet transfer failed');
  }

  async getTransactions(address: Address, query: ChainTransactionQuery): Promise<Transaction[]> {
    return this.history.query(address, query);
  }

  async now(): Promise<number> {
    return Math.max(this.clock(), this.lastNow);
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  /** Runs a message and everything it triggers, one message at a time, recording the transactions. */
  private async apply(message: Message, failure: string): Promise<void> {
    await this.serialized(async () => {
      this.blockchain.now = this.tick();
      let result: SendMessageResult;
      try {
        result = await this.blockchain.sendMessage(message);
      } catch (error) {
        const exitCode = error instanceof EmulationError ? error.exitCode : undefined;
        const reason = error instanceof EmulationError ? error.error.split('\n')[0] : errorText(error);
        throw new CocoonError('CCN_ERR_TON_TRANSACTION_FAILED', `${failure}${exitCode === undefined ? '' : ` (exit code ${exitCode})`}: ${reason}`, { cause: error });
      } finally {
        this.blockchain.now = undefined;
        this.blockchain['transactions'] = [];
      }
      for (const transaction of result.transactions) {
        const destination = transaction.inMessage?.info.dest;
        const account = Address.isAddress(destination) ? destination : new Address(0, bigintToHash(transaction.address));
        this.history.record(account, transaction);
      }
    });
  }

  /** Current chain time; never earlier than a time already used. */
  private tick(): number {
    this.lastNow = Math.max(this.clock(), this.lastNow);
    return this.lastNow;
  }

  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function bigintToHash(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

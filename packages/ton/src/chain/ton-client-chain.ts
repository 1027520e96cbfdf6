/**
 * `TonClientChain`: the `Chain` port over @ton/ton's `TonClient`, i.e. the toncenter v2
 * HTTP API — the local `cocoon chain` process, testnet or mainnet toncenter. Transient
 * HTTP failures are retried, then reported as CCN_ERR_TON_UNAVAILABLE.
 */
import { CocoonError } from '@cocoon/protocol';
import { Address, Cell, TupleReader, type Transaction, type TupleItem } from '@ton/core';
import { TonClient, type TonClientParameters } from '@ton/ton';
import type { Chain, ChainAccount, ChainTransactionQuery } from './chain.ts';
import { withChainRetries, type ChainRetryPolicy } from './chain-request-retry.ts';
import { repairTonClientStackItem } from './toncenter-stack.ts';

export const TONCENTER_TESTNET_ENDPOINT = 'https://testnet.toncenter.com/api/v2/jsonRPC';
export const TONCENTER_MAINNET_ENDPOINT = 'https://toncenter.com/api/v2/jsonRPC';

export interface TonClientChainOptions extends ChainRetryPolicy {
  /** toncenter v2 JSON-RPC endpoint, e.g. `http://127.0.0.1:8081/jsonRPC` or TONCENTER_TESTNET_ENDPOINT. */
  endpoint: string;
  apiKey?: string;
  /** Per-request timeout. Default 15 s. */
  timeoutMs?: number;
  /** axios adapter (tests replace the network with it). */
  httpAdapter?: TonClientParameters['httpAdapter'];
}

/** Any account works: the answer's sync_utime is the chain's time. */
const TIME_PROBE_ADDRESS = new Address(0, Buffer.alloc(32));

export class TonClientChain implements Chain {
  readonly kind = 'toncenter';
  readonly client: TonClient;
  private readonly retryPolicy: ChainRetryPolicy;

  constructor(options: TonClientChainOptions) {
    this.client = new TonClient({
      endpoint: options.endpoint,
      timeout: options.timeoutMs ?? 15_000,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      ...(options.httpAdapter ? { httpAdapter: options.httpAdapter } : {}),
    });
    this.retryPolicy = { attempts: options.attempts, retryDelayMs: options.retryDelayMs, sleep: options.sleep };
  }

  async getAccount(address: Address): Promise<ChainAccount> {
    const state = await this.retry('getAddressInformation', () => this.client.getContractState(address));
    const active = state.state === 'active';
    return {
      state: active ? 'active' : state.state === 'frozen' ? 'frozen' : 'uninit',
      balance: state.balance,
      code: active && state.code ? parseBoc(state.code) : null,
      data: active && state.data ? parseBoc(state.data) : null,
      lastTransaction: state.lastTransaction ? { lt: BigInt(state.lastTransaction.lt), hash: Buffer.from(state.lastTransaction.hash, 'base64') } : null,
    };
  }

  async runGetMethod(address: Address, method: string, args: TupleItem[] = []): Promise<TupleReader> {
    const result = await this.retry('runGetMethod', () => this.client.runMethodWithError(address, method, args));
    if (result.exit_code !== 0 && result.exit_code !== 1) {
      throw new CocoonError('CCN_ERR_TON_TRANSACTION_FAILED', `get method ${method} on ${address.toString()} failed with exit code ${result.exit_code}`);
    }
    const items: TupleItem[] = [];
    while (result.stack.remaining > 0) items.push(repairTonClientStackItem(result.stack.pop()));
    return new TupleReader(items);
  }

  async sendExternalMessage(message: Cell): Promise<void> {
    await this.retry('sendBoc', () => this.client.sendFile(message.toBoc()));
  }

  async getTransactions(address: Address, query: ChainTransactionQuery): Promise<Transaction[]> {
    if ((query.lt === undefined) !== (query.hash === undefined)) {
      throw new CocoonError('CCN_ERR_INTERNAL', 'getTransactions: lt and hash go together');
    }
    return this.retry('getTransactions', () =>
      this.client.getTransactions(address, {
        limit: query.limit,
        ...(query.lt !== undefined && query.hash ? { lt: query.lt.toString(), hash: query.hash.toString('base64') } : {}),
        ...(query.toLt !== undefined ? { to_lt: query.toLt.toString() } : {}),
        inclusive: true,
        archival: true,
      }),
    );
  }

  async now(): Promise<number> {
    const state = await this.retry('getAddressInformation', () => this.client.getContractState(TIME_PROBE_ADDRESS));
    return state.timestampt;
  }

  async close(): Promise<void> {}

  private retry<T>(what: string, operation: () => Promise<T>): Promise<T> {
    return withChainRetries(what, this.retryPolicy, operation);
  }
}

function parseBoc(boc: Buffer): Cell {
  const cell = Cell.fromBoc(boc)[0];
  if (!cell) throw new CocoonError('CCN_ERR_TON_UNAVAILABLE', 'chain API returned an empty BOC');
  return cell;
}

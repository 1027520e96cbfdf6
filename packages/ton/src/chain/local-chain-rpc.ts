/**
 * The toncenter v2 methods of the local chain process, over a `SandboxChain`: the subset
 * @ton/ton's TonClient calls (getAddressInformation, runGetMethod, sendBoc,
 * getTransactions, getMasterchainInfo, …) plus the dev faucet. Bad input is a
 * `CocoonError` the HTTP layer turns into `{ok:false, error, code}`.
 */
import { CocoonError } from '@cocoon/protocol';
import { Address, Cell } from '@ton/core';
import type { SandboxChain } from './sandbox-chain.ts';
import { encodeAddressInformation, encodeMasterchainInfo, encodeTransaction } from './toncenter-json.ts';
import { decodeToncenterStackArgument, encodeToncenterStackItem } from './toncenter-stack.ts';

export type LocalChainParams = Record<string, unknown>;
type MethodHandler = (params: LocalChainParams) => Promise<unknown>;

const MAX_TRANSACTIONS_PER_PAGE = 1000;

export interface LocalChainRpc {
  /** Runs one toncenter method; throws CocoonError (CCN_ERR_HTTP_NOT_FOUND for unknown methods). */
  call(method: string, params: LocalChainParams): Promise<unknown>;
  /** The dev faucet: `{address, amount}` with amount a nanoTON integer string. */
  fund(params: LocalChainParams): Promise<unknown>;
}

/** `onStateChange` runs after every applied message (the server persists there). */
export function createLocalChainRpc(chain: SandboxChain, onStateChange: () => Promise<void>): LocalChainRpc {
  const seqno = (): number => chain.transactionCount + 1;
  const accountInformation = async (params: LocalChainParams) => {
    const account = await chain.getAccount(readAddress(params));
    return encodeAddressInformation(account, seqno(), await chain.now());
  };
  const sendBoc = async (params: LocalChainParams): Promise<Cell> => {
    const message = readBoc(params.boc);
    await chain.sendExternalMessage(message);
    await onStateChange();
    return message;
  };
  const methods: Record<string, MethodHandler> = {
    getAddressInformation: accountInformation,
    getAddressBalance: async (params) => (await chain.getAccount(readAddress(params))).balance.toString(),
    getAddressState: async (params) => {
      const state = (await chain.getAccount(readAddress(params))).state;
      return state === 'uninit' ? 'uninitialized' : state;
    },
    getMasterchainInfo: async () => encodeMasterchainInfo(seqno()),
    runGetMethod: async (params) => {
      const method = params.method;
      if (typeof method !== 'string' && !(typeof method === 'number' && Number.isInteger(method))) throw badRequest('method', 'method must be a name or a method id');
      const stack = params.stack ?? [];
      if (!Array.isArray(stack)) throw badRequest('stack', 'stack must be an array');
      const outcome = await chain.runGetMethodOutcome(readAddress(params), method, stack.map(decodeToncenterStackArgument));
      return { '@type': 'smc.runResult', gas_used: Number(outcome.gasUsed), stack: outcome.stack.map(encodeToncenterStackItem), exit_code: outcome.exitCode };
    },
    sendBoc: async (params) => {
      await sendBoc(params);
      return { '@type': 'ok' };
    },
    sendBocReturnHash: async (params) => {
      const hash = (await sendBoc(params)).hash().toString('base64');
      return { '@type': 'raw.extMessageInfo', hash, hash_norm: hash };
    },
    getTransactions: async (params) => {
      const limit = readInteger(params.limit, 'limit') ?? 10;
      if (limit < 1 || limit > MAX_TRANSACTIONS_PER_PAGE) throw badRequest('limit', `limit must be 1..${MAX_TRANSACTIONS_PER_PAGE}`);
      const lt = readLt(params.lt, 'lt');
      const toLt = readLt(params.to_lt, 'to_lt');
      const hash = readHash(params.hash);
      const transactions = await chain.getTransactions(readAddress(params), {
        limit,
        ...(lt !== undefined && lt > 0n ? { lt } : {}),
        ...(hash ? { hash } : {}),
        ...(toLt !== undefined && toLt > 0n ? { toLt } : {}),
      });
      return transactions.map(encodeTransaction);
    },
  };
  return {
    async call(method, params) {
      const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
      if (!handler) throw new CocoonError('CCN_ERR_HTTP_NOT_FOUND', `unknown method '${method}'`, { param: 'method' });
      return handler(params);
    },
    async fund(params) {
      const address = readAddress(params);
      const amount = params.amount;
      const valid = (typeof amount === 'string' && /^\d{1,30}$/.test(amount)) || (typeof amount === 'number' && Number.isSafeInteger(amount) && amount > 0);
      if (!valid || BigInt(amount) <= 0n) throw badRequest('amount', 'amount must be a positive nanoTON integer string');
      await chain.fund(address, BigInt(amount));
      await onStateChange();
      return { address: address.toString(), amount: BigInt(amount).toString(), balance: (await chain.getAccount(address)).balance.toString() };
    },
  };
}

function readAddress(params: LocalChainParams): Address {
  const text = params.address;
  if (typeof text !== 'string') throw badRequest('address', 'address is required');
  try {
    return Address.parse(text);
  } catch {
    throw badRequest('address', `invalid address '${text}'`);
  }
}

function readBoc(value: unknown): Cell {
  if (typeof value !== 'string' || value === '') throw badRequest('boc', 'boc (base64) is required');
  try {
    const cells = Cell.fromBoc(Buffer.from(value, 'base64'));
    if (cells.length !== 1 || !cells[0]) throw new Error('expected exactly one root cell');
    return cells[0];
  } catch (error) {
    throw badRequest('boc', `bad BOC: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function readInteger(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw badRequest(name, `${name} must be an integer`);
  return number;
}

function readLt(value: unknown, name: string): bigint | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if ((typeof value === 'string' && /^\d{1,20}$/.test(value)) || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) return BigInt(value);
  throw badRequest(name, `${name} must be a logical time (decimal integer)`);
}

/** Transaction hashes come as hex (TonClient) or base64 (toncenter's own answers). */
function readHash(value: unknown): Buffer | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' && /^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  const buffer = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
  if (buffer.length !== 32) throw badRequest('hash', 'hash must be 32 bytes, hex or base64');
  return buffer;
}

function badRequest(param: string, message: string): CocoonError {
  return new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', message, { param });
}

/**
 * CocoonParams (§6.1): the network parameters kept by the root contract and copied into every
 * proxy, client and worker contract. Reads struct versions 0–5 (fields appear by version up to 3;
 * 4 and 5 only change the root state around the params, §6.9) and writes the params' own version
 * (3–5; older ones are written as 3), as the reference's runners do — the proxy, client and worker
 * contracts derive their addresses from these cells. `withoutCode`/`forProxy` give the copies
 * that client, worker and proxy contracts store.
 */
import { beginCell, type Cell, type Slice } from '@ton/core';
import { CocoonError, MULTIPLIER_ONE } from '@cocoon/protocol';

/** The newest struct version (root state with key manager and verified keys); dev params use it. */
export const PARAMS_STRUCT_VERSION = 5;
/** The oldest struct version written: every field present. */
export const MIN_WRITTEN_PARAMS_STRUCT_VERSION = 3;

export interface CocoonParams {
  structVersion: number;
  paramsVersion: number;
  uniqueId: number;
  isTest: boolean;
  pricePerToken: bigint;
  workerFeePerToken: bigint;
  promptTokensPriceMultiplier: number;
  cachedTokensPriceMultiplier: number;
  completionTokensPriceMultiplier: number;
  reasoningTokensPriceMultiplier: number;
  /** Seconds. */
  proxyDelayBeforeClose: number;
  /** Seconds. */
  clientDelayBeforeClose: number;
  minProxyStake: bigint;
  minClientStake: bigint;
  proxyCode: Cell | null;
  workerCode: Cell | null;
  clientCode: Cell | null;
}

/** Serializes params with every field present, as struct version max(3, structVersion) (at most 5). */
export function storeCocoonParams(params: CocoonParams): Cell {
  if (!Number.isInteger(params.structVersion) || params.structVersion < 0 || params.structVersion > PARAMS_STRUCT_VERSION) {
    throw new CocoonError('CCN_ERR_INTERNAL', `params struct_version must be 0–${PARAMS_STRUCT_VERSION}, got ${params.structVersion}`, { param: 'struct_version' });
  }
  return beginCell()
    .storeUint(Math.max(MIN_WRITTEN_PARAMS_STRUCT_VERSION, params.structVersion), 8)
    .storeUint(params.paramsVersion, 32)
    .storeUint(params.uniqueId, 32)
    .storeBit(params.isTest)
    .storeCoins(params.pricePerToken)
    .storeCoins(params.workerFeePerToken)
    .storeUint(params.promptTokensPriceMultiplier, 32)
    .storeUint(params.cachedTokensPriceMultiplier, 32)
    .storeUint(params.completionTokensPriceMultiplier, 32)
    .storeUint(params.reasoningTokensPriceMultiplier, 32)
    .storeUint(params.proxyDelayBeforeClose, 32)
    .storeUint(params.clientDelayBeforeClose, 32)
    .storeCoins(params.minProxyStake)
    .storeCoins(params.minClientStake)
    .storeMaybeRef(params.proxyCode)
    .storeMaybeRef(params.workerCode)
    .storeMaybeRef(params.clientCode)
    .endCell();
}

/** Parses a params cell of struct version 0–5 (missing multipliers default to 1×, stakes to 0); a malformed cell is CCN_ERR_TON_CONTRACT_MISMATCH. */
export function loadCocoonParams(cell: Cell | Slice): CocoonParams {
  try {
    return readCocoonParams('beginParse' in cell ? cell.beginParse() : cell);
  } catch (error) {
    if (error instanceof CocoonError) throw error;
    throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `malformed params cell: ${(error as Error).message}`, { cause: error });
  }
}

function readCocoonParams(slice: Slice): CocoonParams {
  const structVersion = slice.loadUint(8);
  if (structVersion > PARAMS_STRUCT_VERSION) {
    throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `unsupported params struct_version ${structVersion}`, { param: 'struct_version' });
  }
  const paramsVersion = slice.loadUint(32);
  const uniqueId = slice.loadUint(32);
  const isTest = slice.loadBit();
  const pricePerToken = slice.loadCoins();
  const workerFeePerToken = slice.loadCoins();
  const prompt = structVersion >= 3 ? slice.loadUint(32) : MULTIPLIER_ONE;
  const cached = structVersion >= 2 ? slice.loadUint(32) : MULTIPLIER_ONE;
  const completion = structVersion >= 3 ? slice.loadUint(32) : MULTIPLIER_ONE;
  const reasoning = structVersion >= 2 ? slice.loadUint(32) : MULTIPLIER_ONE;
  const proxyDelayBeforeClose = slice.loadUint(32);
  const clientDelayBeforeClose = slice.loadUint(32);
  const minProxyStake = structVersion >= 1 ? slice.loadCoins() : 0n;
  const minClientStake = structVersion >= 1 ? slice.loadCoins() : 0n;
  return {
    structVersion, paramsVersion, uniqueId, isTest, pricePerToken, workerFeePerToken,
    promptTokensPriceMultiplier: prompt, cachedTokensPriceMultiplier: cached,
    completionTokensPriceMultiplier: completion, reasoningTokensPriceMultiplier: reasoning,
    proxyDelayBeforeClose, clientDelayBeforeClose, minProxyStake, minClientStake,
    proxyCode: slice.loadMaybeRef(), workerCode: slice.loadMaybeRef(), clientCode: slice.loadMaybeRef(),
  };
}

/** The copy client and worker contracts store: no code at all. */
export function paramsWithoutCode(params: CocoonParams): CocoonParams {
  return { ...params, proxyCode: null, workerCode: null, clientCode: null };
}

/** The copy the proxy contract stores: worker and client code, no proxy code. */
export function paramsForProxy(params: CocoonParams): CocoonParams {
  return { ...params, proxyCode: null };
}

/** Dev network parameters (fake-TON values of §6.8 with the mainnet prices); codes must be filled in. */
export function devCocoonParams(codes: { proxyCode: Cell; workerCode: Cell; clientCode: Cell }): CocoonParams {
  return {
    structVersion: PARAMS_STRUCT_VERSION, paramsVersion: 1, uniqueId: 13, isTest: true,
    pricePerToken: 20n, workerFeePerToken: 19n,
    promptTokensPriceMultiplier: MULTIPLIER_ONE, cachedTokensPriceMultiplier: MULTIPLIER_ONE,
    completionTokensPriceMultiplier: MULTIPLIER_ONE, reasoningTokensPriceMultiplier: MULTIPLIER_ONE,
    proxyDelayBeforeClose: 600, clientDelayBeforeClose: 300,
    minProxyStake: 1_000_000_000n, minClientStake: 1_000_000_000n,
    ...codes,
  };
}

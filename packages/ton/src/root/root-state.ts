/**
 * The root contract's state cell (§6.9): bits `owner_address version:uint32`, refs ^data ^params,
 * data = `proxy_hashes registered_proxies last_proxy_seqno:uint32 worker_hashes model_hashes`; then,
 * by the params' struct_version (the reference's version of the whole layout), ^key-manager (≥ 4)
 * and ^verified-keys (≥ 5). Builds it for deployment and parses it (what `get_cocoon_data` returns)
 * into a `RootConfig`; old (≤ 3) and new layouts both parse.
 */
import { beginCell, Dictionary, type Address, type Cell, type DictionaryValue } from '@ton/core';
import { CocoonError } from '@cocoon/protocol';
import { loadCocoonParams, MIN_WRITTEN_PARAMS_STRUCT_VERSION, storeCocoonParams, type CocoonParams } from '../params/cocoon-params.ts';
import { emptyValue, hashDictionary, hashSet, type HashInput } from './root-hashes.ts';
import {
  buildKeyManagerCell, buildVerifiedKeysCell, emptyKeyManagerState, hasKeyManagerFields, hasVerifiedKeys, parseKeyManagerState,
  type RootKeyManagerInit, type RootKeyManagerState,
} from './root-key-manager-state.ts';

export { hashToHex, type HashInput } from './root-hashes.ts';

export interface RegisteredProxy {
  seqno: number;
  /** The proxy's public address as registered (printable ASCII, at most MAX_PROXY_ADDRESS_BYTES). */
  address: string;
}

/** The root contract's data cell, decoded. Hashes are lowercase hex (64 chars). */
export interface RootData {
  proxyHashes: Set<string>;
  workerHashes: Set<string>;
  modelHashes: Set<string>;
  registeredProxies: RegisteredProxy[];
  lastProxySeqno: number;
}

/** The whole root configuration as runners read it. */
export interface RootConfig extends RootData, RootKeyManagerState {
  owner: Address;
  /** Bumped on every admin change; runners only accept a higher one. */
  version: number;
  params: CocoonParams;
}

/**
 * What a root deployment needs; missing lists start empty, `version` at 1. The layout follows
 * `params.structVersion`: key-manager fields need ≥ 4, verified keys 5.
 */
export interface RootInit extends RootKeyManagerInit {
  owner: Address;
  params: CocoonParams;
  version?: number;
  proxyHashes?: Iterable<HashInput>;
  workerHashes?: Iterable<HashInput>;
  modelHashes?: Iterable<HashInput>;
  registeredProxies?: RegisteredProxy[];
  lastProxySeqno?: number;
}

/** Registered-proxy value: type:uint1 (0), len:uint7, `len` ASCII bytes. */
export const registeredProxyValue: DictionaryValue<string> = {
  serialize: (address, builder) => {
    builder.storeUint(0, 1);
    storeProxyAddressText(builder, address);
  },
  parse: (slice) => {
    slice.loadUint(1);
    const length = slice.loadUint(7);
    return slice.loadBuffer(length).toString('latin1');
  },
};

/** The longest address whose update_proxy body (op query_id seqno len bytes) still fits one 1023-bit cell. */
export const MAX_PROXY_ADDRESS_BYTES = 111;

/** `len:uint7` + ASCII bytes, as register_proxy/update_proxy carry it. */
export function storeProxyAddressText(builder: ReturnType<typeof beginCell>, address: string): void {
  const bytes = Buffer.from(address, 'latin1');
  if (bytes.length > MAX_PROXY_ADDRESS_BYTES || !/^[\x20-\x7e]*$/.test(address)) {
    throw new CocoonError('CCN_ERR_INTERNAL', `proxy address must be at most ${MAX_PROXY_ADDRESS_BYTES} printable ASCII bytes: ${JSON.stringify(address)}`, { param: 'address' });
  }
  builder.storeUint(bytes.length, 7).storeBuffer(bytes);
}

/** The ^data cell of the root contract. */
export function buildRootData(data: Partial<RootData> | Omit<RootInit, 'owner' | 'params'>): Cell {
  const proxies = Dictionary.empty(Dictionary.Keys.Uint(32), registeredProxyValue);
  for (const proxy of data.registeredProxies ?? []) proxies.set(proxy.seqno, proxy.address);
  const lastProxySeqno = data.lastProxySeqno ?? Math.max(0, ...(data.registeredProxies ?? []).map((proxy) => proxy.seqno));
  return beginCell()
    .storeDict(hashDictionary(data.proxyHashes))
    .storeDict(proxies)
    .storeUint(lastProxySeqno, 32)
    .storeDict(hashDictionary(data.workerHashes))
    .storeDict(hashDictionary(data.modelHashes))
    .endCell();
}

/** The layout version a params cell is written with (what decides the refs after ^params). */
function writtenStructVersion(params: CocoonParams): number {
  return Math.max(MIN_WRITTEN_PARAMS_STRUCT_VERSION, params.structVersion);
}

/** The root contract's initial data (its whole state cell), in the layout of `params.structVersion`. */
export function buildRootState(init: RootInit): Cell {
  const structVersion = writtenStructVersion(init.params);
  if (structVersion < 4 && hasKeyManagerFields(init)) {
    throw new CocoonError('CCN_ERR_INTERNAL', `a key manager or registered keys need params struct_version ≥ 4 (got ${structVersion})`, { param: 'struct_version' });
  }
  if (structVersion < 5 && hasVerifiedKeys(init)) {
    throw new CocoonError('CCN_ERR_INTERNAL', `verified keys need params struct_version 5 (got ${structVersion})`, { param: 'struct_version' });
  }
  const builder = beginCell()
    .storeAddress(init.owner)
    .storeUint(init.version ?? 1, 32)
    .storeRef(buildRootData(init))
    .storeRef(storeCocoonParams(init.params));
  if (structVersion >= 4) builder.storeRef(buildKeyManagerCell(init));
  if (structVersion >= 5) builder.storeRef(buildVerifiedKeysCell(init));
  return builder.endCell();
}

/** Parses the ^data cell. */
export function parseRootData(cell: Cell): RootData {
  const slice = cell.beginParse();
  const proxyHashes = hashSet(slice.loadDict(Dictionary.Keys.BigUint(256), emptyValue));
  const proxies = slice.loadDict(Dictionary.Keys.Uint(32), registeredProxyValue);
  const lastProxySeqno = slice.loadUint(32);
  const workerHashes = hashSet(slice.loadDict(Dictionary.Keys.BigUint(256), emptyValue));
  const modelHashes = hashSet(slice.loadDict(Dictionary.Keys.BigUint(256), emptyValue));
  const registeredProxies = proxies.keys().sort((a, b) => a - b).map((seqno) => ({ seqno, address: proxies.get(seqno) ?? '' }));
  return { proxyHashes, workerHashes, modelHashes, registeredProxies, lastProxySeqno };
}

/** Parses the whole root state cell (struct versions 0–5); throws CCN_ERR_TON_CONTRACT_MISMATCH on a malformed cell or extra data. */
export function parseRootState(cell: Cell): RootConfig {
  try {
    const slice = cell.beginParse();
    const owner = slice.loadAddress();
    const version = slice.loadUint(32);
    const data = parseRootData(slice.loadRef());
    const params = loadCocoonParams(slice.loadRef());
    const keyManagerCell = params.structVersion >= 4 ? slice.loadRef() : undefined;
    const verifiedKeysCell = params.structVersion >= 5 ? slice.loadRef() : undefined;
    if (slice.remainingBits !== 0 || slice.remainingRefs !== 0) throw new Error(`extra data after the struct_version ${params.structVersion} layout`);
    const keys = keyManagerCell ? parseKeyManagerState(keyManagerCell, verifiedKeysCell) : emptyKeyManagerState();
    return { owner, version, params, ...data, ...keys };
  } catch (error) {
    if (error instanceof CocoonError) throw error;
    throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `malformed root contract state: ${(error as Error).message}`, { cause: error });
  }
}

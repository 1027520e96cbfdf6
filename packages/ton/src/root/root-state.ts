/**
 * The root contract's state cell (§6.9): bits `owner_address version:uint32`, refs ^data ^params,
 * data = `proxy_hashes registered_proxies last_proxy_seqno:uint32 worker_hashes model_hashes`.
 * Builds it for deployment and parses it (what `get_cocoon_data` returns) into a `RootConfig`.
 */
import { beginCell, Dictionary, type Address, type Cell, type DictionaryValue } from '@ton/core';
import { CocoonError } from '@cocoon/protocol';
import { loadCocoonParams, storeCocoonParams, type CocoonParams } from '../params/cocoon-params.ts';

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
export interface RootConfig extends RootData {
  owner: Address;
  /** Bumped on every admin change; runners only accept a higher one. */
  version: number;
  params: CocoonParams;
}

/** A 32-byte hash as hex (optionally 0x-prefixed), bytes or an integer. */
export type HashInput = string | Buffer | bigint;

/** What a root deployment needs; missing lists start empty, `version` at 1. */
export interface RootInit {
  owner: Address;
  params: CocoonParams;
  version?: number;
  proxyHashes?: Iterable<HashInput>;
  workerHashes?: Iterable<HashInput>;
  modelHashes?: Iterable<HashInput>;
  registeredProxies?: RegisteredProxy[];
  lastProxySeqno?: number;
}

const emptyValue: DictionaryValue<true> = {
  serialize: () => undefined,
  parse: () => true,
};

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

/** Normalizes a 32-byte hash given as hex, Buffer or bigint to lowercase hex. */
export function hashToHex(hash: HashInput): string {
  const hex = typeof hash === 'bigint' ? hash.toString(16).padStart(64, '0')
    : typeof hash === 'string' ? hash.toLowerCase().replace(/^0x/, '') : hash.toString('hex');
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new CocoonError('CCN_ERR_INTERNAL', `expected a 32-byte hash, got ${JSON.stringify(hex)}`, { param: 'hash' });
  }
  return hex;
}

function hashDictionary(hashes: Iterable<HashInput> | undefined): Dictionary<bigint, true> {
  const dictionary = Dictionary.empty(Dictionary.Keys.BigUint(256), emptyValue);
  for (const hash of hashes ?? []) dictionary.set(BigInt(`0x${hashToHex(hash)}`), true);
  return dictionary;
}

function hashSet(dictionary: Dictionary<bigint, true>): Set<string> {
  return new Set(dictionary.keys().map((key) => hashToHex(key)));
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

/** The root contract's initial data (its whole state cell). */
export function buildRootState(init: RootInit): Cell {
  return beginCell()
    .storeAddress(init.owner)
    .storeUint(init.version ?? 1, 32)
    .storeRef(buildRootData(init))
    .storeRef(storeCocoonParams(init.params))
    .endCell();
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

/** Parses the whole root state cell; throws CCN_ERR_TON_CONTRACT_MISMATCH on a malformed cell. */
export function parseRootState(cell: Cell): RootConfig {
  try {
    const slice = cell.beginParse();
    const owner = slice.loadAddress();
    const version = slice.loadUint(32);
    const data = parseRootData(slice.loadRef());
    const params = loadCocoonParams(slice.loadRef());
    return { owner, version, params, ...data };
  } catch (error) {
    if (error instanceof CocoonError) throw error;
    throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `malformed root contract state: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The key-manager part of the root state (§6.9), struct_version ≥ 4: a ref cell
 * `public_keys:(Maybe dict 256 → key_type:uint8 expire_at:uint32) key_manager_public_key:uint256
 * key_manager_image_hash:uint256 net_addr(0:uint1 len:uint7 bytes)`, and from struct_version 5 a
 * second ref with three `Maybe dict 256` sets (verified proxy, worker and key-manager keys), exactly
 * as the reference's RootContractConfig parses them. Builds and parses both cells, and answers
 * whether an encryption key is registered and unexpired.
 */
import { beginCell, Dictionary, type Builder, type Cell, type DictionaryValue, type Slice } from '@ton/core';
import { CocoonError, REFERENCE_DEBUG_PUBLIC_KEY_HEX } from '@cocoon/protocol';
import { emptyValue, hashDictionary, hashSet, hashToBigInt, hashToHex, type HashInput } from './root-hashes.ts';

/** An encryption public key registered on the root (`rootConfig.registeredPublicKey`). */
export interface RegisteredPublicKey {
  /** Ed25519 public key, lowercase hex. */
  publicKey: string;
  keyType: number;
  /** Unix seconds; the key is valid while now ≤ expireAt (the contract's own rule). */
  expireAt: number;
}

/** The key manager the root names: its Ed25519 key (signs key registrations), image hash and address. */
export interface RootKeyManager {
  publicKey: string;
  imageHash: string;
  /** `host:port` as stored (ASCII); empty when only a key is set. */
  address: string;
}

/** The key-manager fields of a parsed root (empty/undefined for struct_version ≤ 3). */
export interface RootKeyManagerState {
  /** Sorted by public key; may still hold expired keys the contract has not pruned yet. */
  registeredPublicKeys: RegisteredPublicKey[];
  /** Undefined when the root has no key manager (struct_version ≤ 3, or key, hash and address all unset). */
  keyManager: RootKeyManager | undefined;
  verifiedProxyKeys: Set<string>;
  verifiedWorkerKeys: Set<string>;
  verifiedKeyManagerKeys: Set<string>;
}

/** The key-manager fields a root deployment may start with. */
export interface RootKeyManagerInit {
  registeredPublicKeys?: Array<{ publicKey: HashInput; keyType: number; expireAt: number }>;
  keyManager?: { publicKey: HashInput; imageHash?: HashInput; address: string };
  verifiedProxyKeys?: Iterable<HashInput>;
  verifiedWorkerKeys?: Iterable<HashInput>;
  verifiedKeyManagerKeys?: Iterable<HashInput>;
}

/** The key type the reference's key manager generates (the only one it uses). */
export const PUBLIC_KEY_TYPE_ENCRYPTION = 1;

/** The longest key-manager address whose change_key_manager body (op query_id key hash 0 len bytes) fits one cell. */
export const MAX_KEY_MANAGER_ADDRESS_BYTES = 50;

/** The reference's static test key (KeyManagerRunner::add_static_private_key): never accepted on a root that is not `is_test`. */
export { REFERENCE_DEBUG_PUBLIC_KEY_HEX };

function invalid(message: string, param: string): never {
  throw new CocoonError('CCN_ERR_INTERNAL', message, { param });
}

function checkUint(value: number, bits: number, param: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) invalid(`${param} must be a uint${bits}, got ${value}`, param);
}

/** Dict value `key_type:uint8 expire_at:uint32`, nothing after (the reference refuses extra bits). */
const publicKeyInfoValue: DictionaryValue<{ keyType: number; expireAt: number }> = {
  serialize: (info, builder) => {
    checkUint(info.keyType, 8, 'keyType');
    checkUint(info.expireAt, 32, 'expireAt');
    builder.storeUint(info.keyType, 8).storeUint(info.expireAt, 32);
  },
  parse: (slice) => {
    const info = { keyType: slice.loadUint(8), expireAt: slice.loadUint(32) };
    if (slice.remainingBits !== 0 || slice.remainingRefs !== 0) throw new Error('extra data in a registered public key');
    return info;
  },
};

/** `0:uint1 len:uint7` + ASCII bytes: the key manager's net address as change_key_manager carries it. */
export function storeKeyManagerAddress(builder: Builder, address: string): void {
  const bytes = Buffer.from(address, 'latin1');
  if (bytes.length > MAX_KEY_MANAGER_ADDRESS_BYTES || !/^[\x20-\x7e]*$/.test(address)) {
    invalid(`key manager address must be at most ${MAX_KEY_MANAGER_ADDRESS_BYTES} printable ASCII bytes: ${JSON.stringify(address)}`, 'address');
  }
  builder.storeUint(0, 1).storeUint(bytes.length, 7).storeBuffer(bytes);
}

function loadNetAddress(slice: Slice): string {
  if (slice.loadBit()) throw new Error('unsupported key manager net address type');
  const length = slice.loadUint(7);
  return slice.loadBuffer(length).toString('latin1');
}

/** True when the init carries anything that needs the key-manager cell. */
export function hasKeyManagerFields(init: RootKeyManagerInit): boolean {
  return init.keyManager !== undefined || (init.registeredPublicKeys?.length ?? 0) > 0;
}

/** True when the init carries verified keys (they need struct_version 5). */
export function hasVerifiedKeys(init: RootKeyManagerInit): boolean {
  return [init.verifiedProxyKeys, init.verifiedWorkerKeys, init.verifiedKeyManagerKeys].some((keys) => keys !== undefined && [...keys].length > 0);
}

/** The key-manager ref cell (struct_version ≥ 4). */
export function buildKeyManagerCell(init: RootKeyManagerInit): Cell {
  const keys = Dictionary.empty(Dictionary.Keys.BigUint(256), publicKeyInfoValue);
  for (const key of init.registeredPublicKeys ?? []) {
    keys.set(hashToBigInt(key.publicKey, 'publicKey'), { keyType: key.keyType, expireAt: key.expireAt });
  }
  const builder = beginCell()
    .storeDict(keys)
    .storeUint(hashToBigInt(init.keyManager?.publicKey ?? 0n, 'publicKey'), 256)
    .storeUint(hashToBigInt(init.keyManager?.imageHash ?? 0n, 'imageHash'), 256);
  storeKeyManagerAddress(builder, init.keyManager?.address ?? '');
  return builder.endCell();
}

/** The verified-keys ref cell (struct_version ≥ 5). */
export function buildVerifiedKeysCell(init: RootKeyManagerInit): Cell {
  return beginCell()
    .storeDict(hashDictionary(init.verifiedProxyKeys, 'verifiedProxyKeys'))
    .storeDict(hashDictionary(init.verifiedWorkerKeys, 'verifiedWorkerKeys'))
    .storeDict(hashDictionary(init.verifiedKeyManagerKeys, 'verifiedKeyManagerKeys'))
    .endCell();
}

const ZERO = '0'.repeat(64);

/** The state of a root without key-manager data (struct_version ≤ 3). */
export function emptyKeyManagerState(): RootKeyManagerState {
  return { registeredPublicKeys: [], keyManager: undefined, verifiedProxyKeys: new Set(), verifiedWorkerKeys: new Set(), verifiedKeyManagerKeys: new Set() };
}

/** Parses the key-manager cell and, when given, the verified-keys cell; throws on any malformed or extra data. */
export function parseKeyManagerState(keyManagerCell: Cell, verifiedKeysCell?: Cell): RootKeyManagerState {
  const state = emptyKeyManagerState();
  const slice = keyManagerCell.beginParse();
  const keys = slice.loadDict(Dictionary.Keys.BigUint(256), publicKeyInfoValue);
  state.registeredPublicKeys = keys.keys().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => ({ publicKey: hashToHex(key), ...keys.get(key)! }));
  const publicKey = hashToHex(slice.loadUintBig(256));
  const imageHash = hashToHex(slice.loadUintBig(256));
  const address = loadNetAddress(slice);
  slice.endParse();
  if (publicKey !== ZERO || imageHash !== ZERO || address !== '') state.keyManager = { publicKey, imageHash, address };
  if (verifiedKeysCell) {
    const verified = verifiedKeysCell.beginParse();
    const load = () => hashSet(verified.loadDict(Dictionary.Keys.BigUint(256), emptyValue));
    state.verifiedProxyKeys = load();
    state.verifiedWorkerKeys = load();
    state.verifiedKeyManagerKeys = load();
    verified.endParse();
  }
  return state;
}

/**
 * True when `publicKey` is registered on the root and has not expired at `nowSeconds` (valid while
 * now ≤ expire_at, as the contract keeps it). The reference's public debug key counts only on an
 * `is_test` root. A malformed key is simply not registered.
 */
export function isRegisteredPublicKey(
  root: { registeredPublicKeys: readonly RegisteredPublicKey[]; params: { isTest: boolean } },
  publicKeyHex: HashInput,
  nowSeconds: number,
): boolean {
  let wanted: string;
  try {
    wanted = hashToHex(publicKeyHex, 'publicKey');
  } catch {
    return false;
  }
  if (wanted === REFERENCE_DEBUG_PUBLIC_KEY_HEX && !root.params.isTest) return false;
  return root.registeredPublicKeys.some((key) => key.publicKey === wanted && key.expireAt >= nowSeconds);
}

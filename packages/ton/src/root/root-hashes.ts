/**
 * 32-byte hashes and keys as the root contract stores them (dict keys of 256 bits) and as runners
 * compare them (lowercase hex): normalizing the accepted spellings and the hash-set dictionaries.
 */
import { Dictionary, type DictionaryValue } from '@ton/core';
import { CocoonError } from '@cocoon/protocol';

/** A 32-byte hash as hex (optionally 0x-prefixed), bytes or an integer. */
export type HashInput = string | Buffer | bigint;

/** Dictionary value of the hash sets: nothing (the reference ignores whatever is there). */
export const emptyValue: DictionaryValue<true> = {
  serialize: () => undefined,
  parse: () => true,
};

/** Normalizes a 32-byte hash given as hex, Buffer or bigint to lowercase hex. */
export function hashToHex(hash: HashInput, param = 'hash'): string {
  const hex = typeof hash === 'bigint' ? hash.toString(16).padStart(64, '0')
    : typeof hash === 'string' ? hash.toLowerCase().replace(/^0x/, '') : hash.toString('hex');
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new CocoonError('CCN_ERR_INTERNAL', `expected a 32-byte hash, got ${JSON.stringify(hex)}`, { param });
  }
  return hex;
}

/** The same hash as a 256-bit unsigned integer. */
export function hashToBigInt(hash: HashInput, param = 'hash'): bigint {
  return BigInt(`0x${hashToHex(hash, param)}`);
}

/** A `Maybe dict(256 → empty)` of the given hashes (duplicates collapse). */
export function hashDictionary(hashes: Iterable<HashInput> | undefined, param = 'hash'): Dictionary<bigint, true> {
  const dictionary = Dictionary.empty(Dictionary.Keys.BigUint(256), emptyValue);
  for (const hash of hashes ?? []) dictionary.set(hashToBigInt(hash, param), true);
  return dictionary;
}

/** The keys of a hash dictionary as lowercase hex. */
export function hashSet(dictionary: Dictionary<bigint, unknown>): Set<string> {
  return new Set(dictionary.keys().map((key) => hashToHex(key)));
}

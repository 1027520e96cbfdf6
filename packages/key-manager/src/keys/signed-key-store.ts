/**
 * The key manager's durable key store: an LMDB environment where each key is one record
 * `key_<public key hex>` → boxed `keyManagerDb.key` ‖ Ed25519 signature (64 bytes) by the
 * machine key, as the reference lays out its RocksDB. Every record is verified when the store
 * opens: a record whose signature, TL body or public key does not check out is refused (not
 * served, reported with its key) and left in place, so nothing is lost for the operator to
 * inspect. Writes are acknowledged once flushed (durable mode). Directory 0700, files 0600.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { sign, signVerify, type KeyPair } from '@ton/crypto';
import { CocoonError, decodeBoxedAs, encodeBoxed, toCocoonError } from '@cocoon/protocol';
import { publicKeyOf, type ManagedKey } from './managed-key.ts';

export const RECORD_SIGNATURE_BYTES = 64;
const KEY_PREFIX = 'key_';

/** A record that failed verification at open. */
export interface RefusedKeyRecord {
  recordKey: string;
  reason: string;
}

export interface SignedKeyStoreOptions {
  /** LMDB environment directory (created 0700). */
  path: string;
  /** The machine key: signs new records, verifies stored ones. */
  machineKey: KeyPair;
}

export class SignedKeyStore {
  private closed = false;

  private constructor(
    private readonly db: RootDatabase<Buffer, string>,
    private readonly machineKey: KeyPair,
    /** Keys whose records verified (expired ones included: the caller prunes). */
    readonly loaded: readonly ManagedKey[],
    /** Records refused at open. */
    readonly refused: readonly RefusedKeyRecord[],
  ) {}

  static async open(options: SignedKeyStoreOptions): Promise<SignedKeyStore> {
    mkdirSync(options.path, { recursive: true, mode: 0o700 });
    chmodSync(options.path, 0o700);
    const db = open<Buffer, string>({ path: options.path, encoding: 'binary', noSubdir: false, compression: false });
    try {
      for (const file of ['data.mdb', 'lock.mdb']) chmodSync(join(options.path, file), 0o600);
      const loaded: ManagedKey[] = [];
      const refused: RefusedKeyRecord[] = [];
      for (const { key, value } of db.getRange()) {
        try {
          loaded.push(verifyRecord(key, value, options.machineKey.publicKey));
        } catch (error) {
          refused.push({ recordKey: key, reason: toCocoonError(error).message });
        }
      }
      return new SignedKeyStore(db, options.machineKey, loaded, refused);
    } catch (error) {
      await db.close();
      throw error;
    }
  }

  /** Stores a key durably (resolves once flushed). */
  async put(key: ManagedKey): Promise<void> {
    this.ensureOpen();
    await this.db.put(recordKeyOf(key.publicKey), signRecord(key, this.machineKey));
  }

  /** Removes a key's record (resolves once flushed); false when there was none. */
  async remove(publicKey: Buffer): Promise<boolean> {
    this.ensureOpen();
    return this.db.remove(recordKeyOf(publicKey));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }

  private ensureOpen(): void {
    if (this.closed) throw new CocoonError('CCN_ERR_INTERNAL', 'key store is closed');
  }
}

export function recordKeyOf(publicKey: Buffer): string {
  return `${KEY_PREFIX}${publicKey.toString('hex')}`;
}

/** `keyManagerDb.key` ‖ signature of those bytes by the machine key. */
export function signRecord(key: ManagedKey, machineKey: KeyPair): Buffer {
  const body = encodeBoxed({
    _: 'keyManagerDb.key', private_key: key.privateKey, key_type: key.keyType,
    valid_since_config_version: key.validSinceConfigVersion, valid_since_utime: key.validSince, valid_until_utime: key.validUntil,
  });
  return Buffer.concat([body, sign(body, machineKey.secretKey)]);
}

/** Checks a stored record; throws CCN_ERR_KEY_MANAGER_RECORD_INVALID saying what is wrong. */
export function verifyRecord(recordKey: string, value: Buffer, machinePublicKey: Buffer): ManagedKey {
  const invalid = (why: string, cause?: unknown) => new CocoonError('CCN_ERR_KEY_MANAGER_RECORD_INVALID', `key store record ${recordKey.slice(0, 80)}: ${why}`, { cause });
  if (!recordKey.startsWith(KEY_PREFIX)) throw invalid('unknown record kind');
  if (value.length <= RECORD_SIGNATURE_BYTES) throw invalid('too short to carry a signature');
  const body = value.subarray(0, value.length - RECORD_SIGNATURE_BYTES);
  const signature = value.subarray(value.length - RECORD_SIGNATURE_BYTES);
  if (!signVerify(body, signature, machinePublicKey)) throw invalid('signature does not verify with the machine key (tampered, or written under another machine key)');
  let record;
  try {
    record = decodeBoxedAs(body, 'keyManagerDb.key');
  } catch (error) {
    throw invalid(`not a keyManagerDb.key: ${toCocoonError(error).message}`, error);
  }
  const privateKey = Buffer.from(record.private_key);
  const publicKey = publicKeyOf(privateKey);
  if (recordKeyOf(publicKey) !== recordKey) throw invalid('its private key does not belong to the public key it is stored under');
  return {
    privateKey, publicKey, keyType: record.key_type, validSinceConfigVersion: record.valid_since_config_version,
    validSince: record.valid_since_utime, validUntil: record.valid_until_utime,
  };
}

/**
 * The key manager's key schedule on an injected clock (reference KeyManagerRunner::alarm): drops
 * keys past their validity (memory and store), mints a new request key (type 1, valid 24 h) when
 * none is valid or the newest is older than an hour, and mints/removes on operator request. Every
 * new key is stored durably before it is served or handed to `onMinted` (publication on the root).
 */
import { randomBytes } from 'node:crypto';
import { CocoonError } from '@cocoon/protocol';
import { KEY_GENERATE_PERIOD_SECONDS, KEY_TTL_SECONDS, REQUEST_KEY_TYPE, publicKeyOf, type ManagedKey } from './managed-key.ts';
import type { SignedKeyStore } from './signed-key-store.ts';

export interface KeyRotationOptions {
  store: SignedKeyStore;
  /** Unix milliseconds. */
  now: () => number;
  random?: (bytes: number) => Buffer;
  /** The root config version new keys are minted under (0 off chain). */
  configVersion: () => number;
  /** Keys served besides the stored ones (the debug key on a test network). */
  extraKeys?: readonly ManagedKey[];
  /** Called once a new key is stored. */
  onMinted?: (key: ManagedKey) => void;
}

export class KeyRotation {
  private readonly stored: ManagedKey[];
  private readonly random: (bytes: number) => Buffer;
  private ticking: Promise<ManagedKey | undefined> | undefined;

  constructor(private readonly options: KeyRotationOptions) {
    this.random = options.random ?? randomBytes;
    this.stored = [...options.store.loaded];
  }

  private nowSeconds(): number {
    return Math.floor(this.options.now() / 1000);
  }

  /** Every key valid now, newest first (what proxies and workers get). */
  validKeys(): ManagedKey[] {
    const now = this.nowSeconds();
    return [...this.stored, ...(this.options.extraKeys ?? [])].filter((key) => key.validUntil > now).sort((a, b) => b.validSince - a.validSince);
  }

  /** Drops expired keys and mints one when due; resolves with the minted key, if any. Concurrent calls share one run. */
  tick(): Promise<ManagedKey | undefined> {
    this.ticking ??= this.tickOnce().finally(() => { this.ticking = undefined; });
    return this.ticking;
  }

  /** Mints a key of `keyType` now (operator control; type 1 is the one proxies and workers use). */
  async generate(keyType: number = REQUEST_KEY_TYPE): Promise<ManagedKey> {
    if (!Number.isInteger(keyType) || keyType < 0 || keyType > 255) {
      throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `key type must be an integer 0–255, got ${String(keyType)}`, { param: 'type' });
    }
    const privateKey = this.random(32);
    const validSince = this.nowSeconds();
    const key: ManagedKey = {
      privateKey, publicKey: publicKeyOf(privateKey), keyType, validSinceConfigVersion: this.options.configVersion(),
      validSince, validUntil: validSince + KEY_TTL_SECONDS,
    };
    await this.options.store.put(key);
    this.stored.push(key);
    this.options.onMinted?.(key);
    return key;
  }

  /** Forgets a stored key (operator control); false when no stored key has this public key. */
  async remove(publicKey: Buffer): Promise<boolean> {
    const index = this.stored.findIndex((key) => key.publicKey.equals(publicKey));
    if (index === -1) return false;
    await this.options.store.remove(publicKey);
    this.stored.splice(index, 1);
    return true;
  }

  private async tickOnce(): Promise<ManagedKey | undefined> {
    const now = this.nowSeconds();
    for (const key of this.stored.filter((candidate) => candidate.validUntil <= now)) {
      await this.options.store.remove(key.publicKey);
      this.stored.splice(this.stored.indexOf(key), 1);
    }
    const requestKeys = this.stored.filter((key) => key.keyType === REQUEST_KEY_TYPE);
    const newest = Math.max(0, ...requestKeys.map((key) => key.validSince));
    if (requestKeys.length > 0 && newest + KEY_GENERATE_PERIOD_SECONDS >= now) return undefined;
    return this.generate(REQUEST_KEY_TYPE);
  }
}

/**
 * Which `receiver_public_key` an app may encrypt a request to (§20): on chain, an encryption key the
 * root contract lists as registered and unexpired; off chain, one of the configured
 * `encryption_public_keys`, or any key on a test network. The reference's static test key (its private
 * half is public: `+2fQ/NM48g4NSVfZ6CrcEB0uNROkSKOrRgUu4biMWBg=`) is refused unless the network is
 * `is_test`, whatever lists it. Refusals are 400s (the app's mistake) naming the field.
 */
import { CocoonError, REFERENCE_DEBUG_PUBLIC_KEY_HEX, toHex } from '@cocoon/protocol';

/** The reference key manager's static debug key (KeyManagerRunner add_static_private_key), public half, hex. */

export interface ReceiverKeySource {
  /** Whether the network (the root, or the off-chain config) is a test one. */
  isTest(): boolean;
  /** Whether `publicKeyHex` (lower-case) is an acceptable encryption key at `nowSeconds`. */
  isRegistered(publicKeyHex: string, nowSeconds: number): boolean;
}

export class ReceiverKeyPolicy {
  constructor(private readonly source: ReceiverKeySource, private readonly now: () => number = Date.now) {}

  /** Throws CCN_ERR_ENCRYPTION_UNREGISTERED_KEY (400) unless the app may encrypt to `publicKey`. */
  check(publicKey: Uint8Array): void {
    const hex = toHex(publicKey);
    if (hex === REFERENCE_DEBUG_PUBLIC_KEY_HEX && !this.source.isTest()) {
      throw new CocoonError('CCN_ERR_ENCRYPTION_UNREGISTERED_KEY', "receiver_public_key is the reference's public test key: accepted on a test network (is_test) only", { param: 'receiver_public_key' });
    }
    if (!this.source.isRegistered(hex, Math.floor(this.now() / 1000))) {
      throw new CocoonError('CCN_ERR_ENCRYPTION_UNREGISTERED_KEY', `receiver_public_key ${hex} is not a registered, unexpired encryption key of this network`, { param: 'receiver_public_key' });
    }
  }
}

/** Off chain: the configured keys (hex, either case), or any key when the network is a test one. */
export function configuredReceiverKeys(options: { isTest: boolean; keys: readonly string[] }): ReceiverKeySource {
  const keys = new Set(options.keys.map((key) => key.toLowerCase()));
  return { isTest: () => options.isTest, isRegistered: (hex) => options.isTest || keys.has(hex) };
}

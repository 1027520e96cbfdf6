/**
 * The allow-lists a runner reads from the root contract (§6.9): image hashes of proxies and
 * workers and the model hashes, as lowercase hex; a model hash is SHA-256 of the full model
 * string `name@commit:verity_hash`. Browser-safe.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CocoonError } from '@cocoon/protocol/browser';

/** Hashes allowed by the root contract (64 lowercase hex characters each). */
export interface AllowedHashes {
  readonly proxyHashes: ReadonlySet<string>;
  readonly workerHashes: ReadonlySet<string>;
  readonly modelHashes: ReadonlySet<string>;
}

/** SHA-256 of the full model string (§6.9: `name@commit:verity_hash`, never just the name). */
export function modelHash(modelString: string): Buffer {
  return Buffer.from(sha256(new TextEncoder().encode(modelString)));
}

/** A 32-byte hash (bytes, hex with optional 0x, or a 256-bit integer) as 64 lowercase hex characters. */
export function normalizeHash(hash: Buffer | string | bigint): string {
  let hex: string;
  if (typeof hash === 'bigint') hex = hash.toString(16).padStart(64, '0');
  else if (typeof hash === 'string') hex = hash.replace(/^0x/i, '').toLowerCase();
  else hex = hash.toString('hex');
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `hash must be 32 bytes (64 hex characters), got "${String(hash).slice(0, 80)}"`, { param: 'hash' });
  }
  return hex;
}

export interface AllowedHashesInput {
  proxyHashes?: Iterable<Buffer | string | bigint>;
  workerHashes?: Iterable<Buffer | string | bigint>;
  modelHashes?: Iterable<Buffer | string | bigint>;
}

/** Builds normalized AllowedHashes (missing lists are empty). */
export function allowedHashes(input: AllowedHashesInput): AllowedHashes {
  const set = (values: Iterable<Buffer | string | bigint> | undefined): ReadonlySet<string> => new Set([...(values ?? [])].map(normalizeHash));
  return { proxyHashes: set(input.proxyHashes), workerHashes: set(input.workerHashes), modelHashes: set(input.modelHashes) };
}

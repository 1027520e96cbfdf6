/**
 * Model identities (§7.6): `name@revision:sha256hex`, where the hash is the SHA-256 of the
 * model file (for GGUF models served by the embedded llama engine). The root contract
 * whitelists SHA-256 of the FULL identity string; `verifyModelFile` checks that a file on
 * disk is the one its identity names, streaming it through SHA-256.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CocoonError } from '@cocoon/protocol';

export interface ModelIdentity {
  /** e.g. `Qwen/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q8_0` (what clients name; the routing base name). */
  name: string;
  /** Commit or tag the file came from, e.g. `main` or a 40-hex commit. */
  revision: string;
  /** Lower-case SHA-256 of the file, 64 hex characters. */
  sha256: string;
}

const IDENTITY_PATTERN = /^([^@\s:]+)@([^@\s:]+):([0-9a-fA-F]{64})$/;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/** Parses `name@revision:sha256`; throws CCN_ERR_CONFIG_INVALID naming the problem. */
export function parseModelIdentity(identity: string): ModelIdentity {
  const match = IDENTITY_PATTERN.exec(identity);
  if (!match) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `model identity '${identity}' is not name@revision:sha256 (64 hex characters, no spaces, '@' or ':' in name and revision)`, { param: 'model_identity' });
  }
  return { name: match[1]!, revision: match[2]!, sha256: match[3]!.toLowerCase() };
}

export function formatModelIdentity(identity: ModelIdentity): string {
  return `${identity.name}@${identity.revision}:${identity.sha256}`;
}

/** SHA-256 (hex) of the full identity string: what the root contract's model whitelist holds. */
export function modelIdentityHash(identity: string | ModelIdentity): string {
  const text = typeof identity === 'string' ? identity : formatModelIdentity(identity);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function isSha256Hex(value: string): boolean {
  return SHA256_PATTERN.test(value);
}

/** Streams a file through SHA-256; returns lower-case hex. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks that the file at `path` hashes to the identity's sha256. Throws CCN_ERR_MODEL_MISMATCH
 * with both hashes when it differs, CCN_ERR_CONFIG_INVALID when the file cannot be read.
 */
export async function verifyModelFile(path: string, identity: string | ModelIdentity): Promise<ModelIdentity> {
  const expected = typeof identity === 'string' ? parseModelIdentity(identity) : identity;
  let actual: string;
  try {
    actual = await sha256OfFile(path);
  } catch (error) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `cannot read model file ${path}: ${(error as Error).message}`, { param: 'model_path', cause: error });
  }
  if (actual !== expected.sha256) {
    throw new CocoonError(
      'CCN_ERR_MODEL_MISMATCH',
      `model file ${path} does not match its identity ${formatModelIdentity(expected)}: expected sha256 ${expected.sha256}, file has ${actual}`,
      { param: 'model_identity' },
    );
  }
  return expected;
}

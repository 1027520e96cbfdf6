/**
 * The refusals of the proto-3 encryption as CocoonErrors. Each message starts with the reference's
 * own text (runners/helpers/ValidateRequest.cpp at 9060ce5), so a reference peer reading our error
 * texts recognises them, and our peers get the CCN_ERR_ENCRYPTION_* code. A refusal never quotes
 * a value of the request: the reference's "bad encryption method: <value>" echoes the plaintext
 * back, ours names only the field.
 */
import { CocoonError } from '../errors/error-table.ts';
import type { CocoonErrorCode } from '../errors/error-table.ts';

export type EncryptionRefusal =
  | 'no-key'
  | 'unexpected-key'
  | 'unexpected-public-key'
  | 'envelope'
  | 'bad-public-key'
  | 'not-a-point'
  | 'key-mismatch'
  | 'sender-mismatch'
  | 'bad-method'
  | 'bad-ciphertext';

const REFUSALS: Readonly<Record<EncryptionRefusal, { code: CocoonErrorCode; text: string }>> = {
  'no-key': { code: 'CCN_ERR_ENCRYPTION_NO_KEY', text: 'cannot find private key for an encrypted request' },
  'unexpected-key': { code: 'CCN_ERR_ENCRYPTION_UNEXPECTED_KEY', text: 'encryption key is provided, but request is unencrypted' },
  'unexpected-public-key': { code: 'CCN_ERR_ENCRYPTION_UNEXPECTED_KEY', text: 'public key is provided, but request is unencrypted' },
  envelope: { code: 'CCN_ERR_ENCRYPTION_ENVELOPE', text: 'not all encryption-related fields are present' },
  'bad-public-key': { code: 'CCN_ERR_ENCRYPTION_ENVELOPE', text: 'public_key bad length' },
  'not-a-point': { code: 'CCN_ERR_ENCRYPTION_BAD_PUBLIC_KEY', text: 'public key is not a usable Ed25519 key' },
  'key-mismatch': { code: 'CCN_ERR_ENCRYPTION_KEY_MISMATCH', text: 'public key mismatch' },
  'sender-mismatch': { code: 'CCN_ERR_ENCRYPTION_SENDER_MISMATCH', text: 'sender public key mismatch' },
  'bad-method': { code: 'CCN_ERR_ENCRYPTION_BAD_VALUE', text: 'bad encryption method' },
  'bad-ciphertext': { code: 'CCN_ERR_ENCRYPTION_BAD_VALUE', text: 'Failed to decrypt' },
};

/** The refusal `kind`, with an optional detail and the field it concerns (`param`, never its value). */
export function encryptionRefusal(kind: EncryptionRefusal, detail?: string, param?: string): CocoonError {
  const { code, text } = REFUSALS[kind];
  const message = detail === undefined ? text : `${text}: ${detail}`;
  return new CocoonError(code, message, param === undefined ? {} : { param });
}

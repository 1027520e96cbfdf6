/**
 * The proto-3 encryption of a multipart form (`/v1/audio/transcriptions`), as the reference's
 * decrypt_form: the same rule per form field as per JSON key — every field's bytes (the audio
 * `file` included) is an `ENC_` value except the clear fields and the envelope fields, which are form
 * fields themselves. Fields are handled in order and may repeat (`timestamp_granularities[]`); the
 * caller parses and rebuilds the multipart body.
 */
import { constantTimeEqual, systemRandomBytes, toBase64, toHex, utf8Bytes } from './encryption-bytes.ts';
import { decryptValueBytes, encryptValue } from './encrypted-value.ts';
import { encryptionRefusal } from './encryption-refusal.ts';
import { parseEncryptionPublicKey } from './encryption-public-key.ts';
import { ENCRYPTION_SCHEME, ENVELOPE_FIELDS, agreementFor, isEncryptedField } from './encrypted-json.ts';
import type { OpenOptions, SealOptions } from './encrypted-json.ts';
import { directionSecret } from './shared-secret.ts';
import type { KeyAgreement } from './shared-secret.ts';

/** One form field: its name and its bytes (headers such as filename are the caller's). */
export interface FormField {
  name: string;
  value: Uint8Array;
}

export interface OpenedForm {
  fields: FormField[];
  encrypted: boolean;
  senderPublicKey: Uint8Array | undefined;
  /** The private key's agreement, holding the secret with the sender: an answer reuses it. */
  agreement?: KeyAgreement;
}

const textOf = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function envelopeKey(fields: ReadonlyMap<string, Uint8Array>, field: string): Uint8Array {
  const key = parseEncryptionPublicKey(fields.get(field) as Uint8Array);
  if (key === undefined) throw encryptionRefusal('bad-public-key', `${field} must be 64 hex digits, 44 base64 characters or 32 bytes`, field);
  return key;
}

/** Decrypts a form if it is encrypted, with the same refusals as openJsonObject. */
export function openFormFields(fields: readonly FormField[], options: OpenOptions): OpenedForm {
  const byName = new Map(fields.map((field) => [field.name, field.value]));
  if (!byName.has('is_encrypted')) {
    if (options.privateKey !== undefined) throw encryptionRefusal('unexpected-key');
    if (options.expectedSenderPublicKey !== undefined) throw encryptionRefusal('unexpected-public-key');
    return { fields: [...fields], encrypted: false, senderPublicKey: undefined };
  }
  for (const field of ENVELOPE_FIELDS) {
    if (!byName.has(field)) throw encryptionRefusal('envelope', `'${field}' is missing`, field);
  }
  if (textOf(byName.get('is_encrypted') as Uint8Array) !== ENCRYPTION_SCHEME) throw encryptionRefusal('envelope', `is_encrypted must be '${ENCRYPTION_SCHEME}'`, 'is_encrypted');
  const senderPublicKey = envelopeKey(byName, 'sender_public_key');
  const receiverPublicKey = envelopeKey(byName, 'receiver_public_key');
  const privateKey = options.privateKey;
  if (privateKey === undefined) throw encryptionRefusal('no-key');
  if (options.expectedSenderPublicKey !== undefined && !constantTimeEqual(options.expectedSenderPublicKey, senderPublicKey)) {
    throw encryptionRefusal('sender-mismatch', undefined, 'sender_public_key');
  }
  const agreement = agreementFor(privateKey, options.agreement);
  if (!constantTimeEqual(agreement.publicKey, receiverPublicKey)) throw encryptionRefusal('key-mismatch', undefined, 'receiver_public_key');
  const nonce = textOf(byName.get('encryption_nonce') as Uint8Array);
  const secret = directionSecret(agreement.sharedSecret(senderPublicKey), nonce, options.direction);
  const opened = fields.map((field) => (isEncryptedField(field.name) ? { name: field.name, value: decryptValueBytes(field.value, secret, field.name) } : field));
  return { fields: opened, encrypted: true, senderPublicKey, agreement };
}

/** Encrypts a form's fields to the receiver; the four envelope fields are appended. */
export function sealFormFields(fields: readonly FormField[], options: SealOptions): FormField[] {
  const random = options.random ?? systemRandomBytes;
  const agreement = agreementFor(options.senderPrivateKey, options.agreement);
  const senderPublicKey = agreement.publicKey;
  const nonce = toBase64(random(32));
  const secret = directionSecret(agreement.sharedSecret(options.receiverPublicKey), nonce, options.direction);
  const sealed = fields
    .filter((field) => !(ENVELOPE_FIELDS as readonly string[]).includes(field.name))
    .map((field) => (isEncryptedField(field.name) ? { name: field.name, value: utf8Bytes(encryptValue(field.value, secret, random)) } : field));
  const envelope: Array<[string, string]> = [
    ['is_encrypted', ENCRYPTION_SCHEME], ['sender_public_key', toHex(senderPublicKey)],
    ['receiver_public_key', toHex(options.receiverPublicKey)], ['encryption_nonce', nonce],
  ];
  return [...sealed, ...envelope.map(([name, value]) => ({ name, value: utf8Bytes(value) }))];
}

/**
 * Public API of the proto-3 request encryption (docs/protocol.md §20), browser-safe: key agreement,
 * tde2e per-string encryption, the JSON and form walkers with their envelope and refusals, the
 * app-facing request/answer helpers, and the key ring proxies and workers hold.
 */
export { systemRandomBytes, toHex, toBase64, fromHexOrUndefined, fromBase64OrUndefined, isAllZero, concatenate } from './encryption-bytes.ts';
export type { RandomBytes } from './encryption-bytes.ts';
export { encryptionRefusal } from './encryption-refusal.ts';
export type { EncryptionRefusal } from './encryption-refusal.ts';
export { ed25519PublicKeyOf, x25519SharedSecret, directionSecret, KeyAgreement, ENCRYPTION_KEY_BYTES } from './shared-secret.ts';
export type { EncryptionDirection } from './shared-secret.ts';
export { encryptMessage, decryptMessage, paddingLength } from './tde2e-message-encryption.ts';
export { encryptValue, decryptValueBytes, decryptTextValue, ENCRYPTED_PREFIX, CLEAR_PREFIX } from './encrypted-value.ts';
export { parseEncryptionPublicKey } from './encryption-public-key.ts';
export { canonicalJson, compareUtf8, isJsonObject } from './canonical-json.ts';
export type { JsonObject, JsonValue } from './canonical-json.ts';
export {
  sealJsonObject, sealJsonText, openJsonObject, isEncryptedField, ENVELOPE_FIELDS, CLEAR_FIELDS, ENCRYPTION_SCHEME,
} from './encrypted-json.ts';
export type { SealOptions, OpenOptions, OpenedObject } from './encrypted-json.ts';
export { openFormFields, sealFormFields } from './encrypted-form.ts';
export type { FormField, OpenedForm } from './encrypted-form.ts';
export { encryptRequest, decryptAnswer, decryptAnswerObject, decryptSseData, SseAnswerDecryptor } from './request-encryption.ts';
export type { RequestEncryptionKeys, EncryptRequestOptions, SseAnswerEvent } from './request-encryption.ts';
export { EncryptionKeyRing } from './encryption-key-ring.ts';
export type { EncryptionPrivateKey } from './encryption-key-ring.ts';
export { encryptionPrimitives, setEncryptionPrimitives, nobleEncryptionPrimitives } from './encryption-primitives.ts';
export type { EncryptionPrimitives } from './encryption-primitives.ts';
export { REFERENCE_DEBUG_PUBLIC_KEY_HEX } from './reference-debug-key.ts';

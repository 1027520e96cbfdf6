/**
 * Opens a proto-3 encrypted request on the worker, before the strict validator sees it (§20): with
 * the private key the proxy sent in `proxy.runQueryEx.private_key`, a JSON body (chat, completions)
 * or a multipart form (transcriptions) is decrypted field by field, as the reference's
 * validate_decrypt_request does, and the sender's public key is kept to encrypt the answer back.
 * The reference's refusals apply (a key with a clear request, an encrypted request without a key,
 * missing envelope fields, a receiver key that is not the one sent). The four envelope fields are then
 * removed: the engine gets a plain OpenAI request (the reference forwards them to its backend).
 * Refusals keep the reference's "worker: invalid http request: " texts and carry CCN_ERR_ENCRYPTION_*.
 */
import { CocoonError, ENVELOPE_FIELDS, openFormFields, openJsonObject, parseCheckedJson } from '@cocoon/protocol';
import type { JsonObject, KeyAgreement } from '@cocoon/protocol';
import { AUDIO_TRANSCRIPTIONS_PATH } from './audio-transcription-validator.ts';
import { boundaryOf, buildMultipartBody, invalidRequest, parseParts } from './multipart-form-parts.ts';

export interface EncryptedRequestInput {
  url: string;
  /** Request headers with lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
  /** The private key from proxy.runQueryEx (flag bit 1, not all zero); undefined when none came. */
  privateKey: Uint8Array | undefined;
}

export interface OpenedRequest {
  /** The clear body for the validator (the input itself when nothing was encrypted or removed). */
  body: Buffer;
  /** Who the answer is encrypted back to; undefined for a clear request. */
  senderPublicKey: Uint8Array | undefined;
  /** The key agreement that decrypted it: the answer reuses its secret (same two keys). */
  agreement?: KeyAgreement;
}

const ENVELOPE = new Set<string>(ENVELOPE_FIELDS);
const ENVELOPE_KEYS = ENVELOPE_FIELDS.map((field) => Buffer.from(`"${field}"`));
const ENVELOPE_PARTS = ENVELOPE_FIELDS.map((field) => Buffer.from(field));

function refused(error: unknown): never {
  if (error instanceof CocoonError && error.code.startsWith('CCN_ERR_ENCRYPTION_')) {
    throw new CocoonError(error.code, `worker: invalid http request: ${error.message}`, error.param === undefined ? {} : { param: error.param });
  }
  if (error instanceof CocoonError && error.code.startsWith('CCN_ERR_HTTP_')) throw invalidRequest(error.message, 'body');
  throw error;
}

function openJson(input: EncryptedRequestInput): OpenedRequest {
  // A clear request that names no envelope field goes to the validator untouched (the common case, not parsed twice).
  if (input.privateKey === undefined && !ENVELOPE_KEYS.some((key) => input.body.includes(key))) return { body: input.body, senderPublicKey: undefined };
  let parsed: unknown;
  try {
    parsed = parseCheckedJson(input.body); // depth and size limits before the walk
  } catch (error) {
    return refused(error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidRequest('body must be a JSON object', 'body');
  let opened;
  try {
    opened = openJsonObject(parsed as JsonObject, { privateKey: input.privateKey, direction: 'c' });
  } catch (error) {
    return refused(error);
  }
  const clear: JsonObject = { ...opened.object };
  for (const field of ENVELOPE_FIELDS) delete clear[field];
  return { body: Buffer.from(JSON.stringify(clear), 'utf8'), senderPublicKey: opened.senderPublicKey, ...(opened.agreement ? { agreement: opened.agreement } : {}) };
}

function openForm(input: EncryptedRequestInput): OpenedRequest {
  if (input.privateKey === undefined && !ENVELOPE_PARTS.some((name) => input.body.includes(name))) return { body: input.body, senderPublicKey: undefined };
  const boundary = boundaryOf(input.headers['content-type']);
  const { parts } = parseParts(input.body, boundary);
  if (input.privateKey === undefined && !parts.some((part) => ENVELOPE.has(part.name))) return { body: input.body, senderPublicKey: undefined };
  let opened;
  try {
    opened = openFormFields(parts.map((part) => ({ name: part.name, value: part.data })), { privateKey: input.privateKey, direction: 'c' });
  } catch (error) {
    return refused(error);
  }
  const clear = parts
    .map((part, index) => ({ ...part, data: Buffer.from(opened.fields[index]!.value) }))
    .filter((part) => !ENVELOPE.has(part.name));
  return { body: buildMultipartBody(boundary, clear), senderPublicKey: opened.senderPublicKey, ...(opened.agreement ? { agreement: opened.agreement } : {}) };
}

/** Decrypts the request if it is encrypted; refuses as the reference does. */
export function openEncryptedRequest(input: EncryptedRequestInput): OpenedRequest {
  return input.url === AUDIO_TRANSCRIPTIONS_PATH ? openForm(input) : openJson(input);
}

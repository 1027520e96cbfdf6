/**
 * Opening an end-to-end request on the worker (§22): the envelope must be version 1, within the
 * replay window and not seen before, name one of this worker's keys among recipients that match the
 * header, unwrap and decrypt under the header hash, and name this worker's model in the header and in
 * the decrypted request's JSON. Refusals are CCN_ERR_E2E_REQUEST_INVALID or CCN_ERR_E2E_REPLAYED; the
 * request id is remembered only once the request authenticated (nobody can burn someone else's id).
 */
import { CocoonError } from '../errors/error-table.ts';
import { utf8TextOrUndefined } from '../encryption/encryption-bytes.ts';
import type { ExtE2eRecipient, ExtE2eRequestHeader, HttpRequest } from '../tl/generated/cocoon-api-types.ts';
import { CONTENT_KEY_BYTES, E2E_VERSION, GCM_TAG_BYTES, ZERO_NONCE, bytesEqual, e2eModelBaseName, hexId } from './e2e-labels.ts';
import { e2ePrimitives, type E2ePrimitives } from './e2e-primitives.ts';
import { decodeE2eBoxed } from './e2e-tl.ts';
import { E2eHpkeRecipientCache } from './e2e-hpke-caches.ts';
import { HPKE_ENC_BYTES } from './e2e-hpke.ts';
import { E2eReplayWindow } from './e2e-replay-window.ts';
import { E2eAnswerSealer } from './e2e-answer-chunks.ts';
import { e2eDerivedKey, e2eHeaderHash } from './e2e-request-sealer.ts';
import type { E2eKeyPair } from './e2e-key-pair.ts';

export interface OpenedE2eRequest {
  header: ExtE2eRequestHeader;
  headerHash: Uint8Array;
  requestHash: Uint8Array;
  /** Boxed http.request bytes, as the app sealed them. */
  httpRequest: Uint8Array;
  /** The same, decoded. */
  http: HttpRequest;
  /** The worker key that opened it (its signing key signs the receipt). */
  key: E2eKeyPair;
  answer: E2eAnswerSealer;
}

export interface E2eRequestOpenerOptions {
  /** The worker's keys that still open requests (current and, during the grace period, previous). */
  keys: () => readonly E2eKeyPair[];
  /** The worker's model (full string or base name): requests must name its base name. */
  model: string;
  now?: () => number;
  /** Default 300 000 (e2e_replay_window_seconds = 300). */
  replayWindowMs?: number;
  /** Request ids remembered at most (default 100 000). */
  maxRemembered?: number;
  hpke?: E2eHpkeRecipientCache;
  primitives?: E2ePrimitives;
}

const MAX_RECIPIENTS = 32;

function invalid(what: string, cause?: unknown): CocoonError {
  return new CocoonError('CCN_ERR_E2E_REQUEST_INVALID', `e2e request: ${what}`, cause === undefined ? {} : { cause });
}

export class E2eRequestOpener {
  readonly hpke: E2eHpkeRecipientCache;
  readonly replay: E2eReplayWindow;
  private readonly options: E2eRequestOpenerOptions;
  private readonly now: () => number;

  constructor(options: E2eRequestOpenerOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.hpke = options.hpke ?? new E2eHpkeRecipientCache();
    this.replay = new E2eReplayWindow({ windowMs: options.replayWindowMs, maxRemembered: options.maxRemembered });
  }

  async open(bytes: Uint8Array): Promise<OpenedE2eRequest> {
    const primitives = this.options.primitives ?? e2ePrimitives();
    const request = decodeE2eBoxed(bytes, 'CCN_ERR_E2E_REQUEST_INVALID', 'e2e request', 'ext.e2eRequest');
    const { header } = request;
    if (header.version !== E2E_VERSION) throw invalid(`version ${header.version} (this worker speaks ${E2E_VERSION})`);
    checkRecipientList(header, request.recipients);
    const requestIdHex = hexId(header.request_id);
    const createdAtMs = Number(header.created_at_ms);
    this.refuseReplay(this.replay.check(requestIdHex, createdAtMs, this.now()));
    const myModel = e2eModelBaseName(this.options.model);
    if (e2eModelBaseName(header.model) !== myModel) throw invalid(`model ${header.model} is not this worker's model`);
    const keys = this.options.keys();
    let recipient: ExtE2eRecipient | undefined;
    let key: E2eKeyPair | undefined;
    for (const entry of request.recipients) {
      key = keys.find((candidate) => bytesEqual(candidate.hpkePublicKey, entry.hpke_public_key));
      if (key !== undefined) {
        recipient = entry;
        break;
      }
    }
    if (recipient === undefined || key === undefined) throw invalid('no recipient key is a current key of this worker');
    const headerHash = e2eHeaderHash(header, primitives);
    let secret: Uint8Array;
    try {
      secret = await this.hpke.secret(key.hpkePublicKey, key.hpkePrivateKey, recipient.enc);
    } catch (error) {
      throw invalid('the HPKE encapsulation does not open', error);
    }
    const contentKey = primitives.aes256GcmOpen(e2eDerivedKey(primitives, secret, headerHash, 'wrap'), ZERO_NONCE, headerHash, recipient.wrapped_key);
    if (contentKey === undefined || contentKey.length !== CONTENT_KEY_BYTES) throw invalid('the wrapped key does not open');
    const httpRequest = primitives.aes256GcmOpen(e2eDerivedKey(primitives, contentKey, headerHash, 'request'), ZERO_NONCE, headerHash, request.ciphertext);
    if (httpRequest === undefined) throw invalid('the request body does not decrypt');
    const http = decodeE2eBoxed(httpRequest, 'CCN_ERR_E2E_REQUEST_INVALID', 'e2e request body', 'http.request');
    checkPayloadModel(http, myModel);
    // Checked again after the awaits: a copy opened concurrently may have been accepted meanwhile.
    this.refuseReplay(this.replay.accept(requestIdHex, createdAtMs, this.now()));
    const answer = new E2eAnswerSealer(e2eDerivedKey(primitives, contentKey, headerHash, 'answer'), headerHash, primitives);
    contentKey.fill(0);
    return { header, headerHash, requestHash: primitives.sha256(bytes), httpRequest, http, key, answer };
  }

  private refuseReplay(verdict: 'ok' | 'stale' | 'seen'): void {
    if (verdict === 'stale') {
      throw new CocoonError('CCN_ERR_E2E_REPLAYED', `e2e request: created_at is outside the ${this.replay.windowMs / 1000} s replay window`);
    }
    if (verdict === 'seen') throw new CocoonError('CCN_ERR_E2E_REPLAYED', 'e2e request: this request_id was seen before');
  }
}

/** The recipients must be exactly the header's (which the AEADs authenticate), in its order. */
function checkRecipientList(header: ExtE2eRequestHeader, recipients: readonly ExtE2eRecipient[]): void {
  if (recipients.length === 0 || recipients.length > MAX_RECIPIENTS) throw invalid(`${recipients.length} recipients (1 to ${MAX_RECIPIENTS})`);
  if (recipients.length !== header.recipients.length) throw invalid('the recipients do not match the header');
  for (let index = 0; index < recipients.length; index++) {
    const entry = recipients[index]!;
    if (!bytesEqual(entry.hpke_public_key, header.recipients[index]!)) throw invalid('the recipients do not match the header');
    if (entry.enc.length !== HPKE_ENC_BYTES) throw invalid(`recipient ${index}: enc is ${entry.enc.length} bytes, not ${HPKE_ENC_BYTES}`);
    if (entry.wrapped_key.length !== CONTENT_KEY_BYTES + GCM_TAG_BYTES) throw invalid(`recipient ${index}: wrapped_key is not ${CONTENT_KEY_BYTES + GCM_TAG_BYTES} bytes`);
  }
}

/** A JSON body must name the model (by base name) the header names; other bodies (forms) are the validator's. */
function checkPayloadModel(http: HttpRequest, myModel: string): void {
  const contentType = http.headers.find((header) => String(header.name).toLowerCase() === 'content-type');
  const isJson = contentType === undefined ? http.payload.length > 0 && http.payload[0] === 0x7b : /json/i.test(String(contentType.value));
  if (!isJson) return;
  const text = utf8TextOrUndefined(http.payload);
  let model: unknown;
  try {
    model = text === undefined ? undefined : (JSON.parse(text) as { model?: unknown } | null)?.model;
  } catch {
    throw invalid('the decrypted request body is not valid JSON');
  }
  if (typeof model !== 'string') throw invalid('the decrypted request names no model');
  if (e2eModelBaseName(model) !== myModel) throw invalid(`the decrypted request names model ${model}, not this worker's`);
}

/**
 * Test support for the proxy's end-to-end path (docs/protocol.md §22): scripted workers on real TLS
 * sessions that announce `ext.workerE2eEvidence` (arbitrary certificate/signature bytes: the proxy
 * does not verify them, the client does) and answer sealed queries with opaque chunk bytes and a
 * receipt; sealed-looking `ext.e2eRequest` envelopes (random ciphertext: the proxy never opens them);
 * and a collector of one request's client messages up to its final one.
 */
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { CocoonSession, PROTOCOL_VERSIONS, encodeBoxed } from '@cocoon/protocol';
import type { ExtE2eEvidence, ExtE2eSignedReceipt, TlObject } from '@cocoon/protocol';
import { FakeTdxPolicyVerifier, FakeTdxProvider, NoTeeProvider, createAttestedCertificate, dialSecure } from '@cocoon/attestation';
import type { SelfSignedCertificate } from '@cocoon/attestation';
import { clientParams } from '../network/proxy-test-peer.ts';

const certificates = new Map<string, Promise<SelfSignedCertificate>>();
function certificateFor(role: 'client' | 'worker'): Promise<SelfSignedCertificate> {
  let certificate = certificates.get(role);
  if (!certificate) {
    certificate = createAttestedCertificate({ provider: role === 'worker' ? new FakeTdxProvider() : new NoTeeProvider(), now: new Date() });
    certificates.set(role, certificate);
  }
  return certificate;
}

/** A session to the proxy; `offerExtensions: false` dials like a reference peer. */
export async function dial(port: number, role: 'client' | 'worker', offerExtensions = true): Promise<CocoonSession> {
  const { socket } = await dialSecure({ host: '127.0.0.1', port, identity: await certificateFor(role), verifier: new FakeTdxPolicyVerifier(), offerExtensions });
  const session = new CocoonSession(socket, { role: 'dialer' });
  await session.open();
  return session;
}

export const tokens = (total: bigint): TlObject => ({
  _: 'tokensUsed', prompt_tokens_used: total / 2n, cached_tokens_used: 0n, completion_tokens_used: total - total / 2n, reasoning_tokens_used: 0n, total_tokens_used: total,
});

/** Evidence listing `hpkeKeys` for `model`; certificate and signature are arbitrary bytes. */
export function evidenceFor(hpkeKeys: readonly Buffer[], model: string, certificateBytes = 700): ExtE2eEvidence {
  return {
    _: 'ext.e2eEvidence',
    certificate: randomBytes(certificateBytes),
    key_set: {
      _: 'ext.e2eKeySet', certificate_public_key: randomBytes(32), issued_at: 1_700_000_000,
      keys: hpkeKeys.map((key) => ({ _: 'ext.e2eKey', hpke_public_key: key, signing_public_key: randomBytes(32), model, valid_from: 1_700_000_000, valid_until: 1_700_003_600 })),
    },
    signature: randomBytes(64),
  };
}

/** What a scripted worker does with one proxy.runQueryEx: answer it now, or hold it (the test answers later). */
export type WorkerScript = (worker: ScriptedWorker, request: TlObject) => void;

export interface ScriptedWorker {
  session: CocoonSession;
  /** Every proxy.runQueryEx this worker received, in order. */
  received: TlObject[];
  script: WorkerScript;
  ownerAddress: string;
  /** The evidence last announced (undefined: none). */
  evidence?: ExtE2eEvidence;
}

export interface ScriptedWorkerOptions {
  model: string;
  /** HPKE public keys to announce; none: a reference-like worker that never sends evidence. */
  hpkeKeys?: readonly Buffer[];
  coefficient?: number;
  offerExtensions?: boolean;
  maxActive?: number;
}

/** A worker that completes the §3.2 handshake, then (with keys) announces its e2e evidence. */
export async function scriptedWorker(port: number, options: ScriptedWorkerOptions): Promise<ScriptedWorker> {
  const session = await dial(port, 'worker', options.offerExtensions ?? true);
  const ownerAddress = `UQ-e2e-worker-${randomBytes(4).toString('hex')}`;
  const worker: ScriptedWorker = { session, received: [], script: () => undefined, ownerAddress };
  session.on('message', (message) => {
    if (message._ !== 'proxy.runQueryEx') return;
    worker.received.push(message);
    worker.script(worker, message);
  });
  const params = {
    _: 'worker.params', flags: 3, worker_owner_address: ownerAddress, model: options.model,
    coefficient: options.coefficient ?? 1000, is_test: true, proxy_cnt: 1, max_active_requests: options.maxActive ?? 8,
    min_proto_version: PROTOCOL_VERSIONS.worker.min, max_proto_version: PROTOCOL_VERSIONS.worker.max,
  };
  assert.equal((await session.query({ _: 'worker.connectToProxy', params }))._, 'worker.connectedToProxy');
  await session.query({ _: 'worker.compareBalanceWithProxy', tokens_committed_to_blockchain: 0n, tokens_committed_to_db: 0n, max_tokens: 0n });
  assert.equal((await session.query({ _: 'worker.proxyHandshakeComplete', is_disabled: false }))._, 'worker.proxyHandshakeCompleted');
  if (options.hpkeKeys) await announce(worker, evidenceFor(options.hpkeKeys, options.model));
  return worker;
}

/** An answer of one final chunk (5 tokens) with a receipt: what most routing tests need. */
export const answerOneChunk: WorkerScript = (worker, request) => answerSealed(worker, request, [boxedChunk(0, true, 100)], signedReceipt('m', 5n), 5n);

/** Sends `ext.workerE2eEvidence` and waits until the proxy has read it (a query round trip on the same session, read in order). */
export async function announce(worker: ScriptedWorker, evidence: ExtE2eEvidence): Promise<void> {
  worker.session.send({ _: 'ext.workerE2eEvidence', evidence });
  worker.evidence = evidence;
  await worker.session.query({ _: 'worker.updatePaymentStatus' });
}

export function boxedChunk(seq: number, final: boolean, ciphertextBytes: number): Buffer {
  return encodeBoxed({ _: 'ext.e2eAnswerChunk', seq, flags: final ? 1 : 0, ciphertext: randomBytes(ciphertextBytes) });
}

export function signedReceipt(model: string, total: bigint): ExtE2eSignedReceipt {
  return {
    _: 'ext.e2eSignedReceipt',
    body: {
      _: 'ext.e2eReceiptBody', request_id: randomBytes(32), request_hash: randomBytes(32), answer_hash: randomBytes(32), answer_chunks: 2, status: 0, model,
      hpke_public_key: randomBytes(32), signing_public_key: randomBytes(32), tokens_used: tokens(total) as never, coefficient: 1000, price_per_token: 20n,
      cost_nanoton: total * 20n, worker_start_ms: 1n, worker_end_ms: 2n, proxy: 'proxy',
    },
    signature: randomBytes(64),
  };
}

/** Answers `request` as an e2e worker: first chunk, further chunks, the receipt, then the final chunk with its final_info. */
export function answerSealed(worker: ScriptedWorker, request: TlObject, chunks: readonly Buffer[], receipt: ExtE2eSignedReceipt, total: bigint): void {
  const id = request.request_id as Buffer;
  const finalInfo = { _: 'proxy.queryFinalInfo', flags: 2, tokens_used: tokens(total), worker_start_time: 1, worker_end_time: 2 };
  chunks.forEach((chunk, index) => {
    const last = index === chunks.length - 1;
    if (last) worker.session.send({ _: 'ext.e2eReceipt', request_id: id, receipt });
    worker.session.send({
      _: index === 0 ? 'proxy.queryAnswerEx' : 'proxy.queryAnswerPartEx', request_id: id, answer: chunk,
      ...(last ? { flags: 1, final_info: finalInfo } : { flags: 0 }),
    });
  });
}

/** Boxed `ext.e2eRequest` bytes sealed (in form) to `recipients`; the ciphertext is random. */
export function sealedQuery(model: string, recipients: readonly Buffer[], ciphertextBytes = 2048): Buffer {
  return encodeBoxed({
    _: 'ext.e2eRequest',
    header: {
      _: 'ext.e2eRequestHeader', version: 1, request_id: randomBytes(32), model, created_at_ms: BigInt(Date.now()), max_tokens: 100, max_coefficient: 4000,
      timeout_ms: 10_000, recipients: [...recipients],
    },
    recipients: recipients.map((key) => ({ _: 'ext.e2eRecipient', hpke_public_key: key, enc: randomBytes(32), wrapped_key: randomBytes(48) })),
    ciphertext: randomBytes(ciphertextBytes),
  });
}

export function e2eRunQuery(model: string, query: Buffer, overrides: Partial<TlObject> = {}): TlObject {
  return {
    _: 'client.runQueryEx', model_name: model, query, max_coefficient: 4000, max_tokens: 100, timeout: 10, request_id: randomBytes(32),
    min_config_version: 0, flags: 0, ...overrides,
  };
}

/** An authorized dev client. */
export async function authorizedClient(port: number, offerExtensions = true): Promise<CocoonSession> {
  const session = await dial(port, 'client', offerExtensions);
  assert.equal((await session.query({ _: 'client.connectToProxy', params: clientParams(), min_config_version: 0 }))._, 'client.connectedToProxy');
  assert.equal((await session.query({ _: 'client.authorizeWithProxyShort', data: Buffer.alloc(0) }))._, 'client.authorizationWithProxySuccess');
  return session;
}

const isFinal = (message: TlObject): boolean => /Error(Ex|Coded)?$/.test(message._) || (/^client\.queryAnswer(Part)?Ex$/.test(message._) && ((message.flags as number) & 1) === 1);

/**
 * Sends `query` and resolves with every message for its request id (answers, receipt, final, and the
 * payment that follows a billed final), once the final message and, when `withPayment`, the payment came.
 */
export function exchange(session: CocoonSession, query: TlObject, withPayment = false): Promise<TlObject[]> {
  const id = query.request_id as Buffer;
  return new Promise((resolve) => {
    const messages: TlObject[] = [];
    let finalSeen = false;
    const listener = (message: TlObject) => {
      if (!(message.request_id as Buffer | undefined)?.equals(id)) return;
      messages.push(message);
      if (isFinal(message)) finalSeen = true;
      if (finalSeen && (!withPayment || message._ === 'proxy.clientRequestPayment')) {
        session.off('message', listener);
        resolve(messages);
      }
    };
    session.on('message', listener);
    session.send(query);
  });
}

/** Resolves once any of `workers` receives its next request, with that worker. */
export function nextRequestOf(workers: readonly ScriptedWorker[]): Promise<ScriptedWorker> {
  return new Promise((resolve) => {
    const listeners = workers.map((worker) => {
      const listener = (message: TlObject) => {
        if (message._ !== 'proxy.runQueryEx') return;
        workers.forEach((other, index) => other.session.off('message', listeners[index]!));
        resolve(worker);
      };
      worker.session.on('message', listener);
      return listener;
    });
  });
}

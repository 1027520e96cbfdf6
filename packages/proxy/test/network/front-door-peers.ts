/**
 * Test support for the proxy's front door: peers on real PoW + TLS connections that only ping,
 * that send raw (oversized) frame headers, a worker that completes its handshake and answers
 * requests, and bounded waits for closes.
 */
import type tls from 'node:tls';
import {
  CocoonSession,
  PROTOCOL_VERSIONS,
  encodeHttpResponse,
  type TlObject,
} from '@cocoon/protocol';
import { FakeTdxProvider, NoTeeProvider, FakeTdxPolicyVerifier, createAttestedCertificate, dialSecure, type SelfSignedCertificate } from '@cocoon/attestation';

export const MIB = 1024 * 1024;
export const FRONT_DOOR_MODEL = 'test/front-door';

const certificates = new Map<string, Promise<SelfSignedCertificate>>();
/** One certificate per role, shared by every peer of a test file (creating them is slow). */
function certificateFor(role: 'client' | 'worker'): Promise<SelfSignedCertificate> {
  let certificate = certificates.get(role);
  if (!certificate) {
    certificate = createAttestedCertificate({ provider: role === 'worker' ? new FakeTdxProvider() : new NoTeeProvider(), now: new Date() });
    certificates.set(role, certificate);
  }
  return certificate;
}

/** PoW + TLS to the proxy; the verified socket, before any session byte. */
export async function dialProxy(port: number, role: 'client' | 'worker'): Promise<tls.TLSSocket> {
  const { socket } = await dialSecure({ host: '127.0.0.1', port, identity: await certificateFor(role), verifier: new FakeTdxPolicyVerifier() });
  return socket;
}

/** An opened session that never authorizes; with a short pingAfterMs it keeps pinging. */
export async function pingingSession(port: number, role: 'client' | 'worker', pingAfterMs = 200): Promise<CocoonSession> {
  const session = new CocoonSession(await dialProxy(port, role), { role: 'dialer', pingAfterMs });
  await session.open();
  return session;
}

/** Resolves once the session is closed; rejects after `ms`. */
export function closedWithin(session: CocoonSession, ms: number): Promise<void> {
  if (session.isClosed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`session still open after ${ms} ms`)), ms);
    session.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Resolves once the socket is closed; rejects after `ms`. */
export function socketClosedWithin(socket: tls.TLSSocket, ms: number): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * A peer that announces a frame of `announcedBytes` and sends `sentBytes` of its payload, then
 * waits. Resolves with the socket once its bytes are written or the proxy has closed it.
 */
export async function partialFrameAttacker(port: number, role: 'client' | 'worker', announcedBytes: number, sentBytes: number): Promise<tls.TLSSocket> {
  const socket = await dialProxy(port, role);
  socket.on('error', () => undefined);
  const header = Buffer.alloc(8);
  header.writeUInt32LE(announcedBytes, 0);
  header.writeUInt32LE(0, 4);
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.write(Buffer.concat([header, Buffer.alloc(sentBytes, 0x41)]), () => resolve());
  });
  return socket;
}

export function workerParams(model = FRONT_DOOR_MODEL): TlObject {
  return {
    _: 'worker.params', flags: 3, worker_owner_address: 'UQ-front-door-worker', model, coefficient: 1000, is_test: true, proxy_cnt: 1,
    max_active_requests: 8, min_proto_version: PROTOCOL_VERSIONS.worker.min, max_proto_version: PROTOCOL_VERSIONS.worker.max,
  };
}

/**
 * A worker that completes the §3.2 handshake and answers every proxy.runQueryEx with a 200
 * whose body is `answerBytes` long (final, 10 prompt tokens); `querySizes` records the query sizes.
 */
export async function answeringWorker(port: number, answerBytes: number, model = FRONT_DOOR_MODEL): Promise<{ session: CocoonSession; querySizes: number[] }> {
  const session = new CocoonSession(await dialProxy(port, 'worker'), { role: 'dialer' });
  await session.open();
  const querySizes: number[] = [];
  session.on('message', (message) => {
    if (message._ !== 'proxy.runQueryEx') return;
    querySizes.push((message.query as Buffer).length);
    const tokens = { _: 'tokensUsed', prompt_tokens_used: 10n, cached_tokens_used: 0n, completion_tokens_used: 0n, reasoning_tokens_used: 0n, total_tokens_used: 10n };
    session.send({
      _: 'proxy.queryAnswerEx', request_id: message.request_id, flags: 1,
      answer: encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [['Content-Type', 'text/plain']], payload: Buffer.alloc(answerBytes, 0x62) }),
      final_info: { _: 'proxy.queryFinalInfo', flags: 2, tokens_used: tokens, worker_start_time: 1, worker_end_time: 2 },
    });
  });
  const connected = await session.query({ _: 'worker.connectToProxy', params: workerParams(model) });
  if (connected._ !== 'worker.connectedToProxy') throw new Error(`unexpected ${connected._}`);
  const compared = await session.query({ _: 'worker.compareBalanceWithProxy', tokens_committed_to_blockchain: 0n, tokens_committed_to_db: 0n, max_tokens: 0n });
  if (compared._ !== 'worker.compareBalanceWithProxyResult') throw new Error(`unexpected ${compared._}`);
  const completed = await session.query({ _: 'worker.proxyHandshakeComplete', is_disabled: false });
  if (completed._ !== 'worker.proxyHandshakeCompleted') throw new Error(`unexpected ${completed._}`);
  return { session, querySizes };
}

/** `stats.connections_rejected` total from the proxy's /jsonstats. */
export async function connectionsRejected(statsUrl: string): Promise<number> {
  const response = await fetch(new URL('/jsonstats', statsUrl));
  const body = await response.json() as { stats: { connections_rejected: number[] } };
  return body.stats.connections_rejected[0]!;
}

/** Test support: an in-process proxy and raw protocol peers (sessions) talking to it. */
import { createHash, randomBytes } from 'node:crypto';
import { CocoonSession, DEV_CLIENT_OWNER_ADDRESS, createLogger, encodeHttpRequest } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { FakeTdxProvider, NoTeeProvider, FakeTdxPolicyVerifier, createAttestedCertificate, dialSecure } from '@cocoon/attestation';
import { proxyConfigSchema, startProxyRunner } from '../../src/index.ts';
import type { ProxyConfigInput } from '../../src/index.ts';
import type { RunnerHandle } from '@cocoon/protocol';

export interface TestProxy {
  handle: RunnerHandle;
  clientPort: number;
  workerPort: number;
  statsUrl: string;
}

export async function startTestProxy(overrides: Partial<ProxyConfigInput> = {}): Promise<TestProxy> {
  const config = proxyConfigSchema.parse({ client_port: 0, worker_port: 0, http_port: 0, pow_difficulty: 2, ...overrides });
  const handle = await startProxyRunner(config, { logger: createLogger('proxy', { level: 'error' }) });
  const info = handle.readyInfo as { client_port: number; worker_port: number; stats_url: string };
  return { handle, clientPort: info.client_port, workerPort: info.worker_port, statsUrl: info.stats_url };
}

/** `offerExtensions: false` dials like a reference peer (no ALPN: no §19 extension on the session). */
export async function openPeerSession(port: number, role: 'client' | 'worker', offerExtensions = true): Promise<CocoonSession> {
  const certificate = await createAttestedCertificate({ provider: role === 'worker' ? new FakeTdxProvider() : new NoTeeProvider(), now: new Date() });
  const { socket } = await dialSecure({
    host: '127.0.0.1', port, identity: certificate, verifier: new FakeTdxPolicyVerifier(), offerExtensions,
  });
  const session = new CocoonSession(socket, { role: 'dialer' });
  await session.open();
  return session;
}

export function clientParams(isTest = true): TlObject {
  return { _: 'client.params', flags: 3, client_owner_address: DEV_CLIENT_OWNER_ADDRESS, is_test: isTest, min_proto_version: 1, max_proto_version: 2 };
}

/** Connects and authorizes the default dev client (empty secret). */
export async function authorizedClient(port: number, offerExtensions = true): Promise<CocoonSession> {
  const session = await openPeerSession(port, 'client', offerExtensions);
  const connected = await session.query({ _: 'client.connectToProxy', params: clientParams(), min_config_version: 0 });
  if (connected._ !== 'client.connectedToProxy') throw new Error(`unexpected ${connected._}`);
  const result = await session.query({ _: 'client.authorizeWithProxyShort', data: Buffer.alloc(0) });
  if (result._ !== 'client.authorizationWithProxySuccess') throw new Error(`unexpected ${result._}`);
  return session;
}

export function runQuery(model: string, overrides: Partial<TlObject> = {}): TlObject {
  const body = Buffer.from(JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }));
  return {
    _: 'client.runQueryEx',
    model_name: model,
    query: encodeRequest(body),
    max_coefficient: 4000,
    max_tokens: 100,
    timeout: 10,
    request_id: randomBytes(32),
    min_config_version: 0,
    flags: 1,
    enable_debug: false,
    ...overrides,
  };
}

function encodeRequest(body: Buffer): Buffer {
  return encodeHttpRequest({ method: 'POST', url: '/v1/chat/completions', httpVersion: 'HTTP/1.1', headers: [['Content-Type', 'application/json']], payload: body });
}

export function nextMessage(session: CocoonSession, name: string): Promise<TlObject> {
  return new Promise((resolve) => {
    const listener = (message: TlObject) => {
      if (message._ !== name) return;
      session.off('message', listener);
      resolve(message);
    };
    session.on('message', listener);
  });
}

export function closed(session: CocoonSession): Promise<void> {
  return session.isClosed ? Promise.resolve() : new Promise((resolve) => session.once('close', () => resolve()));
}

export const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Test doubles of reference 9060ce5 peers at the handshake (§3.3), built from its source
 * (WorkerProxyConnection.cpp, ClientProxyConnection.cpp, ProxyInbound*Connection.cpp): the
 * `worker.params` and `client.params` it sends, the `proxy.params` it answers with, and a scripted
 * proxy conversation that runs the §3.2 worker handshake choosing a given protocol version.
 */
import { DEV_CLIENT_OWNER_ADDRESS, EMPTY_SIGNED_PAYMENT } from '@cocoon/protocol';
import type { ClientParams, ProxyParams, TlObject, WorkerParams } from '@cocoon/protocol';
import type { ScriptedPeerConnection } from './scripted-reference-proxy.ts';

export const REFERENCE_9060CE5_WORKER_MODEL = `Qwen/Qwen3-8B@9060ce5:${'ab'.repeat(32)}`;

/**
 * `worker.params` of a 9060ce5 worker: flags `3 | (min_proto_version >= 4 ? 4 : 0)`, range 3..4, so
 * flags 3 and no machine description. `machineDescriptionJson` sets bit 2 and the field (as a worker
 * whose minimum is 4 would); `minProtoVersion`/`maxProtoVersion` override the range.
 */
export function reference9060ce5WorkerParams(options: {
  model?: string; machineDescriptionJson?: string; minProtoVersion?: number; maxProtoVersion?: number; ownerAddress?: string;
} = {}): WorkerParams {
  const described = options.machineDescriptionJson !== undefined;
  return {
    _: 'worker.params', flags: 3 | (described ? 4 : 0), worker_owner_address: options.ownerAddress ?? 'UQ-9060ce5-worker', model: options.model ?? REFERENCE_9060CE5_WORKER_MODEL,
    coefficient: 1000, is_test: true, proxy_cnt: 1, max_active_requests: 8,
    min_proto_version: options.minProtoVersion ?? 3, max_proto_version: options.maxProtoVersion ?? 4,
    ...(described ? { machine_description_json: options.machineDescriptionJson } : {}),
  };
}

/** `client.params` of a 9060ce5 client: flags 3, range 1..4. */
export function reference9060ce5ClientParams(options: { ownerAddress?: string; minProtoVersion?: number; maxProtoVersion?: number } = {}): ClientParams {
  return {
    _: 'client.params', flags: 3, client_owner_address: options.ownerAddress ?? DEV_CLIENT_OWNER_ADDRESS, is_test: true,
    min_proto_version: options.minProtoVersion ?? 1, max_proto_version: options.maxProtoVersion ?? 4,
  };
}

/** `proxy.params` as a reference proxy answers: flags `1 | (proto > 0 ? 2 : 0)` with the chosen version. */
export function referenceProxyParams(protoVersion: number, fields: Partial<Omit<ProxyParams, '_' | 'flags'>> = {}): ProxyParams {
  return {
    _: 'proxy.params', flags: 1 | (protoVersion > 0 ? 2 : 0), proxy_public_key: Buffer.alloc(32, 0x9c), proxy_owner_address: 'UQ-scripted-proxy-owner',
    proxy_sc_address: 'UQ-scripted-proxy-contract', is_test: true, ...(protoVersion > 0 ? { proto_version: protoVersion } : {}), ...fields,
  };
}

export interface ScriptedWorkerHandshake {
  /** The worker.params our worker sent. */
  params: TlObject;
}

/**
 * The proxy's side of the §3.2 worker handshake on a scripted connection, off chain: tcp.connect,
 * `worker.connectedToProxy` with `proxy.params` choosing `protoVersion`, the balance comparison, the
 * handshake completion. Resolves with what the worker sent; a worker that gives up rejects it.
 */
export async function scriptWorkerHandshake(connection: ScriptedPeerConnection, protoVersion: number): Promise<ScriptedWorkerHandshake> {
  const connect = await connection.next();
  connection.write({ _: 'tcp.connected', id: connect.id as bigint });
  const hello = await connection.expect('worker.connectToProxy');
  connection.answer(hello.packet.id as bigint, { _: 'worker.connectedToProxy', params: referenceProxyParams(protoVersion), worker_sc_address: 'UQ-scripted-worker-contract' });
  const compare = await connection.expect('worker.compareBalanceWithProxy');
  connection.answer(compare.packet.id as bigint, {
    _: 'worker.compareBalanceWithProxyResult', signed_payment: EMPTY_SIGNED_PAYMENT, tokens_committed_to_db: 0n, max_tokens: 0n, error_code: 0,
  });
  const complete = await connection.expect('worker.proxyHandshakeComplete');
  connection.answer(complete.packet.id as bigint, { _: 'worker.proxyHandshakeCompleted' });
  return { params: hello.inner.params as TlObject };
}

/**
 * The proxy's side of the §3.1 client handshake on a scripted connection, off chain: tcp.connect,
 * `client.connectedToProxy` with `proxy.params` choosing `protoVersion` (`0`: a proxy that sends no
 * version) and short authorization against `secretHash`, then `client.authorizationWithProxySuccess`.
 */
export async function scriptClientHandshake(connection: ScriptedPeerConnection, protoVersion: number, secretHash: Buffer): Promise<{ params: TlObject }> {
  const connect = await connection.next();
  connection.write({ _: 'tcp.connected', id: connect.id as bigint });
  const hello = await connection.expect('client.connectToProxy');
  connection.answer(hello.packet.id as bigint, {
    _: 'client.connectedToProxy', params: referenceProxyParams(protoVersion), client_sc_address: 'UQ-scripted-client-contract',
    auth: { _: 'client.proxyConnectionAuthShort', secret_hash: secretHash, nonce: 7n }, signed_payment: EMPTY_SIGNED_PAYMENT,
  });
  const authorize = await connection.expect('client.authorizeWithProxyShort');
  connection.answer(authorize.packet.id as bigint, { _: 'client.authorizationWithProxySuccess', signed_payment: EMPTY_SIGNED_PAYMENT, tokens_committed_to_db: 0n, max_tokens: 0n });
  return { params: hello.inner.params as TlObject };
}

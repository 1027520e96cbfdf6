/**
 * The proxy's identity as advertised in handshakes (`proxy.params`, §3.1/§3.2), the protocol
 * version negotiation shared by the client and worker handshakes (§3.3), and the check of a
 * worker's machine description.
 */
import {
  ClientParamsFlag, CocoonError, PROTOCOL_VERSIONS, ProxyParamsFlag, WorkerParamsFlag, expectTlObject, negotiateProtocolVersion as negotiate,
} from '@cocoon/protocol';
import type { ClientParams, ProxyParams, TlObject, WorkerParams } from '@cocoon/protocol';

export interface ProxyIdentity {
  publicKey: Buffer;
  ownerAddress: string;
  contractAddress: string;
  isTest: boolean;
}

/** The peer's `client.params` or `worker.params` (a TlObject while the client connection passes it untyped). */
type PeerParams = ClientParams | WorkerParams;

function peerParams(params: PeerParams | TlObject): PeerParams {
  return expectTlObject(params, 'client.params', 'worker.params');
}

/**
 * §3.3, as the reference proxy: the peer's range is read only when its flag bit 1 is set (else 0..0);
 * refused when it does not overlap ours (PROTOCOL_VERSIONS.proxy), else `min(peer max, our max)`.
 */
export function negotiateProtocolVersion(params: PeerParams | TlObject): number {
  const peer = peerParams(params);
  const isClient = peer._ === 'client.params';
  const versionBit = isClient ? ClientParamsFlag.min_proto_version : WorkerParamsFlag.min_proto_version;
  const hasVersions = ((peer.flags ?? 0) & versionBit) !== 0;
  const min = hasVersions ? (peer.min_proto_version ?? 0) : 0;
  const max = hasVersions ? (peer.max_proto_version ?? 0) : 0;
  return negotiate(PROTOCOL_VERSIONS.proxy, { min, max }, isClient ? 'client' : 'worker');
}

/** Bound of a worker's machine description (a JSON object of a few hardware facts). */
export const MAX_MACHINE_DESCRIPTION_BYTES = 16 * 1024;

/**
 * The worker's `machine_description_json` (flags bit 2): stored as sent, `{}` when absent (as the
 * reference proxy). Ours: it must be a JSON object of at most 16 KiB, else the handshake is refused.
 */
export function workerMachineDescription(params: WorkerParams): string {
  if (((params.flags ?? 0) & WorkerParamsFlag.machine_description_json) === 0 || params.machine_description_json === undefined) return '{}';
  const text = params.machine_description_json;
  if (Buffer.byteLength(text) > MAX_MACHINE_DESCRIPTION_BYTES) {
    throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `machine_description_json is longer than ${MAX_MACHINE_DESCRIPTION_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'machine_description_json is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'machine_description_json is not a JSON object');
  }
  return text;
}

export function proxyParams(identity: ProxyIdentity, protoVersion: number): ProxyParams {
  return {
    _: 'proxy.params',
    flags: protoVersion > 0 ? ProxyParamsFlag.is_test | ProxyParamsFlag.proto_version : ProxyParamsFlag.is_test,
    proxy_public_key: identity.publicKey,
    proxy_owner_address: identity.ownerAddress,
    proxy_sc_address: identity.contractAddress,
    is_test: identity.isTest,
    ...(protoVersion > 0 ? { proto_version: protoVersion } : {}),
  };
}

/** Checks the `is_test` flag bit and that test mode matches (§3.1/§3.2). */
export function checkTestMode(params: PeerParams | TlObject, identity: ProxyIdentity): void {
  const peer = peerParams(params);
  const testBit = peer._ === 'client.params' ? ClientParamsFlag.is_test : WorkerParamsFlag.is_test;
  if (((peer.flags ?? 0) & testBit) === 0) throw new CocoonError('CCN_ERR_PROTOCOL_VERSION', 'too old peer: params flags lack is_test');
  if (peer.is_test !== identity.isTest) {
    throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `test mode mismatch: peer is_test=${String(peer.is_test)}, proxy is_test=${identity.isTest}`);
  }
}

/** Stand-in for contract addresses until the TON issue derives them from state-init. */
export function placeholderContractAddress(kind: string, ...parts: string[]): string {
  return `${kind}:${parts.join(':')}`;
}

/**
 * The proxy's identity as advertised in handshakes (`proxy.params`, §3.1/§3.2), and the
 * protocol version negotiation shared by the client and worker handshakes.
 */
import { ClientParamsFlag, CocoonError, PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN, ProxyParamsFlag, WorkerParamsFlag, expectTlObject } from '@cocoon/protocol';
import type { ClientParams, ProxyParams, TlObject, WorkerParams } from '@cocoon/protocol';

export interface ProxyIdentity {
  publicKey: Buffer;
  ownerAddress: string;
  contractAddress: string;
  isTest: boolean;
}

/** Proxy supports protocol versions 0..2 like the reference, Ex answers from 1 on. */
export const PROXY_PROTOCOL_MIN = 1;

/** The peer's `client.params` or `worker.params` (a TlObject while the client connection passes it untyped). */
type PeerParams = ClientParams | WorkerParams;

function peerParams(params: PeerParams | TlObject): PeerParams {
  return expectTlObject(params, 'client.params', 'worker.params');
}

export function negotiateProtocolVersion(params: PeerParams | TlObject): number {
  const peer = peerParams(params);
  const versionBit = peer._ === 'client.params' ? ClientParamsFlag.min_proto_version : WorkerParamsFlag.min_proto_version;
  const hasVersions = ((peer.flags ?? 0) & versionBit) !== 0;
  const min = hasVersions ? (peer.min_proto_version ?? 0) : 0;
  const max = hasVersions ? (peer.max_proto_version ?? 0) : 0;
  const chosen = Math.min(max, PROTOCOL_VERSION_MAX);
  if (chosen < Math.max(min, PROXY_PROTOCOL_MIN) || chosen < PROTOCOL_VERSION_MIN) {
    throw new CocoonError('CCN_ERR_PROTOCOL_VERSION', `no common protocol version: peer ${min}..${max}, proxy ${PROXY_PROTOCOL_MIN}..${PROTOCOL_VERSION_MAX}`);
  }
  return chosen;
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

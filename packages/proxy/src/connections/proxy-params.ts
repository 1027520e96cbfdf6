/**
 * The proxy's identity as advertised in handshakes (`proxy.params`, §3.1/§3.2), and the
 * protocol version negotiation shared by the client and worker handshakes.
 */
import { CocoonError, PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';

export interface ProxyIdentity {
  publicKey: Buffer;
  ownerAddress: string;
  contractAddress: string;
  isTest: boolean;
}

/** Proxy supports protocol versions 0..2 like the reference, Ex answers from 1 on. */
export const PROXY_PROTOCOL_MIN = 1;

export function negotiateProtocolVersion(params: TlObject): number {
  const flags = params.flags as number;
  const min = flags & 2 ? (params.min_proto_version as number) : 0;
  const max = flags & 2 ? (params.max_proto_version as number) : 0;
  const chosen = Math.min(max, PROTOCOL_VERSION_MAX);
  if (chosen < Math.max(min, PROXY_PROTOCOL_MIN) || chosen < PROTOCOL_VERSION_MIN) {
    throw new CocoonError('CCN_ERR_PROTOCOL_VERSION', `no common protocol version: peer ${min}..${max}, proxy ${PROXY_PROTOCOL_MIN}..${PROTOCOL_VERSION_MAX}`);
  }
  return chosen;
}

export function proxyParams(identity: ProxyIdentity, protoVersion: number): TlObject {
  return {
    _: 'proxy.params',
    flags: protoVersion > 0 ? 3 : 1,
    proxy_public_key: identity.publicKey,
    proxy_owner_address: identity.ownerAddress,
    proxy_sc_address: identity.contractAddress,
    is_test: identity.isTest,
    ...(protoVersion > 0 ? { proto_version: protoVersion } : {}),
  };
}

/** Checks `flags & 1` and that test mode matches (§3.1/§3.2). */
export function checkTestMode(params: TlObject, identity: ProxyIdentity): void {
  if (!((params.flags as number) & 1)) throw new CocoonError('CCN_ERR_PROTOCOL_VERSION', 'too old peer: params flags lack is_test');
  if ((params.is_test as boolean) !== identity.isTest) {
    throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `test mode mismatch: peer is_test=${String(params.is_test)}, proxy is_test=${identity.isTest}`);
  }
}

/** Stand-in for contract addresses until the TON issue derives them from state-init. */
export function placeholderContractAddress(kind: string, ...parts: string[]): string {
  return `${kind}:${parts.join(':')}`;
}

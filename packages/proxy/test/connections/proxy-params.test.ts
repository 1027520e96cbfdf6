/**
 * The handshake params checks of the proxy (§3.1/§3.2) on decoded client.params and worker.params:
 * protocol version negotiation reads the versions only when their flag bit is set (else 0, which the proxy takes), checkTestMode
 * refuses a peer without the is_test bit (too old) or with the other test mode, proxyParams sets
 * the proto_version bit only for version > 0, and anything but client/worker params is refused.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSIONS, ProxyParamsFlag, decodeBoxed, encodeBoxed } from '@cocoon/protocol';
import type { ClientParams, TlObject, WorkerParams } from '@cocoon/protocol';
import { checkTestMode, negotiateProtocolVersion, proxyParams, type ProxyIdentity } from '../../src/connections/proxy-params.ts';

const identity: ProxyIdentity = { publicKey: Buffer.alloc(32, 3), ownerAddress: 'owner', contractAddress: 'contract', isTest: true };
const hasCode = (code: string) => (error: unknown): boolean => (error as { code?: unknown }).code === code;

/** Round trip through the codec, as the params arrive from a session. */
function decoded(value: ClientParams | WorkerParams): TlObject {
  return decodeBoxed(encodeBoxed(value));
}
const clientParams = (fields: Partial<ClientParams>): TlObject => decoded({ _: 'client.params', client_owner_address: 'client', ...fields });
const workerParams = (fields: Partial<WorkerParams>): TlObject => decoded({ _: 'worker.params', worker_owner_address: 'worker', model: 'm', coefficient: 1000, ...fields });

describe('negotiateProtocolVersion', () => {
  test('chooses the highest common version of client and worker params', () => {
    assert.equal(negotiateProtocolVersion(clientParams({ is_test: true, min_proto_version: 0, max_proto_version: 9 })), PROTOCOL_VERSIONS.proxy.max);
    assert.equal(negotiateProtocolVersion(workerParams({ is_test: true, proxy_cnt: 1, max_active_requests: 1, min_proto_version: 1, max_proto_version: 1 })), 1);
  });

  test('a peer without the version bit, or offering max 0, speaks version 0, which this proxy takes (as the reference, 0..4)', () => {
    assert.equal(negotiateProtocolVersion(clientParams({ is_test: true })), 0);
    assert.equal(negotiateProtocolVersion(workerParams({ is_test: true, proxy_cnt: 1, max_active_requests: 1 })), 0);
    assert.equal(negotiateProtocolVersion(clientParams({ is_test: true, min_proto_version: 0, max_proto_version: 0 })), 0);
  });

  test('a range above ours is refused, naming both ranges', () => {
    assert.throws(() => negotiateProtocolVersion(clientParams({ is_test: true, min_proto_version: 5, max_proto_version: 7 })), hasCode('CCN_ERR_PROTOCOL_VERSION'));
    assert.throws(() => negotiateProtocolVersion(workerParams({ is_test: true, proxy_cnt: 1, max_active_requests: 1, min_proto_version: 5, max_proto_version: 5 })), /worker speaks 5\.\.5, this runner 0\.\.4/);
  });

  test('refuses objects that are not client or worker params', () => {
    assert.throws(() => negotiateProtocolVersion(proxyParams(identity, 2)), hasCode('CCN_ERR_PROTOCOL_VIOLATION'));
  });
});

describe('checkTestMode', () => {
  test('accepts the same test mode and refuses the other one', () => {
    checkTestMode(clientParams({ is_test: true }), identity);
    assert.throws(() => checkTestMode(workerParams({ is_test: false, proxy_cnt: 1, max_active_requests: 1 }), identity), /peer is_test=false, proxy is_test=true/);
  });

  test('refuses a peer whose flags lack the is_test bit as too old', () => {
    assert.throws(() => checkTestMode(clientParams({}), identity), hasCode('CCN_ERR_PROTOCOL_VERSION'));
  });
});

describe('proxyParams', () => {
  test('sets the proto_version bit only for a version above 0', () => {
    const current = decodeBoxed(encodeBoxed(proxyParams(identity, 2)));
    assert.equal(current.flags, ProxyParamsFlag.is_test | ProxyParamsFlag.proto_version);
    assert.equal(current.proto_version, 2);
    const legacy = decodeBoxed(encodeBoxed(proxyParams(identity, 0)));
    assert.equal(legacy.flags, ProxyParamsFlag.is_test);
    assert.equal(legacy.proto_version, undefined);
  });
});

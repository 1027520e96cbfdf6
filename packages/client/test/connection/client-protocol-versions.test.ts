/**
 * Our client's handshake versions against a scripted reference proxy (§3.3): it offers 1..4 with
 * client.params flags 3 as a 9060ce5 client; a proxy choosing 4 (9060ce5) or 2 (b75d444) is accepted
 * and the choice is exposed as `protoVersion`; a proxy that sends no version (0) is refused clearly.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createLogger, type TlObject } from '@cocoon/protocol';
import { AnyPolicyVerifier, NoTeeProvider, createAttestedCertificate, type SecureIdentitySource } from '@cocoon/attestation';
import { scriptClientHandshake, startScriptedProxy } from '@cocoon/test-support';
import { ClientProxyConnection } from '../../src/connection/client-proxy-connection.ts';

const SECRET = 'client-secret';
let identity: SecureIdentitySource;

before(async () => {
  identity = await createAttestedCertificate({ provider: new NoTeeProvider(), now: new Date() });
});

async function handshakeAt(protoVersion: number): Promise<{ params: Promise<TlObject>; connection: ClientProxyConnection; failed: Promise<string>; close: () => Promise<void> }> {
  let failedWith!: (line: string) => void;
  const failed = new Promise<string>((resolve) => { failedWith = resolve; });
  let paramsOf!: (params: TlObject) => void;
  const params = new Promise<TlObject>((resolve) => { paramsOf = resolve; });
  const proxy = await startScriptedProxy(async (peer) => {
    paramsOf((await scriptClientHandshake(peer, protoVersion, createHash('sha256').update(SECRET).digest())).params);
  });
  const connection = new ClientProxyConnection({
    host: '127.0.0.1', port: proxy.port, identity, verifier: new AnyPolicyVerifier(), maxPowDifficulty: 8,
    ownerAddress: 'UQ-client-owner', secretString: SECRET, isTest: true,
    logger: createLogger('client', { level: 'debug', write: (line) => { if (line.includes('proxy connection failed')) failedWith(line); } }),
  });
  connection.start();
  return { params, connection, failed, close: async () => { connection.close(); await proxy.close(); } };
}

describe('our client against a scripted reference proxy', () => {
  for (const version of [4, 2]) {
    test(`a proxy choosing ${version} is accepted and exposed`, async () => {
      const run = await handshakeAt(version);
      try {
        const params = await run.params;
        assert.equal(params.flags, 3);
        assert.equal(params.min_proto_version, 1);
        assert.equal(params.max_proto_version, 4);
        await run.connection.whenReady();
        assert.equal(run.connection.protoVersion, version);
      } finally {
        await run.close();
      }
    });
  }

  test('a proxy that sends no version is refused', async () => {
    const run = await handshakeAt(0);
    try {
      assert.match(await run.failed, /proxy chose protocol version 0, this runner speaks 1\.\.4 \(the proxy is too old\)/);
      assert.equal(run.connection.protoVersion, 0);
      assert.equal(run.connection.isReady, false);
    } finally {
      await run.close();
    }
  });
});

/**
 * The proxy's side of proto-3 encrypted requests (docs/protocol.md §20), with worker-link and client
 * doubles: the private key for the client's `public_key` comes from the key ring and goes only to a
 * worker of protocol ≥ 3 in `proxy.runQueryEx.private_key` (flag bit 1, zeros for clear requests, as the
 * reference); an unknown or expired key and a network without such workers are clear errors; the key
 * is never logged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EncryptionKeyRing, createLogger, ed25519PublicKeyOf, extensionsOfAlpn } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { ProxyRequest } from '../../src/requests/proxy-request.ts';
import type { ProxyRequestContext, ProxyRequestSink, WorkerLink } from '../../src/requests/proxy-request-context.ts';
import { RetryPolicy, WorkerRegistry } from '../../src/routing/index.ts';
import { ClientAccount } from '../../src/billing/index.ts';

/** Test double of a worker connection: records what the proxy sends it. */
class RecordingWorkerLink implements WorkerLink {
  sent: TlObject[] = [];
  attach() {}
  detach() {}
  send(message: TlObject) { this.sent.push(message); }
  signedPayment(): TlObject { return { _: 'proxy.signedPaymentEmpty' }; }
  sendPayment() {}
}

const NOW_MS = 1_700_000_000_000;
const networkKey = Buffer.alloc(32, 0x22);
const networkPublic = Buffer.from(ed25519PublicKeyOf(networkKey));

function setup(workers: Array<[id: string, protoVersion: number]>, options: { extensions?: boolean } = {}) {
  const registry = new WorkerRegistry({ now: () => NOW_MS });
  const links = new Map<string, RecordingWorkerLink>();
  for (const [id, protoVersion] of workers) {
    registry.register({ id, ownerAddress: `owner-${id}`, modelBaseName: 'm', modelFullName: 'm@r:h', coefficient: 1000, maxActiveRequests: 5, enabled: true, protoVersion });
    links.set(id, new RecordingWorkerLink());
  }
  const keyRing = new EncryptionKeyRing();
  keyRing.replace([{ privateKey: networkKey, validUntilUtime: NOW_MS / 1000 + 3600 }, { privateKey: Buffer.alloc(32, 0x44), validUntilUtime: NOW_MS / 1000 - 1 }]);
  const logLines: string[] = [];
  const context: ProxyRequestContext = {
    registry, workerLinks: links as Map<string, WorkerLink>, logger: createLogger('proxy', { level: 'debug', write: (line) => logLines.push(line) }), now: () => NOW_MS,
    configVersion: 0, retryPolicy: new RetryPolicy({ maxAttempts: 3 }), keyRing,
    accounting: { finish: async () => { throw new Error('not billed in these tests'); } },
    stats: { rejected: () => undefined, retried: () => undefined, finished: () => undefined },
  };
  const account = new ClientAccount({ ownerAddress: 'client', state: { status: 'active', balanceNanoton: 10n ** 12n, stakeNanoton: 10n ** 11n, chargedTokens: 0n }, pricePerToken: () => 20n });
  const toClient: TlObject[] = [];
  const sink: ProxyRequestSink = {
    clientOwner: 'client', account, detached: false, send: (message) => toClient.push(message), sendPayment: () => undefined,
    ...(options.extensions ? { extensions: extensionsOfAlpn('cocoon-ext-1') } : {}),
  };
  const start = (publicKey?: Buffer) => {
    const request = new ProxyRequest(context, sink, {
      modelName: 'm', query: Buffer.alloc(100), maxCoefficient: 4000, maxTokens: 100, timeoutSeconds: 10, clientRequestId: Buffer.alloc(32, 1), enableDebug: false,
      ...(publicKey ? { publicKey } : {}),
    });
    request.start();
    return request;
  };
  return { links, toClient, start, logLines };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('an encrypted request goes to the protocol-3 worker with the private key (flags 3)', () => {
  const s = setup([['old', 2], ['new', 3]]);
  s.start(networkPublic);
  assert.equal(s.links.get('old')!.sent.length, 0);
  const sent = s.links.get('new')!.sent[0]!;
  assert.equal(sent.flags, 3);
  assert.deepEqual(sent.private_key, networkKey);
  assert.ok(!s.logLines.some((line) => line.includes(networkKey.toString('hex')) || line.includes(networkKey.toString('base64'))), 'the key is never logged');
});

test('clear requests: zeros with flag bit 1 to a protocol-3 worker, no private_key to an older one (as the reference)', () => {
  const older = setup([['old', 2]]);
  older.start();
  assert.deepEqual(older.links.get('old')!.sent[0]!.flags, 1);
  assert.equal(older.links.get('old')!.sent[0]!.private_key, undefined);
  const s = setup([['new', 3]]);
  s.start(Buffer.alloc(32)); // an all-zero public_key is no key (a reference client at proto 3 sends it so)
  assert.equal(s.links.get('new')!.sent[0]!.flags, 3);
  assert.deepEqual(s.links.get('new')!.sent[0]!.private_key, Buffer.alloc(32));
});

test('an unknown or expired key is refused at once with the reference text and our code', async () => {
  for (const publicKey of [Buffer.from(ed25519PublicKeyOf(Buffer.alloc(32, 0x55))), Buffer.from(ed25519PublicKeyOf(Buffer.alloc(32, 0x44)))]) {
    const s = setup([['new', 3]], { extensions: true });
    s.start(publicKey);
    await settle();
    assert.equal(s.links.get('new')!.sent.length, 0);
    assert.equal(s.toClient[0]!._, 'ext.clientQueryAnswerErrorCoded');
    assert.equal(s.toClient[0]!.ccn_code, 'CCN_ERR_ENCRYPTION_UNKNOWN_KEY');
    assert.equal(s.toClient[0]!.error, `unknown public key ${publicKey.toString('hex')}`);
  }
});

test('an encrypted request with only older workers: CCN_ERR_ROUTE_NO_ENCRYPTING_WORKER, nothing sent', async () => {
  const s = setup([['old', 2], ['older', 1]], { extensions: true });
  s.start(networkPublic);
  await settle();
  assert.equal(s.links.get('old')!.sent.length + s.links.get('older')!.sent.length, 0);
  assert.equal(s.toClient[0]!.ccn_code, 'CCN_ERR_ROUTE_NO_ENCRYPTING_WORKER');
  assert.match(s.toClient[0]!.error as string, /^no workers for model m take encrypted requests/);
});

test('a retry of an encrypted request stays on protocol-3 workers', () => {
  const s = setup([['a', 3], ['old', 2], ['b', 3]]);
  const request = s.start(networkPublic);
  request.onWorkerMessage({ _: 'proxy.queryAnswerErrorEx', request_id: request.workerRequestId, error_code: 651, error: 'worker: too many active queries', flags: 0 });
  assert.equal(s.links.get('old')!.sent.length, 0);
  assert.deepEqual(s.links.get('b')!.sent[0]!.private_key, networkKey);
});

/**
 * §7.3 on the proxy: with worker hashes checked, a worker whose full model string is not in the
 * root's model_hashes is refused at worker.connectToProxy (never registered, connection closed);
 * an allowed model registers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { CocoonError, PROTOCOL_VERSIONS, createLogger, type CocoonSession, type TlObject } from '@cocoon/protocol';
import { RootHashPolicy, allowedHashes, modelHash } from '@cocoon/attestation';
import { ProxyWorkerConnection } from '../../src/connections/proxy-worker-connection.ts';
import { OffChainLink } from '../../src/connections/proxy-chain-link.ts';
import { InMemoryLedger } from '../../src/ledger/index.ts';
import { WorkerRegistry } from '../../src/routing/index.ts';
import type { WorkerLink } from '../../src/requests/proxy-request-context.ts';

const ALLOWED_MODEL = `org/allowed@rev:${'a'.repeat(64)}`;

/** Test double of a session: queries are emitted by the test, closes are recorded. */
class RecordingSession extends EventEmitter {
  closedWith: CocoonError | undefined;
  isOpen = true;
  close(error?: CocoonError) { this.closedWith = error; this.isOpen = false; }
  send() {}
}

async function connectWorker(model: string): Promise<{ outcome: TlObject | Error; registry: WorkerRegistry; session: RecordingSession }> {
  const session = new RecordingSession();
  const registry = new WorkerRegistry({ now: Date.now });
  const hashes = RootHashPolicy.fixed(allowedHashes({ modelHashes: [modelHash(ALLOWED_MODEL)] }));
  new ProxyWorkerConnection({
    id: 'worker-1', session: session as unknown as CocoonSession, registry, workerLinks: new Map<string, WorkerLink>(), ledger: new InMemoryLedger(),
    identity: { publicKey: Buffer.alloc(32, 1), ownerAddress: 'proxy-owner', contractAddress: 'proxy-contract', isTest: true },
    chain: new OffChainLink('proxy-contract'), logger: createLogger('test', { level: 'error' }),
    checkModel: (name) => hashes.checkModel(name),
  });
  const outcome = await new Promise<TlObject | Error>((resolve) => {
    session.emit('query', {
      _: 'worker.connectToProxy',
      params: {
        _: 'worker.params', flags: 3, worker_owner_address: 'worker-owner', model, coefficient: 1000, is_test: true, proxy_cnt: 1,
        max_active_requests: 4, min_proto_version: PROTOCOL_VERSIONS.worker.min, max_proto_version: PROTOCOL_VERSIONS.worker.max,
      },
    }, { answer: resolve, fail: (error: unknown) => resolve(error as Error) });
  });
  await new Promise((resolve) => setImmediate(resolve));
  return { outcome, registry, session };
}

test('a worker serving a model the root does not allow is refused and never registered', async () => {
  const { outcome, registry, session } = await connectWorker(`org/other@rev:${'b'.repeat(64)}`);
  assert.ok(outcome instanceof CocoonError);
  assert.equal(outcome.code, 'CCN_ERR_ATTEST_POLICY');
  assert.match(outcome.message, /model_hashes/);
  assert.deepEqual(registry.workerConnections(), []);
  assert.ok(session.closedWith, 'the connection is closed');
});

test('a worker serving an allowed model registers', async () => {
  const { outcome, registry, session } = await connectWorker(ALLOWED_MODEL);
  assert.equal((outcome as TlObject)._, 'worker.connectedToProxy');
  assert.equal(registry.workerConnections().length, 1);
  assert.equal(session.closedWith, undefined);
});

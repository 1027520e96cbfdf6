/**
 * What the proxy tells about its end-to-end workers (docs/protocol.md §22), on real TLS sessions:
 * `ext.getE2eWorkers` lists the enabled workers of the model that announced evidence — those able to
 * take a request first, then cheapest — with coefficient, load and the evidence byte-identical as
 * announced; a malformed or oversized announcement is ignored (the previous evidence stays), a new one
 * replaces the routing keys; `/jsonstats` shows per worker whether it announced keys and how many.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { encodeBoxed } from '@cocoon/protocol';
import type { CocoonSession, ExtE2eEvidence, TlObject } from '@cocoon/protocol';
import { startTestProxy } from '../network/proxy-test-peer.ts';
import type { TestProxy } from '../network/proxy-test-peer.ts';
import { answerOneChunk, announce, authorizedClient, e2eRunQuery, evidenceFor, exchange, nextRequestOf, scriptedWorker, sealedQuery } from './e2e-test-peers.ts';
import type { ScriptedWorker } from './e2e-test-peers.ts';

const MODEL = 'test/e2e-list';
const EVIDENCE_MODEL = 'test/e2e-evidence';

const listed = async (client: CocoonSession, model: string): Promise<TlObject[]> => {
  const answer = await client.query({ _: 'ext.getE2eWorkers', model });
  assert.equal(answer._, 'ext.e2eWorkers');
  return answer.workers as TlObject[];
};
const sameEvidence = (entry: TlObject, evidence: ExtE2eEvidence | undefined): boolean => encodeBoxed(entry.evidence as TlObject).equals(encodeBoxed(evidence!));

describe('e2e workers as the proxy lists them', () => {
  let proxy: TestProxy;
  let cheapBusy: ScriptedWorker;
  let middle: ScriptedWorker;
  let expensive: ScriptedWorker;
  let reference: ScriptedWorker;
  let other: ScriptedWorker;
  let evidenceWorker: ScriptedWorker;
  let client: CocoonSession;
  const evidenceKey = randomBytes(32);
  let accepted: ExtE2eEvidence;

  before(async () => {
    proxy = await startTestProxy();
    expensive = await scriptedWorker(proxy.workerPort, { model: `${MODEL}@r:h`, hpkeKeys: [randomBytes(32), randomBytes(32)], coefficient: 3000 });
    cheapBusy = await scriptedWorker(proxy.workerPort, { model: `${MODEL}@r:h`, hpkeKeys: [randomBytes(32)], coefficient: 500, maxActive: 1 });
    middle = await scriptedWorker(proxy.workerPort, { model: `${MODEL}@r:h`, hpkeKeys: [randomBytes(32)], coefficient: 1500 });
    reference = await scriptedWorker(proxy.workerPort, { model: `${MODEL}@r:h`, offerExtensions: false, coefficient: 100 });
    other = await scriptedWorker(proxy.workerPort, { model: 'test/e2e-other@r:h', hpkeKeys: [randomBytes(32)] });
    evidenceWorker = await scriptedWorker(proxy.workerPort, { model: `${EVIDENCE_MODEL}@r:h`, hpkeKeys: [evidenceKey] });
    accepted = evidenceWorker.evidence!;
    evidenceWorker.script = answerOneChunk;
    client = await authorizedClient(proxy.clientPort);
  });

  after(async () => {
    for (const worker of [cheapBusy, middle, expensive, reference, other, evidenceWorker]) worker?.session.close();
    client?.close();
    await proxy?.handle.close();
  });

  test('lists the e2e workers of the model cheapest first, each with its load and evidence as announced', async () => {
    const workers = await listed(client, MODEL);
    assert.deepEqual(workers.map((worker) => worker.coefficient), [500, 1500, 3000], 'no reference worker, no other model');
    assert.ok(sameEvidence(workers[0]!, cheapBusy.evidence) && sameEvidence(workers[1]!, middle.evidence) && sameEvidence(workers[2]!, expensive.evidence));
    assert.deepEqual(workers.map((worker) => [worker.active_requests, worker.max_active_requests]), [[0, 1], [0, 8], [0, 8]]);
    assert.equal((await listed(client, `${MODEL}@r:h`)).length, 3, 'a full model name reads as its base name');
    assert.deepEqual(await listed(client, 'test/e2e-nobody'), []);
  });

  test('a worker at its limit comes after those that can take a request now', async () => {
    const key = ((cheapBusy.evidence!.key_set.keys[0]!).hpke_public_key);
    const arrived = nextRequestOf([cheapBusy]);
    const held = exchange(client, e2eRunQuery(MODEL, sealedQuery(MODEL, [key])));
    await arrived;
    const workers = await listed(client, MODEL);
    assert.deepEqual(workers.map((worker) => [worker.coefficient, worker.active_requests]), [[1500, 0], [3000, 0], [500, 1]]);
    answerOneChunk(cheapBusy, cheapBusy.received[0]!);
    assert.equal((await held).at(-1)!._, 'client.queryAnswerEx');
  });

  test('an oversized or malformed announcement is ignored and the previous evidence stays; a new one replaces the keys', async () => {
    await announce(evidenceWorker, evidenceFor([randomBytes(32)], `${EVIDENCE_MODEL}@r:h`, 70 * 1024));
    await announce(evidenceWorker, { ...evidenceFor([randomBytes(32)], `${EVIDENCE_MODEL}@r:h`), signature: randomBytes(3) });
    await announce(evidenceWorker, evidenceFor(Array.from({ length: 17 }, () => randomBytes(32)), `${EVIDENCE_MODEL}@r:h`));
    assert.ok(evidenceWorker.session.isOpen, 'a bad announcement does not cost the worker its connection');
    const [entry] = await listed(client, EVIDENCE_MODEL);
    assert.ok(sameEvidence(entry!, accepted), 'still the evidence accepted first');
    assert.equal((await exchange(client, e2eRunQuery(EVIDENCE_MODEL, sealedQuery(EVIDENCE_MODEL, [evidenceKey])))).at(-1)!._, 'client.queryAnswerEx');

    const rotated = randomBytes(32);
    const replacement = evidenceFor([rotated], `${EVIDENCE_MODEL}@r:h`);
    await announce(evidenceWorker, replacement);
    assert.ok(sameEvidence((await listed(client, EVIDENCE_MODEL))[0]!, replacement));
    const stale = await exchange(client, e2eRunQuery(EVIDENCE_MODEL, sealedQuery(EVIDENCE_MODEL, [evidenceKey])));
    assert.equal(stale[0]!.ccn_code, 'CCN_ERR_E2E_NO_RECIPIENT', 'a key no longer announced routes nowhere');
    assert.equal((await exchange(client, e2eRunQuery(EVIDENCE_MODEL, sealedQuery(EVIDENCE_MODEL, [rotated])))).at(-1)!._, 'client.queryAnswerEx');
  });

  test('/jsonstats shows per worker connection whether it announced e2e keys and how many, never the keys', async () => {
    const response = await fetch(new URL('/jsonstats', proxy.statsUrl));
    const text = await response.text();
    const connections = (JSON.parse(text) as { worker_connections: Array<{ owner_address: string; e2e: boolean; e2e_keys: number }> }).worker_connections;
    const of = (worker: ScriptedWorker) => connections.find((connection) => connection.owner_address === worker.ownerAddress)!;
    assert.deepEqual([of(expensive).e2e, of(expensive).e2e_keys], [true, 2]);
    assert.deepEqual([of(middle).e2e, of(middle).e2e_keys], [true, 1]);
    assert.deepEqual([of(reference).e2e, of(reference).e2e_keys], [false, 0]);
    const someKey = expensive.evidence!.key_set.keys[0]!.hpke_public_key;
    assert.ok(!text.includes(someKey.toString('hex')) && !text.includes(someKey.toString('base64')), 'no key material');
  });
});

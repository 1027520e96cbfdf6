/**
 * Second half of the ledger conformance suite: owner listings, the save-state commit
 * scheme (§6.4: snapshot → seen on chain → committed to blockchain), meta values and the
 * §3.2 anti-rollback check. Called from `runLedgerConformance` inside its describe block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import type { Ledger } from '../../src/ledger/index.ts';
import { assertOrdered, sampleCompletion } from './ledger-sample-completion.ts';

type WithLedger = (body: (ledger: Ledger) => Promise<void>) => () => Promise<void>;

const isRollback = (error: unknown): boolean => error instanceof CocoonError && error.code === 'CCN_ERR_LEDGER_ROLLBACK';

export function runSaveStateConformance(withLedger: WithLedger): void {
  test('clients() and workers() list every owner with its totals, sorted', withLedger(async (ledger) => {
    assert.deepEqual(await ledger.clients(), []);
    assert.deepEqual(await ledger.workers(), []);
    await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c2', workerOwner: 'w1', total: 5 }));
    await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c1', workerOwner: 'w1', total: 7 }));
    const totals = (tokens: bigint) => ({ tokensMax: tokens, tokensCommittedToDb: tokens, tokensCommittedToBlockchain: 0n });
    assert.deepEqual(await ledger.clients(), [{ owner: 'c1', totals: totals(7n) }, { owner: 'c2', totals: totals(5n) }]);
    assert.deepEqual(await ledger.workers(), [{ owner: 'w1', totals: totals(12n) }]);
  }));

  test('save-state seqnos start at 1 and strictly increase', withLedger(async (ledger) => {
    assert.deepEqual(await ledger.lastSaveStateSeqno(), { snapshot: 0, committed: 0 });
    assert.equal(await ledger.snapshotForSaveState(), 1);
    assert.equal(await ledger.snapshotForSaveState(), 2);
    const concurrent = await Promise.all([ledger.snapshotForSaveState(), ledger.snapshotForSaveState(), ledger.snapshotForSaveState()]);
    assert.deepEqual([...concurrent].sort(), [3, 4, 5]);
    assert.deepEqual(await ledger.lastSaveStateSeqno(), { snapshot: 5, committed: 0 });
  }));

  test('committing a save-state moves committed-to-blockchain to the snapshot value, not the live one', withLedger(async (ledger) => {
    await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c', workerOwner: 'w', total: 30 }));
    const first = await ledger.snapshotForSaveState();
    await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c', workerOwner: 'w', total: 12 }));
    assert.equal((await ledger.clientTotals('c')).tokensCommittedToBlockchain, 0n, 'nothing is committed before the chain saw it');
    await ledger.commitSaveState(first);
    const client = await ledger.clientTotals('c');
    assert.deepEqual(client, { tokensMax: 42n, tokensCommittedToDb: 42n, tokensCommittedToBlockchain: 30n });
    assert.equal((await ledger.workerTotals('w')).tokensCommittedToBlockchain, 30n);
    assertOrdered(client);
    assert.deepEqual(await ledger.lastSaveStateSeqno(), { snapshot: first, committed: first });
    const second = await ledger.snapshotForSaveState();
    await ledger.commitSaveState(second);
    assert.equal((await ledger.clientTotals('c')).tokensCommittedToBlockchain, 42n);
  }));

  test('older, repeated and unknown seqnos are no-ops and committed totals never decrease', withLedger(async (ledger) => {
    await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c', total: 10 }));
    const one = await ledger.snapshotForSaveState();
    await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c', total: 5 }));
    const two = await ledger.snapshotForSaveState();
    await ledger.commitSaveState(99);
    await ledger.commitSaveState(0);
    await ledger.commitSaveState(-1);
    assert.deepEqual(await ledger.lastSaveStateSeqno(), { snapshot: two, committed: 0 });
    assert.equal((await ledger.clientTotals('c')).tokensCommittedToBlockchain, 0n);
    await ledger.commitSaveState(two);
    assert.equal((await ledger.clientTotals('c')).tokensCommittedToBlockchain, 15n);
    await ledger.commitSaveState(one);
    await ledger.commitSaveState(two);
    assert.equal((await ledger.clientTotals('c')).tokensCommittedToBlockchain, 15n, 'an older snapshot never lowers it');
    assert.deepEqual(await ledger.lastSaveStateSeqno(), { snapshot: two, committed: two });
    assert.equal(await ledger.snapshotForSaveState(), two + 1, 'seqnos keep increasing after a commit');
  }));

  test('a commit only touches owners that were in the snapshot', withLedger(async (ledger) => {
    await ledger.recordCompletion(sampleCompletion({ clientOwner: 'early', total: 8 }));
    const seqno = await ledger.snapshotForSaveState();
    await ledger.recordCompletion(sampleCompletion({ clientOwner: 'late', total: 9 }));
    await ledger.commitSaveState(seqno);
    assert.equal((await ledger.clientTotals('early')).tokensCommittedToBlockchain, 8n);
    assert.equal((await ledger.clientTotals('late')).tokensCommittedToBlockchain, 0n);
    for (const { totals } of [...(await ledger.clients()), ...(await ledger.workers())]) assertOrdered(totals);
  }));

  test('meta values are stored, overwritten and read back', withLedger(async (ledger) => {
    assert.equal(await ledger.getMeta('proxy-contract'), undefined);
    await ledger.setMeta('proxy-contract', 'EQabc');
    await ledger.setMeta('session-hash', '');
    assert.equal(await ledger.getMeta('proxy-contract'), 'EQabc');
    assert.equal(await ledger.getMeta('session-hash'), '');
    await ledger.setMeta('proxy-contract', 'EQdef');
    assert.equal(await ledger.getMeta('proxy-contract'), 'EQdef');
  }));

  test('assertNotBehind accepts peers at or below the ledger and rejects peers ahead of it', withLedger(async (ledger) => {
    await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c', workerOwner: 'w', total: 50 }));
    await ledger.commitSaveState(await ledger.snapshotForSaveState());
    await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c', workerOwner: 'w', total: 20 }));
    await ledger.assertNotBehind('worker', 'w', { tokensCommittedToBlockchain: 50n, tokensCommittedToDb: 70n });
    await ledger.assertNotBehind('client', 'c', { tokensCommittedToBlockchain: 0n, tokensCommittedToDb: 0n });
    await ledger.assertNotBehind('worker', 'nobody', { tokensCommittedToBlockchain: 0n, tokensCommittedToDb: 0n });
    await assert.rejects(ledger.assertNotBehind('worker', 'w', { tokensCommittedToBlockchain: 51n, tokensCommittedToDb: 70n }), isRollback);
    await assert.rejects(ledger.assertNotBehind('worker', 'w', { tokensCommittedToBlockchain: 50n, tokensCommittedToDb: 71n }), isRollback);
    await assert.rejects(ledger.assertNotBehind('client', 'w', { tokensCommittedToBlockchain: 0n, tokensCommittedToDb: 1n }), isRollback, 'kinds are separate');
    await assert.rejects(ledger.assertNotBehind('worker', 'nobody', { tokensCommittedToBlockchain: 1n, tokensCommittedToDb: 1n }), isRollback);
  }));
}

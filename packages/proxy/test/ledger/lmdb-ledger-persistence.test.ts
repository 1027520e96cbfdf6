/**
 * LmdbLedger durability and integrity: identical state after close/reopen, dedupe across
 * restarts, 0700/0600 permissions, and open-time detection (CCN_ERR_LEDGER_CORRUPT naming
 * the record) of tampered, foreign-signed, deleted and unknown records.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { CocoonError } from '@cocoon/protocol';
import { LmdbLedger, type Ledger } from '../../src/ledger/index.ts';
import { sampleCompletion } from './ledger-sample-completion.ts';
import { temporaryLedgerPath, testSigningKey } from './lmdb-ledger-support.ts';

const KEY = testSigningKey(7);
const openLedger = (path: string, signingKey = KEY) => LmdbLedger.open({ path, signingKey, now: () => 1_700_000_000_000 });

/** Everything observable through the port, for before/after comparisons. */
async function stateOf(ledger: Ledger): Promise<unknown> {
  return {
    summary: await ledger.summary(),
    clients: await ledger.clients(),
    workers: await ledger.workers(),
    seqnos: await ledger.lastSaveStateSeqno(),
    meta: await ledger.getMeta('proxy-contract'),
  };
}

/** A ledger with completions, a committed and a pending snapshot, and meta; returns its path. */
async function populatedLedgerPath(): Promise<string> {
  const path = temporaryLedgerPath();
  const ledger = await openLedger(path);
  await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c1', workerOwner: 'w1', total: 40 }));
  await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c2', workerOwner: 'w1', total: 2 }));
  await ledger.commitSaveState(await ledger.snapshotForSaveState());
  await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c1', workerOwner: 'w2', total: 9 }));
  await ledger.snapshotForSaveState();
  await ledger.setMeta('proxy-contract', 'EQproxy');
  await ledger.close();
  return path;
}

/** Edits the stored records with a raw lmdb handle (what an attacker with disk access could do). */
async function editRawRecords(path: string, edit: (db: ReturnType<typeof open<Buffer, string>>) => void): Promise<void> {
  const db = open<Buffer, string>({ path, encoding: 'binary', noSubdir: false, compression: false });
  db.transactionSync(() => edit(db));
  await db.close();
}

async function rejectsAsCorrupt(path: string, recordKey: string, signingKey = KEY): Promise<void> {
  await assert.rejects(openLedger(path, signingKey), (error: unknown) => {
    assert.ok(error instanceof CocoonError, String(error));
    assert.equal(error.code, 'CCN_ERR_LEDGER_CORRUPT');
    assert.match(error.message, new RegExp(`"${recordKey}"`));
    return true;
  });
}

describe('LmdbLedger persistence', () => {
  test('close and reopen give identical totals, seqnos and meta; pending snapshots still commit', async () => {
    const path = await populatedLedgerPath();
    const first = await openLedger(path);
    const before = await stateOf(first);
    await first.close();
    const reopened = await openLedger(path);
    assert.deepEqual(await stateOf(reopened), before);
    assert.deepEqual(await reopened.lastSaveStateSeqno(), { snapshot: 2, committed: 1 });
    assert.deepEqual(await reopened.clientTotals('c1'), { tokensMax: 49n, tokensCommittedToDb: 49n, tokensCommittedToBlockchain: 40n });
    await reopened.commitSaveState(2);
    assert.equal((await reopened.clientTotals('c1')).tokensCommittedToBlockchain, 49n);
    assert.equal(await reopened.snapshotForSaveState(), 3);
    await reopened.close();
  });

  test('recording the same requestId after a restart counts once', async () => {
    const path = temporaryLedgerPath();
    const entry = sampleCompletion({ total: 25 });
    const ledger = await openLedger(path);
    await ledger.recordCompletion(entry);
    await ledger.close();
    const reopened = await openLedger(path);
    assert.equal(reopened.hasCompletion(entry.requestId.toUpperCase()), true);
    await reopened.recordCompletion(entry);
    assert.equal((await reopened.summary()).requests, 1);
    assert.equal((await reopened.clientTotals('client-a')).tokensMax, 25n);
    await reopened.close();
  });

  test('the directory is 0700 and the files are 0600', async () => {
    const path = await populatedLedgerPath();
    assert.equal(statSync(path).mode & 0o777, 0o700);
    for (const file of ['data.mdb', 'lock.mdb']) assert.equal(statSync(join(path, file)).mode & 0o777, 0o600, file);
  });

  test('a signing key whose halves do not match is refused', async () => {
    const other = testSigningKey(8);
    await assert.rejects(openLedger(temporaryLedgerPath(), { publicKey: other.publicKey, secretKey: KEY.secretKey }), /does not belong/);
    const naclStyle = { publicKey: KEY.publicKey, secretKey: Buffer.concat([KEY.secretKey, KEY.publicKey]) };
    await (await openLedger(temporaryLedgerPath(), naclStyle)).close();
  });
});

describe('LmdbLedger integrity checks at open', () => {
  test('a tampered value is detected and named', async () => {
    const path = await populatedLedgerPath();
    await editRawRecords(path, (db) => {
      const stored = Buffer.from(db.get('client:c1')!);
      const tampered = Buffer.from(stored.toString('latin1').replace('"49"', '"99"'), 'latin1');
      assert.notDeepEqual(tampered, stored);
      db.putSync('client:c1', tampered);
    });
    await rejectsAsCorrupt(path, 'client:c1');
  });

  test('a record moved to another key is detected', async () => {
    const path = await populatedLedgerPath();
    await editRawRecords(path, (db) => db.putSync('meta:session-hash', db.get('meta:proxy-contract')!));
    await rejectsAsCorrupt(path, 'meta:session-hash');
  });

  test('a ledger written with another proxy key is refused', async () => {
    const path = await populatedLedgerPath();
    await assert.rejects(openLedger(path, testSigningKey(9)), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_LEDGER_CORRUPT');
  });

  test('a foreign-signed record among valid ones is detected', async () => {
    const path = await populatedLedgerPath();
    const foreignPath = temporaryLedgerPath();
    const foreign = await openLedger(foreignPath, testSigningKey(9));
    await foreign.setMeta('proxy-contract', 'EQevil');
    await foreign.close();
    let forged: Buffer | undefined;
    await editRawRecords(foreignPath, (db) => { forged = Buffer.from(db.get('meta:proxy-contract')!); });
    await editRawRecords(path, (db) => db.putSync('meta:proxy-contract', forged!));
    await rejectsAsCorrupt(path, 'meta:proxy-contract');
  });

  test('a deleted completion record is detected by the cross-check', async () => {
    const path = await populatedLedgerPath();
    await editRawRecords(path, (db) => {
      const [first] = [...db.getKeys({ start: 'request:', end: 'request;' })];
      db.removeSync(first!);
    });
    await assert.rejects(openLedger(path), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_LEDGER_CORRUPT' && /tokensMax|summary/.test(error.message));
  });

  test('an unsigned or unknown record is detected', async () => {
    const path = await populatedLedgerPath();
    await editRawRecords(path, (db) => db.putSync('extra:x', Buffer.from('hello')));
    await rejectsAsCorrupt(path, 'extra:x');
  });
});

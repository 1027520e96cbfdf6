/** The open-time audit of a ledger large enough to be verified on worker threads. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open } from 'lmdb';
import { CocoonError } from '@cocoon/protocol';
import { LmdbLedger } from '../../src/ledger/index.ts';
import { sampleCompletion } from './ledger-sample-completion.ts';
import { temporaryLedgerPath, testSigningKey } from './lmdb-ledger-support.ts';

const KEY = testSigningKey(7);

test('a threaded audit accepts a clean ledger and names a tampered record in it', { timeout: 30_000 }, async () => {
  const path = temporaryLedgerPath();
  const ledger = await LmdbLedger.open({ path, signingKey: KEY, auditThreads: 1 });
  const entries = Array.from({ length: 400 }, (_, index) => sampleCompletion({ total: index + 1, clientOwner: `c${index % 7}` }));
  await Promise.all(entries.map((entry) => ledger.recordCompletion(entry)));
  await ledger.close();

  const clean = await LmdbLedger.open({ path, signingKey: KEY, auditThreads: 3 });
  assert.equal(clean.auditedRecords, 400 + 7 + 1 + 1, 'requests + clients + worker + summary');
  assert.equal((await clean.summary()).tokens, 80_200n);
  await clean.close();

  const victim = `request:${entries[234]!.requestId}`;
  const raw = open<Buffer, string>({ path, encoding: 'binary', noSubdir: false, compression: false });
  const stored = Buffer.from(raw.get(victim)!);
  stored[stored.length - 2] = stored[stored.length - 2]! ^ 1;
  raw.putSync(victim, stored);
  await raw.close();
  await assert.rejects(LmdbLedger.open({ path, signingKey: KEY, auditThreads: 3 }), (error: unknown) => {
    assert.ok(error instanceof CocoonError && error.code === 'CCN_ERR_LEDGER_CORRUPT', String(error));
    assert.match(error.message, new RegExp(`"${victim}"`));
    return true;
  });
});

/**
 * Conformance suite every `Ledger` implementation must pass: cumulative, monotonic
 * totals; summary = sums; client paid = worker earned + commission; nothing lost under
 * concurrency; unknown owners read zeros; a duplicate request id counts once; owner
 * listings; the save-state commit scheme (§6.4); meta values; anti-rollback (§3.2).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Ledger } from '../../src/ledger/index.ts';
import { assertOrdered, sampleCompletion } from './ledger-sample-completion.ts';
import { runSaveStateConformance } from './ledger-save-state-conformance.ts';

export { sampleCompletion, assertOrdered };

export function runLedgerConformance(name: string, createLedger: () => Promise<Ledger>): void {
  const withLedger = (body: (ledger: Ledger) => Promise<void>) => async (): Promise<void> => {
    const ledger = await createLedger();
    try {
      await body(ledger);
    } finally {
      await ledger.close();
    }
  };

  describe(`Ledger conformance: ${name}`, () => {
    test('unknown owners and an empty ledger read zeros', withLedger(async (ledger) => {
      const zeros = { tokensMax: 0n, tokensCommittedToDb: 0n, tokensCommittedToBlockchain: 0n };
      assert.deepEqual(await ledger.clientTotals('nobody'), zeros);
      assert.deepEqual(await ledger.workerTotals('nobody'), zeros);
      assert.deepEqual(await ledger.summary(), { requests: 0, tokens: 0n, clientPaidNanoton: 0n, workerEarnedNanoton: 0n, proxyCommissionNanoton: 0n });
    }));

    test('totals are cumulative per owner and never go backwards', withLedger(async (ledger) => {
      let previous = await ledger.clientTotals('client-a');
      let expected = 0n;
      for (const total of [10, 0, 250, 1]) {
        await ledger.recordCompletion(sampleCompletion({ total }));
        expected += BigInt(total);
        const current = await ledger.clientTotals('client-a');
        assert.equal(current.tokensMax, expected);
        assert.ok(current.tokensMax >= previous.tokensMax);
        assert.ok(current.tokensCommittedToDb >= previous.tokensCommittedToDb);
        assert.ok(current.tokensCommittedToBlockchain >= previous.tokensCommittedToBlockchain);
        assertOrdered(current);
        previous = current;
      }
      assert.equal((await ledger.workerTotals('worker-a')).tokensMax, 261n);
    }));

    test('clients and workers are accounted separately', withLedger(async (ledger) => {
      await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c1', workerOwner: 'w1', total: 5 }));
      await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c1', workerOwner: 'w2', total: 7 }));
      await ledger.recordCompletion(sampleCompletion({ clientOwner: 'c2', workerOwner: 'w1', total: 11 }));
      assert.equal((await ledger.clientTotals('c1')).tokensMax, 12n);
      assert.equal((await ledger.clientTotals('c2')).tokensMax, 11n);
      assert.equal((await ledger.workerTotals('w1')).tokensMax, 16n);
      assert.equal((await ledger.workerTotals('w2')).tokensMax, 7n);
      assert.equal((await ledger.clientTotals('w1')).tokensMax, 0n, 'a worker owner is not a client');
    }));

    test('summary is the sum of entries and client paid = worker earned + commission', withLedger(async (ledger) => {
      const entries = [sampleCompletion({ total: 2250 }), sampleCompletion({ total: 3 }), sampleCompletion({ total: 0 })];
      for (const entry of entries) await ledger.recordCompletion(entry);
      const summary = await ledger.summary();
      assert.equal(summary.requests, 3);
      assert.equal(summary.tokens, 2253n);
      assert.equal(summary.clientPaidNanoton, 45_060n);
      assert.equal(summary.workerEarnedNanoton, 42_807n);
      assert.equal(summary.proxyCommissionNanoton, 2_253n);
      assert.equal(summary.clientPaidNanoton, summary.workerEarnedNanoton + summary.proxyCommissionNanoton);
    }));

    test('concurrent recordCompletion calls lose nothing', withLedger(async (ledger) => {
      const entries = Array.from({ length: 200 }, (_, index) => sampleCompletion({ total: index + 1, clientOwner: `c${index % 3}`, workerOwner: `w${index % 5}` }));
      await Promise.all(entries.map((entry) => ledger.recordCompletion(entry)));
      const summary = await ledger.summary();
      assert.equal(summary.requests, 200);
      assert.equal(summary.tokens, 20_100n);
      let clients = 0n;
      let workers = 0n;
      for (let index = 0; index < 3; index += 1) clients += (await ledger.clientTotals(`c${index}`)).tokensMax;
      for (let index = 0; index < 5; index += 1) workers += (await ledger.workerTotals(`w${index}`)).tokensMax;
      assert.equal(clients, 20_100n);
      assert.equal(workers, 20_100n);
    }));

    test('a duplicate requestId is counted once, also when recorded concurrently', withLedger(async (ledger) => {
      const entry = sampleCompletion({ total: 40 });
      await ledger.recordCompletion(entry);
      await ledger.recordCompletion(entry);
      await ledger.recordCompletion({ ...entry, requestId: entry.requestId.toUpperCase() });
      const twin = sampleCompletion({ total: 9 });
      await Promise.all([ledger.recordCompletion(twin), ledger.recordCompletion(twin), ledger.recordCompletion(twin)]);
      const summary = await ledger.summary();
      assert.equal(summary.requests, 2);
      assert.equal(summary.tokens, 49n);
      assert.equal((await ledger.clientTotals('client-a')).tokensMax, 49n);
    }));

    test('rejects entries whose money does not add up, recording nothing', withLedger(async (ledger) => {
      await assert.rejects(ledger.recordCompletion(sampleCompletion({ proxyCommissionNanoton: 999n })));
      await assert.rejects(ledger.recordCompletion({ ...sampleCompletion(), requestId: 'not hex' }));
      const bad = sampleCompletion();
      await assert.rejects(ledger.recordCompletion({ ...bad, tokens: { ...bad.tokens, total: bad.tokens.total + 1 } }));
      assert.equal((await ledger.summary()).requests, 0);
    }));

    test('a closed ledger refuses work', async () => {
      const ledger = await createLedger();
      await ledger.close();
      await assert.rejects(ledger.recordCompletion(sampleCompletion()));
      await assert.rejects(ledger.snapshotForSaveState());
      await assert.rejects(ledger.setMeta('k', 'v'));
      await assert.rejects(ledger.clients());
    });

    runSaveStateConformance(withLedger);
  });
}

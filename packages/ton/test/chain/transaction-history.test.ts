/**
 * TransactionHistory, the dev chain's per-account transaction log: newest-first pages with the
 * toncenter semantics (start at lt/hash inclusive, lt alone = newest at or below it, toLt an
 * exclusive lower bound, an unknown lt/hash pair gives nothing), accounts kept apart, records
 * arriving out of lt order, and a JSON round trip that keeps everything.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, type Transaction } from '@ton/core';
import { SandboxChain } from '../../src/chain/sandbox-chain.ts';
import { TransactionHistory } from '../../src/chain/transaction-history.ts';

const alice = new Address(0, Buffer.alloc(32, 0xa1));
const bob = new Address(0, Buffer.alloc(32, 0xb0));
const lts = (transactions: Transaction[]) => transactions.map((transaction) => transaction.lt);

describe('TransactionHistory', () => {
  /** Five faucet transfers to alice and two to bob, oldest first. */
  let aliceTransactions: Transaction[];
  let bobTransactions: Transaction[];
  let history: TransactionHistory;

  before(async () => {
    const chain = await SandboxChain.create({ now: () => 1_700_000_000 });
    for (let index = 1; index <= 5; index++) {
      await chain.fund(alice, BigInt(index));
      if (index % 2 === 0) await chain.fund(bob, BigInt(index));
    }
    aliceTransactions = (await chain.getTransactions(alice, { limit: 10 })).reverse();
    bobTransactions = (await chain.getTransactions(bob, { limit: 10 })).reverse();
    assert.deepEqual([aliceTransactions.length, bobTransactions.length], [5, 2]);
    history = new TransactionHistory();
    for (const transaction of aliceTransactions) history.record(alice, transaction);
    for (const transaction of bobTransactions) history.record(bob, transaction);
  });

  const at = (index: number) => aliceTransactions[index]!;

  test('newest first, bounded by limit, accounts kept apart', () => {
    assert.deepEqual(lts(history.query(alice, { limit: 10 })), lts(aliceTransactions).reverse());
    assert.deepEqual(lts(history.query(alice, { limit: 2 })), [at(4).lt, at(3).lt]);
    assert.deepEqual(lts(history.query(bob, { limit: 10 })), lts(bobTransactions).reverse());
    assert.deepEqual(history.query(new Address(0, Buffer.alloc(32, 0xcc)), { limit: 10 }), []);
    assert.equal(history.size, 7);
  });

  test('lt + hash start a page at that transaction (inclusive); an unknown pair gives nothing', () => {
    assert.deepEqual(lts(history.query(alice, { limit: 2, lt: at(2).lt, hash: at(2).hash() })), [at(2).lt, at(1).lt]);
    assert.deepEqual(history.query(alice, { limit: 10, lt: at(2).lt, hash: at(3).hash() }), [], 'hash of another transaction');
    assert.deepEqual(history.query(alice, { limit: 10, lt: at(2).lt + 1n, hash: at(2).hash() }), [], 'lt off by one');
    assert.deepEqual(history.query(bob, { limit: 10, lt: at(2).lt, hash: at(2).hash() }), [], 'a transaction of another account');
  });

  test('lt alone starts at the newest transaction at or below it', () => {
    assert.deepEqual(lts(history.query(alice, { limit: 10, lt: at(3).lt })), [at(3).lt, at(2).lt, at(1).lt, at(0).lt]);
    assert.deepEqual(lts(history.query(alice, { limit: 1, lt: at(3).lt - 1n })), [at(2).lt]);
    assert.deepEqual(history.query(alice, { limit: 10, lt: at(0).lt - 1n }), [], 'below the oldest');
  });

  test('toLt is an exclusive lower bound, also together with a start', () => {
    assert.deepEqual(lts(history.query(alice, { limit: 10, toLt: at(2).lt })), [at(4).lt, at(3).lt]);
    assert.deepEqual(lts(history.query(alice, { limit: 10, toLt: at(2).lt - 1n })), [at(4).lt, at(3).lt, at(2).lt]);
    assert.deepEqual(history.query(alice, { limit: 10, toLt: at(4).lt }), [], 'nothing newer than the newest');
    assert.deepEqual(lts(history.query(alice, { limit: 10, lt: at(3).lt, hash: at(3).hash(), toLt: at(1).lt })), [at(3).lt, at(2).lt]);
  });

  test('records arriving out of lt order are still answered newest first', () => {
    const shuffled = new TransactionHistory();
    for (const index of [3, 0, 4, 1, 2]) shuffled.record(alice, at(index));
    assert.deepEqual(lts(shuffled.query(alice, { limit: 10 })), lts(aliceTransactions).reverse());
    assert.deepEqual(lts(shuffled.query(alice, { limit: 10, lt: at(2).lt, hash: at(2).hash() })), [at(2).lt, at(1).lt, at(0).lt]);
  });

  test('JSON round trip keeps every transaction, its account and its order', () => {
    const json = JSON.parse(JSON.stringify(history.toJSON())) as ReturnType<TransactionHistory['toJSON']>;
    assert.equal(json.length, 7);
    assert.equal(json[0]?.address, alice.toRawString());
    const restored = TransactionHistory.fromJSON(json);
    assert.equal(restored.size, 7);
    for (const account of [alice, bob]) {
      const hashes = (target: TransactionHistory) => target.query(account, { limit: 10 }).map((transaction) => transaction.hash().toString('hex'));
      assert.deepEqual(hashes(restored), hashes(history));
    }
    assert.deepEqual(restored.toJSON(), history.toJSON());
    history.toJSON().pop();
    assert.equal(history.toJSON().length, 7, 'toJSON hands out a copy');
  });

  test('a damaged JSON history throws instead of loading part of it', () => {
    const json = history.toJSON();
    assert.throws(() => TransactionHistory.fromJSON([...json, { address: alice.toRawString(), boc: 'not a boc' }]));
    assert.throws(() => TransactionHistory.fromJSON([{ address: 'nowhere', boc: json[0]!.boc }]));
  });
});

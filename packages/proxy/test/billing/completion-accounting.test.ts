/** Tests for completion accounting (§4.8) with the §17 pricing vector. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import { ClientAccount, CompletionAccounting, buildLedgerCompletion } from '../../src/billing/index.ts';
import { InMemoryLedger } from '../../src/ledger/index.ts';

const tokens = { prompt: 1200, cached: 300, completion: 600, reasoning: 150, total: 2250 };
const prices = { pricePerToken: 20n, workerFeePerToken: 19n };
const requestId = 'ab'.repeat(32);

function client(): ClientAccount {
  return new ClientAccount({ ownerAddress: 'client-a', state: { status: 'active', balanceNanoton: 10_000_000n, stakeNanoton: 10_000_000n, chargedTokens: 0n }, pricePerToken: () => 20n });
}

describe('buildLedgerCompletion', () => {
  test('§17: 2250 tokens at 20/19 → client 45 000, worker 42 750, proxy 2 250', () => {
    const entry = buildLedgerCompletion({ requestId, clientOwner: 'client-a', workerOwner: 'worker-a', tokens, prices, at: 5 });
    assert.deepEqual(entry, {
      requestId, clientOwner: 'client-a', workerOwner: 'worker-a', tokens, clientCostNanoton: 45_000n, workerEarnedNanoton: 42_750n, proxyCommissionNanoton: 2_250n, at: 5,
    });
  });

  test('a worker fee above the price is a configuration error', () => {
    assert.throws(() => buildLedgerCompletion({ requestId, clientOwner: 'c', workerOwner: 'w', tokens, prices: { pricePerToken: 19n, workerFeePerToken: 20n }, at: 0 }), CocoonError);
  });
});

describe('CompletionAccounting.finish', () => {
  test('charges the client, releases the reservation and records the entry', async () => {
    const ledger = new InMemoryLedger();
    const accounting = new CompletionAccounting({ ledger, prices: () => prices, now: () => 1234 });
    const account = client();
    const reservation = account.reserve(12_192n);
    const entry = await accounting.finish({ requestId, workerOwner: 'worker-a', reservation, tokensUsed: tokens });
    assert.equal(entry.at, 1234);
    assert.equal(entry.clientOwner, 'client-a');
    assert.equal(account.usedTokens, 2_250n);
    assert.equal(account.reservedTokens, 0n);
    assert.equal((await ledger.clientTotals('client-a')).tokensMax, 2_250n);
    assert.equal((await ledger.workerTotals('worker-a')).tokensMax, 2_250n);
    assert.deepEqual(await ledger.summary(), { requests: 1, tokens: 2_250n, clientPaidNanoton: 45_000n, workerEarnedNanoton: 42_750n, proxyCommissionNanoton: 2_250n });
    await assert.rejects(accounting.finish({ requestId, workerOwner: 'worker-a', reservation, tokensUsed: tokens }), CocoonError, 'not accounted twice');
    assert.equal(account.usedTokens, 2_250n);
    await ledger.close();
  });

  test('a failed request with no usage bills zero but still releases', async () => {
    const ledger = new InMemoryLedger();
    const account = client();
    const reservation = account.reserve(500n);
    const zero = { prompt: 0, cached: 0, completion: 0, reasoning: 0, total: 0 };
    const entry = await new CompletionAccounting({ ledger, prices: () => prices }).finish({ requestId, workerOwner: 'worker-a', reservation, tokensUsed: zero });
    assert.equal(entry.clientCostNanoton, 0n);
    assert.equal(account.reservedTokens, 0n);
    assert.equal((await ledger.summary()).requests, 1);
    await ledger.close();
  });

  test('an invalid entry charges nothing', async () => {
    const ledger = new InMemoryLedger();
    const account = client();
    const reservation = account.reserve(500n);
    await assert.rejects(new CompletionAccounting({ ledger, prices: () => prices }).finish({ requestId, workerOwner: 'worker-a', reservation, tokensUsed: { ...tokens, total: 1 } }), CocoonError);
    assert.equal(account.usedTokens, 0n);
    assert.equal(reservation.isEnded, false);
    await ledger.close();
  });
});

/** Tests for client admission and reservation math (§4.3) with bigint amounts. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import { ClientAccount, type ClientContractState } from '../../src/billing/index.ts';

const PRICE = 20n;

function account(state: Partial<ClientContractState> = {}, usedTokens = 0n): ClientAccount {
  return new ClientAccount({
    ownerAddress: 'client-a',
    state: { status: 'active', balanceNanoton: 1_000_000n, stakeNanoton: 500_000n, chargedTokens: 0n, ...state },
    pricePerToken: () => PRICE,
    usedTokens,
  });
}

const isInsufficient = (pattern: RegExp) => (error: unknown): boolean => {
  assert.ok(error instanceof CocoonError);
  assert.equal(error.code, 'CCN_ERR_BILLING_INSUFFICIENT_BALANCE');
  assert.match(error.message, pattern);
  return true;
};

describe('ClientAccount.tokensAvailable', () => {
  test('min(paid, stake + charged) − reserved − used', () => {
    const client = account();
    assert.equal(client.paidTokens(), 50_000n);
    assert.equal(client.stakeTokens(), 25_000n);
    assert.equal(client.tokensAvailable(), 25_000n, 'stake is the limit');
    assert.equal(account({ stakeNanoton: 5_000_000n }).tokensAvailable(), 50_000n, 'balance is the limit');
    assert.equal(account({}, 1_000n).tokensAvailable(), 24_000n, 'used tokens count');
  });

  test('integer division, and an explicit price', () => {
    const client = account({ balanceNanoton: 1_000_019n, stakeNanoton: 10_000_000n });
    assert.equal(client.tokensAvailable(), 50_000n);
    assert.equal(client.tokensAvailable(40n), 25_000n);
    assert.throws(() => client.tokensAvailable(0n), CocoonError);
  });

  test('charged tokens move from balance into the paid count', () => {
    const client = account({}, 2_250n);
    assert.equal(client.tokensAvailable(), 22_750n);
    assert.equal(client.updateState({ status: 'active', balanceNanoton: 1_000_000n - 45_000n, stakeNanoton: 500_000n, chargedTokens: 2_250n }), true);
    assert.equal(client.paidTokens(), 50_000n);
    assert.equal(client.tokensAvailable(), 25_000n);
    assert.equal(client.updateState({ status: 'active', balanceNanoton: 0n, stakeNanoton: 0n, chargedTokens: 100n }), false, 'stale state ignored');
    assert.equal(client.chargedTokens, 2_250n);
  });
});

describe('ClientAccount.admit and reserve', () => {
  test('§17 reservation vector: max_tokens 1000, 2048 bytes, max_coefficient 4000 → 12192', () => {
    const admission = account().admit({ maxTokens: 1000, queryBytes: 2048, maxCoefficient: 4000 });
    assert.deepEqual(admission, { maxTokens: 1000n, tokensToReserve: 12_192n });
    assert.equal(admission.tokensToReserve * PRICE, 243_840n);
  });

  test('reservation floors and accepts bigint input', () => {
    const admission = account().admit({ maxTokens: 1n, queryBytes: 2n, maxCoefficient: 1500n });
    assert.equal(admission.tokensToReserve, 4n); // floor(3 × 1.5)
  });

  test('admit does not reserve; reserve holds and release returns the tokens', () => {
    const client = account();
    const admission = client.admit({ maxTokens: 1000, queryBytes: 2048, maxCoefficient: 4000 });
    assert.equal(client.tokensAvailable(), 25_000n);
    const reservation = client.reserve(admission.tokensToReserve, admission);
    assert.equal(client.reservedTokens, 12_192n);
    assert.equal(client.tokensAvailable(), 12_808n);
    assert.equal(client.runningRequests, 1);
    assert.equal(reservation.release(), true);
    assert.equal(reservation.release(), false, 'ends once');
    assert.equal(client.reservedTokens, 0n);
    assert.equal(client.tokensAvailable(), 25_000n);
    assert.equal(client.runningRequests, 0);
  });

  test('complete charges the used tokens and releases the rest', () => {
    const client = account();
    const reservation = client.reserve(12_192n);
    assert.equal(reservation.complete(2_250n), true);
    assert.equal(reservation.complete(2_250n), false, 'never charged twice');
    assert.equal(client.usedTokens, 2_250n);
    assert.equal(client.reservedTokens, 0n);
    assert.equal(client.tokensAvailable(), 22_750n);
  });

  test('max_tokens above available is rejected at admission', () => {
    assert.throws(() => account().admit({ maxTokens: 25_001, queryBytes: 0, maxCoefficient: 1000 }), isInsufficient(/max_tokens=25001 tokens_available=25000/));
    assert.doesNotThrow(() => account().admit({ maxTokens: 25_000, queryBytes: 0, maxCoefficient: 1000 }));
  });

  test('to_reserve above available is rejected, and nothing is held', () => {
    const client = account();
    const admission = client.admit({ maxTokens: 10_000, queryBytes: 2_048, maxCoefficient: 4_000 }); // 48 192 > 25 000
    assert.throws(() => client.reserve(admission.tokensToReserve, admission), isInsufficient(/to_reserve=48192 tokens_available=25000 tokens_paid=50000 tokens_used=0 tokens_reserved=0 tokens_stake=25000/));
    assert.equal(client.reservedTokens, 0n);
    assert.equal(client.runningRequests, 0);
  });

  test('running reservations reduce what later requests may reserve', () => {
    const client = account();
    client.reserve(20_000n);
    assert.throws(() => client.admit({ maxTokens: 6_000, queryBytes: 0, maxCoefficient: 1000 }), isInsufficient(/max_tokens=6000 tokens_available=5000/));
    assert.throws(() => client.reserve(4_000n, { maxTokens: 6_000n }), isInsufficient(/max_tokens=6000/));
    assert.doesNotThrow(() => client.reserve(5_000n));
    assert.equal(client.tokensAvailable(), 0n);
  });

  test('a contract that is not active is rejected', () => {
    for (const status of ['closing', 'closed', 'uninitialized'] as const) {
      assert.throws(() => account({ status }).admit({ maxTokens: 1, queryBytes: 1, maxCoefficient: 1000 }), isInsufficient(new RegExp(`client contract is ${status}`)));
    }
  });

  test('malformed numbers are bad requests', () => {
    for (const request of [{ maxTokens: -1, queryBytes: 0, maxCoefficient: 1000 }, { maxTokens: 1.5, queryBytes: 0, maxCoefficient: 1000 }, { maxTokens: 1, queryBytes: 0, maxCoefficient: -1n }]) {
      assert.throws(() => account().admit(request), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_HTTP_BAD_REQUEST');
    }
  });

  test('checkUsage enforces the reservation (§5.2)', () => {
    const reservation = account().reserve(100n);
    assert.doesNotThrow(() => reservation.checkUsage(100n));
    assert.throws(() => reservation.checkUsage(101n), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_BILLING_RESERVATION_DEPLETED');
  });

  test('stats for /jsonstats', () => {
    const client = account({ chargedTokens: 0n }, 300n);
    client.reserve(700n);
    assert.deepEqual(client.stats(), {
      owner_address: 'client-a', used_tokens: 300n, tokens_to_charge: 300n, available_tokens: 24_000n, reserved_tokens: 700n, running_queries: 1, closing: false, closed: false,
    });
  });
});

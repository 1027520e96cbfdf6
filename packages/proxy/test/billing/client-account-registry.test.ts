/** Tests for opening client accounts from a pluggable state source. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import { ClientAccountRegistry, ConfiguredClientStateSource, type ClientStateSource } from '../../src/billing/index.ts';

const source = new ConfiguredClientStateSource([{ ownerAddress: 'dev-client', balanceNanoton: 2_000_000n, stakeNanoton: 1_000_000n }]);

describe('ClientAccountRegistry', () => {
  test('opens configured dev clients as active accounts', async () => {
    const registry = new ClientAccountRegistry({ source, pricePerToken: () => 20n });
    const account = await registry.open('dev-client');
    assert.equal(account.status, 'active');
    assert.equal(account.chargedTokens, 0n);
    assert.equal(account.tokensAvailable(), 50_000n);
    assert.equal(await registry.open('dev-client'), account, 'same account every time');
    assert.equal(registry.get('dev-client'), account);
    assert.deepEqual(registry.list(), [account]);
  });

  test('unknown clients are refused', async () => {
    const registry = new ClientAccountRegistry({ source, pricePerToken: () => 20n });
    await assert.rejects(registry.open('stranger'), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_AUTH_FAILED' && /stranger/.test(error.message));
    assert.equal(registry.get('stranger'), undefined);
  });

  test('concurrent opens load once; used tokens are restored', async () => {
    let loads = 0;
    const countingSource: ClientStateSource = { load: async (owner) => { loads += 1; return source.load(owner); } };
    const registry = new ClientAccountRegistry({ source: countingSource, pricePerToken: () => 20n, restoreUsedTokens: async () => 7_000n });
    const [first, second] = await Promise.all([registry.open('dev-client'), registry.open('dev-client')]);
    assert.equal(first, second);
    assert.equal(loads, 1);
    assert.equal(first.usedTokens, 7_000n);
    assert.equal(first.tokensAvailable(), 43_000n);
  });

  test('state updates reach opened accounts only', async () => {
    const registry = new ClientAccountRegistry({ source, pricePerToken: () => 20n });
    const state = { status: 'closing' as const, balanceNanoton: 0n, stakeNanoton: 0n, chargedTokens: 0n };
    assert.equal(registry.updateState('dev-client', state), false);
    const account = await registry.open('dev-client');
    assert.equal(registry.updateState('dev-client', state), true);
    assert.equal(account.status, 'closing');
  });
});

/**
 * Money conservation across client top-up → charges → worker payouts → proxy withdrawal:
 * the worker owner receives exactly Δ×fee, the proxy `balance` grows exactly Δ×(price−fee)
 * and the client `balance` falls exactly Δ×price.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import { SignedPaymentOp } from '../../src/payments/signed-payment.ts';
import { allSucceeded, createSettlementFixture, deployClient, inboundValue, signed } from './settlement-fixture.ts';

const PAYOUT = 0xc59a7cd3;

test('client charges and worker payouts conserve money exactly', async () => {
  const fixture = await createSettlementFixture();
  const { pricePerToken: price, workerFeePerToken: fee } = fixture.params;
  const topUp = toNano('20');
  assert.ok(allSucceeded(await deployClient(fixture, topUp)));
  await fixture.worker.sendDeploy(fixture.workerOwner.getSender(), { value: toNano('0.3') });

  let clientTokens = 0n;
  let workerTokens = 0n;
  let workerReceived = 0n;
  for (const [step, delta] of [[1n, 123_456n], [2n, 7n], [3n, 50_000_000n]] as const) {
    const clientBefore = (await fixture.client.getClientData()).balance;
    clientTokens += delta;
    const charge = signed(fixture, SignedPaymentOp.clientCharge, fixture.client.address, clientTokens, step);
    const charged = await fixture.client.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('0.7'), signedPayment: charge });
    assert.ok(allSucceeded(charged.transactions));
    assert.equal(clientBefore - (await fixture.client.getClientData()).balance, delta * price);

    const proxyBefore = (await fixture.proxy.getProxyData()).balance;
    workerTokens += delta;
    const payout = signed(fixture, SignedPaymentOp.workerPayout, fixture.worker.address, workerTokens, step);
    const paid = await fixture.worker.sendSigned(fixture.workerOwner.getSender(), { value: toNano('0.5'), signedPayment: payout });
    assert.ok(allSucceeded(paid.transactions));
    const received = inboundValue(paid.transactions, { to: fixture.workerOwner.address, from: fixture.proxy.address, op: PAYOUT });
    assert.equal(received, delta * fee);
    workerReceived += received;
    assert.equal((await fixture.proxy.getProxyData()).balance - proxyBefore, delta * (price - fee));
  }

  const total = 123_456n + 7n + 50_000_000n;
  assert.equal((await fixture.client.getClientData()).balance, topUp - total * price);
  assert.equal(workerReceived, total * fee);
  const proxyEarnings = (await fixture.proxy.getProxyData()).balance;
  assert.equal(proxyEarnings, total * (price - fee));
  assert.equal(workerReceived + proxyEarnings, total * price, 'what the client paid is split exactly');

  const withdrawal = await fixture.proxy.sendPayoutRequest(fixture.stranger.getSender(), {
    value: toNano('0.2'), queryId: 99n, sendExcessesTo: fixture.stranger.address,
  });
  assert.equal(inboundValue(withdrawal.transactions, { to: fixture.proxyOwner.address, from: fixture.proxy.address, op: PAYOUT }), proxyEarnings);
  assert.equal((await fixture.proxy.getProxyData()).balance, 0n);
});

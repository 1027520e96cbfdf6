/**
 * ClientChainAccount on a SandboxChain with the real compiled contracts: address checks,
 * one-time deploy with top-up, secret hash change, register with the nonce reaching the
 * proxy contract, signed charge verification, automation (top-up, charge), withdraw,
 * close / force-close, and the low-balance "ACTION REQUIRED" path.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Address, toNano } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { isCocoonError, type TlObject } from '@cocoon/protocol';
import { SignedPaymentOp, deriveProxyContract, parseProxyContractTransaction, signPayment, type ClientPayload } from '@cocoon/ton';
import { ClientChainAccount } from '../../src/chain/index.ts';
import { createClientChainFixture, type ClientChainFixture } from './client-chain-fixture.ts';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

function hasCode(code: string): (error: unknown) => boolean {
  return (error) => isCocoonError(error) && error.code === code;
}

async function clientPayloads(fixture: ClientChainFixture): Promise<ClientPayload[]> {
  const transactions = await fixture.chain.getTransactions(fixture.proxyAddress, { limit: 100 });
  return transactions.flatMap((transaction) => {
    const event = parseProxyContractTransaction(transaction);
    return event?.kind === 'client' && event.payload ? [event.payload] : [];
  }).reverse();
}

function signedCharge(fixture: ClientChainFixture, account: ClientChainAccount, newTokens: bigint, secretKey = fixture.proxyKeys.secretKey, expectedAddress = account.contract.address): TlObject {
  const cell = signPayment({ op: SignedPaymentOp.clientCharge, queryId: 5n, newTokens, expectedAddress, secretKey });
  return { _: 'proxy.signedPayment', data: cell.toBoc() };
}

describe('ClientChainAccount address verification', () => {
  test('accepts the derived addresses and rejects a mismatching key, owner or client contract', async () => {
    const fixture = await createClientChainFixture();
    const account = new ClientChainAccount(fixture.context, fixture.identity);
    assert.ok(account.proxyAddress.equals(fixture.proxyAddress));
    assert.ok(account.contract.address.equals(Address.parse(fixture.identity.clientContractAddress)));

    const otherKey = keyPairFromSeed(Buffer.alloc(32, 99)).publicKey;
    assert.throws(() => new ClientChainAccount(fixture.context, { ...fixture.identity, proxyPublicKey: otherKey }), hasCode('CCN_ERR_TON_CONTRACT_MISMATCH'));
    const otherOwner = new Address(0, Buffer.alloc(32, 0x44)).toString();
    assert.throws(() => new ClientChainAccount(fixture.context, { ...fixture.identity, proxyOwnerAddress: otherOwner }), hasCode('CCN_ERR_TON_CONTRACT_MISMATCH'));
    assert.throws(() => new ClientChainAccount(fixture.context, { ...fixture.identity, proxyOwnerAddress: 'garbage' }), hasCode('CCN_ERR_TON_CONTRACT_MISMATCH'));
    // A proxy contract derived for another root is not ours either.
    const foreignProxy = deriveProxyContract(fixture.params, fixture.proxyOwner, fixture.proxyKeys.publicKey, new Address(0, Buffer.alloc(32, 0x55)));
    assert.throws(() => new ClientChainAccount(fixture.context, { ...fixture.identity, proxyContractAddress: foreignProxy.address.toString() }), hasCode('CCN_ERR_TON_CONTRACT_MISMATCH'));
    // The client contract of another wallet.
    assert.throws(() => new ClientChainAccount(fixture.context, { ...fixture.identity, clientContractAddress: fixture.proxyAddress.toString() }), hasCode('CCN_ERR_TON_CONTRACT_MISMATCH'));
  });
});

describe('ClientChainAccount authorization', () => {
  test('long auth deploys with one top-up once, sets the secret hash and registers the nonce at the proxy contract', async () => {
    const fixture = await createClientChainFixture({ secretString: 'hunter2' });
    const account = new ClientChainAccount(fixture.context, fixture.identity);
    const nonce = -5n; // TL longs are signed; the contract stores uint64
    assert.equal(await account.prepareAuthorization({ kind: 'long', nonce }), 'long');

    const view = account.contractView;
    assert.ok(view);
    assert.equal(view.status, 'normal');
    assert.equal(view.balance, fixture.params.minClientStake);
    assert.equal(view.stake, fixture.params.minClientStake);
    assert.ok(view.secretHash.equals(sha256('hunter2')));
    const payloads = await clientPayloads(fixture);
    assert.deepEqual(payloads.map((payload) => payload.kind), ['top-up', 'register']);
    assert.deepEqual(payloads[1], { kind: 'register', nonce: 2n ** 64n - 5n });

    const seqno = await fixture.wallet.seqno();
    await account.ensureDeployed();
    assert.equal(await account.ensureSecretHash(), false);
    assert.equal(await account.runAutomation(), undefined, 'one stake of balance needs no top-up');
    assert.equal(await fixture.wallet.seqno(), seqno, 'nothing more was sent');
    assert.equal(account.json().state, 'normal');
  });

  test('short auth when the proxy knows our secret hash: no register is sent', async () => {
    const fixture = await createClientChainFixture({ secretString: 'hunter2' });
    const account = new ClientChainAccount(fixture.context, fixture.identity);
    await account.ensureDeployed();
    assert.equal(await account.ensureSecretHash(), true);
    const seqno = await fixture.wallet.seqno();
    assert.equal(await account.prepareAuthorization({ kind: 'short', secretHash: sha256('hunter2'), nonce: 1n }), 'short');
    assert.equal(await fixture.wallet.seqno(), seqno);
    // A stale hash at the proxy means long auth.
    assert.equal(await account.prepareAuthorization({ kind: 'short', secretHash: sha256('old'), nonce: 77n }), 'long');
    assert.deepEqual((await clientPayloads(fixture)).at(-1), { kind: 'register', nonce: 77n });
  });

  test('low wallet balance: ACTION REQUIRED with the wallet address, nothing sent, automation keeps going', async () => {
    const fixture = await createClientChainFixture({ walletFunds: toNano('1'), walletSeed: 12 });
    const account = new ClientChainAccount(fixture.context, fixture.identity);
    await assert.rejects(account.prepareAuthorization({ kind: 'long', nonce: 1n }), hasCode('CCN_ERR_TON_LOW_BALANCE'));
    const line = fixture.lines.find((entry) => entry.includes('ACTION REQUIRED'));
    assert.ok(line, fixture.lines.join('\n'));
    assert.ok(line.includes(fixture.wallet.friendlyAddress()));
    assert.equal(account.state, 'undeployed');
    await assert.rejects(account.runAutomation(), hasCode('CCN_ERR_TON_LOW_BALANCE'));
    // Funded later: the next pass deploys.
    await fixture.chain.fund(fixture.wallet.address, toNano('10'));
    assert.equal(await account.runAutomation(), 'deploy');
    assert.equal(account.state, 'normal');
  });
});

describe('ClientChainAccount signed payments and operations', () => {
  test('keeps the newest valid signed charge; forged, foreign and wrong-op payments are rejected', async () => {
    const fixture = await createClientChainFixture();
    const account = new ClientChainAccount(fixture.context, fixture.identity);
    assert.equal(account.observeSignedPayment({ _: 'proxy.signedPaymentEmpty' }), 'empty');
    assert.equal(account.observeSignedPayment(signedCharge(fixture, account, 100n)), 'accepted');
    assert.equal(account.observeSignedPayment(signedCharge(fixture, account, 90n)), 'older');
    const forgedKey = keyPairFromSeed(Buffer.alloc(32, 66)).secretKey;
    assert.equal(account.observeSignedPayment(signedCharge(fixture, account, 500n, forgedKey)), 'rejected');
    assert.equal(account.observeSignedPayment(signedCharge(fixture, account, 500n, undefined, fixture.proxyAddress)), 'rejected');
    const refund = signPayment({ op: SignedPaymentOp.clientGrantRefund, queryId: 1n, newTokens: 500n, expectedAddress: account.contract.address, secretKey: fixture.proxyKeys.secretKey });
    assert.equal(account.observeSignedPayment({ _: 'proxy.signedPayment', data: refund.toBoc() }), 'rejected');
    assert.equal(account.observeSignedPayment({ _: 'proxy.signedPayment', data: Buffer.from('not a boc') }), 'rejected');
    assert.equal(account.charges.tokens, 100n);
    assert.equal(account.json().tokens_used_proxy_committed_to_blockchain, 100n);
    assert.ok(fixture.lines.some((line) => line.includes('ignoring invalid signed payment')));
  });

  test('automation tops up, then submits the signed charge; withdraw and close/force-close change the contract', async () => {
    const fixture = await createClientChainFixture();
    const account = new ClientChainAccount(fixture.context, fixture.identity);
    await account.ensureDeployed();
    const price = fixture.params.pricePerToken;
    const stake = fixture.params.minClientStake;
    const stakeTokens = stake / price;

    const used = (stakeTokens * 3n) / 5n; // above stake/2: worth charging, and leaves less than stake/2 paid
    account.observeProxyTotals(used, used);
    assert.equal(account.observeSignedPayment(signedCharge(fixture, account, used)), 'accepted');
    assert.equal(await account.runAutomation(), 'top-up');
    assert.equal(account.contractView?.balance, 2n * stake);
    assert.equal(await account.runAutomation(), 'charge');
    assert.equal(account.contractView?.tokensUsed, used);
    assert.equal(account.contractView?.balance, 2n * stake - used * price);
    assert.equal(await account.runAutomation(), undefined);
    await assert.rejects(account.charge(), hasCode('CCN_ERR_HTTP_BAD_REQUEST'), 'nothing newer to charge');

    await account.withdraw();
    assert.equal(account.contractView?.balance, stake);
    assert.ok((await clientPayloads(fixture)).some((payload) => payload.kind === 'refund-granted'));
    await assert.rejects(account.withdraw(), hasCode('CCN_ERR_HTTP_BAD_REQUEST'));

    await account.close();
    assert.equal(account.contractView?.status, 'closing');
    assert.equal(account.contractView?.unlockTs, fixture.nowSeconds() + fixture.params.clientDelayBeforeClose);
    await assert.rejects(account.close(), hasCode('CCN_ERR_HTTP_BAD_REQUEST'), 'force-close only after unlock_ts');
    fixture.advance(fixture.params.clientDelayBeforeClose + 1);
    await account.close();
    assert.equal(account.contractView?.status, 'closed');
    assert.equal(account.contractView?.balance, 0n);
    assert.equal((await clientPayloads(fixture)).at(-1)?.kind, 'refund-force');
    await assert.rejects(account.close(), hasCode('CCN_ERR_HTTP_BAD_REQUEST'));
    assert.equal(await account.runAutomation(), undefined, 'a closed contract is left alone');
  });
});

/**
 * The root contract's key-manager ops on the sandbox (real TVM): change_key_manager and
 * add_public_key (owner only), add_public_key_signed relayed by anyone — wrong key, tampered
 * fields, payload op / query id mismatch, expired keys, no key manager set, replay — the stored keys
 * seen through public_key_is_valid and readRootConfig, pruning of expired keys, the excess returned
 * to the relayer, old-layout (struct 3) roots refusing the new ops while keeping the old ones, and
 * the gas of a signed registration with a full day of keys.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beginCell, toNano, type Cell } from '@ton/core';
import { keyPairFromSeed, sign } from '@ton/crypto';
import type { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { SandboxChain } from '../../src/chain/sandbox-chain.ts';
import { loadContractCode } from '../../src/contracts/contract-compiler.ts';
import { ContractExitCode } from '../../src/contracts/contract-exit-codes.ts';
import { ContractOp } from '../../src/contracts/contract-opcodes.ts';
import { buildRootState, isRegisteredPublicKey, readRootConfig, type RootInit } from '../../src/root/index.ts';
import {
  ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON, buildSignedPublicKeyBody, buildSignedPublicKeyPayload, signedPublicKeyBody,
} from '../../src/root/signed-public-key.ts';
import { CocoonRootContract } from '../../src/wrappers/cocoon-root-contract.ts';
import { exitCodeTo, gasOf, testCocoonParams } from '../wallet/contract-test-helpers.ts';

const NOW = 1_800_000_000;
const DAY = 86_400;
const hex = (byte: number): string => Buffer.alloc(32, byte).toString('hex');
const keyManagerKeys = keyPairFromSeed(Buffer.alloc(32, 0x4b));
const strangerKeys = keyPairFromSeed(Buffer.alloc(32, 0x66));

describe('cocoon root contract: key manager and registered public keys', () => {
  let chain: SandboxChain;
  let owner: SandboxContract<TreasuryContract>;
  let stranger: SandboxContract<TreasuryContract>;
  let relayer: SandboxContract<TreasuryContract>;
  let root: SandboxContract<CocoonRootContract>;
  let queryId = 1000n;

  async function deploy(init: Omit<RootInit, 'owner'>): Promise<SandboxContract<CocoonRootContract>> {
    const contract = chain.blockchain.openContract(CocoonRootContract.fromConfig({ owner: owner.address, ...init }));
    const result = await contract.sendDeploy(owner.getSender(), toNano('0.5'));
    assert.equal(exitCodeTo(result.transactions, { to: contract.address }), 0);
    return contract;
  }

  async function sendBody(from: SandboxContract<TreasuryContract>, body: Cell, value = toNano('0.05'), to = root) {
    const result = await from.send({ to: to.address, value, body });
    return { exitCode: exitCodeTo(result.transactions, { to: to.address }), result };
  }

  async function stateHash(contract = root): Promise<string> {
    return (await chain.getAccount(contract.address)).data?.hash().toString('hex') ?? '';
  }

  /** Sends a body that must be refused with `exitCode` and leave the state as it was. */
  async function refused(from: SandboxContract<TreasuryContract>, body: Cell, exitCode: number, to = root): Promise<void> {
    const before = await stateHash(to);
    assert.equal((await sendBody(from, body, ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON, to)).exitCode, exitCode);
    assert.equal(await stateHash(to), before, 'a refused message changes nothing');
  }

  const signedBody = (publicKey: string, expireAt: number, options: { secretKey?: Buffer; keyType?: number } = {}): Cell => {
    queryId += 1n;
    return buildSignedPublicKeyBody(options.secretKey ?? keyManagerKeys.secretKey, {
      publicKey, keyType: options.keyType ?? 1, expireAt, queryId, sendExcessesTo: relayer.address,
    });
  };

  before(async () => {
    chain = await SandboxChain.create();
    chain.blockchain.now = NOW;
    owner = await chain.blockchain.treasury('root-owner');
    stranger = await chain.blockchain.treasury('stranger');
    relayer = await chain.blockchain.treasury('relayer');
    root = await deploy({ params: testCocoonParams() });
  });

  test('a new dev root is struct version 5 with no key manager and no keys', async () => {
    const config = await root.getConfig();
    assert.equal(config.params.structVersion, 5);
    assert.deepEqual([config.keyManager, config.registeredPublicKeys], [undefined, []]);
    assert.equal(await root.getPublicKeyIsValid(hex(1)), false);
  });

  test('signed add before any key manager is set exits 1016 (a zero key never verifies anything)', async () => {
    await refused(relayer, signedBody(hex(1), NOW + DAY), ContractExitCode.keyManagerUnset);
  });

  test('change_key_manager: stranger 1004, malformed net address 1018, owner sets key, hash and address', async () => {
    const keyManager = { publicKey: keyManagerKeys.publicKey, imageHash: hex(0x1a), address: '127.0.0.1:13001' };
    await refused(stranger, CocoonRootContract.changeKeyManagerBody(keyManager), ContractExitCode.accessDenied);
    const head = () => beginCell().storeUint(ContractOp.rootChangeKeyManager, 32).storeUint(0, 64).storeBuffer(keyManagerKeys.publicKey).storeUint(0, 256);
    await refused(owner, head().storeBit(true).storeUint(1, 7).storeUint(0x41, 8).endCell(), ContractExitCode.badNetAddress);
    await refused(owner, head().storeBit(false).storeUint(2, 7).storeUint(0x41, 8).endCell(), ContractExitCode.badNetAddress);
    await refused(owner, head().storeBit(false).storeUint(0, 7).storeUint(0x41, 8).endCell(), ContractExitCode.badNetAddress);
    const before = await root.getConfig();
    await root.sendChangeKeyManager(owner.getSender(), toNano('0.05'), keyManager);
    const after = await root.getConfig();
    assert.equal(after.version, before.version + 1);
    assert.equal(after.params.paramsVersion, before.params.paramsVersion, 'params_version untouched');
    assert.deepEqual(after.keyManager, { publicKey: keyManagerKeys.publicKey.toString('hex'), imageHash: hex(0x1a), address: '127.0.0.1:13001' });
  });

  test('signed add: wrong signing key 1007, tampered payload 1007, payload op 1001, query id 1002, expired 1000', async () => {
    await refused(relayer, signedBody(hex(2), NOW + DAY, { secretKey: strangerKeys.secretKey }), ContractExitCode.badSignature);
    // Signed for one key, the payload swapped for another key (same envelope signature).
    const genuine = buildSignedPublicKeyPayload({ publicKey: hex(2), keyType: 1, expireAt: NOW + DAY, queryId: 5n });
    const signature = sign(genuine.hash(), keyManagerKeys.secretKey);
    for (const tampered of [{ publicKey: hex(3) }, { expireAt: NOW + 2 * DAY }, { keyType: 2 }]) {
      await refused(relayer, signedPublicKeyBody({ publicKey: hex(2), keyType: 1, expireAt: NOW + DAY, queryId: 5n, ...tampered, signature }), ContractExitCode.badSignature);
    }
    const payloadWithOp = (op: number, payloadQueryId: bigint) => beginCell().storeUint(op, 32).storeUint(payloadQueryId, 64)
      .storeBuffer(Buffer.from(hex(2), 'hex')).storeUint(1, 8).storeUint(NOW + DAY, 32).endCell();
    const envelope = (payload: Cell, envelopeQueryId: bigint) => beginCell().storeUint(ContractOp.rootAddPublicKeySigned, 32).storeUint(envelopeQueryId, 64)
      .storeAddress(relayer.address).storeBuffer(sign(payload.hash(), keyManagerKeys.secretKey)).storeRef(payload).endCell();
    await refused(relayer, envelope(payloadWithOp(ContractOp.rootAddPublicKey, 5n), 5n), ContractExitCode.wrongPayloadOp);
    await refused(relayer, envelope(payloadWithOp(ContractOp.rootAddPublicKeySigned, 5n), 6n), ContractExitCode.wrongQueryId);
    await refused(relayer, signedBody(hex(2), NOW - 1), ContractExitCode.oldMessage);
    assert.equal(await root.getPublicKeyIsValid(hex(2)), false);
  });

  test('a valid signed add from any relayer is stored, visible to the getter and readRootConfig, and the excess goes back', async () => {
    const before = await root.getConfig();
    const { exitCode, result } = await sendBody(stranger, signedBody(hex(2), NOW + DAY), ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON);
    assert.equal(exitCode, 0);
    const refund = result.transactions.find((transaction) => {
      const info = transaction.inMessage?.info;
      return info?.type === 'internal' && info.dest.equals(relayer.address) && info.src.equals(root.address);
    });
    assert.ok(refund, 'excesses sent to the signed-for send_excesses_to');
    const refunded = refund.inMessage!.info.type === 'internal' ? refund.inMessage!.info.value.coins : 0n;
    assert.ok(refunded > ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON - toNano('0.02'), `refunded ${refunded}`);
    assert.equal(await root.getPublicKeyIsValid(hex(2)), true);
    const config = await readRootConfig(chain, root.address);
    assert.equal(config.version, before.version + 1);
    assert.deepEqual(config.registeredPublicKeys, [{ publicKey: hex(2), keyType: 1, expireAt: NOW + DAY }]);
    assert.equal(isRegisteredPublicKey(config, hex(2), NOW), true);
    assert.equal(isRegisteredPublicKey(config, hex(2), NOW + DAY + 1), false);
  });

  test('no send_excesses_to returns the excess to the sender; a replay only re-stores the same entry', async () => {
    queryId += 1n;
    const body = buildSignedPublicKeyBody(keyManagerKeys.secretKey, { publicKey: hex(4), keyType: 1, expireAt: NOW + DAY, queryId });
    const first = await sendBody(stranger, body, ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON);
    assert.equal(first.exitCode, 0);
    assert.ok(first.result.transactions.some((transaction) => {
      const info = transaction.inMessage?.info;
      return info?.type === 'internal' && info.dest.equals(stranger.address) && info.src.equals(root.address);
    }));
    const keysBefore = (await root.getConfig()).registeredPublicKeys;
    const replay = await sendBody(relayer, body, ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON);
    assert.equal(replay.exitCode, 0);
    assert.deepEqual((await root.getConfig()).registeredPublicKeys, keysBefore);
  });

  test('add_public_key: stranger 1004, expired 1000, owner adds without a signature', async () => {
    const key = { publicKey: hex(5), keyType: 7, expireAt: NOW + 3600 };
    await refused(stranger, CocoonRootContract.addPublicKeyBody(key), ContractExitCode.accessDenied);
    await refused(owner, CocoonRootContract.addPublicKeyBody({ ...key, expireAt: NOW - 1 }), ContractExitCode.oldMessage);
    const before = await root.getConfig();
    await root.sendAddPublicKey(owner.getSender(), toNano('0.05'), key);
    const after = await root.getConfig();
    assert.equal(after.version, before.version + 1);
    assert.deepEqual(after.registeredPublicKeys.find((entry) => entry.publicKey === hex(5)), { publicKey: hex(5), keyType: 7, expireAt: NOW + 3600 });
  });

  test('expired keys: the getter says invalid at once, the next insert prunes them', async () => {
    chain.blockchain.now = NOW + 3601;
    assert.equal(await root.getPublicKeyIsValid(hex(5)), false, 'expired, not yet pruned');
    assert.ok((await root.getConfig()).registeredPublicKeys.some((entry) => entry.publicKey === hex(5)));
    assert.equal((await sendBody(relayer, signedBody(hex(6), NOW + 2 * DAY), ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON)).exitCode, 0);
    assert.deepEqual((await root.getConfig()).registeredPublicKeys.map((entry) => entry.publicKey), [hex(2), hex(4), hex(6)]);
    chain.blockchain.now = NOW + DAY + 1;
    await root.sendAddPublicKey(owner.getSender(), toNano('0.05'), { publicKey: hex(7), keyType: 1, expireAt: NOW + DAY + 1 });
    assert.deepEqual((await root.getConfig()).registeredPublicKeys.map((entry) => entry.publicKey), [hex(6), hex(7)], 'expire_at == now is still valid');
  });

  test('a new key manager key makes the old one\'s signatures worthless', async () => {
    const next = keyPairFromSeed(Buffer.alloc(32, 0x4c));
    await root.sendChangeKeyManager(owner.getSender(), toNano('0.05'), { publicKey: next.publicKey, address: '127.0.0.1:13002' });
    assert.deepEqual((await root.getConfig()).keyManager, { publicKey: next.publicKey.toString('hex'), imageHash: hex(0), address: '127.0.0.1:13002' });
    await refused(relayer, signedBody(hex(8), NOW + 2 * DAY), ContractExitCode.badSignature);
    assert.equal((await sendBody(relayer, signedBody(hex(8), NOW + 2 * DAY, { secretKey: next.secretKey }), ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON)).exitCode, 0);
  });

  test('gas: a signed add with a day of keys (24 + 1) stays cheap', async () => {
    const at = NOW + 2 * DAY;
    chain.blockchain.now = at;
    const keys = Array.from({ length: 24 }, (_, index) => ({ publicKey: hex(0x80 + index), keyType: 1, expireAt: at + DAY + index }));
    const full = await deploy({
      params: testCocoonParams(), registeredPublicKeys: keys, version: 2,
      keyManager: { publicKey: keyManagerKeys.publicKey, imageHash: hex(1), address: '10.0.0.1:13001' },
    });
    queryId += 1n;
    const body = buildSignedPublicKeyBody(keyManagerKeys.secretKey, { publicKey: hex(0x20), keyType: 1, expireAt: at + DAY, queryId, sendExcessesTo: relayer.address });
    const result = await relayer.send({ to: full.address, value: ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON, body });
    assert.equal(exitCodeTo(result.transactions, { to: full.address }), 0);
    const { gasUsed, totalFees } = gasOf(result.transactions, { to: full.address });
    console.log(`# root_add_public_key_signed with 24 keys stored: gas ${gasUsed}, fees ${totalFees} nanoTON`);
    assert.ok(gasUsed < 60_000n, `gas ${gasUsed}`);
    assert.ok(totalFees < toNano('0.03'), `fees ${totalFees}`);
    assert.equal((await full.getConfig()).registeredPublicKeys.length, 25);
  });

  describe('an old-layout root (struct version 3)', () => {
    let old: SandboxContract<CocoonRootContract>;
    const later = (): number => (chain.blockchain.now ?? NOW) + DAY;
    before(async () => {
      old = await deploy({ params: { ...testCocoonParams(), structVersion: 3 }, workerHashes: [hex(1)] });
    });

    test('refuses every key-manager op with 1017, keeps the old ops, and still parses', async () => {
      await refused(owner, CocoonRootContract.changeKeyManagerBody({ publicKey: keyManagerKeys.publicKey, address: 'a:1' }), ContractExitCode.oldRootLayout, old);
      await refused(owner, CocoonRootContract.addPublicKeyBody({ publicKey: hex(2), keyType: 1, expireAt: later() }), ContractExitCode.oldRootLayout, old);
      await refused(relayer, signedBody(hex(2), later()), ContractExitCode.oldRootLayout, old);
      assert.equal(await old.getPublicKeyIsValid(hex(2)), false);
      assert.equal((await sendBody(owner, CocoonRootContract.addWorkerHashBody(hex(2)), toNano('0.05'), old)).exitCode, 0);
      const config = await readRootConfig(chain, old.address);
      assert.deepEqual([config.params.structVersion, config.workerHashes.size, config.keyManager, config.registeredPublicKeys], [3, 2, undefined, []]);
    });

    test('upgrade_full to struct version 5 (the owner\'s migration) enables the key manager', async () => {
      const current = await old.getConfig();
      const newData = buildRootState({
        ...current, version: current.version + 1, params: { ...current.params, structVersion: 5 },
        keyManager: { publicKey: keyManagerKeys.publicKey, imageHash: hex(3), address: '10.0.0.2:13001' },
      });
      const upgrade = CocoonRootContract.adminBody({ type: 'upgradeFull', newData, newCode: loadContractCode('root') });
      assert.equal((await sendBody(owner, upgrade, toNano('0.05'), old)).exitCode, 0);
      assert.equal((await sendBody(relayer, signedBody(hex(2), later()), ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON, old)).exitCode, 0);
      const config = await old.getConfig();
      assert.deepEqual([config.params.structVersion, [...config.workerHashes].sort(), config.registeredPublicKeys.length], [5, [hex(1), hex(2)], 1]);
    });
  });
});

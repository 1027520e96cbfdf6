/**
 * Root state layouts of struct versions 4 and 5 (§6.9): build → parse round trips of the key-manager
 * and verified-keys cells, hand-built cells in the reference's layout, old (≤ 3) layouts still
 * parsing, malformed or extra data refused, struct-version mismatches refused at build time,
 * isRegisteredPublicKey (expiry boundary, the reference debug key) and the signed-registration
 * body (what is signed, tampering detected).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell, Dictionary, type Builder, type Cell } from '@ton/core';
import { keyPairFromSeed, sign } from '@ton/crypto';
import { isCocoonError } from '@cocoon/protocol';
import { devCocoonParams, storeCocoonParams, type CocoonParams } from '../../src/params/cocoon-params.ts';
import { buildRootData, buildRootState, parseRootState, type RootConfig } from '../../src/root/root-state.ts';
import {
  isRegisteredPublicKey, MAX_KEY_MANAGER_ADDRESS_BYTES, REFERENCE_DEBUG_PUBLIC_KEY_HEX, storeKeyManagerAddress,
} from '../../src/root/root-key-manager-state.ts';
import {
  ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON, buildSignedPublicKeyBody, buildSignedPublicKeyPayload, readSignedPublicKeyBody,
} from '../../src/root/signed-public-key.ts';
import { CocoonRootContract } from '../../src/wrappers/cocoon-root-contract.ts';
import { ContractOp } from '../../src/contracts/contract-opcodes.ts';

const code = (name: string): Cell => beginCell().storeStringTail(name).endCell();
const params = (structVersion: number): CocoonParams => ({ ...devCocoonParams({ proxyCode: code('p'), workerCode: code('w'), clientCode: code('c') }), structVersion });
const owner = new Address(0, Buffer.alloc(32, 0x0e));
const hex = (byte: number) => Buffer.alloc(32, byte).toString('hex');
const hasCode = (errorCode: string, pattern?: RegExp) => (error: unknown) =>
  isCocoonError(error) && error.code === errorCode && (pattern === undefined || pattern.test(error.message));

/** The key-manager cell exactly as the reference parses it, built by hand. */
function referenceKeyManagerCell(keys: Array<[number, number, number]>, address: string, extra?: (builder: Builder) => void): Cell {
  const dictionary = Dictionary.empty(Dictionary.Keys.BigUint(256), {
    serialize: (value: [number, number], builder: Builder) => {
      builder.storeUint(value[0], 8).storeUint(value[1], 32);
      extra?.(builder);
    },
    parse: () => [0, 0] as [number, number],
  });
  for (const [byte, keyType, expireAt] of keys) dictionary.set(BigInt(`0x${hex(byte)}`), [keyType, expireAt]);
  return beginCell().storeDict(dictionary).storeBuffer(Buffer.alloc(32, 0xaa)).storeBuffer(Buffer.alloc(32, 0xbb))
    .storeBit(false).storeUint(address.length, 7).storeBuffer(Buffer.from(address, 'latin1')).endCell();
}

function stateWith(structVersion: number, refs: Cell[]): Cell {
  const builder = beginCell().storeAddress(owner).storeUint(3, 32).storeRef(buildRootData({})).storeRef(storeCocoonParams(params(structVersion)));
  for (const ref of refs) builder.storeRef(ref);
  return builder.endCell();
}

describe('root state: key manager layouts (struct versions 4–5)', () => {
  test('struct version 5 round-trips keys, key manager and the three verified sets', () => {
    const config = parseRootState(buildRootState({
      owner, params: params(5), version: 9,
      registeredPublicKeys: [{ publicKey: hex(2), keyType: 1, expireAt: 2_000_000_000 }, { publicKey: `0x${hex(1).toUpperCase()}`, keyType: 255, expireAt: 0xffff_ffff }],
      keyManager: { publicKey: Buffer.alloc(32, 7), imageHash: hex(8), address: '127.0.0.1:13001' },
      verifiedProxyKeys: [hex(3)], verifiedWorkerKeys: [hex(4), hex(5)], verifiedKeyManagerKeys: [hex(6)],
    }));
    assert.equal(config.params.structVersion, 5);
    assert.deepEqual(config.registeredPublicKeys, [
      { publicKey: hex(1), keyType: 255, expireAt: 0xffff_ffff }, { publicKey: hex(2), keyType: 1, expireAt: 2_000_000_000 },
    ], 'sorted by key, lowercase hex');
    assert.deepEqual(config.keyManager, { publicKey: hex(7), imageHash: hex(8), address: '127.0.0.1:13001' });
    assert.deepEqual([[...config.verifiedProxyKeys], [...config.verifiedWorkerKeys].sort(), [...config.verifiedKeyManagerKeys]], [[hex(3)], [hex(4), hex(5)], [hex(6)]]);
  });

  test('struct version 4 has the key-manager cell only; an unset key manager reads as undefined', () => {
    const state = buildRootState({ owner, params: params(4) });
    assert.equal(state.refs.length, 3);
    const config = parseRootState(state);
    assert.deepEqual([config.keyManager, config.registeredPublicKeys, config.verifiedProxyKeys.size], [undefined, [], 0]);
    const withAddressOnly = parseRootState(buildRootState({ owner, params: params(4), keyManager: { publicKey: 0n, address: 'km:1' } }));
    assert.deepEqual(withAddressOnly.keyManager, { publicKey: hex(0), imageHash: hex(0), address: 'km:1' });
  });

  test('old layouts (struct version ≤ 3) still parse, with empty key-manager fields', () => {
    for (const version of [0, 3]) {
      const old = beginCell().storeAddress(owner).storeUint(1, 32).storeRef(buildRootData({ workerHashes: [hex(1)] }))
        .storeRef(storeCocoonParams(params(version))).endCell();
      const config = parseRootState(old);
      assert.deepEqual([config.workerHashes.has(hex(1)), config.registeredPublicKeys, config.keyManager], [true, [], undefined]);
      assert.deepEqual([config.verifiedProxyKeys.size, config.verifiedWorkerKeys.size, config.verifiedKeyManagerKeys.size], [0, 0, 0]);
    }
    assert.equal(buildRootState({ owner, params: params(3) }).refs.length, 2);
  });

  test('a hand-built cell in the reference layout parses to the same fields', () => {
    const verified = beginCell().storeDict(null).storeDict(Dictionary.empty(Dictionary.Keys.BigUint(256), Dictionary.Values.Uint(8)).set(5n, 1)).storeDict(null).endCell();
    const config = parseRootState(stateWith(5, [referenceKeyManagerCell([[9, 1, 1234]], '10.1.2.3:9000'), verified]));
    assert.deepEqual(config.registeredPublicKeys, [{ publicKey: hex(9), keyType: 1, expireAt: 1234 }]);
    assert.deepEqual(config.keyManager, { publicKey: hex(0xaa), imageHash: hex(0xbb), address: '10.1.2.3:9000' });
    assert.deepEqual([...config.verifiedWorkerKeys], [`${'0'.repeat(63)}5`], 'values of the verified sets are ignored, as the reference does');
    assert.ok(buildRootState({
      owner, params: params(5), version: 3, registeredPublicKeys: [{ publicKey: hex(9), keyType: 1, expireAt: 1234 }],
      keyManager: { publicKey: hex(0xaa), imageHash: hex(0xbb), address: '10.1.2.3:9000' },
    }).refs[2]!.equals(referenceKeyManagerCell([[9, 1, 1234]], '10.1.2.3:9000')), 'our builder writes the reference bytes');
  });

  const emptyVerified = beginCell().storeDict(null).storeDict(null).storeDict(null).endCell();
  const malformed: Array<[string, () => Cell]> = [
    ['struct 4 without the key-manager ref', () => stateWith(4, [])],
    ['struct 5 without the verified-keys ref', () => stateWith(5, [referenceKeyManagerCell([], '')])],
    ['struct 3 with an extra ref', () => stateWith(3, [emptyVerified])],
    ['struct 4 with an extra ref', () => stateWith(4, [referenceKeyManagerCell([], ''), emptyVerified])],
    ['a key entry with extra bits', () => stateWith(4, [referenceKeyManagerCell([[1, 1, 5]], '', (b) => b.storeBit(true))])],
    ['a net address of type 1', () => stateWith(4, [beginCell().storeDict(null).storeUint(0, 512).storeBit(true).storeUint(0, 7).endCell()])],
    ['a truncated net address', () => stateWith(4, [beginCell().storeDict(null).storeUint(0, 512).storeBit(false).storeUint(3, 7).storeUint(1, 8).endCell()])],
    ['bits after the net address', () => stateWith(4, [beginCell().storeDict(null).storeUint(0, 512).storeBit(false).storeUint(0, 7).storeBit(true).endCell()])],
    ['a short verified-keys cell', () => stateWith(5, [referenceKeyManagerCell([], ''), beginCell().storeDict(null).endCell()])],
  ];
  for (const [name, build] of malformed) {
    test(`a malformed state (${name}) is CCN_ERR_TON_CONTRACT_MISMATCH`, () => {
      assert.throws(() => parseRootState(build()), hasCode('CCN_ERR_TON_CONTRACT_MISMATCH'));
    });
  }

  test('key-manager fields on an old struct version, or verified keys below 5, are refused at build time', () => {
    const km = { publicKey: hex(1), address: 'a:1' };
    assert.throws(() => buildRootState({ owner, params: params(3), keyManager: km }), hasCode('CCN_ERR_INTERNAL', /struct_version ≥ 4/));
    assert.throws(() => buildRootState({ owner, params: params(3), registeredPublicKeys: [{ publicKey: hex(1), keyType: 1, expireAt: 1 }] }), hasCode('CCN_ERR_INTERNAL'));
    assert.throws(() => buildRootState({ owner, params: params(4), verifiedWorkerKeys: [hex(1)] }), hasCode('CCN_ERR_INTERNAL', /struct_version 5/));
    assert.doesNotThrow(() => buildRootState({ owner, params: params(3), verifiedWorkerKeys: [], registeredPublicKeys: [] }));
    assert.throws(() => buildRootState({ owner, params: params(5), registeredPublicKeys: [{ publicKey: hex(1), keyType: 256, expireAt: 1 }] }), hasCode('CCN_ERR_INTERNAL', /keyType/));
    assert.throws(() => buildRootState({ owner, params: params(5), keyManager: { publicKey: 'xyz', address: '' } }), hasCode('CCN_ERR_INTERNAL', /32-byte/));
  });

  test(`key manager address: up to ${MAX_KEY_MANAGER_ADDRESS_BYTES} printable ASCII bytes, the most a change_key_manager body holds`, () => {
    const longest = 'k'.repeat(MAX_KEY_MANAGER_ADDRESS_BYTES);
    const body = CocoonRootContract.changeKeyManagerBody({ publicKey: 2n ** 256n - 1n, imageHash: 2n ** 256n - 1n, address: longest }, 2n ** 64n - 1n);
    assert.equal(body.bits.length, 32 + 64 + 512 + 8 + 8 * MAX_KEY_MANAGER_ADDRESS_BYTES);
    assert.ok(body.bits.length <= 1023);
    for (const bad of ['k'.repeat(MAX_KEY_MANAGER_ADDRESS_BYTES + 1), 'km\n:1', 'kä:1']) {
      assert.throws(() => storeKeyManagerAddress(beginCell(), bad), (error: unknown) => hasCode('CCN_ERR_INTERNAL', /printable ASCII/)(error) && (error as { param?: string }).param === 'address');
    }
  });
});

describe('isRegisteredPublicKey', () => {
  const root = (isTest: boolean): Pick<RootConfig, 'registeredPublicKeys' | 'params'> => ({
    params: { ...params(5), isTest },
    registeredPublicKeys: [{ publicKey: hex(1), keyType: 1, expireAt: 1000 }, { publicKey: REFERENCE_DEBUG_PUBLIC_KEY_HEX, keyType: 1, expireAt: 2_000_000_000 }],
  });

  test('valid while now ≤ expire_at, in any spelling; unknown or malformed keys are not registered', () => {
    assert.equal(isRegisteredPublicKey(root(false), hex(1), 1000), true);
    assert.equal(isRegisteredPublicKey(root(false), `0x${hex(1).toUpperCase()}`, 999), true);
    assert.equal(isRegisteredPublicKey(root(false), Buffer.alloc(32, 1), 1000), true);
    assert.equal(isRegisteredPublicKey(root(false), hex(1), 1001), false, 'expired');
    assert.equal(isRegisteredPublicKey(root(false), hex(2), 0), false);
    assert.equal(isRegisteredPublicKey(root(false), 'not hex', 0), false);
  });

  test('the reference debug key (public private key) counts only on an is_test root', () => {
    assert.equal(REFERENCE_DEBUG_PUBLIC_KEY_HEX, 'fb67d0fcd338f20e0d4957d9e82adc101d2e3513a448a3ab46052ee1b88c5818');
    assert.equal(isRegisteredPublicKey(root(true), REFERENCE_DEBUG_PUBLIC_KEY_HEX, 1000), true);
    assert.equal(isRegisteredPublicKey(root(false), REFERENCE_DEBUG_PUBLIC_KEY_HEX, 1000), false);
  });
});

describe('signed public key registration body', () => {
  const keyManager = keyPairFromSeed(Buffer.alloc(32, 0x51));
  const fields = { publicKey: hex(0x77), keyType: 1, expireAt: 1_900_000_000, queryId: 0x0102030405060708n };
  const relayer = new Address(0, Buffer.alloc(32, 0x99));

  test('signs the payload cell `op query_id key key_type expire_at` (the reference sign_and_wrap_message)', () => {
    const payload = buildSignedPublicKeyPayload(fields);
    const slice = payload.beginParse();
    assert.deepEqual(
      [slice.loadUint(32), slice.loadUintBig(64), slice.loadBuffer(32).toString('hex'), slice.loadUint(8), slice.loadUint(32), slice.remainingBits],
      [ContractOp.rootAddPublicKeySigned, fields.queryId, hex(0x77), 1, 1_900_000_000, 0],
    );
    const body = buildSignedPublicKeyBody(keyManager.secretKey, { ...fields, sendExcessesTo: relayer });
    const envelope = body.beginParse();
    assert.deepEqual([envelope.loadUint(32), envelope.loadUintBig(64)], [ContractOp.rootAddPublicKeySigned, fields.queryId]);
    assert.ok(envelope.loadAddress().equals(relayer));
    assert.deepEqual(envelope.loadBuffer(64), sign(payload.hash(), keyManager.secretKey));
    assert.ok(envelope.loadRef().equals(payload));
    assert.equal(ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON, 400_000_000n);
  });

  test('a 32-byte seed signs the same as the 64-byte key; the reader verifies and reads back', () => {
    const fromSeed = buildSignedPublicKeyBody(Buffer.alloc(32, 0x51), fields);
    assert.ok(fromSeed.equals(buildSignedPublicKeyBody(keyManager.secretKey, fields)));
    const read = readSignedPublicKeyBody(fromSeed, keyManager.publicKey);
    assert.deepEqual(read, { publicKey: hex(0x77), keyType: 1, expireAt: 1_900_000_000, queryId: fields.queryId, sendExcessesTo: null, signatureValid: true });
    assert.equal(readSignedPublicKeyBody(fromSeed, keyPairFromSeed(Buffer.alloc(32, 1)).publicKey).signatureValid, false);
    const viaStatic = CocoonRootContract.addPublicKeySignedBody({ ...fields, signingKey: keyManager.secretKey, returnExcessesTo: relayer });
    assert.ok(readSignedPublicKeyBody(viaStatic, keyManager.publicKey).sendExcessesTo?.equals(relayer));
    const randomQuery = CocoonRootContract.addPublicKeySignedBody({ ...fields, queryId: undefined, signingKey: keyManager.secretKey });
    assert.equal(readSignedPublicKeyBody(randomQuery, keyManager.publicKey).signatureValid, true);
  });

  test('refuses bad inputs by name', () => {
    const refused = (param: string) => (error: unknown) => hasCode('CCN_ERR_INTERNAL')(error) && (error as { param?: string }).param === param;
    assert.throws(() => buildSignedPublicKeyBody(keyManager.secretKey, { ...fields, keyType: 256 }), refused('keyType'));
    assert.throws(() => buildSignedPublicKeyBody(keyManager.secretKey, { ...fields, expireAt: -1 }), refused('expireAt'));
    assert.throws(() => buildSignedPublicKeyBody(keyManager.secretKey, { ...fields, queryId: 2n ** 64n }), refused('queryId'));
    assert.throws(() => buildSignedPublicKeyBody(Buffer.alloc(31), fields), refused('keyManagerSecretKey'));
    assert.throws(() => buildSignedPublicKeyBody(keyManager.secretKey, { ...fields, publicKey: 'zz' }), refused('publicKey'));
    assert.throws(() => readSignedPublicKeyBody(beginCell().storeUint(1, 32).endCell(), keyManager.publicKey), hasCode('CCN_ERR_TON_CONTRACT_MISMATCH'));
  });
});

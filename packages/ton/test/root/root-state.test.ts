/**
 * The root contract's state cell (§6.9): build → parse round trips with hashes given as hex,
 * 0x-hex, bytes or integers; the registered-proxy address text limits; last_proxy_seqno
 * defaults; and malformed cells refused as CCN_ERR_TON_CONTRACT_MISMATCH.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell, Dictionary, toNano, type Cell } from '@ton/core';
import { Blockchain } from '@ton/sandbox';
import { isCocoonError } from '@cocoon/protocol';
import {
  buildRootData, buildRootState, hashToHex, MAX_PROXY_ADDRESS_BYTES, parseRootData, parseRootState, registeredProxyValue, storeProxyAddressText,
} from '../../src/root/root-state.ts';
import { CocoonRootContract } from '../../src/wrappers/cocoon-root-contract.ts';
import { ContractExitCode } from '../../src/contracts/contract-exit-codes.ts';
import { exitCodeTo, testCocoonParams } from '../wallet/contract-test-helpers.ts';
import { devCocoonParams, storeCocoonParams } from '../../src/params/cocoon-params.ts';

const code = (name: string): Cell => beginCell().storeStringTail(name).endCell();
const params = devCocoonParams({ proxyCode: code('proxy'), workerCode: code('worker'), clientCode: code('client') });
const owner = new Address(0, Buffer.alloc(32, 0x0e));
const hex = (byte: number) => Buffer.alloc(32, byte).toString('hex');

const hasCode = (code: string, pattern?: RegExp) => (error: unknown) =>
  isCocoonError(error) && error.code === code && (pattern === undefined || pattern.test(error.message));

describe('root state', () => {
  test('build → parse keeps owner, version, every hash set, proxies and params', () => {
    const state = buildRootState({
      owner, params, version: 77,
      proxyHashes: [hex(1), `0x${hex(2).toUpperCase()}`],
      workerHashes: [Buffer.alloc(32, 3)],
      modelHashes: [BigInt(`0x${hex(4)}`), 5n],
      registeredProxies: [{ seqno: 9, address: '10.0.0.9:8801' }, { seqno: 2, address: 'proxy.example:443' }],
      lastProxySeqno: 12,
    });
    const config = parseRootState(state);
    assert.ok(config.owner.equals(owner));
    assert.equal(config.version, 77);
    assert.deepEqual([...config.proxyHashes].sort(), [hex(1), hex(2)]);
    assert.deepEqual([...config.workerHashes], [hex(3)]);
    assert.deepEqual([...config.modelHashes].sort(), [`${'0'.repeat(63)}5`, hex(4)]);
    assert.deepEqual(config.registeredProxies, [{ seqno: 2, address: 'proxy.example:443' }, { seqno: 9, address: '10.0.0.9:8801' }], 'sorted by seqno');
    assert.equal(config.lastProxySeqno, 12);
    assert.equal(config.params.pricePerToken, 20n);
    assert.ok(config.params.proxyCode?.equals(params.proxyCode!));
  });

  test('defaults: version 1, empty sets, last_proxy_seqno = the highest registered seqno (0 with none)', () => {
    const empty = parseRootState(buildRootState({ owner, params }));
    assert.equal(empty.version, 1);
    assert.deepEqual([empty.proxyHashes.size, empty.workerHashes.size, empty.modelHashes.size, empty.registeredProxies.length, empty.lastProxySeqno], [0, 0, 0, 0, 0]);
    const data = parseRootData(buildRootData({ registeredProxies: [{ seqno: 4, address: 'a' }, { seqno: 7, address: 'b' }, { seqno: 1, address: 'c' }] }));
    assert.equal(data.lastProxySeqno, 7);
  });

  test('the same hash given twice, in different spellings, is stored once', () => {
    const data = parseRootData(buildRootData({ workerHashes: [hex(0xab), `0x${hex(0xab).toUpperCase()}`, Buffer.alloc(32, 0xab), BigInt(`0x${hex(0xab)}`)] }));
    assert.deepEqual([...data.workerHashes], [hex(0xab)]);
  });

  test('hashToHex normalizes valid spellings and refuses anything that is not 32 bytes', () => {
    assert.equal(hashToHex(`0X${hex(0xcd)}`.replace('0X', '0x')), hex(0xcd));
    assert.equal(hashToHex(hex(0xcd).toUpperCase()), hex(0xcd));
    assert.equal(hashToHex(0n), '0'.repeat(64));
    assert.equal(hashToHex(2n ** 256n - 1n), 'f'.repeat(64));
    const invalid: unknown[] = [hex(1).slice(2), `${hex(1)}00`, `zz${hex(1).slice(2)}`, Buffer.alloc(31), Buffer.alloc(33), 2n ** 256n, -1n, ''];
    for (const value of invalid) {
      assert.throws(() => hashToHex(value as string), (error: unknown) => hasCode('CCN_ERR_INTERNAL', /32-byte hash/)(error) && (error as { param?: string }).param === 'hash', String(value));
    }
  });

  test(`proxy address text: up to ${MAX_PROXY_ADDRESS_BYTES} printable ASCII bytes, the most an update_proxy body holds`, () => {
    const longest = 'a'.repeat(MAX_PROXY_ADDRESS_BYTES);
    const data = parseRootData(buildRootData({ registeredProxies: [{ seqno: 1, address: longest }, { seqno: 2, address: '' }] }));
    assert.deepEqual(data.registeredProxies, [{ seqno: 1, address: longest }, { seqno: 2, address: '' }]);
    assert.equal(CocoonRootContract.updateProxyBody(2 ** 32 - 1, longest, 2n ** 64n - 1n).bits.length, 1023);
    assert.ok(CocoonRootContract.registerProxyBody(longest).bits.length < 1023);
    for (const bad of ['a'.repeat(MAX_PROXY_ADDRESS_BYTES + 1), 'a'.repeat(127), 'host\n:1', 'prøxy:1', 'tab\there']) {
      const refused = (error: unknown) => hasCode('CCN_ERR_INTERNAL', /printable ASCII/)(error) && (error as { param?: string }).param === 'address';
      assert.throws(() => storeProxyAddressText(beginCell(), bad), refused, bad);
      assert.throws(() => CocoonRootContract.updateProxyBody(1, bad), refused, bad);
    }
  });

  test('registered-proxy values are `0:uint1 len:uint7 bytes`, as the root contract stores them', () => {
    const dictionary = Dictionary.empty(Dictionary.Keys.Uint(32), registeredProxyValue);
    dictionary.set(3, 'h:1');
    const value = beginCell().storeDictDirect(dictionary).endCell();
    const reread = Dictionary.loadDirect(Dictionary.Keys.Uint(32), registeredProxyValue, value);
    assert.equal(reread.get(3), 'h:1');
    const builder = beginCell();
    registeredProxyValue.serialize('h:1', builder);
    const slice = builder.endCell().beginParse();
    assert.deepEqual([slice.loadUint(1), slice.loadUint(7), slice.loadBuffer(3).toString('latin1'), slice.remainingBits], [0, 3, 'h:1', 0]);
  });

  const malformed: Array<[string, () => Cell]> = [
    ['an empty cell', () => beginCell().endCell()],
    ['no refs', () => beginCell().storeAddress(owner).storeUint(1, 32).endCell()],
    ['only the data ref', () => beginCell().storeAddress(owner).storeUint(1, 32).storeRef(buildRootData({})).endCell()],
    ['a truncated data cell', () => beginCell().storeAddress(owner).storeUint(1, 32).storeRef(beginCell().storeBit(false).endCell()).storeRef(storeCocoonParams(params)).endCell()],
    ['a truncated params cell', () => beginCell().storeAddress(owner).storeUint(1, 32).storeRef(buildRootData({})).storeRef(beginCell().storeUint(3, 8).endCell()).endCell()],
    ['a missing version', () => beginCell().storeAddress(owner).endCell()],
  ];
  for (const [name, build] of malformed) {
    test(`a malformed root state (${name}) is CCN_ERR_TON_CONTRACT_MISMATCH`, () => {
      assert.throws(() => parseRootState(build()), hasCode('CCN_ERR_TON_CONTRACT_MISMATCH'));
    });
  }

  test('a root whose params use an unknown struct version is refused with that reason', () => {
    const future = beginCell().storeUint(6, 8).storeUint(1, 32).endCell();
    const state = beginCell().storeAddress(owner).storeUint(1, 32).storeRef(buildRootData({})).storeRef(future).endCell();
    assert.throws(() => parseRootState(state), hasCode('CCN_ERR_TON_CONTRACT_MISMATCH', /struct_version 6/));
  });

  test('the root contract registers and updates a proxy with the longest address', async () => {
    const blockchain = await Blockchain.create();
    const rootOwner = await blockchain.treasury('root-owner');
    const root = blockchain.openContract(CocoonRootContract.fromConfig({ owner: rootOwner.address, params: testCocoonParams() }));
    await root.sendDeploy(rootOwner.getSender(), toNano('0.5'));
    const longest = 'p'.repeat(MAX_PROXY_ADDRESS_BYTES - 5) + ':8801';
    for (const body of [CocoonRootContract.registerProxyBody(longest), CocoonRootContract.updateProxyBody(1, longest.replace('p', 'q'))]) {
      const result = await rootOwner.send({ to: root.address, value: toNano('0.05'), body });
      assert.equal(exitCodeTo(result.transactions, { to: root.address }), 0);
    }
    assert.deepEqual((await root.getConfig()).registeredProxies, [{ seqno: 1, address: longest.replace('p', 'q') }]);
    const denied = await (await blockchain.treasury('stranger')).send({ to: root.address, value: toNano('0.05'), body: CocoonRootContract.registerProxyBody(longest) });
    assert.equal(exitCodeTo(denied.transactions, { to: root.address }), ContractExitCode.accessDenied);
  });
});

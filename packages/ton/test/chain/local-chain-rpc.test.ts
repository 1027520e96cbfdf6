/**
 * The local chain's toncenter methods called directly (no HTTP): answers of the account, block
 * and get-method calls, the persistence hook after every applied message, and the refusal of
 * bad parameters with CCN_ERR_HTTP_BAD_REQUEST naming the parameter (CCN_ERR_HTTP_NOT_FOUND
 * for unknown methods, prototype names included), leaving the chain untouched.
 */
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell, Cell, toNano } from '@ton/core';
import { isCocoonError } from '@cocoon/protocol';
import { SandboxChain } from '../../src/chain/sandbox-chain.ts';
import { createLocalChainRpc, type LocalChainRpc } from '../../src/chain/local-chain-rpc.ts';
import { CONFORMANCE_CHAIN_TIME, conformanceWallet, walletTransfer } from './chain-conformance.ts';

const { wallet } = conformanceWallet;
const address = wallet.address.toString();
type Json = Record<string, unknown>;

describe('local chain rpc', () => {
  let chain: SandboxChain;
  let rpc: LocalChainRpc;
  let stateChanges: number;

  beforeEach(async () => {
    chain = await SandboxChain.create({ now: () => CONFORMANCE_CHAIN_TIME });
    stateChanges = 0;
    rpc = createLocalChainRpc(chain, async () => { stateChanges += 1; });
  });

  const badRequest = (param: string, pattern?: RegExp) => (error: unknown) =>
    isCocoonError(error) && error.code === 'CCN_ERR_HTTP_BAD_REQUEST' && error.param === param && (pattern === undefined || pattern.test(error.message));

  test('fund, deploy and read back: balance, state, seqno through runGetMethod, block seqno per transaction', async () => {
    assert.equal(await rpc.call('getAddressState', { address }), 'uninitialized');
    const funded = await rpc.fund({ address, amount: '3000000000' }) as Json;
    assert.deepEqual(funded, { address: wallet.address.toString(), amount: '3000000000', balance: '3000000000' });
    assert.equal(stateChanges, 1, 'the faucet persists');
    const boc = walletTransfer(0, toNano('1'), { deploy: true }).toBoc().toString('base64');
    const sent = await rpc.call('sendBocReturnHash', { boc }) as Json;
    assert.deepEqual(sent, { '@type': 'raw.extMessageInfo', hash: Cell.fromBase64(boc).hash().toString('base64'), hash_norm: Cell.fromBase64(boc).hash().toString('base64') });
    assert.equal(stateChanges, 2, 'an applied external persists');
    assert.equal(await rpc.call('getAddressState', { address }), 'active');
    assert.ok(BigInt(await rpc.call('getAddressBalance', { address }) as string) < toNano('2'));
    const seqno = await rpc.call('runGetMethod', { address, method: 'seqno', stack: [] }) as Json;
    assert.deepEqual([seqno['@type'], seqno.exit_code, seqno.stack], ['smc.runResult', 0, [['num', '0x1']]]);
    assert.ok((seqno.gas_used as number) > 0);
    const info = await rpc.call('getMasterchainInfo', {}) as { last: { seqno: number } };
    assert.equal(info.last.seqno, chain.transactionCount + 1);
    assert.equal((await rpc.call('getAddressInformation', { address }) as Json).sync_utime, CONFORMANCE_CHAIN_TIME);
  });

  test('get methods report exit codes instead of failing; a method id works like a name', async () => {
    await rpc.fund({ address, amount: 5_000_000_000 });
    await rpc.call('sendBoc', { boc: walletTransfer(0, toNano('1'), { deploy: true }).toBoc().toString('base64') });
    const missing = await rpc.call('runGetMethod', { address, method: 'no_such_method' }) as Json;
    assert.notEqual(missing.exit_code, 0);
    const byId = await rpc.call('runGetMethod', { address, method: 85143 /* seqno */ }) as Json;
    assert.deepEqual([byId.exit_code, byId.stack], [0, [['num', '0x1']]]);
    const uninit = await rpc.call('runGetMethod', { address: new Address(0, Buffer.alloc(32, 9)).toString(), method: 'seqno' }) as Json;
    assert.equal(uninit.exit_code, -13);
  });

  test('getTransactions pages with lt and a hex or base64 hash', async () => {
    for (const amount of ['1', '2', '3']) await rpc.fund({ address, amount });
    const all = await rpc.call('getTransactions', { address, limit: '10' }) as Array<{ transaction_id: { lt: string; hash: string } }>;
    assert.equal(all.length, 3);
    const second = all[1]!.transaction_id;
    for (const hash of [second.hash, Buffer.from(second.hash, 'base64').toString('hex')]) {
      const page = await rpc.call('getTransactions', { address, limit: 5, lt: second.lt, hash }) as typeof all;
      assert.deepEqual(page.map((entry) => entry.transaction_id.lt), [all[1]!.transaction_id.lt, all[2]!.transaction_id.lt]);
    }
    const newer = await rpc.call('getTransactions', { address, limit: 10, to_lt: all[1]!.transaction_id.lt }) as typeof all;
    assert.equal(newer.length, 1);
    assert.equal((await rpc.call('getTransactions', { address, lt: '0', to_lt: 0 }) as typeof all).length, 3, 'zero lt means no bound');
  });

  const badCalls: Array<[string, string, Json, string, RegExp?]> = [
    ['no address', 'getAddressBalance', {}, 'address', /address is required/],
    ['an address that is a number', 'getAddressState', { address: 5 }, 'address'],
    ['an invalid address', 'getAddressInformation', { address: 'EQ-nope' }, 'address', /invalid address 'EQ-nope'/],
    ['no boc', 'sendBoc', {}, 'boc', /boc \(base64\) is required/],
    ['an empty boc', 'sendBoc', { boc: '' }, 'boc'],
    ['a boc that is not one', 'sendBocReturnHash', { boc: 'bm90IGEgYm9j' }, 'boc', /bad BOC/],
    ['a get method that is an object', 'runGetMethod', { address, method: { name: 'seqno' } }, 'method'],
    ['a fractional method id', 'runGetMethod', { address, method: 1.5 }, 'method'],
    ['a stack that is not an array', 'runGetMethod', { address, method: 'seqno', stack: 'none' }, 'stack'],
    ['a stack with a bad entry', 'runGetMethod', { address, method: 'seqno', stack: [['num', 'ten']] }, 'stack'],
    ['a limit of 0', 'getTransactions', { address, limit: 0 }, 'limit', /limit must be 1\.\.1000/],
    ['a limit of 1001', 'getTransactions', { address, limit: '1001' }, 'limit'],
    ['a limit that is not an integer', 'getTransactions', { address, limit: 'ten' }, 'limit', /must be an integer/],
    ['a negative lt', 'getTransactions', { address, lt: -1 }, 'lt'],
    ['an lt with letters', 'getTransactions', { address, lt: '12x' }, 'lt', /logical time/],
    ['a 21-digit to_lt', 'getTransactions', { address, to_lt: '1'.repeat(21) }, 'to_lt'],
    ['a 31-byte hash', 'getTransactions', { address, lt: '1', hash: Buffer.alloc(31).toString('base64') }, 'hash', /32 bytes/],
    ['a hash that is a number', 'getTransactions', { address, lt: '1', hash: 7 }, 'hash'],
  ];
  for (const [name, method, params, param, pattern] of badCalls) {
    test(`${method} with ${name} is refused naming '${param}'`, async () => {
      await assert.rejects(rpc.call(method, params), badRequest(param, pattern));
      assert.equal(stateChanges, 0);
    });
  }

  test('unknown methods, prototype names included, are CCN_ERR_HTTP_NOT_FOUND', async () => {
    for (const method of ['launchRockets', 'constructor', 'toString', '__proto__', 'hasOwnProperty', '']) {
      await assert.rejects(rpc.call(method, { address }), (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_HTTP_NOT_FOUND' && error.param === 'method', method);
    }
  });

  const badAmounts: unknown[] = ['0', '-5', '1.5', '1e9', ' 1', '1'.repeat(31), 0, -1, 1.5, 2 ** 60, null, undefined, true];
  test('the faucet refuses amounts that are not positive nanoTON integers, and funds nothing', async () => {
    for (const amount of badAmounts) {
      await assert.rejects(rpc.fund({ address, amount }), badRequest('amount', /positive nanoTON integer/), JSON.stringify(amount));
    }
    await assert.rejects(rpc.fund({ amount: '5' }), badRequest('address'));
    assert.equal(stateChanges, 0);
    assert.equal((await chain.getAccount(wallet.address)).balance, 0n);
  });

  test('a rejected external is CCN_ERR_TON_TRANSACTION_FAILED and persists nothing', async () => {
    const garbage = beginCell().storeUint(5, 3).endCell().toBoc().toString('base64');
    await assert.rejects(rpc.call('sendBoc', { boc: garbage }), (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_TON_TRANSACTION_FAILED');
    await assert.rejects(rpc.call('sendBoc', { boc: walletTransfer(0, 1n).toBoc().toString('base64') }), (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_TON_TRANSACTION_FAILED');
    assert.equal(stateChanges, 0);
  });
});

/**
 * toncenter v2 JSON shapes of the local chain server: account information for undeployed and
 * deployed accounts, transactions whose BOC, id, fees and messages (external-in with a
 * state-init, internal out-messages with values) carry what TonClient reads, and block ids.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, Cell, loadStateInit, loadTransaction, toNano, type Transaction } from '@ton/core';
import { SandboxChain } from '../../src/chain/sandbox-chain.ts';
import { encodeAddressInformation, encodeBlockId, encodeMasterchainInfo, encodeTransaction } from '../../src/chain/toncenter-json.ts';
import { CONFORMANCE_CHAIN_TIME, conformanceWallet, walletTransfer } from './chain-conformance.ts';

const { wallet, recipient } = conformanceWallet;
const ZERO_HASH = Buffer.alloc(32).toString('base64');
type Json = Record<string, unknown>;

describe('toncenter JSON', () => {
  let chain: SandboxChain;
  let deploy: Transaction;
  let funding: Transaction;

  before(async () => {
    chain = await SandboxChain.create({ now: () => CONFORMANCE_CHAIN_TIME });
    await chain.fund(wallet.address, toNano('5'));
    await chain.sendExternalMessage(walletTransfer(0, toNano('1'), { deploy: true }));
    [deploy, funding] = (await chain.getTransactions(wallet.address, { limit: 2 })) as [Transaction, Transaction];
  });

  test('an untouched account: uninitialized, empty code and data, zero transaction id', async () => {
    const info = encodeAddressInformation(await chain.getAccount(new Address(0, Buffer.alloc(32, 0x77))), 12, 1234);
    assert.deepEqual(
      [info['@type'], info.state, info.balance, info.code, info.data, info.sync_utime, info.frozen_hash],
      ['raw.fullAccountState', 'uninitialized', '0', '', '', 1234, ''],
    );
    assert.deepEqual(info.last_transaction_id, { '@type': 'internal.transactionId', lt: '0', hash: ZERO_HASH });
    assert.deepEqual(info.block_id, encodeBlockId(12));
  });

  test('a deployed account: balance, code and data BOCs and its newest transaction', async () => {
    const account = await chain.getAccount(wallet.address);
    const info = encodeAddressInformation(account, 3, CONFORMANCE_CHAIN_TIME);
    assert.equal(info.state, 'active');
    assert.equal(info.balance, account.balance.toString());
    assert.ok(Cell.fromBase64(info.code as string).equals(wallet.init.code));
    assert.ok(Cell.fromBase64(info.data as string).equals(account.data!));
    assert.deepEqual(info.last_transaction_id, { '@type': 'internal.transactionId', lt: deploy.lt.toString(), hash: deploy.hash().toString('base64') });
  });

  test('a transaction: BOC, id and fees; fee = storage fee + other fee', () => {
    const json = encodeTransaction(deploy);
    assert.equal(json['@type'], 'raw.transaction');
    assert.equal(json.utime, CONFORMANCE_CHAIN_TIME);
    const reloaded = loadTransaction(Cell.fromBase64(json.data as string).beginParse());
    assert.ok(reloaded.hash().equals(deploy.hash()));
    assert.deepEqual(json.transaction_id, { '@type': 'internal.transactionId', lt: deploy.lt.toString(), hash: deploy.hash().toString('base64') });
    assert.equal(json.fee, deploy.totalFees.coins.toString());
    assert.equal(BigInt(json.storage_fee as string) + BigInt(json.other_fee as string), deploy.totalFees.coins);
    assert.ok(deploy.totalFees.coins > 0n);
  });

  test('an external-in message: no source, value 0, the body and the state-init it deployed with', () => {
    const inMessage = encodeTransaction(deploy).in_msg as Json;
    assert.deepEqual([inMessage.source, inMessage.destination, inMessage.value, inMessage.fwd_fee, inMessage.created_lt], ['', wallet.address.toString(), '0', '0', '0']);
    const data = inMessage.msg_data as Json;
    assert.equal(data['@type'], 'msg.dataRaw');
    assert.ok(Cell.fromBase64(data.body as string).equals(deploy.inMessage!.body));
    assert.equal(inMessage.body_hash, deploy.inMessage!.body.hash().toString('base64'));
    const init = loadStateInit(Cell.fromBase64(data.init_state as string).beginParse());
    assert.ok(init.code?.equals(wallet.init.code) && init.data?.equals(wallet.init.data));
  });

  test('internal messages: source, destination, value, fees, created lt; no state-init is an empty string', () => {
    const out = encodeTransaction(deploy).out_msgs as Json[];
    assert.equal(out.length, 1);
    const [message] = out;
    const info = deploy.outMessages.get(0)!.info;
    assert.ok(info.type === 'internal');
    assert.deepEqual(
      [message?.source, message?.destination, message?.value, message?.fwd_fee, message?.created_lt, (message?.msg_data as Json).init_state],
      [wallet.address.toString(), recipient.toString(), toNano('1').toString(), info.forwardFee.toString(), info.createdLt.toString(), ''],
    );
    const fundingJson = encodeTransaction(funding);
    assert.equal((fundingJson.in_msg as Json).value, toNano('5').toString());
    assert.deepEqual(fundingJson.out_msgs, []);
  });

  test('block ids and masterchain info describe a masterchain block of the given seqno', () => {
    assert.deepEqual(encodeBlockId(7), { '@type': 'ton.blockIdExt', workchain: -1, shard: '-9223372036854775808', seqno: 7, root_hash: ZERO_HASH, file_hash: ZERO_HASH });
    const info = encodeMasterchainInfo(9);
    assert.deepEqual([info['@type'], (info.last as Json).seqno, (info.init as Json).seqno], ['blocks.masterchainInfo', 9, 0]);
  });
});

/**
 * JSON shapes of the toncenter v2 API answers the local chain server gives (exactly what
 * @ton/ton's HttpApi validates): account information, transactions with their messages,
 * block ids and masterchain info.
 */
import { beginCell, storeStateInit, type Message, type Transaction } from '@ton/core';
import type { ChainAccount } from './chain.ts';

const ZERO_HASH = Buffer.alloc(32).toString('base64');
const MASTERCHAIN_SHARD = '-9223372036854775808';

export function encodeBlockId(seqno: number): Record<string, unknown> {
  return { '@type': 'ton.blockIdExt', workchain: -1, shard: MASTERCHAIN_SHARD, seqno, root_hash: ZERO_HASH, file_hash: ZERO_HASH };
}

export function encodeMasterchainInfo(seqno: number): Record<string, unknown> {
  return { '@type': 'blocks.masterchainInfo', last: encodeBlockId(seqno), state_root_hash: ZERO_HASH, init: encodeBlockId(0) };
}

export function encodeAddressInformation(account: ChainAccount, seqno: number, now: number): Record<string, unknown> {
  return {
    '@type': 'raw.fullAccountState',
    balance: account.balance.toString(),
    extra_currencies: [],
    code: account.code ? account.code.toBoc().toString('base64') : '',
    data: account.data ? account.data.toBoc().toString('base64') : '',
    last_transaction_id: {
      '@type': 'internal.transactionId',
      lt: (account.lastTransaction?.lt ?? 0n).toString(),
      hash: account.lastTransaction ? account.lastTransaction.hash.toString('base64') : ZERO_HASH,
    },
    block_id: encodeBlockId(seqno),
    frozen_hash: '',
    sync_utime: now,
    state: account.state === 'uninit' ? 'uninitialized' : account.state,
  };
}

export function encodeTransaction(transaction: Transaction): Record<string, unknown> {
  const fee = transaction.totalFees.coins;
  const description = transaction.description;
  const storageFee = 'storagePhase' in description ? (description.storagePhase?.storageFeesCollected ?? 0n) : 0n;
  return {
    '@type': 'raw.transaction',
    address: { '@type': 'accountAddress', account_address: '' },
    utime: transaction.now,
    data: transaction.raw.toBoc().toString('base64'),
    transaction_id: { '@type': 'internal.transactionId', lt: transaction.lt.toString(), hash: transaction.hash().toString('base64') },
    fee: fee.toString(),
    storage_fee: storageFee.toString(),
    other_fee: (fee - storageFee).toString(),
    ...(transaction.inMessage ? { in_msg: encodeMessage(transaction.inMessage) } : {}),
    out_msgs: transaction.outMessages.values().map(encodeMessage),
  };
}

function encodeMessage(message: Message): Record<string, unknown> {
  const info = message.info;
  const internal = info.type === 'internal' ? info : null;
  return {
    '@type': 'raw.message',
    source: info.type === 'external-in' ? '' : info.src.toString(),
    destination: info.type === 'external-out' ? '' : info.dest.toString(),
    value: (internal?.value.coins ?? 0n).toString(),
    fwd_fee: (internal?.forwardFee ?? 0n).toString(),
    ihr_fee: (internal?.ihrFee ?? 0n).toString(),
    created_lt: (info.type === 'external-in' ? 0n : info.createdLt).toString(),
    body_hash: message.body.hash().toString('base64'),
    msg_data: {
      '@type': 'msg.dataRaw',
      body: message.body.toBoc().toString('base64'),
      init_state: message.init ? beginCell().store(storeStateInit(message.init)).endCell().toBoc().toString('base64') : '',
    },
  };
}

/** The local chain process: persistence across restarts, toncenter REST routes, and robustness against bad requests. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toNano } from '@ton/core';
import { isCocoonError } from '@cocoon/protocol';
import { startLocalChainServer } from '../../src/chain/local-chain-server.ts';
import { LocalChainFaucet } from '../../src/chain/local-chain-faucet.ts';
import { TonClientChain } from '../../src/chain/ton-client-chain.ts';
import { CONFORMANCE_CHAIN_TIME, conformanceWallet, describeAccount, walletTransfer } from './chain-conformance.ts';

const { wallet, recipient } = conformanceWallet;
const now = () => CONFORMANCE_CHAIN_TIME;

async function postJson(url: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

test('a restarted server on the same data directory keeps balances, contracts and transactions', async (t) => {
  const dataDirectory = await mkdtemp(path.join(tmpdir(), 'cocoon-chain-'));
  t.after(() => rm(dataDirectory, { recursive: true, force: true }));
  const first = await startLocalChainServer({ dataDirectory, now });
  const chain = new TonClientChain({ endpoint: first.endpoint, retryDelayMs: 1 });
  await new LocalChainFaucet({ url: first.endpoint }).fund(wallet.address, toNano('5'));
  await chain.sendExternalMessage(walletTransfer(0, toNano('1'), { deploy: true }));
  const walletBefore = describeAccount(await chain.getAccount(wallet.address));
  const recipientBefore = describeAccount(await chain.getAccount(recipient));
  const historyBefore = (await chain.getTransactions(wallet.address, { limit: 10 })).map((transaction) => transaction.hash().toString('hex'));
  await first.close();
  assert.deepEqual((await readdir(dataDirectory)).sort(), ['chain-state.json']);

  const second = await startLocalChainServer({ dataDirectory, now: () => CONFORMANCE_CHAIN_TIME + 5, port: 0 });
  t.after(() => second.close());
  const again = new TonClientChain({ endpoint: second.endpoint, retryDelayMs: 1 });
  assert.deepEqual(describeAccount(await again.getAccount(wallet.address)), walletBefore);
  assert.deepEqual(describeAccount(await again.getAccount(recipient)), recipientBefore);
  assert.deepEqual((await again.getTransactions(wallet.address, { limit: 10 })).map((transaction) => transaction.hash().toString('hex')), historyBefore);
  assert.equal((await again.runGetMethod(wallet.address, 'seqno')).readNumber(), 1);
  await again.sendExternalMessage(walletTransfer(1, toNano('0.1')));
  assert.equal((await again.runGetMethod(wallet.address, 'seqno')).readNumber(), 2);
  assert.equal((await again.getTransactions(wallet.address, { limit: 10 })).length, 3);
  assert.equal(await again.now(), CONFORMANCE_CHAIN_TIME + 5);
});

test('a damaged state file stops the start with CCN_ERR_LEDGER_CORRUPT', async (t) => {
  const dataDirectory = await mkdtemp(path.join(tmpdir(), 'cocoon-chain-'));
  t.after(() => rm(dataDirectory, { recursive: true, force: true }));
  await writeFile(path.join(dataDirectory, 'chain-state.json'), '{"version":1,');
  await assert.rejects(startLocalChainServer({ dataDirectory, now }), (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_LEDGER_CORRUPT');
});

test('bad requests get JSON errors and the server keeps serving', async (t) => {
  const server = await startLocalChainServer({ now });
  t.after(() => server.close());
  const malformed = await postJson(server.endpoint, '{"method": "getMasterchainInfo",');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.json.ok, false);
  assert.equal(malformed.json.code, 400);
  assert.match(String(malformed.json.error), /not valid JSON/);

  const unknown = await postJson(server.endpoint, JSON.stringify({ id: '7', jsonrpc: '2.0', method: 'launchRockets', params: {} }));
  assert.equal(unknown.status, 404);
  assert.deepEqual({ ok: unknown.json.ok, code: unknown.json.code, id: unknown.json.id }, { ok: false, code: 404, id: '7' });
  assert.match(String(unknown.json.error), /launchRockets/);

  const noMethod = await postJson(server.endpoint, JSON.stringify({ params: {} }));
  assert.equal(noMethod.status, 400);
  const badAddress = await postJson(server.endpoint, JSON.stringify({ method: 'getAddressInformation', params: { address: 'nope' } }));
  assert.equal(badAddress.status, 400);
  const badBoc = await postJson(server.endpoint, JSON.stringify({ method: 'sendBoc', params: { boc: 'AAAA' } }));
  assert.equal(badBoc.status, 400);
  const badStack = await postJson(server.endpoint, JSON.stringify({ method: 'runGetMethod', params: { address: wallet.address.toString(), method: 'seqno', stack: [['num', 'x']] } }));
  assert.equal(badStack.status, 400);
  const badFaucet = await postJson(`${server.url}/cocoon/faucet`, JSON.stringify({ address: wallet.address.toString(), amount: '-5' }));
  assert.equal(badFaucet.status, 400);
  assert.equal((await fetch(`${server.url}/jsonRPC`)).status, 405);
  assert.equal((await fetch(`${server.url}/no/such/path`)).status, 404);

  const info = await postJson(server.endpoint, JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'getMasterchainInfo', params: {} }));
  assert.equal(info.status, 200);
  assert.equal(info.json.ok, true);
});

test('REST routes answer like toncenter v2 and the faucet reports the new balance', async (t) => {
  const server = await startLocalChainServer({ now });
  t.after(() => server.close());
  const funded = await postJson(`${server.url}/cocoon/faucet`, JSON.stringify({ address: wallet.address.toString(), amount: '2500000000' }));
  assert.equal(funded.status, 200);
  assert.equal((funded.json.result as { balance: string }).balance, '2500000000');
  const address = encodeURIComponent(wallet.address.toString());
  const balance = (await (await fetch(`${server.url}/api/v2/getAddressBalance?address=${address}`)).json()) as { ok: boolean; result: string };
  assert.deepEqual(balance, { ok: true, result: '2500000000' });
  const information = (await (await fetch(`${server.url}/getAddressInformation?address=${address}`)).json()) as { result: Record<string, unknown> };
  assert.equal(information.result.state, 'uninitialized');
  assert.equal(information.result.sync_utime, CONFORMANCE_CHAIN_TIME);
  const transactions = (await (await fetch(`${server.url}/getTransactions?address=${address}&limit=5`)).json()) as { result: Array<Record<string, unknown>> };
  assert.equal(transactions.result.length, 1);
  assert.equal((transactions.result[0]?.in_msg as { value: string }).value, '2500000000');
});

test('request shapes: size limit, params that are not objects, REST POST bodies, JSON-RPC ids in errors', async (t) => {
  const server = await startLocalChainServer({ now });
  t.after(() => server.close());
  const huge = await postJson(server.endpoint, JSON.stringify({ method: 'getMasterchainInfo', padding: 'x'.repeat(4 * 1024 * 1024) }));
  assert.equal(huge.status, 413);
  assert.equal(huge.json.cocoon_code, 'CCN_ERR_HTTP_BODY_TOO_LARGE');

  for (const params of ['[1]', '"text"', '5']) {
    const answer = await postJson(server.endpoint, `{"id":3,"method":"getMasterchainInfo","params":${params}}`);
    assert.deepEqual([answer.status, answer.json.cocoon_code, answer.json.id, answer.json.jsonrpc], [400, 'CCN_ERR_HTTP_BAD_REQUEST', 3, '2.0'], params);
  }
  assert.equal((await postJson(server.endpoint, '[{"method":"getMasterchainInfo"}]')).status, 400, 'a batch is not supported');
  assert.equal((await postJson(server.endpoint, '{"method":"getMasterchainInfo","params":null}')).json.ok, true, 'null params are no params');

  const address = wallet.address.toString();
  const rest = await postJson(`${server.url}/api/v2/getAddressState`, JSON.stringify({ address }));
  assert.deepEqual(rest.json, { ok: true, result: 'uninitialized' });
  const viaApiPrefix = await postJson(`${server.url}/api/v2/jsonRPC/`, JSON.stringify({ id: 'x', method: 'getAddressBalance', params: { address } }));
  assert.deepEqual([viaApiPrefix.json.ok, viaApiPrefix.json.result, viaApiPrefix.json.id], [true, '0', 'x']);

  assert.equal((await fetch(`${server.url}/cocoon/faucet`)).status, 405);
  assert.equal((await fetch(`${server.url}/getAddressState?address=${encodeURIComponent(address)}`, { method: 'DELETE' })).status, 405);
  const rejected = await postJson(server.endpoint, JSON.stringify({ id: 9, method: 'sendBoc', params: { boc: walletTransfer(0, 1n).toBoc().toString('base64') } }));
  assert.deepEqual([rejected.status, rejected.json.code, rejected.json.cocoon_code, rejected.json.id], [500, 500, 'CCN_ERR_TON_TRANSACTION_FAILED', 9], 'toncenter answers a rejected external with 500');
});

test('a state file that is valid JSON but not a chain state stops the start with CCN_ERR_LEDGER_CORRUPT', async (t) => {
  const dataDirectory = await mkdtemp(path.join(tmpdir(), 'cocoon-chain-'));
  t.after(() => rm(dataDirectory, { recursive: true, force: true }));
  for (const contents of ['{"version":2}', '{"version":1,"now":5,"snapshot":{},"transactions":[]}', 'null']) {
    await writeFile(path.join(dataDirectory, 'chain-state.json'), contents);
    await assert.rejects(startLocalChainServer({ dataDirectory, now }), (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_LEDGER_CORRUPT', contents);
  }
});

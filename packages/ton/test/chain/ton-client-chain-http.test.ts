/** TonClientChain against scripted HTTP answers: retries, error mapping and stack decoding (no real chain, no network). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Address, beginCell, type TupleItem } from '@ton/core';
import { isCocoonError } from '@cocoon/protocol';
import { TONCENTER_TESTNET_ENDPOINT, TonClientChain } from '../../src/chain/ton-client-chain.ts';
import { createChain } from '../../src/chain/create-chain.ts';
import { LocalChainFaucet } from '../../src/chain/local-chain-faucet.ts';
import { startLocalChainServer } from '../../src/chain/local-chain-server.ts';
import { encodeToncenterStackItem } from '../../src/chain/toncenter-stack.ts';

type Handler = (method: string, request: IncomingMessage, response: ServerResponse) => void;

async function startStub(handler: Handler): Promise<{ endpoint: string; calls: string[]; close(): Promise<void> }> {
  const calls: string[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      let body = '';
      for await (const chunk of request) body += String(chunk);
      const method = (JSON.parse(body) as { method: string }).method;
      calls.push(method);
      handler(method, request, response);
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { endpoint: `http://127.0.0.1:${port}/jsonRPC`, calls, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const address = new Address(0, Buffer.alloc(32, 1));
const noSleep = async () => {};
const hasCode = (code: string) => (error: unknown) => isCocoonError(error) && error.code === code;

test('transient HTTP errors are retried until an answer comes', async (t) => {
  let failures = 2;
  const stub = await startStub((_method, _request, response) => {
    if (failures-- > 0) return reply(response, 503, { ok: false, error: 'overloaded', code: 503 });
    reply(response, 200, { ok: true, result: { '@type': 'smc.runResult', gas_used: 1, exit_code: 0, stack: [['num', '0x2a']] } });
  });
  t.after(() => stub.close());
  const chain = new TonClientChain({ endpoint: stub.endpoint, sleep: noSleep });
  assert.equal((await chain.runGetMethod(address, 'answer')).readNumber(), 42);
  assert.equal(stub.calls.length, 3);
});

test('persistent failures become CCN_ERR_TON_UNAVAILABLE after the configured attempts', async (t) => {
  const stub = await startStub((_method, _request, response) => reply(response, 502, { ok: false, error: 'bad gateway', code: 502 }));
  t.after(() => stub.close());
  const chain = new TonClientChain({ endpoint: stub.endpoint, attempts: 3, sleep: noSleep });
  await assert.rejects(chain.getAccount(address), hasCode('CCN_ERR_TON_UNAVAILABLE'));
  assert.equal(stub.calls.length, 3);
  const unreachable = new TonClientChain({ endpoint: 'http://127.0.0.1:1/jsonRPC', attempts: 2, sleep: noSleep });
  await assert.rejects(unreachable.now(), hasCode('CCN_ERR_TON_UNAVAILABLE'));
});

test('a rejected external is CCN_ERR_TON_TRANSACTION_FAILED at once; a refused API key is CCN_ERR_TON_UNAVAILABLE', async (t) => {
  const stub = await startStub((method, _request, response) =>
    method === 'sendBoc'
      ? reply(response, 500, { ok: false, error: 'cannot apply external message to current state', code: 500 })
      : reply(response, 401, { ok: false, error: 'API key does not exist', code: 401 }),
  );
  t.after(() => stub.close());
  const chain = new TonClientChain({ endpoint: stub.endpoint, sleep: noSleep });
  await assert.rejects(chain.sendExternalMessage(beginCell().storeUint(1, 8).endCell()), (error: unknown) => hasCode('CCN_ERR_TON_TRANSACTION_FAILED')(error) && /cannot apply/.test((error as Error).message));
  assert.deepEqual(stub.calls, ['sendBoc']);
  await assert.rejects(chain.getAccount(address), hasCode('CCN_ERR_TON_UNAVAILABLE'));
  assert.deepEqual(stub.calls, ['sendBoc', 'getAddressInformation']);
});

test('get method stacks with tuples, nulls, cells and slices decode to the same TupleItems', async (t) => {
  const cell = beginCell().storeUint(0xabc, 12).storeRef(beginCell().storeUint(1, 1)).endCell();
  const stack: TupleItem[] = [
    { type: 'int', value: -123456789012345678901234567890n },
    { type: 'null' },
    { type: 'cell', cell },
    { type: 'slice', cell },
    { type: 'tuple', items: [{ type: 'int', value: 7n }, { type: 'null' }, { type: 'tuple', items: [{ type: 'cell', cell }] }] },
  ];
  const stub = await startStub((_method, _request, response) =>
    reply(response, 200, { ok: true, result: { '@type': 'smc.runResult', gas_used: 1, exit_code: 0, stack: stack.map(encodeToncenterStackItem) } }),
  );
  t.after(() => stub.close());
  const reader = await new TonClientChain({ endpoint: stub.endpoint }).runGetMethod(address, 'everything');
  assert.equal(reader.readBigNumber(), -123456789012345678901234567890n);
  assert.equal(reader.readCellOpt(), null);
  assert.ok(reader.readCell().equals(cell));
  assert.ok(reader.readCell().equals(cell));
  const tuple = reader.readTuple();
  assert.equal(tuple.readNumber(), 7);
  assert.equal(tuple.readBigNumberOpt(), null);
  assert.ok(tuple.readTuple().readCell().equals(cell));
});

test('a non-zero exit code throws CCN_ERR_TON_TRANSACTION_FAILED without retries', async (t) => {
  const stub = await startStub((_method, _request, response) => reply(response, 200, { ok: true, result: { '@type': 'smc.runResult', gas_used: 1, exit_code: 11, stack: [] } }));
  t.after(() => stub.close());
  await assert.rejects(new TonClientChain({ endpoint: stub.endpoint }).runGetMethod(address, 'broken'), hasCode('CCN_ERR_TON_TRANSACTION_FAILED'));
  assert.equal(stub.calls.length, 1);
});

test('createChain builds the configured kind; LocalChainFaucet maps failures to CocoonErrors', async () => {
  const sandbox = await createChain({ kind: 'sandbox', now: () => 1_700_000_000 });
  assert.equal(sandbox.kind, 'sandbox');
  assert.equal(await sandbox.now(), 1_700_000_000);
  await sandbox.close();
  const remote = await createChain({ kind: 'toncenter', endpoint: TONCENTER_TESTNET_ENDPOINT, apiKey: 'key' });
  assert.ok(remote instanceof TonClientChain);
  assert.equal(remote.client.parameters.endpoint, 'https://testnet.toncenter.com/api/v2/jsonRPC');
  await assert.rejects(new LocalChainFaucet({ url: 'http://127.0.0.1:1' }).fund(address, 1n), hasCode('CCN_ERR_TON_UNAVAILABLE'));
  const server = await startLocalChainServer({ now: () => 1_700_000_000 });
  try {
    await assert.rejects(new LocalChainFaucet({ url: server.url }).fund(address, 0n), hasCode('CCN_ERR_TON_TRANSACTION_FAILED'));
    await new LocalChainFaucet({ url: `${server.url}/api/v2/jsonRPC` }).fund(address, 7n);
    assert.equal((await server.chain.getAccount(address)).balance, 7n);
  } finally {
    await server.close();
  }
});

test('getTransactions needs lt and hash together and sends them with to_lt as TonClient does', async (t) => {
  const bodies: Array<Record<string, unknown>> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    request.on('end', () => { bodies.push(JSON.parse(body) as Record<string, unknown>); reply(response, 200, { ok: true, result: [] }); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const chain = new TonClientChain({ endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}/jsonRPC`, sleep: noSleep });
  await assert.rejects(chain.getTransactions(address, { limit: 5, lt: 10n }), hasCode('CCN_ERR_INTERNAL'));
  await assert.rejects(chain.getTransactions(address, { limit: 5, hash: Buffer.alloc(32) }), hasCode('CCN_ERR_INTERNAL'));
  assert.equal(bodies.length, 0, 'nothing was asked');
  assert.deepEqual(await chain.getTransactions(address, { limit: 5, lt: 10n, hash: Buffer.alloc(32, 1), toLt: 3n }), []);
  assert.deepEqual((bodies[0]?.params as Record<string, unknown>), {
    address: address.toString(), limit: 5, lt: '10', hash: Buffer.alloc(32, 1).toString('hex'), to_lt: '3', archival: true,
  }, 'TonClient sends the hash as hex (the local chain reads both)');
});

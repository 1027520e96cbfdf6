/**
 * LocalChainFaucet against scripted HTTP answers: which URL it posts to for each spelling of the
 * endpoint, what it sends, and how refusals map to CocoonErrors (5xx gateway errors are
 * CCN_ERR_TON_UNAVAILABLE, the chain's own 500 and 4xx are CCN_ERR_TON_TRANSACTION_FAILED, an
 * answer without ok:true is a failure too), including a timeout that fires.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { Address } from '@ton/core';
import { isCocoonError } from '@cocoon/protocol';
import { LocalChainFaucet } from '../../src/chain/local-chain-faucet.ts';

const address = new Address(0, Buffer.alloc(32, 0x5f));
interface Received { method: string; url: string; body: string }

describe('LocalChainFaucet', () => {
  let server: Server;
  let base: string;
  const received: Received[] = [];
  let answer: (response: ServerResponse) => void = () => {};

  before(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      request.on('end', () => {
        received.push({ method: request.method ?? '', url: request.url ?? '', body });
        answer(response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

  const json = (status: number, body: unknown) => (response: ServerResponse) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  test('posts {address, amount} to /cocoon/faucet whatever endpoint spelling it is given', async () => {
    answer = json(200, { ok: true, result: {} });
    for (const url of [base, `${base}/`, `${base}/jsonRPC`, `${base}/api/v2/jsonRPC`, `${base}//`]) {
      received.length = 0;
      await new LocalChainFaucet({ url }).fund(address, 2n ** 70n);
      assert.deepEqual(received, [{ method: 'POST', url: '/cocoon/faucet', body: JSON.stringify({ address: address.toString(), amount: (2n ** 70n).toString() }) }], url);
    }
  });

  const refusals: Array<[string, (response: ServerResponse) => void, string, RegExp]> = [
    ['a refusal with a reason', json(400, { ok: false, error: 'amount must be positive' }), 'CCN_ERR_TON_TRANSACTION_FAILED', /amount must be positive$/],
    ['the chain failing the transfer (500)', json(500, { ok: false, error: 'faucet transfer failed' }), 'CCN_ERR_TON_TRANSACTION_FAILED', /faucet transfer failed$/],
    ['a gateway error without a body', json(502, ''), 'CCN_ERR_TON_UNAVAILABLE', /HTTP 502$/],
    ['an overloaded server', json(503, { ok: false }), 'CCN_ERR_TON_UNAVAILABLE', /HTTP 503$/],
    ['a 200 answer without ok:true', json(200, { ok: 'yes' }), 'CCN_ERR_TON_TRANSACTION_FAILED', /HTTP 200$/],
    ['a 200 answer that is not JSON', json(200, '<html>'), 'CCN_ERR_TON_TRANSACTION_FAILED', /HTTP 200$/],
    ['a not-found answer', json(404, { ok: false, error: 'no such endpoint /cocoon/faucet' }), 'CCN_ERR_TON_TRANSACTION_FAILED', /no such endpoint/],
  ];
  for (const [name, reply, code, pattern] of refusals) {
    test(`${name} is ${code}`, async () => {
      answer = reply;
      await assert.rejects(new LocalChainFaucet({ url: base }).fund(address, 1n), (error: unknown) =>
        isCocoonError(error) && error.code === code && error.message.startsWith(`faucet refused to fund ${address.toString()}`) && pattern.test(error.message));
    });
  }

  test('an answer that never comes times out as CCN_ERR_TON_UNAVAILABLE', async () => {
    answer = () => {}; // never answers
    await assert.rejects(new LocalChainFaucet({ url: base, timeoutMs: 50 }).fund(address, 1n), (error: unknown) =>
      isCocoonError(error) && error.code === 'CCN_ERR_TON_UNAVAILABLE' && /unreachable/.test(error.message) && error.message.includes(`${base}/cocoon/faucet`));
  });
});

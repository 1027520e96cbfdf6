/**
 * Runner-sealing (§22): a plain OpenAI request that requires E2E (config require_e2e, header
 * `X-Cocoon-E2E: require`, body `"cocoon_e2e": true`) is sealed by the runner to the verified worker key,
 * opened and receipt-checked, and answered as a normal OpenAI response, streamed or not, with
 * `X-Cocoon-E2E: 1` and `X-Cocoon-Receipt-Id`. A tampered chunk ends a stream with an error event; a
 * missing or forged receipt fails a plain answer with CCN_ERR_E2E_RECEIPT_INVALID (502). A request that
 * does not ask for E2E goes the plain way.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_MODEL, ProxySessionDouble, ScriptedE2eWorker, jsonAnswer, sseAnswer, startE2eTestClient } from './e2e-client-fixture.ts';
import type { E2eTestClient } from './e2e-client-fixture.ts';

let worker: ScriptedE2eWorker;
let proxy: ProxySessionDouble;
let client: E2eTestClient;

before(async () => {
  worker = await ScriptedE2eWorker.create();
  proxy = new ProxySessionDouble(worker);
  client = await startE2eTestClient(proxy);
});
after(() => client.close());

const chat = (body: Record<string, unknown>, headers: Record<string, string> = {}) => fetch(`${client.url}/v1/chat/completions`, {
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: BASE_MODEL, messages: [{ role: 'user', content: 'private question' }], ...body }),
});

test('X-Cocoon-E2E: require seals a plain request; the answer is the worker\'s, with the receipt id', async () => {
  proxy.script = jsonAnswer('sealed hello');
  const response = await chat({}, { 'x-cocoon-e2e': 'require' });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-cocoon-e2e'), '1');
  const idHex = response.headers.get('x-cocoon-receipt-id')!;
  assert.match(idHex, /^[0-9a-f]{64}$/);
  assert.deepEqual(await response.json(), JSON.parse(jsonAnswer('sealed hello').first));
  const sent = proxy.queries.at(-1)!;
  assert.equal((sent.query as Buffer).includes(Buffer.from('private question')), false, 'the proxy got ciphertext only');
  assert.equal((sent.request_id as Buffer).toString('hex'), idHex);
  const opened = worker.opened.at(-1)!;
  assert.equal(opened.http.headers.some((header) => header.name === 'x-cocoon-e2e'), false, 'the runner\'s own header stays here');
  assert.equal(JSON.parse(Buffer.from(opened.http.payload).toString()).messages[0].content, 'private question');
  const deadline = Date.now() + 5000;
  while (client.store.get(idHex)?.charge == null && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  const record = client.store.get(idHex)!;
  assert.equal(record.mode, 'sealed');
  assert.equal(record.receipt?.verified, true);
  assert.equal(record.charge?.request_tokens, '12');
});

test('"cocoon_e2e": true streams: SSE events as the chunks open, the field removed before sealing', async () => {
  proxy.script = sseAnswer(['one ', 'two ', 'three']);
  const response = await chat({ stream: true, cocoon_e2e: true });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  assert.equal(response.headers.get('x-cocoon-e2e'), '1');
  const text = await response.text();
  const words = text.split('\n\n').filter((event) => event.startsWith('data: {')).map((event) => JSON.parse(event.slice(6)).choices[0].delta.content as string);
  assert.deepEqual(words, ['one ', 'two ', 'three']);
  assert.ok(text.endsWith('data: [DONE]\n\n'));
  const payload = JSON.parse(Buffer.from(worker.opened.at(-1)!.http.payload).toString()) as Record<string, unknown>;
  assert.equal('cocoon_e2e' in payload, false);
  assert.equal(payload.stream, true);
});

test('a tampered chunk mid-stream ends the stream with a clear error event', async () => {
  proxy.script = { ...sseAnswer(['a', 'b', 'c']), tamperChunk: 2 };
  const response = await chat({ stream: true }, { 'x-cocoon-e2e': 'require' });
  assert.equal(response.status, 200);
  const events = (await response.text()).split('\n\n').filter((event) => event.startsWith('data: '));
  const last = JSON.parse(events.at(-1)!.slice(6)) as { error: { code: string } };
  assert.equal(last.error.code, 'CCN_ERR_E2E_ANSWER_TAMPERED');
  assert.ok(proxy.cancelled > 0, 'the request was cancelled at the proxy');
});

test('a missing or forged receipt fails a plain answer with 502 CCN_ERR_E2E_RECEIPT_INVALID', async () => {
  for (const script of [{ ...jsonAnswer('x'), noReceipt: true }, { ...jsonAnswer('y'), forgeReceipt: true }]) {
    proxy.script = script;
    const response = await chat({}, { 'x-cocoon-e2e': 'require' });
    assert.equal(response.status, 502);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'CCN_ERR_E2E_RECEIPT_INVALID');
  }
});

test('a bad X-Cocoon-E2E value is a 400; a request without it goes the plain way', async () => {
  const bad = await chat({}, { 'x-cocoon-e2e': 'maybe' });
  assert.equal(bad.status, 400);
  const badField = await chat({ cocoon_e2e: 'yes' });
  assert.equal(badField.status, 400);
  let plainSeen = false;
  proxy.plainAnswer = (query, listener) => {
    plainSeen = (query.query as Buffer).includes(Buffer.from('private question'));
    listener.onAnswerMessage({ _: 'client.queryAnswerErrorEx', request_id: query.request_id as Buffer, error_code: 503, error: 'no workers', flags: 1, final_info: { _: 'client.queryFinalInfo', flags: 0, tokens_used: { _: 'tokensUsed', prompt_tokens_used: 0n, cached_tokens_used: 0n, completion_tokens_used: 0n, reasoning_tokens_used: 0n, total_tokens_used: 0n } } });
  };
  await (await chat({})).text();
  assert.equal(plainSeen, true);
  proxy.plainAnswer = undefined;
});

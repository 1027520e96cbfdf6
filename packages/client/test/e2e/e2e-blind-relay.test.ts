/**
 * The blind relay (§22) end to end over the client's HTTP edge: an app fetches the e2e workers, verifies
 * their evidence itself, seals a request, posts it and opens the NDJSON answer; the runner relayed only
 * ciphertext, checked the receipt against the key it served and kept it with the proxy's charge. Bad
 * input (wrong media type, garbage, a truncated envelope, an oversized body, a missing model, a replayed
 * id, a bad receipt id) is a clear 4xx, and the runner keeps serving.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { E2eRequestSession, decodeBoxedAs, encodeBoxed, fromBase64OrUndefined } from '@cocoon/protocol';
import type { ExtE2eWorker } from '@cocoon/protocol';
import { FakeTdxPolicyVerifier, NodeE2eEvidenceVerifier } from '@cocoon/attestation';
import { BASE_MODEL, ProxySessionDouble, ScriptedE2eWorker, jsonAnswer, startE2eTestClient } from './e2e-client-fixture.ts';
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

interface WorkersBody { model: string; workers: Array<{ coefficient: number; evidence: string }>; trust: Record<string, unknown> }

/** The app's side: its own verifier and sealer. */
async function sealAsApp(prompt: string) {
  const listed = (await (await fetch(`${client.url}/v1/e2e/workers?model=${encodeURIComponent(BASE_MODEL)}`)).json()) as WorkersBody;
  const workers: ExtE2eWorker[] = listed.workers.map((entry) => ({
    _: 'ext.e2eWorker', coefficient: entry.coefficient, active_requests: 0, max_active_requests: 8,
    evidence: decodeBoxedAs(Buffer.from(fromBase64OrUndefined(entry.evidence)!), 'ext.e2eEvidence'),
  }));
  const session = new E2eRequestSession({ verifier: new NodeE2eEvidenceVerifier({ peerVerifier: new FakeTdxPolicyVerifier() }) });
  return session.start({
    httpRequest: { method: 'POST', url: '/v1/chat/completions', headers: [{ name: 'content-type', value: 'application/json' }], payload: Buffer.from(JSON.stringify({ model: BASE_MODEL, messages: [{ role: 'user', content: prompt }] })) },
    model: BASE_MODEL, maxTokens: 100, maxCoefficient: 4000, timeoutMs: 30_000, workers,
  });
}

const post = (body: Uint8Array | string, contentType = 'application/octet-stream') => fetch(`${client.url}/v1/e2e/requests`, { method: 'POST', headers: { 'content-type': contentType }, body });

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('GET /v1/e2e/workers lists the verified workers with base64 evidence and the trust', async () => {
  const response = await fetch(`${client.url}/v1/e2e/workers?model=${encodeURIComponent(BASE_MODEL)}`);
  assert.equal(response.status, 200);
  const body = (await response.json()) as WorkersBody;
  assert.equal(body.model, BASE_MODEL);
  assert.equal(body.workers.length, 1);
  assert.deepEqual(Buffer.from(fromBase64OrUndefined(body.workers[0]!.evidence)!), Buffer.from(encodeBoxed(worker.entry.evidence)));
  assert.deepEqual(body.trust, { is_test: true, hashes_checked: false, worker_hashes: [], model_hashes: [] });
});

test('a sealed request relays blind: NDJSON chunks the app opens, the receipt, the end; the runner keeps the verified receipt and the charge', async () => {
  proxy.script = jsonAnswer('the secret answer');
  const exchange = await sealAsApp('a secret prompt');
  const response = await post(exchange.sealed.bytes);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/x-ndjson');
  const idHex = Buffer.from(exchange.sealed.requestId).toString('hex');
  assert.equal(response.headers.get('x-cocoon-receipt-id'), idHex);
  const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as { type: string; data?: string; tokens_used?: { total_tokens_used: number }; cost_nanoton?: string });
  assert.deepEqual(lines.map((line) => line.type), ['receipt', 'chunk', 'end']);
  const opened = exchange.chunk(fromBase64OrUndefined(lines[1]!.data!)!);
  assert.equal(Buffer.from(opened.body).toString(), jsonAnswer('the secret answer').first);
  exchange.receipt(fromBase64OrUndefined(lines[0]!.data!)!);
  const verified = exchange.complete();
  assert.equal(verified.tokensUsed.total_tokens_used, 12n);
  assert.equal(lines[2]!.tokens_used!.total_tokens_used, 12);
  assert.equal(lines[2]!.cost_nanoton, String(12n * 20n));
  // The proxy saw only ciphertext: the prompt is not in the bytes it forwarded.
  const forwarded = proxy.queries.at(-1)!.query as Buffer;
  assert.equal(forwarded.includes(Buffer.from('a secret prompt')), false);
  assert.equal(worker.opened.at(-1)!.http.url, '/v1/chat/completions');
  await until(() => client.store.get(idHex)?.charge !== null && client.store.get(idHex)?.receipt !== null);
  const record = (await (await fetch(`${client.url}/v1/receipts/${idHex}`)).json()) as { mode: string; outcome: string; receipt: { verified: boolean; tokens: string }; charge: { request_tokens: string } };
  assert.equal(record.mode, 'relayed');
  assert.equal(record.outcome, 'ok');
  assert.equal(record.receipt.verified, true);
  assert.equal(record.receipt.tokens, '12');
  assert.equal(record.charge.request_tokens, '12');
});

test('the same request posted again is refused as a replay (400), never sent twice', async () => {
  proxy.script = jsonAnswer('once');
  const exchange = await sealAsApp('once');
  assert.equal((await post(exchange.sealed.bytes)).status, 200);
  const sent = proxy.queries.length;
  const again = await post(exchange.sealed.bytes);
  assert.equal(again.status, 400);
  assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'CCN_ERR_E2E_REPLAYED');
  assert.equal(proxy.queries.length, sent);
});

test('malformed input is a clear 4xx and the runner stays up', async () => {
  const cases: Array<[Promise<Response>, number, string]> = [
    [post(Buffer.from('{"model":"x"}'), 'application/json'), 415, 'CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE'],
    [post(Buffer.from('garbage bytes')), 400, 'CCN_ERR_E2E_REQUEST_INVALID'],
    [post(Buffer.alloc(0)), 400, 'CCN_ERR_E2E_REQUEST_INVALID'],
    [post(Buffer.alloc(128 * 1024, 1)), 413, 'CCN_ERR_HTTP_BODY_TOO_LARGE'],
    [fetch(`${client.url}/v1/e2e/workers`), 400, 'CCN_ERR_HTTP_BAD_REQUEST'],
    [fetch(`${client.url}/v1/e2e/requests`), 405, 'CCN_ERR_HTTP_METHOD_NOT_ALLOWED'],
    [fetch(`${client.url}/v1/receipts/not-hex`), 400, 'CCN_ERR_HTTP_BAD_REQUEST'],
    [fetch(`${client.url}/v1/receipts/${'00'.repeat(32)}`), 404, 'CCN_ERR_HTTP_NOT_FOUND'],
  ];
  const truncated = (await sealAsApp('cut')).sealed.bytes.subarray(0, 60);
  cases.push([post(truncated), 400, 'CCN_ERR_E2E_REQUEST_INVALID']);
  for (const [pending, status, code] of cases) {
    const response = await pending;
    assert.equal(response.status, status, code);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, code);
  }
  proxy.script = jsonAnswer('still up');
  assert.equal((await post((await sealAsApp('after the bad ones')).sealed.bytes)).status, 200);
});

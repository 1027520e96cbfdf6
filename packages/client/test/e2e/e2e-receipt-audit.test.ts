/**
 * The receipt store (real LMDB) and the audit (§22): records survive closing and reopening the store;
 * `GET /request/audit` needs the admin token and reports every charged token not covered by a valid
 * receipt — a charge with no receipt, with a forged one, or larger than its receipt — while a charge
 * its receipt covers is no finding; /jsonstats shows the counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2eReceiptStore } from '../../src/e2e/index.ts';
import type { E2eStoredReceipt } from '../../src/e2e/index.ts';
import { ADMIN_TOKEN, BASE_MODEL, ProxySessionDouble, ScriptedE2eWorker, jsonAnswer, startE2eTestClient } from './e2e-client-fixture.ts';

const receipt = (tokens: string, verified = true): E2eStoredReceipt => ({ verified, ...(verified ? {} : { reason: 'signature does not verify' }), signed: 'AA==', body: {}, tokens });
const charge = (tokens: string) => ({ request_tokens: tokens, db_tokens: tokens, max_tokens: tokens, signed_payment: null, received_at_ms: 1 });
const base = (id: string) => ({ request_id: id, mode: 'sealed' as const, model: BASE_MODEL, started_at_ms: 1, request_hash: 'ab'.repeat(32), proxy: 'p' });

test('the store survives a restart and the audit finds uncovered charges', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cocoon-receipts-'));
  try {
    const [covered, missing, larger, forged, pending] = ['01', '02', '03', '04', '05'].map((byte) => byte.repeat(32));
    let store = await E2eReceiptStore.open(dir);
    for (const id of [covered!, missing!, larger!, forged!, pending!]) await store.begin(base(id));
    await store.setReceipt(covered!, receipt('10'));
    await store.recordCharge(covered!, charge('10'));
    await store.recordCharge(missing!, charge('7'));
    await store.setReceipt(larger!, receipt('5'));
    await store.recordCharge(larger!, charge('8'));
    await store.setReceipt(forged!, receipt('4', false));
    await store.recordCharge(forged!, charge('4'));
    await store.recordCharge('ff'.repeat(32), charge('99')); // not an e2e request: ignored
    await store.close();
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'data.mdb')).mode & 0o777, 0o600);

    store = await E2eReceiptStore.open(dir);
    assert.equal(store.get(covered!)?.receipt?.tokens, '10');
    assert.equal(store.has('ff'.repeat(32)), false);
    const report = store.audit();
    assert.equal(report.requests, 5);
    assert.equal(report.receipted, 2);
    assert.equal(report.charged_tokens, 29n);
    assert.equal(report.receipted_tokens, 15n);
    assert.deepEqual(report.findings.map((finding) => [finding.request_id, finding.charged_tokens, finding.receipt_tokens]), [
      [missing, 7n, 0n], [larger, 8n, 5n], [forged, 4n, 0n],
    ]);
    assert.match(report.findings[0]!.reason, /without a receipt/);
    assert.match(report.findings[1]!.reason, /charged 8 tokens, the receipt covers 5/);
    assert.match(report.findings[2]!.reason, /invalid receipt: signature does not verify/);
    assert.deepEqual(store.json(), { requests: 5, receipts: 2, findings: 3 });
    await assert.rejects(store.begin(base(covered!)), { code: 'CCN_ERR_E2E_REPLAYED' });
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('GET /request/audit (admin token) reports an overcharge by the proxy; /jsonstats counts it', async () => {
  const worker = await ScriptedE2eWorker.create();
  const proxy = new ProxySessionDouble(worker);
  const client = await startE2eTestClient(proxy, { requireE2e: true });
  try {
    proxy.script = { ...jsonAnswer('fine'), tokens: 12n, charge: 12n };
    const chat = () => fetch(`${client.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: BASE_MODEL, messages: [] }) });
    const first = await chat();
    await first.text();
    proxy.script = { ...jsonAnswer('overcharged'), tokens: 12n, charge: 30n };
    const second = await chat();
    await second.text();
    const overcharged = second.headers.get('x-cocoon-receipt-id')!;
    const deadline = Date.now() + 5000;
    // Both records (and the finding) are written while the answers travel: wait until the store holds them all.
    const settled = () => { const state = client.store.json(); return state.requests === 2 && state.receipts === 2 && state.findings === 1; };
    while (!settled() && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));

    assert.equal((await fetch(`${client.url}/request/audit`)).status, 401);
    const response = await fetch(`${client.url}/request/audit`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(response.status, 200);
    const audit = (await response.json()) as { requests: number; receipted: number; charged_tokens: number; receipted_tokens: number; findings: Array<{ request_id: string; charged_tokens: number; receipt_tokens: number }> };
    assert.equal(audit.requests, 2);
    assert.equal(audit.receipted, 2);
    assert.equal(audit.charged_tokens, 42);
    assert.equal(audit.receipted_tokens, 24);
    assert.deepEqual(audit.findings.map((finding) => [finding.request_id, finding.charged_tokens, finding.receipt_tokens]), [[overcharged, 30, 12]]);
    const stats = (await (await fetch(`${client.url}/jsonstats`)).json()) as { e2e: Record<string, number> };
    assert.deepEqual(stats.e2e, { requests: 2, receipts: 2, findings: 1 });
  } finally {
    await client.close();
  }
});

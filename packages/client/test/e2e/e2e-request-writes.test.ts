/**
 * The per-request bookkeeping of the e2e path kept cheap (§22 Cost): the receipt store knows a record the
 * moment it is admitted (a re-sent id is refused at once) while LMDB commits, changes of one record in
 * the same turn become one put of the latest state (what a reopened store reads), closing waits for
 * queued puts, and answer credit is granted in batches like plaintext answers, not one message per chunk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningQueryLink } from '../../src/connection/client-proxy-connection.ts';
import { ClientStats } from '../../src/client-stats.ts';
import { CLIENT_GRANT_BATCH_BYTES } from '../../src/gateway/protocol-inference-gateway.ts';
import { E2eAnswerListener } from '../../src/e2e/e2e-answer-listener.ts';
import { E2eReceiptStore } from '../../src/e2e/index.ts';
import { extensionsOfAlpn } from '@cocoon/protocol';
import { BASE_MODEL } from './e2e-client-fixture.ts';

const base = (id: string) => ({ request_id: id, mode: 'sealed' as const, model: BASE_MODEL, started_at_ms: 1, request_hash: 'ab'.repeat(32), proxy: 'p' });
const receipt = { verified: true, signed: 'AA==', body: {}, tokens: '10' };

test('an admitted record is known at once, and one turn\'s changes land as its latest state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cocoon-receipts-'));
  try {
    const id = '0a'.repeat(32);
    let store = await E2eReceiptStore.open(dir);
    const committed = store.admit(base(id));
    assert.equal(store.get(id)?.outcome, 'pending');
    assert.throws(() => store.admit(base(id)), { code: 'CCN_ERR_E2E_REPLAYED' });
    await committed;
    // The receipt and the end arrive together: both writes resolve, and the stored record has both.
    await Promise.all([store.setReceipt(id, receipt), store.finish(id, null)]);
    const closing = store.recordCharge(id, { request_tokens: '10', db_tokens: '10', max_tokens: '10', signed_payment: null, received_at_ms: 2 });
    await store.close(); // waits for the queued put of the charge
    await closing;
    store = await E2eReceiptStore.open(dir);
    const record = store.get(id);
    assert.equal(record?.outcome, 'ok');
    assert.equal(record?.receipt?.verified, true);
    assert.equal(record?.charge?.request_tokens, '10');
    assert.deepEqual(store.audit().findings, []);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the audit counts a record from the moment it is admitted, before LMDB committed it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cocoon-receipts-'));
  try {
    const store = await E2eReceiptStore.open(dir);
    const first = store.admit(base('0b'.repeat(32)));
    await first;
    const second = store.admit(base('0c'.repeat(32)));
    const charged = store.recordCharge('0c'.repeat(32), { request_tokens: '7', db_tokens: '7', max_tokens: '7', signed_payment: null, received_at_ms: 2 });
    const before = store.audit(); // the second record and its charge are not on disk yet
    assert.equal(before.requests, 2);
    assert.equal(before.charged_tokens, 7n);
    await Promise.all([second, charged]);
    assert.deepEqual(store.audit(), before);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a closed store refuses new records', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cocoon-receipts-'));
  try {
    const store = await E2eReceiptStore.open(dir);
    await store.close();
    assert.throws(() => store.admit(base('0b'.repeat(32))), { code: 'CCN_ERR_INTERNAL' });
    await assert.rejects(store.begin(base('0b'.repeat(32))), { code: 'CCN_ERR_INTERNAL' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('e2e answer credit is granted in batches of CLIENT_GRANT_BATCH_BYTES', () => {
  const granted: number[] = [];
  const link: RunningQueryLink = {
    extensions: extensionsOfAlpn('cocoon-ext-1'), cancel: () => undefined, grantCredit: (bytes) => void granted.push(bytes), holdReading: () => () => undefined,
  };
  const events = { chunk: () => undefined, receipt: () => undefined, end: () => undefined, error: () => undefined };
  const listener = new E2eAnswerListener(events, () => undefined, new ClientStats(Date.now), 1n, 0);
  listener.link = link;
  const chunk = 340;
  const perBatch = Math.ceil(CLIENT_GRANT_BATCH_BYTES / chunk);
  for (let index = 0; index < perBatch - 1; index++) listener.grant(chunk);
  assert.deepEqual(granted, [], 'no grant before a batch is full');
  listener.grant(chunk);
  assert.deepEqual(granted, [perBatch * chunk]);
  listener.grant(0);
  listener.grant(-5);
  assert.deepEqual(granted, [perBatch * chunk], 'nothing for empty grants');
});

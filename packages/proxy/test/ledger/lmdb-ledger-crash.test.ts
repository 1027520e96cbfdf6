/**
 * Crash durability: a child process records completions and prints each acknowledgement;
 * it is SIGKILLed mid-way; the reopened ledger must pass its integrity audit and contain
 * every acknowledged completion.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LmdbLedger } from '../../src/ledger/index.ts';
import { temporaryLedgerPath, testSigningKey } from './lmdb-ledger-support.ts';

const CHILD = fileURLToPath(new URL('./fixtures/ledger-crash-child.ts', import.meta.url));
const KILL_AFTER_ACKS = 150;

test('every completion acknowledged before kill -9 survives', { timeout: 20_000 }, async () => {
  const path = temporaryLedgerPath();
  const key = testSigningKey(7);
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, key.publicKey.toString('hex'), key.secretKey.toString('hex')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acknowledged: string[] = [];
  let buffered = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('ack ')) continue;
      acknowledged.push(line.slice(4));
      if (acknowledged.length === KILL_AFTER_ACKS) child.kill('SIGKILL');
    }
  });
  assert.equal(await exited, 'SIGKILL', 'the child was killed, not finished');
  assert.ok(acknowledged.length >= KILL_AFTER_ACKS);

  const ledger = await LmdbLedger.open({ path, signingKey: key });
  try {
    const missing = acknowledged.filter((requestId) => !ledger.hasCompletion(requestId));
    assert.deepEqual(missing, [], 'acknowledged completions lost');
    const summary = await ledger.summary();
    assert.ok(summary.requests >= acknowledged.length);
    const clientTokens = (await ledger.clients()).reduce((sum, { totals }) => sum + totals.tokensMax, 0n);
    assert.equal(clientTokens, summary.tokens);
  } finally {
    await ledger.close();
  }
});

/**
 * `cocoon chat` and `cocoon client audit` against a running in-process network (proxy, worker on the
 * test engine, client runner): the CLI reads the client config file for the runner's address and
 * trust, verifies the worker's evidence itself, and prints exactly one JSON line with --json (the
 * answer, usage, cost and the verified receipt). A model no e2e worker serves is refused with --e2e
 * and sent in clear with a warning without it. The audit finds nothing on an honest network.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCocoonCli } from '../../src/cocoon-cli.ts';
import type { CliIo } from '../../src/cli-io.ts';
import { E2E_TEST_MODEL, startE2eNetwork } from './e2e-network-harness.ts';
import type { E2eNetwork } from './e2e-network-harness.ts';

const captureIo = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (line) => out.push(line), stderr: (line) => err.push(line), env: {} };
  return { io, out, err };
};

describe('cocoon chat / cocoon client audit', () => {
  let network: E2eNetwork;
  before(async () => {
    network = await startE2eNetwork({ engine: { models: [E2E_TEST_MODEL, 'test/clear-only'] }, clearOnlyModel: 'test/clear-only' });
  });
  after(async () => {
    await network?.close();
  });

  test('--json prints one line: answer, usage, cost, e2e and the verified receipt', async () => {
    const { io, out, err } = captureIo();
    const code = await runCocoonCli(['chat', '--model', E2E_TEST_MODEL, '--config', network.clientConfigFile, '--e2e', '--json', 'say', 'something'], io);
    assert.equal(code, 0, err.join('\n'));
    assert.equal(out.length, 1, out.join('\n'));
    const line = JSON.parse(out[0]!) as { answer: string; usage: { total_tokens: number }; cost: string; e2e: boolean; receipt: Record<string, unknown> };
    assert.deepEqual(Object.keys(line), ['answer', 'usage', 'cost', 'e2e', 'receipt']);
    assert.ok(line.answer.length > 0);
    assert.equal(line.e2e, true);
    assert.equal(line.receipt.verified, true);
    assert.equal(line.cost, line.receipt.cost_nanoton);
    assert.ok(BigInt(line.cost) > 0n);
    assert.equal((line.receipt.tokens_used as { total: number }).total, line.usage.total_tokens);
  });

  test('without --json the answer is printed and the receipt summarized on stderr', async () => {
    const { io, out, err } = captureIo();
    assert.equal(await runCocoonCli(['chat', '--model', E2E_TEST_MODEL, '--config', network.clientConfigFile, 'hello'], io), 0, err.join('\n'));
    assert.ok(out.join('').length > 0);
    assert.match(err.join('\n'), /end-to-end encrypted; receipt [0-9a-f]{64} verified/);
  });

  test('--e2e refuses a model no e2e worker serves (exit 1, CCN_ERR_E2E_UNAVAILABLE); without it: clear, with a warning', async () => {
    // 'test/clear-only' is served only by a worker with e2e off.
    const strict = captureIo();
    assert.equal(await runCocoonCli(['chat', '--model', 'test/clear-only', '--config', network.clientConfigFile, '--e2e', '--json', 'hi'], strict.io), 1);
    assert.equal((JSON.parse(strict.out.at(-1)!) as { error: { code: string } }).error.code, 'CCN_ERR_E2E_UNAVAILABLE');
    const lax = captureIo();
    const laxCode = await runCocoonCli(['chat', '--model', 'test/clear-only', '--config', network.clientConfigFile, '--json', 'hi'], lax.io);
    assert.equal(laxCode, 0, lax.err.join('\n'));
    assert.match(lax.err.join('\n'), /WARNING: .*WITHOUT end-to-end encryption/);
    const line = JSON.parse(lax.out.at(-1)!) as { answer: string; e2e: boolean; receipt: unknown };
    assert.ok(line.answer.length > 0);
    assert.equal(line.e2e, false);
    assert.equal(line.receipt, null);
  });

  test('bad usage: no prompt, no model (exit 2)', async () => {
    const noPrompt = captureIo();
    assert.equal(await runCocoonCli(['chat', '--model', E2E_TEST_MODEL, '--config', network.clientConfigFile], noPrompt.io), 2);
    assert.match(noPrompt.err.join('\n'), /prompt is missing/);
    const noModel = captureIo();
    assert.equal(await runCocoonCli(['chat', '--config', network.clientConfigFile, 'hi'], noModel.io), 2);
  });

  test('cocoon client audit: no findings on an honest network (exit 0), JSON with --json', async () => {
    const { io, out, err } = captureIo();
    assert.equal(await runCocoonCli(['client', 'audit', '--config', network.clientConfigFile, '--json'], io), 0, err.join('\n'));
    const report = JSON.parse(out[0]!) as { requests: number; findings: unknown[] };
    assert.ok(report.requests >= 2);
    assert.deepEqual(report.findings, []);
  });
});

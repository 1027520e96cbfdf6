/**
 * The contract commands without a chain: help text lists them, usage errors exit 2, and a real
 * stats server (as an off-chain runner has it: no on-chain controls) gets the token and answers
 * with the hint that on-chain operations need ton_endpoint; enable/disable need no chain.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateAdminToken, startStatsHttpServer, type StatsHttpServer } from '@cocoon/protocol';
import { runCocoonCli } from '../../src/cocoon-cli.ts';
import { COCOON_HELP_TEXT } from '../../src/help-text.ts';
import type { CliIo } from '../../src/cli-io.ts';

async function cocoon(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (line) => out.push(line), stderr: (line) => err.push(line), env: {} };
  return { code: await runCocoonCli(args, io), out, err };
}

describe('contract commands without a chain', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-contract-offchain-'));
  const tokenFile = join(directory, 'worker', 'admin.token');
  let server: StatsHttpServer;
  let enabled = true;
  before(async () => {
    server = await startStatsHttpServer({
      host: '127.0.0.1', port: 0, title: 'COCOON worker', adminToken: loadOrCreateAdminToken(tokenFile),
      jsonStats: () => ({ status: { enabled } }),
      controls: { enable: async () => { enabled = true; return { enabled }; }, disable: async () => { enabled = false; return { enabled }; } },
    });
  });
  after(async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('help lists every new command', async () => {
    for (const fragment of ['cocoon wallet new', 'cocoon wallet show|balance', 'cocoon client topup [--amount TON] | withdraw | close | charge',
      'cocoon worker cashout [--proxy PROXY_SC] | enable | disable | set-coefficient MULTIPLIER', 'cocoon proxy withdraw', 'cocoon doctor --role worker|proxy|client|key-manager']) {
      assert.ok(COCOON_HELP_TEXT.includes(fragment), `help lacks ${fragment}`);
    }
    const help = await cocoon('client', 'topup', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out.join('\n'), /usage: cocoon client topup \[--amount TON\] \[--proxy PROXY_SC\]/);
  });

  test('enable and disable through the admin endpoint; the answer is printed', async () => {
    const stats = ['--stats-url', server.url, '--admin-token-file', tokenFile];
    const disabled = await cocoon('worker', 'disable', ...stats);
    assert.equal(disabled.code, 0, disabled.err.join('\n'));
    assert.equal(enabled, false);
    assert.match(disabled.out.join('\n'), /enabled\s+false/);
    assert.equal((await cocoon('worker', 'enable', ...stats)).code, 0);
    assert.equal(enabled, true);
  });

  test('an on-chain operation on an off-chain runner: the hint, exit 1', async () => {
    const run = await cocoon('worker', 'cashout', '--stats-url', `${server.url}/stats`, '--admin-token-file', tokenFile);
    assert.equal(run.code, 1);
    assert.match(run.err.join('\n'), /CCN_ERR_HTTP_NOT_FOUND: the worker at http:\/\/127\.0\.0\.1:\d+ has no \/request\/payout .*only when it runs with ton_endpoint set/);
  });

  test('usage errors exit 2 before anything is called', async () => {
    const stats = ['--stats-url', server.url, '--admin-token-file', tokenFile];
    for (const args of [
      ['proxy', 'withdraw', '--proxy', 'EQx', ...stats],
      ['worker', 'enable', 'extra', ...stats],
      ['worker', 'set-coefficient', ...stats],
      ['client', 'topup', '--amount', '-1', ...stats],
      ['client', 'topup', '--amount', '0', ...stats],
      ['client', 'close', '--bogus', ...stats],
    ]) {
      const run = await cocoon(...args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.err.join('\n')}`);
    }
    assert.equal(enabled, true);
  });
});

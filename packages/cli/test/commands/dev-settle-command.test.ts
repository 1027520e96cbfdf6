/** `cocoon dev settle` against a stats server with a settle control: it sends the proxy's admin token; without one it stops before calling. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateAdminToken, startStatsHttpServer, type StatsHttpServer } from '@cocoon/protocol';
import { runCocoonCli } from '../../src/cocoon-cli.ts';
import type { CliIo } from '../../src/cli-io.ts';

function captureIo(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (line) => out.push(line), stderr: (line) => err.push(line), env: {} } };
}

describe('cocoon dev settle', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-settle-'));
  const tokenFile = join(directory, 'proxy', 'admin.token');
  let server: StatsHttpServer;
  let settled = 0;
  before(async () => {
    server = await startStatsHttpServer({
      host: '127.0.0.1', port: 0, title: 'proxy', adminToken: loadOrCreateAdminToken(tokenFile), jsonStats: () => ({}),
      controls: { settle: async () => { settled += 1; return { tokens: 10, client_paid_nanoton: 200, worker_earned_nanoton: 190, proxy_commission_nanoton: 10 }; } },
    });
  });
  after(async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('authorizes with the token from --admin-token-file and prints the JSON line', async () => {
    const { io, out, err } = captureIo();
    const code = await runCocoonCli(['dev', 'settle', '--proxy-http-port', `${server.port}`, '--admin-token-file', tokenFile], io);
    assert.equal(code, 0, err.join('\n'));
    assert.deepEqual(out, ['{"tokens":10,"client_paid_nanoton":200,"worker_earned_nanoton":190,"proxy_commission_nanoton":10}']);
    assert.equal(settled, 1);
    assert.ok(!err.join('\n').includes(loadOrCreateAdminToken(tokenFile)), 'the token is never logged');
  });

  test('a missing token file fails with a hint and calls nothing', async () => {
    const { io, err } = captureIo();
    const code = await runCocoonCli(['dev', 'settle', '--proxy-http-port', `${server.port}`, '--admin-token-file', join(directory, 'none', 'admin.token')], io);
    assert.equal(code, 1);
    assert.match(err.join('\n'), /cannot read the admin token file .*admin-token-file/);
    assert.equal(settled, 1);
  });
});

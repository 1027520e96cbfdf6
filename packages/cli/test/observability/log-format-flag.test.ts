/**
 * The global `--log-format` flag: taken out anywhere on the command line (`--log-format json` or
 * `--log-format=json`), a bad value is a usage error, and a runner command then logs JSON lines;
 * a runner config's `log_format` does the same unless COCOON_LOG_FORMAT says otherwise.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCocoonCli } from '../../src/cocoon-cli.ts';
import { takeLogFormatFlag } from '../../src/log-format-flag.ts';
import type { CliIo } from '../../src/cli-io.ts';

const captureIo = (env: Record<string, string | undefined> = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (line) => out.push(line), stderr: (line) => err.push(line), env };
  return { io, out, err };
};

describe('--log-format', () => {
  test('is taken out wherever it stands', () => {
    assert.deepEqual(takeLogFormatFlag(['--log-format', 'json', 'proxy', '--http-port', '0']), { format: 'json', rest: ['proxy', '--http-port', '0'] });
    assert.deepEqual(takeLogFormatFlag(['worker', '--log-format=TEXT']), { format: 'text', rest: ['worker'] });
    assert.deepEqual(takeLogFormatFlag(['client']), { format: undefined, rest: ['client'] });
    assert.match((takeLogFormatFlag(['--log-format', 'xml']) as { error: string }).error, /one of text, json, got 'xml'/);
    assert.match((takeLogFormatFlag(['proxy', '--log-format']) as { error: string }).error, /one of text, json$/);
  });

  test('a bad value is a usage error before any command runs', async () => {
    const { io, err } = captureIo();
    assert.equal(await runCocoonCli(['--log-format', 'xml', 'proxy'], io), 2);
    assert.match(err.join('\n'), /--log-format expects one of text, json/);
  });

  test('a runner command logs JSON lines with the flag; its env is set for what it starts', async () => {
    const { io, err } = captureIo();
    assert.equal(await runCocoonCli(['--log-format', 'json', 'proxy', '--no-such-key', '1'], io), 2);
    const entry = JSON.parse(err.at(-1)!) as Record<string, unknown>;
    assert.equal(entry.level, 'error');
    assert.equal(entry.role, 'proxy');
    assert.match(String(entry.msg), /failed to start: .*no-such-key/);
    assert.deepEqual(entry.fields, { code: 'CCN_ERR_CONFIG_INVALID' });
    assert.equal(io.env.COCOON_LOG_FORMAT, 'json');
  });

  test("a config's log_format switches the runner's logger; COCOON_LOG_FORMAT wins over the file", async () => {
    const directory = mkdtempSync(join(tmpdir(), 'cocoon-log-format-'));
    try {
      const tokenFile = join(directory, 'admin.token');
      writeFileSync(tokenFile, 'not a token\n', { mode: 0o600 }); // the start fails after the config loaded
      const configFile = join(directory, 'proxy.json');
      writeFileSync(configFile, JSON.stringify({ log_format: 'json', admin_token_file: tokenFile, http_port: 0, worker_port: 0, client_port: 0 }));
      const fromFile = captureIo();
      assert.equal(await runCocoonCli(['proxy', '--config', configFile], fromFile.io), 2);
      const entry = JSON.parse(fromFile.err.at(-1)!) as Record<string, unknown>;
      assert.match(String(entry.msg), /admin token file/);
      const fromEnv = captureIo({ COCOON_LOG_FORMAT: 'text' });
      assert.equal(await runCocoonCli(['proxy', '--config', configFile], fromEnv.io), 2);
      assert.match(fromEnv.err.at(-1)!, /^\S+Z error proxy failed to start: /);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('cocoon key-manager honours --log-format json and its config\'s log_format', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'cocoon-log-format-km-'));
    try {
      // Off chain with check_hashes on: the start is refused after the config loaded and the machine key exists.
      const configFile = join(directory, 'key-manager.json');
      writeFileSync(configFile, JSON.stringify({ log_format: 'json', machine_key_file: join(directory, 'machine.key'), db_path: join(directory, 'db'), http_port: 0, rpc_port: 0 }));
      for (const argv of [['key-manager', '--config', configFile], ['--log-format', 'json', 'key-manager', '--machine-key-file', join(directory, 'machine.key')]]) {
        const { io, err } = captureIo();
        assert.equal(await runCocoonCli(argv, io), 2);
        const entry = JSON.parse(err.at(-1)!) as Record<string, unknown>;
        assert.equal(entry.role, 'key-manager');
        assert.match(String(entry.msg), /failed to start: check_hashes needs the root contract/);
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

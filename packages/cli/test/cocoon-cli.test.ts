/** Tests for the `cocoon` command dispatcher, help output and argument helpers. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import { secretField } from '@cocoon/protocol';
import { runCocoonCli } from '../src/cocoon-cli.ts';
import type { CliIo } from '../src/cli-io.ts';
import { COCOON_BIN_PATH } from '../src/dev/dev-network.ts';
import { splitConfigFileFlag } from '../src/commands/config-file-flag.ts';
import { describeConfigKeys } from '../src/commands/config-key-help.ts';
import { formatReadyLine } from '../src/commands/role-command.ts';

const captureIo = (env: Record<string, string | undefined> = {}) => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (line) => out.push(line), stderr: (line) => err.push(line), env };
  return { io, out, err };
};

describe('cocoon CLI', () => {
  test('help lists every command and the dev defaults', async () => {
    const { io, out } = captureIo();
    assert.equal(await runCocoonCli(['help'], io), 0);
    const text = out.join('\n');
    for (const fragment of ['cocoon dev', 'cocoon client', 'cocoon proxy', 'cocoon worker', 'cocoon test-engine', '--engine-url', '--pow-difficulty', 'default 16']) {
      assert.ok(text.includes(fragment), `help lacks ${fragment}`);
    }
  });

  test('no command prints help with a usage exit code; unknown commands fail', async () => {
    const none = captureIo();
    assert.equal(await runCocoonCli([], none.io), 2);
    assert.ok(none.out.join('\n').includes('usage:'));
    const unknown = captureIo();
    assert.equal(await runCocoonCli(['frobnicate'], unknown.io), 2);
    assert.match(unknown.err.join('\n'), /unknown command 'frobnicate'/);
  });

  test('bin/cocoon.mjs runs the TypeScript CLI through tsx', () => {
    const result = spawnSync(process.execPath, [COCOON_BIN_PATH, 'help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^cocoon: run a COCOON network/);
  });

  test('cocoon dev rejects unknown options naming them, before starting anything', async () => {
    const { io, err } = captureIo();
    assert.equal(await runCocoonCli(['dev', '--workerz', '3'], io), 2);
    assert.match(err.join('\n'), /unknown key 'workerz'/);
    const badEnv = captureIo({ COCOON_DEV_POW_DIFFICULTY: 'high' });
    assert.equal(await runCocoonCli(['dev'], badEnv.io), 2);
    assert.match(badEnv.err.join('\n'), /env COCOON_DEV_POW_DIFFICULTY: expected a number/);
  });
});

describe('CLI helpers', () => {
  test('splitConfigFileFlag extracts --config in both forms', () => {
    assert.deepEqual(splitConfigFileFlag(['--config', 'a.json', '--http-port', '1']), { file: 'a.json', rest: ['--http-port', '1'] });
    assert.deepEqual(splitConfigFileFlag(['--is-test', '--config=b.json']), { file: 'b.json', rest: ['--is-test'] });
    assert.deepEqual(splitConfigFileFlag([]), { file: undefined, rest: [] });
    assert.throws(() => splitConfigFileFlag(['--config']), /--config: missing file path/);
  });

  test('describeConfigKeys shows flag, env and default but hides secret defaults', () => {
    const schema = z.object({ http_port: z.number().default(11000), engine_url: z.string(), access: secretField(z.string().default('s3cr3t')) }).strict();
    const lines = describeConfigKeys(schema, 'COCOON_X_');
    assert.deepEqual(lines, [
      'http_port / --http-port / COCOON_X_HTTP_PORT  (default 11000)',
      'engine_url / --engine-url / COCOON_X_ENGINE_URL  (required)',
      'access / --access / COCOON_X_ACCESS  (default hidden (secret))',
    ]);
  });

  test('formatReadyLine puts event and role first-class and stringifies bigints', () => {
    const line = formatReadyLine('proxy', { url: 'http://127.0.0.1:11000', ports: { client: 11002 }, price: 20n, role: 'ignored' });
    assert.equal(line, '{"event":"ready","role":"proxy","url":"http://127.0.0.1:11000","ports":{"client":11002},"price":"20"}');
  });
});

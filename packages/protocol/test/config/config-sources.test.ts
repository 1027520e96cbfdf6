/**
 * The three config sources read into flat entries: a JSON file, prefixed env variables and
 * `--kebab-case` flags. Each entry names where it came from (the loader's error messages rely on
 * it); unknown keys, odd argument shapes and values that do not coerce are refused with the key.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { readEnvEntries, readFileEntries, readFlagEntries } from '../../src/config/config-sources.ts';
import { envNameForKey, flagNameForKey } from '../../src/config/index.ts';

const directory = mkdtempSync(join(tmpdir(), 'cocoon-config-sources-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const shape = {
  http_port: z.number().int().default(1),
  host: z.string().default(''),
  is_test: z.boolean().default(false),
  tags: z.array(z.string()).default([]),
  no_cache: z.boolean().default(false),
};

/** The refusal's param and message, or a failure when nothing was refused. */
const refusal = (run: () => unknown): { param: string | undefined; message: string } => {
  try {
    run();
  } catch (error) {
    const { code, param, message } = error as { code?: string; param?: string; message: string };
    assert.equal(code, 'CCN_ERR_CONFIG_INVALID');
    return { param, message };
  }
  assert.fail('expected a refusal');
};

describe('key names', () => {
  test('flags and env names derive from the snake_case key', () => {
    assert.equal(flagNameForKey('root_refresh_interval_ms'), '--root-refresh-interval-ms');
    assert.equal(envNameForKey('root_refresh_interval_ms', 'COCOON_WORKER_'), 'COCOON_WORKER_ROOT_REFRESH_INTERVAL_MS');
  });
});

describe('readFileEntries', () => {
  test('every key becomes an entry naming the key and the file; values stay uncoerced', () => {
    const path = join(directory, 'ok.json');
    writeFileSync(path, JSON.stringify({ http_port: '80', tags: ['a'] }));
    assert.deepEqual(readFileEntries(shape, path), [
      { key: 'http_port', value: '80', kind: 'file', subject: `http_port in file ${path}` },
      { key: 'tags', value: ['a'], kind: 'file', subject: `tags in file ${path}` },
    ]);
  });

  test('JSON that is not an object, and keys the schema lacks, are refused', () => {
    for (const text of ['null', '"text"', '42', '[]']) {
      const path = join(directory, 'not-object.json');
      writeFileSync(path, text);
      assert.match(refusal(() => readFileEntries(shape, path)).message, /must contain a JSON object/, text);
    }
    const path = join(directory, 'inherited.json');
    writeFileSync(path, '{"toString": 1}');
    assert.deepEqual(refusal(() => readFileEntries(shape, path)), { param: 'toString', message: `config error: unknown key 'toString' in file ${path}` });
  });

  test('a directory instead of a file names the reason', () => {
    assert.match(refusal(() => readFileEntries(shape, directory)).message, /cannot read config file .* \(EISDIR\)/);
  });

  test('an unreadable file names the reason', { skip: process.getuid?.() === 0 ? 'root reads every file' : false }, () => {
    const path = join(directory, 'locked.json');
    writeFileSync(path, '{}');
    chmodSync(path, 0o000);
    assert.match(refusal(() => readFileEntries(shape, path)).message, /\(EACCES\)/);
  });
});

describe('readEnvEntries', () => {
  test('only the prefix is read; values are coerced and name their variable', () => {
    const env = { COCOON_PROXY_HTTP_PORT: '8080', COCOON_PROXY_IS_TEST: 'yes', COCOON_CLIENT_HOST: 'other role', PATH: '/bin', COCOON_PROXY_HOST: undefined };
    assert.deepEqual(readEnvEntries(shape, env, 'COCOON_PROXY_'), [
      { key: 'http_port', value: 8080, kind: 'env', subject: 'env COCOON_PROXY_HTTP_PORT' },
      { key: 'is_test', value: true, kind: 'env', subject: 'env COCOON_PROXY_IS_TEST' },
    ]);
  });

  test('a variable not spelled in upper case is unknown (the name must be exactly the documented one)', () => {
    assert.deepEqual(refusal(() => readEnvEntries(shape, { COCOON_PROXY_http_port: '1' }, 'COCOON_PROXY_')), {
      param: 'http_port',
      message: "config error: unknown key 'http_port' in env COCOON_PROXY_http_port",
    });
  });

  test('a value that does not coerce names the variable and the expected kind', () => {
    assert.equal(refusal(() => readEnvEntries(shape, { COCOON_PROXY_TAGS: '[broken' }, 'COCOON_PROXY_')).message, 'config error: env COCOON_PROXY_TAGS: expected valid JSON');
  });
});

describe('readFlagEntries', () => {
  const values = (argv: string[]) => readFlagEntries(shape, argv).map(({ key, value }) => [key, value]);

  test('--key value, --key=value, and an empty inline value', () => {
    assert.deepEqual(values(['--http-port', '80', '--host=a=b', '--tags=["x"]']), [['http_port', 80], ['host', 'a=b'], ['tags', ['x']]]);
    assert.deepEqual(values(['--host=']), [['host', '']]);
    assert.deepEqual(readFlagEntries(shape, ['--http-port=7'])[0]?.subject, '--http-port');
  });

  test('a value may look negative; only a following --flag counts as missing', () => {
    assert.deepEqual(values(['--http-port', '-1']), [['http_port', -1]]);
    assert.equal(refusal(() => readFlagEntries(shape, ['--host', '--is-test'])).message, 'config error: --host: missing value');
  });

  test('boolean switches take a following boolean word, or stand alone before anything else', () => {
    assert.deepEqual(values(['--is-test', 'off', '--http-port', '2']), [['is_test', false], ['http_port', 2]]);
    assert.deepEqual(values(['--is-test', 'ON']), [['is_test', true]]);
    assert.throws(() => readFlagEntries(shape, ['--is-test', 'later']), /unexpected argument 'later'/, 'a non-boolean word after a switch is a stray argument');
    assert.deepEqual(values(['--is-test=no']), [['is_test', false]]);
    assert.equal(refusal(() => readFlagEntries(shape, ['--is-test=maybe'])).message, 'config error: --is-test: expected a boolean');
  });

  test('--no-<switch> turns a switch off, but never a non-boolean key, an inline value, or a real no_ key', () => {
    assert.deepEqual(values(['--no-is-test']), [['is_test', false]]);
    assert.deepEqual(values(['--no-cache']), [['no_cache', true]], 'a key that itself starts with no_ wins');
    assert.equal(refusal(() => readFlagEntries(shape, ['--no-host'])).param, 'no_host');
    assert.equal(refusal(() => readFlagEntries(shape, ['--no-is-test=true'])).param, 'no_is_test');
  });

  test('a bare --, a single dash and positional words are refused as unexpected', () => {
    for (const argv of [['--'], ['-p', '1'], ['proxy'], ['--http-port', '1', 'extra']]) {
      assert.equal(refusal(() => readFlagEntries(shape, argv)).param, 'argv', argv.join(' '));
    }
  });

  test('unknown flags name the key and the flag as typed', () => {
    assert.equal(refusal(() => readFlagEntries(shape, ['--htp-port', '1'])).message, "config error: unknown key 'htp_port' in flags (--htp-port)");
  });
});

/**
 * The light client in `cocoon dev` (fake children, a builder double): the page is built into `<data dir>/app`
 * with the dev authority's root as trust, `networkIsTest: true` and the served model's name, and the client
 * gets `--app-dir` for it; `appOrigins` reach the client's CORS origins and their hosts its allowed hosts; a
 * failed build (or fake_tdx) leaves the page out with the reason while the network starts; the banner prints
 * the page's URL or why it is not served. `--app-origin` is repeatable and validated, `--no-light-client` works;
 * `--telegram-bot-token-file` reaches the client (off by default).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createLogger } from '@cocoon/protocol';
import type { BuildLightClientOptions } from '@cocoon/light-client';
import { startDevNetwork, type DevNetworkOptions } from '../../src/dev/dev-network.ts';
import { buildDevLightClient, devLightClientModel } from '../../src/dev/dev-light-client.ts';
import { describeDevNetwork, gatherAppOriginFlags, loadDevCommandOptions } from '../../src/commands/dev-command.ts';
import { COCOON_HELP_TEXT } from '../../src/help-text.ts';
import { writeFakeChildScript } from './fake-child.ts';

let directory = '';
let script = '';
before(() => {
  directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-light-client-'));
  script = writeFakeChildScript(directory);
});
after(() => rmSync(directory, { recursive: true, force: true }));

const quiet = createLogger('dev', { write: () => undefined });
const argsOf = (info: Record<string, unknown> | undefined): string[] => (info?.args as string[] | undefined) ?? [];
const flag = (args: string[], name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

const options = (dataDir: string, extra: Partial<DevNetworkOptions>): DevNetworkOptions => ({
  engine: 'test', basePortOffset: 31000, readyTimeoutMs: 10_000, stopGraceMs: 2_000, workers: 1, dataDir,
  launch: (spec) => ({ command: process.execPath, args: [script, spec.name, ...spec.args], env: { ...process.env, FAKE_PLAN: '{}' } }),
  onLine: () => undefined, logger: quiet, ...extra,
});

describe('the light client of a dev network', () => {
  test('built into <data dir>/app with the dev root and SEV-SNP ARK, served by the client at /app/; app origins reach the client doors', async () => {
    const dataDir = join(directory, 'built');
    const builds: BuildLightClientOptions[] = [];
    const network = await startDevNetwork(options(dataDir, {
      lightClient: {
        build: async (input) => {
          builds.push(input);
          writeFileSync(join(input.outDir, 'index.html'), '<!DOCTYPE html>');
          return { files: ['index.html'], jsBytes: 1000, jsGzipBytes: 400 };
        },
      },
      appOrigins: ['https://mini-app.example.trycloudflare.com', 'https://other.example:8443'],
      telegramBotTokenFile: '/secrets/bot.token',
    }));
    try {
      assert.equal(builds.length, 1);
      const { outDir, config } = builds[0]!;
      assert.equal(outDir, join(dataDir, 'app'));
      assert.equal(readFileSync(join(outDir, 'index.html'), 'utf8'), '<!DOCTYPE html>');
      const rootPem = readFileSync(join(dataDir, 'attestation', 'root-ca.pem'), 'utf8');
      const sevArkPem = readFileSync(join(dataDir, 'attestation', 'sev-ark.pem'), 'utf8');
      assert.deepEqual(config, {
        trust: { devRootDer: Buffer.from(new X509Certificate(rootPem).raw).toString('base64'), devSevArkDer: Buffer.from(new X509Certificate(sevArkPem).raw).toString('base64') },
        networkIsTest: true, model: 'test/tiny-chat',
      }, 'the dev root and the dev SEV-SNP ARK, so SEV-SNP workers verify in the page too');
      assert.deepEqual(network.lightClient, { built: true, directory: outDir, jsBytes: 1000, jsGzipBytes: 400, url: 'http://127.0.0.1:41000/app/' });
      const client = argsOf(network.children.find((child) => child.name === 'client')?.readyInfo);
      assert.equal(flag(client, '--app-dir'), outDir);
      assert.deepEqual(JSON.parse(flag(client, '--http-cors-origins') ?? 'null'), ['http://127.0.0.1:41000', 'https://mini-app.example.trycloudflare.com', 'https://other.example:8443']);
      assert.deepEqual(JSON.parse(flag(client, '--http-allowed-hosts') ?? 'null'), ['mini-app.example.trycloudflare.com', 'other.example']);
      assert.equal(flag(client, '--telegram-bot-token-file'), '/secrets/bot.token', 'the Mini App door of the client');
      assert.ok(describeDevNetwork(network).some((line) => line.startsWith('  light client: http://127.0.0.1:41000/app/')), describeDevNetwork(network).join('\n'));
    } finally {
      await network.stop();
    }
  });

  test('a failing build leaves the page out, says why, and the network starts; without lightClient nothing is built', async () => {
    const network = await startDevNetwork(options(join(directory, 'failing'), {
      lightClient: { build: async () => { throw new Error('esbuild: Could not resolve "node:fs"'); } },
    }));
    try {
      assert.deepEqual(network.lightClient, { built: false, reason: 'building it failed: esbuild: Could not resolve "node:fs"' });
      const client = argsOf(network.children.find((child) => child.name === 'client')?.readyInfo);
      assert.equal(flag(client, '--app-dir'), undefined);
      assert.equal(flag(client, '--http-allowed-hosts'), undefined);
      assert.equal(flag(client, '--telegram-bot-token-file'), undefined, 'no Telegram door by default');
      assert.ok(describeDevNetwork(network).includes('  light client: not served (building it failed: esbuild: Could not resolve "node:fs")'));
    } finally {
      await network.stop();
    }
    const plain = await startDevNetwork(options(join(directory, 'plain'), {}));
    try {
      assert.equal(plain.lightClient, undefined);
      assert.ok(!describeDevNetwork(plain).some((line) => line.includes('light client')));
    } finally {
      await plain.stop();
    }
  });

  test('fake_tdx builds nothing (the page could verify no worker) and says so', async () => {
    let called = false;
    const outcome = await buildDevLightClient({ directory, rootCertificateDer: undefined, logger: quiet, build: async () => { called = true; return { files: [], jsBytes: 0, jsGzipBytes: 0 }; } });
    assert.equal(called, false);
    assert.equal(outcome.built, false);
    assert.match(outcome.built ? '' : outcome.reason, /fake_tdx.*--tee simulated/);
    assert.equal(devLightClientModel(`test/tiny-chat@dev:${'0'.repeat(64)}`), 'test/tiny-chat');
    assert.equal(devLightClientModel('tiny-random'), 'tiny-random');
  });
});

describe('cocoon dev options for the light client', () => {
  const load = (args: string[], env: Record<string, string> = {}) => loadDevCommandOptions(args, env);

  test('the dev help documents --app-origin (repeatable, for an https tunnel) and --no-light-client', () => {
    assert.match(COCOON_HELP_TEXT, /--app-origin ORIGIN[^]*https tunnel[^]*http_cors_origins[^]*http_allowed_hosts \(repeatable\)/);
    assert.match(COCOON_HELP_TEXT, /--no-light-client[^]*\/app\//);
  });

  test('--telegram-bot-token-file: off by default, a path resolved by the command; documented in the help', () => {
    assert.equal(load([]).telegram_bot_token_file, undefined);
    assert.equal(load(['--telegram-bot-token-file', 'bot.token']).telegram_bot_token_file, 'bot.token');
    assert.equal(load([], { COCOON_DEV_TELEGRAM_BOT_TOKEN_FILE: '/s/bot.token' }).telegram_bot_token_file, '/s/bot.token');
    assert.throws(() => load(['--telegram-bot-token-file', '']), (error: { code?: string }) => error.code === 'CCN_ERR_CONFIG_INVALID');
    assert.match(COCOON_HELP_TEXT, /--telegram-bot-token-file F[^]*mode 600[^]*telegram_bot_token_file/);
  });

  test('the light client is on by default; --no-light-client turns it off', () => {
    assert.equal(load([]).light_client, true);
    assert.equal(load(['--no-light-client']).light_client, false);
    assert.equal(load(['--light-client', 'false']).light_client, false);
  });

  test('--app-origin is repeatable (also --app-origin=X and env as a JSON list) and keeps the other flags', () => {
    assert.deepEqual(load([]).app_origin, []);
    const options = load(['--workers', '1', '--app-origin', 'https://a.example', '--app-origin=https://b.example:8443', '--off-chain']);
    assert.deepEqual(options.app_origin, ['https://a.example', 'https://b.example:8443']);
    assert.equal(options.workers, 1);
    assert.equal(options.off_chain, true);
    assert.deepEqual(load([], { COCOON_DEV_APP_ORIGIN: '["https://c.example"]' }).app_origin, ['https://c.example']);
    assert.deepEqual(gatherAppOriginFlags(['--app-origin', 'https://a.example', '--tee', 'mixed']), ['--tee', 'mixed', '--app-origin', '["https://a.example"]']);
    assert.deepEqual(gatherAppOriginFlags(['--app-origin', '["https://a.example","https://b.example"]', '--app-origin', 'http://c.example']),
      ['--app-origin', '["https://a.example","https://b.example","http://c.example"]']);
  });

  test('an --app-origin that is not an exact http(s) origin is refused naming the flag', () => {
    for (const bad of ['https://a.example/', 'https://a.example/app', 'ftp://a.example', 'a.example', 'https://A.example', 'https://a.example:443', 'https://user@a.example']) {
      assert.throws(() => load(['--app-origin', bad]), (error: { code?: string; message: string }) => error.code === 'CCN_ERR_CONFIG_INVALID' && error.message.includes('--app-origin'), bad);
    }
    assert.throws(() => load(['--app-origin']), /--app-origin: missing value/);
    assert.throws(() => load(['--app-origin', '--off-chain']), /--app-origin: missing value/);
  });
});

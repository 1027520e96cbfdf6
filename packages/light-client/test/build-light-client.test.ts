/**
 * buildLightClient: the page built into a fresh directory (index.html, app.js, styles.css,
 * config.json, each 0644), the bundle's size reported and within the 250 KiB gzip budget, the page
 * referencing nothing outside its directory; the trust config validated before anything is written
 * (a bad config is a CCN_ERR_CONFIG_INVALID naming the field, and no directory appears).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CocoonError } from '@cocoon/protocol';
import { buildLightClient, parseLightClientConfig, type LightClientBuild, type LightClientConfig } from '../src/index.ts';

const GZIP_BUDGET_BYTES = 250 * 1024;
/** Any DER SEQUENCE passes the config check (the page verifies quotes against it later). */
const DEV_ROOT_DER = Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x01, 0x01]).toString('base64');
const DEV_CONFIG: LightClientConfig = { trust: { devRootDer: DEV_ROOT_DER }, networkIsTest: true, model: 'test/tiny-chat' };

const configError = (param: string, message: RegExp) => (error: unknown): boolean => {
  assert.ok(error instanceof CocoonError, `a CocoonError, got ${String(error)}`);
  assert.equal(error.code, 'CCN_ERR_CONFIG_INVALID');
  assert.equal(error.param, param);
  assert.match(error.message, message);
  return true;
};

describe('buildLightClient', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-light-client-build-'));
  const outDir = join(directory, 'nested', 'app');
  let built: LightClientBuild;

  before(async () => {
    built = await buildLightClient({ outDir, config: DEV_CONFIG });
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  test('writes the page, its bundle and its config into a new directory, each file 0644', (t) => {
    assert.deepEqual([...built.files].sort(), ['app.js', 'config.json', 'index.html', 'styles.css']);
    for (const name of built.files) {
      const stat = statSync(join(outDir, name));
      assert.ok(stat.isFile(), name);
      assert.ok(stat.size > 0, `${name} is not empty`);
      assert.equal(stat.mode & 0o777, 0o644, `${name} mode`);
    }
    assert.deepEqual(JSON.parse(readFileSync(join(outDir, 'config.json'), 'utf8')), DEV_CONFIG);
    t.diagnostic(`light client built into ${outDir}: ${built.files.join(', ')}`);
  });

  test('reports the bundle size, which fits the 250 KiB gzip budget', (t) => {
    const code = readFileSync(join(outDir, 'app.js'));
    assert.equal(built.jsBytes, code.byteLength);
    const gzipped = gzipSync(code, { level: 9 }).byteLength;
    assert.ok(Math.abs(built.jsGzipBytes - gzipped) <= 64, `gzip size ${built.jsGzipBytes} ≈ ${gzipped}`);
    t.diagnostic(`app.js: ${built.jsBytes} bytes, ${built.jsGzipBytes} bytes gzipped (${(built.jsGzipBytes / 1024).toFixed(1)} KiB of ${GZIP_BUDGET_BYTES / 1024} KiB)`);
    assert.ok(built.jsGzipBytes <= GZIP_BUDGET_BYTES, `app.js is ${built.jsGzipBytes} bytes gzipped, over ${GZIP_BUDGET_BYTES}`);
  });

  test('the page loads only its own files (scripts, styles), under a CSP, and the bundle is one module without Node built-ins', () => {
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    const references = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1]);
    assert.deepEqual(references.filter((reference) => !reference!.startsWith('data:')).sort(), ['./app.js', './styles.css']);
    assert.match(html, /<link rel="icon" href="data:image\/svg\+xml,/, 'an inline icon: no /favicon.ico request');
    assert.match(html, /<script type="module" src="\.\/app\.js"><\/script>/);
    assert.match(html, /http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' https:\/\/telegram\.org; connect-src 'self'/);
    for (const id of ['prompt', 'send', 'attestation-status', 'model']) assert.match(html, new RegExp(`data-testid="${id}"`), id);
    const css = readFileSync(join(outDir, 'styles.css'), 'utf8');
    assert.doesNotMatch(css, /url\(|@import/, 'no external style resources');
    const code = readFileSync(join(outDir, 'app.js'), 'utf8');
    assert.doesNotMatch(code, /from\s*["']node:|require\(["'](?:node:)?(?:fs|crypto|path|http)["']\)/);
    assert.doesNotMatch(code, /console\.(?:log|info|debug)\(/, 'the page logs nothing');
  });

  test('rebuilding over an existing directory replaces the files and resets their modes', async () => {
    const config = join(outDir, 'config.json');
    writeFileSync(config, '{"stale": true}', { mode: 0o600 });
    const again = await buildLightClient({ outDir, config: { trust: 'intel', networkIsTest: false } });
    assert.deepEqual([...again.files].sort(), [...built.files].sort());
    assert.deepEqual(JSON.parse(readFileSync(config, 'utf8')), { trust: 'intel', networkIsTest: false });
    assert.equal(statSync(config).mode & 0o777, 0o644);
  });

  test('a bad config fails before anything is written, naming the field', async () => {
    const untouched = join(directory, 'never-created');
    const cases: Array<[unknown, string, RegExp]> = [
      [{ networkIsTest: true }, 'trust', /trust is required/],
      [{ trust: 'amd', networkIsTest: true }, 'trust', /trust must be 'intel' or \{ "devRootDer"/],
      [{ trust: { devRootDer: 'not base64!' }, networkIsTest: true }, 'trust.devRootDer', /not standard padded base64/],
      [{ trust: { devRootDer: Buffer.from('hello').toString('base64') }, networkIsTest: true }, 'trust.devRootDer', /not a DER certificate/],
      [{ trust: { devRootDer: DEV_ROOT_DER, pem: 'x' }, networkIsTest: true }, 'trust', /unknown trust field 'pem'/],
      [{ trust: { devRootDer: DEV_ROOT_DER, devSevArkDer: '' }, networkIsTest: true }, 'trust.devSevArkDer', /must be the dev authority's SEV-SNP ARK certificate as base64 DER/],
      [{ trust: { devRootDer: DEV_ROOT_DER, devSevArkDer: Buffer.from('hello').toString('base64') }, networkIsTest: true }, 'trust.devSevArkDer', /not a DER certificate/],
      [{ trust: { devRootDer: DEV_ROOT_DER }, networkIsTest: false }, 'networkIsTest', /only accepted on a test network/],
      [{ trust: 'intel', networkIsTest: 'yes' }, 'networkIsTest', /networkIsTest must be true or false/],
      [{ trust: 'intel', networkIsTest: false, model: '  ' }, 'model', /model must be a non-empty model name/],
      [{ trust: 'intel', networkIsTest: false, baseURL: 'http://x' }, 'baseURL', /unknown field 'baseURL'/],
      [[], 'config', /must be a JSON object/],
    ];
    for (const [config, param, message] of cases) {
      await assert.rejects(buildLightClient({ outDir: untouched, config: config as LightClientConfig }), configError(param, message), JSON.stringify(config));
      assert.throws(() => parseLightClientConfig(config), configError(param, message), 'the page applies the same check');
    }
    await assert.rejects(buildLightClient({ outDir: '', config: DEV_CONFIG }), configError('outDir', /outDir must be a directory path/));
    assert.equal(existsSync(untouched), false, 'nothing was written');
  });

  test('a good config reads back as given (model optional)', () => {
    assert.deepEqual(parseLightClientConfig({ trust: 'intel', networkIsTest: false }), { trust: 'intel', networkIsTest: false });
    assert.deepEqual(parseLightClientConfig(JSON.parse(JSON.stringify(DEV_CONFIG))), DEV_CONFIG);
    const mixed = { ...DEV_CONFIG, trust: { devRootDer: DEV_ROOT_DER, devSevArkDer: DEV_ROOT_DER } };
    assert.deepEqual(parseLightClientConfig(JSON.parse(JSON.stringify(mixed))), mixed, 'with the dev SEV-SNP ARK');
  });
});

/**
 * The browser bundles (@cocoon/sdk/build, bundleForBrowser): @cocoon/protocol/browser,
 * @cocoon/attestation/browser and @cocoon/sdk each bundle for the browser platform without reaching
 * a Node built-in, zod, prom-client or a package's main index, and the SDK fits its budget
 * (≤ 250 KiB gzipped; sizes printed as diagnostics). The builder names the import that breaks a
 * build and the chain that reached it, honours `external`, writes `outFile`, and refuses bad
 * options. A bundle of the protocol entry really runs in chromium (Debian's, via playwright-core):
 * a TL round trip of an e2e message and an HPKE seal → open → sealed answer → signed receipt, with
 * the bundle's own Buffer. Without chromium that test is skipped (a failure in CI: findChromium).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import * as protocolMain from '@cocoon/protocol';
import * as protocolBrowser from '@cocoon/protocol/browser';
import { CHROMIUM_ARGS, findChromium, startStaticPageServer, type StaticPageServer } from '@cocoon/test-support';
import { bundleForBrowser } from '@cocoon/sdk/build';
import { PAGE_PROMPT, type BrowserCheckResult } from './browser-bundle-page-entry.ts';

const { executablePath, skip: noChromium } = findChromium();
const SDK_BUDGET_GZIP_BYTES = 250 * 1024;
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const codeOf = (error: unknown): unknown => (error as { code?: unknown }).code;

interface BundledEntry {
  name: string;
  maxGzipBytes?: number;
}

const ENTRIES: readonly BundledEntry[] = [
  { name: '@cocoon/protocol/browser' },
  { name: '@cocoon/attestation/browser' },
  { name: '@cocoon/sdk', maxGzipBytes: SDK_BUDGET_GZIP_BYTES },
];

/** Inputs a browser bundle must never contain: zod, prom-client, and the packages' Node-facing main indexes. */
const FORBIDDEN_INPUTS = [/node_modules\/zod\//, /node_modules\/prom-client\//, /(^|\/)protocol\/src\/index\.ts$/, /(^|\/)attestation\/src\/index\.ts$/];

describe('browser bundles of the COCOON entries', () => {
  for (const entry of ENTRIES) {
    test(`${entry.name} bundles for the browser platform: no Node built-in, zod, prom-client or main index`, async (t) => {
      const bundle = await bundleForBrowser({ entry: entry.name });
      t.diagnostic(`${entry.name}: ${kib(bundle.bytes)} minified, ${kib(bundle.gzipBytes)} gzipped, ${Object.keys(bundle.metafile.inputs).length} inputs`);
      const inputs = Object.keys(bundle.metafile.inputs);
      for (const pattern of FORBIDDEN_INPUTS) assert.deepEqual(inputs.filter((input) => pattern.test(input)), [], `${entry.name} reaches ${pattern}`);
      assert.ok(bundle.gzipBytes > 0 && bundle.gzipBytes < bundle.bytes);
      if (entry.maxGzipBytes !== undefined) {
        assert.ok(bundle.gzipBytes <= entry.maxGzipBytes, `${entry.name} is ${kib(bundle.gzipBytes)} gzipped, over its budget of ${kib(entry.maxGzipBytes)}`);
      }
    });
  }

  test('every export of @cocoon/protocol/browser is the same value in @cocoon/protocol (one set of classes in Node)', () => {
    const names = Object.keys(protocolBrowser);
    for (const name of ['CocoonError', 'isCocoonError', 'toCocoonError', 'encodeBoxed', 'decodeBoxedAs', 'E2eRequestSealer', 'E2eRequestSession', 'toBase64', 'modelBaseName']) {
      assert.ok(names.includes(name), name);
    }
    for (const name of names) assert.equal((protocolBrowser as Record<string, unknown>)[name], (protocolMain as Record<string, unknown>)[name], name);
    assert.equal(protocolBrowser.modelBaseName('Qwen/Qwen3-0.6B@main:0123abcd'), 'Qwen/Qwen3-0.6B');
  });
});

describe('bundleForBrowser', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-browser-bundle-'));
  const file = (name: string, text: string): string => {
    const path = join(directory, name);
    writeFileSync(path, text);
    return path;
  };
  after(() => rmSync(directory, { recursive: true, force: true }));

  test('a Node built-in reached through another file fails the build, naming the import, its file and the chain', async () => {
    file('reads-files.js', "import { readFileSync } from 'node:fs';\nexport const read = (path) => readFileSync(path);\n");
    file('hashes.js', "import { createHash } from 'crypto';\nexport const hash = () => createHash('sha256');\n");
    file('middle.js', "export { read } from './reads-files.js';\nexport { hash } from './hashes.js';\n");
    const entry = file('entry.js', "import { read, hash } from './middle.js';\nexport const run = () => [read, hash];\n");
    await assert.rejects(bundleForBrowser({ entry }), (error: unknown) => {
      assert.ok(error instanceof protocolMain.CocoonError);
      assert.equal(error.code, 'CCN_ERR_INTERNAL');
      const message = error.message;
      assert.match(message, /reaches a Node built-in/);
      assert.match(message, /reads-files\.js:1: Could not resolve "node:fs": a Node built-in/);
      assert.match(message, /hashes\.js:1: Could not resolve "crypto": a Node built-in/);
      assert.match(message, /reached through \S*entry\.js → \S*middle\.js → \S*reads-files\.js/);
      return true;
    });
  });

  test('external imports stay imports; without `external` the unresolvable one is named', async () => {
    const entry = file('uses-host.js', "import { hostValue } from 'page-provided-module';\nexport const value = () => hostValue;\n");
    const bundle = await bundleForBrowser({ entry, external: ['page-provided-module'] });
    assert.match(new TextDecoder().decode(bundle.code), /from\s*"page-provided-module"/);
    await assert.rejects(bundleForBrowser({ entry }), (error: unknown) => {
      assert.equal(codeOf(error), 'CCN_ERR_INTERNAL');
      assert.match(String((error as Error).message), /uses-host\.js:1: Could not resolve "page-provided-module"$/m);
      assert.doesNotMatch(String((error as Error).message), /Node built-in/);
      return true;
    });
  });

  test('Buffer comes from the npm buffer package, global is globalThis; outFile gets the returned bytes; minify shrinks', async () => {
    const entry = file('buffers.js', 'export const hex = Buffer.from("hi").toString("hex");\nexport const root = global;\n');
    const outFile = join(directory, 'out', 'nested', 'buffers.bundle.js');
    const minified = await bundleForBrowser({ entry, outFile });
    assert.ok(Object.keys(minified.metafile.inputs).some((input) => /node_modules\/buffer\/index\.js$/.test(input)));
    assert.deepEqual(new Uint8Array(readFileSync(outFile)), minified.code);
    assert.equal(minified.bytes, minified.code.byteLength);
    const plain = await bundleForBrowser({ entry, minify: false });
    assert.ok(plain.bytes > minified.bytes, `${plain.bytes} > ${minified.bytes}`);
    const source = new TextDecoder().decode(plain.code);
    assert.match(source, /root = globalThis;/);
  });

  test('bad options are refused with CCN_ERR_CONFIG_INVALID', async () => {
    for (const options of [{ entry: '' }, { entry: new URL('https://example.test/entry.js') }, { entry: './x.js', minify: 'yes' }, { entry: './x.js', external: [''] }]) {
      await assert.rejects(bundleForBrowser(options as never), (error: unknown) => codeOf(error) === 'CCN_ERR_CONFIG_INVALID', JSON.stringify(options));
    }
  });
});

describe('a bundle of @cocoon/protocol/browser in chromium', { skip: noChromium }, () => {
  let browser: Browser | undefined;
  let server: StaticPageServer | undefined;
  let origin = '';

  before(async () => {
    const bundle = await bundleForBrowser({ entry: new URL('./browser-bundle-page-entry.ts', import.meta.url) });
    const page = '<!doctype html><meta charset="utf-8"><title>bundle check</title><script type="module">'
      + "import { runBrowserCheck } from './bundle.js';\n"
      + 'window.browserCheck = runBrowserCheck().catch((error) => ({ error: String(error && error.stack || error) }));</script>';
    server = await startStaticPageServer({
      '/': { contentType: 'text/html; charset=utf-8', body: page },
      '/bundle.js': { contentType: 'text/javascript; charset=utf-8', body: bundle.code },
    });
    origin = server.origin;
    browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a TL round trip of an e2e message and an HPKE seal → open → answer → receipt run in the page', async () => {
    const page = await browser!.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${origin}/`);
    // Source text, not a function: tsx-compiled functions carry helpers the page lacks.
    const result = await page.evaluate('window.browserCheck') as BrowserCheckResult | { error: string };
    assert.deepEqual(pageErrors, []);
    if ('error' in result) assert.fail(`the page threw: ${result.error}`);
    assert.match(result.userAgent, /Chrome/);
    assert.equal(result.pageBuffer, 'undefined', 'the page has no global Buffer: the codec used the bundle\'s');
    assert.equal(result.globalIsGlobalThis, true);
    assert.deepEqual(result.tl, {
      reencodedEqual: true, model: 'Qwen/Qwen3-0.6B', recipients: 1, bytesAreBuffers: true,
      header: { name: 'x-ünï', value: PAGE_PROMPT }, longValue: (-(2n ** 63n)).toString(),
    });
    const { sealedBytes, ...hpke } = result.hpke;
    assert.ok(sealedBytes > 100, String(sealedBytes));
    assert.deepEqual(hpke, {
      promptInClear: false,
      openedPayload: JSON.stringify({ model: 'Qwen/Qwen3-0.6B', messages: [{ role: 'user', content: PAGE_PROMPT }] }),
      answer: 'data: [DONE]\n\n', final: true, receiptStatus: 0, costNanoton: '360', keyMatches: true,
    });
    assert.deepEqual(result.tampered, { isCocoonError: true, code: 'CCN_ERR_E2E_REQUEST_INVALID' });
    await page.close();
  });
});

/**
 * The light client in Debian's chromium (playwright-core) against a real dev network: proxy, two
 * workers on the test engine attesting with simulated TDX quotes under the dev authority, and the
 * client runner serving the page `startDevNetwork({ lightClient: true })` built at /app/. The page
 * verifies the workers' evidence itself (attestation-status: verified, with the image hash, the
 * model, the authority and the TEE), streams a sealed chat answer and shows its verified receipt
 * with tokens and cost in TON. With the runner's listing forged in flight (a byte of every quote
 * flipped; the workers' key sets swapped) it shows the refusal with its reason, `send` stays
 * disabled and nothing reaches /v1/e2e/requests. A fake Telegram WebApp gets ready()/expand() and
 * its theme applied (also when Telegram's script is loaded for a `#tgWebAppData` launch). No
 * console message ever carries the prompt or the answer, no CSP violation, no request leaves the
 * origin. Screenshots go to $COCOON_TEST_ARTIFACTS (default: a temp dir), their paths printed.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Route } from 'playwright-core';
import { decodeE2eBoxed, encodeE2eBoxed, type ExtE2eEvidence } from '@cocoon/protocol';
import { CertificateOid, DevAttestationAuthority, findExtension, readCertificate } from '@cocoon/attestation';
import { generateTestCompletion } from '@cocoon/worker';
import { findChromium } from '@cocoon/test-support';
import { startDevNetwork, type DevNetwork } from '../../src/index.ts';
import { simulatedImageHash } from '../../src/dev/dev-attestation.ts';
import { ChildLogs, freePorts, waitFor } from '../network/network-harness.ts';

const { executablePath, skip } = findChromium();
const MODEL = 'test/tiny-chat';
/** Words only the prompt carries: no console message may contain them. */
const PROMPT = 'please explain zebra quartz lighthouse marmalade';
const EXPECTED_ANSWER = generateTestCompletion({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] }, 'chat').pieces.join('');
/** Dev pricing (§5): 20 nanoTON per adjusted token at coefficient 1000. */
const NANOTON_PER_TOKEN = 20n;
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const STATE_TIMEOUT_MS = 30_000;
const THEME = { bg_color: '#102030', text_color: '#f0e8d8', hint_color: '#8899aa', link_color: '#66ccff', button_color: '#ff8800', button_text_color: '#101010', secondary_bg_color: '#1c2c3c' };
/** A fake Telegram WebApp (what telegram-web-app.js defines), recording the page's calls. */
const FAKE_TELEGRAM = `(() => {
  const handlers = {};
  window.telegramCalls = [];
  window.Telegram = { WebApp: {
    colorScheme: 'dark', themeParams: ${JSON.stringify(THEME)}, viewportStableHeight: 700,
    ready() { window.telegramCalls.push('ready'); },
    expand() { window.telegramCalls.push('expand'); },
    onEvent(name, handler) { window.telegramCalls.push('onEvent:' + name); handlers[name] = handler; },
    emit(name) { handlers[name]?.(); },
  } };
})();`;

interface ListedWorker { evidence: string; [field: string]: unknown }

const decodeEvidence = (base64: string): ExtE2eEvidence => decodeE2eBoxed(Buffer.from(base64, 'base64'), 'CCN_ERR_E2E_EVIDENCE_INVALID', 'listed evidence', 'ext.e2eEvidence');
const encodeEvidence = (evidence: ExtE2eEvidence): string => Buffer.from(encodeE2eBoxed<'ext.e2eEvidence'>(evidence)).toString('base64');

/** The evidence with one byte inside its RA-TLS certificate's TDX quote flipped (the TD report body). */
function flipQuoteByte(base64: string): string {
  const evidence = decodeEvidence(base64);
  const certificate = Buffer.from(evidence.certificate);
  const quote = findExtension(readCertificate(certificate), CertificateOid.tdxQuote)?.value;
  assert.ok(quote && quote.length > 700, 'the worker certificate carries a TDX quote');
  const at = certificate.indexOf(quote) + 300; // header (48) + TD report body: covered by the quote's signature
  certificate[at] = certificate[at]! ^ 0x01;
  return encodeEvidence({ ...evidence, certificate });
}

/** Each worker's evidence with the next worker's key set (its own certificate and signature). */
function swapKeySets(workers: ListedWorker[]): ListedWorker[] {
  assert.ok(workers.length >= 2, 'two workers to swap key sets between');
  const evidences = workers.map((worker) => decodeEvidence(worker.evidence));
  return workers.map((worker, index) => ({ ...worker, evidence: encodeEvidence({ ...evidences[index]!, key_set: evidences[(index + 1) % evidences.length]!.key_set }) }));
}

describe('the light client in chromium against a dev network', { skip, timeout: 240_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cocoon-light-client-'));
  /** Kept after the run (a temp dir of their own by default) so that the printed paths can be opened. */
  const artifacts = process.env.COCOON_TEST_ARTIFACTS ? join(process.env.COCOON_TEST_ARTIFACTS, 'light-client') : mkdtempSync(join(tmpdir(), 'cocoon-light-client-screenshots-'));
  const logs = new ChildLogs();
  /** Every console message and page error of every page (none may carry the prompt or the answer). */
  const consoleLines: string[] = [];
  const cspViolations: string[] = [];
  let network: DevNetwork;
  let browser: Browser;
  let pageUrl: string;
  let origin: string;

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine] = await freePorts(6);
    network = await startDevNetwork({
      engine: 'test', attestation: 'simulated', lightClient: true, dataDir, workers: 2,
      ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine },
      powDifficulty: 8, onLine: logs.onLine, readyTimeoutMs: 90_000, stopGraceMs: 5_000,
    });
    const page = network.lightClient;
    assert.ok(page?.built && page.url, `the light client is served (${page && !page.built ? page.reason : 'not requested'})`);
    pageUrl = page.url;
    origin = new URL(pageUrl).origin;
    await waitFor(async () => {
      const listing = await (await fetch(`${origin}/v1/e2e/workers?model=${encodeURIComponent(MODEL)}`)).json() as { workers?: unknown[] };
      return (listing.workers?.length ?? 0) >= 2;
    }, 30_000, 'both workers listed for end-to-end requests');
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await network?.stop();
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  });

  /** A phone-sized page in its own context, its console and CSP reports collected, and every request it makes counted. */
  async function openPage(options: { init?: string; route?: (context: BrowserContext) => Promise<unknown>; hash?: string } = {}): Promise<{ context: BrowserContext; page: Page; requests: URL[] }> {
    const context = await browser.newContext(PHONE);
    if (options.init) await context.addInitScript(options.init);
    await options.route?.(context);
    const page = await context.newPage();
    const requests: URL[] = [];
    page.on('request', (request) => requests.push(new URL(request.url())));
    page.on('console', (message) => {
      consoleLines.push(message.text());
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => consoleLines.push(`page error: ${error.message}`));
    await page.goto(`${pageUrl}${options.hash ?? ''}`);
    return { context, page, requests };
  }

  /** Waits until the attestation box left its pending state; returns its state and text. */
  async function attestationVerdict(page: Page): Promise<{ state: string | null; text: string }> {
    const box = page.getByTestId('attestation-status');
    await page.locator('[data-testid="attestation-status"]:is([data-state="verified"], [data-state="refused"])').waitFor({ timeout: STATE_TIMEOUT_MS });
    return { state: await box.getAttribute('data-state'), text: (await box.innerText()).replace(/\s+/g, ' ') };
  }

  async function screenshot(t: TestContext, page: Page, name: string): Promise<void> {
    const path = join(artifacts, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    t.diagnostic(`screenshot: ${path}`);
  }

  test('verifies attestation in the page, streams a sealed answer and shows its verified receipt and cost', async (t) => {
    const authority = await DevAttestationAuthority.load(join(dataDir, 'attestation'));
    const authorityHash = createHash('sha256').update(authority.rootCertificateDer).digest('hex');
    const imageHash = await simulatedImageHash('simulated', 'worker');
    // Counts the answer's growth inside the page: streamed text arrives in several pieces.
    const { context, page, requests } = await openPage({
      init: `window.answerUpdates = 0; new MutationObserver((records) => { for (const record of records) if (record.target.parentElement?.dataset?.testid === 'answer') window.answerUpdates++; })
        .observe(document, { subtree: true, characterData: true });`,
    });
    const verdict = await attestationVerdict(page);
    assert.equal(verdict.state, 'verified', verdict.text);
    assert.match(verdict.text, /verified/);
    assert.ok(verdict.text.includes(imageHash.slice(0, 16)), `the image hash prefix ${imageHash.slice(0, 16)} in: ${verdict.text}`);
    assert.ok(verdict.text.includes(`sha256:${authorityHash.slice(0, 16)}`), `the dev authority sha256:${authorityHash.slice(0, 16)} in: ${verdict.text}`);
    assert.match(verdict.text, new RegExp(`Model ${MODEL.replace('/', '\\/')}@`));
    assert.match(verdict.text, /TEE \S+/);
    assert.equal(await page.getByTestId('send').isEnabled(), true, 'send is enabled once verified');
    t.diagnostic(`attestation-status: ${verdict.text}`);

    await page.getByTestId('prompt').fill(PROMPT);
    await page.getByTestId('send').click();
    const receiptBox = page.getByTestId('receipt-status');
    await page.locator('[data-testid="receipt-status"]:is([data-state="verified"], [data-state="failed"])').waitFor({ timeout: STATE_TIMEOUT_MS });
    const receipt = (await receiptBox.innerText()).replace(/\s+/g, ' ');
    assert.equal(await receiptBox.getAttribute('data-state'), 'verified', receipt);
    assert.equal(await page.getByTestId('answer').innerText(), EXPECTED_ANSWER, 'the answer as the worker wrote it');
    const updates = Number(await page.evaluate('window.answerUpdates'));
    assert.ok(updates > 1, `the answer streamed in pieces (${updates} updates)`);
    const shown = /✓ Receipt verified · (\d+) tokens \(\d+ prompt, \d+ completion\) · ([\d.]+) TON/.exec(receipt);
    assert.ok(shown, `tokens and cost in the receipt: ${receipt}`);
    const [whole, fraction = ''] = shown[2]!.split('.');
    const nanoton = BigInt(whole!) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'));
    assert.equal(nanoton, BigInt(shown[1]!) * NANOTON_PER_TOKEN, 'the cost is the tokens at the dev price, shown exactly in TON');
    assert.ok(requests.some((url) => url.pathname === '/v1/e2e/requests'), 'the prompt went sealed through the relay');
    assert.ok(requests.some((url) => url.pathname === '/v1/e2e/collateral'), 'the page fetched the quote collateral to verify it itself');
    assert.deepEqual(requests.filter((url) => url.origin !== origin).map((url) => url.href), [], 'a plain browser loads nothing from elsewhere');
    assert.equal(await page.evaluate('document.documentElement.dataset.telegram ?? null'), null, 'no Telegram outside Telegram');
    t.diagnostic(`receipt-status: ${receipt}`);
    await screenshot(t, page, 'light-client-verified-chat');
    await context.close();
  });

  for (const [name, forge] of [
    ['a byte of every worker quote flipped', (workers: ListedWorker[]) => workers.map((worker) => ({ ...worker, evidence: flipQuoteByte(worker.evidence) }))],
    ['the workers\' key sets swapped', swapKeySets],
  ] as const) {
    test(`forged evidence (${name}): the page refuses, keeps send disabled and sends nothing`, async (t) => {
      let forged = 0;
      const { context, page, requests } = await openPage({
        route: (context) => context.route('**/v1/e2e/workers**', async (route: Route) => {
          const response = await route.fetch();
          const listing = await response.json() as { workers: ListedWorker[] };
          forged += 1;
          await route.fulfill({ response, json: { ...listing, workers: forge(listing.workers) } });
        }),
      });
      const verdict = await attestationVerdict(page);
      assert.equal(verdict.state, 'refused', verdict.text);
      assert.match(verdict.text, /refused/);
      const reason = (await page.locator('[data-testid="attestation-status"] .reason').innerText()).trim();
      assert.ok(reason.length > 10, `a reason is shown: ${verdict.text}`);
      assert.ok(forged >= 1, 'the page read the forged listing');
      assert.equal(await page.getByTestId('send').isDisabled(), true, 'send stays disabled');
      await page.getByTestId('prompt').fill(PROMPT);
      await page.getByTestId('prompt').press('Enter');
      assert.equal(await page.getByTestId('send').isDisabled(), true);
      assert.equal(await page.locator('[data-testid="answer"]').count(), 0, 'no answer was started');
      assert.deepEqual(requests.filter((url) => url.pathname === '/v1/e2e/requests').map((url) => url.href), [], 'nothing reached /v1/e2e/requests');
      t.diagnostic(`refusal (${name}): ${verdict.text}`);
      if (name.startsWith('a byte')) await screenshot(t, page, 'light-client-refusal');
      await context.close();
    });
  }

  test('inside Telegram: ready() and expand() are called and the theme is followed, also after themeChanged', async (t) => {
    const { context, page, requests } = await openPage({ init: FAKE_TELEGRAM });
    await page.locator('html[data-telegram="true"]').waitFor({ timeout: STATE_TIMEOUT_MS });
    const calls = await page.evaluate('window.telegramCalls') as string[];
    assert.ok(calls.includes('ready') && calls.includes('expand'), `ready and expand called: ${calls.join(', ')}`);
    assert.ok(calls.includes('onEvent:themeChanged'), 'the page follows theme changes');
    assert.equal(await page.evaluate('document.documentElement.dataset.colorScheme'), 'dark');
    assert.equal(await page.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(16, 32, 48)', 'bg_color');
    assert.equal(await page.evaluate('getComputedStyle(document.getElementById("send")).backgroundColor'), 'rgb(255, 136, 0)', 'button_color');
    const verdict = await attestationVerdict(page);
    assert.equal(verdict.state, 'verified', verdict.text);
    assert.deepEqual(requests.filter((url) => url.origin !== origin).map((url) => url.href), [], 'the WebApp object was there: no script loaded');
    await screenshot(t, page, 'light-client-telegram-theme');
    await page.evaluate(`Object.assign(Telegram.WebApp, { colorScheme: 'light', themeParams: { bg_color: '#fafafa', text_color: '#111111' } }); Telegram.WebApp.emit('themeChanged')`);
    assert.equal(await page.evaluate('document.documentElement.dataset.colorScheme'), 'light');
    assert.equal(await page.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(250, 250, 250)', 'the new bg_color');
    await context.close();
  });

  test('a #tgWebAppData launch loads Telegram\'s script first (allowed by the CSP), then connects to it', async () => {
    let served = 0;
    const { context, page, requests } = await openPage({
      hash: '#tgWebAppData=query_id%3Dtest&tgWebAppVersion=7.0&tgWebAppPlatform=web',
      route: (context) => context.route('https://telegram.org/js/telegram-web-app.js', async (route: Route) => {
        served += 1;
        await route.fulfill({ status: 200, contentType: 'application/javascript', body: FAKE_TELEGRAM });
      }),
    });
    await page.locator('html[data-telegram="true"]').waitFor({ timeout: STATE_TIMEOUT_MS });
    assert.equal(served, 1, "Telegram's script was loaded once");
    const calls = await page.evaluate('window.telegramCalls') as string[];
    assert.ok(calls.includes('ready') && calls.includes('expand'), calls.join(', '));
    assert.equal(await page.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(16, 32, 48)');
    assert.deepEqual(requests.filter((url) => url.origin !== origin).map((url) => url.href), ['https://telegram.org/js/telegram-web-app.js']);
    await context.close();
  });

  test('no console message carried the prompt or the answer; no CSP violation', () => {
    assert.ok(consoleLines.every((line) => !PROMPT.split(' ').slice(2).some((word) => line.includes(word))), `console: ${consoleLines.join(' | ')}`);
    assert.ok(consoleLines.every((line) => !line.includes(EXPECTED_ANSWER.trim().split(' ').slice(0, 3).join(' '))), 'no answer text in the console');
    assert.deepEqual(cspViolations, []);
  });
});

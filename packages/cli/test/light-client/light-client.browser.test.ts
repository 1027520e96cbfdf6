/**
 * The light client in Debian's chromium (playwright-core) against a real dev network: proxy, two
 * workers on the test engine attesting with simulated TDX quotes under the dev authority, and the
 * client runner serving the page `startDevNetwork({ lightClient: true })` built at /app/. The page
 * verifies the workers' evidence itself (attestation-status: verified, with the image hash, the
 * model, the authority and the TEE), streams a sealed chat answer and shows its verified receipt
 * with tokens and cost in TON; the verdict folds to one summary line once the first message is sent
 * (its details reopen on a click) and the page load has no failed request and no console error.
 * With the runner's listing forged in flight (a byte of every quote flipped; the workers' key sets
 * swapped; every worker's evidence replaced by complete, self-consistent evidence whose TDX quote
 * chains to a throwaway dev root instead of the pinned one) or the relay answering another root's
 * collateral, it shows the refusal with its quote-level reason, `send` stays disabled and nothing
 * reaches /v1/e2e/requests. A fake Telegram WebApp gets ready()/expand(), its init data sent as
 * X-Telegram-Init-Data on the listing and the relay, and
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
import { decodeE2eBoxed, encodeE2eBoxed, generateE2eKeyPair, type ExtE2eEvidence, type ExtE2eWorker } from '@cocoon/protocol';
import {
  CertificateOid, DevAttestationAuthority, SimulatedTdxProvider, StaticCollateralSource, createAttestedCertificate, createPortableE2eEvidenceVerifier,
  findExtension, issueE2eEvidence, measureSimulatedRunner, readCertificate, serializeDcapCollateral,
} from '@cocoon/attestation';
import { generateTestCompletion } from '@cocoon/worker';
import { CHROMIUM_ARGS, findChromium } from '@cocoon/test-support';
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
const STATE_TIMEOUT_MS = 30_000;
/** The fake WebApp's signed launch data (the dev network's runner checks none: telegram_bot_token_file is off). */
const INIT_DATA = 'query_id=AAQ1&user=%7B%22id%22%3A4242%2C%22first_name%22%3A%22Ada%22%7D&auth_date=1700000000&hash=' + 'ab'.repeat(32);
const THEME = { bg_color: '#102030', text_color: '#f0e8d8', hint_color: '#8899aa', link_color: '#66ccff', button_color: '#ff8800', button_text_color: '#101010', secondary_bg_color: '#1c2c3c' };
/** A fake Telegram WebApp (what telegram-web-app.js defines), recording the page's calls. */
const FAKE_TELEGRAM = `(() => {
  const handlers = {};
  window.telegramCalls = [];
  window.Telegram = { WebApp: {
    colorScheme: 'dark', themeParams: ${JSON.stringify(THEME)}, viewportStableHeight: 700, initData: ${JSON.stringify(INIT_DATA)},
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

/**
 * Evidence as a worker would issue it — a fresh Ed25519 RA-TLS certificate, self-signed, carrying a
 * simulated TDX quote of the genuine worker image binding that key, and a key set for `model` signed
 * by it — but quoted under `authority`'s PCK chain, not the network's.
 */
async function evidenceUnder(authority: DevAttestationAuthority, model: string): Promise<ExtE2eEvidence> {
  const { measurements } = await measureSimulatedRunner('worker');
  const now = new Date();
  const certificate = await createAttestedCertificate({ provider: new SimulatedTdxProvider({ authority, measurements }), now: new Date(now.getTime() - 60_000) });
  const seconds = Math.floor(now.getTime() / 1000);
  return issueE2eEvidence({ certificate, model, issuedAt: seconds - 60, keys: [{ pair: await generateE2eKeyPair(), validFrom: seconds - 60, validUntil: seconds + 3600 }] });
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
  /** A second dev authority, unknown to the page: its quotes and collateral must not pass. */
  let throwawayAuthority: DevAttestationAuthority;

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
    browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
    throwawayAuthority = await DevAttestationAuthority.generate({ now: new Date(Date.now() - 3_600_000) });
  });

  after(async () => {
    await browser?.close();
    await network?.stop();
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  });

  interface OpenedPage {
    context: BrowserContext;
    page: Page;
    /** Every request the page made. */
    requests: URL[];
    /** Requests that failed or were answered with a status ≥ 400, and console errors, of this page. */
    failures: string[];
  }

  /** A phone-sized page in its own context, its console and CSP reports collected, and every request it makes counted. */
  async function openPage(options: { init?: string; route?: (context: BrowserContext) => Promise<unknown>; hash?: string } = {}): Promise<OpenedPage> {
    const context = await browser.newContext(PHONE);
    if (options.init) await context.addInitScript(options.init);
    await options.route?.(context);
    const page = await context.newPage();
    const requests: URL[] = [];
    const failures: string[] = [];
    page.on('request', (request) => requests.push(new URL(request.url())));
    page.on('requestfailed', (request) => failures.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`));
    page.on('response', (response) => {
      if (response.status() >= 400) failures.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    page.on('console', (message) => {
      consoleLines.push(message.text());
      if (message.type() === 'error') failures.push(`console error: ${message.text()}`);
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => consoleLines.push(`page error: ${error.message}`));
    await page.goto(`${pageUrl}${options.hash ?? ''}`);
    return { context, page, requests, failures };
  }

  /**
   * Waits until the attestation box left its pending state; returns its state and text (textContent:
   * the details of a verified verdict count whether they are open or folded).
   */
  async function attestationVerdict(page: Page): Promise<{ state: string | null; text: string }> {
    const box = page.getByTestId('attestation-status');
    await page.locator('[data-testid="attestation-status"]:is([data-state="verified"], [data-state="refused"])').waitFor({ timeout: STATE_TIMEOUT_MS });
    return { state: await box.getAttribute('data-state'), text: ((await box.textContent()) ?? '').replace(/\s+/g, ' ').trim() };
  }

  /** The verdict box's height and whether its details are open. */
  const verdictLayout = (page: Page): Promise<{ height: number; open: boolean | null }> => page.evaluate(`(() => {
    const box = document.querySelector('[data-testid="attestation-status"]');
    return { height: box.getBoundingClientRect().height, open: box.querySelector('details')?.open ?? null };
  })()`);

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
    const { context, page, requests, failures } = await openPage({
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
    const summary = page.locator('[data-testid="attestation-status"] summary');
    assert.match((await summary.innerText()).replace(/\s+/g, ' '), /^✓ Attestation verified · \S+ · 2 workers COCOON dev authority/, 'the summary: verdict, TEE, workers, then the authority');
    const before = await verdictLayout(page);
    assert.equal(before.open, true, 'the details are open until the first message is sent');
    assert.equal(await page.getByTestId('send').isEnabled(), true, 'send is enabled once verified');
    t.diagnostic(`attestation-status: ${verdict.text}`);
    await screenshot(t, page, 'light-client-verified-before-send');

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
    assert.deepEqual(failures, [], 'no failed request (no /favicon.ico 404) and no console error');
    assert.equal(await page.evaluate('document.documentElement.dataset.telegram ?? null'), null, 'no Telegram outside Telegram');
    t.diagnostic(`receipt-status: ${receipt}`);

    const folded = await verdictLayout(page);
    assert.equal(folded.open, false, 'the details folded once the first message was sent');
    // Two rows at most on a phone: the verdict line (never wrapped) and the authority line.
    const { lineHeight, verdictLineHeight, summaryHeight } = await page.evaluate(`(() => {
      const summary = document.querySelector('[data-testid="attestation-status"] summary');
      const line = summary.querySelector('.verdict-line');
      return { lineHeight: parseFloat(getComputedStyle(summary).lineHeight), verdictLineHeight: line.getBoundingClientRect().height, summaryHeight: summary.getBoundingClientRect().height };
    })()`) as { lineHeight: number; verdictLineHeight: number; summaryHeight: number };
    assert.ok(verdictLineHeight < 1.5 * lineHeight, `the verdict is one line (${verdictLineHeight}px, line ${lineHeight}px)`);
    assert.ok(summaryHeight < 2.5 * lineHeight, `the summary is two rows at most (${summaryHeight}px, line ${lineHeight}px)`);
    assert.ok(folded.height < before.height / 2, `the folded verdict (${folded.height}px) is far smaller than the open one (${before.height}px)`);
    assert.equal(await summary.isVisible(), true, 'the summary stays visible');
    const foldedText = (await attestationVerdict(page)).text;
    assert.match(foldedText, /verified/);
    assert.ok(foldedText.includes(imageHash.slice(0, 16)), 'the folded details keep the facts in the DOM');
    await screenshot(t, page, 'light-client-verified-chat');
    await summary.click();
    assert.equal((await verdictLayout(page)).open, true, 'the reader reopens the details');
    assert.equal(await page.locator('[data-testid="attestation-status"] .facts').isVisible(), true);
    await context.close();
  });

  /** The page refused: the reason shown in full, send disabled, a prompt typed and Enter pressed, nothing sent. */
  async function assertRefusedAndSentNothing(opened: OpenedPage, reasonPattern?: RegExp): Promise<{ text: string; reason: string }> {
    const { page, requests } = opened;
    const verdict = await attestationVerdict(page);
    assert.equal(verdict.state, 'refused', verdict.text);
    assert.match(verdict.text, /refused/);
    const reason = (await page.locator('[data-testid="attestation-status"] .reason').innerText()).trim();
    assert.ok(reason.length > 10, `a reason is shown: ${verdict.text}`);
    if (reasonPattern) assert.match(reason, reasonPattern);
    assert.equal(await page.locator('[data-testid="attestation-status"] .reason').isVisible(), true, 'the refusal is shown in full');
    assert.equal(await page.getByTestId('send').isDisabled(), true, 'send stays disabled');
    await page.getByTestId('prompt').fill(PROMPT);
    await page.getByTestId('prompt').press('Enter');
    assert.equal(await page.getByTestId('send').isDisabled(), true);
    assert.equal(await page.locator('[data-testid="answer"]').count(), 0, 'no answer was started');
    assert.deepEqual(requests.filter((url) => url.pathname === '/v1/e2e/requests').map((url) => url.href), [], 'nothing reached /v1/e2e/requests');
    return { text: verdict.text, reason };
  }

  /** A page whose `/v1/e2e/workers` listing is rewritten by `forge`; counts the listings it forged. */
  async function openForgedListing(forge: (workers: ListedWorker[]) => ListedWorker[] | Promise<ListedWorker[]>): Promise<OpenedPage & { forged: () => number }> {
    let forged = 0;
    const opened = await openPage({
      route: (context) => context.route('**/v1/e2e/workers**', async (route: Route) => {
        const response = await route.fetch();
        const listing = await response.json() as { workers: ListedWorker[] };
        const workers = await forge(listing.workers);
        forged += 1;
        await route.fulfill({ response, json: { ...listing, workers } });
      }),
    });
    return { ...opened, forged: () => forged };
  }

  for (const [name, forge] of [
    ['a byte of every worker quote flipped', (workers: ListedWorker[]) => workers.map((worker) => ({ ...worker, evidence: flipQuoteByte(worker.evidence) }))],
    ['the workers\' key sets swapped', swapKeySets],
  ] as const) {
    test(`forged evidence (${name}): the page refuses, keeps send disabled and sends nothing`, async (t) => {
      const opened = await openForgedListing(forge);
      const { text } = await assertRefusedAndSentNothing(opened);
      assert.ok(opened.forged() >= 1, 'the page read the forged listing');
      t.diagnostic(`refusal (${name}): ${text}`);
      if (name.startsWith('a byte')) await screenshot(t, opened.page, 'light-client-refusal');
      await opened.context.close();
    });
  }

  test('forged evidence, complete and self-consistent but quoted under another dev root: refused at the quote, nothing sent', async (t) => {
    const forgeries: ExtE2eEvidence[] = [];
    const opened = await openForgedListing(async (workers) => Promise.all(workers.map(async (worker) => {
      const model = decodeEvidence(worker.evidence).key_set.keys[0]!.model;
      const evidence = await evidenceUnder(throwawayAuthority, model);
      forgeries.push(evidence);
      return { ...worker, evidence: encodeEvidence(evidence) };
    })));
    const { text, reason } = await assertRefusedAndSentNothing(opened, /DCAP verification failed: .*(PCK|root|signature)/i);
    assert.ok(opened.forged() >= 1 && forgeries.length >= 2, 'the page read the forged listing');
    assert.ok(opened.requests.some((url) => url.pathname === '/v1/e2e/collateral'), 'the page checked the forged quote against collateral');
    // The forgery is sound in every other respect: under the throwaway root it verifies.
    const underThrowaway = createPortableE2eEvidenceVerifier({
      trust: { devRootDer: new Uint8Array(throwawayAuthority.rootCertificateDer) }, collateral: new StaticCollateralSource(throwawayAuthority.collateral), networkIsTest: true,
    });
    const entry: ExtE2eWorker = { _: 'ext.e2eWorker', coefficient: 1000, active_requests: 0, max_active_requests: 8, evidence: forgeries[0]! };
    const keys = await underThrowaway.verify(entry, { model: MODEL, now: new Date() });
    assert.equal(keys.length, 1, 'the forged evidence verifies under the root it was made for');
    t.diagnostic(`refusal (another dev root's quote): ${text}`);
    t.diagnostic(`reason: ${reason}`);
    await screenshot(t, opened.page, 'light-client-refusal-foreign-root');
    await opened.context.close();
  });

  test('the relay answering another root\'s collateral: refused, nothing sent', async (t) => {
    let lied = 0;
    const opened = await openPage({
      route: (context) => context.route('**/v1/e2e/collateral', async (route: Route) => {
        lied += 1;
        await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(serializeDcapCollateral(throwawayAuthority.collateral)) });
      }),
    });
    const { text } = await assertRefusedAndSentNothing(opened, /DCAP verification failed: .*(root|chain|signature)/i);
    assert.ok(lied >= 1, 'the page asked the relay for collateral');
    t.diagnostic(`refusal (another root's collateral): ${text}`);
    await opened.context.close();
  });

  test('inside Telegram: ready() and expand() are called, the theme is followed (also after themeChanged), every runner request carries the init data', async (t) => {
    /** The X-Telegram-Init-Data header of each e2e request the page made (routed through, unchanged). */
    const initDataSeen: Array<[string, string | undefined]> = [];
    const { context, page, requests } = await openPage({
      init: FAKE_TELEGRAM,
      route: (context) => context.route(/\/v1\/e2e\/(requests|workers)/, async (route: Route) => {
        initDataSeen.push([new URL(route.request().url()).pathname, (await route.request().allHeaders())['x-telegram-init-data']]);
        await route.continue();
      }),
    });
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
    await page.getByTestId('prompt').fill(PROMPT);
    await page.getByTestId('send').click();
    await page.locator('[data-testid="receipt-status"]:is([data-state="verified"], [data-state="failed"])').waitFor({ timeout: STATE_TIMEOUT_MS });
    assert.equal(await page.getByTestId('receipt-status').getAttribute('data-state'), 'verified');
    const relayed = initDataSeen.filter(([path]) => path === '/v1/e2e/requests');
    assert.ok(relayed.length >= 1 && initDataSeen.some(([path]) => path === '/v1/e2e/workers'), JSON.stringify(initDataSeen.map(([path]) => path)));
    assert.deepEqual(initDataSeen.filter(([, header]) => header !== INIT_DATA), [], 'Telegram.WebApp.initData on every listing and relay request');
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

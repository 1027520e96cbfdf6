/**
 * The live dashboards (/dashboard) of a real network in Debian's chromium (playwright-core, never a
 * downloaded browser): proxy, worker on the test engine and client started in process off chain,
 * each requiring a credential for its data (http_access_hash). After real chat requests each page
 * shows the numbers the network billed (requests, tokens, nanoTON), the worker row with its model
 * and attestation, and updates live after another request without a reload. Without a token the
 * data is refused and the page says so; no page and no /jsonstats ever contains prompt or answer
 * text; the pages run under their Content-Security-Policy without a violation. Screenshots go to
 * test-artifacts/dashboard/ (gitignored). Without chromium the browser tests are skipped (the
 * /jsonstats check still runs), except in CI, where a missing chromium fails the file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createLogger, type RunnerHandle } from '@cocoon/protocol';
import { proxyConfigSchema, startProxyRunner } from '@cocoon/proxy';
import { startTestEngine, startWorkerRunner, workerConfigSchema, type TestEngine } from '@cocoon/worker';
import { clientConfigSchema, startClientRunner } from '@cocoon/client';
import { findChromium } from '@cocoon/test-support';

const { executablePath, skip } = findChromium();
const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/dashboard/', import.meta.url));
const ACCESS_HASH = 'dashboard-test-access-hash';
/** Words only the prompts carry: they must never show up on a dashboard or in /jsonstats. */
const PROMPT_WORDS = 'zebra quartz lighthouse marmalade';
/** A word of every test-engine answer: answers are content too. */
const ANSWER_WORD = 'foxtrot';
const PRICE_PER_TOKEN = 20n;
const WORKER_FEE_PER_TOKEN = 19n;

type Role = 'proxy' | 'worker' | 'client';
const quiet = (name: string) => createLogger(name, { level: 'error' });

/** page.evaluate / waitForFunction get source text: tsx-compiled functions carry helpers the page lacks. */
const cardValue = (field: string) => `document.querySelector('[data-field="${field}"] .value')?.textContent`;
const cardSub = (field: string) => `document.querySelector('[data-field="${field}"] .sub')?.textContent`;

describe('dashboards of a real network in chromium', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-dashboard-'));
  let engine: TestEngine;
  let proxy: RunnerHandle;
  let worker: RunnerHandle;
  let client: RunnerHandle;
  let browser: Browser;
  const urls = {} as Record<Role, string>;
  const tokens = {} as Record<Role, string>;
  let sent = 0;
  let billedTokens = 0n;
  let clientPaid = 0n;
  const cspErrors: string[] = [];

  async function chat(): Promise<void> {
    const response = await fetch(`http://127.0.0.1:${client.readyInfo.http_port as number}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'test/tiny-chat', messages: [{ role: 'user', content: `please summarize ${PROMPT_WORDS}` }] }),
    });
    const answer = (await response.json()) as { choices: Array<{ message: { content: string } }>; usage: { total_cost: number } };
    assert.equal(response.status, 200);
    assert.match(answer.choices[0]!.message.content, new RegExp(ANSWER_WORD), 'the answer carries the word the pages must not show');
    sent += 1;
    clientPaid += BigInt(answer.usage.total_cost);
    billedTokens = clientPaid / PRICE_PER_TOKEN;
  }

  async function jsonStats(role: Role): Promise<{ status: number; text: string }> {
    const response = await fetch(`${urls[role]}/jsonstats`, { headers: { authorization: `Bearer ${tokens[role]}` } });
    return { status: response.status, text: await response.text() };
  }

  async function newPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (message) => { if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text()); });
    page.on('pageerror', (error) => cspErrors.push(`page error: ${error.message}`));
    return page;
  }

  /** Opens a dashboard (by default in a fresh context: its own sessionStorage) and waits for the first data. */
  async function openLive(role: Role, suffix = `#token=${tokens[role]}`, shared?: BrowserContext): Promise<{ context: BrowserContext; page: Page }> {
    const context = shared ?? await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await newPage(context);
    await page.goto(`${urls[role]}/dashboard${suffix}`);
    await page.waitForSelector('body[data-state="live"]', { timeout: 10_000 });
    return { context, page };
  }

  /**
   * Polls what the page shows until it is `expected` (page.waitForFunction would compile its predicate
   * inside the page, which the dashboard's CSP forbids; page.evaluate goes through the debugger).
   */
  async function waitForText(page: Page, expression: string, expected: unknown, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    let shown: unknown;
    while ((shown = await page.evaluate(expression)) !== expected) {
      if (Date.now() > deadline) assert.fail(`${what}: expected ${JSON.stringify(expected)}, the page shows ${JSON.stringify(shown)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const tokenFile = (role: Role) => join(directory, `${role}.token`);
    engine = await startTestEngine({ host: '127.0.0.1', port: 0 });
    proxy = await startProxyRunner(proxyConfigSchema.parse({
      client_port: 0, worker_port: 0, http_port: 0, pow_difficulty: 2, http_access_hash: ACCESS_HASH,
      admin_token_file: tokenFile('proxy'), proxy_key_file: join(directory, 'proxy.key'),
    }), { logger: quiet('proxy') });
    const { worker_port: workerPort, client_port: clientPort } = proxy.readyInfo as { worker_port: number; client_port: number };
    worker = await startWorkerRunner(workerConfigSchema.parse({
      engine_url: engine.url, proxy_address: `127.0.0.1:${workerPort}`, http_port: 0, http_access_hash: ACCESS_HASH,
      admin_token_file: tokenFile('worker'), worker_state_dir: join(directory, 'worker'),
    }), { logger: quiet('worker') });
    client = await startClientRunner(clientConfigSchema.parse({
      proxy_address: `127.0.0.1:${clientPort}`, http_port: 0, http_access_hash: ACCESS_HASH, admin_token_file: tokenFile('client'),
    }), { logger: quiet('client') });
    urls.proxy = proxy.readyInfo.stats_url as string;
    urls.worker = worker.readyInfo.stats_url as string;
    urls.client = `http://127.0.0.1:${client.readyInfo.http_port as number}`;
    for (const role of ['proxy', 'worker', 'client'] as const) tokens[role] = readFileSync(tokenFile(role), 'utf8').trim();
    const deadline = Date.now() + 15_000;
    while (((await (await fetch(`${urls.client}/v1/models`)).json()) as { data: unknown[] }).data.length === 0) {
      if (Date.now() > deadline) throw new Error('the worker was never listed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await chat();
    await chat();
    if (!skip) browser = await chromium.launch({ executablePath });
  });

  after(async () => {
    await browser?.close();
    await client?.close();
    await worker?.close();
    await proxy?.close();
    await engine?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('no /jsonstats carries prompt or answer text (checked with or without a browser)', async () => {
    for (const role of ['proxy', 'worker', 'client'] as const) {
      const stats = await jsonStats(role);
      assert.equal(stats.status, 200, role);
      for (const word of [...PROMPT_WORDS.split(' '), ANSWER_WORD, 'summarize']) assert.doesNotMatch(stats.text, new RegExp(word), `${role} /jsonstats`);
    }
  });

  test('proxy: requests, billed tokens, nanoTON paid/earned/commission, the worker row with model, price and attestation; live update', { skip, timeout: 60_000 }, async () => {
    const { context, page } = await openLive('proxy');
    assert.doesNotMatch(page.url(), /token/, 'the token left the address bar');
    await waitForText(page, cardValue('requests'), String(sent), 'requests');
    assert.equal(await page.evaluate(cardSub('requests')), `${sent} ok · 0 failed · 0 rejected`);
    await waitForText(page, cardValue('tokens'), String(billedTokens), 'billed tokens');
    assert.match(await page.evaluate(cardSub('client-paid')) as string, new RegExp(`^${clientPaid} nanoTON`));
    assert.match(await page.evaluate(cardSub('worker-earned')) as string, new RegExp(`^${billedTokens * WORKER_FEE_PER_TOKEN} nanoTON`));
    assert.match(await page.evaluate(cardSub('commission')) as string, new RegExp(`^${billedTokens * (PRICE_PER_TOKEN - WORKER_FEE_PER_TOKEN)} nanoTON`));
    assert.equal(await page.evaluate(cardValue('workers')), '1 / 1');
    const workerImageHash = (JSON.parse((await jsonStats('worker')).text) as { attestation: { image_hash: string } }).attestation.image_hash;
    const rows = page.locator('[data-table="workers"] tbody tr');
    assert.equal(await rows.count(), 1);
    const cell = (column: string) => rows.first().locator(`[data-column="${column}"]`).textContent();
    assert.match(await cell('model') ?? '', /^test\/tiny-chat@/);
    assert.equal(await cell('coefficient'), '1.000×');
    assert.equal(await cell('price'), '20 nanoTON/token');
    assert.equal(await cell('tee'), 'fake_tdx');
    assert.equal(await cell('image-hash'), workerImageHash);
    assert.match(await cell('load') ?? '', /^0 \/ \d+$/);
    assert.equal(await cell('enabled'), 'yes');
    await screenshot(page, 'proxy');

    await page.evaluate('window.dashboardTestMarker = 42');
    await chat();
    await waitForText(page, cardValue('requests'), String(sent), 'requests after one more request');
    await waitForText(page, cardValue('tokens'), String(billedTokens), 'billed tokens after one more request');
    assert.equal(await page.evaluate('window.dashboardTestMarker'), 42, 'updated in place, not reloaded');
    assert.ok(Number(await page.evaluate('document.body.dataset.updates')) >= 2);
    await screenshot(page, 'proxy-updated');
    await context.close();
  });

  test('worker: requests, tokens, earnings in nanoTON, active requests, no payouts off chain, its proxy connection', { skip, timeout: 60_000 }, async () => {
    const { context, page } = await openLive('worker');
    await waitForText(page, cardValue('requests'), String(sent), 'requests');
    await waitForText(page, cardValue('tokens'), String(billedTokens), 'tokens');
    await waitForText(page, cardSub('earned'), `${billedTokens * WORKER_FEE_PER_TOKEN} nanoTON · ${billedTokens} tokens committed by proxies`, 'earned');
    assert.match(await page.evaluate(cardValue('active-requests')) as string, /^0 \/ \d+$/);
    assert.equal(await page.evaluate(cardSub('paid-out')), 'off chain: no payouts');
    const row = page.locator('[data-table="proxies"] tbody tr');
    assert.equal(await row.count(), 1);
    assert.equal(await row.locator('[data-column="state"]').textContent(), 'ready');
    assert.equal(await row.locator('[data-column="earned"]').textContent(), String(billedTokens));
    assert.match(await page.locator('[data-facts="engine"]').textContent() ?? '', /test\/tiny-chat@/);
    await screenshot(page, 'worker');
    await context.close();
  });

  test('client: requests, tokens used, spending in nanoTON, no wallet or stake off chain, no receipts section without receipts', { skip, timeout: 60_000 }, async () => {
    const { context, page } = await openLive('client');
    await waitForText(page, cardValue('requests'), String(sent), 'requests');
    await waitForText(page, cardValue('tokens'), String(billedTokens), 'tokens used');
    assert.match(await page.evaluate(cardSub('spent')) as string, new RegExp(`^${clientPaid} nanoTON`));
    assert.equal(await page.evaluate(cardSub('stake')), 'off chain: no contract');
    assert.equal(await page.evaluate(cardSub('wallet-balance')), 'off chain: no wallet');
    assert.equal(await page.evaluate(cardValue('proxies')), '1 / 1');
    assert.equal(await page.locator('[data-section="receipts"]').count(), 0, 'no made-up receipts');
    assert.equal(await page.locator('[data-table="proxy-connections"] [data-column="ready"]').textContent(), 'yes');
    await screenshot(page, 'client');
    await context.close();
  });

  test('without a credential the data is refused and the page says so; the token form and ?access_hash= open it', { skip, timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 700 } });
    for (const role of ['proxy', 'worker', 'client'] as const) {
      const page = await newPage(context);
      await page.goto(`${urls[role]}/dashboard`);
      await page.waitForSelector('body[data-state="refused"]', { timeout: 10_000 });
      assert.match(await page.textContent('#notice') ?? '', /^Data refused \(401\): this runner's statistics need a credential/, role);
      assert.equal(await page.evaluate('document.getElementById("content").childElementCount'), 0, `${role}: no data shown`);
      assert.equal(await page.isVisible('#login'), true, role);
      assert.equal(await page.evaluate('fetch("/jsonstats").then((response) => response.status)'), 401, `${role}: the data itself is refused`);
      if (role === 'client') {
        await screenshot(page, 'refused');
        await page.fill('#token-input', 'not-the-token');
        await page.click('#login button[type="submit"]');
        await waitForText(page, 'document.getElementById("notice").textContent.startsWith("The runner refused the credential")', true, 'a wrong token');
        await page.fill('#token-input', tokens.client);
        await page.click('#login button[type="submit"]');
        await page.waitForSelector('body[data-state="live"]', { timeout: 10_000 });
        await waitForText(page, cardValue('requests'), String(sent), 'requests after signing in');
        assert.equal(await page.isVisible('#login'), false);
      }
      await page.close();
    }
    await context.close();
    const { context: hashed, page } = await openLive('worker', `?access_hash=${ACCESS_HASH}`);
    assert.doesNotMatch(page.url(), /access_hash/, 'the access hash left the address bar');
    await waitForText(page, cardValue('requests'), String(sent), 'requests with the access hash');
    await hashed.close();
  });

  test('no prompt or answer text on any dashboard (all fields open); no CSP violation', { skip, timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    for (const role of ['proxy', 'worker', 'client'] as const) {
      const { page } = await openLive(role, undefined, context);
      await page.click('[data-section="all-fields"] summary');
      await page.waitForSelector('[data-section="all-fields"][open] table');
      const shown = await page.content();
      for (const word of [...PROMPT_WORDS.split(' '), ANSWER_WORD, 'summarize']) assert.doesNotMatch(shown, new RegExp(word), `${role} dashboard`);
      assert.match(shown, /worker_connections|running_requests|proxy_connections/, `${role}: all fields shown`);
      await page.close();
    }
    await context.close();
    assert.deepEqual(cspErrors, [], 'the pages ran under their Content-Security-Policy without a violation');
    const probe = await browser.newPage(); // the policy is in force: an injected inline script does not run
    await probe.goto(`${urls.proxy}/dashboard`);
    const injected = await probe.evaluate(`new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (event) => resolve({ ran: window.injectedRan === true, directive: event.effectiveDirective }));
      const script = document.createElement('script');
      script.textContent = 'window.injectedRan = true';
      document.body.append(script);
    })`);
    assert.deepEqual(injected, { ran: false, directive: 'script-src-elem' });
    await probe.close();
  });
});

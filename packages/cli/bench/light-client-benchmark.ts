/**
 * `npm run bench:light-client`: what the browser light client costs (issue 14). Starts a dev network
 * (`startDevNetwork`, off chain: a proxy, one worker attesting with a simulated TDX quote under the dev
 * authority, the test engine answering 20 chunks × 64 B, the client runner serving the light client at
 * /app/) and measures:
 *   bundle sizes — `bundleForBrowser` of @cocoon/protocol/browser, @cocoon/attestation/browser and
 *     @cocoon/sdk, and the page's app.js as built, minified and gzipped (level 9);
 *   in Debian's chromium (playwright-core) — the light-client page's own time from navigation to its
 *     verified attestation verdict, and with an SDK instance built in a bench page from the bundled SDK
 *     (light-client-bench-entry.ts, served next to the page by the runner under its CSP):
 *     `attestation.verify(model)` cold, with a second fresh instance and warm (cached), then N streamed
 *     chats one after the other (time to first token, time to the verified receipt; p50/p95);
 *   in Node — the same measurements (light-client-measurements.ts, the same code) with createCocoon
 *     trusting the same dev root, for comparison.
 * Prints the tables (unless --json), then ONE JSON object as the last stdout line; exits 1 when a
 * request failed. Flags: --requests (20) --json --warm-repeats (5) --timeout-s (150). Chromium:
 * $CHROMIUM_PATH, else /usr/bin/chromium; the benchmark stops with a clear error when it is absent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { CocoonError } from '@cocoon/protocol';
import { parseLightClientConfig } from '@cocoon/light-client';
import { createCocoon } from '@cocoon/sdk';
import { bundleForBrowser } from '@cocoon/sdk/build';
import { CHROMIUM_ARGS, findChromium } from '@cocoon/test-support';
import { startDevNetwork, type DevNetwork } from '../src/index.ts';
import { waitForE2eWorkers } from './bench-e2e.ts';
import { BenchChildLog, freePort } from './bench-processes.ts';
import { measureStreamedChats, measureVerification, type ChatPlan, type ChatRun, type VerificationTimes } from './light-client-measurements.ts';
import {
  formatLightClientReport, lightClientJson, parseLightClientBenchArgs,
  type BundleSize, type LightClientBenchResult, type LightClientSide,
} from './light-client-report.ts';

const options = parseLightClientBenchArgs(process.argv.slice(2));
const ENGINE_CHUNKS = 20;
const ENGINE_CHUNK_BYTES = 64;
const DEFAULT_MODEL = 'test/tiny-chat';
const PROMPT = 'How long does a light client take to answer?';
const BENCH_ENTRY = fileURLToPath(new URL('./light-client-bench-entry.ts', import.meta.url));
/** Written next to the light client, so that the runner serves them under the page's origin and CSP. */
const BENCH_PAGE = 'light-client-bench.html';
const BENCH_SCRIPT = 'light-client-bench.js';
const STATE_TIMEOUT_MS = 60_000;
/** Records (performance.now(), from navigation start) when the light client's attestation box first shows a verdict. */
const VERDICT_OBSERVER = `(() => {
  const check = () => {
    const box = document.querySelector('[data-testid="attestation-status"]');
    const state = box && box.getAttribute('data-state');
    if ((state === 'verified' || state === 'refused') && window.benchVerdict === undefined) window.benchVerdict = { state, at: performance.now(), text: box.textContent };
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
})();`;

const progress = (line: string): void => void process.stderr.write(`bench:light-client: ${line}\n`);
const log = new BenchChildLog();
const dataDir = mkdtempSync(join(tmpdir(), 'cocoon-bench-light-client-'));
let network: DevNetwork | undefined;
let browser: Browser | undefined;

function chromiumPath(): string {
  const found = findChromium({ ...process.env, CI: undefined });
  if (found.skip !== false) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `bench:light-client needs chromium: ${found.skip}`);
  return found.executablePath;
}

async function bundleSizes(): Promise<{ sizes: BundleSize[]; benchScript: Uint8Array }> {
  const sizes: BundleSize[] = [];
  for (const [name, field] of [['@cocoon/protocol/browser', 'protocol_browser'], ['@cocoon/attestation/browser', 'attestation_browser'], ['@cocoon/sdk', 'sdk']] as const) {
    const bundle = await bundleForBrowser({ entry: name });
    sizes.push({ name, field, bytes: bundle.bytes, gzipBytes: bundle.gzipBytes });
  }
  const bench = await bundleForBrowser({ entry: BENCH_ENTRY });
  return { sizes, benchScript: bench.code };
}

async function startNetwork(): Promise<DevNetwork> {
  const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine] = await Promise.all(Array.from({ length: 6 }, freePort));
  return startDevNetwork({
    engine: 'test', attestation: 'simulated', lightClient: true, dataDir, workers: 1,
    ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine },
    extraArgs: { 'test-engine': ['--chunks', `${ENGINE_CHUNKS}`, '--chunk-bytes', `${ENGINE_CHUNK_BYTES}`] },
    powDifficulty: 8, onLine: log.onLine, readyTimeoutMs: 90_000, stopGraceMs: 3000,
  });
}

/** The light-client page in a fresh context: navigation start → its verdict (which must be "verified"). */
async function pageVerdictMs(url: string): Promise<number> {
  const context = await browser!.newContext();
  try {
    await context.addInitScript(VERDICT_OBSERVER);
    const page = await context.newPage();
    await page.goto(url);
    // A locator, not waitForFunction: its polling evaluates strings, which the page's CSP forbids.
    await page.locator('[data-testid="attestation-status"]:is([data-state="verified"], [data-state="refused"])').waitFor({ timeout: STATE_TIMEOUT_MS });
    const verdict = await page.evaluate('window.benchVerdict') as { state: string; at: number; text: string };
    if (verdict.state !== 'verified') throw new CocoonError('CCN_ERR_E2E_EVIDENCE_INVALID', `the light client refused the workers: ${verdict.text.replace(/\s+/g, ' ').trim()}`);
    return verdict.at;
  } finally {
    await context.close();
  }
}

/** The SDK bundled into the bench page: verification, then the chats, timed in the page. */
async function browserSide(origin: string, devRootDer: string, plan: ChatPlan): Promise<LightClientSide> {
  const context = await browser!.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
    await page.goto(`${origin}/app/${BENCH_PAGE}`); // resolves on load: after the module script ran
    if (await page.evaluate('window.cocoonBench === undefined')) {
      throw new CocoonError('CCN_ERR_INTERNAL', `the bench page did not run its script (${errors.join('; ') || 'no error reported'})`);
    }
    // Plain JavaScript text (tsx-compiled functions carry helpers the page lacks).
    const call = (expression: string): Promise<unknown> => page.evaluate(`window.cocoonBench.${expression}`);
    const setup = { baseURL: origin, devRootDer };
    const verification = await call(`verification(${JSON.stringify(setup)}, ${JSON.stringify(plan.model)}, ${options.warmRepeats})`) as VerificationTimes;
    const chats = await call(`chats(${JSON.stringify(plan)})`) as ChatRun;
    return { verification, chats };
  } finally {
    await context.close();
  }
}

/** The same measurements with the SDK in this Node process. */
async function nodeSide(origin: string, devRootDer: string, plan: ChatPlan): Promise<LightClientSide> {
  const create = (): ReturnType<typeof createCocoon> => createCocoon({ baseURL: origin, policy: { trust: { devRootDer }, networkIsTest: true, checkHashes: true } });
  const first = create();
  const verification = await measureVerification(first, create, plan.model, options.warmRepeats);
  return { verification, chats: await measureStreamedChats(first, plan) };
}

async function main(): Promise<number> {
  const executablePath = chromiumPath();
  const loadAverageAtStart = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  progress('starting the dev network (1 worker, simulated TDX, light client) and bundling…');
  const starting = startNetwork();
  starting.then((started) => { network = started; }, () => {});
  const [bundles, started] = await Promise.all([bundleSizes(), starting]);
  network = started;
  const page = started.lightClient;
  if (!page?.built || !page.url) throw new CocoonError('CCN_ERR_INTERNAL', `the dev network serves no light client (${page && !page.built ? page.reason : 'not built'})`);
  const origin = new URL(page.url).origin;
  const config = parseLightClientConfig(JSON.parse(await readFile(join(page.directory, 'config.json'), 'utf8')));
  if (config.trust === 'intel') throw new CocoonError('CCN_ERR_INTERNAL', 'the dev light client trusts Intel, not the dev root');
  const devRootDer = config.trust.devRootDer;
  const model = config.model ?? DEFAULT_MODEL;
  const appJs = await readFile(join(page.directory, 'app.js'));
  bundles.sizes.push({ name: 'light client app.js', field: 'light_client_app_js', bytes: appJs.length, gzipBytes: gzipSync(appJs, { level: 9 }).length });
  await writeFile(join(page.directory, BENCH_SCRIPT), bundles.benchScript);
  await writeFile(join(page.directory, BENCH_PAGE), `<!doctype html>\n<meta charset="utf-8">\n<title>COCOON light client benchmark</title>\n<script type="module" src="./${BENCH_SCRIPT}"></script>\n`);
  progress('waiting until the client runner lists the worker for end-to-end requests…');
  await waitForE2eWorkers(origin, 1, 60_000, AbortSignal.timeout(60_000));

  browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
  const plan: ChatPlan = { model, requests: options.requests, prompt: PROMPT };
  progress(`chromium ${browser.version()}: verification and ${plan.requests} streamed chats in the page…`);
  const browserResult = await browserSide(origin, devRootDer, plan);
  progress('the light-client page: navigation → verified verdict…');
  const pageVerifiedMs = await pageVerdictMs(page.url);
  progress(`node: verification and ${plan.requests} streamed chats with the SDK…`);
  const nodeResult = await nodeSide(origin, devRootDer, plan);

  const result: LightClientBenchResult = {
    bundles: bundles.sizes, pageVerifiedMs, browser: browserResult, node: nodeResult, chromiumVersion: browser.version(), model,
    requests: plan.requests, engineChunks: ENGINE_CHUNKS, engineChunkBytes: ENGINE_CHUNK_BYTES, loadAverageAtStart, cpuCount: availableParallelism(),
  };
  const json = lightClientJson(result);
  if (!options.json) console.log(`\n${formatLightClientReport(result)}\n`);
  console.log(JSON.stringify(json));
  return (json.failures as number) > 0 ? 1 : 0;
}

async function cleanUp(): Promise<void> {
  await browser?.close().catch(() => {});
  await network?.stop().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
}

async function shutdown(reason: string, code: number): Promise<never> {
  progress(reason);
  await cleanUp();
  process.exit(code);
}

process.once('SIGINT', () => void shutdown('interrupted; stopping the dev network', 130));
process.once('SIGTERM', () => void shutdown('terminated; stopping the dev network', 143));
const watchdog = setTimeout(() => {
  for (const line of log.tail(30)) process.stderr.write(`${line}\n`);
  void shutdown(`timed out after ${options.timeoutMs / 1000} s`, 1);
}, options.timeoutMs);
watchdog.unref();

main().then(
  async (code) => {
    clearTimeout(watchdog);
    await cleanUp();
    process.exit(code);
  },
  async (error: unknown) => {
    progress(`failed: ${error instanceof Error ? error.message : String(error)}`);
    for (const line of log.tail(30)) process.stderr.write(`${line}\n`);
    await cleanUp();
    process.exit(1);
  },
);

/**
 * One chaos run on a real on-chain dev network (`cocoon dev --proxies N --workers M`, the test
 * engine, fake_tdx attestation): bounded app load through the client's API, a seeded plan of
 * kill -9s (proxy, worker, client, chain; the dev supervisor restarts each on its own state) and one
 * SIGSTOP/SIGCONT of a worker, every signed total the client and workers report recorded; then the
 * load stops, every proxy settles (`cocoon dev settle`), the network stops, each proxy ledger is
 * reopened (its open-time audit) and the invariants of chaos-invariants are checked. Used by the
 * CI-sized test and by `npm run bench:chaos`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LmdbLedger } from '@cocoon/proxy';
import { loadOrCreateKeyPair } from '@cocoon/ton';
import {
  checkChaosInvariants, chaosTotals, type ChaosDisruption, type ChaosInvariantResults, type ChaosSettlement, type ChaosTotals,
} from '@cocoon/test-support';
import { COCOON_BIN_PATH, startDevNetwork, type DevChildEvent, type DevNetwork } from '../src/index.ts';
import { ChaosLoad } from './chaos-load.ts';
import { ChaosObserver } from './chaos-observer.ts';
import { CHAOS_ROLES, describeStep, planChaosSchedule, type ChaosRole, type ChaosStep } from './chaos-schedule.ts';

const run = promisify(execFile);
/** The dev root's prices (nanoTON per adjusted token). */
const DEV_PRICE_PER_TOKEN = 20n;
const DEV_WORKER_FEE_PER_TOKEN = 19n;
const MODEL = 'test/tiny-chat';

export interface ChaosRunOptions {
  seed: number;
  cycles: number;
  proxies: number;
  workers: number;
  /** Concurrent app request loops (default 3). */
  concurrency?: number;
  /** The `timeout` of every app request (default 8 s). */
  requestTimeoutMs?: number;
  /** Pause before each kill or stop (default 2–5 s). */
  waitMs?: { min: number; max: number };
  /** SIGSTOP length (default 3–6 s). */
  stopMs?: { min: number; max: number };
  /** Proxy save-state period: how often signed totals move (default 2 s). */
  saveStateIntervalMs?: number;
  /** Every child output line (default: dropped). */
  onLine?: (name: string, stream: 'stdout' | 'stderr', line: string) => void;
  /** Progress lines of the harness (default: dropped). */
  progress?: (line: string) => void;
}

export interface ChaosRunResult {
  seed: number;
  schedule: ChaosStep[];
  cycles: number;
  kills: Record<ChaosRole, number>;
  stops: number;
  /** Deaths the plan did not cause: restarts that failed (e.g. started while the chain was down) and exited again. */
  unplannedExits: number;
  disruptions: ChaosDisruption[];
  totals: ChaosTotals;
  settlements: ChaosSettlement[];
  invariants: ChaosInvariantResults;
  /** Error outcomes by message (first 80 characters), for the report. */
  errors: Record<string, number>;
  elapsedMs: number;
}

async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ports.add((server.address() as AddressInfo).port);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return [...ports];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await condition()) return;
    } catch {
      // not there yet (a runner restarting)
    }
    if (Date.now() > deadline) throw new Error(`chaos: timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function jsonstats(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url.replace(/\/stats$/, '/jsonstats'), { signal: AbortSignal.timeout(2000) });
  return await response.json() as Record<string, unknown>;
}

/** Every proxy is reachable from the client and from every worker, and the models list has workers. */
async function waitServing(network: DevNetwork, proxies: number, workers: number, timeoutMs: number): Promise<void> {
  await waitFor(async () => ((await jsonstats(network.statsUrls.client!)).proxy_connections as Array<{ is_ready: boolean }>)
    .filter((connection) => connection.is_ready).length >= proxies, timeoutMs, 'the client to reach every proxy');
  for (let index = 1; index <= workers; index++) {
    await waitFor(async () => ((await jsonstats(network.statsUrls[`worker-${index}`]!)).proxies as Array<{ state: string }>)
      .filter((proxy) => proxy.state === 'ready').length >= proxies, timeoutMs, `worker-${index} to serve every proxy`);
  }
  for (const proxy of network.proxies) {
    await waitFor(async () => ((await jsonstats(network.statsUrls[proxy.name]!)).worker_connections as unknown[]).length >= workers, timeoutMs, `${proxy.name} to see every worker`);
  }
}

/** `cocoon dev settle` against one proxy; its JSON line. */
async function settleProxy(network: DevNetwork, name: string): Promise<Record<string, string>> {
  const port = new URL(network.statsUrls[name]!).port;
  const { stdout } = await run(process.execPath, [COCOON_BIN_PATH, 'dev', 'settle', '--proxy-http-port', port, '--admin-token-file', network.adminTokenFiles[name]!], { timeout: 240_000 });
  // Exact integers: read the digits, not JSON numbers.
  const line = stdout.trim().split('\n').at(-1)!;
  return Object.fromEntries([...line.matchAll(/"(\w+)":(\d+)/g)].map((match) => [match[1]!, match[2]!]));
}

/** Reopens a stopped proxy's ledger: the open-time audit verifies every record and its totals. */
async function auditLedger(directory: string, name: string): Promise<{ ok: boolean; requests: number; tokens: bigint; error?: string }> {
  const key = loadOrCreateKeyPair(join(directory, 'keys', `${name}-payments.key`));
  try {
    const ledger = await LmdbLedger.open({ path: join(directory, `${name}-db`), signingKey: { publicKey: Buffer.from(key.publicKey), secretKey: Buffer.from(key.secretKey) }, auditThreads: 1 });
    const summary = await ledger.summary();
    await ledger.close();
    return { ok: true, requests: summary.requests, tokens: summary.tokens };
  } catch (error) {
    return { ok: false, requests: 0, tokens: 0n, error: (error as Error).message };
  }
}

export async function runChaos(options: ChaosRunOptions): Promise<ChaosRunResult> {
  const started = Date.now();
  const progress = options.progress ?? (() => {});
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-chaos-'));
  const events: Array<DevChildEvent & { at: number }> = [];
  const timeoutMs = options.requestTimeoutMs ?? 8000;
  let network: DevNetwork | undefined;
  let load: ChaosLoad | undefined;
  let observer: ChaosObserver | undefined;
  try {
    const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chain, keyManagerHttp, keyManagerRpc] = await freePorts(9);
    progress(`seed ${options.seed}: starting ${options.proxies} proxies, ${options.workers} workers on chain in ${directory}`);
    network = await startDevNetwork({
      engine: 'test', proxies: options.proxies, workers: options.workers, attestation: 'fake_tdx',
      ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chain, keyManagerHttp, keyManagerRpc },
      powDifficulty: 8, readyTimeoutMs: 240_000, stopGraceMs: 5000,
      onLine: options.onLine ?? (() => {}), onChildEvent: (event) => events.push({ ...event, at: Date.now() }),
      // Kills come every few seconds: a run of 5 s counts as healthy (the backoff restarts at 250 ms).
      restart: { resetAfterMs: 5000 },
      extraArgs: { 'test-engine': ['--response-delay-ms', '100', '--chunk-delay-ms', '25'] },
      chain: { directory, saveStateIntervalMs: options.saveStateIntervalMs ?? 2000, pollIntervalMs: 200 },
    });
    const live = network;
    await waitServing(live, options.proxies, options.workers, 180_000);
    progress(`network serving after ${Math.round((Date.now() - started) / 1000)} s`);
    const names: Record<ChaosRole, string[]> = { proxy: [], worker: [], client: [], chain: [] };
    for (const child of live.children) if ((CHAOS_ROLES as readonly string[]).includes(child.role)) names[child.role as ChaosRole].push(child.name);
    const schedule = planChaosSchedule({ seed: options.seed, cycles: options.cycles, names, waitMs: options.waitMs ?? { min: 2000, max: 5000 }, stopMs: options.stopMs ?? { min: 3000, max: 6000 } });
    for (const step of schedule) progress(`plan ${describeStep(step)}`);

    const workerStatsUrls = Object.fromEntries(names.worker.map((name) => [name, live.statsUrls[name]!.replace(/\/stats$/, '/jsonstats')]));
    observer = new ChaosObserver({ clientStatsUrl: live.statsUrls.client!.replace(/\/stats$/, '/jsonstats'), workerStatsUrls, intervalMs: 250 });
    observer.start();
    load = new ChaosLoad({ baseUrl: live.baseUrl, model: MODEL, concurrency: options.concurrency ?? 3, timeoutMs, hangAfterMs: 15_000 });
    load.start();
    const activeLoad = load;
    await waitFor(() => activeLoad.answered() >= 2 * (options.concurrency ?? 3), 60_000, 'the load to be answered');

    const disruptions: ChaosDisruption[] = [];
    const kills: Record<ChaosRole, number> = { proxy: 0, worker: 0, client: 0, chain: 0 };
    let stops = 0;
    const failure = live.childFailure.then((exit) => { throw new Error(`chaos: ${exit.name} could not be restarted; the dev network stopped`); });
    failure.catch(() => {});
    // Steps come every few seconds whether or not the last victim is back (restarts overlap); a
    // victim is only hit once it is up and ready again.
    const recoveries: Array<Promise<void>> = [];
    for (const step of schedule) {
      await Promise.race([sleep(step.waitMs), failure]);
      const ready = () => live.children.find((candidate) => candidate.name === step.name && candidate.running && candidate.readyInfo !== undefined);
      await Promise.race([waitFor(() => ready() !== undefined, 120_000, `${step.name} to be ready for ${describeStep(step)}`), failure]);
      const child = ready()!;
      const startedAt = Date.now();
      const recovered = (): void => {
        disruptions.push({ name: step.name, role: step.role, kind: step.kind, startedAt, endedAt: Date.now() });
        progress(`${step.name} back after ${Date.now() - startedAt} ms (${describeStep(step)}); ${activeLoad.records.length} requests so far`);
      };
      if (step.kind === 'kill') {
        const killed = child.pid!;
        process.kill(killed, 'SIGKILL');
        kills[step.role] += 1;
        recoveries.push(waitFor(() => live.children.some((candidate) => candidate.name === step.name && candidate.pid !== killed && candidate.running && candidate.readyInfo !== undefined),
          240_000, `${step.name} to restart`).then(recovered));
      } else {
        process.kill(child.pid!, 'SIGSTOP');
        stops += 1;
        recoveries.push(sleep(step.stopMs).then(() => {
          try {
            process.kill(child.pid!, 'SIGCONT');
          } catch {
            // a later step killed it while it hung: its restart resumes service
          }
          recovered();
        }));
      }
      recoveries.at(-1)!.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
      progress(`${describeStep(step)}: done`);
    }
    await Promise.race([Promise.all(recoveries), failure]);
    // Calm: the network answers again, then the load stops and every request in flight ends.
    const answeredBefore = activeLoad.answered();
    await Promise.race([waitFor(() => activeLoad.answered() >= answeredBefore + (options.concurrency ?? 3), 90_000, 'answers after the last disruption'), failure]);
    await load.stop();
    await waitServing(live, options.proxies, options.workers, 120_000);
    progress(`load stopped: ${activeLoad.records.length} requests; settling`);

    const settlements: ChaosSettlement[] = [];
    for (const proxy of live.proxies) {
      const settled = await settleProxy(live, proxy.name);
      const ledger = (await jsonstats(live.statsUrls[proxy.name]!)).ledger as Record<string, unknown>;
      settlements.push({
        proxy: proxy.name, tokens: BigInt(settled.tokens ?? -1), clientPaidNanoton: BigInt(settled.client_paid_nanoton ?? -1),
        workerEarnedNanoton: BigInt(settled.worker_earned_nanoton ?? -1), proxyCommissionNanoton: BigInt(settled.proxy_commission_nanoton ?? -1),
        ledgerTokens: BigInt(String(ledger.tokens)), ledgerRequests: Number(ledger.requests), ledgerAuditOk: false,
      });
    }
    // The workers learn their settled payouts on the next balance exchange: observe a little longer.
    await sleep(3000);
    await observer.stop();
    await observer.pollOnce();
    await live.stop();
    for (const settlement of settlements) {
      const audit = await auditLedger(directory, settlement.proxy);
      settlement.ledgerAuditOk = audit.ok && audit.requests === settlement.ledgerRequests && audit.tokens === settlement.ledgerTokens;
      if (!settlement.ledgerAuditOk) progress(`${settlement.proxy} ledger audit: ${audit.error ?? `${audit.requests} requests / ${audit.tokens} tokens on disk`}`);
    }

    const records = activeLoad.records;
    const maxTokensPerRequest = records.reduce((most, record) => Math.max(most, record.deliveredTokens), 0);
    const input = {
      requests: records, disruptions, observations: observer.observations, settlements,
      deadlineSlackMs: 2000, maxTokensPerRequest, disruptionMarginMs: 3000,
      pricePerToken: DEV_PRICE_PER_TOKEN, workerFeePerToken: DEV_WORKER_FEE_PER_TOKEN,
    };
    const errors: Record<string, number> = {};
    for (const record of records) if (record.error) errors[record.error.slice(0, 80)] = (errors[record.error.slice(0, 80)] ?? 0) + 1;
    return {
      seed: options.seed, schedule, cycles: options.cycles, kills, stops, disruptions, settlements,
      unplannedExits: events.filter((event) => event.kind === 'exited').length - Object.values(kills).reduce((total, count) => total + count, 0),
      totals: chaosTotals(input), invariants: checkChaosInvariants(input), errors, elapsedMs: Date.now() - started,
    };
  } finally {
    await load?.stop();
    await observer?.stop();
    await network?.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

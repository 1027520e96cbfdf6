/**
 * `cocoon doctor`: every check's pass and fail path with injected probes (no TDX, GPU or chain
 * needed), the JSON shape and the exit codes; plus the real port probe on a bound port.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import type { RootConfig } from '@cocoon/ton';
import { runDoctorCommand } from '../../src/commands/doctor-command.ts';
import { TEE_DEVICE_PATHS, type DoctorProbes } from '../../src/commands/doctor-checks.ts';
import { portIsFree } from '../../src/commands/doctor-probes.ts';
import type { CliIo } from '../../src/cli-io.ts';
import { runCocoonCli } from '../../src/cocoon-cli.ts';

const IMAGE = 'ab'.repeat(32);
const MODEL = `Qwen/Qwen3-8B@abc:${'cd'.repeat(32)}`;
const MODEL_HASH = createHash('sha256').update(MODEL).digest('hex');
const OWNER = Address.parse('0:' + '22'.repeat(32));
const NOW = Date.parse('2026-05-01T12:00:00Z');

function rootWith(options: { workerHashes?: string[]; proxyHashes?: string[]; modelHashes?: string[] } = {}): RootConfig {
  return {
    owner: OWNER, version: 7, lastProxySeqno: 0, registeredProxies: [],
    registeredPublicKeys: [], keyManager: undefined, verifiedProxyKeys: new Set(), verifiedWorkerKeys: new Set(), verifiedKeyManagerKeys: new Set(),
    proxyHashes: new Set(options.proxyHashes ?? []), workerHashes: new Set(options.workerHashes ?? []), modelHashes: new Set(options.modelHashes ?? []),
    params: { structVersion: 3, paramsVersion: 1, uniqueId: 1, isTest: true, pricePerToken: 20n, workerFeePerToken: 19n,
      promptTokensPriceMultiplier: 10000, cachedTokensPriceMultiplier: 10000, completionTokensPriceMultiplier: 10000, reasoningTokensPriceMultiplier: 10000,
      proxyDelayBeforeClose: 60, clientDelayBeforeClose: 30, minProxyStake: 1_000_000_000n, minClientStake: 1_000_000_000n, proxyCode: null, workerCode: null, clientCode: null },
  };
}

type EngineAnswer = { models?: unknown; usage?: unknown; down?: boolean };

/** A scripted engine (vLLM-like answers) behind a fetch double. */
function engineFetch(answer: EngineAnswer): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = String(input);
    if (answer.down) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    if (url.endsWith('/v1/models')) return Response.json(answer.models ?? { object: 'list', data: [{ id: 'Qwen/Qwen3-8B' }] });
    if (url.endsWith('/v1/chat/completions')) return Response.json({ choices: [{ message: { content: 'p' } }], usage: answer.usage });
    if (url.endsWith('/jsonstats')) throw new TypeError('fetch failed');
    return new Response('not found', { status: 404 });
  }) as typeof fetch;
}

function probes(overrides: Partial<DoctorProbes> & { files?: string[]; root?: RootConfig | undefined; balance?: bigint; engine?: EngineAnswer; skewMs?: number; busyPorts?: number[] } = {}): DoctorProbes {
  const files = new Set(overrides.files ?? [TEE_DEVICE_PATHS.tdxConfigfs]);
  return {
    fileExists: (path) => files.has(path),
    imageHash: async () => ({ hash: IMAGE, how: 'tdx: injected' }),
    readRoot: async () => ('root' in overrides ? overrides.root : rootWith({ workerHashes: [IMAGE], proxyHashes: [IMAGE], modelHashes: [MODEL_HASH] })),
    walletBalance: async () => ({ address: 'EQwallet', balance: overrides.balance ?? 50_000_000_000n }),
    referenceTime: async () => ({ ms: NOW - (overrides.skewMs ?? 1500), source: 'the chain' }),
    fetch: engineFetch(overrides.engine ?? { usage: { prompt_tokens: 3, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 0 } } }),
    portFree: async (_host, port) => !(overrides.busyPorts ?? []).includes(port),
    now: () => NOW,
    ...overrides,
  };
}

function captureIo(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (line) => out.push(line), stderr: (line) => err.push(line), env: {} } };
}

interface DoctorReport { role: string; ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string; fix: string }> }

const directory = mkdtempSync(join(tmpdir(), 'cocoon-doctor-'));
const workerConfig = join(directory, 'worker.json');
writeFileSync(workerConfig, JSON.stringify({ tee: 'tdx', model: MODEL, engine_url: 'http://127.0.0.1:8000', http_port: 12000 }));
process.on('exit', () => rmSync(directory, { recursive: true, force: true }));

async function doctor(args: string[], injected: DoctorProbes): Promise<{ code: number; report: DoctorReport; out: string[]; err: string[] }> {
  const capture = captureIo();
  const code = await runDoctorCommand([...args, '--json'], capture.io, { probes: injected });
  return { code, report: JSON.parse(capture.out.join('\n')) as DoctorReport, ...capture };
}
const byName = (report: DoctorReport, name: string) => report.checks.find((entry) => entry.name === name)!;

describe('cocoon doctor', () => {
  test('a healthy TDX worker: every check passes, exit 0, one JSON object with {name, ok, detail, fix}', async () => {
    const { code, report } = await doctor(['--role', 'worker', '--config', workerConfig], probes());
    assert.equal(code, 0, JSON.stringify(report, null, 2));
    assert.equal(report.ok, true);
    assert.deepEqual(report.checks.map((entry) => entry.name), ['tee', 'image_hash', 'model_hash', 'engine', 'wallet_balance', 'ports', 'clock_skew']);
    for (const entry of report.checks) assert.deepEqual(Object.keys(entry), ['name', 'ok', 'detail', 'fix']);
    assert.match(byName(report, 'engine').detail, /usage with prompt_tokens_details reported/);
    assert.match(byName(report, 'clock_skew').detail, /1\.5 s ahead of the chain/);
  });

  test('no TEE device under tee tdx fails with the fix; SEV-SNP alone is reported', async () => {
    const { code, report } = await doctor(['--role', 'worker', '--config', workerConfig], probes({ files: [TEE_DEVICE_PATHS.sevGuest] }));
    assert.equal(code, 1);
    const tee = byName(report, 'tee');
    assert.equal(tee.ok, false);
    assert.match(tee.detail, /TEE found: SEV-SNP/);
    assert.match(tee.fix, /TDX guest with configfs-tsm/);
    assert.equal((await doctor(['--role', 'worker', '--config', workerConfig], probes({ files: [TEE_DEVICE_PATHS.tdxGuest] }))).code, 0);
  });

  test('an unregistered image and model: both fail and say whom to ask for what', async () => {
    const { code, report } = await doctor(['--role', 'worker', '--config', workerConfig], probes({ root: rootWith({ proxyHashes: [IMAGE] }) }));
    assert.equal(code, 1);
    const image = byName(report, 'image_hash');
    assert.equal(image.ok, false);
    assert.match(image.detail, new RegExp(`image hash ${IMAGE} .* is NOT in the root's worker_hashes`));
    assert.ok(image.fix.includes(OWNER.toString()), 'names the root owner');
    assert.match(image.fix, /cocoon attest self --json/);
    const model = byName(report, 'model_hash');
    assert.equal(model.ok, false);
    assert.ok(model.fix.includes(MODEL_HASH));
  });

  test('engine: unreachable, usage missing, prompt_tokens_details missing', async () => {
    const down = byName((await doctor(['--role', 'worker', '--config', workerConfig], probes({ engine: { down: true } }))).report, 'engine');
    assert.deepEqual([down.ok, /unreachable/.test(down.detail)], [false, true]);
    const noUsage = byName((await doctor(['--role', 'worker', '--config', workerConfig], probes({ engine: { usage: undefined } }))).report, 'engine');
    assert.deepEqual([noUsage.ok, /without usage/.test(noUsage.detail)], [false, true]);
    const noDetails = byName((await doctor(['--role', 'worker', '--config', workerConfig], probes({ engine: { usage: { prompt_tokens: 3, completion_tokens: 1 } } }))).report, 'engine');
    assert.equal(noDetails.ok, false);
    assert.match(noDetails.fix, /--enable-prompt-tokens-details/);
  });

  test('engine: an embedded whisper.cpp worker counts its own usage and needs no engine_url', async () => {
    const whisperConfig = join(directory, 'whisper-worker.json');
    writeFileSync(whisperConfig, JSON.stringify({ tee: 'tdx', model: MODEL, engine: 'whisper', model_path: '/models/ggml-base.bin', http_port: 12000 }));
    const engine = byName((await doctor(['--role', 'worker', '--config', whisperConfig], probes({ engine: { down: true } }))).report, 'engine');
    assert.equal(engine.ok, true);
    assert.match(engine.detail, /whisper\.cpp on \/models\/ggml-base\.bin/);
  });

  test('a wallet below what the next operations need, busy ports, a skewed clock', async () => {
    const clientConfig = join(directory, 'client.json');
    writeFileSync(clientConfig, JSON.stringify({ http_port: 10500 }));
    const { code, report } = await doctor(['--role', 'client', '--config', clientConfig], probes({ balance: 3_000_000_000n, busyPorts: [10500], skewMs: -45_000 }));
    assert.equal(code, 1);
    assert.deepEqual(report.checks.map((entry) => entry.name), ['tee', 'image_hash', 'wallet_balance', 'ports', 'clock_skew']);
    assert.equal(byName(report, 'tee').ok, true, 'clients need no TEE');
    const wallet = byName(report, 'wallet_balance');
    assert.equal(wallet.ok, false);
    assert.match(wallet.detail, /holds 3 TON; the next operations need 4\.9 TON \(2\.1 TON wallet floor \+ 0\.8 TON deploy \+ 1 TON register \+ one stake 1 TON\)/);
    assert.match(wallet.fix, /send at least 1\.9 TON to EQwallet/);
    const ports = byName(report, 'ports');
    assert.equal(ports.ok, false);
    assert.match(ports.detail, /in use by another process: http_port 127\.0\.0\.1:10500/);
    const clock = byName(report, 'clock_skew');
    assert.equal(clock.ok, false);
    assert.match(clock.detail, /45\.0 s behind the chain/);
  });

  test('off chain (no root, no wallet): those checks pass as not applicable; an unreadable root fails', async () => {
    const offChain = await doctor(['--role', 'proxy'], probes({ root: undefined, walletBalance: async () => undefined, referenceTime: async () => undefined }));
    assert.equal(offChain.code, 0, JSON.stringify(offChain.report));
    assert.deepEqual(offChain.report.checks.map((entry) => entry.name), ['tee', 'image_hash', 'wallet_balance', 'ports', 'clock_skew']);
    const broken = await doctor(['--role', 'proxy'], probes({ readRoot: async () => { throw new Error('root contract EQroot is not deployed'); } }));
    assert.equal(broken.code, 1);
    assert.match(byName(broken.report, 'root').detail, /cannot read the root contract: root contract EQroot is not deployed/);
  });

  test('the table output, a bad config, and usage errors', async () => {
    const capture = captureIo();
    assert.equal(await runDoctorCommand(['--role', 'worker', '--config', workerConfig], capture.io, { probes: probes({ engine: { down: true } }) }), 1);
    const text = capture.out.join('\n');
    assert.match(text, /^cocoon doctor \(worker\)/);
    assert.match(text, /FAIL {2}engine/);
    assert.match(text, /fix: start the inference engine/);
    assert.match(text, /1 of 7 checks failed$/);

    const badConfig = join(directory, 'bad.json');
    writeFileSync(badConfig, JSON.stringify({ no_such_key: 1 }));
    const bad = await doctor(['--role', 'worker', '--config', badConfig], probes());
    assert.equal(bad.code, 1);
    assert.equal(bad.report.checks[0]?.name, 'config');
    assert.match(bad.report.checks[0]!.detail, /no_such_key/);

    assert.equal(await runCocoonCli(['doctor'], captureIo().io), 2);
    assert.equal(await runCocoonCli(['doctor', '--role', 'router'], captureIo().io), 2);
  });

  test('the real port probe sees a bound port', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    assert.equal(await portIsFree('127.0.0.1', port), false);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    assert.equal(await portIsFree('127.0.0.1', port), true);
  });
});


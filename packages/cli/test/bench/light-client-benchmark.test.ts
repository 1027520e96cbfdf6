/**
 * The light-client benchmark (`npm run bench:light-client`): run tiny (2 chats per side) in Debian's
 * chromium against a real dev network, it ends with 0 failures and its JSON report on the last line —
 * every bundle size, the page's verdict time, verification and chat times in the browser and in Node
 * (values are measurements and are not asserted beyond being numbers and ordered p50 ≤ p95); with
 * --json stdout is that line only. Also its pieces: the flags (defaults, bad values refused with
 * CCN_ERR_CONFIG_INVALID), the nearest-rank chat summary and the report table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findChromium } from '@cocoon/test-support';
import type { ChatRun, VerificationTimes } from '../../bench/light-client-measurements.ts';
import { formatColumns, formatLightClientReport, lightClientJson, parseLightClientBenchArgs, summarizeChats, type LightClientBenchResult } from '../../bench/light-client-report.ts';

const LIGHT_CLIENT_BENCHMARK = fileURLToPath(new URL('../../bench/light-client-benchmark.ts', import.meta.url));
const { skip } = findChromium();

function runBenchmark(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LIGHT_CLIENT_BENCHMARK, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the light-client benchmark, tiny (2 chats per side), ends with 0 failures and its JSON report alone on stdout', { skip, timeout: 180_000 }, async () => {
  const { code, stdout, stderr } = await runBenchmark(['--requests', '2', '--warm-repeats', '2', '--json', '--timeout-s', '150']);
  assert.equal(code, 0, `exit code ${code}\n${stdout}\n${stderr.slice(-3000)}`);
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, `--json prints only the JSON object:\n${stdout}`);
  const report = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(report.failures, 0);
  assert.equal(report.browser_requests, 2);
  assert.equal(report.node_requests, 2);
  assert.equal(report.workers_verified, 1);
  assert.equal(report.tee, 'tdx');
  assert.match(report.authority as string, /sha256:[0-9a-f]{16}$/);
  assert.equal(report.chunks_per_answer, 20, 'every answer streamed the engine\'s 20 chunks');
  for (const stem of ['protocol_browser', 'attestation_browser', 'sdk', 'light_client_app_js']) {
    const bytes = report[`bundle_${stem}_bytes`] as number;
    const gzipBytes = report[`bundle_${stem}_gzip_bytes`] as number;
    assert.ok(bytes > 10_000 && gzipBytes > 1000 && gzipBytes < bytes, `bundle ${stem}: ${bytes} B, ${gzipBytes} B gzipped`);
  }
  for (const side of ['browser', 'node']) {
    for (const field of ['verify_cold_ms', 'verify_fresh_instance_ms', 'verify_warm_p50_ms', 'first_ttft_ms', 'ttft_p50_ms', 'total_p50_ms']) {
      assert.ok(typeof report[`${side}_${field}`] === 'number' && (report[`${side}_${field}`] as number) > 0, `${side}_${field} is a positive number`);
    }
    assert.ok((report[`${side}_ttft_p50_ms`] as number) <= (report[`${side}_total_p50_ms`] as number));
    assert.ok((report[`${side}_total_p50_ms`] as number) <= (report[`${side}_total_p95_ms`] as number));
  }
  assert.ok((report.page_verified_ms as number) > 0);
});

test('the flags: defaults, values, and bad input refused with CCN_ERR_CONFIG_INVALID naming the flag', () => {
  assert.deepEqual(parseLightClientBenchArgs([]), { requests: 20, json: false, warmRepeats: 5, timeoutMs: 150_000 });
  assert.deepEqual(parseLightClientBenchArgs(['--requests', '3', '--json', '--warm-repeats', '1', '--timeout-s', '60']), { requests: 3, json: true, warmRepeats: 1, timeoutMs: 60_000 });
  for (const [args, flag] of [[['--requests', '0'], '--requests'], [['--requests', '2.5'], '--requests'], [['--requests', 'many'], '--requests'], [['--timeout-s', '1'], '--timeout-s'], [['--fast'], '--fast']] as const) {
    assert.throws(() => parseLightClientBenchArgs(args), (error: { code?: string; message?: string }) => error.code === 'CCN_ERR_CONFIG_INVALID' && (error.message ?? '').includes(flag), args.join(' '));
  }
});

const sample = (ttftMs: number, totalMs: number): ChatRun['samples'][number] => ({ ttftMs, totalMs, chunks: 20, answerChars: 1280, totalTokens: 34, costTon: '0.00000068' });
const verification = (coldMs: number): VerificationTimes => ({ coldMs, freshInstanceMs: coldMs / 2, warmMs: [3, 1, 2], verifiedWorkers: 1, refusals: [], authority: 'COCOON dev authority sha256:0011223344556677', tee: 'tdx' });

test('the chat summary: nearest-rank p50/p95 over the successful requests, the first request, failures counted', () => {
  const run: ChatRun = { samples: [sample(9, 30), ...Array.from({ length: 19 }, (_, index) => sample(index + 1, index + 11))], failures: ['CCN_ERR_E2E_UNAVAILABLE: relay down'] };
  const summary = summarizeChats(run);
  assert.equal(summary.requests, 21);
  assert.equal(summary.failures, 1);
  assert.equal(summary.firstTtftMs, 9);
  assert.equal(summary.ttftP50Ms, 9); // sorted ttft: 1..19 and 9 → the 10th is 9
  assert.equal(summary.ttftP95Ms, 18); // the 19th of 20
  assert.equal(summary.totalP50Ms, 20);
  assert.equal(summary.totalP95Ms, 29);
  assert.equal(summary.chunksPerAnswer, 20);
  assert.ok(Number.isNaN(summarizeChats({ samples: [], failures: [] }).ttftP50Ms));
});

test('the report: bundle and time tables, and the flat JSON with the browser\'s added latency over Node', () => {
  const result: LightClientBenchResult = {
    bundles: [{ name: '@cocoon/sdk', field: 'sdk', bytes: 500_000, gzipBytes: 160_000 }],
    pageVerifiedMs: 320,
    browser: { verification: verification(200), chats: { samples: [sample(15, 16), sample(17, 18)], failures: [] } },
    node: { verification: verification(70), chats: { samples: [sample(10, 11), sample(12, 13)], failures: ['CCN_ERR_CANCELLED: aborted'] } },
    chromiumVersion: '150.0', model: 'test/tiny-chat', requests: 2, engineChunks: 20, engineChunkBytes: 64, loadAverageAtStart: 1.5, cpuCount: 2,
  };
  const text = formatLightClientReport(result);
  assert.match(text, /@cocoon\/sdk\s+500000\s+160000/);
  assert.match(text, /chromium 150\.0\s+200\.0\s+100\.0\s+2\.0\s+15\.0\s+15\.0\s+17\.0\s+16\.0\s+18\.0\s+2\s+0/);
  assert.match(text, /navigation → verified attestation verdict in 320\.0 ms/);
  assert.match(text, /FAILURES:\n {2}node: CCN_ERR_CANCELLED: aborted/);
  const json = lightClientJson(result);
  assert.equal(json.bundle_sdk_bytes, 500_000);
  assert.equal(json.bundle_sdk_gzip_bytes, 160_000);
  assert.equal(json.browser_verify_cold_ms, 200);
  assert.equal(json.node_verify_warm_p50_ms, 2);
  assert.equal(json.browser_added_ttft_p50_ms, 5);
  assert.equal(json.node_requests, 3);
  assert.equal(json.failures, 1);
  assert.equal(formatColumns(['a', 'b'], [['x', '1'], ['yy', '22']]), 'a    b\n--  --\nx    1\nyy  22');
});

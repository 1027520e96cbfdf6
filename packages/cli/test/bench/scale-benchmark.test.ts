/**
 * The scale benchmark (`npm run bench:scale`), run tiny: two real proxies in their own processes,
 * a process of 20 simulated workers on the real protocol (TLS + PoW), one client process; asserts that
 * every stream completed without errors and that the last output line is the JSON report with its
 * fields (values are measurements and are not asserted). Also the harness's pieces: the mergeable
 * latency histogram and the paced chunks' send stamps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pacedChunk, readChunkStamps } from '@cocoon/test-support';
import { LatencyHistogram } from '../../bench/latency-histogram.ts';

const SCALE_BENCHMARK = fileURLToPath(new URL('../../bench/scale-benchmark.ts', import.meta.url));

function runScaleBenchmark(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCALE_BENCHMARK, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the scale benchmark, tiny (2 proxies, 20 workers serving both, 200 streams), ends with 0 errors and its JSON report', async () => {
  const { code, stdout, stderr } = await runScaleBenchmark([
    '--workers', '20', '--streams', '200', '--proxies', '2', '--duration-s', '1.5', '--warmup-s', '0.2',
    '--chunk-interval-ms', '50', '--chunks', '4', '--workers-per-process', '20', '--client-processes', '1', '--client-sessions', '2',
    '--ramp-per-second', '2000', '--timeout-s', '150',
  ]);
  const lines = stdout.trim().split('\n');
  const report = JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>;
  assert.equal(code, 0, `exit code ${code}\n${stdout}\n${stderr.slice(-3000)}`);
  assert.equal(report.errors, 0);
  assert.equal(report.proxies, 2);
  assert.equal(report.workers, 20);
  assert.equal(report.worker_sessions, 40, 'every worker serves both proxies');
  assert.equal(report.concurrent_streams, 200);
  for (const field of ['proxy_rss_mib', 'proxy_cpu_ms_per_1k_chunks', 'p99_added_chunk_ms', 'ttft_added_p50_ms', 'p50_added_chunk_ms', 'chunks_per_second']) {
    assert.equal(typeof report[field], 'number', `${field} is a number`);
  }
  assert.ok((report.measured_chunks as number) > 0);
});

test('latency histograms merge across processes and read nearest-rank percentiles', () => {
  const first = new LatencyHistogram();
  const second = new LatencyHistogram();
  for (let ms = 1; ms <= 50; ms++) first.record(ms);
  for (let ms = 51; ms <= 100; ms++) second.record(ms);
  second.record(-1); // clock noise counts as 0
  const merged = new LatencyHistogram();
  merged.merge(JSON.parse(JSON.stringify(first.toJSON())));
  merged.merge(second.toJSON());
  assert.equal(merged.count, 101);
  assert.equal(merged.percentile(0.5), 50.01);
  assert.equal(merged.percentile(0.99), 99.01);
  assert.equal(merged.max, 100);
  assert.ok(Number.isNaN(new LatencyHistogram().percentile(0.5)));
});

test('paced chunks carry their send stamps, read back in order from coalesced text', () => {
  const text = pacedChunk(0, 123n, 128) + pacedChunk(1, 45678901234n, 128);
  assert.ok(Math.abs(pacedChunk(0, 123n, 128).length - 128) <= 2);
  assert.deepEqual(readChunkStamps(text), [123n, 45678901234n]);
  assert.deepEqual(readChunkStamps('data: [DONE]\n\n'), []);
});

// temporary: strace syscall count per request in each chain process (deleted after use)
import { spawn } from 'node:child_process';
import { startDevNetwork } from '../src/index.ts';
import { startTestEngine } from '@cocoon/worker';
import { Pool } from 'undici';
import { BENCH_REQUEST_BODY } from './bench-load.ts';
const concurrency = Number(process.argv[2] ?? '1');
const engine = await startTestEngine({ chunkCount: 50, chunkBytes: 128 });
const net = await startDevNetwork({ engineUrl: engine.url, workers: 1, basePortOffset: 31500, onLine: () => {} });
const url = new URL(net.baseUrl);
const pool = new Pool(url.origin, { connections: concurrency });
const run = async (n: number) => { let left = n; await Promise.all(Array.from({ length: concurrency }, async () => { while (left-- > 0) { const r = await pool.request({ path: '/v1/chat/completions', method: 'POST', body: BENCH_REQUEST_BODY, headers: { 'content-type': 'application/json' } }); await r.body.text(); } })); };
try {
  await run(300);
  const stracers = net.children.filter((c) => c.name !== 'test-engine').map((c) => ({ name: c.name, p: spawn('strace', ['-c', '-f', '-p', String(c.pid), '-o', `/tmp/strace-${c.name}.txt`], { stdio: 'ignore' }) }));
  await new Promise((r) => setTimeout(r, 1500));
  const t0 = performance.now(); await run(400); console.log(`400 requests in ${(performance.now() - t0).toFixed(0)} ms (under strace)`);
  for (const s of stracers) s.p.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 1000));
} finally { await pool.close(); await net.stop(); await engine.close(); }

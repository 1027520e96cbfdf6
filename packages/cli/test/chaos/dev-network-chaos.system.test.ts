/**
 * The CI-sized chaos run (docs/operations.md "Chaos"): `cocoon dev --proxies 2 --workers 2` on a local
 * TON chain under bounded app load; kill -9 of each role once (proxy, worker, client, chain — a seeded
 * order and timing, restarted by the dev supervisor on the same state) and one worker SIGSTOPped for
 * a few seconds, then every proxy settles. Nothing is lost: every request ended within its timeout,
 * billing stays within the stated bounds of what the app was delivered, every nanoTON is conserved,
 * no signed total went backwards and nothing was paid twice. The seed is fixed (replayable) and can be
 * changed with COCOON_CHAOS_SEED; `npm run bench:chaos` runs the longer version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from '../../bench/chaos-scenario.ts';

const SEED = Number(process.env.COCOON_CHAOS_SEED ?? 20260);

test('chaos: every role killed once and a worker hung; nothing is lost', { timeout: 290_000 }, async (t) => {
  const lines: string[] = [];
  const remember = (line: string): void => {
    lines.push(line);
    if (lines.length > 200) lines.shift();
  };
  t.diagnostic(`chaos seed ${SEED} (replay: COCOON_CHAOS_SEED=${SEED}, or npm run bench:chaos -- --seed ${SEED} --cycles 4)`);
  let result: Awaited<ReturnType<typeof runChaos>>;
  try {
    result = await runChaos({
      seed: SEED, cycles: 4, proxies: 2, workers: 2, concurrency: 2, requestTimeoutMs: 6000,
      waitMs: { min: 2000, max: 4000 }, stopMs: { min: 3000, max: 4000 },
      onLine: (name, _stream, line) => remember(`[${name}] ${line}`), progress: (line) => remember(`[chaos] ${line}`),
    });
  } catch (error) {
    throw new Error(`seed ${SEED}: ${(error as Error).message}\n${lines.slice(-80).join('\n')}`, { cause: error });
  }
  t.diagnostic(`requests ${result.totals.requests}, answered ${result.totals.answered}, errors ${result.totals.errors} (${result.totals.refused} refused), at risk ${result.totals.at_risk}; billed ${result.totals.billed_tokens}, delivered ${result.totals.delivered_tokens}; ${Math.round(result.elapsedMs / 1000)} s`);
  const context = `seed ${SEED}\n${lines.filter((line) => line.startsWith('[chaos]')).join('\n')}`;
  assert.deepEqual(result.kills, { proxy: 1, worker: 1, client: 1, chain: 1 }, context);
  assert.equal(result.stops, 1);
  assert.ok(result.totals.answered > 0 && result.totals.billed_tokens > 0n, context);
  for (const [name, verdict] of Object.entries(result.invariants)) {
    t.diagnostic(`${name}: ${verdict.detail}`);
    assert.ok(verdict.ok, `${name}: ${verdict.detail}\n${context}`);
  }
});

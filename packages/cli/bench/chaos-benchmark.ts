/**
 * `npm run bench:chaos`: the longer chaos run (docs/operations.md "Chaos"). Starts an on-chain dev
 * network (`--proxies`, `--workers`, the test engine), keeps `--concurrency` app requests going,
 * kill -9s a seeded random role (proxy, worker, client, chain) every few seconds for `--cycles`
 * cycles (each restarted by the dev supervisor on its own state) and SIGSTOPs one worker for a
 * while; then settles and checks that nothing was lost (chaos-invariants). Prints the seed first
 * (replay a run with `--seed`), progress on stderr, and ONE JSON object as the last stdout line:
 * seed, cycles, kills per role, stops, requests, answered, errors, hung, billed_tokens,
 * delivered_tokens, and each invariant's verdict. Exits 1 when an invariant fails.
 * Flags: --cycles (12) --seed (random) --proxies (2) --workers (2) --concurrency (4)
 * --request-timeout-s (8) --min-wait-ms (2000) --max-wait-ms (5000) --min-stop-ms (4000) --max-stop-ms (12000:
 * longer than a request's timeout) --verbose (child output to stderr).
 */
import { parseArgs } from 'node:util';
import { SeededRandom } from '@cocoon/test-support';
import { runChaos } from './chaos-scenario.ts';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '12' },
    seed: { type: 'string' },
    proxies: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '4' },
    'request-timeout-s': { type: 'string', default: '8' },
    'min-wait-ms': { type: 'string', default: '2000' },
    'max-wait-ms': { type: 'string', default: '5000' },
    'min-stop-ms': { type: 'string', default: '4000' },
    'max-stop-ms': { type: 'string', default: '12000' },
    verbose: { type: 'boolean', default: false },
  },
});

function integer(name: string, value: string | undefined, min: number): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < min) throw new Error(`--${name} must be an integer >= ${min}, not ${value}`);
  return parsed;
}

const seed = values.seed === undefined ? SeededRandom.freshSeed() : integer('seed', values.seed, 0);
process.stdout.write(`chaos seed ${seed} (replay with --seed ${seed})\n`);
const result = await runChaos({
  seed,
  cycles: integer('cycles', values.cycles, 1),
  proxies: integer('proxies', values.proxies, 1),
  workers: integer('workers', values.workers, 1),
  concurrency: integer('concurrency', values.concurrency, 1),
  requestTimeoutMs: integer('request-timeout-s', values['request-timeout-s'], 1) * 1000,
  waitMs: { min: integer('min-wait-ms', values['min-wait-ms'], 0), max: integer('max-wait-ms', values['max-wait-ms'], 0) },
  stopMs: { min: integer('min-stop-ms', values['min-stop-ms'], 0), max: integer('max-stop-ms', values['max-stop-ms'], 0) },
  progress: (line) => process.stderr.write(`[chaos] ${line}\n`),
  ...(values.verbose ? { onLine: (name: string, _stream: string, line: string) => process.stderr.write(`[${name}] ${line}\n`) } : {}),
});
for (const [name, verdict] of Object.entries(result.invariants)) process.stdout.write(`${verdict.ok ? 'ok  ' : 'FAIL'} ${name}: ${verdict.detail}\n`);
for (const [error, count] of Object.entries(result.errors)) process.stdout.write(`error x${count}: ${error}\n`);
const ok = Object.values(result.invariants).every((verdict) => verdict.ok);
process.stdout.write(`${JSON.stringify({
  seed: result.seed, cycles: result.cycles, kills: result.kills, stops: result.stops, unplanned_exits: result.unplannedExits,
  requests: result.totals.requests, answered: result.totals.answered, errors: result.totals.errors, hung: result.totals.hung,
  at_risk: result.totals.at_risk, billed_tokens: Number(result.totals.billed_tokens), delivered_tokens: Number(result.totals.delivered_tokens),
  invariants: Object.fromEntries(Object.entries(result.invariants).map(([name, verdict]) => [name, verdict.ok])),
  ok, elapsed_s: Math.round(result.elapsedMs / 1000),
})}\n`);
process.exit(ok ? 0 : 1);

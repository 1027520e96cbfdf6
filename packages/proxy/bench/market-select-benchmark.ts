/**
 * Measures worker selection by the market score (§4.4) at scale: µs per `select` with 100, 1,000 and
 * 10,000 workers for one model, all measured (TTFT, throughput, some failures), under the default
 * score, each sort preference, and a churn mix (each select followed by begin/end on the chosen
 * worker, so cached scores go stale); also heap bytes allocated per select. Prints one JSON line.
 * Run: node --import tsx packages/proxy/bench/market-select-benchmark.ts [selects]
 */
import { WorkerRegistry, type MarketSort } from '../src/routing/index.ts';

const selects = Number(process.argv[2] ?? 20_000);
const round = (value: number): number => Math.round(value * 1000) / 1000;

function registryOf(workers: number): { registry: WorkerRegistry; clock: { ms: number } } {
  const clock = { ms: 0 };
  const registry = new WorkerRegistry({ now: () => clock.ms });
  for (let index = 0; index < workers; index += 1) {
    const worker = registry.register({
      id: `w${index}`, ownerAddress: `owner-${index}`, modelBaseName: 'qwen', modelFullName: 'qwen@v1',
      coefficient: 1000 + (index % 7) * 250, maxActiveRequests: 1_000_000, enabled: true,
    });
    const ttft = 50 + ((index * 37) % 900);
    worker.begin().end(true, ttft + 2000, { firstAnswerMs: ttft, completionTokens: 20 + (index % 200) });
    if (index % 13 === 0) worker.begin().end(false, 100);
  }
  clock.ms += 10_000; // past every cooldown
  return { registry, clock };
}

function measure(workers: number, sort: MarketSort | undefined, churn: boolean): { us_per_select: number; bytes_per_select: number } {
  const { registry, clock } = registryOf(workers);
  const options = sort === undefined ? undefined : { sort };
  for (let index = 0; index < 2000; index += 1) registry.select('qwen', 4000, undefined, 0, options); // warm-up
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  for (let index = 0; index < selects; index += 1) {
    clock.ms += 0.05; // 20 selects per ms: scores refresh once a second
    const worker = registry.select('qwen', 4000, undefined, 0, options);
    if (churn) worker.begin().end(true, 500, { firstAnswerMs: 100, completionTokens: 50 });
  }
  const elapsedNs = Number(process.hrtime.bigint() - started);
  const heapAfter = process.memoryUsage().heapUsed;
  return { us_per_select: round(elapsedNs / selects / 1000), bytes_per_select: Math.max(0, Math.round((heapAfter - heapBefore) / selects)) };
}

const result: Record<string, unknown> = { selects };
for (const sort of [undefined, 'price', 'latency', 'throughput'] as const) measure(100, sort, true); // JIT warm-up, discarded
for (const workers of [100, 1000, 10_000]) {
  result[`workers_${workers}`] = {
    score: measure(workers, undefined, false),
    sort_price: measure(workers, 'price', false),
    sort_latency: measure(workers, 'latency', false),
    sort_throughput: measure(workers, 'throughput', false),
    score_with_churn: measure(workers, undefined, true),
  };
}
console.log(JSON.stringify(result));

/** The market score (§4.4) with an injected clock: price, measured latency and throughput, reliability, cooldown, sort preferences. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerRegistry, type MarketSettings, type WorkerRegistration } from '../../src/routing/index.ts';

function market(options: { market?: Partial<MarketSettings> } = {}) {
  const clock = { ms: 1_000_000 };
  const registry = new WorkerRegistry({ now: () => clock.ms, ...options });
  const add = (id: string, overrides: Partial<WorkerRegistration> = {}) => registry.register({
    id, ownerAddress: `owner-${id}`, modelBaseName: 'qwen', modelFullName: 'qwen@v1', coefficient: 1000, maxActiveRequests: 100, enabled: true, ...overrides,
  });
  /** One successful streamed answer: first message after `ttftMs`, `tokens` completion tokens in `generationMs` more. */
  const answered = (id: string, ttftMs: number, tokens = 100, generationMs = 1000) => {
    registry.get(id)!.begin().end(true, ttftMs + generationMs, { firstAnswerMs: ttftMs, completionTokens: tokens });
  };
  const failed = (id: string, workerAtFault = true) => registry.get(id)!.begin().end(false, 10, { workerAtFault });
  return { clock, registry, add, answered, failed };
}

describe('market score', () => {
  test('prefers the cheaper worker at equal measured latency and throughput', () => {
    const m = market();
    m.add('pricey', { coefficient: 1500 });
    m.add('cheap', { coefficient: 1000 });
    m.answered('pricey', 300);
    m.answered('cheap', 300);
    assert.equal(m.registry.select('qwen', 4000).id, 'cheap');
    assert.equal(m.registry.select('qwen', 1400).id, 'cheap', 'the hard max_coefficient rule still applies');
  });

  test('prefers the faster worker at equal price (TTFT, then tokens per second)', () => {
    const m = market();
    m.add('slow');
    m.add('fast');
    m.answered('slow', 900);
    m.answered('fast', 200);
    assert.equal(m.registry.select('qwen', 4000).id, 'fast');
    const t = market();
    t.add('dribble');
    t.add('torrent');
    t.answered('dribble', 300, 20, 1000); // 20 tokens/s
    t.answered('torrent', 300, 200, 1000); // 200 tokens/s
    assert.equal(t.registry.select('qwen', 4000).id, 'torrent');
    assert.equal(t.registry.get('torrent')!.market.tokensPerSecond(), 200);
  });

  test('the TTFT is the median of the latest answers: one outlier does not move it', () => {
    const m = market();
    m.add('a');
    for (const ttft of [100, 120, 5000]) m.answered('a', ttft);
    assert.equal(m.registry.get('a')!.market.ttftMs(), 120);
    m.answered('a', 110);
    assert.equal(m.registry.get('a')!.market.ttftMs(), 115, 'even count: mean of the middle two');
    for (let index = 0; index < 16; index += 1) m.answered('a', 700);
    assert.equal(m.registry.get('a')!.market.ttftMs(), 700, 'only the latest 16 count');
  });

  test('a one-message (non-streamed) answer measures throughput over its whole duration', () => {
    const m = market();
    m.add('a');
    m.registry.get('a')!.begin().end(true, 2000, { firstAnswerMs: 2000, completionTokens: 100, singleMessage: true });
    assert.equal(m.registry.get('a')!.market.tokensPerSecond(), 50);
  });

  test('a worker that just failed is skipped, taken only when no other is eligible, and recovers after the cooldown', () => {
    const m = market();
    m.add('cheap', { coefficient: 1000 });
    m.add('pricey', { coefficient: 4000 });
    m.answered('cheap', 300);
    m.answered('pricey', 300);
    assert.equal(m.registry.select('qwen', 4000).id, 'cheap');
    m.failed('cheap');
    assert.equal(m.registry.get('cheap')!.market.coolingDown(m.clock.ms), true);
    assert.equal(m.registry.select('qwen', 4000).id, 'pricey', 'skipped during the cooldown although much cheaper');
    assert.equal(m.registry.select('qwen', 4000, new Set(['pricey'])).id, 'cheap', 'the only eligible one is still used');
    assert.equal(m.registry.select('qwen', 3000).id, 'cheap', 'pricey is above max_coefficient: cheap is the only eligible one');
    m.clock.ms += 4999;
    assert.equal(m.registry.select('qwen', 4000).id, 'pricey');
    m.clock.ms += 1;
    assert.equal(m.registry.select('qwen', 4000).id, 'cheap', 'after market_failure_cooldown_ms it competes again');
  });

  test('reliability: failures lower the success rate, which decays back towards 1', () => {
    const m = market();
    m.add('flaky');
    m.add('steady');
    for (let index = 0; index < 3; index += 1) m.failed('flaky');
    m.answered('flaky', 300);
    m.answered('steady', 300);
    m.clock.ms += 10_000; // past the cooldown
    const flaky = m.registry.get('flaky')!;
    assert.equal(m.registry.select('qwen', 4000).id, 'steady');
    // (1 + prior 1) / (1 + 3 + 1), the outcomes decayed a little over the 10 s
    assert.ok(Math.abs(flaky.market.successRate() - 2 / 5) < 0.01, String(flaky.market.successRate()));
    m.clock.ms += 300_000 * 20; // twenty half-lives: the history has faded, the prior success remains
    m.registry.select('qwen', 4000);
    assert.ok(flaky.market.successRate() > 0.999, String(flaky.market.successRate()));
  });

  test('a failure that is not the worker\'s fault (cancel, bad request) neither cools it down nor lowers its rate', () => {
    const m = market();
    m.add('a');
    m.add('b', { coefficient: 1100 });
    m.failed('a', false);
    assert.equal(m.registry.get('a')!.market.coolingDown(m.clock.ms), false);
    assert.equal(m.registry.select('qwen', 4000).id, 'a');
    assert.equal(m.registry.get('a')!.market.successRate(), 1);
  });

  test('sort=price, latency and throughput each change the choice; the default balances them', () => {
    const m = market();
    m.add('cheap', { coefficient: 1000 });
    m.add('quick', { coefficient: 3000 });
    m.add('wide', { coefficient: 2000 });
    m.add('balanced', { coefficient: 1500 });
    m.answered('cheap', 2000, 100, 10_000); // 10 tokens/s: 1 + 2 + 5 = 8
    m.answered('quick', 100, 30, 1000); // 30 tokens/s: 3 + 0.1 + 1.67 ≈ 4.77
    m.answered('wide', 1500, 400, 2000); // 200 tokens/s: 2 + 1.5 + 0.25 = 3.75
    m.answered('balanced', 300, 100, 1000); // 100 tokens/s: 1.5 + 0.3 + 0.5 = 2.3
    assert.equal(m.registry.select('qwen', 4000).id, 'balanced');
    assert.equal(m.registry.select('qwen', 4000, undefined, 0, { sort: 'price' }).id, 'cheap');
    assert.equal(m.registry.select('qwen', 4000, undefined, 0, { sort: 'latency' }).id, 'quick');
    assert.equal(m.registry.select('qwen', 4000, undefined, 0, { sort: 'throughput' }).id, 'wide');
    assert.equal(m.registry.select('qwen', 2500, undefined, 0, { sort: 'latency' }).id, 'balanced', 'max_coefficient still filters first');
  });

  test('under a sort, equal keys fall back to the score, then to the first registered', () => {
    const m = market();
    m.add('a');
    m.add('b');
    m.add('c');
    assert.equal(m.registry.select('qwen', 4000, undefined, 0, { sort: 'price' }).id, 'a');
    m.answered('b', 100);
    assert.equal(m.registry.select('qwen', 4000, undefined, 0, { sort: 'price' }).id, 'b', 'same price: the better score');
  });

  test('weights are settings: zero price weight ignores price; the load term is the reference rule', () => {
    const m = market({ market: { priceWeight: 0 } });
    m.add('pricey', { coefficient: 3000 });
    m.add('cheap', { coefficient: 1000 });
    assert.equal(m.registry.select('qwen', 4000).id, 'pricey', 'price ignored: ties go to the first registered');
    m.registry.get('pricey')!.begin().end(true, 1000);
    m.registry.get('pricey')!.begin(); // load: 1 running × 1000 ms
    assert.equal(m.registry.select('qwen', 4000).id, 'cheap');
    assert.equal(m.registry.marketSettings.priceWeight, 0);
    assert.equal(m.registry.marketSettings.failureCooldownMs, 5000, 'the rest keep their defaults');
  });

  test('a coefficient change re-scores the worker at once', () => {
    const m = market();
    m.add('a', { coefficient: 1000 });
    m.add('b', { coefficient: 1200 });
    assert.equal(m.registry.select('qwen', 4000).id, 'a');
    m.registry.setCoefficient('a', 2000);
    assert.equal(m.registry.select('qwen', 4000).id, 'b');
  });

  test('the market view shows TTFT, tokens per second, success rate, cooldown and score', () => {
    const m = market();
    m.add('a');
    m.answered('a', 250, 100, 2000);
    const [listing] = m.registry.models();
    assert.deepEqual(listing!.workers[0]!.market, { ttft_p50_ms: 250, tokens_per_second: 50, success_rate: 1, cooling_down: false, score: 1 + 0.25 + 1 });
    const [stats] = m.registry.workerConnections();
    assert.equal(stats!.market.ttft_p50_ms, 250);
  });
});

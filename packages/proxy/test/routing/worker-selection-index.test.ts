/**
 * Tests for the selection index behind WorkerRegistry.select (§4.4 "Cost"): the tournament tree's
 * order and growth, and that the fast path (trees) and the scan (a retry's path) pick exactly the
 * worker a brute-force evaluation of the market rule picks, through thousands of seeded random
 * changes (requests beginning and ending, failures, enable/disable, coefficient and model changes,
 * unregistering, the clock moving on).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerRegistry, type MarketSort, type RegisteredWorker, type WorkerRequestHandle } from '../../src/routing/index.ts';
import { MinSlotTree } from '../../src/routing/min-slot-tree.ts';

test('MinSlotTree: the smallest key pair wins, the lowest slot on ties; it grows and drops slots', () => {
  const tree = new MinSlotTree();
  assert.equal(tree.minimumSlot, -1);
  tree.ensureSlots(3);
  tree.set(2, 5);
  tree.set(1, 5);
  assert.equal(tree.minimumSlot, 1, 'tie → lower slot');
  tree.set(0, 5, 1);
  assert.equal(tree.minimumSlot, 1, 'equal primary: the smaller secondary');
  tree.ensureSlots(40);
  tree.set(37, 4);
  assert.equal(tree.minimumSlot, 37);
  assert.equal(tree.minimum, 4);
  tree.set(37, Infinity);
  tree.set(1, Infinity);
  assert.equal(tree.minimumSlot, 2);
  for (const slot of [0, 2]) tree.set(slot, Infinity);
  assert.equal(tree.minimumSlot, -1);
});

/** A seeded PRNG (mulberry32), so the random walk is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** The §4.4 rule evaluated directly over the workers, in registration order (what the index must match). */
function bruteForce(workers: RegisteredWorker[], model: string, now: number, maxCoefficient: number, exclude: ReadonlySet<string>, minProto: number, sort: MarketSort | undefined): string | undefined {
  let best: { id: string; key: number; score: number } | undefined;
  let cooling: { id: string; key: number; score: number } | undefined;
  for (const worker of workers) {
    if (worker.modelBaseName !== model || !worker.enabled || exclude.has(worker.id) || worker.protoVersion < minProto) continue;
    if (!worker.available || worker.coefficient > maxCoefficient) continue;
    const score = worker.marketScore(now);
    const key = sort === undefined ? score : sort === 'price' ? worker.coefficient : sort === 'latency' ? worker.market.latencyKey() : worker.market.throughputKey();
    const better = (current: typeof best): boolean => current === undefined || key < current.key || (key === current.key && score < current.score);
    if (worker.market.coolingDown(now)) {
      if (better(cooling)) cooling = { id: worker.id, key, score };
    } else if (better(best)) {
      best = { id: worker.id, key, score };
    }
  }
  return (best ?? cooling)?.id;
}

test('the fast path and the scan pick what the market rule picks, through random changes', () => {
  const random = seeded(15);
  let clock = 1000;
  const registry = new WorkerRegistry({ now: () => clock });
  const all: RegisteredWorker[] = [];
  const running: WorkerRequestHandle[] = [];
  let next = 0;
  const add = (): void => {
    const worker = registry.register({
      id: `w${next}`, ownerAddress: 'owner', modelBaseName: random() < 0.8 ? 'qwen' : 'llama', modelFullName: 'qwen@v1',
      coefficient: 1000 + Math.floor(random() * 4) * 500, maxActiveRequests: 1 + Math.floor(random() * 3), enabled: random() < 0.9, protoVersion: random() < 0.7 ? 3 : 1,
    });
    next += 1;
    all.push(worker);
  };
  for (let index = 0; index < 60; index += 1) add();
  const sorts: Array<MarketSort | undefined> = [undefined, undefined, 'price', 'latency', 'throughput'];
  let fastChecks = 0;
  for (let step = 0; step < 4000; step += 1) {
    clock += random() < 0.1 ? 1500 * random() : 40 * random();
    const roll = random();
    const live = all.filter((worker) => registry.get(worker.id) === worker);
    const some = live[Math.floor(random() * live.length)];
    if (roll < 0.3 && running.length > 0) {
      const handle = running.splice(Math.floor(random() * running.length), 1)[0]!;
      const success = random() < 0.8;
      handle.end(success, 100 + random() * 3000, success ? { firstAnswerMs: 20 + random() * 900, completionTokens: Math.floor(random() * 300) } : { workerAtFault: random() < 0.7 });
    } else if (roll < 0.34 && some) registry.setEnabled(some.id, random() < 0.7);
    else if (roll < 0.37 && some) registry.setCoefficient(some.id, 1000 + Math.floor(random() * 4) * 500);
    else if (roll < 0.39 && some) registry.changeModel(some.id, random() < 0.5 ? 'qwen@v2' : 'llama@v1');
    else if (roll < 0.4 && some && live.length > 20) registry.unregister(some.id);
    else if (roll < 0.41) add();
    const model = random() < 0.85 ? 'qwen' : 'llama';
    const maxCoefficient = random() < 0.8 ? 4000 : 1500;
    const minProto = random() < 0.7 ? 0 : 3;
    const sort = sorts[Math.floor(random() * sorts.length)];
    const exclude = random() < 0.8 || !some ? new Set<string>() : new Set([some.id]);
    const inOrder = all.filter((worker) => registry.get(worker.id) === worker);
    const pick = (): string | undefined => {
      try {
        return registry.select(model, maxCoefficient, exclude, minProto, sort === undefined ? undefined : { sort }).id;
      } catch {
        return undefined;
      }
    };
    const chosen = pick();
    assert.equal(chosen, bruteForce(inOrder, model, clock, maxCoefficient, exclude, minProto, sort), `step ${step}`);
    if (exclude.size === 0) fastChecks += 1;
    if (chosen !== undefined && random() < 0.6) running.push(registry.get(chosen)!.begin());
  }
  assert.ok(fastChecks > 2500, 'most selections went through the fast path');
});

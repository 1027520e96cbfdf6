/** Tests for worker registration, `/v1/models`, stats and selection (§4.4). */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import { WorkerRegistry, perProxyMaxActiveRequests, type WorkerRegistration } from '../../src/routing/index.ts';

let clockMs = 0;
const now = (): number => clockMs;

function registration(id: string, overrides: Partial<WorkerRegistration> = {}): WorkerRegistration {
  return { id, ownerAddress: `owner-${id}`, modelBaseName: 'qwen', modelFullName: 'qwen@v1', coefficient: 1000, maxActiveRequests: 2, enabled: true, ...overrides };
}

function registryWith(...registrations: WorkerRegistration[]): WorkerRegistry {
  const registry = new WorkerRegistry({ now });
  for (const item of registrations) registry.register(item);
  return registry;
}

function assertCocoonError(action: () => unknown, code: string, message: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof CocoonError);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

describe('WorkerRegistry.select', () => {
  test('ties go to the first registered worker', () => {
    const registry = registryWith(registration('a'), registration('b'), registration('c'));
    assert.equal(registry.select('qwen', 4000).id, 'a');
  });

  test('picks the minimum of running × average query time', () => {
    const registry = registryWith(registration('a', { maxActiveRequests: 10 }), registration('b', { maxActiveRequests: 10 }));
    const a = registry.get('a')!;
    const b = registry.get('b')!;
    a.begin().end(true, 1000); // a: average 1000 ms
    b.begin().end(true, 100); // b: average 100 ms
    a.begin();
    b.begin();
    b.begin(); // weights: a = 1 × 1000, b = 2 × 100
    assert.equal(registry.select('qwen', 4000).id, 'b');
    b.begin();
    b.begin();
    b.begin(); // b = 5 × 100 < 1000 still
    assert.equal(registry.select('qwen', 4000).id, 'b');
    for (let index = 0; index < 5; index += 1) b.begin(); // b = 10 × 100 = a's 1000 → tie → a
    assert.equal(b.runningRequests, 10);
    assert.equal(registry.select('qwen', 4000).id, 'a');
  });

  test('a worker with no history weighs 0 even when busy', () => {
    const registry = registryWith(registration('a', { maxActiveRequests: 5 }), registration('b', { maxActiveRequests: 5 }));
    registry.get('a')!.begin().end(true, 50);
    registry.get('a')!.begin();
    registry.get('b')!.begin();
    registry.get('b')!.begin();
    assert.equal(registry.select('qwen', 4000).id, 'b');
  });

  test('skips excluded workers (retries)', () => {
    const registry = registryWith(registration('a'), registration('b'));
    assert.equal(registry.select('qwen', 4000, new Set(['a'])).id, 'b');
    assertCocoonError(() => registry.select('qwen', 4000, new Set(['a', 'b'])), 'CCN_ERR_ROUTE_NO_WORKER', 'no workers for model qwen');
  });

  test('skips disabled and busy workers', () => {
    const registry = registryWith(registration('a', { enabled: false }), registration('b', { maxActiveRequests: 1 }), registration('c'));
    registry.get('b')!.begin();
    assert.equal(registry.select('qwen', 4000).id, 'c');
    registry.setEnabled('a', true);
    assert.equal(registry.select('qwen', 4000).id, 'a');
  });

  test('busy until a handle ends; ending twice counts once', () => {
    const registry = registryWith(registration('a', { maxActiveRequests: 1 }));
    const handle = registry.select('qwen', 4000).begin();
    assertCocoonError(() => registry.select('qwen', 4000), 'CCN_ERR_ROUTE_WORKERS_BUSY', 'no workers for model qwen: all 1 busy');
    assert.equal(handle.end(true, 10), true);
    assert.equal(handle.end(true, 10), false);
    assert.equal(registry.get('a')!.runningRequests, 0);
    assert.equal(registry.select('qwen', 4000).id, 'a');
  });

  test('filters by coefficient ≤ maxCoefficient', () => {
    const registry = registryWith(registration('pricey', { coefficient: 3000 }), registration('cheap', { coefficient: 1500 }));
    assert.equal(registry.select('qwen', 2000).id, 'cheap');
    assert.equal(registry.select('qwen', 1500).id, 'cheap');
    assert.equal(registry.select('qwen', 3000).id, 'cheap', 'both eligible: the market score prefers the cheaper');
    registry.get('cheap')!.begin();
    registry.get('cheap')!.begin(); // at its limit of 2
    assert.equal(registry.select('qwen', 3000).id, 'pricey');
  });

  test('unknown model', () => {
    const registry = registryWith(registration('a'));
    assertCocoonError(() => registry.select('llama', 4000), 'CCN_ERR_ROUTE_UNKNOWN_MODEL', 'unknown model llama');
    assertCocoonError(() => new WorkerRegistry().select('qwen', 4000), 'CCN_ERR_ROUTE_UNKNOWN_MODEL', 'unknown model qwen');
  });

  test('every worker at its active-query limit → busy (retryable, Retry-After 1), not "no workers"', () => {
    const registry = registryWith(registration('a', { maxActiveRequests: 1 }), registration('b', { maxActiveRequests: 2 }));
    registry.select('qwen', 4000).begin();
    registry.select('qwen', 4000).begin();
    registry.select('qwen', 4000).begin();
    assert.throws(() => registry.select('qwen', 4000), (error: unknown) => {
      assert.ok(error instanceof CocoonError);
      assert.equal(error.code, 'CCN_ERR_ROUTE_WORKERS_BUSY');
      assert.equal(error.message, 'no workers for model qwen: all 2 busy');
      assert.equal(error.httpStatus, 503);
      assert.equal(error.retryable, true);
      assert.equal(error.retryAfterSeconds, 1);
      return true;
    });
  });

  test('busy counts only enabled, untried workers within maxCoefficient', () => {
    const registry = registryWith(registration('a', { maxActiveRequests: 1 }), registration('b', { maxActiveRequests: 1 }), registration('c', { enabled: false }));
    registry.get('a')!.begin();
    registry.get('b')!.begin();
    assertCocoonError(() => registry.select('qwen', 4000, new Set(['a'])), 'CCN_ERR_ROUTE_WORKERS_BUSY', 'no workers for model qwen: all 1 busy');
    assertCocoonError(() => registry.select('qwen', 4000, new Set(['a', 'b'])), 'CCN_ERR_ROUTE_NO_WORKER', 'no workers for model qwen');
    registry.setEnabled('a', false);
    registry.setEnabled('b', false);
    assertCocoonError(() => registry.select('qwen', 4000), 'CCN_ERR_ROUTE_NO_WORKER', 'no workers for model qwen');
  });

  test('a worker freeing a slot ends "busy"', () => {
    const registry = registryWith(registration('a', { maxActiveRequests: 1 }));
    const handle = registry.select('qwen', 4000).begin();
    assert.throws(() => registry.select('qwen', 4000), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_ROUTE_WORKERS_BUSY');
    handle.end(true, 5);
    assert.equal(registry.select('qwen', 4000).id, 'a');
  });

  test('all disabled → no workers', () => {
    const registry = registryWith(registration('a', { enabled: false }));
    assertCocoonError(() => registry.select('qwen', 4000), 'CCN_ERR_ROUTE_NO_WORKER', 'no workers for model qwen');
  });

  test('only workers above maxCoefficient → the cheapest available coefficient', () => {
    const registry = registryWith(
      registration('a', { coefficient: 5000 }),
      registration('b', { coefficient: 4500 }),
      registration('c', { coefficient: 4200, enabled: false }),
    );
    assertCocoonError(() => registry.select('qwen', 4000), 'CCN_ERR_ROUTE_COEFFICIENT_TOO_LOW', 'can run this query with coefficient=4500');
  });

  test('a cheap but busy worker does not turn "coefficient too low" into "no workers"', () => {
    const registry = registryWith(registration('cheap', { maxActiveRequests: 1 }), registration('pricey', { coefficient: 9000 }));
    registry.get('cheap')!.begin();
    assertCocoonError(() => registry.select('qwen', 4000), 'CCN_ERR_ROUTE_COEFFICIENT_TOO_LOW', 'can run this query with coefficient=9000');
  });

  test('setCoefficient changes eligibility; unregister removes', () => {
    const registry = registryWith(registration('a'), registration('b'));
    registry.setCoefficient('a', 8000);
    assert.equal(registry.select('qwen', 4000).id, 'b');
    assert.equal(registry.unregister('b'), true);
    assert.equal(registry.unregister('b'), false);
    assertCocoonError(() => registry.select('qwen', 4000), 'CCN_ERR_ROUTE_COEFFICIENT_TOO_LOW', 'can run this query with coefficient=8000');
    registry.unregister('a');
    assertCocoonError(() => registry.select('qwen', 4000), 'CCN_ERR_ROUTE_UNKNOWN_MODEL', 'unknown model qwen');
  });

  test('duplicate id and unknown id are errors', () => {
    const registry = registryWith(registration('a'));
    assert.throws(() => registry.register(registration('a')), CocoonError);
    assert.throws(() => registry.setEnabled('zzz', false), CocoonError);
    assert.throws(() => registry.setCoefficient('zzz', 1), CocoonError);
  });
});

describe('WorkerRegistry views', () => {
  test('models(): enabled workers only, sorted by coefficient, models with none omitted', () => {
    const registry = registryWith(
      registration('a', { coefficient: 2000 }),
      registration('b', { coefficient: 1000, maxActiveRequests: 7 }),
      registration('c', { coefficient: 500, enabled: false }),
      registration('d', { modelBaseName: 'hidden', enabled: false }),
      registration('e', { modelBaseName: 'deepseek' }),
    );
    registry.get('b')!.begin();
    // Unmeasured workers: price term c/1000 + latency 1 + throughput 1 + reliability 0 (+ load 0).
    const fresh = (score: number) => ({ success_rate: 1, cooling_down: false, score });
    assert.deepEqual(registry.models(), [
      { id: 'deepseek', workers: [{ coefficient: 1000, runningRequests: 0, maxRunningRequests: 2, market: fresh(3) }] },
      {
        id: 'qwen',
        workers: [
          { coefficient: 1000, runningRequests: 1, maxRunningRequests: 7, market: fresh(3) },
          { coefficient: 2000, runningRequests: 0, maxRunningRequests: 2, market: fresh(4) },
        ],
      },
    ]);
  });

  test('workerConnections(): decaying 10-minute stats', () => {
    clockMs = 0;
    const registry = registryWith(registration('a', { maxActiveRequests: 5 }));
    const worker = registry.get('a')!;
    worker.begin().end(true, 2000);
    worker.begin().end(false, 4000);
    worker.begin();
    assert.deepEqual(registry.workerConnections(), [
      {
        connection_id: 'a', owner_address: 'owner-a', model: 'qwen@v1', coefficient: 1000, running_queries: 1, queries_10m: 2, queries_time_10m: 6, queries_success_10m: 1,
        enabled: true, proto_version: 1, machine_description: '{}', max_running_queries: 5,
        // success rate (1 + prior 1) / (2 + 1); score 1 + 1 + 1 + 4 × (1 − 2/3) + load 1 × 3000 ms / 1000 ms
        market: { success_rate: 2 / 3, cooling_down: true, score: 1 + 1 + 1 + 4 * (1 - 2 / 3) + 3 },
      },
    ]);
    assert.equal(worker.averageQueryTimeMs(), 3000);
    assert.equal(worker.successRate(), 0.5);
    clockMs += 600_000;
    const [stats] = registry.workerConnections();
    assert.ok(Math.abs(stats!.queries_10m - 2 / Math.E) < 1e-9);
    assert.ok(Math.abs(stats!.queries_success_10m - 1 / Math.E) < 1e-9);
    clockMs = 0;
  });

  test('workerConnections(): the attestation verified at connect (policy, image hash, TCB status)', () => {
    const attestation = { policy: 'tdx', imageHash: 'ab'.repeat(32), tcbStatus: 'UpToDate' };
    const [stats] = registryWith(registration('a', { attestation })).workerConnections();
    assert.equal(stats!.attestation_policy, 'tdx');
    assert.equal(stats!.image_hash, 'ab'.repeat(32));
    assert.equal(stats!.tcb_status, 'UpToDate');
    const [plain] = registryWith(registration('b')).workerConnections();
    assert.equal('image_hash' in plain!, false, 'no attestation fields without a verified attestation');
  });

  test('select(minProtoVersion) skips workers below it, as the reference for encrypted requests', () => {
    const registry = registryWith(registration('old', { protoVersion: 2 }), registration('new', { protoVersion: 4 }));
    registry.get('new')!.begin(); // busier, but the only one that qualifies
    assert.equal(registry.select('qwen', 4000).id, 'old');
    assert.equal(registry.select('qwen', 4000, new Set(), 3).id, 'new');
    assertCocoonError(() => registry.select('qwen', 4000, new Set(['new']), 3), 'CCN_ERR_ROUTE_NO_WORKER', 'no workers for model qwen: 1 enabled speak a protocol below 3');
    const onlyOld = registryWith(registration('old', { protoVersion: 2 }));
    assertCocoonError(() => onlyOld.select('qwen', 4000, new Set(), 3), 'CCN_ERR_ROUTE_NO_WORKER', 'no workers for model qwen: 1 enabled speak a protocol below 3');
  });

  test('changeModel(): the worker is listed and selected under its new model; stats show it', () => {
    const registry = registryWith(registration('a', { protoVersion: 4, machineDescriptionJson: '{"gpu":"H200"}' }));
    registry.changeModel('a', `llama@r2:${'c'.repeat(64)}`);
    assert.deepEqual(registry.models().map((model) => model.id), ['llama']);
    assert.equal(registry.select('llama', 4000).id, 'a');
    assertCocoonError(() => registry.select('qwen', 4000), 'CCN_ERR_ROUTE_UNKNOWN_MODEL', 'unknown model qwen');
    const [stats] = registry.workerConnections();
    assert.equal(stats!.model, `llama@r2:${'c'.repeat(64)}`);
    assert.equal(stats!.proto_version, 4);
    assert.equal(stats!.machine_description, '{"gpu":"H200"}');
    assert.throws(() => registry.changeModel('missing', 'x@y:z'), CocoonError);
  });

  test('perProxyMaxActiveRequests = ceil(max / proxies)', () => {
    assert.equal(perProxyMaxActiveRequests(60, 1), 60);
    assert.equal(perProxyMaxActiveRequests(60, 7), 9);
    assert.equal(perProxyMaxActiveRequests(5, 0), 5);
  });
});

/**
 * Which proxies a worker serves and the `proxy_cnt` it announces (docs/protocol.md §1.2): the one
 * `proxy_address` with `proxy_connections` as before; a `proxy_addresses` list or the root's registered
 * proxies (`discover_proxies`) with proxy_cnt = how many are served (at most `max_proxies`); errors name the key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workerConfigSchema } from '../../src/config/index.ts';
import { buildWorkerParams } from '../../src/connection/worker-proxy-connection.ts';
import { workerProxyTargets } from '../../src/connection/worker-proxy-connections.ts';

const config = (fields: Record<string, unknown>) => workerConfigSchema.parse({ engine_url: 'http://127.0.0.1:8000', ...fields });

test('one proxy as before; a list or the root: proxy_cnt = proxies served', () => {
  assert.deepEqual(workerProxyTargets(config({}), undefined), { addresses: ['127.0.0.1:11001'], proxyCount: 1 });
  assert.deepEqual(workerProxyTargets(config({ proxy_connections: 2 }), undefined), { addresses: ['127.0.0.1:11001'], proxyCount: 2 });
  assert.deepEqual(workerProxyTargets(config({ proxy_addresses: ['a:1', 'b:2'] }), undefined), { addresses: ['a:1', 'b:2'], proxyCount: 2 });
  assert.deepEqual(workerProxyTargets(config({ proxy_addresses: ['a:1', 'b:2', 'c:3'], max_proxies: 2 }), undefined).proxyCount, 2);
  assert.deepEqual(workerProxyTargets(config({ discover_proxies: true }), ['x:1', 'y:2', 'x:1']), { addresses: ['x:1', 'y:2'], proxyCount: 2 });
  const params = buildWorkerParams({ ownerAddress: 'o', model: 'm', coefficient: 1000, isTest: true, proxyConnections: 2, maxActiveRequests: 5 });
  assert.equal(params.proxy_cnt, 2);
  assert.equal(params.max_active_requests, 5, 'the whole limit: each proxy takes its ceil(5 / 2) share');
});

test('discovery and list errors name their key', () => {
  assert.throws(() => workerProxyTargets(config({ discover_proxies: true }), undefined), (error: Error & { param?: string }) => error.param === 'discover_proxies');
  assert.throws(() => workerProxyTargets(config({ discover_proxies: true }), []), /registers no proxy/);
  const both = workerConfigSchema.safeParse({ engine_url: 'http://127.0.0.1:8000', discover_proxies: true, proxy_addresses: ['a:1'] });
  assert.deepEqual(both.error?.issues.map((issue) => issue.path.join('.')), ['discover_proxies']);
  const twice = workerConfigSchema.safeParse({ engine_url: 'http://127.0.0.1:8000', proxy_addresses: ['a:1', 'a:1'] });
  assert.deepEqual(twice.error?.issues.map((issue) => issue.path.join('.')), ['proxy_addresses']);
});

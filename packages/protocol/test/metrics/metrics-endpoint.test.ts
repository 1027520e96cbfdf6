/**
 * `GET /metrics` on the stats HTTP server: Prometheus text with its content type; a scraper (no
 * Origin) gets in where the stats pages are open; with an access hash or metrics_require_token it
 * needs the admin token (Authorization: Bearer) or the access hash; a foreign Host (421) or Origin
 * (403) is refused as everywhere; POST is 405; a server without metrics answers 404.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { parsePrometheusText } from '@cocoon/test-support';
import { RunnerMetrics, startStatsHttpServer, type StatsHttpServer } from '../../src/index.ts';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; text: string }

function send(server: StatsHttpServer, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: server.port, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end();
  });
}

const TOKEN = 'a'.repeat(64);

describe('GET /metrics on the stats server', () => {
  const metrics = new RunnerMetrics();
  let served = 0;
  metrics.counterView({ name: 'cocoon_test_served_total', help: 'served' }, () => served);
  const servers: Record<'open' | 'hashed' | 'token' | 'none', StatsHttpServer | undefined> = { open: undefined, hashed: undefined, token: undefined, none: undefined };
  const server = (name: keyof typeof servers): StatsHttpServer => servers[name]!;

  before(async () => {
    const common = { host: '127.0.0.1', port: 0, title: 't', jsonStats: () => ({}), adminToken: TOKEN };
    servers.open = await startStatsHttpServer({ ...common, metrics });
    servers.hashed = await startStatsHttpServer({ ...common, metrics, accessHash: 'hash-1' });
    servers.token = await startStatsHttpServer({ ...common, metrics, metricsRequireToken: true });
    servers.none = await startStatsHttpServer(common);
  });
  after(async () => {
    for (const running of Object.values(servers)) await running?.close();
  });

  test('Prometheus text 0.0.4 with the views read at scrape time', async () => {
    served = 3;
    const answer = await send(server('open'), 'GET', '/metrics');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(parsePrometheusText(answer.text).value('cocoon_test_served_total'), 3);
  });

  test('open like the stats pages; an access hash or metrics_require_token asks for the admin token', async () => {
    assert.equal((await send(server('hashed'), 'GET', '/metrics')).status, 401);
    assert.equal((await send(server('hashed'), 'GET', '/metrics?access_hash=hash-1')).status, 200);
    assert.equal((await send(server('hashed'), 'GET', '/metrics', { authorization: `Bearer ${TOKEN}` })).status, 200);
    const refused = await send(server('token'), 'GET', '/metrics');
    assert.equal(refused.status, 401);
    assert.match(refused.text, /Authorization: Bearer <admin token>/);
    assert.equal((await send(server('token'), 'GET', '/metrics', { authorization: `Bearer ${'b'.repeat(64)}` })).status, 401);
    assert.equal((await send(server('token'), 'GET', '/metrics', { authorization: `Bearer ${TOKEN}` })).status, 200);
    assert.equal((await send(server('token'), 'GET', '/jsonstats')).status, 200, 'the token requirement is for /metrics only');
  });

  test('the doors hold: foreign Host 421, foreign Origin 403, POST 405, no metrics 404', async () => {
    assert.equal((await send(server('open'), 'GET', '/metrics', { host: 'attacker.example' })).status, 421);
    assert.equal((await send(server('open'), 'GET', '/metrics', { origin: 'http://attacker.example' })).status, 403);
    assert.equal((await send(server('open'), 'POST', '/metrics')).status, 405);
    assert.equal((await send(server('none'), 'GET', '/metrics')).status, 404);
  });
});

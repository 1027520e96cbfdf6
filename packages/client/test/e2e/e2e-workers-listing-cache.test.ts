/**
 * The runner reuses a proxy's listing of a model's e2e workers for `e2e_workers_cache_ms` (§22 Client
 * runner): one ext.getE2eWorkers per connection and model within the window (also for concurrent asks),
 * a fresh one after it, none kept when the query failed, and every request asking when the window is 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExtE2eWorker } from '@cocoon/protocol';
import { E2eClient, type E2eClientOptions } from '../../src/e2e/index.ts';
import type { ClientProxyConnection } from '../../src/connection/client-proxy-connection.ts';

function listingClient(workersCacheMs: number | undefined, answers: Array<ExtE2eWorker[] | Error>) {
  let now = 1_000_000;
  const asked: string[] = [];
  const gateway = {
    async getE2eWorkers(_connection: ClientProxyConnection, model: string): Promise<ExtE2eWorker[]> {
      asked.push(model);
      const answer = answers.shift() ?? [];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  const options = { gateway, now: () => now, ...(workersCacheMs === undefined ? {} : { workersCacheMs }) } as unknown as E2eClientOptions;
  return { client: new E2eClient(options), asked, advance: (ms: number) => { now += ms; } };
}

const connection = { address: '127.0.0.1:11002' } as ClientProxyConnection;
const otherConnection = { address: '127.0.0.1:11012' } as ClientProxyConnection;

test('a listing is reused within the window, per connection and model, and asked again after it', async () => {
  const { client, asked, advance } = listingClient(undefined, []);
  await Promise.all([client.listedWorkers(connection, 'm'), client.listedWorkers(connection, 'm')]);
  advance(999);
  await client.listedWorkers(connection, 'm');
  assert.deepEqual(asked, ['m'], 'one query within the default 1000 ms');
  await client.listedWorkers(connection, 'other');
  await client.listedWorkers(otherConnection, 'm');
  assert.deepEqual(asked, ['m', 'other', 'm']);
  advance(1);
  await client.listedWorkers(connection, 'm');
  assert.equal(asked.length, 4, 'asked again once the window is over');
});

test('a failed listing is not kept, and a window of 0 asks every time', async () => {
  const failing = listingClient(1000, [new Error('proxy gone')]);
  await assert.rejects(failing.client.listedWorkers(connection, 'm'), /proxy gone/);
  await failing.client.listedWorkers(connection, 'm');
  assert.equal(failing.asked.length, 2);
  const uncached = listingClient(0, []);
  await uncached.client.listedWorkers(connection, 'm');
  await uncached.client.listedWorkers(connection, 'm');
  assert.equal(uncached.asked.length, 2);
});

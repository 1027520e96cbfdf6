/** `cocoon dev --engine-url` serves the engine's own model unless --model says otherwise. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestEngine } from '@cocoon/worker';
import { devCommandOptionsSchema, devModelString, resolveWorkerModel } from '../../src/index.ts';

const ZEROS = '0'.repeat(64);

test('a bare model name becomes a dev model string; a full one is kept', () => {
  assert.equal(devModelString('Qwen/Qwen3-0.6B'), `Qwen/Qwen3-0.6B@local:${ZEROS}`);
  assert.equal(devModelString(`m@abc:${'1'.repeat(64)}`), `m@abc:${'1'.repeat(64)}`);
});

test('with --engine-url and no --model, the workers serve the engine\'s first model', async () => {
  const engine = await startTestEngine({ host: '127.0.0.1', port: 0, models: ['Qwen/Qwen3-0.6B', 'other'] });
  try {
    const options = devCommandOptionsSchema.parse({ engine_url: engine.url });
    assert.equal(await resolveWorkerModel(options), `Qwen/Qwen3-0.6B@local:${ZEROS}`);
    assert.equal(await resolveWorkerModel({ ...options, model: 'mine' }), `mine@local:${ZEROS}`);
  } finally {
    await engine.close();
  }
});

test('an unreachable engine is a clear error naming the URL', async () => {
  const options = devCommandOptionsSchema.parse({ engine_url: 'http://127.0.0.1:9' });
  await assert.rejects(resolveWorkerModel(options), /could not list the models of the engine at http:\/\/127\.0\.0\.1:9\/v1\/models/);
});

test('without --engine-url the test engine\'s default model is used', async () => {
  assert.equal(await resolveWorkerModel(devCommandOptionsSchema.parse({})), undefined);
});

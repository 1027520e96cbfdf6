// The `headers` option of createCocoon and cocoonFetch (e.g. a Mini App's X-Telegram-Init-Data): sent on every
// request to the runner (workers listing, relay, models), asked per request when a function, never replacing a
// header the request sets itself, and never sent to another origin a pass-through fetch reaches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cocoonFetch, createCocoon } from '@cocoon/sdk';
import { E2eTestRelay, KeySetTrustingVerifier } from './e2e-test-relay.ts';

const BASE = 'http://runner.test:10000';
const MODEL = 'test/tiny-chat';
const HEADER = 'x-telegram-init-data';

/** The relay double's fetch, recording the header each request carried. */
function recording(relay: E2eTestRelay): { fetch: typeof fetch; seen: Array<[string, string | null]> } {
  const seen: Array<[string, string | null]> = [];
  const fetchImpl = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    seen.push([`${url.host}${url.pathname}`, new Headers(init?.headers).get(HEADER)]);
    if (url.host !== 'runner.test:10000') return Promise.resolve(new Response('elsewhere'));
    return relay.fetch(input, init);
  }) as typeof fetch;
  return { fetch: fetchImpl, seen };
}

test('createCocoon sends the headers on the listing, the relay and models; a function is asked per request', async () => {
  const relay = await E2eTestRelay.create();
  const { fetch, seen } = recording(relay);
  let calls = 0;
  const cocoon = createCocoon({ baseURL: BASE, verifier: new KeySetTrustingVerifier(), fetch, headers: () => ({ 'X-Telegram-Init-Data': `user=${++calls}` }) });
  const answer = await cocoon.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 9 });
  assert.equal(answer.receipt.verified, true);
  await cocoon.models.list().catch(() => undefined); // the double may not serve it; the header went out either way
  const paths = seen.map(([path]) => path);
  assert.ok(paths.includes('runner.test:10000/v1/e2e/workers'), paths.join());
  assert.ok(paths.includes('runner.test:10000/v1/e2e/requests'), paths.join());
  assert.ok(paths.includes('runner.test:10000/v1/models'), paths.join());
  assert.ok(seen.every(([, value]) => value !== null && /^user=\d+$/.test(value)), JSON.stringify(seen));
  assert.equal(new Set(seen.map(([, value]) => value)).size, seen.length, 'asked anew for each request');
});

test('cocoonFetch: on every runner request, the request\'s own header wins, other origins never get it', async () => {
  const relay = await E2eTestRelay.create();
  const { fetch, seen } = recording(relay);
  const e2eFetch = cocoonFetch({ baseURL: `${BASE}/v1`, verifier: new KeySetTrustingVerifier(), fetch, headers: { 'X-Telegram-Init-Data': 'query_id=1' } });
  const answer = await e2eFetch(`${BASE}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 9 }) });
  assert.equal(answer.status, 200, await answer.clone().text());
  await answer.text();
  assert.ok(seen.length >= 2 && seen.every(([, value]) => value === 'query_id=1'), JSON.stringify(seen));
  seen.length = 0;
  await e2eFetch(`${BASE}/v1/e2e/workers?model=${MODEL}`, { headers: { 'X-Telegram-Init-Data': 'own' } });
  await e2eFetch('https://elsewhere.example/v1/anything');
  assert.deepEqual(seen, [['runner.test:10000/v1/e2e/workers', 'own'], ['elsewhere.example/v1/anything', null]]);
});

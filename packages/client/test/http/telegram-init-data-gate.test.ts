/**
 * The Telegram Mini App door of the client's HTTP edge (config telegram_bot_token_file): init data signed as
 * Telegram documents it (HMAC-SHA256 keyed by HMAC-SHA256("WebAppData", bot token) over the sorted
 * data-check-string, built here independently of the code under test, plus one pinned known-answer vector) is
 * required on every path that spends and refused when missing, altered, for another bot, expired or without a
 * numeric user id (401); a user over the per-minute limit gets 429 with Retry-After and is admitted again when the
 * window ends (injected clock); preflights allow the header; listings and controls are unaffected; the gate is off
 * unless configured; a bot token file readable by group or others is refused.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CocoonError } from '@cocoon/protocol';
import { TelegramInitDataGate, readTelegramBotTokenFile, verifyTelegramInitData } from '../../src/http/index.ts';
import { TelegramUserRateLimiter, telegramSecretKey } from '../../src/http/telegram-auth/index.ts';
import { send } from './http-test-client.ts';
import { jsonAnswer } from './fake-inference-gateway.ts';
import { FIXED_NOW_MS, startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const BOT_TOKEN = '123456789:AAExampleTokenForCocoonTests_0123456789';
const OTHER_BOT_TOKEN = '987654321:AAAnotherBotsTokenNotOurs_9876543210';
const NOW_SECONDS = Math.floor(FIXED_NOW_MS / 1000); // 1_700_000_000
const ADMIN_TOKEN = 'ab'.repeat(32);
const ALLOWED = 'https://mini.example';
/** Pinned once (computed with Python's hmac from the documented algorithm): bot BOT_TOKEN, auth_date 1700000000. */
const KNOWN_INIT_DATA = 'query_id=AAHdF6IQAAAAAN0XohDhrOrc&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%7D&auth_date=1700000000&hash=606246da884f460390caad1ef12871ef096f7bc649eac0bc43f422627b0c3406';

/** Init data as Telegram signs it, computed here step by step from the documented algorithm. */
function signInitData(fields: Record<string, string>, botToken = BOT_TOKEN): string {
  const dataCheckString = Object.keys(fields).sort().map((key) => `${key}=${fields[key]}`).join('\n');
  const secretKey = createHmac('sha256', 'WebAppData').update(botToken).digest();
  const hash = createHmac('sha256', secretKey).update(dataCheckString).digest('hex');
  return new URLSearchParams({ ...fields, hash }).toString();
}

const userFields = (id: number | string = 4242, authDate = NOW_SECONDS - 60): Record<string, string> => ({
  query_id: 'AAQ1', user: JSON.stringify({ id, first_name: 'Ada', language_code: 'en' }), auth_date: String(authDate),
});
const check = { nowSeconds: NOW_SECONDS, maxAgeSeconds: 86_400 };
const refusal = (pattern: RegExp) => (error: unknown): boolean => error instanceof CocoonError && error.code === 'CCN_ERR_HTTP_UNAUTHORIZED' && pattern.test(error.message);

describe('Telegram init data', () => {
  const secretKey = telegramSecretKey(BOT_TOKEN);

  test('the pinned known-answer vector and freshly signed init data are accepted with their user id', () => {
    assert.deepEqual(verifyTelegramInitData(KNOWN_INIT_DATA, secretKey, check), { userId: 279058397, authDate: 1_700_000_000 });
    assert.deepEqual(verifyTelegramInitData(signInitData(userFields(77)), secretKey, check), { userId: 77, authDate: NOW_SECONDS - 60 });
  });

  test('missing, altered, another bot\'s, expired, malformed: 401 with the reason, never the data', () => {
    assert.throws(() => verifyTelegramInitData(undefined, secretKey, check), refusal(/missing/));
    assert.throws(() => verifyTelegramInitData('', secretKey, check), refusal(/missing/));
    const tampered = KNOWN_INIT_DATA.replace('279058397', '279058398');
    assert.throws(() => verifyTelegramInitData(tampered, secretKey, check), refusal(/bad hash/));
    assert.throws(() => verifyTelegramInitData(signInitData(userFields(), OTHER_BOT_TOKEN), secretKey, check), refusal(/bad hash/));
    assert.throws(() => verifyTelegramInitData(signInitData(userFields(1, NOW_SECONDS - 86_401)), secretKey, check), refusal(/expired/));
    assert.throws(() => verifyTelegramInitData(signInitData(userFields('1')), secretKey, check), refusal(/numeric id/));
    assert.throws(() => verifyTelegramInitData(signInitData({ ...userFields(), user: 'not json' }), secretKey, check), refusal(/not JSON/));
    assert.throws(() => verifyTelegramInitData(signInitData({ auth_date: String(NOW_SECONDS) }), secretKey, check), refusal(/no user/));
    assert.throws(() => verifyTelegramInitData('user=1&auth_date=1', secretKey, check), refusal(/no hash/));
    assert.throws(() => verifyTelegramInitData(`${KNOWN_INIT_DATA}&auth_date=1700000000`, secretKey, check), refusal(/repeated/));
    try {
      verifyTelegramInitData(tampered, secretKey, check);
    } catch (error) {
      assert.ok(!(error as Error).message.includes('279058398') && !(error as Error).message.includes('Vladislav'), 'the init data is not quoted');
    }
  });

  test('the rate limiter admits requestsPerMinute per user, then says when; idle users are evicted', () => {
    let now = 1_000_000;
    const limiter = new TelegramUserRateLimiter({ requestsPerMinute: 2, maxUsers: 3, now: () => now });
    assert.deepEqual([limiter.admit(1), limiter.admit(1)], [{ admitted: true }, { admitted: true }]);
    now += 20_000;
    assert.deepEqual(limiter.admit(1), { admitted: false, retryAfterSeconds: 40 });
    assert.deepEqual(limiter.admit(2), { admitted: true }, 'another user has their own window');
    now += 40_000;
    assert.deepEqual(limiter.admit(1), { admitted: true }, 'a new window');
    assert.equal(limiter.trackedUsers, 2, "user 1's expired window was replaced; user 2's (40 s old) lives");
    for (const user of [10, 11, 12, 13]) limiter.admit(user);
    assert.equal(limiter.trackedUsers, 3, 'never more than maxUsers windows');
    now += 60_000;
    limiter.admit(99);
    assert.equal(limiter.trackedUsers, 1, 'expired windows are dropped');
  });

  test('the bot token file: read when private, refused when group/world readable, missing or not a token; the token is never quoted', () => {
    const directory = mkdtempSync(join(tmpdir(), 'cocoon-telegram-'));
    try {
      const file = join(directory, 'bot.token');
      writeFileSync(file, `${BOT_TOKEN}\n`, { mode: 0o600 });
      assert.equal(readTelegramBotTokenFile(file), BOT_TOKEN);
      for (const mode of [0o640, 0o604, 0o644]) {
        chmodSync(file, mode);
        assert.throws(() => readTelegramBotTokenFile(file), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_CONFIG_INVALID'
          && /readable by group or others/.test(error.message) && !error.message.includes(BOT_TOKEN.split(':')[1]!));
      }
      chmodSync(file, 0o600);
      writeFileSync(file, 'not a token');
      assert.throws(() => readTelegramBotTokenFile(file), /does not hold a bot token/);
      assert.throws(() => readTelegramBotTokenFile(join(directory, 'absent')), /cannot read the Telegram bot token file .*ENOENT/);
      assert.throws(() => new TelegramInitDataGate({ botToken: 'nope' }), /not of the form/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('client HTTP edge with telegram_bot_token_file', () => {
  let context: TestServer;
  let nowMs = FIXED_NOW_MS;
  const relayed: string[] = [];
  const extraRoutes = async (_request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== '/v1/e2e/requests' && url.pathname !== '/v1/e2e/workers') return false;
    relayed.push(url.pathname);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
    return true;
  };
  const requestRoutes = async (_request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"control":true}');
    return true;
  };
  const chat = (initData?: string) => send(`${context.url}/v1/chat/completions`, {
    body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, headers: initData === undefined ? {} : { 'x-telegram-init-data': initData },
  });
  const code = (answer: { json(): Record<string, unknown> }): string => (answer.json().error as { code: string }).code;

  before(async () => {
    const gate = new TelegramInitDataGate({ botToken: BOT_TOKEN, maxAgeSeconds: 3600, userRequestsPerMinute: 3, now: () => nowMs });
    context = await startTestServer({ now: () => nowMs, telegramInitData: gate, extraRoutes, requestRoutes, adminToken: ADMIN_TOKEN, corsOrigins: [ALLOWED] });
  });
  after(() => context.server.close());
  beforeEach(() => {
    context.gateway.models = [{ id: 'm', workers: [{ coefficient: 1000, runningRequests: 0, maxRunningRequests: 4 }] }];
    context.gateway.script = async () => jsonAnswer({ id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] });
  });

  test('valid init data is served; missing, tampered, another bot\'s, expired, malformed user: 401 and nothing spent', async () => {
    const before = context.gateway.requests.length;
    const accepted = await chat(signInitData(userFields(1001, NOW_SECONDS - 10)));
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal(context.gateway.requests.length, before + 1);
    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, /missing/],
      [signInitData(userFields(1002)).replace('Ada', 'Eve'), /bad hash/],
      [signInitData(userFields(1002), OTHER_BOT_TOKEN), /bad hash/],
      [signInitData(userFields(1002, NOW_SECONDS - 3601)), /expired/],
      [signInitData({ ...userFields(), user: '{"first_name":"NoId"}' }), /numeric id/],
    ];
    for (const [initData, reason] of cases) {
      const answer = await chat(initData);
      assert.equal(answer.status, 401, String(reason));
      assert.equal(code(answer), 'CCN_ERR_HTTP_UNAUTHORIZED');
      assert.match((answer.json().error as { message: string }).message, reason);
      assert.equal((answer.json().error as { type: string }).type, 'authentication_error');
    }
    assert.equal(context.gateway.requests.length, before + 1, 'no refused request reached the gateway');
  });

  test('every path that spends needs it (task routes, completions, the e2e relay); listings, stats and controls do not', async () => {
    for (const path of ['/v1/completions', '/v1/summarize', '/v1/translate', '/v1/audio/transcriptions', '/v1/e2e/requests']) {
      const answer = await send(`${context.url}${path}`, { method: 'POST', body: '{}' });
      assert.equal(answer.status, 401, path);
      assert.equal(code(answer), 'CCN_ERR_HTTP_UNAUTHORIZED', path);
    }
    relayed.length = 0;
    const relay = await send(`${context.url}/v1/e2e/requests`, { method: 'POST', body: 'sealed', headers: { 'content-type': 'application/octet-stream', 'x-telegram-init-data': signInitData(userFields(2001)) } });
    assert.equal(relay.status, 200, relay.text);
    assert.equal((await send(`${context.url}/v1/e2e/workers?model=m`)).status, 200, 'listing workers stays open');
    assert.deepEqual(relayed, ['/v1/e2e/requests', '/v1/e2e/workers']);
    assert.equal((await send(`${context.url}/v1/models`)).status, 200);
    assert.equal((await send(`${context.url}/request/anything`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 200, 'admin token unaffected');
    assert.equal((await send(`${context.url}/request/anything`, { method: 'POST', headers: { 'x-telegram-init-data': signInitData(userFields(2001)) } })).status, 401, 'init data opens no control');
  });

  test('a user over telegram_user_requests_per_minute gets 429 with Retry-After, others are served, and the user again after the window', async () => {
    nowMs = FIXED_NOW_MS + 120_000;
    try {
      const ada = signInitData(userFields(3001, NOW_SECONDS));
      for (let index = 0; index < 3; index += 1) assert.equal((await chat(ada)).status, 200, `request ${index + 1}`);
      nowMs += 15_000;
      const limited = await chat(ada);
      assert.equal(limited.status, 429);
      assert.equal(code(limited), 'CCN_ERR_HTTP_RATE_LIMITED');
      assert.equal(limited.headers['retry-after'], '45');
      assert.equal((await chat(signInitData(userFields(3002, NOW_SECONDS)))).status, 200, 'another user has their own budget');
      nowMs += 45_000;
      assert.equal((await chat(ada)).status, 200, 'the next window');
    } finally {
      nowMs = FIXED_NOW_MS;
    }
  });

  test('a CORS preflight from an allowed origin allows the X-Telegram-Init-Data header', async () => {
    const asked = await send(`${context.url}/v1/e2e/requests`, {
      method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-telegram-init-data' },
    });
    assert.equal(asked.status, 204);
    assert.match(asked.headers['access-control-allow-headers'] as string, /x-telegram-init-data/);
    const bare = await send(`${context.url}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST' } });
    assert.match(bare.headers['access-control-allow-headers'] as string, /x-telegram-init-data/, 'in the default list too');
  });
});

describe('client HTTP edge without telegram_bot_token_file', () => {
  test('off by default: inference needs no init data', async () => {
    const context = await startTestServer();
    try {
      context.gateway.models = [{ id: 'm', workers: [{ coefficient: 1000, runningRequests: 0, maxRunningRequests: 4 }] }];
      context.gateway.script = async () => jsonAnswer({ id: 'c', object: 'chat.completion', choices: [] });
      const answer = await send(`${context.url}/v1/chat/completions`, { body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } });
      assert.equal(answer.status, 200, answer.text);
    } finally {
      await context.server.close();
    }
  });
});

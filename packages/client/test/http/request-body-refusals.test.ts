/**
 * A body the edge refuses before reading it to its end (408 too slow, 413 too large) is answered
 * with `connection: close` and the server closes the socket: the unread rest never keeps a
 * connection (or its slot) open. A fully read bad body keeps the connection alive.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawHttpConnection, answerWithStatus, postHead, postRequest } from './raw-http-connection.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const CHAT = '/v1/chat/completions';
const BOUNDED = { timeout: 10_000 };

describe('refused request bodies close the connection', () => {
  let context: TestServer;
  before(async () => {
    context = await startTestServer({ bodyReadTimeoutMs: 50, maxBodyBytes: 2048 });
  });
  after(() => context.server.close());

  for (const path of [CHAT, '/v1/summarize']) {
    test(`a slow body on ${path} gets 408 CCN_ERR_HTTP_BODY_TIMEOUT with connection: close, and the server closes the socket`, BOUNDED, async () => {
      const connection = await RawHttpConnection.open(context.url);
      try {
        connection.write(`${postHead(path, 100)}{"model":`); // 91 bytes never come
        const text = await connection.until((received) => answerWithStatus(received, 408) !== undefined);
        const answer = answerWithStatus(text, 408)!;
        assert.match(answer.head, /\r\nconnection: close(\r\n|$)/);
        const error = (JSON.parse(answer.body) as { error: Record<string, unknown> }).error;
        assert.equal(error['code'], 'CCN_ERR_HTTP_BODY_TIMEOUT');
        assert.equal(error['message'], 'timed out reading the request body after 50 ms');
        await connection.ended; // bounded by the test timeout: the old edge kept the socket open
        assert.equal(context.gateway.requests.length, 0);
      } finally {
        connection.close();
      }
    });
  }

  test('a body announced over the limit gets 413 with connection: close, and the socket is closed', BOUNDED, async () => {
    const connection = await RawHttpConnection.open(context.url);
    try {
      connection.write(postHead(CHAT, 1_000_000));
      const text = await connection.until((received) => answerWithStatus(received, 413) !== undefined);
      assert.match(answerWithStatus(text, 413)!.head, /\r\nconnection: close(\r\n|$)/);
      await connection.ended;
    } finally {
      connection.close();
    }
  });

  test('a body streamed over the limit gets 413 with connection: close, and the socket is closed', BOUNDED, async () => {
    const connection = await RawHttpConnection.open(context.url);
    try {
      connection.write(`POST ${CHAT} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`);
      connection.write(`1000\r\n${'x'.repeat(0x1000)}\r\n`);
      const text = await connection.until((received) => answerWithStatus(received, 413) !== undefined);
      assert.match(answerWithStatus(text, 413)!.head, /\r\nconnection: close(\r\n|$)/);
      await connection.ended;
    } finally {
      connection.close();
    }
  });

  test('a fully read bad body keeps the connection alive for the next request', BOUNDED, async () => {
    const connection = await RawHttpConnection.open(context.url);
    try {
      connection.write(postRequest(CHAT, '{"model":'));
      await connection.until((received) => answerWithStatus(received, 400) !== undefined);
      assert.doesNotMatch(connection.received, /connection: close/i);
      connection.write(postRequest(CHAT, JSON.stringify({ model: 'm', messages: [] })));
      const text = await connection.until((received) => received.includes('HTTP/1.1 200 ') && received.endsWith('0\r\n\r\n')); // chunked
      assert.match(text.slice(text.indexOf('HTTP/1.1 200 ')), /\r\n\r\n[0-9a-f]+\r\n\{"ok":true\}\r\n0\r\n\r\n$/);
    } finally {
      connection.close();
    }
  });
});

/**
 * Error mapping of the HTTP edge: CocoonError codes to HTTP status and OpenAI error types.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import { openAiErrorAnswer, openAiErrorType } from '../../src/http/index.ts';

test('types follow the code first, then the status', () => {
  assert.equal(openAiErrorType('CCN_ERR_TIMEOUT', 504), 'timeout');
  assert.equal(openAiErrorType('CCN_ERR_CANCELLED', 499), 'cancelled');
  assert.equal(openAiErrorType('CCN_ERR_HTTP_NOT_FOUND', 404), 'not_found_error');
  assert.equal(openAiErrorType('CCN_ERR_AUTH_FAILED', 401), 'authentication_error');
  assert.equal(openAiErrorType('CCN_ERR_HTTP_BAD_REQUEST', 400), 'invalid_request_error');
  assert.equal(openAiErrorType('CCN_ERR_WORKER_DISCONNECTED', 502), 'server_error');
});

test('a CocoonError keeps its message and param', () => {
  const answer = openAiErrorAnswer(new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', "'timeout' must be positive", { param: 'timeout' }));
  assert.deepEqual(answer, { status: 400, body: { error: { message: "'timeout' must be positive", type: 'invalid_request_error', code: 'CCN_ERR_HTTP_BAD_REQUEST', param: 'timeout' } } });
});

test('internal details never leave: plain errors and CCN_ERR_INTERNAL become "internal error"', () => {
  for (const error of [new Error('secret key abc'), 'boom', new CocoonError('CCN_ERR_INTERNAL', 'stack at /srv/key.pem')]) {
    const answer = openAiErrorAnswer(error);
    assert.equal(answer.status, 500);
    assert.equal(answer.body.error.message, 'internal error');
    assert.equal(answer.body.error.code, 'CCN_ERR_INTERNAL');
  }
});

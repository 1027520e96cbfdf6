/**
 * The parameters of an operator call (§8.2): the query string merged with a form (the reference's
 * operator endpoints) or flat JSON body; an unlabelled body is ignored as before; a parameter given
 * twice, a nested JSON value or malformed JSON is a 400, another media type a 415, over 16 KiB a 413.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { CocoonError } from '../../src/index.ts';
import { MAX_CONTROL_BODY_BYTES, readControlParameters } from '../../src/stats-http/control-parameters.ts';

function request(body: string | Buffer, contentType?: string): IncomingMessage {
  return Object.assign(Readable.from([Buffer.from(body)]), { headers: contentType ? { 'content-type': contentType } : {} }) as unknown as IncomingMessage;
}

const code = (expected: string, pattern: RegExp) => (error: unknown): boolean => error instanceof CocoonError && error.code === expected && pattern.test(error.message);

test('form and JSON bodies merge with the query string; an unlabelled body is ignored', async () => {
  const query = new URLSearchParams('proxy=1');
  const form = await readControlParameters(request('connection_id=7&new_model_name=a%40b%3Ac', 'application/x-www-form-urlencoded; charset=utf-8'), query);
  assert.deepEqual([...form], [['proxy', '1'], ['connection_id', '7'], ['new_model_name', 'a@b:c']]);
  const json = await readControlParameters(request('{"connection_id":7,"force":true}', 'application/json'), query);
  assert.deepEqual([...json], [['proxy', '1'], ['connection_id', '7'], ['force', 'true']]);
  assert.equal(await readControlParameters(request('whatever'), query), query);
  assert.equal(await readControlParameters(request('', 'text/plain'), query), query);
});

test('bad bodies are refused with clear errors', async () => {
  const query = new URLSearchParams('connection_id=1');
  await assert.rejects(readControlParameters(request('connection_id=2', 'application/x-www-form-urlencoded'), query), code('CCN_ERR_HTTP_BAD_REQUEST', /connection_id is given twice/));
  await assert.rejects(readControlParameters(request('{"a":[1]}', 'application/json'), new URLSearchParams()), code('CCN_ERR_HTTP_BAD_REQUEST', /parameter a must be a string, number or boolean/));
  await assert.rejects(readControlParameters(request('[1]', 'application/json'), new URLSearchParams()), code('CCN_ERR_HTTP_BAD_REQUEST', /JSON object of parameters/));
  await assert.rejects(readControlParameters(request('{', 'application/json'), new URLSearchParams()), code('CCN_ERR_HTTP_BAD_JSON', /not valid JSON/));
  await assert.rejects(readControlParameters(request('a=1', 'text/plain'), new URLSearchParams()), code('CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', /got content-type text\/plain/));
  await assert.rejects(readControlParameters(request(Buffer.alloc(MAX_CONTROL_BODY_BYTES + 1, 0x61), 'application/x-www-form-urlencoded'), new URLSearchParams()), code('CCN_ERR_HTTP_BODY_TOO_LARGE', /16384 bytes/));
});

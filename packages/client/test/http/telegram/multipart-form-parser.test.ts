/**
 * The multipart/form-data reader: boundaries, parts, malformed bodies, field insertion.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { insertFormField, multipartBoundary, parseMultipartForm } from '../../../src/http/telegram/index.ts';
import { FAKE_AUDIO, TEST_BOUNDARY, multipartBody } from './multipart-test-body.ts';

describe('multipart form parser', () => {
  test('reads the boundary, plain or quoted, and refuses other types', () => {
    assert.equal(multipartBoundary('multipart/form-data; boundary=abc'), 'abc');
    assert.equal(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b:c"'), 'a b:c');
    for (const bad of [undefined, 'application/json', 'multipart/form-data', 'multipart/form-data; boundary=', `multipart/form-data; boundary=${'x'.repeat(71)}`]) {
      assert.throws(() => multipartBoundary(bad), { code: 'CCN_ERR_HTTP_BAD_REQUEST', param: 'content-type' }, String(bad));
    }
  });

  test('splits parts with names, filenames, content types and exact bytes', () => {
    const body = multipartBody([
      { name: 'file', value: FAKE_AUDIO, filename: 'voice \\"1\\".ogg', contentType: 'audio/ogg' },
      { name: 'model', value: 'whisper-large-v3' },
      { name: 'language', value: '' },
    ]);
    const form = parseMultipartForm(body, TEST_BOUNDARY);
    assert.equal(form.firstDelimiterOffset, 0);
    assert.deepEqual(form.parts.map((part) => [part.name, part.filename, part.contentType]), [
      ['file', 'voice "1".ogg', 'audio/ogg'],
      ['model', undefined, undefined],
      ['language', undefined, undefined],
    ]);
    assert.deepEqual(form.parts[0]!.data, FAKE_AUDIO);
    assert.equal(form.parts[1]!.data.toString(), 'whisper-large-v3');
    assert.equal(form.parts[2]!.data.length, 0);
  });

  test('a preamble before the first delimiter is skipped', () => {
    const body = Buffer.concat([Buffer.from('ignored preamble\r\n'), multipartBody([{ name: 'a', value: '1' }])]);
    const form = parseMultipartForm(body, TEST_BOUNDARY);
    assert.equal(form.firstDelimiterOffset, 'ignored preamble\r\n'.length);
    assert.equal(form.parts[0]!.data.toString(), '1');
  });

  const malformed: Array<[string, string]> = [
    ['no delimiter', 'hello'],
    ['no closing boundary', `--${TEST_BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue`],
    ['unterminated headers', `--${TEST_BOUNDARY}\r\nContent-Disposition: form-data; name="a"`],
    ['part without name', `--${TEST_BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nv\r\n--${TEST_BOUNDARY}--`],
    ['part without disposition', `--${TEST_BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nv\r\n--${TEST_BOUNDARY}--`],
    ['delimiter not followed by CRLF', `--${TEST_BOUNDARY}xx\r\n`],
  ];
  for (const [label, text] of malformed) {
    test(`refuses a body with ${label}`, () => {
      assert.throws(() => parseMultipartForm(Buffer.from(text), TEST_BOUNDARY), { code: 'CCN_ERR_HTTP_BAD_REQUEST', message: /malformed multipart/ });
    });
  }

  test('insertFormField adds a field before the first part and keeps the rest byte for byte', () => {
    const body = Buffer.concat([Buffer.from('pre\r\n'), multipartBody([{ name: 'file', value: FAKE_AUDIO, filename: 'a.wav' }])]);
    const form = parseMultipartForm(body, TEST_BOUNDARY);
    const updated = insertFormField(body, form, 'model', 'whisper-1');
    const reparsed = parseMultipartForm(updated, TEST_BOUNDARY);
    assert.deepEqual(reparsed.parts.map((part) => part.name), ['model', 'file']);
    assert.equal(reparsed.parts[0]!.data.toString(), 'whisper-1');
    assert.deepEqual(reparsed.parts[1]!.data, FAKE_AUDIO);
    assert.deepEqual(updated.subarray(updated.length - (body.length - form.firstDelimiterOffset)), body.subarray(form.firstDelimiterOffset));
  });
});

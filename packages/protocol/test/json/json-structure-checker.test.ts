/**
 * The shared strict JSON checker: nesting depth, value cap and duplicate keys (after unescaping),
 * checked in one pass before JSON.parse; every valid JSON text within the limits passes untouched.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CocoonError,
  DEFAULT_JSON_STRUCTURE_LIMITS,
  MAX_QUOTED_KEY_CHARS,
  findJsonStructureProblem,
  jsonStructureError,
  parseCheckedJson,
} from '../../src/index.ts';

function nested(levels: number, inner = ''): string {
  return `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;
}

function objectNested(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
}

function codeOf(thrower: () => unknown): string {
  try {
    thrower();
  } catch (error) {
    assert.ok(error instanceof CocoonError, `expected a CocoonError, got ${String(error)}`);
    return error.code;
  }
  assert.fail('nothing was thrown');
}

describe('findJsonStructureProblem: valid JSON passes', () => {
  const valid = [
    '{}', '[]', '""', '0', '-1.5e+10', 'true', 'false', 'null', ' \t\r\n{ } ',
    '[{}, [], {"a": []}, [[]]]',
    '{"a":"}{][,:\\"","b":"\\\\","c":"\\\\\\"}"}',
    '{"text":"{\\"a\\":1,\\"a\\":2}"}',
    '[{"role":"user","content":"x"},{"role":"assistant","content":"y"}]',
    '{"a":{"x":1},"b":{"x":2},"c":[{"x":3},{"x":4}]}',
    '{"a":1,"A":2,"a ":3," a":4}',
    '{"":1,"\\u0000":2}',
    '{"ключ":"значение","🙂":"\\ud83d\\ude42"}',
    '[1,-0,0.5,1e5,2E-3,true,false,null,"s"]',
  ];
  for (const text of valid) {
    test(`accepts ${text.slice(0, 40)}`, () => {
      assert.equal(findJsonStructureProblem(text), undefined);
      assert.deepEqual(parseCheckedJson(text), JSON.parse(text));
    });
  }

  test('accepts JSON.stringify output of a typical chat body with tools', () => {
    const body = JSON.stringify({
      model: 'Qwen/Qwen3-8B', stream: true, temperature: 0.2,
      messages: [{ role: 'system', content: 'Be brief: {"json": [1,2]}' }, { role: 'user', content: 'Quote: "\\" \n\t' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'array', items: { type: 'object', properties: { b: { type: 'string' } } } } } } } }],
    });
    assert.equal(findJsonStructureProblem(body), undefined);
  });
});

describe('findJsonStructureProblem: depth', () => {
  test('exactly the limit passes, one more is refused (arrays and objects)', () => {
    const limit = DEFAULT_JSON_STRUCTURE_LIMITS.maxDepth;
    assert.equal(limit, 64);
    assert.equal(findJsonStructureProblem(nested(limit)), undefined);
    assert.deepEqual(findJsonStructureProblem(nested(limit + 1)), { kind: 'too_deep', limit });
    assert.equal(findJsonStructureProblem(objectNested(limit)), undefined);
    assert.deepEqual(findJsonStructureProblem(objectNested(limit + 1)), { kind: 'too_deep', limit });
  });

  test('a custom limit applies; depth is counted, not total containers', () => {
    assert.equal(findJsonStructureProblem('[[1],[2],[3],{"a":1}]', { maxDepth: 2 }), undefined);
    assert.deepEqual(findJsonStructureProblem('[[1],[[2]]]', { maxDepth: 2 }), { kind: 'too_deep', limit: 2 });
  });

  test('brackets inside strings do not count', () => {
    assert.equal(findJsonStructureProblem(`["${'['.repeat(1000)}"]`, { maxDepth: 1 }), undefined);
  });

  test('100 000 levels are refused without a stack overflow, even unclosed', () => {
    assert.deepEqual(findJsonStructureProblem(nested(100_000)), { kind: 'too_deep', limit: 64 });
    assert.deepEqual(findJsonStructureProblem('['.repeat(100_000)), { kind: 'too_deep', limit: 64 });
    assert.equal(codeOf(() => parseCheckedJson(nested(5_000))), 'CCN_ERR_HTTP_JSON_TOO_DEEP');
  });
});

describe('findJsonStructureProblem: value cap', () => {
  test('exactly the cap passes, one more is refused (containers and scalars count)', () => {
    assert.equal(findJsonStructureProblem('[1,2,3]', { maxValues: 4 }), undefined);
    assert.deepEqual(findJsonStructureProblem('[1,2,3,4]', { maxValues: 4 }), { kind: 'too_complex', limit: 4 });
    assert.equal(findJsonStructureProblem('{"a":{},"b":[]}', { maxValues: 3 }), undefined);
    assert.deepEqual(findJsonStructureProblem('{"a":{},"b":[],"c":""}', { maxValues: 3 }), { kind: 'too_complex', limit: 3 });
  });

  test('the default cap is 100 000 values', () => {
    const within = `[${Array.from({ length: 99_999 }, () => '0').join(',')}]`;
    assert.equal(findJsonStructureProblem(within), undefined);
    assert.deepEqual(findJsonStructureProblem(`[0,${within.slice(1)}`), { kind: 'too_complex', limit: 100_000 });
  });

  test('500 000 keys are refused as too complex (not as a duplicate, not parsed)', () => {
    const keys = Array.from({ length: 500_000 }, (_, index) => `"k${index}":${index}`).join(',');
    assert.deepEqual(findJsonStructureProblem(`{${keys},"k0":1}`), { kind: 'too_complex', limit: 100_000 });
    assert.equal(codeOf(() => parseCheckedJson(`{${keys}}`)), 'CCN_ERR_HTTP_JSON_TOO_COMPLEX');
  });
});

describe('findJsonStructureProblem: duplicate keys', () => {
  test('top level, nested and in objects inside arrays', () => {
    assert.deepEqual(findJsonStructureProblem('{"a":1,"a":2}'), { kind: 'duplicate_key', key: 'a' });
    assert.deepEqual(findJsonStructureProblem('{"x":{"b":1,"c":2,"b":3}}'), { kind: 'duplicate_key', key: 'b' });
    assert.deepEqual(findJsonStructureProblem('[{"r":1},{"r":1,"r":2}]'), { kind: 'duplicate_key', key: 'r' });
  });

  test('keys compare after unescaping', () => {
    assert.deepEqual(findJsonStructureProblem('{"a":1,"\\u0061":2}'), { kind: 'duplicate_key', key: 'a' });
    assert.deepEqual(findJsonStructureProblem('{"\\/":1,"/":2}'), { kind: 'duplicate_key', key: '/' });
    assert.deepEqual(findJsonStructureProblem('{"a\\\\":1,"a\\\\":2}'), { kind: 'duplicate_key', key: 'a\\' });
    assert.equal(findJsonStructureProblem('{"a\\\\":1,"a":2}'), undefined);
  });

  test('non-ASCII keys compare as JSON.parse decodes them (UTF-8, escapes, invalid bytes)', () => {
    assert.deepEqual(findJsonStructureProblem('{"ключ":1,"ключ":2}'), { kind: 'duplicate_key', key: 'ключ' });
    assert.deepEqual(findJsonStructureProblem('{"é":1,"\\u00e9":2}'), { kind: 'duplicate_key', key: 'é' });
    assert.equal(findJsonStructureProblem('{"é":1,"e":2}'), undefined);
    // Two different invalid UTF-8 bytes both decode to U+FFFD: JSON.parse would keep one of them.
    const invalid = Buffer.concat([Buffer.from('{"'), Buffer.from([0xff]), Buffer.from('":1,"'), Buffer.from([0xfe]), Buffer.from('":2}')]);
    assert.deepEqual(findJsonStructureProblem(invalid), { kind: 'duplicate_key', key: '\ufffd' });
    assert.equal(Object.keys(JSON.parse(invalid.toString('utf8')) as object).length, 1);
  });

  test('a buffer view into a larger allocation is read from its own offset', () => {
    const pool = Buffer.from('xxxx{"a":1,"a":2}yyyy');
    assert.deepEqual(findJsonStructureProblem(pool.subarray(4, pool.length - 4)), { kind: 'duplicate_key', key: 'a' });
  });

  test('large objects (checked through a set) find duplicates too', () => {
    const keys = Array.from({ length: 50 }, (_, index) => `"k${index}":0`).join(',');
    assert.equal(findJsonStructureProblem(`{${keys}}`), undefined);
    assert.deepEqual(findJsonStructureProblem(`{${keys},"k17":1}`), { kind: 'duplicate_key', key: 'k17' });
    assert.deepEqual(findJsonStructureProblem(`{${keys},"\\u006b3":1}`), { kind: 'duplicate_key', key: 'k3' });
  });

  test('long keys are named truncated', () => {
    const key = 'k'.repeat(5000);
    const problem = findJsonStructureProblem(`{"${key}":1,"${key}":2}`);
    assert.deepEqual(problem, { kind: 'duplicate_key', key: `${'k'.repeat(MAX_QUOTED_KEY_CHARS)}…` });
    const error = jsonStructureError(problem!);
    assert.equal(error.code, 'CCN_ERR_HTTP_JSON_DUPLICATE_KEY');
    assert.ok(error.message.length < 200);
  });
});

describe('findJsonStructureProblem: grammar', () => {
  const broken = ['', ' ', '{', '[', '}', ']', '{"a"}', '{"a":}', '{"a" 1}', '{a:1}', '[1,]', '{"a":1,}', '[,1]', '[1 2]',
    '"unterminated', '{"a":"x}', '{} {}', '[]]', '[}', '{]', '{"a":1:2}', '{"\\x":1}', '1 2'];
  for (const text of broken) {
    test(`refuses ${JSON.stringify(text)} as syntax (JSON.parse agrees)`, () => {
      assert.equal(findJsonStructureProblem(text)?.kind, 'syntax');
      assert.throws(() => JSON.parse(text));
      assert.equal(codeOf(() => parseCheckedJson(text)), 'CCN_ERR_HTTP_BAD_JSON');
    });
  }

  test('bad scalars pass the checker and are refused by JSON.parse as BAD_JSON', () => {
    assert.equal(findJsonStructureProblem('[tru]'), undefined);
    assert.equal(codeOf(() => parseCheckedJson('[tru]')), 'CCN_ERR_HTTP_BAD_JSON');
    assert.equal(codeOf(() => parseCheckedJson('["\\q"]')), 'CCN_ERR_HTTP_BAD_JSON');
  });
});

describe('jsonStructureError and parseCheckedJson', () => {
  test('errors carry the table codes, 400, and messages that state the limit', () => {
    const deep = jsonStructureError({ kind: 'too_deep', limit: 64 });
    assert.deepEqual([deep.code, deep.httpStatus, deep.message], ['CCN_ERR_HTTP_JSON_TOO_DEEP', 400, 'request JSON is nested deeper than 64 levels']);
    const complex = jsonStructureError({ kind: 'too_complex', limit: 100_000 });
    assert.deepEqual([complex.code, complex.httpStatus, complex.message], ['CCN_ERR_HTTP_JSON_TOO_COMPLEX', 400, 'request JSON has more than 100000 values']);
    const duplicate = jsonStructureError({ kind: 'duplicate_key', key: 'model' });
    assert.deepEqual([duplicate.code, duplicate.httpStatus, duplicate.message, duplicate.param], ['CCN_ERR_HTTP_JSON_DUPLICATE_KEY', 400, "request JSON has a duplicate key 'model'", 'model']);
  });

  test('parses buffers (UTF-8) and strings', () => {
    assert.deepEqual(parseCheckedJson(Buffer.from('{"ä":[1]}')), { ä: [1] });
    assert.equal(parseCheckedJson(' 7 '), 7);
  });
});

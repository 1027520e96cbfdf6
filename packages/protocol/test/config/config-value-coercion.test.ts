/**
 * Turning env/flag text into the value a field schema expects: which input kinds a schema
 * accepts (through defaults, optionals, pipes and unions), which fields are boolean switches, and
 * the coercion of each kind with the "expected …" message that names what would have fitted.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { coerceConfigValue, configInputKinds, isBooleanField } from '../../src/config/config-value-coercion.ts';
import { nanotonSchema, peerPolicyField } from '../../src/config/index.ts';

describe('configInputKinds', () => {
  const cases: Array<[string, z.ZodType, string[]]> = [
    ['string', z.string(), ['string']],
    ['enum behind default', z.enum(['a', 'b']).default('a'), ['string']],
    ['int with bounds', z.number().int().min(1), ['number']],
    ['optional boolean', z.boolean().optional(), ['boolean']],
    ['nullable readonly array', z.array(z.string()).readonly().nullable(), ['json']],
    ['object and record', z.union([z.object({ a: z.number() }), z.record(z.string(), z.number())]), ['json']],
    ['nanoTON: string or number piped to bigint', nanotonSchema, ['string', 'number']],
    ['literals of three kinds', z.union([z.literal(1), z.literal(true), z.literal('x')]), ['number', 'boolean', 'string']],
    ['peer policy (registry-wrapped default)', peerPolicyField('tdx'), ['string']],
    ['unknown schema kind', z.any(), ['any']],
  ];
  for (const [name, schema, kinds] of cases) {
    test(name, () => assert.deepEqual([...configInputKinds(schema)].sort(), [...kinds].sort()));
  }

  test('isBooleanField only for a field that is nothing but a boolean', () => {
    assert.equal(isBooleanField(z.boolean().default(false)), true);
    assert.equal(isBooleanField(z.union([z.boolean(), z.literal(false)])), true);
    assert.equal(isBooleanField(z.union([z.boolean(), z.string()])), false);
    assert.equal(isBooleanField(z.string()), false);
  });
});

describe('coerceConfigValue', () => {
  const ok = (schema: z.ZodType, text: string): unknown => {
    const result = coerceConfigValue(schema, text);
    assert.ok(result.ok, `'${text}' should coerce`);
    return result.value;
  };
  const expected = (schema: z.ZodType, text: string): string => {
    const result = coerceConfigValue(schema, text);
    assert.ok(!result.ok, `'${text}' should not coerce`);
    return result.expected;
  };

  test('numbers: decimal, negative, exponent and surrounding spaces; empty and words are refused', () => {
    const port = z.number().int();
    assert.equal(ok(port, '11000'), 11000);
    assert.equal(ok(port, ' -5 '), -5);
    assert.equal(ok(port, '1e3'), 1000);
    assert.equal(ok(port, '0x10'), 16, 'Number() syntax, then the schema decides');
    for (const text of ['', '   ', 'abc', '12abc', 'Infinity', 'NaN']) assert.equal(expected(port, text), 'a number', text);
  });

  test('booleans: the eight words in any case; anything else names a boolean', () => {
    const flag = z.boolean();
    for (const word of ['true', 'TRUE', '1', 'yes', 'On', ' on ']) assert.equal(ok(flag, word), true, word);
    for (const word of ['false', 'False', '0', 'no', 'OFF']) assert.equal(ok(flag, word), false, word);
    for (const word of ['', 'y', '2', 'enabled']) assert.equal(expected(flag, word), 'a boolean', word);
  });

  test('strings are kept exactly, spaces included', () => {
    assert.equal(ok(z.string(), '  two words  '), '  two words  ');
    assert.equal(ok(z.string(), ''), '');
    assert.equal(ok(z.enum(['any', 'tdx']), 'nonsense'), 'nonsense', 'the enum check is the schema’s, not the coercion’s');
  });

  test('JSON for arrays and objects; broken JSON says so', () => {
    assert.deepEqual(ok(z.array(z.string()), ' ["a","b"] '), ['a', 'b']);
    assert.deepEqual(ok(z.object({ a: z.number() }), '{"a":1}'), { a: 1 });
    assert.equal(expected(z.array(z.string()), '["a",'), 'valid JSON');
    assert.equal(expected(z.array(z.string()), 'a,b'), 'JSON', 'a list must be written as JSON');
  });

  test('a string-or-number field keeps the text (the schema parses it), so big amounts lose no digits', () => {
    assert.equal(ok(nanotonSchema, '123456789012345678901'), '123456789012345678901');
    assert.equal(nanotonSchema.parse(ok(nanotonSchema, '123456789012345678901')), 123456789012345678901n);
  });

  test('a number-or-boolean field tries the number first, then the boolean words', () => {
    const either = z.union([z.number(), z.boolean()]);
    assert.equal(ok(either, '1'), 1);
    assert.equal(ok(either, 'yes'), true);
    assert.equal(expected(either, 'maybe'), 'a number or a boolean');
  });
});

/**
 * Tests of the TL generator: the committed generated/cocoon-api-types.ts and
 * generated/cocoon-api-schema.ts are what schema/cocoon-api.tl renders to today (else: run
 * `npm run generate:tl`), the naming, union and flag rules on small
 * schemas, refusals of schemas that cannot be typed, and that every generated `<Name>Flag` constant
 * holds the schema's bit, the one the encoder sets when exactly those optional fields are present.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderTlTypes, tlPascalName } from '../../scripts/render-tl-types.ts';
import { renderTlSchemaModule } from '../../scripts/render-tl-schema-module.ts';
import { COCOON_SCHEMA_TEXT, cocoonSchema, decodeBoxed, encodeBoxed } from '../../src/tl/index.ts';
import * as generatedTypes from '../../src/tl/generated/cocoon-api-types.ts';
import { sampleObject } from './tl-sample-values.ts';

const GENERATED_PATH = new URL('../../src/tl/generated/cocoon-api-types.ts', import.meta.url);
const SCHEMA_MODULE_PATH = new URL('../../src/tl/generated/cocoon-api-schema.ts', import.meta.url);
/** The schema file itself (the codec's COCOON_SCHEMA_TEXT comes from the generated module, which may be stale). */
const SCHEMA_FILE_TEXT = readFileSync(new URL('../../schema/cocoon-api.tl', import.meta.url), 'utf8');
const codeOf = (error: unknown): unknown => (error as { code?: unknown }).code;

function assertCommittedEquals(path: URL, rendered: string, name: string): void {
  const committed = readFileSync(path, 'utf8');
  if (committed !== rendered) {
    const committedLines = committed.split('\n');
    const line = rendered.split('\n').findIndex((text, index) => text !== committedLines[index]);
    assert.fail(`packages/protocol/src/tl/generated/${name} is stale (first difference at line ${line + 1}): run npm run generate:tl`);
  }
}

describe('the committed generated types', () => {
  test('equal what the schema renders to now', () => {
    assertCommittedEquals(GENERATED_PATH, renderTlTypes(SCHEMA_FILE_TEXT), 'cocoon-api-types.ts');
  });

  test('the schema module equals what the schema renders to now, and holds the schema text byte for byte', () => {
    assertCommittedEquals(SCHEMA_MODULE_PATH, renderTlSchemaModule(SCHEMA_FILE_TEXT), 'cocoon-api-schema.ts');
    assert.equal(COCOON_SCHEMA_TEXT, SCHEMA_FILE_TEXT);
  });

  test('the schema module keeps backslashes, backticks and ${ of the text', async () => {
    const text = 'a\\b `c` ${d} $e {f}\n// é\n';
    const rendered = renderTlSchemaModule(text);
    const moduleUrl = `data:text/javascript,${encodeURIComponent(rendered.replace(': string =', ' ='))}`;
    const loaded = await import(moduleUrl) as { COCOON_SCHEMA_TEXT: string };
    assert.equal(loaded.COCOON_SCHEMA_TEXT, text);
    assert.ok(rendered.startsWith('/**\n * GENERATED FILE, DO NOT EDIT'));
  });

  test('rendering is deterministic and every line fits in 160 characters', () => {
    const rendered = renderTlTypes(COCOON_SCHEMA_TEXT);
    assert.equal(renderTlTypes(COCOON_SCHEMA_TEXT), rendered);
    assert.ok(rendered.startsWith('/**\n * GENERATED FILE, DO NOT EDIT'));
    assert.match(rendered, /npm run generate:tl/);
    for (const line of rendered.split('\n')) assert.ok(line.length <= 160, line);
  });

  test('name every constructor and function in the maps, with their result unions', () => {
    const rendered = renderTlTypes(COCOON_SCHEMA_TEXT);
    const section = (name: string): string => {
      const start = rendered.indexOf(`export interface ${name} `);
      return rendered.slice(start, rendered.indexOf('\n}\n', start));
    };
    for (const combinator of cocoonSchema.combinators.filter((entry) => !entry.isGeneric)) {
      const tsName = tlPascalName(combinator.name);
      assert.match(rendered, new RegExp(`^export type ${tsName} = \\{\\n?\\s*_: '${combinator.name.replace('.', '\\.')}'`, 'm'), combinator.name);
      // TlObjectMap extends TlConstructorMap with the function calls.
      const map = combinator.isFunction ? 'TlObjectMap' : 'TlConstructorMap';
      assert.ok(section(map).includes(`'${combinator.name}': ${tsName};`), combinator.name);
      if (combinator.isFunction) assert.ok(section('TlFunctionMap').includes(`'${combinator.name}': { request: ${tsName}; result: `), combinator.name);
    }
    assert.ok(section('TlFunctionMap').includes(`'client.runQueryEx': { request: ClientRunQueryEx; result: ClientQueryAnswerExType };`));
    assert.match(rendered, /^export type ProxyRunQueryEx = \{\n.*signed_payment: ProxySignedPaymentType;/m);
    assert.match(rendered, /^export type ProxySignedPaymentType = ProxySignedPayment \| ProxySignedPaymentEmpty; \/\/ proxy\.SignedPayment$/m);
    assert.match(rendered, /^export type ClientProxyConnectionAuth = ClientProxyConnectionAuthShort \| ClientProxyConnectionAuthLong;/m);
    assert.doesNotMatch(rendered, /export type Bool =|'vector'/);
  });
});

describe('renderTlTypes on small schemas', () => {
  const schema = `
    boolFalse#bc799737 = Bool;
    boolTrue#997275b5 = Bool;
    vector#1cb5c415 {t:Type} # [ t ] = Vector t;
    a.item#00000001 name:string size:int = a.Item;
    a.other#00000002 = a.Item;
    a.list#0000000a flags:# items:(vector a.item) boxed:(Vector a.Item) maybe:flags.3?a.Item extra:flags.0?true top:flags.31?long = a.List;
    ---functions---
    a.get#ffffffff id:long = a.List;
    a.check#fffffffe data:bytes key:int256 = Bool;
  `;
  const rendered = renderTlTypes(schema);

  test('types fields by the value model, optional conditional fields and flags', () => {
    assert.match(rendered, /^export type AItem = \{ _: 'a\.item'; name: string; size: number \};$/m);
    assert.match(rendered, /^export type AOther = \{ _: 'a\.other' \};$/m);
    assert.match(rendered, /_: 'a\.list'; flags\?: number; items: AItem\[\]; boxed: AItemType\[\]; maybe\?: AItemType; extra\?: boolean; top\?: bigint/);
    assert.match(rendered, /^export type AGet = \{ _: 'a\.get'; id: bigint \};$/m);
    assert.match(rendered, /^export type ACheck = \{ _: 'a\.check'; data: Buffer; key: Buffer \};$/m);
  });

  test('names unions after the type, with a Type suffix where a constructor has the name', () => {
    assert.match(rendered, /^export type AItemType = AItem \| AOther; \/\/ a\.Item$/m);
    assert.match(rendered, /^export type AListType = AList; \/\/ a\.List$/m);
    assert.match(rendered, /'a\.get': \{ request: AGet; result: AListType \};/);
    assert.match(rendered, /'a\.check': \{ request: ACheck; result: boolean \};/);
    const plain = renderTlTypes('b.first#00000001 = b.Thing;\nb.second#00000002 = b.Thing;');
    assert.match(plain, /^export type BThing = BFirst \| BSecond; \/\/ b\.Thing$/m);
  });

  test('flag bits come from the schema, bit 31 as an unsigned number', () => {
    assert.match(rendered, /^export const AListFlag = \{ maybe: 1 << 3, extra: 1 << 0, top: 2 \*\* 31 \} as const;$/m);
    assert.doesNotMatch(rendered, /AItemFlag/);
  });

  test('refuses names that collide and references that dangle', () => {
    const refuses = (text: string, pattern: RegExp): void => {
      assert.throws(() => renderTlTypes(text), (error: unknown) => codeOf(error) === 'CCN_ERR_INTERNAL' && pattern.test(String(error)));
    };
    refuses('a.fooBar#00000001 = a.X;\na.foo_bar#00000002 = a.X;', /a\.fooBar and .*AFooBar|a\.foo_bar and .*AFooBar/);
    refuses('a.x#00000001 = a.Y;\na.xType#00000002 = a.Z;\na.y#00000003 = a.X;', /XType/);
    refuses('a.x#00000001 item:a.Missing = a.X;', /a\.x\.item refers to type a\.Missing/);
    refuses('a.x#00000001 item:a.missing = a.X;', /a\.x\.item refers to unknown constructor a\.missing/);
    refuses('---functions---\na.get#00000001 = a.Nothing;', /a\.get answers with a\.Nothing/);
  });

  test('a union too long for one line gets one member per line', () => {
    const names = Array.from({ length: 8 }, (_, index) => `z.aVeryLongConstructorNameNumber${index}`);
    const text = renderTlTypes(names.map((name, index) => `${name}#0000000${index} = z.Long;`).join('\n'));
    assert.match(text, /^\/\/ z\.Long\nexport type ZLong =\n {2}\| ZAVeryLongConstructorNameNumber0\n/m);
    assert.match(text, /^ {2}\| ZAVeryLongConstructorNameNumber7;$/m);
  });
});

describe('generated flag constants', () => {
  const withConditions = cocoonSchema.combinators.filter((combinator) => combinator.fields.some((field) => field.condition));
  const constants = generatedTypes as unknown as Record<string, Record<string, number> | undefined>;

  test('exist for every combinator with conditional fields and hold the schema bits', () => {
    assert.ok(withConditions.length >= 10);
    for (const combinator of withConditions) {
      const flags = constants[`${tlPascalName(combinator.name)}Flag`];
      assert.ok(flags, combinator.name);
      const expected = Object.fromEntries(combinator.fields.flatMap((field) => (field.condition ? [[field.name, 2 ** field.condition.bit]] : [])));
      assert.deepEqual({ ...flags }, expected, combinator.name);
    }
    assert.equal(generatedTypes.ClientRunQueryExFlag.enable_debug, 1);
    assert.equal(generatedTypes.ClientQueryFinalInfoFlag.proxy_start_time, 2);
  });

  test('an object with only the fields of one bit present encodes exactly that bit', () => {
    for (const combinator of withConditions) {
      const flags = constants[`${tlPascalName(combinator.name)}Flag`] ?? {};
      for (const bit of new Set(Object.values(flags))) {
        const value = sampleObject(combinator);
        for (const [field, fieldBit] of Object.entries(flags)) if (fieldBit !== bit) delete value[field];
        const decoded = decodeBoxed(encodeBoxed(value));
        assert.equal(decoded.flags, bit, `${combinator.name} bit ${bit}`);
        for (const [field, fieldBit] of Object.entries(flags)) assert.equal(field in decoded, fieldBit === bit, `${combinator.name}.${field}`);
      }
    }
  });
});

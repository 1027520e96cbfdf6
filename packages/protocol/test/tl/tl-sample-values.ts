/**
 * Test helper: builds a sample value for any schema combinator (every optional field present,
 * `flags` left out so the encoder computes them), used for generic round-trip tests.
 */
import { cocoonSchema } from '../../src/tl/index.ts';
import type { TlCombinator, TlObject, TlTypeReference, TlValue } from '../../src/tl/index.ts';

const byName = new Map(cocoonSchema.combinators.map((combinator) => [combinator.name, combinator]));

function sampleOf(type: TlTypeReference, depth: number): TlValue {
  switch (type.kind) {
    case 'flags': return 0;
    case 'vector': return [sampleOf(type.item, depth + 1), sampleOf(type.item, depth + 1)];
    case 'bare': return sampleObject(byName.get(type.constructorName) as TlCombinator, depth + 1);
    case 'boxed': {
      const member = cocoonSchema.combinators.find((combinator) => combinator.resultType === type.typeName && !combinator.isFunction);
      return sampleObject(member as TlCombinator, depth + 1);
    }
    case 'builtin':
      switch (type.name) {
        case 'int': return -123456 + depth;
        case 'long': return -(2n ** 62n) + BigInt(depth);
        case 'double': return 2.5 + depth;
        case 'int128': return Buffer.alloc(16, 0x5a);
        case 'int256': return Buffer.alloc(32, 0xa5);
        case 'string': return `héllo ✓ ${depth}`;
        case 'bytes': return Buffer.from([1, 2, 3, depth]);
        case 'Bool': return depth % 2 === 0;
        case 'true': return true;
      }
  }
}

export function sampleObject(combinator: TlCombinator, depth = 0): TlObject {
  const object: TlObject = { _: combinator.name };
  for (const field of combinator.fields) {
    if (field.type.kind !== 'flags') object[field.name] = sampleOf(field.type, depth);
  }
  return object;
}

/** Deep copy of a value without any `flags` fields. */
export function withoutFlags(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutFlags);
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'flags').map(([key, field]) => [key, withoutFlags(field)]));
}

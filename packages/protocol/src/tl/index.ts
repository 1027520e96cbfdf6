/** Public API of the schema-driven TL codec. */
export type { TlValue, TlObject, TlSchema, TlCombinator, TlField, TlTypeReference } from './tl-types.ts';
export {
  encodeBoxed, decodeBoxed, constructorId, constructorNameOf, expectBoxed, findCombinator,
  writeBoxed, readBoxed, encodeBoxedWithHeaderRoom, cocoonSchema, COCOON_SCHEMA_TEXT, decodeBoxedAs,
} from './tl-codec.ts';
export { isTlObject, expectTlObject } from './tl-object-guards.ts';
export { parseTlSchema } from './tl-schema-parser.ts';
export { TlReader } from './tl-reader.ts';
export { TlWriter } from './tl-writer.ts';
export type * from './tl-messages.ts';
export * from './generated/cocoon-api-types.ts';

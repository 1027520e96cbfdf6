/**
 * Value model of the TL codec (how wire data maps to JS values) and the parsed-schema model
 * (combinators and field types) produced by the schema parser.
 */

/**
 * int → number (signed 32), long → bigint (signed 64), double → number, int128/int256 → Buffer,
 * string → string (a Buffer when the bytes are not valid UTF-8), bytes → Buffer, Bool → boolean,
 * flags `#` → number (unsigned 32), vector → array, nested object (bare or boxed) → TlObject.
 */
export type TlValue = number | bigint | boolean | string | Buffer | TlObject | TlValue[];

/** A TL object: `_` is its constructor (or function) name, the other keys are its fields. */
export interface TlObject {
  _: string;
  [field: string]: TlValue | undefined;
}

/** A field type as written in the schema. */
export type TlTypeReference =
  | { kind: 'builtin'; name: TlBuiltinName }
  | { kind: 'flags' }
  | { kind: 'bare'; constructorName: string }
  | { kind: 'boxed'; typeName: string }
  | { kind: 'vector'; boxed: boolean; item: TlTypeReference };

export type TlBuiltinName = 'int' | 'long' | 'double' | 'int128' | 'int256' | 'string' | 'bytes' | 'Bool' | 'true';

/** `flags.N?Type`: the field is present only when bit N of the named `#` field is set. */
export interface TlFieldCondition {
  flagField: string;
  bit: number;
}

export interface TlField {
  name: string;
  type: TlTypeReference;
  condition: TlFieldCondition | undefined;
}

/** One schema line: a constructor (`isFunction` false) or an RPC function. */
export interface TlCombinator {
  name: string;
  id: number;
  fields: TlField[];
  resultType: string;
  isFunction: boolean;
  /** Generic built-ins such as `vector {t:Type}`: only the ID is known, no codec. */
  isGeneric: boolean;
}

export interface TlSchema {
  combinators: TlCombinator[];
}

/**
 * Renders the TypeScript types of a TL schema as the text of src/tl/generated/cocoon-api-types.ts:
 * one object type per constructor and per function, one discriminated union per boxed result type,
 * the name → type maps used by the typed codec entry points, and the flag bits of every
 * combinator with conditional fields. Pure (schema text in, file text out) and deterministic, so a
 * test can compare it with the committed file. Run through generate-tl-types.ts (npm run generate:tl).
 */
import { CocoonError } from '../src/errors/error-table.ts';
import { parseTlSchema } from '../src/tl/tl-schema-parser.ts';
import type { TlBuiltinName, TlCombinator, TlTypeReference } from '../src/tl/tl-types.ts';

const MAX_LINE_LENGTH = 160;
const INDENT = '  ';

/** TypeScript type of each built-in, as the codec decodes it (tl-types.ts, TlValue). */
const BUILTIN_TYPES: Record<TlBuiltinName, string> = {
  int: 'number', long: 'bigint', double: 'number', int128: 'Buffer', int256: 'Buffer', string: 'string', bytes: 'Buffer', Bool: 'boolean', true: 'boolean',
};

const HEADER = `/**
 * GENERATED FILE, DO NOT EDIT: TypeScript types of every COCOON wire message, generated from
 * packages/protocol/schema/cocoon-api.tl by packages/protocol/scripts/generate-tl-types.ts.
 * After changing the schema run \`npm run generate:tl\` (test/tl/generated-types.test.ts fails while this file is stale).
 *
 * One type per constructor and function, named in PascalCase after its TL name (client.runQueryEx → ClientRunQueryEx),
 * with \`_\` as its literal discriminant; one union per boxed TL type, named after the type (client.ProxyConnectionAuth →
 * ClientProxyConnectionAuth), or with a \`Type\` suffix where that name is already a constructor's (tcp.Packet → TcpPacketType).
 * Values as the codec produces them: int, double and # → number, long → bigint, int128, int256 and bytes → Buffer,
 * string → string (a string whose bytes are not valid UTF-8 decodes as a Buffer, which these types do not model),
 * Bool and \`true\` → boolean, (vector T) → T[]. Conditional \`flags.N?\` fields are optional; \`flags\` is optional too (on
 * encode it is computed from the optional fields present), and \`<Name>Flag\` holds the bit of each conditional field.
 */
`;

/** PascalCase of a TL name: `client.runQueryEx` → `ClientRunQueryEx`, `tokensUsed` → `TokensUsed`. */
export function tlPascalName(name: string): string {
  return name.split(/[._]/).filter((part) => part !== '').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

function generatorError(message: string): CocoonError {
  return new CocoonError('CCN_ERR_INTERNAL', `TL types: ${message}`);
}

/** The TypeScript names chosen for the schema's constructors, functions and boxed types. */
interface Naming {
  /** Constructor (not function) TL name → its type name. */
  readonly constructors: ReadonlyMap<string, string>;
  /** Function TL name → its request type name. */
  readonly functions: ReadonlyMap<string, string>;
  /** Boxed TL type name → its union name. */
  readonly unions: ReadonlyMap<string, string>;
  /** Boxed TL type name → its constructors, in schema order. */
  readonly members: ReadonlyMap<string, readonly TlCombinator[]>;
}

function chooseNames(combinators: readonly TlCombinator[]): Naming {
  const taken = new Map<string, string>();
  const claim = (tsName: string, owner: string): void => {
    const previous = taken.get(tsName);
    if (previous !== undefined) throw generatorError(`${owner} and ${previous} would both be named ${tsName}`);
    taken.set(tsName, owner);
  };
  const constructors = new Map<string, string>();
  const functions = new Map<string, string>();
  const members = new Map<string, TlCombinator[]>();
  for (const combinator of combinators) {
    const tsName = tlPascalName(combinator.name);
    claim(tsName, combinator.name);
    (combinator.isFunction ? functions : constructors).set(combinator.name, tsName);
    if (hasConditionalFields(combinator)) claim(`${tsName}Flag`, `the flag bits of ${combinator.name}`);
    if (combinator.isFunction || combinator.resultType in BUILTIN_TYPES) continue;
    const list = members.get(combinator.resultType) ?? [];
    list.push(combinator);
    members.set(combinator.resultType, list);
  }
  const unions = new Map<string, string>();
  for (const typeName of members.keys()) {
    const plain = tlPascalName(typeName);
    const tsName = taken.has(plain) ? `${plain}Type` : plain;
    claim(tsName, `type ${typeName}`);
    unions.set(typeName, tsName);
  }
  return { constructors, functions, unions, members };
}

function hasConditionalFields(combinator: TlCombinator): boolean {
  return combinator.fields.some((field) => field.condition !== undefined);
}

function typeExpression(type: TlTypeReference, naming: Naming, path: string): string {
  switch (type.kind) {
    case 'builtin': return BUILTIN_TYPES[type.name];
    case 'flags': return 'number';
    case 'bare': {
      const tsName = naming.constructors.get(type.constructorName);
      if (tsName === undefined) throw generatorError(`${path} refers to unknown constructor ${type.constructorName}`);
      return tsName;
    }
    case 'boxed': {
      const tsName = naming.unions.get(type.typeName);
      if (tsName === undefined) throw generatorError(`${path} refers to type ${type.typeName}, which has no constructor`);
      return tsName;
    }
    case 'vector': return `${typeExpression(type.item, naming, `${path}[]`)}[]`;
  }
}

function propertyKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`;
}

function hexId(id: number): string {
  return id.toString(16).padStart(8, '0');
}

/**
 * `{ a: A; b: B }` on the declaration line when it fits, else the members packed into indented
 * lines of at most MAX_LINE_LENGTH characters (always the same output for the same members).
 */
function renderBraces(opening: string, members: readonly string[], separator: string, closing: string): string[] {
  const oneLine = `${opening} { ${members.join(`${separator} `)} }${closing}`;
  if (oneLine.length <= MAX_LINE_LENGTH) return [oneLine];
  const lines = [`${opening} {`];
  let current = '';
  for (const member of members) {
    const candidate = current === '' ? `${INDENT}${member}${separator}` : `${current} ${member}${separator}`;
    if (candidate.length > MAX_LINE_LENGTH && current !== '') {
      lines.push(current);
      current = `${INDENT}${member}${separator}`;
    } else {
      current = candidate;
    }
  }
  if (current !== '') lines.push(current);
  lines.push(`}${closing}`);
  return lines;
}

function renderObjectType(combinator: TlCombinator, naming: Naming): string[] {
  const tsName = tlPascalName(combinator.name);
  const members = [`_: '${combinator.name}'`, ...combinator.fields.map((field) => {
    const optional = field.condition !== undefined || field.type.kind === 'flags';
    return `${propertyKey(field.name)}${optional ? '?' : ''}: ${typeExpression(field.type, naming, `${combinator.name}.${field.name}`)}`;
  })];
  const role = combinator.isFunction ? 'Function' : 'Constructor';
  const relation = combinator.isFunction ? ', answered with' : ' of';
  return [
    `/** ${role} \`${combinator.name}#${hexId(combinator.id)}\`${relation} \`${combinator.resultType}\`. */`,
    ...renderBraces(`export type ${tsName} =`, members, ';', ';'),
  ];
}

function bitExpression(bit: number): string {
  // 1 << 31 is negative in JavaScript; flags are unsigned.
  return bit === 31 ? '2 ** 31' : `1 << ${bit}`;
}

/**
 * `export const <Name>Flag = { field: 1 << bit, … } as const;`, keyed by field name (unique in a
 * combinator); the bit is within the field's own `#` field (the schema has one, `flags`, so far).
 */
function renderFlagBits(combinator: TlCombinator): string[] {
  const members = combinator.fields.flatMap((field) => (field.condition ? [`${propertyKey(field.name)}: ${bitExpression(field.condition.bit)}`] : []));
  if (members.length === 0) return [];
  return renderBraces(`export const ${tlPascalName(combinator.name)}Flag =`, members, ',', ' as const;');
}

/** `export type Name = A | B; // type.Name` on one line when it fits, else one member per line. */
function renderUnion(typeName: string, naming: Naming): string[] {
  const tsName = naming.unions.get(typeName) ?? '';
  const memberNames = (naming.members.get(typeName) ?? []).map((member) => tlPascalName(member.name));
  const oneLine = `export type ${tsName} = ${memberNames.join(' | ')}; // ${typeName}`;
  if (oneLine.length <= MAX_LINE_LENGTH) return [oneLine];
  return [`// ${typeName}`, `export type ${tsName} =`, ...memberNames.map((name, index) => `${INDENT}| ${name}${index === memberNames.length - 1 ? ';' : ''}`)];
}

function resultTypeExpression(combinator: TlCombinator, naming: Naming): string {
  const builtin = BUILTIN_TYPES[combinator.resultType as TlBuiltinName] as string | undefined;
  if (builtin !== undefined) return builtin;
  const tsName = naming.unions.get(combinator.resultType);
  if (tsName === undefined) throw generatorError(`function ${combinator.name} answers with ${combinator.resultType}, which has no constructor`);
  return tsName;
}

function renderMaps(combinators: readonly TlCombinator[], naming: Naming): string[] {
  const entry = (name: string, value: string): string => `${INDENT}'${name}': ${value};`;
  const constructors = combinators.filter((combinator) => !combinator.isFunction);
  const functions = combinators.filter((combinator) => combinator.isFunction);
  const functionEntry = (combinator: TlCombinator): string[] => {
    const request = tlPascalName(combinator.name);
    const result = resultTypeExpression(combinator, naming);
    const line = entry(combinator.name, `{ request: ${request}; result: ${result} }`);
    if (line.length <= MAX_LINE_LENGTH) return [line];
    return [`${INDENT}'${combinator.name}': {`, `${INDENT}${INDENT}request: ${request};`, `${INDENT}${INDENT}result: ${result};`, `${INDENT}};`];
  };
  return [
    '/** Every constructor name → its type (what decodeBoxed returns for it). */',
    'export interface TlConstructorMap {',
    ...constructors.map((combinator) => entry(combinator.name, tlPascalName(combinator.name))),
    '}',
    '',
    '/** Every function name → the type of its call and the union of the answers it may get. */',
    'export interface TlFunctionMap {',
    ...functions.flatMap(functionEntry),
    '}',
    '',
    '/** Every name encodeBoxed accepts and decodeBoxed may return (constructors and function calls) → its type. */',
    'export interface TlObjectMap extends TlConstructorMap {',
    ...functions.map((combinator) => entry(combinator.name, tlPascalName(combinator.name))),
    '}',
    '',
    '/** The name of any constructor or function of the schema. */',
    'export type TlObjectName = keyof TlObjectMap;',
    '/** Any constructor or function call of the schema, told apart by `_`. */',
    'export type TlAnyObject = TlObjectMap[TlObjectName];',
  ];
}

/** Renders the generated module for `schemaText`; throws CCN_ERR_INTERNAL on names that collide or dangle. */
export function renderTlTypes(schemaText: string): string {
  const combinators = parseTlSchema(schemaText).combinators.filter((combinator) => !combinator.isGeneric);
  const naming = chooseNames(combinators);
  const blocks: string[][] = combinators.map((combinator) => [...renderObjectType(combinator, naming), ...renderFlagBits(combinator)]);
  blocks.push(['// One union per boxed TL type (the schema name after each).', ...[...naming.members.keys()].flatMap((typeName) => renderUnion(typeName, naming))]);
  blocks.push(renderMaps(combinators, naming));
  const text = `${HEADER}\n${blocks.map((block) => block.join('\n')).join('\n\n')}\n`;
  const tooLong = text.split('\n').findIndex((line) => line.length > MAX_LINE_LENGTH);
  if (tooLong >= 0) throw generatorError(`generated line ${tooLong + 1} is longer than ${MAX_LINE_LENGTH} characters`);
  return text;
}

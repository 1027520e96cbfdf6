/**
 * Parses the text of a TL schema (`name#id field:type ... = Type;`, `---functions---` /
 * `---types---` sections, `//` comments) into combinators. Every declaration must carry an
 * explicit constructor ID: the wire IDs come from the reference's compiled schema, not from CRC32.
 */
import { CocoonError } from '../errors/error-table.ts';
import type { TlBuiltinName, TlCombinator, TlField, TlFieldCondition, TlSchema, TlTypeReference } from './tl-types.ts';

const BUILTIN_NAMES: ReadonlySet<string> = new Set<TlBuiltinName>(['int', 'long', 'double', 'int128', 'int256', 'string', 'bytes', 'Bool', 'true']);
const HEADER_PATTERN = /^([A-Za-z_][\w.]*)#([0-9a-fA-F]{1,8})$/;
const CONDITION_PATTERN = /^([A-Za-z_]\w*)\.(\d+)\?(.+)$/;
/** Splits a declaration into tokens, keeping `(vector x.y)` groups whole. */
const TOKEN_PATTERN = /[^\s(]*\([^)]*\)\S*|\S+/g;

function schemaError(message: string, statement: string): CocoonError {
  return new CocoonError('CCN_ERR_INTERNAL', `TL schema: ${message} in "${statement}"`);
}

/** Whether a (possibly namespaced) type name denotes a bare concrete type (lower-case last part). */
export function isBareTypeName(name: string): boolean {
  const last = name.slice(name.lastIndexOf('.') + 1);
  const first = last.charAt(0);
  return first !== '' && first === first.toLowerCase() && first !== first.toUpperCase();
}

function parseType(text: string, statement: string): TlTypeReference {
  if (text === '#') return { kind: 'flags' };
  const group = /^\((vector|Vector)\s+([^\s)]+)\)$/.exec(text) ?? /^(vector|Vector)<([^>]+)>$/.exec(text);
  if (group) return { kind: 'vector', boxed: group[1] === 'Vector', item: parseType(group[2] ?? '', statement) };
  if (!/^[A-Za-z_][\w.]*$/.test(text)) throw schemaError(`bad type "${text}"`, statement);
  if (BUILTIN_NAMES.has(text)) return { kind: 'builtin', name: text as TlBuiltinName };
  return isBareTypeName(text) ? { kind: 'bare', constructorName: text } : { kind: 'boxed', typeName: text };
}

function parseField(token: string, statement: string): TlField {
  const colon = token.indexOf(':');
  if (colon <= 0) throw schemaError(`bad field "${token}"`, statement);
  const name = token.slice(0, colon);
  let typeText = token.slice(colon + 1);
  let condition: TlFieldCondition | undefined;
  const conditional = CONDITION_PATTERN.exec(typeText);
  if (conditional) {
    condition = { flagField: conditional[1] ?? '', bit: Number(conditional[2]) };
    if (condition.bit > 31) throw schemaError(`flag bit out of range in "${token}"`, statement);
    typeText = conditional[3] ?? '';
  }
  return { name, type: parseType(typeText, statement), condition };
}

function parseStatement(statement: string, isFunction: boolean): TlCombinator {
  const equals = statement.lastIndexOf('=');
  if (equals < 0) throw schemaError('missing "="', statement);
  const resultType = statement.slice(equals + 1).trim().split(/\s+/)[0] ?? '';
  const tokens = statement.slice(0, equals).match(TOKEN_PATTERN) ?? [];
  const header = HEADER_PATTERN.exec(tokens[0] ?? '');
  if (!header) throw schemaError('declaration needs an explicit "name#id"', statement);
  const name = header[1] ?? '';
  const id = Number.parseInt(header[2] ?? '', 16) >>> 0;
  if (tokens.some((token) => token.startsWith('{'))) {
    return { name, id, fields: [], resultType, isFunction, isGeneric: true };
  }
  const fields = tokens.slice(1).map((token) => parseField(token, statement));
  for (const field of fields) {
    if (!field.condition) continue;
    const flagField = fields.find((candidate) => candidate.name === field.condition?.flagField);
    if (flagField?.type.kind !== 'flags' || fields.indexOf(flagField) > fields.indexOf(field)) {
      throw schemaError(`field "${field.name}" depends on an unknown or later flags field`, statement);
    }
  }
  return { name, id, fields, resultType, isFunction, isGeneric: false };
}

/** Parses schema text; throws CCN_ERR_INTERNAL on malformed or duplicate declarations. */
export function parseTlSchema(text: string): TlSchema {
  const withoutComments = text.replace(/\/\/[^\n]*/g, '');
  const combinators: TlCombinator[] = [];
  let isFunction = false;
  for (const part of withoutComments.split(/(---functions---|---types---)/)) {
    if (part === '---functions---' || part === '---types---') {
      isFunction = part === '---functions---';
      continue;
    }
    const statements = part.split(';');
    const tail = statements.pop() ?? '';
    if (tail.trim() !== '') throw schemaError('missing ";"', tail.trim());
    for (const raw of statements) {
      const statement = raw.replace(/\s+/g, ' ').trim();
      if (statement !== '') combinators.push(parseStatement(statement, isFunction));
    }
  }
  const names = new Set<string>();
  const ids = new Set<number>();
  for (const combinator of combinators) {
    if (names.has(combinator.name)) throw schemaError('duplicate name', combinator.name);
    if (ids.has(combinator.id)) throw schemaError('duplicate constructor ID', combinator.name);
    names.add(combinator.name);
    ids.add(combinator.id);
  }
  return { combinators };
}

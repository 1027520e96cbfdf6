/**
 * Converts the JSON Schema of an OpenAI request (tool `parameters`, `response_format.json_schema`)
 * into node-llama-cpp's grammar schema (GbnfJsonSchema), so generation can be constrained to it:
 * types (also type lists), enum, const, anyOf/oneOf, a single allOf, nullable, objects
 * (properties, additionalProperties; every listed property is generated, which satisfies
 * `required`), arrays (items, prefixItems, min/maxItems), strings (min/maxLength, date formats),
 * and `$ref` into `$defs`/`definitions`. Annotations (title, description, default, examples…)
 * are kept or dropped. Value constraints a grammar cannot enforce here (minimum, pattern…) are
 * ignored, or refused when the schema is `strict`; anything else unknown is refused, naming its path.
 */
import type { GbnfJsonSchema } from 'node-llama-cpp';
import { LlamaRequestError } from './llama-request-error.ts';

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'required', 'strict']);
/** Constraints that do not change which JSON shapes are generated; ignored unless strict. */
const UNENFORCED = new Set([
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'pattern', 'format', 'uniqueItems',
  'contains', 'minContains', 'maxContains', 'propertyNames', 'patternProperties', 'dependentRequired', 'contentEncoding', 'contentMediaType',
]);
const BASIC_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);
const GRAMMAR_FORMATS = new Set(['date-time', 'time', 'date']);
const MAX_DEPTH = 32;

const unsupported = (path: string, what: string): LlamaRequestError =>
  new LlamaRequestError('CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER', `'${path}': ${what} is not supported by the llama engine's grammar`, path);
const invalid = (path: string, what: string): LlamaRequestError => new LlamaRequestError('CCN_ERR_WORKER_INVALID_REQUEST', `'${path}' ${what}`, path);

function isLiteral(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

class SchemaConverter {
  readonly #strict: boolean;
  readonly #rootPath: string;

  constructor(strict: boolean, rootPath: string) {
    this.#strict = strict;
    this.#rootPath = rootPath;
  }

  convert(schema: unknown, path: string, depth: number): GbnfJsonSchema {
    if (depth > MAX_DEPTH) throw unsupported(path, `nesting deeper than ${MAX_DEPTH}`);
    if (schema === true || (isObject(schema) && Object.keys(schema).every((key) => ANNOTATIONS.has(key)))) return this.#anyValue();
    if (!isObject(schema)) throw invalid(path, 'must be a JSON Schema object');
    for (const key of Object.keys(schema)) this.#checkKeyword(schema, key, path);
    const description = typeof schema.description === 'string' ? { description: schema.description } : {};
    let converted = this.#convertShape(schema, path, depth);
    if (schema.nullable === true) converted = { oneOf: [converted, { type: 'null' }] };
    return { ...converted, ...description } as GbnfJsonSchema;
  }

  #checkKeyword(schema: JsonObject, key: string, path: string): void {
    if (ANNOTATIONS.has(key) || KNOWN.has(key)) {
      if (key === 'format' && typeof schema.format === 'string' && !GRAMMAR_FORMATS.has(schema.format) && this.#strict) throw unsupported(`${path}.format`, `format '${schema.format}'`);
      return;
    }
    if (UNENFORCED.has(key)) {
      if (this.#strict) throw unsupported(`${path}.${key}`, `'${key}'`);
      return;
    }
    throw unsupported(`${path}.${key}`, `the keyword '${key}'`);
  }

  #anyValue(): GbnfJsonSchema {
    return { oneOf: [{ type: ['string', 'number', 'boolean', 'null'] }, { type: 'object', additionalProperties: true }, { type: 'array' }] } as GbnfJsonSchema;
  }

  #convertShape(schema: JsonObject, path: string, depth: number): GbnfJsonSchema {
    if (schema.$ref !== undefined) return this.#ref(schema.$ref, `${path}.$ref`);
    if (schema.const !== undefined) {
      if (!isLiteral(schema.const)) throw unsupported(`${path}.const`, 'a non-scalar const');
      return { const: schema.const };
    }
    if (schema.enum !== undefined) {
      if (!Array.isArray(schema.enum) || schema.enum.length === 0) throw invalid(`${path}.enum`, 'must be a non-empty array');
      if (!schema.enum.every(isLiteral)) throw unsupported(`${path}.enum`, 'non-scalar enum values');
      return { enum: schema.enum };
    }
    for (const key of ['anyOf', 'oneOf'] as const) {
      const options = schema[key];
      if (options === undefined) continue;
      if (!Array.isArray(options) || options.length === 0) throw invalid(`${path}.${key}`, 'must be a non-empty array');
      return { oneOf: options.map((option, index) => this.convert(option, `${path}.${key}[${index}]`, depth + 1)) };
    }
    if (schema.allOf !== undefined) {
      if (!Array.isArray(schema.allOf) || schema.allOf.length !== 1) throw unsupported(`${path}.allOf`, 'allOf with other than one schema');
      return this.convert(schema.allOf[0], `${path}.allOf[0]`, depth + 1);
    }
    const type = schema.type;
    if (Array.isArray(type)) {
      if (type.length === 0) throw invalid(`${path}.type`, 'must not be empty');
      if (type.length === 1) return this.#typed(schema, type[0], path, depth);
      return { oneOf: type.map((single) => this.#typed(schema, single, path, depth)) };
    }
    if (type === undefined) {
      if (schema.properties !== undefined || schema.additionalProperties !== undefined) return this.#typed(schema, 'object', path, depth);
      if (schema.items !== undefined || schema.prefixItems !== undefined) return this.#typed(schema, 'array', path, depth);
      return this.#anyValue();
    }
    return this.#typed(schema, type, path, depth);
  }

  #typed(schema: JsonObject, type: unknown, path: string, depth: number): GbnfJsonSchema {
    if (type === 'object') return this.#object(schema, path, depth);
    if (type === 'array') return this.#array(schema, path, depth);
    if (type === 'string') {
      const format = typeof schema.format === 'string' && GRAMMAR_FORMATS.has(schema.format) ? schema.format : undefined;
      if (format !== undefined) return { type: 'string', format } as GbnfJsonSchema;
      return {
        type: 'string',
        ...(this.#count(schema, 'minLength', path) === undefined ? {} : { minLength: schema.minLength as number }),
        ...(this.#count(schema, 'maxLength', path) === undefined ? {} : { maxLength: schema.maxLength as number }),
      };
    }
    if (typeof type === 'string' && BASIC_TYPES.has(type)) return { type } as GbnfJsonSchema;
    throw invalid(`${path}.type`, `has an unknown type ${JSON.stringify(type)}`);
  }

  #count(schema: JsonObject, key: string, path: string): number | undefined {
    const value = schema[key];
    if (value === undefined) return undefined;
    if (!Number.isSafeInteger(value) || (value as number) < 0) throw invalid(`${path}.${key}`, 'must be a non-negative integer');
    return value as number;
  }

  #object(schema: JsonObject, path: string, depth: number): GbnfJsonSchema {
    const properties: Record<string, GbnfJsonSchema> = {};
    if (schema.properties !== undefined) {
      if (!isObject(schema.properties)) throw invalid(`${path}.properties`, 'must be an object');
      for (const [name, property] of Object.entries(schema.properties)) properties[name] = this.convert(property, `${path}.properties.${name}`, depth + 1);
    }
    const extra = schema.additionalProperties;
    // Without properties, an object schema allows any object; with them, only those are generated.
    let additionalProperties: boolean | GbnfJsonSchema = false;
    if (isObject(extra)) additionalProperties = this.convert(extra, `${path}.additionalProperties`, depth + 1);
    else if (extra === true) additionalProperties = true;
    else if (extra !== undefined && extra !== false) throw invalid(`${path}.additionalProperties`, 'must be a boolean or a schema');
    const minProperties = this.#count(schema, 'minProperties', path);
    const maxProperties = this.#count(schema, 'maxProperties', path);
    return {
      type: 'object',
      properties,
      additionalProperties,
      ...(minProperties === undefined ? {} : { minProperties }),
      ...(maxProperties === undefined ? {} : { maxProperties }),
    };
  }

  #array(schema: JsonObject, path: string, depth: number): GbnfJsonSchema {
    const minItems = this.#count(schema, 'minItems', path);
    const maxItems = this.#count(schema, 'maxItems', path);
    let prefixItems: GbnfJsonSchema[] | undefined;
    if (schema.prefixItems !== undefined) {
      if (!Array.isArray(schema.prefixItems)) throw invalid(`${path}.prefixItems`, 'must be an array');
      prefixItems = schema.prefixItems.map((item, index) => this.convert(item, `${path}.prefixItems[${index}]`, depth + 1));
    }
    if (Array.isArray(schema.items)) throw unsupported(`${path}.items`, 'an array of item schemas (use prefixItems)');
    const items = schema.items === undefined || schema.items === true ? undefined : this.convert(schema.items, `${path}.items`, depth + 1);
    return {
      type: 'array',
      ...(items === undefined ? {} : { items }),
      ...(prefixItems === undefined ? {} : { prefixItems }),
      ...(minItems === undefined ? {} : { minItems }),
      ...(maxItems === undefined ? {} : { maxItems }),
    } as GbnfJsonSchema;
  }

  #ref(ref: unknown, path: string): GbnfJsonSchema {
    const match = typeof ref === 'string' ? /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref) : null;
    if (match === null) throw unsupported(path, `the reference ${JSON.stringify(ref)} (only '#/$defs/NAME')`);
    return { $ref: `#/$defs/${match[1] ?? ''}` } as GbnfJsonSchema;
  }

  /** The root, with its `$defs` (or `definitions`) converted too. */
  root(schema: unknown): GbnfJsonSchema {
    const path = this.#rootPath;
    if (!isObject(schema)) return this.convert(schema, path, 0);
    const { $defs, definitions, ...rest } = schema;
    const defs = $defs ?? definitions;
    const converted = this.convert(rest, path, 0);
    if (defs === undefined) return converted;
    if (!isObject(defs)) throw invalid(`${path}.$defs`, 'must be an object');
    const convertedDefs: Record<string, GbnfJsonSchema> = {};
    for (const [name, definition] of Object.entries(defs)) convertedDefs[name] = this.convert(definition, `${path}.$defs.${name}`, 1);
    if (isObject(converted) && 'oneOf' in converted) return { ...converted, $defs: convertedDefs } as GbnfJsonSchema;
    // $defs may only sit on object, array, oneOf and $ref schemas; wrap anything else in a one-option oneOf.
    if ((converted as { type?: unknown }).type === 'object' || (converted as { type?: unknown }).type === 'array') return { ...converted, $defs: convertedDefs } as GbnfJsonSchema;
    return { oneOf: [converted], $defs: convertedDefs } as GbnfJsonSchema;
  }
}

const KNOWN = new Set([
  'type', 'enum', 'const', 'anyOf', 'oneOf', 'allOf', 'nullable', '$ref', 'properties', 'additionalProperties',
  'minProperties', 'maxProperties', 'items', 'prefixItems', 'minItems', 'maxItems', 'minLength', 'maxLength', 'format',
]);

/** The grammar schema for `schema` found at `path` of the request; throws LlamaRequestError naming the offending field. */
export function toGrammarSchema(schema: unknown, path: string, strict: boolean): GbnfJsonSchema {
  return new SchemaConverter(strict, path).root(schema);
}

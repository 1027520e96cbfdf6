/**
 * Turns a parsed schema into per-combinator body readers/writers (closures over precompiled
 * field codecs) plus the name → entry and constructor ID → entry maps used by the codec.
 */
import { CocoonError } from '../errors/error-table.ts';
import type { TlReader } from './tl-reader.ts';
import type { TlWriter } from './tl-writer.ts';
import type { TlCombinator, TlObject, TlSchema } from './tl-types.ts';
import { checkUint32 } from './tl-value-checks.ts';
import { compileTypeCodec } from './tl-type-codecs.ts';
import type { CombinatorRegistry, CompiledCombinator, ValueReader, ValueWriter } from './tl-type-codecs.ts';

interface FieldStep {
  name: string;
  read: ValueReader;
  write: ValueWriter;
  /** Index into the flag slots when this field is a `#` field. */
  flagSlot: number;
  /** Condition (`flags.N?`): slot of the flags field and the bit mask; slot -1 when unconditional. */
  conditionSlot: number;
  conditionMask: number;
  conditionFlagName: string;
  /** `true`-typed optional fields count as present only when `=== true`. */
  isTrueType: boolean;
}

function missingOptionalError(combinator: TlCombinator, step: FieldStep): CocoonError {
  const path = `${combinator.name}.${step.name}`;
  return new CocoonError('CCN_ERR_PROTOCOL_DECODE', `cannot encode ${path}: bit ${Math.log2(step.conditionMask)} of ${step.conditionFlagName} is set but the field is missing`, { param: path });
}

function compileCombinator(entry: CompiledCombinator, registry: CombinatorRegistry): void {
  const { combinator } = entry;
  const flagNames = combinator.fields.filter((field) => field.type.kind === 'flags').map((field) => field.name);
  const steps: FieldStep[] = combinator.fields.map((field) => {
    const codec = compileTypeCodec(field.type, `${combinator.name}.${field.name}`, registry);
    const condition = field.condition;
    return {
      name: field.name,
      read: codec.read,
      write: codec.write,
      flagSlot: field.type.kind === 'flags' ? flagNames.indexOf(field.name) : -1,
      conditionSlot: condition ? flagNames.indexOf(condition.flagField) : -1,
      conditionMask: condition ? 2 ** condition.bit : 0,
      conditionFlagName: condition?.flagField ?? '',
      isTrueType: field.type.kind === 'builtin' && field.type.name === 'true',
    };
  });
  const name = combinator.name;
  const optionalSteps = steps.filter((step) => step.conditionSlot >= 0);

  entry.readBody = (reader: TlReader): TlObject => {
    const object: TlObject = { _: name };
    for (const step of steps) {
      if (step.conditionSlot >= 0 && ((object[step.conditionFlagName] as number) & step.conditionMask) === 0) continue;
      object[step.name] = step.read(reader);
    }
    return object;
  };

  /** Given flags are used as is; missing ones are computed from which optional fields are present. */
  const resolveFlags = (value: TlObject): number[] => {
    const given = flagNames.map((flagName) => {
      const flag = value[flagName];
      return flag === undefined ? undefined : checkUint32(flag, `${name}.${flagName}`);
    });
    const flags = given.map((flag) => flag ?? 0);
    for (const step of optionalSteps) {
      if (given[step.conditionSlot] !== undefined) continue;
      const field = value[step.name];
      const present = step.isTrueType ? field === true : field !== undefined;
      if (present) flags[step.conditionSlot] = ((flags[step.conditionSlot] ?? 0) | step.conditionMask) >>> 0;
    }
    return flags;
  };

  entry.writeBody = (writer: TlWriter, value: TlObject): void => {
    const flags = flagNames.length > 0 ? resolveFlags(value) : undefined;
    for (const step of steps) {
      if (flags !== undefined && step.flagSlot >= 0) {
        writer.writeUint32(flags[step.flagSlot] ?? 0);
        continue;
      }
      const field = value[step.name];
      if (step.conditionSlot >= 0) {
        if (((flags?.[step.conditionSlot] ?? 0) & step.conditionMask) === 0) continue;
        if (field === undefined && !step.isTrueType) throw missingOptionalError(combinator, step);
      }
      step.write(writer, field);
    }
  };
}

/** Compiles every combinator of the schema; generic built-ins (vector) get no body codec. */
export function compileTlSchema(schema: TlSchema): CombinatorRegistry {
  const byName = new Map<string, CompiledCombinator>();
  const byId = new Map<number, CompiledCombinator>();
  const notCompiled = (): never => {
    throw new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', 'generic TL constructor cannot be encoded or decoded on its own');
  };
  for (const combinator of schema.combinators) {
    const entry: CompiledCombinator = { combinator, readBody: notCompiled, writeBody: notCompiled };
    byName.set(combinator.name, entry);
    byId.set(combinator.id, entry);
  }
  const registry: CombinatorRegistry = { byName, byId };
  for (const entry of byName.values()) {
    if (!entry.combinator.isGeneric) compileCombinator(entry, registry);
  }
  return registry;
}

/**
 * Per-field metadata for runner config schemas: which keys are secrets (never echoed)
 * and which are security-sensitive, with an order from weakest to strongest or as lists
 * that runtime config may only narrow (runtime config may not weaken a value set in the
 * config file).
 */
import { z } from 'zod';

export interface ConfigFieldMeta {
  /** The value is a secret: never shown in errors or logs. */
  secret?: boolean;
  /** Values from weakest to strongest; env/flags may not move below the file's value. */
  securityOrder?: readonly unknown[];
  /** A list of what is allowed (origins, host names): env/flags may only narrow the file's list, never add to it. */
  securitySubset?: true;
}

/** The registry the loader consults; fields register themselves via the helpers below. */
export const configFieldRegistry = z.registry<ConfigFieldMeta>();

/** Marks a field schema as holding a secret. Returns the same schema. */
export function secretField<S extends z.ZodType>(schema: S): S {
  configFieldRegistry.add(schema, { ...configFieldRegistry.get(schema), secret: true });
  return schema;
}

/**
 * Marks a field schema as security-sensitive with `order` listing its values from
 * weakest to strongest (e.g. `['any', 'fake_tdx', 'tdx']`). Returns the same schema.
 */
export function securitySensitive<S extends z.ZodType>(schema: S, order: readonly unknown[]): S {
  configFieldRegistry.add(schema, { ...configFieldRegistry.get(schema), securityOrder: order });
  return schema;
}

/**
 * Marks a list field as security-sensitive: each entry allows something, so a list set in the
 * config file may only be narrowed (a subset) by env or flags. Returns the same schema.
 */
export function securitySensitiveList<S extends z.ZodType>(schema: S): S {
  configFieldRegistry.add(schema, { ...configFieldRegistry.get(schema), securitySubset: true });
  return schema;
}

const WRAPPER_TYPES = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** Metadata of a field schema, looking through default/optional/pipe wrappers. */
export function getConfigFieldMeta(schema: z.ZodType): ConfigFieldMeta {
  let current: z.ZodType | undefined = schema;
  const merged: ConfigFieldMeta = {};
  while (current) {
    const meta = configFieldRegistry.get(current);
    if (meta?.secret) merged.secret = true;
    if (meta?.securityOrder && !merged.securityOrder) merged.securityOrder = meta.securityOrder;
    if (meta?.securitySubset) merged.securitySubset = true;
    const def = current._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if (WRAPPER_TYPES.has(def.type)) current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else current = undefined;
  }
  return merged;
}

const SECRET_KEY_PATTERN = /secret|key|private/i;

/** Whether a config key holds a secret, by its name or by its field metadata. */
export function isSecretConfigKey(key: string, schema?: z.ZodType): boolean {
  if (SECRET_KEY_PATTERN.test(key)) return true;
  return schema ? getConfigFieldMeta(schema).secret === true : false;
}

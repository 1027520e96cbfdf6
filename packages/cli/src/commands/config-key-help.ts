/** Lists a runner config schema's keys with their flag, env variable and default. */
import { configSchemaShape, envNameForKey, flagNameForKey, isSecretConfigKey } from '@cocoon/protocol';
import type { z } from 'zod';

const describeDefault = (field: z.ZodType, secret: boolean): string => {
  const result = field.safeParse(undefined);
  if (!result.success) return 'required';
  if (secret) return 'default hidden (secret)';
  const text = JSON.stringify(result.data, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  return `default ${text === undefined ? 'none' : text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
};

export function describeConfigKeys(schema: z.ZodType, envPrefix: string): string[] {
  return Object.entries(configSchemaShape(schema)).map(([key, field]) => {
    const secret = isSecretConfigKey(key, field);
    return `${key} / ${flagNameForKey(key)} / ${envNameForKey(key, envPrefix)}  (${describeDefault(field, secret)})`;
  });
}

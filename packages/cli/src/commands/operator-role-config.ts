/**
 * The parts of a runner's config that the operator commands (`cocoon wallet`, the contract
 * commands, `cocoon doctor`) need, read the way the runner reads it: its JSON file (`--config`)
 * ← env COCOON_<ROLE>_*, with the role schema's defaults. The key manager's schema is used when
 * its package exports one; otherwise its file is read as plain JSON.
 */
import { readFileSync } from 'node:fs';
import { CocoonError, configSchemaShape, loadConfig } from '@cocoon/protocol';
import type { z } from 'zod';

export type OperatorRole = 'client' | 'proxy' | 'worker' | 'key-manager';
export const OPERATOR_ROLES: readonly OperatorRole[] = ['client', 'proxy', 'worker', 'key-manager'];

const SCHEMAS: Record<OperatorRole, { packageName: string; schemaExport: string; envPrefix: string }> = {
  client: { packageName: '@cocoon/client', schemaExport: 'clientConfigSchema', envPrefix: 'COCOON_CLIENT_' },
  proxy: { packageName: '@cocoon/proxy', schemaExport: 'proxyConfigSchema', envPrefix: 'COCOON_PROXY_' },
  worker: { packageName: '@cocoon/worker', schemaExport: 'workerConfigSchema', envPrefix: 'COCOON_WORKER_' },
  'key-manager': { packageName: '@cocoon/key-manager', schemaExport: 'keyManagerConfigSchema', envPrefix: 'COCOON_KEY_MANAGER_' },
};

/** Stats ports when the config says nothing (§8.1); the key manager's is this implementation's choice. */
const DEFAULT_HTTP_PORTS: Record<OperatorRole, number> = { client: 10000, proxy: 11000, worker: 12000, 'key-manager': 13000 };

export const isOperatorRole = (name: string | undefined): name is OperatorRole => OPERATOR_ROLES.includes(name as OperatorRole);

/** A runner config as the operator commands see it (every field the role has, defaults applied). */
export type OperatorConfig = Record<string, unknown>;

export async function loadOperatorConfig(role: OperatorRole, file: string | undefined, env: Record<string, string | undefined> = {}): Promise<OperatorConfig> {
  const { packageName, schemaExport, envPrefix } = SCHEMAS[role];
  const module = (await import(packageName)) as Record<string, unknown>;
  const schema = module[schemaExport] as z.ZodType | undefined;
  if (schema) {
    try {
      return loadConfig(schema, { file, env, envPrefix, argv: [] }) as OperatorConfig;
    } catch (error) {
      if (file !== undefined) throw error;
      return schemaDefaults(schema); // no config file: the runner's defaults even where it would need more to start
    }
  }
  if (file === undefined) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as OperatorConfig;
  } catch (error) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `config error: ${file}: ${(error as Error).message}`, { param: 'config', cause: error });
  }
}

/** Every key of the schema that has a default, with that default. */
function schemaDefaults(schema: z.ZodType): OperatorConfig {
  const defaults: OperatorConfig = {};
  for (const [key, field] of Object.entries(configSchemaShape(schema))) {
    const parsed = field.safeParse(undefined);
    if (parsed.success && parsed.data !== undefined) defaults[key] = parsed.data;
  }
  return defaults;
}

const text = (config: OperatorConfig, key: string): string | undefined => {
  const value = config[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** The stats port's URL: `http_host`/`host` (127.0.0.1 unless set) and `http_port`. */
export function statsUrlOf(role: OperatorRole, config: OperatorConfig): string {
  const host = text(config, 'http_host') ?? (role === 'proxy' ? text(config, 'host') : undefined) ?? '127.0.0.1';
  const port = typeof config.http_port === 'number' && config.http_port > 0 ? config.http_port : DEFAULT_HTTP_PORTS[role];
  const connectHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${connectHost.includes(':') ? `[${connectHost}]` : connectHost}:${port}`;
}

/** The admin token file: the config's, else `.cocoon/<role>/admin.token`. */
export function adminTokenFileOf(role: OperatorRole, config: OperatorConfig): string {
  return text(config, 'admin_token_file') ?? `.cocoon/${role}/admin.token`;
}

export interface OperatorChainSettings {
  endpoint: string | undefined;
  apiKey: string | undefined;
  rootAddress: string | undefined;
  walletKeyFile: string | undefined;
  ownerAddress: string | undefined;
  isTest: boolean;
}

export function chainSettingsOf(config: OperatorConfig): OperatorChainSettings {
  return {
    endpoint: text(config, 'ton_endpoint'), apiKey: text(config, 'ton_api_key'), rootAddress: text(config, 'root_contract_address'),
    walletKeyFile: text(config, 'node_wallet_key_file'), ownerAddress: text(config, 'owner_address'), isTest: config.is_test !== false,
  };
}

/**
 * The light client's trust configuration (`config.json` next to the page): which attestation root
 * the page verifies workers under — Intel's ('intel', with AMD's pinned ARKs for SEV-SNP) or a dev
 * network's root certificate (DER, base64) and, for its SEV-SNP workers, its SEV-SNP ARK — whether the network is a test one (dev roots are refused otherwise), and the model to
 * preselect. One validator for the builder (Node) and the page (browser): browser-safe, no Node
 * built-ins. Bad input is a CCN_ERR_CONFIG_INVALID naming the field.
 */
import { CocoonError, fromBase64OrUndefined } from '@cocoon/protocol/browser';

export interface LightClientConfig {
  /**
   * 'intel': Intel's pinned SGX root CA (and AMD's pinned ARKs for SEV-SNP); `{ devRootDer }`: a dev network's
   * root certificate, DER in standard base64, with `devSevArkDer` its SEV-SNP ARK certificate (the same
   * form) when the network has SEV-SNP workers (without it the page refuses them).
   */
  trust: 'intel' | { devRootDer: string; devSevArkDer?: string };
  /** Whether the network is a test one: dev roots (and unattested workers) are accepted only then. */
  networkIsTest: boolean;
  /** The model the page selects first (default: the first one the runner lists). */
  model?: string;
}

const KNOWN_FIELDS = new Set(['trust', 'networkIsTest', 'model']);
/** A model string the runner lists is far shorter; anything longer is a mistake. */
const MAX_MODEL_LENGTH = 512;
/** A root certificate is a few KiB; more is not one. */
const MAX_ROOT_DER_BYTES = 64 * 1024;

const invalid = (param: string, message: string): CocoonError => new CocoonError('CCN_ERR_CONFIG_INVALID', `light client config: ${message}`, { param });

function readCertificateField(value: unknown, param: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(param, `${param} must be ${what} as base64 DER`);
  const bytes = fromBase64OrUndefined(value);
  if (!bytes || bytes.length === 0) throw invalid(param, `${param} is not standard padded base64`);
  if (bytes.length > MAX_ROOT_DER_BYTES) throw invalid(param, `${param} is ${bytes.length} bytes, more than a root certificate (${MAX_ROOT_DER_BYTES})`);
  if (bytes[0] !== 0x30) throw invalid(param, `${param} is not a DER certificate (it must start with a SEQUENCE)`);
  return value;
}

function readTrust(value: unknown): LightClientConfig['trust'] {
  if (value === 'intel') return 'intel';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('trust', `trust must be 'intel' or { "devRootDer": "<base64 DER>" }, not ${JSON.stringify(value) ?? String(value)}`);
  const fields = Object.keys(value);
  const unknown = fields.filter((field) => field !== 'devRootDer' && field !== 'devSevArkDer');
  if (unknown.length > 0) throw invalid('trust', `unknown trust field ${unknown.map((field) => `'${field}'`).join(', ')} (only devRootDer and devSevArkDer)`);
  const record = value as { devRootDer?: unknown; devSevArkDer?: unknown };
  const devRootDer = readCertificateField(record.devRootDer, 'trust.devRootDer', 'the dev root certificate');
  if (record.devSevArkDer === undefined) return { devRootDer };
  return { devRootDer, devSevArkDer: readCertificateField(record.devSevArkDer, 'trust.devSevArkDer', "the dev authority's SEV-SNP ARK certificate") };
}

/** The config checked field by field; throws CCN_ERR_CONFIG_INVALID (with `param`) on anything else. */
export function parseLightClientConfig(value: unknown): LightClientConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('config', 'the config must be a JSON object');
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((field) => !KNOWN_FIELDS.has(field));
  if (unknown.length > 0) throw invalid(unknown[0]!, `unknown field ${unknown.map((field) => `'${field}'`).join(', ')} (known: ${[...KNOWN_FIELDS].join(', ')})`);
  if (!('trust' in record)) throw invalid('trust', "trust is required: 'intel' or { \"devRootDer\": \"<base64 DER>\" }");
  const trust = readTrust(record.trust);
  if (typeof record.networkIsTest !== 'boolean') throw invalid('networkIsTest', `networkIsTest must be true or false, not ${JSON.stringify(record.networkIsTest) ?? 'missing'}`);
  if (trust !== 'intel' && !record.networkIsTest) throw invalid('networkIsTest', 'a dev root (trust.devRootDer) is only accepted on a test network: set networkIsTest to true, or trust Intel');
  const config: LightClientConfig = { trust, networkIsTest: record.networkIsTest };
  if (record.model !== undefined) {
    if (typeof record.model !== 'string' || record.model.trim() === '' || record.model.length > MAX_MODEL_LENGTH) throw invalid('model', `model must be a non-empty model name of at most ${MAX_MODEL_LENGTH} characters`);
    config.model = record.model;
  }
  return config;
}

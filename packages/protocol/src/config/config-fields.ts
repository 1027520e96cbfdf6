/**
 * Reusable zod field schemas for the runner configs (§8.4): ports, `host:port`
 * addresses, peer attestation policies, nanoTON amounts, owner addresses, hashes, and the
 * doors of the HTTP ports (admin token file, CORS origins, served host names, the /metrics token).
 */
import { z } from 'zod';
import { securitySensitive, securitySensitiveList, secretField } from './config-field-registry.ts';

/** A TCP port to connect to (1..65535). */
export const portSchema = z.number().int().min(1).max(65535);

/** A TCP port to listen on (0..65535; 0 picks a free port, for tests). */
export const listenPortSchema = z.number().int().min(0).max(65535);

/** A `host:port` address (IPv6 hosts in brackets). */
export const hostPortSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/, 'expected host:port')
  .refine((value) => {
    const port = Number(value.slice(value.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65535;
  }, 'port must be 1..65535');

/** Peer attestation policies from weakest to strongest (§7.3). */
export const PEER_POLICY_ORDER = ['any', 'fake_tdx', 'tdx'] as const;
export type PeerPolicy = (typeof PEER_POLICY_ORDER)[number];

/** A security-sensitive peer policy field (`any`, `fake_tdx`, `tdx`). */
export function peerPolicyField(defaultPolicy: PeerPolicy) {
  return securitySensitive(z.enum(PEER_POLICY_ORDER).default(defaultPolicy), PEER_POLICY_ORDER);
}

/** An amount in nanoTON (or a token price): decimal string or safe integer → bigint. */
export const nanotonSchema = z
  .union([z.string().regex(/^\d+$/, 'expected a non-negative integer'), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)])
  .transform((value) => BigInt(value));

/** A TON address: user-friendly (48 base64/base64url chars) or raw `wc:hex`. */
export const tonAddressSchema = z
  .string()
  .regex(/^([A-Za-z0-9_-]{48}|[A-Za-z0-9+/]{48}|-?\d+:[0-9a-fA-F]{64})$/, 'expected a TON address');

/** A SHA-256 digest as 64 lowercase or uppercase hex characters. */
export const sha256HexSchema = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex characters');

/** An optional access hash for control/stat HTTP endpoints (secret; '' = open). */
export function httpAccessHashField() {
  return secretField(z.string().default(''));
}

/** An exact web origin as browsers send it: `http(s)://host[:port]`, lower case, no path or trailing slash. */
export const httpOriginSchema = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}, 'expected an exact origin like http://127.0.0.1:10000 (scheme, host and port only, lower case)');

/** A host name or IP address without a port (IPv6 with or without brackets), compared in lower case. */
export const httpHostNameSchema = z
  .string()
  .regex(/^([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\]?)$/, 'expected a host name or IP address without a port')
  .transform((value) => value.toLowerCase().replace(/^\[(.*)\]$/, '$1'));

/**
 * The doors of a runner's HTTP port (see HttpRequestGuard): where its admin token lives, which
 * web origins may use it from a browser, and which host names it answers to. The two lists are
 * security-sensitive: env and flags may narrow a list set in the config file, never widen it.
 */
export function httpGuardConfigFields(defaults: { adminTokenFile: string }) {
  return {
    /** File with the admin token for the `/request/*` control endpoints (`Authorization: Bearer <token>`); created (0600) on first start. */
    admin_token_file: z.string().min(1).default(defaults.adminTokenFile),
    /** Exact web origins allowed to use the HTTP port from a browser (CORS, never on /request/*), e.g. ["http://127.0.0.1:10000"]. Security-sensitive. */
    http_cors_origins: securitySensitiveList(z.array(httpOriginSchema).max(64).default([])),
    /** Host names the HTTP port answers to besides localhost, 127.0.0.1, ::1 and its bound host (others get 421). Security-sensitive. */
    http_allowed_hosts: securitySensitiveList(z.array(httpHostNameSchema).max(64).default([])),
    /** `/metrics` needs `Authorization: Bearer <admin token>` (or the access hash) even without an access hash. Security-sensitive: env and flags cannot turn it off. */
    metrics_require_token: securitySensitive(z.boolean().default(false), [false, true]),
  };
}

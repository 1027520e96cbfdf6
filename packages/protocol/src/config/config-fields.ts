/**
 * Reusable zod field schemas for the runner configs (§8.4): ports, `host:port`
 * addresses, peer attestation policies, nanoTON amounts, owner addresses, hashes.
 */
import { z } from 'zod';
import { securitySensitive, secretField } from './config-field-registry.ts';

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

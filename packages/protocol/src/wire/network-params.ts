/**
 * The network parameters every runner bills with (§5: price, worker fee, multipliers) and
 * the protocol versions each role speaks, with the negotiation rule (§3.3). On chain they come from the root contract (through a
 * `NetworkParamsSource`); `DEV_NETWORK_PARAMS` are the values of an off-chain local network
 * (the dev root's values), where the proxy may override the prices from its config.
 */
import { CocoonError } from '../errors/error-table.ts';
import type { PriceMultipliers } from '../pricing/index.ts';

export interface NetworkParams {
  isTest: boolean;
  pricePerToken: bigint;
  workerFeePerToken: bigint;
  multipliers: PriceMultipliers;
  /** Root contract `version` the runners have seen (0 without a chain). */
  configVersion: number;
}

/** An inclusive range of protocol versions (§3.3). */
export interface ProtocolVersionRange {
  readonly min: number;
  readonly max: number;
}

export type ProtocolRole = 'client' | 'proxy' | 'worker';

/**
 * The protocol versions of reference 9060ce5 (ClientRunner.hpp, ProxyRunner.hpp, WorkerRunner.h):
 * client 1–4, proxy 0–4, worker 3–4. Ours (PROTOCOL_VERSIONS) are the same.
 */
export const REFERENCE_PROTOCOL_VERSIONS: Readonly<Record<ProtocolRole, ProtocolVersionRange>> = Object.freeze({
  client: Object.freeze({ min: 1, max: 4 }),
  proxy: Object.freeze({ min: 0, max: 4 }),
  worker: Object.freeze({ min: 3, max: 4 }),
});

/**
 * The protocol versions our runners speak — the one place of truth (§3.3). Exactly the reference's: the
 * proxy takes version-0 peers too (legacy `client.runQuery` / `proxy.runQuery` with the non-Ex answers).
 */
export const PROTOCOL_VERSIONS: Readonly<Record<ProtocolRole, ProtocolVersionRange>> = REFERENCE_PROTOCOL_VERSIONS;

/**
 * From this version on a worker takes encrypted requests (`proxy.runQueryEx.private_key`) and a client
 * may send `client.runQueryEx.public_key` (§3.3).
 */
export const ENCRYPTED_REQUESTS_MIN_PROTOCOL_VERSION = 3;

/** From this version on `worker.params` may carry `machine_description_json` (§3.3). */
export const MACHINE_DESCRIPTION_MIN_PROTOCOL_VERSION = 4;

function rangeText(range: ProtocolVersionRange): string {
  return `${range.min}..${range.max}`;
}

/**
 * The listener's rule (reference ProxyInbound{Client,Worker}Connection): refused when the ranges do not
 * overlap, else `min(remote max, local max)`. A peer whose params lack the version flag speaks 0..0.
 */
export function negotiateProtocolVersion(local: ProtocolVersionRange, remote: ProtocolVersionRange, peer = 'peer'): number {
  if (remote.max < local.min || local.max < remote.min || remote.min > remote.max) {
    throw new CocoonError('CCN_ERR_PROTOCOL_VERSION', `no common protocol version: ${peer} speaks ${rangeText(remote)}, this runner ${rangeText(local)}`);
  }
  return Math.min(remote.max, local.max);
}

/** The dialer's check of the version the listener chose: it must be one of ours (`undefined`: the listener sent none = 0). */
export function checkChosenProtocolVersion(local: ProtocolVersionRange, chosen: number | undefined, peer = 'peer'): number {
  const version = chosen ?? 0;
  if (!Number.isInteger(version) || version < local.min || version > local.max) {
    throw new CocoonError('CCN_ERR_PROTOCOL_VERSION', `${peer} chose protocol version ${version}, this runner speaks ${rangeText(local)}${version < local.min ? ` (the ${peer} is too old)` : ''}`);
  }
  return version;
}

export const DEV_NETWORK_PARAMS: NetworkParams = Object.freeze({
  isTest: true,
  pricePerToken: 20n,
  workerFeePerToken: 19n,
  multipliers: Object.freeze({ prompt: 10_000, cached: 10_000, completion: 10_000, reasoning: 10_000 }),
  configVersion: 0,
});

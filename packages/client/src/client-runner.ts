/**
 * The client runner: keeps an authenticated, attestation-verified connection to the
 * proxy and serves the OpenAI-compatible HTTP API (port 10000) on top of it. With
 * `ton_endpoint` set it also runs its client contracts on chain (./chain/): address checks,
 * deploy, long authorization, automation, `/request/*` operations, wallet/proxies stats.
 */
import { DEV_NETWORK_PARAMS, createLogger } from '@cocoon/protocol';
import type { RunnerHandle, Logger, NetworkParams } from '@cocoon/protocol';
import { RootHashPolicy, RunnerAttestation, type PeerVerifier } from '@cocoon/attestation';
import type { ClientConfig } from './config/index.ts';
import { startClientHttpServer } from './http/index.ts';
import { ClientProxyConnection } from './connection/client-proxy-connection.ts';
import { ProtocolInferenceGateway } from './gateway/protocol-inference-gateway.ts';
import { ClientStats } from './client-stats.ts';
import type { Chain } from '@cocoon/ton';
import type { ClientChain } from './chain/index.ts';

export interface ClientRunnerDeps {
  logger?: Logger;
  now?: () => number;
  params?: NetworkParams;
  /** Wait for the proxy before reporting ready (default true). */
  waitForProxy?: boolean;
  /** The chain to use when `ton_endpoint` is set (default: a toncenter client for it). */
  chain?: Chain;
}

/** Loaded only on chain, so off-chain runs never touch the TON stack. */
async function openChain(config: ClientConfig, deps: ClientRunnerDeps, logger: Logger, now: () => number): Promise<ClientChain | undefined> {
  if (config.ton_endpoint === '' && !deps.chain) return undefined;
  const { openClientChain } = await import('./chain/client-chain-setup.ts');
  return openClientChain(config, { logger, now, ...(deps.chain ? { chain: deps.chain } : {}) });
}


export async function startClientRunner(config: ClientConfig, deps: ClientRunnerDeps = {}): Promise<RunnerHandle> {
  const logger = deps.logger ?? createLogger('client');
  const now = deps.now ?? Date.now;
  const params = deps.params ?? DEV_NETWORK_PARAMS;
  const stats = new ClientStats(now);
  const clientChain = await openChain(config, deps, logger, now);
  // Clients are not TEEs: a plain self-signed Ed25519 certificate, as the reference client presents. But unlike
  // third-party reference clients, this one verifies the proxy (§7.3): under policy tdx its quote, and on chain
  // that its image is in the root contract's proxy_hashes.
  const proxyHashes = clientChain && config.proxy_policy === 'tdx' ? new RootHashPolicy(() => clientChain.root) : undefined;
  let attestation: RunnerAttestation;
  let proxyVerifier: PeerVerifier;
  try {
    attestation = await RunnerAttestation.open({
      role: 'client', tee: 'none', devAuthorityDir: config.attestation_dev_authority_dir, pccsUrl: config.attestation_pccs_url,
      collateralDir: config.attestation_collateral_dir, logger: logger.child('attestation'), now: () => new Date(now()),
    });
    proxyVerifier = attestation.verifier({
      policy: config.proxy_policy, expectedRole: 'proxy', hashes: proxyHashes, networkIsTest: clientChain ? clientChain.root.params.isTest : true,
    });
  } catch (error) {
    await clientChain?.close();
    throw error;
  }
  const { handleClientChainRequest } = clientChain ? await import('./chain/client-chain-routes.ts') : { handleClientChainRequest: undefined };
  const colon = config.proxy_address.lastIndexOf(':');
  const connections = Array.from({ length: config.proxy_connections }, () => new ClientProxyConnection({
    host: config.proxy_address.slice(0, colon), port: Number(config.proxy_address.slice(colon + 1)),
    identity: attestation.certificate,
    verifier: proxyVerifier,
    maxPowDifficulty: config.max_pow_difficulty,
    ownerAddress: clientChain?.ownerAddressText ?? config.owner_address, secretString: config.secret_string, isTest: config.is_test, logger,
    ...(clientChain ? { chain: clientChain } : {}),
  }));
  const gateway = new ProtocolInferenceGateway({ connections, pricePerToken: params.pricePerToken, stats, now });
  const server = await startClientHttpServer({
    host: config.http_host, port: config.http_port, gateway, now,
    maxBodyBytes: config.max_body_bytes,
    accessHash: config.http_access_hash || undefined,
    ...(clientChain && handleClientChainRequest
      ? { requestRoutes: (request, response, url) => handleClientChainRequest(clientChain, request, response, url) }
      : {}),
    defaults: { maxCoefficient: config.default_max_coefficient, maxTokens: config.default_max_tokens, timeoutSeconds: config.default_timeout_seconds },
    stats: {
      jsonStats: () => {
        const onChain = clientChain?.json();
        return {
          status: { enabled: true, ton_last_synced_at: onChain?.tonLastSyncedAt ?? null, wallet_balance: onChain?.wallet.balance ?? null },
          stats: stats.json(),
          ...(onChain ? { wallet: onChain.wallet } : {}),
          localconf: {
            owner_address: config.owner_address, check_proxy_hash: proxyHashes !== undefined, proxy_policy: config.proxy_policy, attestation_trust: attestation.trustName,
            ...(onChain ? { root_address: config.root_contract_address } : {}),
          },
          proxy_connections: connections.map((connection) => ({ address: connection.address, is_ready: connection.isReady, proxy_sc_address: connection.proxyContractAddress })),
          proxies: onChain?.proxies ?? connections.map((connection) => ({
            proxy_sc_address: connection.proxyContractAddress, sc_address: connection.clientContractAddress,
            tokens_used_proxy_committed_to_db: connection.tokensUsedProxyCommittedToDb, tokens_used_proxy_max: connection.tokensUsedProxyMax,
          })),
        };
      },
    },
  });
  for (const connection of connections) connection.start(); // only once the HTTP port is ours
  if (deps.waitForProxy ?? true) await Promise.race(connections.map((connection) => connection.whenReady()));
  const baseUrl = `${server.url}/v1`;
  logger.info('client ready', { base_url: baseUrl, proxy: config.proxy_address });
  return {
    readyInfo: { url: baseUrl, http_port: server.port },
    async close() {
      for (const connection of connections) connection.close();
      await server.close();
      await clientChain?.close();
    },
  };
}

/**
 * The client runner's end-to-end wiring (§22), one call from the HTTP step: installs node:crypto's e2e
 * primitives, builds the worker evidence verifier from the runner's attestation (expected role worker,
 * the same policy the client requires of its proxy, and on chain with policy tdx the root's
 * worker_hashes and model_hashes — as the proxy is verified), opens the receipt store (`receipts_dir`,
 * closed on unwind after the HTTP server drained), and puts runner-sealing in front of the protocol
 * gateway with the configured fallback policy; and the DCAP collateral lookup that `POST /v1/e2e/collateral`
 * answers with (the runner's attestation trust: dev authority or the Intel PCCS cache).
 */
import { E2eRequestSession, useNodeE2ePrimitives } from '@cocoon/protocol';
import type { CleanupStack, Logger, NetworkParamsSource } from '@cocoon/protocol';
import { RootHashPolicy, createE2eEvidenceVerifier, serializeDcapCollateral, serializeSevChain } from '@cocoon/attestation';
import type { RunnerAttestation } from '@cocoon/attestation';
import type { ClientConfig } from '../config/index.ts';
import type { ProtocolInferenceGateway } from '../gateway/protocol-inference-gateway.ts';
import type { EncryptionKeysSource } from '../http/index.ts';
import type { ClientStats } from '../client-stats.ts';
import type { ClientChain } from '../chain/index.ts';
import type { CollateralLookup, SevSnpChainLookup } from './e2e-collateral-route.ts';
import { E2eClient } from './e2e-client.ts';
import type { E2eTrust } from './e2e-client.ts';
import { E2eKeyDirectory } from './e2e-key-directory.ts';
import { E2eReceiptStore } from './e2e-receipt-store.ts';
import { E2eSealingGateway } from './e2e-sealing-gateway.ts';
import { Proto3Fallback } from './proto3-fallback.ts';

export interface E2eRunnerSetupInput {
  config: ClientConfig;
  logger: Logger;
  now: () => number;
  stats: ClientStats;
  attestation: RunnerAttestation;
  clientChain: ClientChain | undefined;
  gateway: ProtocolInferenceGateway;
  params: NetworkParamsSource;
  /** The registered network keys (§20), for the proto-3 fallback. */
  encryptionKeys: EncryptionKeysSource;
}

export interface E2eRunnerSetup {
  e2e: E2eClient;
  /** The gateway the HTTP edge uses: runner-sealing in front of the protocol gateway. */
  gateway: E2eSealingGateway;
  /** The collateral of a quote under this runner's trust (POST /v1/e2e/collateral). */
  collateralFor: CollateralLookup;
  /** The verified SEV-SNP chain of a product under this runner's trust (POST /v1/e2e/collateral?tee=sev-snp). */
  sevSnpChainFor: SevSnpChainLookup;
  /** The /jsonstats counts. */
  json(): Record<string, number>;
}

export async function openE2eSetup(input: E2eRunnerSetupInput, stack: CleanupStack): Promise<E2eRunnerSetup> {
  const { config, logger, now, clientChain } = input;
  useNodeE2ePrimitives();
  const hashes = clientChain && config.proxy_policy === 'tdx' ? new RootHashPolicy(() => clientChain.root) : undefined;
  const verifier = createE2eEvidenceVerifier(input.attestation, {
    policy: config.proxy_policy, ...(hashes ? { hashes } : {}), networkIsTest: clientChain ? clientChain.root.params.isTest : true,
  });
  const store = await E2eReceiptStore.open(config.receipts_dir);
  stack.defer(() => store.close(), 'e2e receipt store');
  const trust = (): E2eTrust => clientChain
    ? { is_test: clientChain.root.params.isTest, hashes_checked: hashes !== undefined, worker_hashes: [...clientChain.root.workerHashes], model_hashes: [...clientChain.root.modelHashes] }
    : { is_test: config.is_test, hashes_checked: false, worker_hashes: [], model_hashes: [] };
  const directory = new E2eKeyDirectory({ verifier, now, logger: logger.child('e2e') });
  const e2e = new E2eClient({ gateway: input.gateway, directory, store, params: input.params, stats: input.stats, trust, logger: logger.child('e2e'), now, workersCacheMs: config.e2e_workers_cache_ms });
  const gateway = new E2eSealingGateway({
    inner: input.gateway, e2e,
    session: new E2eRequestSession({ verifier, maxRecipients: config.e2e_max_recipients, now }),
    requireE2e: config.require_e2e, fallback: config.e2e_fallback,
    proto3: new Proto3Fallback({ inner: input.gateway, keys: input.encryptionKeys, now }),
  });
  return {
    e2e, gateway,
    collateralFor: async (quote, when) => serializeDcapCollateral(await input.attestation.collateralFor(quote, when)),
    sevSnpChainFor: async (product, when) => serializeSevChain(await input.attestation.sevSnpChainFor(product, when)),
    json: () => {
      const counts = store.json();
      return { e2e_requests: counts.requests, receipts: counts.receipts, findings: counts.findings, evidence_refused: directory.rejected };
    },
  };
}

/**
 * The proxy runner: accepts workers (port 11001) and clients (port 11002) over PoW +
 * attested TLS 1.3, authenticates clients, routes their requests to workers, relays the
 * answers, accounts completions in the ledger, and serves `/stats` + `/jsonstats` (11000).
 * Start-up is a short sequence of named steps (./proxy-runner-steps.ts) on one cleanup stack.
 */
import { CleanupStack, createLogger } from '@cocoon/protocol';
import type { EncryptionKeyRing, RunnerHandle, Logger } from '@cocoon/protocol';
import type { Chain } from '@cocoon/ton';
import type { ProxyConfig } from './config/index.ts';
import type { Ledger } from './ledger/index.ts';
import {
  buildReadyInfo, buildRoutingStep, listenStep, openAttestationStep, openChainStep, startAttestationStep, startKeyManagerClientStep, startStatsStep,
  type ProxyStartContext,
} from './proxy-runner-steps.ts';

export interface ProxyRunnerDeps {
  ledger?: Ledger;
  /** On chain (config ton_endpoint): use this chain instead of a toncenter client (tests). */
  chain?: Chain;
  logger?: Logger;
  now?: () => number;
  random?: (bytes: number) => Buffer;
  /** Root contract config version the proxy serves (stands in for the chain until TON lands; 0). */
  configVersion?: number;
  /** The request-encryption key ring (tests and `cocoon dev` fill it; on chain the key manager client does). */
  encryptionKeys?: EncryptionKeyRing;
}

export async function startProxyRunner(config: ProxyConfig, deps: ProxyRunnerDeps = {}): Promise<RunnerHandle> {
  const stack = new CleanupStack();
  return stack.guard(async () => {
    const context: ProxyStartContext = { config, deps, logger: deps.logger ?? createLogger('proxy'), now: deps.now ?? Date.now, book: { accounts: undefined } };
    const chained = { ...context, ...await openChainStep(context, stack) };
    const attested = { ...chained, ...await openAttestationStep(chained) };
    const routing = { ...attested, ...buildRoutingStep(attested, stack) };
    const listeners = await listenStep(routing, stack);
    const statsServer = await startStatsStep(routing, stack);
    startAttestationStep(routing, stack);
    startKeyManagerClientStep(routing, stack);
    context.logger.info('proxy ready', {
      worker_port: listeners.workerServer.port, client_port: listeners.clientServer.port, stats: statsServer.url, pow_difficulty: config.pow_difficulty,
    });
    // close(): attestation, stats server, client and worker listeners, then the sessions, the chain, the ledger.
    return { readyInfo: buildReadyInfo(routing, listeners, statsServer), close: () => stack.unwind() };
  });
}

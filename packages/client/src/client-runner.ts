/**
 * The client runner: keeps an authenticated, attestation-verified connection to the
 * proxy and serves the OpenAI-compatible HTTP API (port 10000) on top of it. With
 * `ton_endpoint` set it also runs its client contracts on chain (./chain/): address checks,
 * deploy, long authorization, automation, `/request/*` operations, wallet/proxies stats.
 * Start-up is a short sequence of named steps (./client-runner-steps.ts) on one cleanup stack.
 */
import { CleanupStack, createLogger } from '@cocoon/protocol';
import type { RunnerHandle, Logger } from '@cocoon/protocol';
import type { Chain } from '@cocoon/ton';
import type { ClientConfig } from './config/index.ts';
import { ClientStats } from './client-stats.ts';
import {
  buildConnectionsStep, buildReadyInfo, connectStep, openAttestationStep, openChainStep, startHttpStep, type ClientStartContext,
} from './client-runner-steps.ts';

export interface ClientRunnerDeps {
  logger?: Logger;
  now?: () => number;
  /** Wait for the proxy before reporting ready (default true). */
  waitForProxy?: boolean;
  /** The chain to use when `ton_endpoint` is set (default: a toncenter client for it). */
  chain?: Chain;
}

export async function startClientRunner(config: ClientConfig, deps: ClientRunnerDeps = {}): Promise<RunnerHandle> {
  const stack = new CleanupStack();
  return stack.guard(async () => {
    const now = deps.now ?? Date.now;
    const context: ClientStartContext = { config, deps, logger: deps.logger ?? createLogger('client'), now, stats: new ClientStats(now) };
    const chained = { ...context, ...await openChainStep(context, stack) };
    const attested = { ...chained, ...await openAttestationStep(chained) };
    const connected = { ...attested, ...buildConnectionsStep(attested, stack) };
    const server = await startHttpStep(connected, stack);
    await connectStep(connected);
    const readyInfo = buildReadyInfo(server);
    context.logger.info('client ready', { base_url: readyInfo.url, proxy: config.proxy_address });
    // close(): the HTTP server drains, then the proxy connections close, then the chain.
    return { readyInfo, close: () => stack.unwind() };
  });
}

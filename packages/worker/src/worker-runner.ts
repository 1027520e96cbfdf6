/**
 * The worker runner: checks its inference engine, connects out to the proxy over PoW +
 * attested TLS, serves requests with SSE-aware billing, keeps the proxy informed of its
 * availability (engine health, operator enable/disable), and serves `/stats` + `/jsonstats`.
 * With `ton_endpoint` set it also runs on chain (WorkerChainAccount: contract checks and
 * deployment, durable payout ledger, cash-out, `/request/payout`). Start-up is a short sequence
 * of named steps (./worker-runner-steps.ts) on one cleanup stack.
 */
import { CleanupStack, createLogger, useNodeE2ePrimitives, useNodeEncryptionPrimitives } from '@cocoon/protocol';
import type { RunnerHandle, Logger } from '@cocoon/protocol';
import type { Chain } from '@cocoon/ton';
import { advertisedWorkerModel } from './config/index.ts';
import type { WorkerConfig } from './config/index.ts';
import type { InferenceEngine } from './engine/index.ts';
import {
  buildReadyInfo, buildServingStep, checkRootStep, goLiveStep, openAttestationStep, openChainStep, openEngineStep, startKeyManagerClientStep, startStatsStep,
  type WorkerStartContext,
} from './worker-runner-steps.ts';

export interface WorkerRunnerDeps {
  engine?: InferenceEngine;
  logger?: Logger;
  now?: () => number;
  /** Host the stats server binds to (127.0.0.1). */
  statsHost?: string;
  healthIntervalMs?: number;
  /** Run on this chain (tests: a SandboxChain) even when `ton_endpoint` is ''. */
  chain?: Chain;
}

export async function startWorkerRunner(configInput: WorkerConfig, deps: WorkerRunnerDeps = {}): Promise<RunnerHandle> {
  const stack = new CleanupStack();
  useNodeEncryptionPrimitives(); // encrypted requests and answers (§20) on node:crypto's native primitives
  useNodeE2ePrimitives(); // end-to-end requests, answer chunks, receipts (§22) likewise
  return stack.guard(async () => {
    const config: WorkerConfig = { ...configInput, model: advertisedWorkerModel(configInput) };
    const context: WorkerStartContext = { config, deps, logger: deps.logger ?? createLogger('worker'), now: deps.now ?? Date.now };
    const chained = { ...context, ...openChainStep(context, stack) };
    const attested = { ...chained, ...await openAttestationStep(chained) };
    const rooted = { ...attested, ...await checkRootStep(attested) };
    const engined = { ...rooted, ...await openEngineStep(rooted, stack) };
    const serving = { ...engined, ...await buildServingStep(engined) };
    const statsServer = await startStatsStep(serving, stack);
    await startKeyManagerClientStep(serving, stack);
    await goLiveStep(serving, stack); // only once the stats port is ours
    context.logger.info('worker ready', { model: config.model, coefficient: config.coefficient, proxy: config.proxy_address, stats: statsServer.url });
    // close(): health watch, proxy connection, attestation, stats server, engine, chain account.
    return { readyInfo: buildReadyInfo(context, statsServer), close: () => stack.unwind() };
  });
}

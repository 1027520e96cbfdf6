/**
 * The key manager runner (reference KeyManagerRunner, proto 3): mints the short-lived Ed25519
 * request-encryption keys (a new one every hour, each valid 24 h), keeps them in a signed LMDB
 * store, publishes their public halves on the root with the signed op, and serves the private
 * halves over attested TLS to proxies and workers whose image hash the root lists. `/stats`,
 * `/jsonstats` and the key controls on 13000, key requests on 13001. Start-up is a short sequence
 * of named steps (./key-manager-runner-steps.ts) on one cleanup stack.
 */
import { CleanupStack, createLogger } from '@cocoon/protocol';
import type { Logger, RunnerHandle } from '@cocoon/protocol';
import type { Chain } from '@cocoon/ton';
import type { KeyManagerConfig } from './config/index.ts';
import type { PublicKeyPublisher } from './publishing/public-key-publisher.ts';
import {
  checkRootStep, listenStep, openAttestationStep, openChainStep, openKeysStep, startScheduleStep, startStatsStep, type KeyManagerStartContext,
} from './key-manager-runner-steps.ts';

/** The timer functions of the key schedule (tests inject fake ones). */
export interface KeyManagerTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface KeyManagerRunnerDeps {
  logger?: Logger;
  /** Unix milliseconds (the key schedule's clock). */
  now?: () => number;
  /** Randomness of new private keys. */
  random?: (bytes: number) => Buffer;
  /** Run on this chain (tests: a SandboxChain) instead of `ton_endpoint`. */
  chain?: Chain;
  /** Publish new keys through this instead of the root (tests). */
  publisher?: PublicKeyPublisher;
  timers?: KeyManagerTimers;
  /** How often the schedule checks the keys (5 s). */
  tickIntervalMs?: number;
  fundingRetryMs?: number;
}

export async function startKeyManagerRunner(config: KeyManagerConfig, deps: KeyManagerRunnerDeps = {}): Promise<RunnerHandle> {
  const stack = new CleanupStack();
  return stack.guard(async () => {
    const context: KeyManagerStartContext = { config, deps, logger: deps.logger ?? createLogger('key-manager'), now: deps.now ?? Date.now };
    const chained = { ...context, ...await openChainStep(context, stack) };
    checkRootStep(chained);
    const attested = { ...chained, ...await openAttestationStep(chained) };
    const keyed = { ...attested, ...await openKeysStep(attested, stack) };
    const listener = await listenStep(keyed, stack);
    const statsServer = await startStatsStep(keyed, stack);
    startScheduleStep(keyed, stack);
    context.logger.info('key manager ready', { rpc_port: listener.port, stats: statsServer.url, keys: keyed.rotation.validKeys().length });
    return {
      readyInfo: {
        rpc_port: listener.port, stats_url: statsServer.url, image_hash: attested.attestation.imageHash.toString('hex'),
        public_key: chained.machineKey.publicKey.toString('hex'),
      },
      close: () => stack.unwind(),
    };
  });
}

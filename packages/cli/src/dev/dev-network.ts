/**
 * The local COCOON dev network: a test engine (unless an engine URL is given), the
 * proxy, N workers and the client, each a child process of `cocoon <role>`. Starts them
 * in dependency order, waits for their ready lines, multiplexes their output with name
 * prefixes, and stops everything if one dies. Reusable from tests and benchmarks.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_WORKER_OWNER_ADDRESS, createLogger, type Logger } from '@cocoon/protocol';
import { LocalChainFaucet, createChain } from '@cocoon/ton';
import { bootstrapDevChain, type DevChainBootstrap } from './dev-chain-bootstrap.ts';
import { DevChildProcess, describeExit, type DevChildExit, type DevChildLaunch, type DevChildSpec } from './dev-child-process.ts';
import { planDevNetworkPorts, workerHttpPort, type DevNetworkPorts } from './dev-network-ports.ts';

export const COCOON_BIN_PATH = fileURLToPath(new URL('../../bin/cocoon.mjs', import.meta.url));

/** Low PoW so the dev network connects in milliseconds (production proxies use 20). */
export const DEV_POW_DIFFICULTY = 16;

export interface DevNetworkOptions {
  /** An OpenAI-compatible engine to use instead of starting the test engine. */
  engineUrl?: string;
  powDifficulty?: number;
  /** Number of workers (default 2). */
  workers?: number;
  ports?: Partial<DevNetworkPorts>;
  basePortOffset?: number;
  /** Extra flags per role, appended after the generated ones (e.g. `{ proxy: ['--max-attempts', '1'] }`). */
  extraArgs?: Partial<Record<DevChildSpec['role'], string[]>>;
  readyTimeoutMs?: number;
  stopGraceMs?: number;
  /** What to run for a child (tests substitute fake scripts). Default: `node bin/cocoon.mjs …`. */
  launch?: (spec: DevChildSpec) => DevChildLaunch;
  /** Receives every child output line. Default: `[name] line` to our stdout/stderr. */
  onLine?: (name: string, stream: 'stdout' | 'stderr', line: string) => void;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Aborting cancels a start-up in progress (children are stopped, the promise rejects). */
  signal?: AbortSignal;
  /**
   * Run on a local TON chain: a `cocoon chain` child keeping its state in `directory`,
   * a dev root contract, funded runner wallets, and every runner on chain. Off chain when absent.
   */
  chain?: { directory: string; saveStateIntervalMs?: number; pollIntervalMs?: number };
}

export interface DevNetwork {
  /** OpenAI base URL of the client, e.g. `http://127.0.0.1:10000/v1`. */
  baseUrl: string;
  engineUrl: string;
  usesTestEngine: boolean;
  /** Stats pages by child name (`proxy`, `worker-1`, …, `client`). */
  statsUrls: Record<string, string>;
  ports: DevNetworkPorts;
  /** On chain: the local chain's toncenter endpoint and the dev root contract. */
  chain?: { endpoint: string; rootAddress: string; clientWalletAddress: string };
  children: readonly DevChildProcess[];
  /** Resolves when a child dies while the network runs; the network is then being stopped. */
  childFailure: Promise<DevChildExit>;
  /** Stops all children (SIGTERM, SIGKILL after the grace period). Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

const defaultOnLine = (name: string, stream: 'stdout' | 'stderr', line: string): void => {
  (stream === 'stdout' ? process.stdout : process.stderr).write(`[${name}] ${line}\n`);
};

/** Flags that put each runner on the dev chain. */
function chainArgs(options: DevNetworkOptions, endpoint: string, boot: DevChainBootstrap): { proxy: string[]; client: string[]; worker: (index: number) => string[] } {
  const directory = options.chain?.directory ?? '.';
  const common = ['--ton-endpoint', endpoint, '--root-contract-address', boot.rootAddress, '--ton-poll-interval-ms', `${options.chain?.pollIntervalMs ?? 300}`];
  return {
    proxy: [...common, '--node-wallet-key-file', boot.keys.proxyWallet, '--proxy-key-file', boot.keys.proxyKey,
      '--db-path', join(directory, 'proxy-db'), '--save-state-interval-ms', `${options.chain?.saveStateIntervalMs ?? 2000}`],
    client: [...common, '--node-wallet-key-file', boot.keys.clientWallet],
    worker: (index) => [...common, '--node-wallet-key-file', boot.keys.workerWallets[index] ?? '', '--owner-address', DEV_WORKER_OWNER_ADDRESS],
  };
}

function childSpecs(options: DevNetworkOptions, ports: DevNetworkPorts, engineUrl: string, onChain?: ReturnType<typeof chainArgs>): { proxy: DevChildSpec; later: DevChildSpec[] } {
  const extra = (role: DevChildSpec['role']): string[] => options.extraArgs?.[role] ?? [];
  const proxy: DevChildSpec = {
    name: 'proxy',
    role: 'proxy',
    args: ['proxy', '--host', HOST, '--client-port', `${ports.proxyClient}`, '--worker-port', `${ports.proxyWorker}`,
      '--http-port', `${ports.proxyHttp}`, '--pow-difficulty', `${options.powDifficulty ?? DEV_POW_DIFFICULTY}`, ...(onChain?.proxy ?? []), ...extra('proxy')],
  };
  const workers = Array.from({ length: options.workers ?? 2 }, (_, index): DevChildSpec => ({
    name: `worker-${index + 1}`,
    role: 'worker',
    args: ['worker', '--http-port', `${workerHttpPort(ports, index)}`, '--proxy-address', `${HOST}:${ports.proxyWorker}`,
      '--engine-url', engineUrl, ...(onChain?.worker(index) ?? []), ...extra('worker')],
  }));
  const client: DevChildSpec = {
    name: 'client',
    role: 'client',
    args: ['client', '--http-host', HOST, '--http-port', `${ports.clientHttp}`, '--proxy-address', `${HOST}:${ports.proxyClient}`, ...(onChain?.client ?? []), ...extra('client')],
  };
  return { proxy, later: [...workers, client] };
}

export async function startDevNetwork(options: DevNetworkOptions = {}): Promise<DevNetwork> {
  const ports = planDevNetworkPorts(options.ports, options.basePortOffset);
  const logger = options.logger ?? createLogger('dev');
  const graceMs = options.stopGraceMs ?? 5000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const launch = options.launch ?? ((spec) => ({ command: process.execPath, args: [COCOON_BIN_PATH, ...spec.args], env: options.env }));
  const children: DevChildProcess[] = [];
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  let stopping: Promise<void> | undefined;
  let reportFailure: (exit: DevChildExit) => void = () => {};
  const childFailure = new Promise<DevChildExit>((resolve) => (reportFailure = resolve));
  let abortStartup: (error: Error) => void = () => {};
  const startupAborted = new Promise<never>((_, reject) => (abortStartup = reject));
  startupAborted.catch(() => {});
  const onAbort = (): void => abortStartup(new Error('dev network: start-up cancelled'));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const stop = (): Promise<void> => {
    phase = 'stopping';
    stopping ??= Promise.all(children.map((child) => child.stop(graceMs))).then(() => undefined);
    return stopping;
  };
  const spawnChild = (spec: DevChildSpec): Promise<Record<string, unknown>> => {
    const child = new DevChildProcess(spec, launch(spec), { onLine: options.onLine ?? defaultOnLine });
    children.push(child);
    void child.exited.then((exit) => {
      // Not yet ready: waitReady reports it. Ready but died while others start: abort here.
      if (phase === 'starting' && child.readyInfo) abortStartup(child.failure(`exited during start-up (${describeExit(exit)})`));
      if (phase !== 'running') return;
      logger.error(`${child.name} died (${describeExit(exit)}); stopping the dev network`);
      reportFailure(exit);
      void stop();
    });
    const ready = child.waitReady(readyTimeoutMs);
    ready.catch(() => {});
    return ready;
  };
  const awaitStage = (stage: Array<Promise<Record<string, unknown>>>) => Promise.race([Promise.all(stage), startupAborted]);

  try {
    let onChain: ReturnType<typeof chainArgs> | undefined;
    let chainInfo: DevNetwork['chain'];
    if (options.chain) {
      const chainReady = await awaitStage([spawnChild({
        name: 'chain', role: 'chain',
        args: ['chain', '--host', HOST, '--port', `${ports.chain}`, '--data-dir', join(options.chain.directory, 'chain')],
      })]);
      const url = typeof chainReady[0]?.url === 'string' ? chainReady[0].url : `http://${HOST}:${ports.chain}`;
      const endpoint = `${url}/jsonRPC`;
      const chain = await createChain({ kind: 'toncenter', endpoint });
      try {
        const boot = await Promise.race([bootstrapDevChain({
          chain, faucet: new LocalChainFaucet({ url }), directory: options.chain.directory,
          workers: options.workers ?? 2, workerOwnerAddress: DEV_WORKER_OWNER_ADDRESS, logger,
        }), startupAborted]);
        onChain = chainArgs(options, endpoint, boot);
        chainInfo = { endpoint, rootAddress: boot.rootAddress, clientWalletAddress: boot.clientWalletAddress };
      } finally {
        await chain.close();
      }
    }
    let engineUrl = options.engineUrl;
    const stageOne = [];
    if (engineUrl === undefined) {
      logger.warn(`using the TEST ENGINE on port ${ports.engine}: canned answers, NOT a language model (pass --engine-url for a real engine)`);
      stageOne.push(spawnChild({ name: 'test-engine', role: 'test-engine', args: ['test-engine', '--host', HOST, '--port', `${ports.engine}`, ...(options.extraArgs?.['test-engine'] ?? [])] }));
    }
    const placeholderUrl = `http://${HOST}:${ports.engine}`;
    const { proxy } = childSpecs(options, ports, placeholderUrl, onChain);
    stageOne.push(spawnChild(proxy));
    const [first] = await awaitStage(stageOne);
    if (engineUrl === undefined) engineUrl = typeof first?.url === 'string' ? first.url : placeholderUrl;
    await awaitStage(childSpecs(options, ports, engineUrl, onChain).later.map(spawnChild));
    phase = 'running';
    const statsUrls: Record<string, string> = { proxy: `http://${HOST}:${ports.proxyHttp}/stats` };
    for (let index = 0; index < (options.workers ?? 2); index++) statsUrls[`worker-${index + 1}`] = `http://${HOST}:${workerHttpPort(ports, index)}/stats`;
    statsUrls.client = `http://${HOST}:${ports.clientHttp}/stats`;
    return {
      baseUrl: `http://${HOST}:${ports.clientHttp}/v1`,
      engineUrl,
      usesTestEngine: options.engineUrl === undefined,
      statsUrls,
      ports,
      ...(chainInfo ? { chain: chainInfo } : {}),
      children,
      childFailure,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The local COCOON dev network: the proxy (or several: `proxies`, each with its own ports, data and
 * contracts, registered on the dev root; every worker serves all of them and the client discovers
 * them from the root, off chain from their listed addresses), N workers and the client (on chain also the key
 * manager, named on the dev root, which proxies and workers fetch the request-encryption keys
 * from), each a child process of `cocoon <role>`. Engines: `llama` (default: every worker embeds llama.cpp on a GGUF — --model,
 * the newest cached model, or a generated tiny random-weights one), `openai` (forward to an
 * engine URL) or `test` (a TEST ENGINE child with canned answers). Starts the children in
 * dependency order, waits for their ready lines, multiplexes their output with name prefixes,
 * and, once running, restarts a child that dies (with backoff, see DevChildSupervisor) while the
 * others keep serving; it stops everything only when a child cannot be restarted. With `lightClient`
 * it builds the light-client page into `<data dir>/app` (./dev-light-client.ts), and the client serves it
 * at `/app/`; `appOrigins` lets pages from other origins (a Mini App behind an https tunnel) use the client.
 * Reusable from tests and benchmarks.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CocoonError, DEV_PROXY_OWNER_ADDRESS, DEV_WORKER_OWNER_ADDRESS, createLogger, type Logger } from '@cocoon/protocol';
import { LocalChainFaucet, createChain } from '@cocoon/ton';
import { bootstrapDevChain, type DevChainBootstrap } from './dev-chain-bootstrap.ts';
import { DevChildProcess, describeExit, type DevChildExit, type DevChildLaunch, type DevChildSpec } from './dev-child-process.ts';
import { DevChildSupervisor, type DevChildEvent, type DevRestartPolicy, type DevSupervisionTimers } from './dev-child-supervisor.ts';
import { planDevNetworkPorts, proxyPorts, workerHttpPort, type DevNetworkPorts } from './dev-network-ports.ts';
import { resolveDevLlamaModel, type DevLlamaModel } from './dev-llama-model.ts';
import type { DevModelPullOptions } from './dev-model-pull.ts';
import { prepareDevAttestation, type DevAttestation, type DevAttestationKind } from './dev-attestation.ts';
import { DEV_WORKER_MODEL } from '@cocoon/worker';
import { DEV_LIGHT_CLIENT_PATH, buildDevLightClient, type DevLightClientBuild, type LightClientBuilder } from './dev-light-client.ts';

export const COCOON_BIN_PATH = fileURLToPath(new URL('../../bin/cocoon.mjs', import.meta.url));

/** Low PoW so the dev network connects in milliseconds (production proxies use 20). */
export const DEV_POW_DIFFICULTY = 16;

/** `llama`: embedded llama.cpp in every worker; `openai`: forward to engineUrl; `test`: the canned TEST ENGINE. */
export type DevEngineKind = 'llama' | 'openai' | 'test';

export interface DevNetworkOptions {
  /** Default: 'openai' when engineUrl is given, else 'llama'. */
  engine?: DevEngineKind;
  /** An OpenAI-compatible engine (engine 'openai'). */
  engineUrl?: string;
  /** llama: the GGUF to serve; default the newest in modelsDir, else a generated tiny random-weights GGUF. */
  modelPath?: string;
  /** llama: the model cache; default $COCOON_MODELS_DIR, else ~/.cache/cocoon/models. */
  modelsDir?: string;
  /** llama: whether to pull a small real GGUF when no model is given or cached (dev-model-pull.ts); default never. */
  modelPull?: DevModelPullOptions;
  /** Where generated files go (the tiny GGUF); default `.cocoon/dev`. */
  dataDir?: string;
  /** llama: decoding threads per worker (default: the worker's, 1 under CI, else min(4, cores)). */
  llamaThreads?: number;
  /** llama: `--llama-gpu` of the workers (default the worker's 'auto'). */
  llamaGpu?: 'auto' | 'cuda' | 'vulkan' | false;
  powDifficulty?: number;
  /** Number of workers (default 2). */
  workers?: number;
  /** Number of proxies (default 1): the first is `proxy`, the others `proxy-2`, … (ports + 10 each). */
  proxies?: number;
  ports?: Partial<DevNetworkPorts>;
  basePortOffset?: number;
  /** Extra flags per role, appended after the generated ones (e.g. `{ proxy: ['--max-attempts', '1'] }`). */
  extraArgs?: Partial<Record<DevChildSpec['role'], string[]>>;
  readyTimeoutMs?: number;
  /** SIGTERM, then SIGKILL after this long (default 15 s: the client drains in-flight answers for up to 10 s). */
  stopGraceMs?: number;
  /** What to run for a child (tests substitute fake scripts). Default: `node bin/cocoon.mjs …`. */
  launch?: (spec: DevChildSpec) => DevChildLaunch;
  /** Receives every child output line. Default: `[name] line` to our stdout/stderr. */
  onLine?: (name: string, stream: 'stdout' | 'stderr', line: string) => void;
  logger?: Logger;
  /** Restart backoff of children that die while the network runs (default 250 ms doubling to 10 s, reset after 30 s up). */
  restart?: DevRestartPolicy;
  /** Timers and clock of the restart backoff (tests inject fakes). */
  timers?: DevSupervisionTimers;
  /** Every death, restart and give-up of a child while the network runs. */
  onChildEvent?: (event: DevChildEvent) => void;
  env?: NodeJS.ProcessEnv;
  /** Aborting cancels a start-up in progress (children are stopped, the promise rejects). */
  signal?: AbortSignal;
  /**
   * Run on a local TON chain: a `cocoon chain` child keeping its state in `directory`,
   * a dev root contract, funded runner wallets, and every runner on chain. Off chain when absent.
   */
  chain?: { directory: string; saveStateIntervalMs?: number; pollIntervalMs?: number };
  /**
   * simulated (default): the proxy and workers attest with simulated TDX quotes signed by a dev
   * authority kept in the data directory, every hop verifies its peer under policy tdx and, on
   * chain, the dev root allows exactly these runner images and the served model.
   * simulated-sev-snp: the same with simulated SEV-SNP reports (the authority's dev ARK); mixed:
   * proxy and key manager on simulated TDX, odd workers on simulated SEV-SNP, even ones on TDX.
   * fake_tdx: the reference's unattested test mode.
   */
  attestation?: DevAttestationKind;
  /** openai/test engines: the full model string the workers advertise (default the worker's). */
  workerModel?: string;
  /**
   * Build the light-client page (trusting the dev authority's root) into `<data dir>/app` and have the client
   * serve it at `/app/` (`cocoon dev` does; default off). A failed build leaves the page out (see `lightClient`).
   */
  lightClient?: boolean | { build: LightClientBuilder };
  /**
   * Exact origins (`https://host[:port]`, e.g. a Mini App behind an https tunnel) whose pages may use the client:
   * added to its http_cors_origins (besides its own page origin) and their host names to its http_allowed_hosts.
   */
  appOrigins?: readonly string[];
  /** The client's telegram_bot_token_file (only that bot's Mini App users are served; see docs/operations.md); default off. */
  telegramBotTokenFile?: string;
}

export interface DevNetwork {
  /** OpenAI base URL of the client, e.g. `http://127.0.0.1:10000/v1`. */
  baseUrl: string;
  engine: DevEngineKind;
  /** The engine URL ('' with the embedded llama engine). */
  engineUrl: string;
  usesTestEngine: boolean;
  /** llama: the served GGUF and its identity. */
  model?: DevLlamaModel;
  /** Stats pages by child name (`proxy`, `proxy-2`, …, `worker-1`, …, `client`). */
  statsUrls: Record<string, string>;
  /** Every proxy: child name and where it accepts workers and clients (on chain with several: as registered on the root). */
  proxies: Array<{ name: string; workerAddress: string; clientAddress: string }>;
  /** The admin token file (for `/request/*`) of every runner, by child name (`proxy`, `worker-1`, …, `client`). */
  adminTokenFiles: Record<string, string>;
  ports: DevNetworkPorts;
  /** How the runners attest (simulated TDX, simulated SEV-SNP, mixed or fake_tdx). */
  attestation: DevAttestationKind;
  /** On chain: the local chain's toncenter endpoint and the dev root contract. */
  chain?: { endpoint: string; rootAddress: string; clientWalletAddress: string };
  /** With `lightClient`: the page's URL and directory, or why it is not served. */
  lightClient?: DevLightClientBuild & { url?: string };
  /** The current process of every child (a restarted child replaces its entry). */
  children: readonly DevChildProcess[];
  /**
   * Resolves when a child could not be restarted (its restarts failed `restart.giveUpAfter`
   * times in a row without becoming ready); the network is then being stopped. Deaths that a
   * restart repairs only reach `onChildEvent`.
   */
  childFailure: Promise<DevChildExit>;
  /** Stops all children (SIGTERM, SIGKILL after the grace period). Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

const defaultOnLine = (name: string, stream: 'stdout' | 'stderr', line: string): void => {
  (stream === 'stdout' ? process.stdout : process.stderr).write(`[${name}] ${line}\n`);
};

/** Flags that put each runner on the dev chain. */
function chainArgs(options: DevNetworkOptions, endpoint: string, boot: DevChainBootstrap): { proxy: (index: number) => string[]; client: string[]; worker: (index: number) => string[]; keyManager: string[] } {
  const directory = options.chain?.directory ?? '.';
  const common = ['--ton-endpoint', endpoint, '--root-contract-address', boot.rootAddress, '--ton-poll-interval-ms', `${options.chain?.pollIntervalMs ?? 300}`];
  return {
    proxy: (index) => [...common, '--node-wallet-key-file', boot.keys.proxyWallets[index] ?? '', '--proxy-key-file', boot.keys.proxyKeys[index] ?? '',
      '--db-path', join(directory, `${devProxyName(index)}-db`), '--save-state-interval-ms', `${options.chain?.saveStateIntervalMs ?? 2000}`],
    client: [...common, '--node-wallet-key-file', boot.keys.clientWallet],
    worker: (index) => [...common, '--node-wallet-key-file', boot.keys.workerWallets[index] ?? '', '--owner-address', DEV_WORKER_OWNER_ADDRESS,
      '--worker-state-dir', join(directory, `worker-${index + 1}-state`)],
    keyManager: [...common, '--node-wallet-key-file', boot.keys.keyManagerWallet, '--machine-key-file', boot.keys.keyManagerMachine,
      '--owner-address', DEV_PROXY_OWNER_ADDRESS, '--db-path', join(directory, 'key-manager-db'), '--root-refresh-interval-ms', '1000'],
  };
}

/** The worker flags choosing its engine. */
function engineArgs(options: DevNetworkOptions, engineUrl: string, model: DevLlamaModel | undefined): string[] {
  if (model === undefined) return ['--engine-url', engineUrl];
  return ['--engine', 'llama', '--model-path', model.path, '--model-identity', model.identity,
    ...(options.llamaThreads === undefined ? [] : ['--llama-threads', `${options.llamaThreads}`]),
    ...(options.llamaGpu === undefined ? [] : ['--llama-gpu', `${options.llamaGpu}`])];
}

/** Where the network keeps its files: the chain directory, else the data directory (default `.cocoon/dev`). */
function devDirectory(options: DevNetworkOptions): string {
  return options.chain?.directory ?? options.dataDir ?? resolve('.cocoon/dev');
}

/** Where a runner child keeps its admin token: `<chain dir or data dir>/<child name>/admin.token`. */
function adminTokenFile(options: DevNetworkOptions, childName: string): string {
  return join(devDirectory(options), childName, 'admin.token');
}

/** The client's browser doors: its own page origin and the app origins (CORS), their hosts (Host check), the page, the Telegram bot. */
function clientPageArgs(options: DevNetworkOptions, ports: DevNetworkPorts, appDir: string | undefined): string[] {
  const origins = [`http://${HOST}:${ports.clientHttp}`, ...(options.appOrigins ?? [])];
  const hosts = [...new Set((options.appOrigins ?? []).map((origin) => new URL(origin).hostname))];
  return [
    '--http-cors-origins', JSON.stringify([...new Set(origins)]),
    ...(hosts.length > 0 ? ['--http-allowed-hosts', JSON.stringify(hosts)] : []),
    ...(appDir ? ['--app-dir', appDir] : []),
    ...(options.telegramBotTokenFile ? ['--telegram-bot-token-file', options.telegramBotTokenFile] : []),
  ];
}

/** Child name of proxy `index`: `proxy`, then `proxy-2`, `proxy-3`, … */
export function devProxyName(index: number): string {
  return index === 0 ? 'proxy' : `proxy-${index + 1}`;
}

/** Every proxy's name and addresses. */
function devProxies(options: DevNetworkOptions, ports: DevNetworkPorts): DevNetwork['proxies'] {
  return Array.from({ length: options.proxies ?? 1 }, (_, index) => {
    const own = proxyPorts(ports, index);
    return { name: devProxyName(index), workerAddress: `${HOST}:${own.worker}`, clientAddress: `${HOST}:${own.client}` };
  });
}

/**
 * How workers (`worker`) and the client find the proxies: one proxy as always (--proxy-address); several: on
 * chain from the root's registered proxies (--discover-proxies), off chain from the listed addresses.
 */
function proxyFlags(options: DevNetworkOptions, ports: DevNetworkPorts, side: 'worker' | 'client'): string[] {
  const proxies = devProxies(options, ports);
  const address = (proxy: DevNetwork['proxies'][number]) => (side === 'worker' ? proxy.workerAddress : proxy.clientAddress);
  if (proxies.length === 1) return ['--proxy-address', address(proxies[0]!)];
  const found = options.chain ? ['--discover-proxies', 'true'] : ['--proxy-addresses', JSON.stringify(proxies.map(address))];
  return [...found, '--max-proxies', `${proxies.length}`];
}

function childSpecs(
  options: DevNetworkOptions, ports: DevNetworkPorts, engine: string[], attestation: DevAttestation, onChain?: ReturnType<typeof chainArgs>, appDir?: string,
): { proxies: DevChildSpec[]; later: DevChildSpec[] } {
  const extra = (role: 'proxy' | 'client'): string[] => [...attestation.args[role], ...(options.extraArgs?.[role] ?? [])];
  const token = (name: string): string[] => ['--admin-token-file', adminTokenFile(options, name)];
  const proxies = devProxies(options, ports).map(({ name }, index): DevChildSpec => {
    const own = proxyPorts(ports, index);
    return {
      name,
      role: 'proxy',
      args: ['proxy', '--host', HOST, '--client-port', `${own.client}`, '--worker-port', `${own.worker}`,
        '--http-port', `${own.http}`, '--pow-difficulty', `${options.powDifficulty ?? DEV_POW_DIFFICULTY}`, ...token(name), ...(onChain?.proxy(index) ?? []), ...extra('proxy')],
    };
  });
  const workers = Array.from({ length: options.workers ?? 2 }, (_, index): DevChildSpec => ({
    name: `worker-${index + 1}`,
    role: 'worker',
    args: ['worker', '--http-port', `${workerHttpPort(ports, index)}`, ...proxyFlags(options, ports, 'worker'), ...token(`worker-${index + 1}`),
      ...engine, ...(options.workerModel === undefined ? [] : ['--model', options.workerModel]), ...(onChain?.worker(index) ?? []), ...attestation.workerArgs(index), ...(options.extraArgs?.worker ?? [])],
  }));
  const client: DevChildSpec = {
    name: 'client',
    role: 'client',
    args: ['client', '--http-host', HOST, '--http-port', `${ports.clientHttp}`, ...proxyFlags(options, ports, 'client'), ...token('client'),
      // Its own page origin (and the app origins) may use the client's API from a browser (CORS); no other origin may.
      ...clientPageArgs(options, ports, appDir), ...(onChain?.client ?? []), ...extra('client')],
  };
  return { proxies, later: [...workers, client] };
}

/** The key manager child (on chain): key requests on the port the root names, stats on its own. */
function keyManagerSpec(options: DevNetworkOptions, ports: DevNetworkPorts, attestation: DevAttestation['args'], onChain: ReturnType<typeof chainArgs>): DevChildSpec {
  return {
    name: 'key-manager',
    role: 'key-manager',
    args: ['key-manager', '--host', HOST, '--rpc-port', `${ports.keyManagerRpc}`, '--http-port', `${ports.keyManagerHttp}`,
      '--pow-difficulty', `${options.powDifficulty ?? DEV_POW_DIFFICULTY}`, '--admin-token-file', adminTokenFile(options, 'key-manager'),
      ...onChain.keyManager, ...attestation['key-manager'], ...(options.extraArgs?.['key-manager'] ?? [])],
  };
}

function devEngineKind(options: DevNetworkOptions): DevEngineKind {
  const engine = options.engine ?? (options.engineUrl !== undefined ? 'openai' : 'llama');
  if (engine === 'openai' && options.engineUrl === undefined) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'engine openai needs --engine-url URL', { param: 'engine_url' });
  if (engine !== 'openai' && options.engineUrl !== undefined) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `--engine-url is only used with engine openai, not ${engine}`, { param: 'engine_url' });
  return engine;
}

export async function startDevNetwork(options: DevNetworkOptions = {}): Promise<DevNetwork> {
  const ports = planDevNetworkPorts(options.ports, options.basePortOffset);
  const logger = options.logger ?? createLogger('dev');
  const engineKind = devEngineKind(options);
  const model = engineKind === 'llama'
    ? await resolveDevLlamaModel({
      dataDir: options.dataDir ?? resolve('.cocoon/dev'), logger,
      ...(options.modelPath === undefined ? {} : { modelPath: options.modelPath }),
      ...(options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir }),
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.modelPull === undefined ? {} : { pull: options.modelPull }),
    })
    : undefined;
  if (model) logger.info(`workers embed llama.cpp serving ${model.path} as ${model.identity}`);
  const attestation = await prepareDevAttestation({
    kind: options.attestation ?? 'simulated', directory: options.chain?.directory ?? options.dataDir ?? resolve('.cocoon/dev'), workers: options.workers ?? 2,
    workerModel: model?.identity ?? options.workerModel ?? DEV_WORKER_MODEL, logger,
  });
  // The page builds (esbuild, a few seconds) while the chain and the proxies start; the client waits for it.
  const lightClient = options.lightClient ? buildDevLightClient({
    directory: devDirectory(options), rootCertificateDer: attestation.rootCertificateDer, sevArkDer: attestation.sevArkDer, logger,
    model: model?.identity ?? options.workerModel ?? DEV_WORKER_MODEL,
    ...(typeof options.lightClient === 'object' ? { build: options.lightClient.build } : {}),
  }) : undefined;
  const graceMs = options.stopGraceMs ?? 15_000; // above the client's 10 s drain of in-flight answers
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const launch = options.launch ?? ((spec) => ({ command: process.execPath, args: [COCOON_BIN_PATH, ...spec.args], env: options.env }));
  const children: DevChildProcess[] = [];
  const supervisors: DevChildSupervisor[] = [];
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
    for (const supervisor of supervisors) supervisor.cancel();
    stopping ??= Promise.all(children.map((child) => child.stop(graceMs))).then(() => undefined);
    return stopping;
  };
  const startProcess = (spec: DevChildSpec): DevChildProcess => {
    const child = new DevChildProcess(spec, launch(spec), { onLine: options.onLine ?? defaultOnLine });
    const index = children.findIndex((existing) => existing.name === spec.name);
    if (index === -1) children.push(child);
    else children[index] = child;
    return child;
  };
  const spawnChild = (spec: DevChildSpec): Promise<Record<string, unknown>> => {
    const supervisor = new DevChildSupervisor(spec, {
      spawn: startProcess,
      shouldRestart: () => phase === 'running',
      logger, readyTimeoutMs, stopGraceMs: graceMs,
      ...(options.restart ? { policy: options.restart } : {}),
      ...(options.timers ? { timers: options.timers } : {}),
      ...(options.onChildEvent ? { onEvent: options.onChildEvent } : {}),
      onGiveUp: (exit) => {
        if (phase !== 'running') return;
        logger.error(`${spec.name} cannot be restarted (${describeExit(exit)}); stopping the dev network`);
        reportFailure(exit);
        void stop();
      },
    });
    supervisors.push(supervisor);
    const child = supervisor.child;
    void child.exited.then((exit) => {
      // Not yet ready: waitReady reports it. Ready but died while others start: abort here.
      if (phase === 'starting' && child.readyInfo) abortStartup(child.failure(`exited during start-up (${describeExit(exit)})`));
    });
    const ready = supervisor.waitReady();
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
          ...(attestation.allowedHashes ? { allowedHashes: attestation.allowedHashes } : {}),
          keyManager: { imageHash: attestation.keyManagerImageHash, address: `${HOST}:${ports.keyManagerRpc}` },
          // §1.2: several proxies are registered on the root ("IP:worker_port IP:client_port"), where workers and the client find them.
          ...((options.proxies ?? 1) > 1 ? { proxies: options.proxies, registeredProxies: devProxies(options, ports).map((proxy) => `${proxy.workerAddress} ${proxy.clientAddress}`) } : {}),
        }), startupAborted]);
        onChain = chainArgs(options, endpoint, boot);
        chainInfo = { endpoint, rootAddress: boot.rootAddress, clientWalletAddress: boot.clientWalletAddress };
      } finally {
        await chain.close();
      }
    }
    // The key manager first: its first key is on the root and ready to serve when the proxy and workers ask.
    if (onChain) await awaitStage([spawnChild(keyManagerSpec(options, ports, attestation.args, onChain))]);
    let engineUrl = options.engineUrl ?? '';
    const stageOne = [];
    if (engineKind === 'test') {
      logger.warn(`using the TEST ENGINE on port ${ports.engine}: canned answers, NOT a language model (pass --engine-url for a real engine)`);
      stageOne.push(spawnChild({ name: 'test-engine', role: 'test-engine', args: ['test-engine', '--host', HOST, '--port', `${ports.engine}`, ...(options.extraArgs?.['test-engine'] ?? [])] }));
    }
    const placeholderUrl = `http://${HOST}:${ports.engine}`;
    for (const proxy of childSpecs(options, ports, [], attestation, onChain).proxies) stageOne.push(spawnChild(proxy));
    const [first] = await awaitStage(stageOne);
    if (engineKind === 'test') engineUrl = typeof first?.url === 'string' ? first.url : placeholderUrl;
    const page = lightClient ? await Promise.race([lightClient, startupAborted]) : undefined;
    const appDir = page?.built ? page.directory : undefined;
    await awaitStage(childSpecs(options, ports, engineArgs(options, engineUrl, model), attestation, onChain, appDir).later.map(spawnChild));
    phase = 'running';
    const statsUrls: Record<string, string> = onChain ? { 'key-manager': `http://${HOST}:${ports.keyManagerHttp}/stats` } : {};
    for (const [index, proxy] of devProxies(options, ports).entries()) statsUrls[proxy.name] = `http://${HOST}:${proxyPorts(ports, index).http}/stats`;
    for (let index = 0; index < (options.workers ?? 2); index++) statsUrls[`worker-${index + 1}`] = `http://${HOST}:${workerHttpPort(ports, index)}/stats`;
    statsUrls.client = `http://${HOST}:${ports.clientHttp}/stats`;
    const adminTokenFiles = Object.fromEntries(Object.keys(statsUrls).map((name) => [name, adminTokenFile(options, name)]));
    return {
      baseUrl: `http://${HOST}:${ports.clientHttp}/v1`,
      engine: engineKind,
      engineUrl,
      usesTestEngine: engineKind === 'test',
      attestation: attestation.kind,
      ...(model ? { model } : {}),
      statsUrls,
      proxies: devProxies(options, ports),
      adminTokenFiles,
      ports,
      ...(chainInfo ? { chain: chainInfo } : {}),
      ...(page ? { lightClient: page.built ? { ...page, url: `http://${HOST}:${ports.clientHttp}${DEV_LIGHT_CLIENT_PATH}` } : page } : {}),
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

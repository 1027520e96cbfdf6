/**
 * The checks of `cocoon doctor` (each `{name, ok, detail, fix}`), written against injectable
 * probes so that every pass and fail path runs in tests without TDX, a GPU or a chain:
 *   tee            TDX (configfs-tsm or /dev/tdx_guest) or SEV-SNP (/dev/sev-guest) present
 *   image_hash     this machine's image hash in the root's list for the role (and who registers it)
 *   model_hash     worker: SHA-256 of the full model string in the root's model_hashes
 *   engine         worker (openai engine): /v1/models answers, a one-token request reports usage
 *                  with prompt_tokens_details (vLLM --enable-prompt-tokens-details)
 *   wallet_balance the node wallet holds enough for the next operations (network params)
 *   ports          the role's listen ports are free, or held by this runner already
 *   clock_skew     the local clock against the chain's time (or an HTTP Date header)
 */
import { createHash } from 'node:crypto';
import type { RootConfig } from '@cocoon/ton';
import { formatTon } from './ton-amount.ts';
import { chainSettingsOf, statsUrlOf, type OperatorConfig, type OperatorRole } from './operator-role-config.ts';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix: string;
}

export interface DoctorProbes {
  fileExists(path: string): boolean;
  /** This machine's image hash (hex) for the role as configured, and how it was obtained. */
  imageHash(role: OperatorRole, config: OperatorConfig): Promise<{ hash: string; how: string }>;
  /** The root config from the chain; undefined when the config runs off chain. */
  readRoot(config: OperatorConfig): Promise<RootConfig | undefined>;
  /** The node wallet's address and balance; undefined off chain. */
  walletBalance(config: OperatorConfig): Promise<{ address: string; balance: bigint } | undefined>;
  /** A reference time in unix ms and where it came from (the chain, else an HTTP Date header); undefined when none is reachable. */
  referenceTime(config: OperatorConfig): Promise<{ ms: number; source: string } | undefined>;
  fetch: typeof fetch;
  /** True when a listener can bind host:port now. */
  portFree(host: string, port: number): Promise<boolean>;
  /** Local clock, unix ms. */
  now(): number;
}

/** Where a Linux guest exposes its TEE. */
export const TEE_DEVICE_PATHS = {
  tdxConfigfs: '/sys/kernel/config/tsm/report',
  tdxGuest: '/dev/tdx_guest',
  sevGuest: '/dev/sev-guest',
} as const;

/** More skew than this breaks certificate validity windows and wallet externals' valid_until. */
export const MAX_CLOCK_SKEW_MS = 30_000;

const check = (name: string, ok: boolean, detail: string, fix = ''): DoctorCheck => ({ name, ok, detail, fix: ok ? '' : fix });
const text = (config: OperatorConfig, key: string): string | undefined => (typeof config[key] === 'string' && config[key] !== '' ? config[key] : undefined);
const teeOf = (role: OperatorRole, config: OperatorConfig): string => text(config, 'tee') ?? (role === 'client' ? 'none' : 'tdx');
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function checkTee(role: OperatorRole, config: OperatorConfig, probes: DoctorProbes): DoctorCheck {
  const tdx = probes.fileExists(TEE_DEVICE_PATHS.tdxConfigfs) || probes.fileExists(TEE_DEVICE_PATHS.tdxGuest);
  const sev = probes.fileExists(TEE_DEVICE_PATHS.sevGuest);
  const found = [tdx ? 'TDX' : '', sev ? 'SEV-SNP' : ''].filter(Boolean).join(' and ') || 'none';
  const tee = teeOf(role, config);
  if (role === 'client') return check('tee', true, `clients need no TEE (found: ${found})`);
  if (tee === 'tdx') {
    return check('tee', tdx, `tee tdx; TEE found: ${found}`,
      `run inside a TDX guest with configfs-tsm (${TEE_DEVICE_PATHS.tdxConfigfs}) or ${TEE_DEVICE_PATHS.tdxGuest}: load the tdx_guest module or use a TDX-enabled kernel; for a dev network use tee simulated (cocoon dev)`);
  }
  return check('tee', true, `tee ${tee}: dev/test mode, no TEE needed (found: ${found}); a production network accepts only tdx`);
}

function rootList(role: OperatorRole, root: RootConfig): { name: string; hashes: Set<string> } | undefined {
  if (role === 'worker') return { name: 'worker_hashes', hashes: root.workerHashes };
  if (role === 'proxy') return { name: 'proxy_hashes', hashes: root.proxyHashes };
  const keyManager = (root as unknown as { keyManagerHashes?: unknown }).keyManagerHashes; // root config v7 (key manager)
  return role === 'key-manager' && keyManager instanceof Set ? { name: 'key_manager_hashes', hashes: keyManager as Set<string> } : undefined;
}

export async function checkImageHash(role: OperatorRole, config: OperatorConfig, root: RootConfig | undefined, probes: DoctorProbes): Promise<DoctorCheck> {
  if (role === 'client') return check('image_hash', true, 'clients are not attested');
  let image: { hash: string; how: string };
  try {
    image = await probes.imageHash(role, config);
  } catch (error) {
    return check('image_hash', false, `cannot measure this machine: ${errorText(error)}`, 'fix the tee check first; `cocoon attest self --tee <tee>` shows the measurements');
  }
  if (!root) return check('image_hash', true, `image hash ${image.hash} (${image.how}); no root config to check against (off chain, or the root is unreadable)`);
  const list = rootList(role, root);
  if (!list) return check('image_hash', true, `image hash ${image.hash} (${image.how}); this root has no list for ${role}s`);
  const registered = list.hashes.has(image.hash.toLowerCase());
  const settings = chainSettingsOf(config);
  return check('image_hash', registered,
    `image hash ${image.hash} (${image.how}) ${registered ? 'is' : 'is NOT'} in the root's ${list.name} (${list.hashes.size} listed, root version ${root.version})`,
    `ask the root owner (${root.owner.toString()}) to add ${image.hash} to ${list.name} of root ${settings.rootAddress ?? '?'}: send the image hash, the commit you built from, and the output of \`cocoon attest self --json\` (MRTD, RTMR0-3) so they can reproduce it; on a dev network \`cocoon dev\` registers it at start`);
}

export function checkModelHash(config: OperatorConfig, root: RootConfig | undefined): DoctorCheck {
  const model = text(config, 'model') ?? '';
  const hash = createHash('sha256').update(model, 'utf8').digest('hex');
  if (!root) return check('model_hash', true, `model ${model} (sha256 ${hash}); no root config to check against (off chain, or the root is unreadable)`);
  const registered = root.modelHashes.has(hash);
  return check('model_hash', registered, `model ${model}: sha256 ${hash} ${registered ? 'is' : 'is NOT'} in the root's model_hashes`,
    `ask the root owner (${root.owner.toString()}) to add ${hash} (SHA-256 of the full model string '${model}') to model_hashes, or serve a listed model`);
}

export async function checkEngine(config: OperatorConfig, probes: DoctorProbes): Promise<DoctorCheck> {
  if (text(config, 'engine') === 'llama') return check('engine', true, `embedded llama.cpp on ${text(config, 'model_path') ?? '?'}: usage is counted by the worker itself`);
  if (text(config, 'engine') === 'whisper') return check('engine', true, `embedded whisper.cpp on ${text(config, 'model_path') ?? '?'}: usage (audio tokens) is counted by the worker itself`);
  const base = (text(config, 'engine_url') ?? '').replace(/\/+$/, '');
  if (!base) return check('engine', false, 'no engine_url configured', 'set engine_url (e.g. http://127.0.0.1:8000 for vLLM) or engine llama with model_path');
  let modelId: string | undefined;
  try {
    const response = await probes.fetch(`${base}/v1/models`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { data?: Array<{ id?: unknown }> };
    modelId = typeof body.data?.[0]?.id === 'string' ? body.data[0].id : undefined;
    if (!response.ok || !modelId) return check('engine', false, `${base}/v1/models answered HTTP ${response.status} without models`, 'start the engine with the model loaded (vLLM: vllm serve <model>)');
  } catch (error) {
    return check('engine', false, `${base}/v1/models unreachable: ${errorText(error)}`, `start the inference engine at ${base} (vLLM: vllm serve <model> --port <port> --enable-prompt-tokens-details --enable-force-include-usage)`);
  }
  try {
    const response = await probes.fetch(`${base}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(60_000),
      body: JSON.stringify({ model: modelId, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, stream: false }),
    });
    const body = (await response.json()) as { usage?: { prompt_tokens?: unknown; prompt_tokens_details?: unknown } };
    if (!response.ok) return check('engine', false, `a one-token request to ${modelId} answered HTTP ${response.status}`, 'check the engine logs; the model must accept chat completions');
    if (typeof body.usage?.prompt_tokens !== 'number') {
      return check('engine', false, `model ${modelId} answers without usage: the worker cannot bill`, 'enable usage reporting in the engine (vLLM reports usage by default; --enable-force-include-usage for streams)');
    }
    if (body.usage.prompt_tokens_details === undefined || body.usage.prompt_tokens_details === null) {
      return check('engine', false, `model ${modelId} reports usage without prompt_tokens_details: cached tokens cannot be billed at their price`,
        'start vLLM with --enable-prompt-tokens-details (and --enable-force-include-usage for streamed usage)');
    }
    return check('engine', true, `${base} serves ${modelId}; usage with prompt_tokens_details reported`);
  } catch (error) {
    return check('engine', false, `a one-token request to ${modelId} failed: ${errorText(error)}`, 'check that the engine is healthy (its logs)');
  }
}

/** What the next operations of each role cost at least (§6.8), on top of the wallet's 2.1 TON floor. */
export function walletNeedOf(role: OperatorRole, root: RootConfig | undefined): { nanoton: bigint; why: string } {
  const floor = 2_100_000_000n;
  if (role === 'client') {
    const stake = root?.params.minClientStake ?? 0n;
    return { nanoton: floor + 800_000_000n + 1_000_000_000n + stake, why: `2.1 TON wallet floor + 0.8 TON deploy + 1 TON register + one stake ${formatTon(stake)} TON` };
  }
  if (role === 'proxy') {
    const stake = root?.params.minProxyStake ?? 0n;
    return { nanoton: floor + 300_000_000n + stake + 1_000_000_000n, why: `2.1 TON wallet floor + 0.3 TON deploy + stake ${formatTon(stake)} TON + 1 TON for charges and payouts` };
  }
  if (role === 'worker') return { nanoton: floor + 300_000_000n + 500_000_000n, why: '2.1 TON wallet floor + 0.3 TON contract deploy + 0.5 TON per payout request' };
  return { nanoton: floor, why: '2.1 TON wallet floor' };
}

export async function checkWalletBalance(role: OperatorRole, config: OperatorConfig, root: RootConfig | undefined, probes: DoctorProbes): Promise<DoctorCheck> {
  let wallet: { address: string; balance: bigint } | undefined;
  try {
    wallet = await probes.walletBalance(config);
  } catch (error) {
    return check('wallet_balance', false, `cannot read the wallet balance: ${errorText(error)}`, 'check ton_endpoint and node_wallet_key_file (cocoon wallet balance --role <role> --config FILE)');
  }
  if (!wallet) return check('wallet_balance', true, 'off chain: no wallet');
  const need = walletNeedOf(role, root);
  const ok = wallet.balance >= need.nanoton;
  return check('wallet_balance', ok, `wallet ${wallet.address} holds ${formatTon(wallet.balance)} TON; the next operations need ${formatTon(need.nanoton)} TON (${need.why})`,
    `send at least ${formatTon(need.nanoton - wallet.balance)} TON to ${wallet.address} (non-bounceable)`);
}

/** The ports the role listens on, from its config. */
export function listenPortsOf(role: OperatorRole, config: OperatorConfig): Array<{ key: string; host: string; port: number }> {
  const host = text(config, role === 'proxy' ? 'host' : 'http_host') ?? '127.0.0.1';
  const keys = role === 'proxy' ? ['http_port', 'worker_port', 'client_port'] : ['http_port'];
  const defaults: Record<string, number> = { client: 10000, proxy: 11000, worker: 12000, 'key-manager': 13000 };
  return keys.map((key) => ({ key, host, port: typeof config[key] === 'number' ? config[key] : key === 'http_port' ? defaults[role]! : 0 }))
    .filter((entry) => entry.port > 0);
}

export async function checkPorts(role: OperatorRole, config: OperatorConfig, probes: DoctorProbes): Promise<DoctorCheck> {
  const ports = listenPortsOf(role, config);
  const busy: string[] = [];
  for (const entry of ports) if (!(await probes.portFree(entry.host, entry.port))) busy.push(`${entry.key} ${entry.host}:${entry.port}`);
  if (busy.length === 0) return check('ports', true, `free: ${ports.map((entry) => `${entry.key} ${entry.port}`).join(', ')}`);
  const statsUrl = statsUrlOf(role, config);
  let ours = false;
  try {
    ours = (await probes.fetch(`${statsUrl}/jsonstats`, { signal: AbortSignal.timeout(5_000) })).status !== 404;
  } catch {
    ours = false;
  }
  if (ours) return check('ports', true, `bound by the running ${role} (its stats answer at ${statsUrl}): ${busy.join(', ')}`);
  return check('ports', false, `in use by another process: ${busy.join(', ')}`, 'stop what holds them (ss -ltnp shows it) or set other ports in the config (--http-port …)');
}

export async function checkClockSkew(config: OperatorConfig, probes: DoctorProbes): Promise<DoctorCheck> {
  let reference: { ms: number; source: string } | undefined;
  try {
    reference = await probes.referenceTime(config);
  } catch (error) {
    return check('clock_skew', false, `no reference time: ${errorText(error)}`, 'make the chain endpoint reachable, then check the clock again');
  }
  if (!reference) return check('clock_skew', true, 'no chain or HTTP time source configured; not checked');
  const skew = probes.now() - reference.ms;
  const ok = Math.abs(skew) <= MAX_CLOCK_SKEW_MS;
  return check('clock_skew', ok, `local clock is ${(Math.abs(skew) / 1000).toFixed(1)} s ${skew >= 0 ? 'ahead of' : 'behind'} ${reference.source} (limit ${MAX_CLOCK_SKEW_MS / 1000} s)`,
    'synchronise the clock (timedatectl set-ntp true, or chronyd); certificates and wallet messages carry times');
}

/** Every check for the role, in a fixed order. */
export async function runDoctorChecks(role: OperatorRole, config: OperatorConfig, probes: DoctorProbes): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [checkTee(role, config, probes)];
  let root: RootConfig | undefined;
  let rootError: string | undefined;
  try {
    root = await probes.readRoot(config);
  } catch (error) {
    rootError = errorText(error);
  }
  if (rootError !== undefined) {
    checks.push(check('root', false, `cannot read the root contract: ${rootError}`, 'check ton_endpoint (reachable?) and root_contract_address'));
  }
  checks.push(await checkImageHash(role, config, root, probes));
  if (role === 'worker') {
    checks.push(checkModelHash(config, root));
    checks.push(await checkEngine(config, probes));
  }
  checks.push(await checkWalletBalance(role, config, root, probes));
  checks.push(await checkPorts(role, config, probes));
  checks.push(await checkClockSkew(config, probes));
  return checks;
}

/**
 * The worker runner's config (§8.4 `workerRunner.config`, trimmed): stats port, proxy
 * connection, advertised model and coefficient, the inference engine (`openai`: forward to an
 * OpenAI-compatible server at engine_url; `llama`: embedded llama.cpp on a GGUF at model_path,
 * optionally checked against model_identity; `whisper`: embedded whisper.cpp speech to text on a
 * ggml model at model_path), the TON settings (chain, root, node wallet,
 * payout ledger and threshold), the model switch script, the machine description and the end-to-end keys
 * (e2e_enabled, key rotation and grace, replay window).
 */
import { z } from 'zod';
import {
  DEV_WORKER_OWNER_ADDRESS,
  hostPortSchema,
  httpAccessHashField,
  httpGuardConfigFields,
  logConfigFields,
  peerPolicyField,
  listenPortSchema,
  nanotonSchema,
  tonAddressSchema,
  tonConfigFields,
  teeField,
  attestationTrustFields,
  checkProxyTargets,
  proxyTargetConfigFields,
} from '@cocoon/protocol';

/** Full model string `name@revision:verity_hash` (§7.6), e.g. `Qwen/Qwen3-8B@abc123:<64 hex>`. */
export const modelStringSchema = z
  .string()
  .regex(/^[^@\s:]+@[^@\s:]+:[0-9a-fA-F]{64}$/, 'expected name@revision:hash (hash = 64 hex characters)');

export const DEV_WORKER_MODEL = `test/tiny-chat@dev:${'0'.repeat(64)}`;

function isJsonObjectText(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

export const workerConfigSchema = z
  .object({
    /** Stats/control HTTP port (§8.1: 12000 + 10·instance). */
    http_port: listenPortSchema.default(12000),
    /** Where the proxy accepts workers (§8.1: 11001). */
    proxy_address: hostPortSchema.default('127.0.0.1:11001'),
    owner_address: tonAddressSchema.default(DEV_WORKER_OWNER_ADDRESS),
    model: modelStringSchema.default(DEV_WORKER_MODEL),
    /** Price multiplier, 1000 = 1.0× (§5.2). */
    coefficient: z.number().int().min(0).lt(1_000_000_000).default(1000),
    max_active_requests: z.number().int().min(1).max(100_000).default(60),
    /**
     * 'openai': forward to engine_url (vLLM, SGLang, Ollama, llama.cpp server…); 'llama': embedded llama.cpp on model_path;
     * 'whisper': embedded whisper.cpp speech to text on the ggml model at model_path.
     */
    engine: z.enum(['openai', 'llama', 'whisper']).default('openai'),
    /** OpenAI-compatible inference engine base URL, e.g. http://127.0.0.1:8000. Required with engine 'openai'. */
    engine_url: z.url({ protocol: /^https?$/ }).optional(),
    /** GGUF model file. Required with engine 'llama'. */
    model_path: z.string().min(1).optional(),
    /** `name@revision:sha256` of the model file: a llama worker refuses to start when the file hashes otherwise. */
    model_identity: modelStringSchema.optional(),
    /** llama: decoding threads (default 1 when CI is set, else min(4, CPU cores)). */
    llama_threads: z.number().int().min(1).max(512).optional(),
    /** llama: 'auto' (CUDA or Vulkan when present, else CPU), 'cuda', 'vulkan', or false (CPU only). */
    llama_gpu: z.union([z.enum(['auto', 'cuda', 'vulkan']), z.literal(false), z.literal('false').transform(() => false as const)], { error: "expected 'auto', 'cuda', 'vulkan' or false" }).default('auto'),
    /** llama: tokens per sequence (default min(2048, the model's trained context)). */
    llama_context_size: z.number().int().min(16).max(1_048_576).optional(),
    /** llama: parallel sequences = concurrent generations (default 4). */
    llama_sequences: z.number().int().min(1).max(256).optional(),
    /** whisper: decoding threads (default 1 when CI is set, else min(4, CPU cores)). */
    whisper_threads: z.number().int().min(1).max(512).optional(),
    /** whisper: false (CPU, the default when unset), or the binding's 'cuda' / 'vulkan' build. */
    whisper_gpu: z.union([z.enum(['cuda', 'vulkan']), z.literal(false), z.literal('false').transform(() => false as const)], { error: "expected 'cuda', 'vulkan' or false" }).optional(),
    is_test: z.boolean().default(true),
    /** Attestation the proxy must present. Security-sensitive. */
    proxy_policy: peerPolicyField('fake_tdx'),
    /** How this worker attests itself (§7): tdx in a TDX guest, simulated on a dev network. */
    ...teeField('fake_tdx'),
    ...attestationTrustFields({ collateralDir: '.cocoon-worker/collateral' }),
    max_pow_difficulty: z.number().int().min(0).max(32).default(28),
    proxy_connections: z.number().int().min(1).max(16).default(1),
    /**
     * Several proxies served at once (§1.2): their worker addresses; set, it replaces proxy_address and
     * `proxy_cnt` = their number, so each proxy allows ceil(max_active_requests / proxy_cnt):
     * proxy_addresses, discover_proxies, max_proxies.
     */
    ...proxyTargetConfigFields(),
    http_access_hash: httpAccessHashField(),
    /** The HTTP port's doors: admin token file for /request/*, CORS origins, served host names. */
    ...httpGuardConfigFields({ adminTokenFile: '.cocoon/worker/admin.token' }),
    ...logConfigFields(),
    /** TON (§6.6): chain endpoint, root contract, node wallet key file; ton_endpoint '' = off chain. */
    ...tonConfigFields({ walletKeyFile: '.cocoon-worker/node-wallet.key' }),
    /** Directory of the durable per-proxy payout ledger (JSON files, 0600). */
    worker_state_dir: z.string().min(1).default('.cocoon-worker'),
    /** Cash out when unpaid tokens × worker_fee_per_token ≥ this many nanoTON (default 10 TON). */
    payout_threshold_nanoton: nanotonSchema.default(10_000_000_000n),
    /** Base period of worker.updatePaymentStatus polls and chain checks; the delay is 1–2× this (§16: 10–20 s). */
    payment_status_interval_ms: z.number().int().min(50).max(600_000).default(10_000),
    /** Root contract refresh period, ms (§6.9/§16: 30–60 s); unset = 45 000. */
    root_refresh_interval_ms: z.number().int().min(100).max(3_600_000).optional(),
    /**
     * Executable run on `worker.changeModel` with the new model string as its only argument (no shell);
     * exit 0 = switched. Unset: the worker refuses model switches (as the reference). Engine 'openai' only.
     */
    change_model_script: z.string().min(1).optional(),
    /** How long the script may run; keep it under the proxy's 60 s wait so the answer reaches the proxy. */
    change_model_timeout_seconds: z.number().int().min(1).max(3600).default(50),
    /**
     * A JSON object describing the machine (GPU, memory…), sent in worker.params (§3.3: only at protocol
     * ≥ 4, so setting it makes this worker speak 4..4); shown in the proxy's and the worker's /jsonstats.
     */
    machine_description_json: z.string().max(16 * 1024).refine(isJsonObjectText, 'expected a JSON object, e.g. {"gpu":"H200"}').optional(),
    /** End-to-end encryption (e2e design): HPKE keys announced with attested evidence to proxies that negotiated `e2e`. */
    e2e_enabled: z.boolean().default(true),
    /** A new e2e key pair this often. */
    e2e_key_rotation_seconds: z.number().int().min(60).max(7 * 86_400).default(3600),
    /** How long the previous e2e key still opens requests after a rotation. */
    e2e_key_grace_seconds: z.number().int().min(0).max(86_400).default(600),
    /** An e2e request's created_at_ms must be this close to the worker's clock; its id is remembered this long (replays refused). */
    e2e_replay_window_seconds: z.number().int().min(10).max(3600).default(300),
  })
  .strict()
  .superRefine((config, context) => {
    checkProxyTargets(config, context);
    if (config.engine === 'openai' && config.engine_url === undefined) {
      context.addIssue({ code: 'custom', path: ['engine_url'], message: "engine_url is required with engine 'openai' (--engine-url URL or COCOON_WORKER_ENGINE_URL), or use --engine llama --model-path FILE.gguf" });
    }
    if (config.engine === 'llama' && config.change_model_script !== undefined) {
      context.addIssue({ code: 'custom', path: ['change_model_script'], message: "change_model_script needs engine 'openai': the embedded llama engine cannot be switched by a script" });
    }
    if (config.engine === 'llama' && config.model_path === undefined) {
      context.addIssue({ code: 'custom', path: ['model_path'], message: "model_path is required with engine 'llama' (--model-path FILE.gguf or COCOON_WORKER_MODEL_PATH)" });
    }
    if (config.engine === 'whisper' && config.model_path === undefined) {
      context.addIssue({ code: 'custom', path: ['model_path'], message: "model_path is required with engine 'whisper' (--model-path ggml-MODEL.bin or COCOON_WORKER_MODEL_PATH)" });
    }
    if (config.engine === 'whisper' && config.change_model_script !== undefined) {
      context.addIssue({ code: 'custom', path: ['change_model_script'], message: "change_model_script needs engine 'openai': the embedded whisper engine cannot be switched by a script" });
    }
  });

export type WorkerConfig = z.output<typeof workerConfigSchema>;
export type WorkerConfigInput = z.input<typeof workerConfigSchema>;

/**
 * The model string the worker advertises: `model`, except that a `model_identity` replaces
 * the built-in dev default (so `--model-identity X` alone advertises X).
 */
export function advertisedWorkerModel(config: Pick<WorkerConfig, 'model' | 'model_identity'>): string {
  return config.model === DEV_WORKER_MODEL && config.model_identity !== undefined ? config.model_identity : config.model;
}

/** Default llama decoding threads: 1 under CI (shared runners), else min(4, CPU cores). */
export function defaultLlamaThreads(env: Record<string, string | undefined>, cores: number): number {
  const ci = env.CI;
  if (ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') return 1;
  return Math.max(1, Math.min(4, cores));
}

/**
 * The worker runner's config (§8.4 `workerRunner.config`, trimmed): stats port, proxy
 * connection, advertised model and coefficient, the inference engine to forward to, and the
 * TON settings (chain, root, node wallet, payout ledger and threshold).
 */
import { z } from 'zod';
import {
  DEV_WORKER_OWNER_ADDRESS,
  hostPortSchema,
  httpAccessHashField,
  peerPolicyField,
  listenPortSchema,
  nanotonSchema,
  tonAddressSchema,
  tonConfigFields,
} from '@cocoon/protocol';

/** Full model string `name@revision:verity_hash` (§7.6), e.g. `Qwen/Qwen3-8B@abc123:<64 hex>`. */
export const modelStringSchema = z
  .string()
  .regex(/^[^@\s:]+@[^@\s:]+:[0-9a-fA-F]{64}$/, 'expected name@revision:hash (hash = 64 hex characters)');

export const DEV_WORKER_MODEL = `test/tiny-chat@dev:${'0'.repeat(64)}`;

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
    /** OpenAI-compatible inference engine base URL, e.g. http://127.0.0.1:8000. Required. */
    engine_url: z.url({ protocol: /^https?$/ }),
    is_test: z.boolean().default(true),
    /** Attestation the proxy must present. Security-sensitive. */
    proxy_policy: peerPolicyField('fake_tdx'),
    max_pow_difficulty: z.number().int().min(0).max(32).default(28),
    proxy_connections: z.number().int().min(1).max(16).default(1),
    http_access_hash: httpAccessHashField(),
    /** TON (§6.6): chain endpoint, root contract, node wallet key file; ton_endpoint '' = off chain. */
    ...tonConfigFields({ walletKeyFile: '.cocoon-worker/node-wallet.key' }),
    /** Directory of the durable per-proxy payout ledger (JSON files, 0600). */
    worker_state_dir: z.string().min(1).default('.cocoon-worker'),
    /** Cash out when unpaid tokens × worker_fee_per_token ≥ this many nanoTON (default 10 TON). */
    payout_threshold_nanoton: nanotonSchema.default(10_000_000_000n),
    /** Base period of worker.updatePaymentStatus polls and chain checks; the delay is 1–2× this (§16: 10–20 s). */
    payment_status_interval_ms: z.number().int().min(50).max(600_000).default(10_000),
  })
  .strict();

export type WorkerConfig = z.output<typeof workerConfigSchema>;
export type WorkerConfigInput = z.input<typeof workerConfigSchema>;

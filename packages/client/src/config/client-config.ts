/**
 * The client runner's config (§8.4 `clientRunner.config`, trimmed to what this
 * implementation uses): HTTP front end, proxy connection, request defaults, TON.
 */
import { z } from 'zod';
import {
  DEV_CLIENT_OWNER_ADDRESS,
  hostPortSchema,
  httpAccessHashField,
  httpGuardConfigFields,
  logConfigFields,
  peerPolicyField,
  listenPortSchema,
  secretField,
  tonAddressSchema,
  tonConfigFields,
  attestationTrustFields,
  securitySensitive,
  checkProxyTargets,
  proxyTargetConfigFields,
} from '@cocoon/protocol';

export const clientConfigSchema = z
  .object({
    http_host: z.string().min(1).default('127.0.0.1'),
    /** OpenAI-compatible inference API and stats (§8.1). */
    http_port: listenPortSchema.default(10000),
    /** Where the proxy accepts clients (§8.1: 11002). */
    proxy_address: hostPortSchema.default('127.0.0.1:11002'),
    /** Connections to each proxy (default 1). */
    proxy_connections: z.number().int().min(1).max(16).default(1),
    /** Several proxies (§1.2: client addresses; requests are spread over them and fail over): proxy_addresses, discover_proxies, max_proxies. */
    ...proxyTargetConfigFields(),
    owner_address: tonAddressSchema.default(DEV_CLIENT_OWNER_ADDRESS),
    /** Short-auth secret; the proxy knows its SHA-256 (§3.1). */
    secret_string: secretField(z.string().default('')),
    is_test: z.boolean().default(true),
    /** Attestation the proxy must present. Security-sensitive. */
    proxy_policy: peerPolicyField('fake_tdx'),
    /** What tdx verification of the proxy trusts (clients are not TEEs themselves). */
    ...attestationTrustFields({ collateralDir: '.cocoon/client/collateral' }),
    /** Highest PoW difficulty the client agrees to solve (§2.1). */
    max_pow_difficulty: z.number().int().min(0).max(32).default(28),
    default_max_coefficient: z.number().int().min(0).max(1_000_000_000).default(4000),
    default_max_tokens: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(1000),
    default_timeout_seconds: z.number().positive().max(3600).default(120),
    max_body_bytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(8 * 1024 * 1024),
    /** On shutdown, how long answers in flight may finish before they are ended with an error, ms. */
    shutdown_drain_ms: z.number().int().min(0).max(600_000).default(10_000),
    http_access_hash: httpAccessHashField(),
    /** The HTTP port's doors: admin token file for /request/*, CORS origins, served host names. */
    ...httpGuardConfigFields({ adminTokenFile: '.cocoon/client/admin.token' }),
    ...logConfigFields(),
    /** TON (§6.5): chain endpoint, root contract, node wallet key file; ton_endpoint '' = off chain. */
    ...tonConfigFields({ walletKeyFile: '.cocoon/client/wallet.key' }),
    /** Client contract automation period, ms (§6.5: 1–2 s). */
    ton_automation_interval_ms: z.number().int().min(50).max(600_000).default(2000),
    /** Root contract refresh period, ms (§6.9/§16: 30–60 s). */
    root_refresh_interval_ms: z.number().int().min(100).max(3_600_000).default(45_000),
    /**
     * Off chain only: the Ed25519 keys (64 hex digits) apps may encrypt requests to (§20); on chain the root's
     * registered keys are used. With is_test off chain any key is accepted.
     */
    encryption_public_keys: z.array(z.string().regex(/^[0-9a-fA-F]{64}$/, 'an Ed25519 public key: 64 hex digits')).max(64).default([]),
    /** §22: every inference request must be sealed end to end (as if each sent `X-Cocoon-E2E: require`). Security-sensitive. */
    require_e2e: securitySensitive(z.boolean().default(false), [false, true]),
    /** §22: when E2E is required but no e2e path exists: refuse (CCN_ERR_E2E_UNAVAILABLE), or proto3 (§20 to a registered key, else refuse). Security-sensitive. */
    e2e_fallback: securitySensitive(z.enum(['proto3', 'refuse']).default('refuse'), ['proto3', 'refuse']),
    /** §22: how many verified worker keys a runner-sealed request is sealed to (any of them may serve it). */
    e2e_max_recipients: z.number().int().min(1).max(16).default(3),
    /** How long a proxy's listing of a model's e2e workers (their evidence) is reused, ms; 0 = ask per request. */
    e2e_workers_cache_ms: z.number().int().min(0).max(60_000).default(1000),
    /** §22: the LMDB directory of the receipt store (e2e requests, their receipts and the proxy's charges). */
    receipts_dir: z.string().min(1).default('.cocoon/client/receipts'),
    /**
     * A directory served at `/app/` (e.g. the light-client page `cocoon dev` builds): its files only (no dotfiles,
     * nothing outside it through `..` or symlinks), public, with a strict Content-Security-Policy. '' = none.
     */
    app_dir: z.string().default(''),
    /**
     * Telegram Mini App door: a file (mode 600) holding the bot's token; when set, every request that spends
     * (inference, task routes, the e2e relay) needs `X-Telegram-Init-Data` signed for this bot. '' = off.
     */
    telegram_bot_token_file: z.string().default(''),
    /** How old a Mini App's init data (`auth_date`) may be, seconds. */
    telegram_init_data_max_age_seconds: z.number().int().min(60).max(365 * 86_400).default(86_400),
    /** Requests one Telegram user may make per minute (fixed window); 0 = unlimited. */
    telegram_user_requests_per_minute: z.number().int().min(0).max(1_000_000).default(30),
  })
  .strict()
  .superRefine(checkProxyTargets);

export type ClientConfig = z.output<typeof clientConfigSchema>;
/** The config as written in a file (before defaults). */
export type ClientConfigInput = z.input<typeof clientConfigSchema>;

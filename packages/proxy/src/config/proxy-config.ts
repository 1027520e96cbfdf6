/**
 * The proxy runner's config (§8.4 `proxyRunner.config`, trimmed, plus the local
 * pricing params and dev clients that stand in for the root contract and chain).
 */
import { z } from 'zod';
import {
  DEV_CLIENT_OWNER_ADDRESS,
  DEV_PROXY_OWNER_ADDRESS,
  EMPTY_SECRET_SHA256,
  httpAccessHashField,
  httpGuardConfigFields,
  logConfigFields,
  nanotonSchema,
  peerPolicyField,
  listenPortSchema,
  sha256HexSchema,
  tonAddressSchema,
  tonConfigFields,
  teeField,
  attestationTrustFields,
} from '@cocoon/protocol';
import { marketConfigFields } from './market-config-fields.ts';

const NANOTON_PER_TON = 1_000_000_000n;

/** A client the proxy knows without a blockchain (stands in for its client contract). */
export const proxyDevClientSchema = z
  .object({
    owner_address: tonAddressSchema,
    /** SHA-256 (hex) of the client's secret_string. */
    secret_hash: sha256HexSchema.transform((hex) => hex.toLowerCase()),
    balance_nanoton: nanotonSchema,
    stake_nanoton: nanotonSchema,
  })
  .strict();

export type ProxyDevClient = z.output<typeof proxyDevClientSchema>;

export const DEFAULT_PROXY_DEV_CLIENTS: ProxyDevClient[] = [
  {
    owner_address: DEV_CLIENT_OWNER_ADDRESS,
    secret_hash: EMPTY_SECRET_SHA256,
    balance_nanoton: 100n * NANOTON_PER_TON,
    stake_nanoton: 15n * NANOTON_PER_TON,
  },
];

export const proxyConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    /** Clients connect here (§8.1: 11002, policy `any`). */
    client_port: listenPortSchema.default(11002),
    /** Workers connect here (§8.1: 11001). */
    worker_port: listenPortSchema.default(11001),
    /** Stats/control HTTP port (§8.1: 11000). */
    http_port: listenPortSchema.default(11000),
    is_test: z.boolean().default(true),
    owner_address: tonAddressSchema.default(DEV_PROXY_OWNER_ADDRESS),
    /** How this proxy attests itself (§7): tdx in a TDX guest, simulated on a dev network. */
    ...teeField('fake_tdx'),
    ...attestationTrustFields({ collateralDir: '.cocoon/proxy/collateral' }),
    /** Attestation workers must present. Security-sensitive. */
    worker_policy: peerPolicyField('fake_tdx'),
    /** Attestation clients must present: `any`, clients are not TEEs (§7.3). Security-sensitive. */
    client_policy: peerPolicyField('any'),
    /** PoW difficulty demanded from connecting peers (§2.1). */
    pow_difficulty: z.number().int().min(0).max(28).default(20),
    /** A peer must authorize (client auth / worker handshake) within this time from TCP accept, or it is closed. */
    auth_timeout_ms: z.number().int().min(100).max(600_000).default(10_000),
    /** Largest frame payload a peer may send before it has authorized (afterwards 16 MiB). */
    unauthenticated_max_frame_bytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
    /** Connections not yet authorized allowed per remote address, per port; more are closed at accept. */
    max_unauthenticated_per_address: z.number().int().min(1).max(1_000_000).default(16),
    /** Connections not yet authorized allowed in total, per port; more are closed at accept. */
    max_unauthenticated_connections: z.number().int().min(1).max(1_000_000).default(512),
    /** Off chain only: nanoTON per adjusted token paid by clients (§5.2). On chain the root contract's price applies. */
    price_per_token: nanotonSchema.default(20n),
    /** Off chain only: nanoTON per adjusted token paid to workers (the proxy keeps the difference). On chain the root's fee applies. */
    worker_fee_per_token: nanotonSchema.default(19n),
    /** Attempts per request across workers (1 = no retry, like the reference). */
    max_attempts: z.number().int().min(1).max(10).default(3),
    /** The market score's weights, decay and failure cooldown (§4.4; market-config-fields.ts). */
    ...marketConfigFields,
    ...tonConfigFields({ walletKeyFile: '.cocoon/proxy/wallet.key' }),
    /** The proxy's payment-signing key (`proxy_public_key`, §6.3): 32-byte seed, hex, 0600. */
    proxy_key_file: z.string().min(1).default('.cocoon/proxy/proxy.key'),
    /** Durable ledger directory (LMDB); '' = in memory (off chain only). */
    db_path: z.string().default(''),
    /** Save-state period, ms (§6.4: 30–60 s). */
    save_state_interval_ms: z.number().int().min(100).max(3_600_000).default(45_000),
    /** Root contract refresh period, ms (§6.9/§16: 30–60 s). */
    root_refresh_interval_ms: z.number().int().min(100).max(3_600_000).default(45_000),
    /** Refuse new requests while the root config is older than this (§6.7: 7200 s). */
    root_max_age_seconds: z.number().int().min(1).max(604_800).default(7200),
    /** Charge a client once its committed, uncharged usage is worth this (§6.7: 1 TON). */
    charge_threshold_nanoton: nanotonSchema.default(1_000_000_000n),
    /** Pay a worker once its committed, unpaid earnings are worth this (§6.6: 10 TON). */
    payout_threshold_nanoton: nanotonSchema.default(10_000_000_000n),
    /** Off chain only: clients known without a blockchain. */
    dev_clients: z.array(proxyDevClientSchema).default(() => DEFAULT_PROXY_DEV_CLIENTS.map((client) => ({ ...client }))),
    http_access_hash: httpAccessHashField(),
    /** The HTTP port's doors: admin token file for /request/*, CORS origins, served host names. */
    ...httpGuardConfigFields({ adminTokenFile: '.cocoon/proxy/admin.token' }),
    ...logConfigFields(),
  })
  .strict()
  .refine((config) => config.worker_fee_per_token <= config.price_per_token, {
    message: 'worker_fee_per_token must not exceed price_per_token',
    path: ['worker_fee_per_token'],
  })
  .refine((config) => config.ton_endpoint === '' || config.root_contract_address !== '', {
    message: 'root_contract_address is required when ton_endpoint is set',
    path: ['root_contract_address'],
  })
  .refine((config) => config.ton_endpoint === '' || config.db_path !== '', {
    message: 'db_path (durable ledger) is required when ton_endpoint is set',
    path: ['db_path'],
  });

export type ProxyConfig = z.output<typeof proxyConfigSchema>;
export type ProxyConfigInput = z.input<typeof proxyConfigSchema>;

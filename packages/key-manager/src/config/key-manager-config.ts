/**
 * The key manager runner's config (reference `keyStorageRunner.config`, trimmed to what this
 * runner uses): the RPC port proxies and workers fetch private keys on (13001, the port the
 * reference's router exposes), the stats/control HTTP port (13000), the LMDB key store, the
 * machine key that signs stored records and published keys (the root's key_manager_public_key),
 * the TON settings, and the security switches `check_hashes` and `add_default_key`, which
 * the runner refuses on a root that is not is_test; `metrics_require_token` and `log_format` as
 * every runner.
 */
import { z } from 'zod';
import {
  DEV_PROXY_OWNER_ADDRESS,
  attestationTrustFields,
  httpAccessHashField,
  httpGuardConfigFields,
  listenPortSchema,
  logConfigFields,
  peerPolicyField,
  securitySensitive,
  teeField,
  tonAddressSchema,
  tonConfigFields,
} from '@cocoon/protocol';

export const keyManagerConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    /** Proxies and workers ask for private keys here (reference: 13001 outside the TEE, routed to 13101 inside). */
    rpc_port: listenPortSchema.default(13001),
    /** Stats (`/stats`, `/jsonstats`) and the controls `/request/generatekey`, `/request/removekey` (13000). */
    http_port: listenPortSchema.default(13000),
    /** Durable key store (LMDB environment directory, 0700). */
    db_path: z.string().min(1).default('.cocoon/key-manager/db'),
    /** The machine key (32-byte Ed25519 seed, hex, 0600; created on first start): signs every stored record and every published key. */
    machine_key_file: z.string().min(1).default('.cocoon/key-manager/machine.key'),
    owner_address: tonAddressSchema.default(DEV_PROXY_OWNER_ADDRESS),
    /** Must equal the root contract's is_test (checked at start). */
    is_test: z.boolean().default(true),
    /**
     * Serve private keys only to peers whose image hash is in the root's proxy_hashes / worker_hashes.
     * Security-sensitive; it cannot be switched off on a root that is not is_test.
     */
    check_hashes: securitySensitive(z.boolean().default(true), [false, true]),
    /** Also serve the reference's published debug key (test networks only: refused unless the root says is_test). */
    add_default_key: securitySensitive(z.boolean().default(false), [true, false]),
    /** Attestation proxies and workers must present. Security-sensitive. */
    peer_policy: peerPolicyField('fake_tdx'),
    /** PoW difficulty demanded from connecting peers (§2.1). */
    pow_difficulty: z.number().int().min(0).max(28).default(20),
    /** How this key manager attests itself (§7): tdx in a TDX guest, simulated on a dev network. */
    ...teeField('fake_tdx'),
    ...attestationTrustFields({ collateralDir: '.cocoon/key-manager/collateral' }),
    ...tonConfigFields({ walletKeyFile: '.cocoon/key-manager/wallet.key' }),
    /** Root contract refresh period, ms (§16: 30–60 s). */
    root_refresh_interval_ms: z.number().int().min(100).max(3_600_000).default(45_000),
    http_access_hash: httpAccessHashField(),
    /** The HTTP port's doors: admin token file for /request/*, CORS origins, served host names, metrics_require_token for /metrics. */
    ...httpGuardConfigFields({ adminTokenFile: '.cocoon/key-manager/admin.token' }),
    ...logConfigFields(),
  })
  .strict()
  .refine((config) => config.ton_endpoint === '' || config.root_contract_address !== '', {
    message: 'root_contract_address is required when ton_endpoint is set',
    path: ['root_contract_address'],
  });

export type KeyManagerConfig = z.output<typeof keyManagerConfigSchema>;
export type KeyManagerConfigInput = z.input<typeof keyManagerConfigSchema>;

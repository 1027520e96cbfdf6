/**
 * Config fields every runner shares for TON (§8.4): where the chain is (a toncenter v2
 * endpoint: the local `cocoon chain`, testnet or mainnet), the root contract, and the
 * node wallet key file. An empty `ton_endpoint` runs the runner off chain (dev only).
 */
import { z } from 'zod';
import { secretField } from './config-field-registry.ts';
import { tonAddressSchema } from './config-fields.ts';

export function tonConfigFields(defaults: { walletKeyFile: string }) {
  return {
    /** toncenter v2 JSON-RPC endpoint, e.g. http://127.0.0.1:8081/jsonRPC; '' = off chain (dev only). */
    ton_endpoint: z.string().default('').refine((value) => value === '' || /^https?:\/\//.test(value), 'expected an http(s) URL or empty'),
    /** toncenter API key (secret). */
    ton_api_key: secretField(z.string().default('')),
    /** The root contract (§6.9); required with ton_endpoint. */
    root_contract_address: z.union([tonAddressSchema, z.literal('')]).default(''),
    /** File with the node wallet key (32-byte seed, hex, 0600); created on first start. */
    node_wallet_key_file: z.string().min(1).default(defaults.walletKeyFile),
    /** How often contract state is polled, ms (§16: 5–10 s). */
    ton_poll_interval_ms: z.number().int().min(50).max(600_000).default(5000),
  };
}

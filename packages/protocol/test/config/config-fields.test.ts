/**
 * The shared field schemas of the runner configs, at their boundaries: ports, `host:port`
 * addresses, nanoTON amounts (exact bigints), TON addresses, SHA-256 digests, the TON fields
 * (endpoint, root address, poll interval) and the attestation fields (tee kind, PCCS URL).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  attestationTrustFields,
  DEFAULT_PCCS_URL,
  DEV_CLIENT_OWNER_ADDRESS,
  EMPTY_SECRET_SHA256,
  hostPortSchema,
  listenPortSchema,
  nanotonSchema,
  portSchema,
  sha256HexSchema,
  teeField,
  TEE_KINDS,
  tonAddressSchema,
  tonConfigFields,
} from '../../src/config/index.ts';

/** Asserts that `schema` accepts every value of `good` and refuses every value of `bad`. */
const accepts = (schema: z.ZodType, good: readonly unknown[], bad: readonly unknown[]): void => {
  for (const value of good) assert.ok(schema.safeParse(value).success, `should accept ${String(value)}`);
  for (const value of bad) assert.ok(!schema.safeParse(value).success, `should refuse ${String(value)}`);
};

describe('ports and addresses', () => {
  test('a port to connect to is 1..65535; a port to listen on may be 0', () => {
    accepts(portSchema, [1, 65535], [0, 65536, -1, 1.5, '80']);
    accepts(listenPortSchema, [0, 65535], [-1, 65536, 2.5]);
  });

  test('host:port with names, IPv4 and bracketed IPv6; port 1..65535', () => {
    accepts(
      hostPortSchema,
      ['127.0.0.1:11002', 'proxy.example:1', 'localhost:65535', '[::1]:11002', '[2001:db8::1]:443'],
      ['127.0.0.1', '127.0.0.1:0', '127.0.0.1:65536', '127.0.0.1:123456', '::1:11002', 'http://proxy:1', 'proxy :1', ':11002', 'proxy:'],
    );
  });

  test('the refusal says what was expected', () => {
    const issue = (value: string) => hostPortSchema.safeParse(value).error?.issues[0]?.message;
    assert.equal(issue('nohost'), 'expected host:port');
    assert.equal(issue('host:99999'), 'port must be 1..65535');
  });
});

describe('nanotonSchema', () => {
  test('decimal strings of any size and safe integers become exact bigints', () => {
    assert.equal(nanotonSchema.parse('0'), 0n);
    assert.equal(nanotonSchema.parse('1000000000000000000000000'), 10n ** 24n);
    assert.equal(nanotonSchema.parse(20), 20n);
    assert.equal(nanotonSchema.parse(Number.MAX_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER));
  });

  test('negative, fractional, unsafe, signed or spaced values are refused', () => {
    accepts(nanotonSchema, [], [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, '-1', '+1', '1.0', ' 1', '1e9', '', '0x10', 1n]);
  });
});

describe('TON addresses and digests', () => {
  test('user-friendly (base64 or base64url, 48 chars) and raw wc:hex addresses', () => {
    const raw = `0:${'ab'.repeat(32)}`;
    accepts(
      tonAddressSchema,
      [DEV_CLIENT_OWNER_ADDRESS, DEV_CLIENT_OWNER_ADDRESS.replaceAll('-', '+').replaceAll('_', '/'), raw, `-1:${'AB'.repeat(32)}`],
      [DEV_CLIENT_OWNER_ADDRESS.slice(1), `${DEV_CLIENT_OWNER_ADDRESS}A`, `0:${'ab'.repeat(31)}`, `x:${'ab'.repeat(32)}`, `${'A'.repeat(47)}-+`],
    );
  });

  test('SHA-256 as exactly 64 hex characters, either case', () => {
    accepts(sha256HexSchema, [EMPTY_SECRET_SHA256, EMPTY_SECRET_SHA256.toUpperCase()], [EMPTY_SECRET_SHA256.slice(1), `${EMPTY_SECRET_SHA256}0`, 'g'.repeat(64)]);
  });
});

describe('tonConfigFields', () => {
  const schema = z.object(tonConfigFields({ walletKeyFile: '.cocoon/proxy/wallet.key' })).strict();

  test('defaults run off chain with the role’s key file', () => {
    assert.deepEqual(schema.parse({}), { ton_endpoint: '', ton_api_key: '', root_contract_address: '', node_wallet_key_file: '.cocoon/proxy/wallet.key', ton_poll_interval_ms: 5000 });
  });

  test('the endpoint is http(s) or empty; the root is a TON address or empty', () => {
    accepts(schema.shape.ton_endpoint, ['', 'http://127.0.0.1:8081/jsonRPC', 'https://toncenter.com/api/v2/jsonRPC'], ['127.0.0.1:8081', 'ftp://x', 'ws://x']);
    accepts(schema.shape.root_contract_address, ['', DEV_CLIENT_OWNER_ADDRESS], ['root']);
  });

  test('the poll interval is 50 ms .. 10 min, and the key file may not be empty', () => {
    accepts(schema.shape.ton_poll_interval_ms, [50, 600_000], [49, 600_001, 100.5]);
    assert.ok(!schema.safeParse({ node_wallet_key_file: '' }).success);
  });
});

describe('attestation fields', () => {
  test('tee defaults per role and accepts only the four kinds', () => {
    const tee = z.object(teeField('simulated'));
    assert.equal(tee.parse({}).tee, 'simulated');
    for (const kind of TEE_KINDS) assert.equal(tee.parse({ tee: kind }).tee, kind);
    assert.ok(!tee.safeParse({ tee: 'sgx' }).success);
  });

  test('trust fields: Intel by default, a URL for the PCCS, a non-empty collateral directory', () => {
    const trust = z.object(attestationTrustFields({ collateralDir: '.cocoon/worker/collateral' }));
    assert.deepEqual(trust.parse({}), { attestation_dev_authority_dir: '', attestation_pccs_url: DEFAULT_PCCS_URL, attestation_collateral_dir: '.cocoon/worker/collateral' });
    assert.ok(!trust.safeParse({ attestation_pccs_url: 'not a url' }).success);
    assert.ok(!trust.safeParse({ attestation_collateral_dir: '' }).success);
    assert.equal(trust.parse({ attestation_pccs_url: 'https://pccs.internal:8081' }).attestation_pccs_url, 'https://pccs.internal:8081');
  });
});

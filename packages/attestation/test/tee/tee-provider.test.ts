// TEE providers and their factory: what `none` and `fake_tdx` put in a certificate, the RA-TLS
// binding of a quote to a key, and the config errors of createTeeProvider.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  CertificateOid,
  ConfigfsTsmProvider,
  DEFAULT_TSM_REPORT_ROOT,
  FakeTdxProvider,
  NoTeeProvider,
  TEE_PROVIDER_KINDS,
  createTeeProvider,
  quoteCertificateExtensions,
  reportDataForPublicKey,
} from '../../src/index.ts';

const KEY = Buffer.alloc(32, 0x42);

describe('TEE providers', () => {
  test('none adds no extension', async () => {
    assert.deepEqual(await new NoTeeProvider().certificateExtensions(KEY), []);
  });

  test('fake_tdx adds SHA-512(key) as the quote and the key as user claims, both critical', async () => {
    assert.deepEqual(await new FakeTdxProvider().certificateExtensions(KEY), [
      { oid: CertificateOid.tdxQuote, critical: true, value: createHash('sha512').update(KEY).digest() },
      { oid: CertificateOid.tdxUserClaims, critical: true, value: KEY },
    ]);
  });

  test('reportDataForPublicKey is the 64-byte SHA-512 of the key', () => {
    assert.deepEqual(reportDataForPublicKey(KEY), createHash('sha512').update(KEY).digest());
    assert.equal(reportDataForPublicKey(Buffer.alloc(0)).length, 64);
  });

  test('quoteCertificateExtensions copies its inputs', () => {
    const quote = Buffer.from('quote');
    const key = Buffer.from(KEY);
    const [quoteExtension, claims] = quoteCertificateExtensions(quote, key);
    quote.fill(0);
    key.fill(0);
    assert.equal(quoteExtension?.value.toString(), 'quote');
    assert.deepEqual(claims?.value, KEY);
    assert.ok(quoteExtension?.critical && claims?.critical);
  });
});

describe('createTeeProvider', () => {
  test('lists the six kinds and builds tdx with the default configfs root', () => {
    assert.deepEqual([...TEE_PROVIDER_KINDS], ['none', 'fake_tdx', 'tdx', 'simulated', 'sev-snp', 'simulated-sev-snp']);
    const tdx = createTeeProvider('tdx');
    assert.ok(tdx instanceof ConfigfsTsmProvider);
    assert.equal(tdx.reportRoot, DEFAULT_TSM_REPORT_ROOT);
  });

  const refused: Array<[string, () => unknown, RegExp]> = [
    ['an unknown kind, listing the known ones', () => createTeeProvider('sev_snp'), /^unknown tee kind 'sev_snp' \(expected one of none, fake_tdx, tdx, simulated, sev-snp, simulated-sev-snp\)$/],
    ['a kind in the wrong case', () => createTeeProvider('TDX'), /unknown tee kind 'TDX'/],
    ['the empty kind', () => createTeeProvider(''), /unknown tee kind ''/],
    ['simulated without options', () => createTeeProvider('simulated', {}), /needs a dev attestation authority/],
    ['tdx with a bad attempt count', () => createTeeProvider('tdx', { configfsTsm: { maxAttempts: 1.5 } }), /maxAttempts must be a positive integer, got 1\.5/],
  ];
  for (const [what, build, pattern] of refused) {
    test(`refuses ${what}`, () => {
      assert.throws(build, (error: unknown) => {
        const cocoon = error as { code?: string; param?: string; message: string };
        return cocoon.code === 'CCN_ERR_CONFIG_INVALID' && pattern.test(cocoon.message) && ['tee', 'maxAttempts'].includes(cocoon.param ?? '');
      });
    });
  }
});

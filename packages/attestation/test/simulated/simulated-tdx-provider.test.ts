// Simulated TDX with a dev root of trust: dcap-qvl accepts its quotes (UpToDate) only with the dev root and collateral.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { Quote, QuoteVerifier, constants } from '@phala/dcap-qvl';
import { CertificateOid } from '../../src/certificate/certificate-oids.ts';
import { readCertificate } from '../../src/certificate/certificate-reader.ts';
import { createAttestedCertificate } from '../../src/tee/create-attested-certificate.ts';
import { createTeeProvider } from '../../src/tee/index.ts';
import { DevAttestationAuthority, SimulatedTdxProvider, simulatedMeasurements, type TdxMeasurementRegisters } from '../../src/simulated/index.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const VERIFY_SECONDS = NOW.getTime() / 1000 + 3600;
const MEASUREMENTS: TdxMeasurementRegisters = simulatedMeasurements(Buffer.alloc(32, 0xab), { model: 'test-model', port: 8000 });
const sha512 = (data: Buffer): Buffer => createHash('sha512').update(data).digest();
const PUBLIC_KEY = Buffer.alloc(32, 0x42);

describe('SimulatedTdxProvider with a DevAttestationAuthority', () => {
  let authority: DevAttestationAuthority;
  let provider: SimulatedTdxProvider;
  let quote: Buffer;
  let directory: string;

  before(async () => {
    authority = await DevAttestationAuthority.generate({ now: NOW });
    provider = new SimulatedTdxProvider({ authority, measurements: MEASUREMENTS });
    quote = await provider.getQuote(sha512(PUBLIC_KEY));
    directory = await mkdtemp(join(tmpdir(), 'cocoon-dev-authority-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test('the quote verifies UpToDate with the dev root and dev collateral', () => {
    const report = new QuoteVerifier(authority.rootCertificateDer).verify(quote, authority.collateral, VERIFY_SECONDS);
    assert.equal(report.status, 'UpToDate');
    assert.deepEqual(report.advisory_ids, []);
  });

  test('the same quote is rejected by a verifier pinning the Intel root', () => {
    assert.throws(() => new QuoteVerifier(constants.TRUSTED_ROOT_CA_DER).verify(quote, authority.collateral, VERIFY_SECONDS), /certificate chain/);
  });

  test('the quote is a TDX v4 quote carrying our registers and REPORTDATA = SHA-512(key)', () => {
    const parsed = Quote.parse(quote);
    assert.equal(parsed.header.version, 4);
    assert.equal(parsed.header.teeType, 0x81);
    assert.equal(parsed.header.attestationKeyType, 2);
    assert.equal(Buffer.from(parsed.header.qeVendorId).toString('hex'), '939a7233f79c4ca9940a0db3957f0607');
    const td = parsed.report.asTd10();
    assert.ok(td);
    assert.deepEqual(Buffer.from(td.mrTd), MEASUREMENTS.mrTd);
    assert.deepEqual(Buffer.from(td.mrConfigId), MEASUREMENTS.mrConfigId);
    assert.deepEqual(Buffer.from(td.mrOwner), MEASUREMENTS.mrOwner);
    assert.deepEqual(Buffer.from(td.mrOwnerConfig), MEASUREMENTS.mrOwnerConfig);
    assert.deepEqual([td.rtMr0, td.rtMr1, td.rtMr2, td.rtMr3].map((register) => Buffer.from(register)),
      [MEASUREMENTS.rtmr0, MEASUREMENTS.rtmr1, MEASUREMENTS.rtmr2, MEASUREMENTS.rtmr3]);
    assert.deepEqual(Buffer.from(td.reportData), sha512(PUBLIC_KEY));
    // §7.1 absolute offsets
    assert.deepEqual(quote.subarray(184, 232), MEASUREMENTS.mrTd);
    assert.deepEqual(quote.subarray(520, 568), MEASUREMENTS.rtmr3);
    assert.deepEqual(quote.subarray(568, 632), sha512(PUBLIC_KEY));
  });

  test('an RA-TLS certificate carries the quote and the key as critical extensions', async () => {
    const certificate = await createAttestedCertificate({ provider, now: NOW });
    const extensions = readCertificate(certificate.certificateDer).extensions;
    const quoteExtension = extensions.find((extension) => extension.oid === CertificateOid.tdxQuote);
    const claims = extensions.find((extension) => extension.oid === CertificateOid.tdxUserClaims);
    assert.ok(quoteExtension?.critical && claims?.critical);
    assert.deepEqual(claims.value, certificate.publicKey);
    const report = new QuoteVerifier(authority.rootCertificateDer).verify(quoteExtension.value, authority.collateral, VERIFY_SECONDS);
    assert.equal(report.status, 'UpToDate');
    assert.deepEqual(Buffer.from(report.report.asTd10()!.reportData), sha512(certificate.publicKey));
  });

  test('tampering one byte of the TD report breaks the quote signature', () => {
    const tampered = Buffer.from(quote);
    tampered[520]! ^= 0x01; // first byte of RTMR3
    assert.throws(() => new QuoteVerifier(authority.rootCertificateDer).verify(tampered, authority.collateral, VERIFY_SECONDS), /signature is invalid/);
  });

  test('a quote from another dev authority fails against this authority', async () => {
    const other = await DevAttestationAuthority.generate({ now: NOW });
    const foreign = await new SimulatedTdxProvider({ authority: other, measurements: MEASUREMENTS }).getQuote(sha512(PUBLIC_KEY));
    assert.equal(new QuoteVerifier(other.rootCertificateDer).verify(foreign, other.collateral, VERIFY_SECONDS).status, 'UpToDate');
    assert.throws(() => new QuoteVerifier(authority.rootCertificateDer).verify(foreign, authority.collateral, VERIFY_SECONDS), /certificate chain/);
    // Mixing: our root with the other authority's collateral fails on the collateral signing chain.
    assert.throws(() => new QuoteVerifier(authority.rootCertificateDer).verify(quote, other.collateral, VERIFY_SECONDS), /certificate chain/);
  });

  test('collateral expires after a year and renewCollateral issues a fresh one', async () => {
    const later = NOW.getTime() / 1000 + 366 * 86_400;
    assert.throws(() => new QuoteVerifier(authority.rootCertificateDer).verify(quote, authority.collateral, later), /TCBInfo expired/);
    const renewed = await authority.renewCollateral(new Date(later * 1000 - 60_000));
    assert.equal(new QuoteVerifier(renewed.rootCertificateDer).verify(quote, renewed.collateral, later).status, 'UpToDate');
  });

  test('the root is a self-signed CA clearly marked as not Intel, and the CRLs are signed by their issuers', async () => {
    const root = new X509Certificate(authority.rootCertificateDer);
    assert.match(root.subject, /CN=COCOON DEV attestation root - NOT INTEL/);
    assert.equal(root.ca, true);
    assert.ok(root.verify(root.publicKey));
    const [platformCaPem] = authority.collateral.pck_crl_issuer_chain.split(/(?<=-----END CERTIFICATE-----)\n/);
    const rootCrl = new x509.X509Crl(Buffer.from(authority.collateral.root_ca_crl, 'hex'));
    const pckCrl = new x509.X509Crl(Buffer.from(authority.collateral.pck_crl, 'hex'));
    assert.equal(rootCrl.entries.length, 0);
    assert.ok(await rootCrl.verify({ publicKey: new x509.X509Certificate(authority.rootCertificatePem) }));
    assert.ok(await pckCrl.verify({ publicKey: new x509.X509Certificate(platformCaPem!) }));
    assert.equal(await pckCrl.verify({ publicKey: new x509.X509Certificate(authority.rootCertificatePem) }), false);
  });

  test('save → load round trip: key files are 0600 and loaded material verifies quotes the same', async () => {
    await authority.save(directory);
    for (const name of ['root-ca.key', 'pck-platform-ca.key', 'pck.key', 'tcb-signing.key']) {
      assert.equal((await stat(join(directory, name))).mode & 0o777, 0o600, name);
    }
    const loaded = await DevAttestationAuthority.load(directory);
    assert.deepEqual(loaded.rootCertificateDer, authority.rootCertificateDer);
    assert.deepEqual(loaded.collateral, authority.collateral);
    assert.equal(new QuoteVerifier(loaded.rootCertificateDer).verify(quote, loaded.collateral, VERIFY_SECONDS).status, 'UpToDate');
    const fromLoaded = await new SimulatedTdxProvider({ authority: loaded, measurements: MEASUREMENTS }).getQuote(Buffer.alloc(64, 9));
    assert.equal(new QuoteVerifier(authority.rootCertificateDer).verify(fromLoaded, authority.collateral, VERIFY_SECONDS).status, 'UpToDate');
  });

  test('load of an incomplete directory is a config error', async () => {
    await assert.rejects(DevAttestationAuthority.load(join(directory, 'missing')), { code: 'CCN_ERR_CONFIG_INVALID' });
  });

  test('createTeeProvider builds a simulated provider only with authority and measurements', async () => {
    const built = createTeeProvider('simulated', { simulated: { authority, measurements: MEASUREMENTS } });
    assert.ok(built instanceof SimulatedTdxProvider);
    const [quoteExtension] = await built.certificateExtensions(PUBLIC_KEY);
    assert.equal(new QuoteVerifier(authority.rootCertificateDer).verify(quoteExtension!.value, authority.collateral, VERIFY_SECONDS).status, 'UpToDate');
    assert.throws(() => createTeeProvider('simulated', { simulated: { authority } }), { code: 'CCN_ERR_CONFIG_INVALID', message: /measure/ });
  });

  test('quote generation is fast (simulated enclave work is done once per provider)', async () => {
    const started = performance.now();
    for (let index = 0; index < 20; index++) await provider.getQuote(Buffer.alloc(64, index));
    const perQuoteMs = (performance.now() - started) / 20;
    assert.ok(perQuoteMs < 50, `quote took ${perQuoteMs.toFixed(2)} ms`);
  });

  test('report data must be 64 bytes', async () => {
    await assert.rejects(provider.getQuote(Buffer.alloc(32)), { code: 'CCN_ERR_ATTEST_TEE_UNAVAILABLE' });
  });
});

// SEV-SNP forgery suite (mirrors the TDX one): every attack on SEV-SNP RA-TLS attestation is refused
// with its own code and message — through createAttestationVerifier with simulated-SNP evidence in
// real certificates, and with the genuine AMD-signed fixtures for the chain attacks.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allowedHashes, AMD_ARK_SHA256, buildSevSnpReport, CertificateOid, createAttestationVerifier, DevSevSnpAuthority, generateDevSevKeyPair,
  quoteCertificateExtensions, RootHashPolicy, SevPkiCache, SevSnpReportVerifier, signSevSnpReport, StaticSevPkiSource, StaticCollateralSource,
  type AttestationVerifierOptions, type CertificateExtension, type PeerVerifier,
} from '../../src/index.ts';
import { sign } from 'node:crypto';
import { isCode } from '../dcap/dcap-fixtures.ts';
import { FIXTURE_TIME, GENOA_V5, MILAN_CHAIN_PEM, MILAN_CRL, MILAN_V2, MILAN_V3, GENOA_CHAIN_PEM, amdReportVerifier } from '../sev-snp/sev-snp-fixtures.ts';
import { VERIFY_TIME } from './forgery-fixtures.ts';
import { certificateWithSevEvidence, createSevSnpWorld, SEV_IMAGE_HASH, SEV_MEASUREMENT, sha512, type SevSnpWorld } from './sev-snp-forgery-fixtures.ts';

const OTHER_HASH = 'cd'.repeat(32);

describe('SEV-SNP forgeries, each refused with its own error', () => {
  let world: SevSnpWorld;
  const logger = { warn: () => undefined };
  const hashes = RootHashPolicy.fixed(allowedHashes({ workerHashes: [SEV_IMAGE_HASH], proxyHashes: [OTHER_HASH] }));
  const devVerifier = (overrides: Partial<AttestationVerifierOptions> = {}): PeerVerifier => createAttestationVerifier({
    policy: 'tdx', trust: { devAuthority: world.authority }, networkIsTest: true, expectedRole: 'worker', hashes, logger, ...overrides,
  });
  const signed = (fields: Parameters<typeof buildSevSnpReport>[0]): Buffer => signSevSnpReport(buildSevSnpReport(fields), (bytes) => world.sev.signWithVcek(bytes));
  const rejects = async (certificateDer: Buffer, code: string, pattern: RegExp, verifier = devVerifier()): Promise<void> => {
    await assert.rejects(verifier.verify({ certificateDer }, VERIFY_TIME), isCode(code, pattern));
  };

  before(async () => {
    world = await createSevSnpWorld();
  });

  test('positive: a simulated SNP guest on a test network with a registered image passes with its image hash', async () => {
    const peer = await devVerifier().verify({ certificateDer: world.genuine.certificateDer }, VERIFY_TIME);
    assert.equal(peer.imageHash.toString('hex'), SEV_IMAGE_HASH);
    assert.equal(peer.tee, 'sev-snp');
    assert.equal(peer.sevSnp?.product, 'Genoa');
    assert.equal(peer.sevSnp?.trust, 'dev');
    assert.match(peer.authority ?? '', /^COCOON dev SEV-SNP authority \(Genoa, test network\) sha256:[0-9a-f]{16}$/);
    assert.deepEqual(peer.sevSnp?.measurement, SEV_MEASUREMENT);
    assert.deepEqual(peer.publicKey, world.genuine.publicKey);
  });

  test('flipped report byte (MEASUREMENT) breaks the VCEK signature', async () => {
    const certificate = await certificateWithSevEvidence(world, async (publicKey) => {
      const report = await world.provider.getReport(sha512(publicKey));
      report[0x90]! ^= 0x01;
      return { report };
    });
    await rejects(certificate.certificateDer, 'CCN_ERR_ATTEST_QUOTE_INVALID', /signature does not verify under the VCEK/);
  });

  test('report signed by another key than the VCEK', async () => {
    const other = await generateDevSevKeyPair();
    const certificate = await certificateWithSevEvidence(world, async (publicKey) => ({
      report: signSevSnpReport(buildSevSnpReport({ measurement: SEV_MEASUREMENT, reportData: sha512(publicKey) }), (bytes) => sign('sha384', bytes, { key: other.privateKey, dsaEncoding: 'ieee-p1363' })),
    }));
    await rejects(certificate.certificateDer, 'CCN_ERR_ATTEST_QUOTE_INVALID', /signature does not verify/);
  });

  test('report of another chip (CHIP_ID ≠ VCEK hwID)', async () => {
    const certificate = await certificateWithSevEvidence(world, async (publicKey) => ({ report: signed({ measurement: SEV_MEASUREMENT, reportData: sha512(publicKey), chipId: Buffer.alloc(64, 7) }) }));
    await rejects(certificate.certificateDer, 'CCN_ERR_ATTEST_QUOTE_INVALID', /does not match the report's CHIP_ID 0707070707070707… \(a VCEK of another chip\)/);
  });

  test("REPORTED_TCB other than the VCEK's TCB", async () => {
    const certificate = await certificateWithSevEvidence(world, async (publicKey) => ({
      report: signed({ measurement: SEV_MEASUREMENT, reportData: sha512(publicKey), tcb: { bootLoader: 9, tee: 0, snp: 99, microcode: 72 } }),
    }));
    await rejects(certificate.certificateDer, 'CCN_ERR_ATTEST_TCB_STATUS', /VCEK was issued for TCB bl=9 tee=0 snp=23 ucode=72 but the report's REPORTED_TCB is bl=9 tee=0 snp=99/);
  });

  test('VLEK-signed, masked-chip-id and non-ECDSA reports', async () => {
    for (const [fields, pattern] of [
      [{ flags: 1 << 2 }, /signed with the VLEK key/],
      [{ flags: 1 << 1 }, /masked \(zero\) CHIP_ID/],
      [{ signatureAlgorithm: 2 }, /signature algorithm 2 is not ECDSA P-384/],
    ] as const) {
      const certificate = await certificateWithSevEvidence(world, async (publicKey) => ({ report: signed({ measurement: SEV_MEASUREMENT, reportData: sha512(publicKey), ...fields }) }));
      await rejects(certificate.certificateDer, 'CCN_ERR_ATTEST_QUOTE_INVALID', pattern);
    }
  });

  test('debug guest policy: refused by default, allowed only by a dev policy on a test network', async () => {
    const certificate = await certificateWithSevEvidence(world, async (publicKey) => ({ report: signed({ measurement: SEV_MEASUREMENT, reportData: sha512(publicKey), guestPolicy: 0xb0000n }) }));
    await rejects(certificate.certificateDer, 'CCN_ERR_ATTEST_POLICY', /guest policy 0xb0000 allows debugging \(DEBUG, bit 19\)/);
    const peer = await devVerifier({ sevSnpPolicy: { allowDebug: true } }).verify({ certificateDer: certificate.certificateDer }, VERIFY_TIME);
    assert.equal(peer.sevSnp?.debug, true);
    assert.throws(() => createAttestationVerifier({ policy: 'tdx', networkIsTest: false, collateral: new StaticCollateralSource(world.authority.collateral), sevSnpPolicy: { allowDebug: true } }),
      isCode('CCN_ERR_CONFIG_INVALID', /SEV-SNP guests with the DEBUG policy bit is refused: the root contract says is_test=false/));
  });

  test('report_data not binding the TLS key: a genuine report for another key, a mismatching extension, a victim copied', async () => {
    const forOtherKey = await certificateWithSevEvidence(world, async () => {
      const reportData = sha512(Buffer.alloc(32, 9));
      return { report: await world.provider.getReport(reportData), reportData };
    });
    await rejects(forOtherKey.certificateDer, 'CCN_ERR_ATTEST_POLICY', /SEV_REPORT_DATA is not SHA-512 of the certificate public key/);
    const reportOnly = await certificateWithSevEvidence(world, async () => ({ report: await world.provider.getReport(sha512(Buffer.alloc(32, 9))) }));
    await rejects(reportOnly.certificateDer, 'CCN_ERR_ATTEST_POLICY', /report's REPORT_DATA is not SHA-512 of the certificate key/);
  });

  test("measurement not on the root list, nor on the policy's allow-lists", async () => {
    const strict = devVerifier({ hashes: RootHashPolicy.fixed(allowedHashes({ workerHashes: [OTHER_HASH] })) });
    await rejects(world.genuine.certificateDer, 'CCN_ERR_ATTEST_POLICY', new RegExp(`image hash ${SEV_IMAGE_HASH} is not in the root contract's worker_hashes`), strict);
    await rejects(world.genuine.certificateDer, 'CCN_ERR_ATTEST_POLICY', /SEV-SNP measurement [0-9a-f]{96} is not allowed/, devVerifier({ sevSnpPolicy: { allowedMeasurements: [Buffer.alloc(48)] } }));
    await rejects(world.genuine.certificateDer, 'CCN_ERR_ATTEST_POLICY', /image hash [0-9a-f]{64} is not allowed by policy tdx/, devVerifier({ sevSnpPolicy: { allowedImageHashes: [Buffer.alloc(32)] } }));
    const listed = await devVerifier({ sevSnpPolicy: { allowedMeasurements: [SEV_MEASUREMENT], allowedImageHashes: [Buffer.from(SEV_IMAGE_HASH, 'hex')] } })
      .verify({ certificateDer: world.genuine.certificateDer }, VERIFY_TIME);
    assert.equal(listed.imageHash.toString('hex'), SEV_IMAGE_HASH);
  });

  test('revoked ASK, CRL signed by another key, self-made root, stale CRL', async () => {
    const revoked = world.authority.withSevSnp(await world.sev.renewCrl(VERIFY_TIME, { revokedSerials: ['0d0001'] }));
    await rejects(world.genuine.certificateDer, 'CCN_ERR_ATTEST_QUOTE_INVALID', /Genoa ASK \(serial 0D0001\) is revoked/i, devVerifier({ trust: { devAuthority: revoked } }));
    const stranger = await DevSevSnpAuthority.generate({ now: VERIFY_TIME });
    const foreignCrl = { rootCertificateDer: world.authority.rootCertificateDer, collateral: world.authority.collateral, sevSnp: {
      pins: world.sev.pins, source: new StaticSevPkiSource([{ product: 'Genoa', certificates: [world.sev.askPem, world.sev.arkPem], crl: stranger.crlDer }]) } };
    await rejects(world.genuine.certificateDer, 'CCN_ERR_ATTEST_COLLATERAL', /CRL (signature does not verify|is not valid before)/, devVerifier({ trust: { devAuthority: foreignCrl } }));
    const selfMade = { ...foreignCrl, sevSnp: { pins: world.sev.pins, source: stranger.source } };
    await rejects(world.genuine.certificateDer, 'CCN_ERR_ATTEST_QUOTE_INVALID', /chain has no dev-pinned ARK/, devVerifier({ trust: { devAuthority: selfMade } }));
    const shortCrl = world.authority.withSevSnp(await world.sev.renewCrl(new Date(VERIFY_TIME.getTime() - 7_200_000), { validityDays: 1 / 24 }));
    await rejects(world.genuine.certificateDer, 'CCN_ERR_ATTEST_COLLATERAL', /CRL is stale: its nextUpdate was/, devVerifier({ trust: { devAuthority: shortCrl } }));
  });

  test('a dev-chain report under AMD trust (even with the dev chain supplied as Genoa\'s)', async () => {
    const production = createAttestationVerifier({ policy: 'tdx', trust: 'intel', networkIsTest: false, collateral: new StaticCollateralSource(world.authority.collateral), sevSnpPki: world.sev.source });
    await rejects(world.genuine.certificateDer, 'CCN_ERR_ATTEST_QUOTE_INVALID', /Genoa chain has no AMD-pinned ARK/, production);
  });

  test('missing, non-critical or malformed SEV extensions, and TDX + SEV together', async () => {
    const base = (edit: (list: CertificateExtension[]) => CertificateExtension[]) =>
      certificateWithSevEvidence(world, async (publicKey) => ({ report: await world.provider.getReport(sha512(publicKey)), edit }));
    await rejects((await base((list) => list.filter((item) => item.oid !== CertificateOid.sevVcek))).certificateDer, 'CCN_ERR_ATTEST_POLICY', /lacks SEV_VCEK/);
    await rejects((await base((list) => list.map((item) => ({ ...item, critical: item.oid !== CertificateOid.sevAttestationReport })))).certificateDer, 'CCN_ERR_ATTEST_POLICY', /SEV_ATTESTATION_REPORT must be critical/);
    await rejects((await base((list) => list.map((item) => item.oid === CertificateOid.sevAttestationReport ? { ...item, value: item.value.subarray(0, 1000) } : item))).certificateDer,
      'CCN_ERR_ATTEST_QUOTE_INVALID', /exactly 1184 bytes, got 1000/);
    await rejects((await base((list) => list.map((item) => item.oid === CertificateOid.sevVcek ? { ...item, value: Buffer.from('garbage') } : item))).certificateDer,
      'CCN_ERR_ATTEST_QUOTE_INVALID', /VCEK certificate is not a valid X.509/);
    await rejects((await base((list) => [...list, ...quoteCertificateExtensions(Buffer.alloc(64), Buffer.alloc(32))])).certificateDer, 'CCN_ERR_ATTEST_BAD_CERTIFICATE', /mutually exclusive/);
  });

  test('an authority without an SEV-SNP chain refuses SEV-SNP peers', async () => {
    const tdxOnly = { rootCertificateDer: world.authority.rootCertificateDer, collateral: world.authority.collateral };
    await rejects(world.genuine.certificateDer, 'CCN_ERR_ATTEST_POLICY', /has no SEV-SNP chain/, devVerifier({ trust: { devAuthority: tdxOnly } }));
  });
});

describe('SEV-SNP forgeries against the genuine AMD fixtures', () => {
  test('flipped byte in a real Genoa report', async () => {
    const report = Buffer.from(GENOA_V5.report);
    report[0x50]! ^= 0x80;
    await assert.rejects(amdReportVerifier().verify(report, GENOA_V5.vcek, FIXTURE_TIME), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /signature does not verify/));
  });

  test("a real VCEK of another chip (Milan v2's for the Milan v3 report)", async () => {
    await assert.rejects(amdReportVerifier().verify(MILAN_V3.report, MILAN_V2.vcek, FIXTURE_TIME), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /another chip/));
  });

  test("the Genoa chain offered as Milan's, a Genoa VCEK against Milan's ASK, a self-made ARK", async () => {
    const swapped = new StaticSevPkiSource([{ product: 'Milan', certificates: [GENOA_CHAIN_PEM], crl: MILAN_CRL }, { product: 'Genoa', certificates: [MILAN_CHAIN_PEM], crl: MILAN_CRL }]);
    await assert.rejects(amdReportVerifier(swapped).verify(MILAN_V3.report, MILAN_V3.vcek, FIXTURE_TIME), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /Milan chain has no AMD-pinned ARK/));
    const stranger = await DevSevSnpAuthority.generate({ now: new Date('2026-08-01T00:00:00Z') });
    const pinsWithStranger = { ...AMD_ARK_SHA256, Genoa: stranger.pins.Genoa! };
    const fooled = new SevSnpReportVerifier({ chains: new SevPkiCache({ source: stranger.source, pins: pinsWithStranger, trustName: 'AMD' }) });
    await assert.rejects(fooled.verify(GENOA_V5.report, GENOA_V5.vcek, FIXTURE_TIME), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /VCEK is not signed by the Genoa ASK/));
    await assert.rejects(amdReportVerifier(stranger.source).verify(GENOA_V5.report, GENOA_V5.vcek, FIXTURE_TIME), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /no AMD-pinned ARK/));
  });
});

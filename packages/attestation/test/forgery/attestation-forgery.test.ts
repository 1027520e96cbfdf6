// Forgery suite (§7.2, §7.3, §6.9): every attack on RA-TLS attestation is refused with its own
// error code and message, going through createAttestationVerifier with simulated-TDX quotes inside
// real certificates, and with the recorded Intel quote + collateral for the collateral attacks.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allowedHashes,
  CertificateOid,
  createAttestationVerifier,
  createSelfSignedCertificate,
  DEV_ATTESTATION_WARNING,
  findExtension,
  readCertificate,
  RootHashPolicy,
  StaticCollateralSource,
  type AttestationVerifierOptions,
  type DcapCollateral,
  type PeerVerifier,
} from '../../src/index.ts';
import { createForgingCa, isCode, SAMPLE_COLLATERAL, SAMPLE_QUOTE, SAMPLE_TIME, TD_REPORT_OFFSET } from '../dcap/dcap-fixtures.ts';
import { ecdsaCertificate, issuedByOtherKeyCertificate, unknownCriticalExtensionCertificate } from '../support/test-certificates.ts';
import {
  CERTIFICATE_TIME,
  certificateWithQuote,
  createSimulatedWorld,
  IMAGE_HASH,
  MODEL,
  sha512,
  VERIFY_TIME,
  type SimulatedWorld,
} from './forgery-fixtures.ts';

const HOUR_MS = 3_600_000;
const OTHER_HASH = 'ab'.repeat(32);

describe('attestation forgeries, each refused with its own error', () => {
  let world: SimulatedWorld;
  const warnings: string[] = [];
  const logger = { warn: (message: string) => void warnings.push(message) };
  let hashes: RootHashPolicy;
  let verifier: PeerVerifier;

  /** tdx on a test network, trusting the dev authority, checking worker_hashes. */
  const devVerifier = (overrides: Partial<AttestationVerifierOptions> = {}): PeerVerifier =>
    createAttestationVerifier({
      policy: 'tdx', trust: { devAuthority: world.authority }, networkIsTest: true, expectedRole: 'worker', hashes,
      logger, ...overrides,
    });
  /** tdx under Intel trust with the recorded sample collateral (possibly altered). */
  const intelVerifier = (collateral: DcapCollateral): PeerVerifier =>
    createAttestationVerifier({ policy: 'tdx', trust: 'intel', collateral: new StaticCollateralSource(collateral), networkIsTest: false });
  /** The recorded Intel quote inside a certificate of ours, valid at SAMPLE_TIME. */
  const sampleQuoteCertificate = () => certificateWithQuote(async () => ({ quote: SAMPLE_QUOTE }), new Date(SAMPLE_TIME.getTime() - HOUR_MS));

  before(async () => {
    world = await createSimulatedWorld();
    hashes = RootHashPolicy.fixed(allowedHashes({ workerHashes: [IMAGE_HASH], proxyHashes: [OTHER_HASH], modelHashes: [] }));
    verifier = devVerifier();
  });

  test('positive: a simulated quote on a test network with a registered image passes and yields its image hash', async () => {
    const peer = await verifier.verify({ certificateDer: world.genuine.certificateDer }, VERIFY_TIME);
    assert.equal(peer.imageHash.toString('hex'), IMAGE_HASH);
    assert.equal(peer.tcbStatus, 'UpToDate');
    assert.deepEqual(peer.publicKey, world.genuine.publicKey);
    assert.deepEqual(warnings, [DEV_ATTESTATION_WARNING]);
    devVerifier(); // a second verifier with the same logger does not repeat the warning
    assert.equal(warnings.length, 1);
  });

  test('tampered quote body (one TD report byte) breaks the quote signature', async () => {
    const certificate = await certificateWithQuote(async (publicKey) => {
      const quote = await world.provider.getQuote(sha512(publicKey));
      quote[TD_REPORT_OFFSET + 136]! ^= 0x01; // first byte of MRTD
      return { quote };
    });
    await assert.rejects(verifier.verify({ certificateDer: certificate.certificateDer }, VERIFY_TIME),
      isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /quote signature does not verify|header or TD report altered/));
  });

  test('wrong REPORTDATA binding: a genuine quote for another key hash', async () => {
    const certificate = await certificateWithQuote(async () => ({ quote: await world.provider.getQuote(sha512(Buffer.alloc(32, 7))) }));
    await assert.rejects(verifier.verify({ certificateDer: certificate.certificateDer }, VERIFY_TIME),
      isCode('CCN_ERR_ATTEST_POLICY', /report data is not SHA-512 of the user claims/));
  });

  test("foreign quote copied onto another key's certificate (quote + claims of the victim)", async () => {
    const victim = world.genuine;
    const certificate = await certificateWithQuote(async () => {
      const quote = findExtension(readCertificate(victim.certificateDer), CertificateOid.tdxQuote)!.value;
      return { quote, userClaims: victim.publicKey };
    });
    await assert.rejects(verifier.verify({ certificateDer: certificate.certificateDer }, VERIFY_TIME),
      isCode('CCN_ERR_ATTEST_POLICY', /user claims do not match the certificate public key/));
  });

  test("image hash not in the root contract's worker_hashes", async () => {
    const strict = devVerifier({ hashes: RootHashPolicy.fixed(allowedHashes({ workerHashes: [OTHER_HASH] })) });
    await assert.rejects(strict.verify({ certificateDer: world.genuine.certificateDer }, VERIFY_TIME),
      isCode('CCN_ERR_ATTEST_POLICY', new RegExp(`image hash ${IMAGE_HASH} is not in the root contract's worker_hashes`)));
    // a worker image is not a proxy image either
    const asProxy = devVerifier({ expectedRole: 'proxy', hashes: RootHashPolicy.fixed(allowedHashes({ workerHashes: [IMAGE_HASH] })) });
    await assert.rejects(asProxy.verify({ certificateDer: world.genuine.certificateDer }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_POLICY', /proxy_hashes/));
  });

  test("model hash not in the root contract's model_hashes (and only the full model string counts)", () => {
    assert.throws(() => hashes.checkModel(MODEL), isCode('CCN_ERR_ATTEST_POLICY', /model "Qwen.*" \(hash [0-9a-f]{64}\) is not in the root contract's model_hashes/));
    const registered = RootHashPolicy.fixed(allowedHashes({ modelHashes: ['5c0f7b4e4a5b0cd3a9e5e7ee1db58dbbaf6f8b0e0aa8e2f0b5d4bb0a3c0f1e2d'] }));
    assert.throws(() => registered.checkModel('Qwen/Qwen3-0.6B'), isCode('CCN_ERR_ATTEST_POLICY', /model_hashes/));
    assert.throws(() => hashes.checkSelf('worker', IMAGE_HASH, MODEL), isCode('CCN_ERR_ATTEST_POLICY', /this worker's model .* register it before serving/));
  });

  test('expired certificate', async () => {
    const later = new Date(CERTIFICATE_TIME.getTime() + 25 * HOUR_MS);
    await assert.rejects(verifier.verify({ certificateDer: world.genuine.certificateDer }, later), isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /expired at 2026-03-03T00:00:00.000Z/));
  });

  test('not-yet-valid certificate', async () => {
    const earlier = new Date(CERTIFICATE_TIME.getTime() - HOUR_MS);
    await assert.rejects(verifier.verify({ certificateDer: world.genuine.certificateDer }, earlier), isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /not valid before 2026-03-02T00:00:00.000Z/));
  });

  test('unknown critical extension', async () => {
    const certificate = await unknownCriticalExtensionCertificate();
    await assert.rejects(verifier.verify({ certificateDer: certificate.certificateDer }, new Date('2026-01-01T01:00:00Z')),
      isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /unknown critical extension 1\.2\.3\.4\.5/));
  });

  test('certificate chain (issued by a CA) instead of self-signed', async () => {
    const certificateDer = await issuedByOtherKeyCertificate();
    await assert.rejects(verifier.verify({ certificateDer }, new Date('2026-01-01T01:00:00Z')), isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /not self-signed/));
  });

  test('non-Ed25519 key', async () => {
    const certificate = await ecdsaCertificate();
    await assert.rejects(verifier.verify({ certificateDer: certificate.certificateDer }, new Date('2026-01-01T01:00:00Z')),
      isCode('CCN_ERR_ATTEST_BAD_CERTIFICATE', /key is not Ed25519/));
  });

  test('SGX quote where TDX is required', async () => {
    const certificate = await certificateWithQuote(async (publicKey) => {
      const quote = await world.provider.getQuote(sha512(publicKey));
      quote.writeUInt32LE(0, 4); // TEE type 0x00 = SGX
      return { quote };
    });
    await assert.rejects(verifier.verify({ certificateDer: certificate.certificateDer }, VERIFY_TIME),
      isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /an SGX quote .* a TDX quote \(TEE type 0x81\) is required/));
  });

  test('a fake_tdx certificate (64-byte "quote") under the tdx policy', async () => {
    const certificate = await certificateWithQuote(async (publicKey) => ({ quote: sha512(publicKey) }));
    await assert.rejects(verifier.verify({ certificateDer: certificate.certificateDer }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /unknown TEE type 0x[0-9a-f]+ in quote header; a TDX quote/));
  });

  test('a plain certificate without quote under the tdx policy', async () => {
    const certificate = await createSelfSignedCertificate({ now: CERTIFICATE_TIME });
    await assert.rejects(verifier.verify({ certificateDer: certificate.certificateDer }, VERIFY_TIME), isCode('CCN_ERR_ATTEST_POLICY', /requires the TDX quote/));
  });

  test('real Intel quote: tampered collateral (TCB info text altered)', async () => {
    const certificate = await sampleQuoteCertificate();
    const tampered = { ...SAMPLE_COLLATERAL, tcb_info: SAMPLE_COLLATERAL.tcb_info.replace('"tcbStatus":"OutOfDate"', '"tcbStatus":"UpToDate"') };
    assert.notEqual(tampered.tcb_info, SAMPLE_COLLATERAL.tcb_info);
    await assert.rejects(intelVerifier(tampered).verify({ certificateDer: certificate.certificateDer }, SAMPLE_TIME),
      isCode('CCN_ERR_ATTEST_COLLATERAL', /TCB info signature is invalid/));
  });

  test('real Intel quote: collateral re-signed by a non-Intel root under Intel trust', async () => {
    const certificate = await sampleQuoteCertificate();
    const ca = await createForgingCa();
    const tcbInfo = SAMPLE_COLLATERAL.tcb_info.replace('"tcbStatus":"OutOfDate"', '"tcbStatus":"UpToDate"');
    const forged = { ...SAMPLE_COLLATERAL, tcb_info: tcbInfo, tcb_info_signature: ca.signHex(tcbInfo), tcb_info_issuer_chain: ca.chainPem };
    await assert.rejects(intelVerifier(forged).verify({ certificateDer: certificate.certificateDer }, SAMPLE_TIME),
      isCode('CCN_ERR_ATTEST_COLLATERAL', /TCB info issuer chain rejected under the trusted root CA/));
  });

  test('real Intel quote: genuine and UpToDate, but not bound to the certificate key', async () => {
    const certificate = await sampleQuoteCertificate();
    await assert.rejects(intelVerifier(SAMPLE_COLLATERAL).verify({ certificateDer: certificate.certificateDer }, SAMPLE_TIME),
      isCode('CCN_ERR_ATTEST_POLICY', /not SHA-512 of the user claims/));
  });

  test('dev-root quote under production (Intel) trust, even with the dev collateral supplied', async () => {
    const production = createAttestationVerifier({
      policy: 'tdx', trust: 'intel', collateral: new StaticCollateralSource(world.authority.collateral), networkIsTest: false,
    });
    await assert.rejects(production.verify({ certificateDer: world.genuine.certificateDer }, VERIFY_TIME),
      isCode('CCN_ERR_ATTEST_COLLATERAL', /issuer chain rejected under the trusted root CA/));
  });

  test('fake_tdx or dev trust on a network whose root says is_test=false is a config error', () => {
    assert.throws(() => createAttestationVerifier({ policy: 'fake_tdx', networkIsTest: false }),
      isCode('CCN_ERR_CONFIG_INVALID', /fake_tdx is refused: the root contract says is_test=false/));
    assert.throws(() => createAttestationVerifier({ policy: 'tdx', trust: { devAuthority: world.authority }, networkIsTest: false }),
      isCode('CCN_ERR_CONFIG_INVALID', /dev attestation trust .* is refused: the root contract says is_test=false/));
    assert.throws(() => createAttestationVerifier({ policy: 'tdx', networkIsTest: false }), isCode('CCN_ERR_CONFIG_INVALID', /needs a collateral source/));
  });

  test('worker self-check: an unregistered own image aborts', () => {
    assert.throws(() => RootHashPolicy.fixed(allowedHashes({})).checkSelf('worker', IMAGE_HASH),
      isCode('CCN_ERR_ATTEST_POLICY', /this worker's own image hash .* not in the root contract's worker_hashes/));
    const registered = RootHashPolicy.fixed(allowedHashes({ workerHashes: [IMAGE_HASH], modelHashes: [] }));
    assert.doesNotThrow(() => registered.checkSelf('worker', Buffer.from(IMAGE_HASH, 'hex')));
  });
});

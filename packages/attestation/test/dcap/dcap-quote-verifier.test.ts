// Tests of full DCAP verification on real quotes and collateral: accepted quotes, TCB policy, each
// forgery with its own error, the collateral window, the result cache and the REPORTDATA binding.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import {
  CertificateOid,
  DcapQuoteVerifier,
  QuotePolicyVerifier,
  StaticCollateralSource,
  createSelfSignedCertificate,
  dcapLibraryVerify,
  generateEd25519KeyPair,
  type DcapCollateral,
  type DcapQuoteVerifierOptions,
  type DcapVerifyFunction,
} from '../../src/index.ts';
import {
  OUTDATED_COLLATERAL,
  OUTDATED_QUOTE,
  OUTDATED_TIME,
  REFERENCE_QUOTE,
  SAMPLE_COLLATERAL,
  SAMPLE_EXPIRY,
  SAMPLE_QUOTE,
  SAMPLE_TIME,
  TD_REPORT_OFFSET,
  createForgingCa,
  isCode,
} from './dcap-fixtures.ts';

const verifierFor = (collateral: DcapCollateral, options: Partial<DcapQuoteVerifierOptions> = {}): DcapQuoteVerifier =>
  new DcapQuoteVerifier({ collateral: new StaticCollateralSource(collateral), ...options });

describe('DcapQuoteVerifier on real quotes', () => {
  test('the sample quote with its collateral is UpToDate, with its measurements', async () => {
    const result = await verifierFor(SAMPLE_COLLATERAL).verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME);
    assert.equal(result.tcbStatus, 'UpToDate');
    assert.deepEqual(result.advisoryIds, []);
    assert.deepEqual(result.measurements.mrTd, SAMPLE_QUOTE.subarray(184, 232));
    assert.ok(result.measurements.mrTd.toString('hex').startsWith('91eb2b44d141d4ec'));
    assert.deepEqual(result.measurements.reportData, SAMPLE_QUOTE.subarray(568, 632));
  });

  test('the reference COCOON quote is UpToDate under the recorded collateral of its FMSPC (90C06F000000)', async () => {
    const result = await verifierFor(OUTDATED_COLLATERAL).verifyQuote(REFERENCE_QUOTE, OUTDATED_TIME);
    assert.equal(result.tcbStatus, 'UpToDate');
    assert.ok(result.measurements.mrTd.toString('hex').startsWith('7357a10d2e2724df'));
  });

  test('the outdated sample is refused by the default policy with a TCB status error', async () => {
    // Its PCK CPUSVN (component 8 = 3) is below every TCB level Intel lists (5), so dcap-qvl matches no level.
    await assert.rejects(verifierFor(OUTDATED_COLLATERAL).verifyQuote(OUTDATED_QUOTE, OUTDATED_TIME), isCode('CCN_ERR_ATTEST_TCB_STATUS', /matches no TCB level/));
    const lenient = verifierFor(OUTDATED_COLLATERAL, { tcbPolicy: { allowedStatuses: ['UpToDate', 'OutOfDate', 'SWHardeningNeeded'] } });
    await assert.rejects(lenient.verifyQuote(OUTDATED_QUOTE, OUTDATED_TIME), isCode('CCN_ERR_ATTEST_TCB_STATUS', /matches no TCB level/));
  });
});

describe('TCB policy', () => {
  /** The real dcap-qvl verification, reporting OutOfDate with advisories (a platform one level behind). */
  const outOfDate: DcapVerifyFunction = (...args) => ({ ...dcapLibraryVerify(...args), status: 'OutOfDate', advisory_ids: ['INTEL-SA-01036', 'INTEL-SA-01079'] });

  test('a status outside the allowed list is refused, naming the status and the allowed list', async () => {
    await assert.rejects(verifierFor(SAMPLE_COLLATERAL, { verifyFunction: outOfDate }).verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME),
      isCode('CCN_ERR_ATTEST_TCB_STATUS', /^TCB status OutOfDate not allowed \(allowed: UpToDate\)$/));
    await assert.rejects(verifierFor(SAMPLE_COLLATERAL, { tcbPolicy: { allowedStatuses: ['OutOfDate'] } }).verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME),
      isCode('CCN_ERR_ATTEST_TCB_STATUS', /UpToDate not allowed \(allowed: OutOfDate\)/));
  });

  test('an allowed status is accepted and reported with its advisories', async () => {
    const result = await verifierFor(SAMPLE_COLLATERAL, { verifyFunction: outOfDate, tcbPolicy: { allowedStatuses: ['UpToDate', 'OutOfDate'] } }).verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME);
    assert.equal(result.tcbStatus, 'OutOfDate');
    assert.deepEqual(result.advisoryIds, ['INTEL-SA-01036', 'INTEL-SA-01079']);
  });

  test('an advisory allow-list refuses advisories outside it', async () => {
    const policy = { allowedStatuses: ['OutOfDate'], allowedAdvisoryIds: ['INTEL-SA-01036'] };
    await assert.rejects(verifierFor(SAMPLE_COLLATERAL, { verifyFunction: outOfDate, tcbPolicy: policy }).verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME),
      isCode('CCN_ERR_ATTEST_TCB_STATUS', /advisories not allowed by policy: INTEL-SA-01079$/));
    const wider = { ...policy, allowedAdvisoryIds: ['INTEL-SA-01036', 'INTEL-SA-01079'] };
    assert.equal((await verifierFor(SAMPLE_COLLATERAL, { verifyFunction: outOfDate, tcbPolicy: wider }).verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME)).tcbStatus, 'OutOfDate');
  });
});

describe('forgeries and misuse, each with its own error', () => {
  const verifier = verifierFor(SAMPLE_COLLATERAL, { cacheSize: 0 });

  test('one altered byte of the TD report breaks the quote signature', async () => {
    const tampered = Buffer.from(SAMPLE_QUOTE);
    tampered[TD_REPORT_OFFSET + 136]! ^= 0x01; // first byte of MRTD
    await assert.rejects(verifier.verifyQuote(tampered, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /quote signature does not verify/));
  });

  test('an SGX quote (TEE type flipped to 0) is refused where TDX is required', async () => {
    const sgx = Buffer.from(SAMPLE_QUOTE);
    sgx.writeUInt32LE(0, 4);
    await assert.rejects(verifier.verifyQuote(sgx, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /SGX quote .* TDX quote .* is required/));
  });

  test('altered TCB info text fails its signature', async () => {
    const tampered = { ...SAMPLE_COLLATERAL, tcb_info: SAMPLE_COLLATERAL.tcb_info.replace('"tcbStatus":"OutOfDate"', '"tcbStatus":"UpToDate"') };
    assert.notEqual(tampered.tcb_info, SAMPLE_COLLATERAL.tcb_info);
    await assert.rejects(verifierFor(tampered).verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /TCB info signature is invalid/));
  });

  test('altered QE identity text fails its signature', async () => {
    const tampered = { ...SAMPLE_COLLATERAL, qe_identity: SAMPLE_COLLATERAL.qe_identity.replace('"isvprodid":2', '"isvprodid":3') };
    assert.notEqual(tampered.qe_identity, SAMPLE_COLLATERAL.qe_identity);
    await assert.rejects(verifierFor(tampered).verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /QE identity signature is invalid/));
  });

  test('TCB info re-signed under a non-Intel root is rejected under the pinned Intel root', async () => {
    const ca = await createForgingCa();
    const tcbInfo = SAMPLE_COLLATERAL.tcb_info.replace('"tcbStatus":"OutOfDate"', '"tcbStatus":"UpToDate"');
    const forged = { ...SAMPLE_COLLATERAL, tcb_info: tcbInfo, tcb_info_signature: ca.signHex(tcbInfo), tcb_info_issuer_chain: ca.chainPem };
    await assert.rejects(verifierFor(forged).verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /TCB info issuer chain rejected under the trusted root CA/));
    // Control: trusting the forger's root, the TCB info passes and verification only stops at the
    // Intel-signed QE identity chain — so it is the pinned root that refused the forgery above.
    await assert.rejects(verifierFor(forged, { trustedRootDer: ca.rootDer }).verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /QE identity issuer chain rejected/));
  });

  test('collateral for another platform (FMSPC) is refused', async () => {
    await assert.rejects(verifierFor(OUTDATED_COLLATERAL).verifyQuote(SAMPLE_QUOTE, OUTDATED_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /another platform/));
  });

  test('a clock outside the collateral window is refused as expired or not yet valid', async () => {
    await assert.rejects(verifier.verifyQuote(SAMPLE_QUOTE, new Date(SAMPLE_EXPIRY.getTime() + 1000)), isCode('CCN_ERR_ATTEST_COLLATERAL', /collateral expired at 2025-07-19T10:00:35.000Z/));
    await assert.rejects(verifier.verifyQuote(SAMPLE_QUOTE, new Date('2026-01-01T00:00:00Z')), isCode('CCN_ERR_ATTEST_COLLATERAL', /expired/));
    await assert.rejects(verifier.verifyQuote(SAMPLE_QUOTE, new Date('2025-06-19T10:20:00Z')), isCode('CCN_ERR_ATTEST_COLLATERAL', /not yet valid/));
    assert.equal((await verifier.verifyQuote(SAMPLE_QUOTE, SAMPLE_EXPIRY)).tcbStatus, 'UpToDate'); // the last valid instant
  });

  test('garbage bytes are refused before any collateral is looked up', async () => {
    let lookups = 0;
    const counting = new DcapQuoteVerifier({ collateral: { get: async () => (lookups++, SAMPLE_COLLATERAL) } });
    await assert.rejects(counting.verifyQuote(Buffer.from('definitely not a TDX quote, but long enough to hold a header'), SAMPLE_TIME), isCode('CCN_ERR_ATTEST_QUOTE_INVALID'));
    await assert.rejects(counting.verifyQuote(Buffer.alloc(0), SAMPLE_TIME), isCode('CCN_ERR_ATTEST_QUOTE_INVALID'));
    assert.equal(lookups, 0);
  });

  test('a collateral source failure surfaces as its own collateral error', async () => {
    const failing = new DcapQuoteVerifier({
      collateral: { get: async () => { throw new Error('unreachable PCCS'); } },
    });
    await assert.rejects(failing.verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /collateral unavailable: unreachable PCCS/));
  });
});

describe('verification cache', () => {
  const counted = (): { calls: () => number; verifyFunction: DcapVerifyFunction } => {
    let calls = 0;
    return { calls: () => calls, verifyFunction: (...args) => (calls++, dcapLibraryVerify(...args)) };
  };

  test('a second verification of the same quote does not run DCAP again', async () => {
    const counter = counted();
    const verifier = verifierFor(SAMPLE_COLLATERAL, { verifyFunction: counter.verifyFunction });
    const first = await verifier.verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME);
    const second = await verifier.verifyQuote(Buffer.from(SAMPLE_QUOTE), new Date(SAMPLE_TIME.getTime() + 3_600_000));
    assert.equal(counter.calls(), 1);
    assert.deepEqual(second, first);
    assert.equal(verifier.cachedResults, 1);
  });

  test('cached results end with the collateral: after expiry the quote is verified again (and refused)', async () => {
    const counter = counted();
    const verifier = verifierFor(SAMPLE_COLLATERAL, { verifyFunction: counter.verifyFunction });
    await verifier.verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME);
    await assert.rejects(verifier.verifyQuote(SAMPLE_QUOTE, new Date(SAMPLE_EXPIRY.getTime() + 1)), isCode('CCN_ERR_ATTEST_COLLATERAL', /expired/));
    assert.equal(counter.calls(), 1); // refused by the window check, never served from the cache
  });

  test('failures are not cached, and the cache is bounded', async () => {
    const counter = counted();
    const verifier = verifierFor(SAMPLE_COLLATERAL, { verifyFunction: counter.verifyFunction, cacheSize: 1 });
    const tampered = Buffer.from(SAMPLE_QUOTE);
    tampered[TD_REPORT_OFFSET + 200]! ^= 1;
    await assert.rejects(verifier.verifyQuote(tampered, SAMPLE_TIME));
    await assert.rejects(verifier.verifyQuote(tampered, SAMPLE_TIME));
    assert.equal(counter.calls(), 2);
    await verifier.verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME);
    const reference = verifierFor(OUTDATED_COLLATERAL, { verifyFunction: counter.verifyFunction, cacheSize: 1 });
    await reference.verifyQuote(REFERENCE_QUOTE, OUTDATED_TIME);
    assert.equal(verifier.cachedResults, 1);
    assert.equal(reference.cachedResults, 1);
  });
});

describe('tdx policy with DCAP (QuotePolicyVerifier)', () => {
  test('a real quote inside our certificate is genuine but not bound to our key: refused for REPORTDATA', async () => {
    const keyPair = await generateEd25519KeyPair();
    const publicKey = Buffer.from(await webcrypto.subtle.exportKey('raw', keyPair.publicKey));
    const certificate = await createSelfSignedCertificate({
      now: new Date('2025-06-19T11:00:00Z'),
      keyPair,
      extensions: [
        { oid: CertificateOid.tdxQuote, critical: true, value: SAMPLE_QUOTE },
        { oid: CertificateOid.tdxUserClaims, critical: true, value: publicKey },
      ],
    });
    let verifications = 0;
    const dcap = verifierFor(SAMPLE_COLLATERAL, { verifyFunction: (...args) => (verifications++, dcapLibraryVerify(...args)) });
    const policy = new QuotePolicyVerifier('tdx', dcap);
    await assert.rejects(policy.verify({ certificateDer: certificate.certificateDer }, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_POLICY', /report data is not SHA-512 of the user claims/));
    assert.equal(verifications, 1, 'the quote itself passed full DCAP verification first');
  });
});

/**
 * The portable (browser-safe) e2e evidence verifier over real simulated-TDX worker evidence, made the way
 * the worker makes it (a simulated TDX provider under a DevAttestationAuthority, issueE2eEvidence): it
 * accepts genuine evidence under the pinned dev root with the authority's collateral and names the root
 * on every key; it refuses dev trust off a test network, a quote altered by one byte, a key set naming
 * another certificate key, a bad key-set signature, an image or a model the root does not list, an expired
 * certificate, collateral of another root, an authority whose certificates expired, dev evidence under
 * Intel trust and SEV-SNP evidence without the dev ARK (portable-sev-snp-evidence.test.ts verifies it with one); and under
 * Intel's root the real recorded TDX quote passes its DCAP check (refused only because it is not bound to
 * the test certificate's key). The Node verifier of a runner names the same authority.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateE2eKeyPair } from '@cocoon/protocol';
import type { E2eEvidenceVerifier, E2eKeyPair, ExtE2eEvidence, ExtE2eWorker } from '@cocoon/protocol';
import {
  DevAttestationAuthority, INTEL_ROOT_CA_DER, RunnerAttestation, SimulatedSevSnpProvider, SimulatedTdxProvider, StaticCollateralSource,
  computeImageHash, createAttestedCertificate, createE2eEvidenceVerifier, createPortableE2eEvidenceVerifier, formatAttestationAuthority,
  issueE2eEvidence, modelHash, parseDcapCollateral, serializeDcapCollateral, simulatedMeasurements, tdxAttestationAuthority,
} from '../../src/index.ts';
import type { CollateralSource, DcapCollateral, PortableE2eVerifierOptions, SelfSignedCertificate } from '../../src/index.ts';
import { SAMPLE_COLLATERAL, SAMPLE_QUOTE, SAMPLE_TIME } from '../dcap/dcap-fixtures.ts';
import { certificateWithQuote, sha512 } from '../forgery/forgery-fixtures.ts';

const AUTHORITY_TIME = new Date('2026-03-01T12:00:00Z');
const CERTIFICATE_TIME = new Date('2026-03-02T00:00:00Z');
const NOW = new Date('2026-03-02T01:00:00Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const MODEL = `Qwen/Qwen3-0.6B@c1899de289a04d12100db370d81485cdf75e47ca:${'5f'.repeat(32)}`;
const WORKER_MEASUREMENTS = simulatedMeasurements(Buffer.alloc(32, 0x5a), { role: 'worker', model: MODEL });
const WORKER_IMAGE_HASH = computeImageHash({ ...WORKER_MEASUREMENTS, reportData: Buffer.alloc(64) }).toString('hex');
/** Offset of MRTD in a v4 quote (48-byte header, MRTD at +136 of the TD report). */
const MRTD_OFFSET = 48 + 136;

let authority: DevAttestationAuthority;
let otherAuthority: DevAttestationAuthority;
let provider: SimulatedTdxProvider;
let worker: SelfSignedCertificate;
let otherWorker: SelfSignedCertificate;
let pair: E2eKeyPair;

const HASHES = { workerHashes: [WORKER_IMAGE_HASH], modelHashes: [modelHash(MODEL).toString('hex')] };

function verifierWith(overrides: Partial<PortableE2eVerifierOptions> = {}): ReturnType<typeof createPortableE2eEvidenceVerifier> {
  return createPortableE2eEvidenceVerifier({
    trust: { devRootDer: new Uint8Array(authority.rootCertificateDer) },
    collateral: new StaticCollateralSource(authority.collateral),
    networkIsTest: true,
    hashes: HASHES,
    ...overrides,
  });
}

function evidenceOf(certificate: SelfSignedCertificate, fields: { model?: string } = {}): ExtE2eEvidence {
  return issueE2eEvidence({
    certificate, model: fields.model ?? MODEL, issuedAt: NOW_SECONDS - 60,
    keys: [{ pair, validFrom: NOW_SECONDS - 60, validUntil: NOW_SECONDS + 3600 }],
  });
}

const workerEntry = (evidence: ExtE2eEvidence): ExtE2eWorker => ({ _: 'ext.e2eWorker', coefficient: 1500, active_requests: 0, max_active_requests: 8, evidence });

async function assertRefused(verifier: E2eEvidenceVerifier, evidence: ExtE2eEvidence, reason: RegExp, now = NOW): Promise<void> {
  await assert.rejects(verifier.verify(workerEntry(evidence), { model: 'Qwen/Qwen3-0.6B', now }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'CCN_ERR_E2E_EVIDENCE_INVALID', error.message);
    assert.match(error.message, reason);
    return true;
  });
}

before(async () => {
  authority = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
  otherAuthority = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
  provider = new SimulatedTdxProvider({ authority, measurements: WORKER_MEASUREMENTS });
  worker = await createAttestedCertificate({ provider, now: CERTIFICATE_TIME });
  otherWorker = await createAttestedCertificate({ provider, now: CERTIFICATE_TIME });
  pair = await generateE2eKeyPair();
});

describe('genuine simulated-TDX worker evidence', () => {
  test('verifies under the pinned dev root to the worker\'s keys, each naming the authority, image and TEE', async () => {
    const verifier = verifierWith();
    const expectedAuthority = { kind: 'dev', name: 'COCOON dev authority (test network)', sha256: tdxAttestationAuthority(authority.rootCertificateDer).sha256 };
    assert.deepEqual(verifier.authority, expectedAuthority);
    assert.match(verifier.authority.sha256, /^[0-9a-f]{64}$/);
    const [key, ...rest] = await verifier.verify(workerEntry(evidenceOf(worker)), { model: 'Qwen/Qwen3-0.6B', now: NOW });
    assert.equal(rest.length, 0);
    assert.equal(key!.authority, `COCOON dev authority (test network) sha256:${expectedAuthority.sha256.slice(0, 16)}`);
    assert.equal(Buffer.from(key!.imageHash).toString('hex'), WORKER_IMAGE_HASH);
    assert.equal(key!.tee, 'tdx');
    assert.equal(key!.model, MODEL);
    assert.deepEqual(Buffer.from(key!.hpkePublicKey), Buffer.from(pair.hpkePublicKey));
    assert.equal(key!.coefficient, 1500);
  });

  test('without hashes the allow-lists are not consulted', async () => {
    const keys = await verifierWith({ hashes: undefined }).verify(workerEntry(evidenceOf(worker, { model: `Qwen/Qwen3-0.6B@other:${'77'.repeat(32)}` })), { model: 'Qwen/Qwen3-0.6B', now: NOW });
    assert.equal(keys.length, 1);
  });

  test('the runner\'s Node verifier names the same authority, and its collateralFor feeds the portable one through JSON', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cocoon-portable-'));
    try {
      await authority.save(directory);
      const attestation = await RunnerAttestation.open({
        role: 'client', tee: 'none', devAuthorityDir: directory, pccsUrl: '', collateralDir: join(directory, 'collateral'), now: () => CERTIFICATE_TIME,
        logger: { warn: () => undefined, info: () => undefined } as never,
      });
      assert.deepEqual(attestation.authority, verifierWith().authority);
      const node = createE2eEvidenceVerifier(attestation, { policy: 'tdx', networkIsTest: true });
      const [nodeKey] = await node.verify(workerEntry(evidenceOf(worker)), { model: MODEL, now: NOW });
      assert.equal(nodeKey!.authority, formatAttestationAuthority(attestation.authority));
      const relayed: CollateralSource = {
        get: async (quote, now) => parseDcapCollateral(JSON.parse(JSON.stringify(serializeDcapCollateral(await attestation.collateralFor(quote, now))))),
      };
      const [portableKey] = await verifierWith({ collateral: relayed }).verify(workerEntry(evidenceOf(worker)), { model: MODEL, now: NOW });
      assert.equal(portableKey!.authority, nodeKey!.authority);
      await assert.rejects(attestation.collateralFor(Buffer.from('not a quote'), NOW), { code: 'CCN_ERR_ATTEST_QUOTE_INVALID' });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('refusals', () => {
  test('dev trust when the root contract is not a test network, and a malformed trust', () => {
    assert.throws(() => verifierWith({ networkIsTest: false }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'CCN_ERR_CONFIG_INVALID');
      assert.match(error.message, /dev attestation trust .* is refused: the root contract says is_test=false/);
      return true;
    });
    assert.throws(() => verifierWith({ trust: { devRootDer: new Uint8Array(0) } }), { code: 'CCN_ERR_CONFIG_INVALID' });
    assert.throws(() => verifierWith({ trust: 'amd' as never }), { code: 'CCN_ERR_CONFIG_INVALID' });
  });

  test('a quote with one byte flipped (MRTD), in a certificate signed around it', async () => {
    const forged = await certificateWithQuote(async (publicKey) => {
      const quote = await provider.getQuote(sha512(publicKey));
      quote[MRTD_OFFSET]! ^= 0x01;
      return { quote };
    });
    await assertRefused(verifierWith(), evidenceOf(forged), /certificate: DCAP verification failed: quote signature does not verify/);
  });

  test('a key set naming another certificate key than the certificate\'s', async () => {
    await assertRefused(verifierWith(), { ...evidenceOf(worker), certificate: otherWorker.certificateDer }, /the key set names certificate key .* the certificate's verified key is/);
  });

  test('a key-set signature that does not verify', async () => {
    const evidence = evidenceOf(worker);
    const signature = Buffer.from(evidence.signature);
    signature[10]! ^= 0x80;
    await assertRefused(verifierWith(), { ...evidence, signature }, /the key-set signature does not verify under the certificate key/);
    await assertRefused(verifierWith(), evidenceOf({ ...worker, privateKeyPem: otherWorker.privateKeyPem }), /the key-set signature does not verify/);
  });

  test('an image hash not in worker_hashes', async () => {
    await assertRefused(verifierWith({ hashes: { ...HASHES, workerHashes: ['00'.repeat(32)] } }), evidenceOf(worker), new RegExp(`worker peer image hash ${WORKER_IMAGE_HASH} is not in the root contract's worker_hashes`));
  });

  test('a model not in model_hashes', async () => {
    const unlisted = `Qwen/Qwen3-0.6B@other:${'77'.repeat(32)}`;
    await assertRefused(verifierWith(), evidenceOf(worker, { model: unlisted }), /model "Qwen\/Qwen3-0.6B@other:7+" .* is not in the root contract's model_hashes/);
  });

  test('an expired certificate', async () => {
    await assertRefused(verifierWith(), evidenceOf(worker), /certificate: peer certificate expired at/, new Date(CERTIFICATE_TIME.getTime() + 30 * 86_400_000));
  });

  test('collateral of another root, and dev evidence under Intel trust', async () => {
    await assertRefused(verifierWith({ collateral: new StaticCollateralSource(otherAuthority.collateral) }), evidenceOf(worker), /certificate: DCAP verification failed: TCB info issuer chain rejected under the trusted root CA/);
    await assertRefused(verifierWith({ trust: 'intel' }), evidenceOf(worker), /certificate: DCAP verification failed: .*rejected under the trusted root CA/);
  });

  test('a dev authority whose certificates expired while its collateral is still current', async () => {
    const shortLived = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME, certificateValidityDays: 1 });
    const later = new Date(AUTHORITY_TIME.getTime() + 3 * 86_400_000);
    const certificate = await createAttestedCertificate({ provider: new SimulatedTdxProvider({ authority: shortLived, measurements: WORKER_MEASUREMENTS }), now: new Date(later.getTime() - 3_600_000) });
    const seconds = Math.floor(later.getTime() / 1000);
    const evidence = issueE2eEvidence({ certificate, model: MODEL, issuedAt: seconds, keys: [{ pair, validFrom: seconds - 60, validUntil: seconds + 3600 }] });
    const verifier = verifierWith({ trust: { devRootDer: shortLived.rootCertificateDer }, collateral: new StaticCollateralSource(shortLived.collateral) });
    await assertRefused(verifier, evidence, /certificate: DCAP verification failed: TCB info issuer chain rejected under the trusted root CA/, later);
  });

  test('SEV-SNP evidence under a dev trust without the dev ARK: refused with the reason', async () => {
    const sevSnp = await createAttestedCertificate({ provider: new SimulatedSevSnpProvider({ authority: authority.sevSnp!, measurement: Buffer.alloc(48, 0x33) }), now: CERTIFICATE_TIME });
    await assertRefused(verifierWith(), evidenceOf(sevSnp), /peer presents SEV-SNP evidence but the dev trust names no SEV-SNP ARK \(trust.devSevArkDer\)/);
  });

  test('a collateral source that fails', async () => {
    const failing: CollateralSource = { get: async (): Promise<DcapCollateral> => { throw new Error('relay down'); } };
    await assertRefused(verifierWith({ collateral: failing }), evidenceOf(worker), /certificate: collateral unavailable: relay down/);
  });
});

describe('Intel trust', () => {
  test('the real recorded TDX quote passes its DCAP check under Intel\'s root (refused only for its report data)', async () => {
    const certificate = await certificateWithQuote(async () => ({ quote: SAMPLE_QUOTE }), new Date(SAMPLE_TIME.getTime() - 3_600_000));
    const verifier = verifierWith({ trust: 'intel', networkIsTest: false, collateral: new StaticCollateralSource(SAMPLE_COLLATERAL), hashes: undefined });
    assert.equal(verifier.authority.sha256, createHash('sha256').update(INTEL_ROOT_CA_DER).digest('hex'));
    assert.equal(verifier.authority.kind, 'intel');
    assert.equal(verifier.authority.name, 'Intel SGX Root CA');
    await assertRefused(verifier, evidenceOf(certificate), /quote report data is not SHA-512 of the user claims/, SAMPLE_TIME);
  });
});

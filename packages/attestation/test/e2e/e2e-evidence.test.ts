/**
 * A worker's end-to-end key evidence over real simulated-TDX RA-TLS certificates (dev authority): the
 * issuer signs the key set with the certificate key, the Node verifier accepts genuine evidence (and
 * caches it by hash), and refuses every forgery — another certificate, a tampered key set, a signature
 * by another key, an expired key, a model or an image hash the root does not list, a proxy's
 * certificate, garbage — each with CCN_ERR_E2E_EVIDENCE_INVALID and a reason.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { encodeBoxed, generateE2eKeyPair } from '@cocoon/protocol';
import type { E2eKeyPair, ExtE2eEvidence, ExtE2eWorker } from '@cocoon/protocol';
import {
  DevAttestationAuthority, E2eEvidenceIssuer, NodeE2eEvidenceVerifier, RefreshingCertificate, RootHashPolicy, RunnerAttestation, SimulatedTdxProvider,
  allowedHashes, computeImageHash, createAttestationVerifier, createAttestedCertificate, createE2eEvidenceVerifier, issueE2eEvidence, modelHash,
  simulatedMeasurements,
} from '../../src/index.ts';
import type { PeerVerifier, SelfSignedCertificate } from '../../src/index.ts';

const AUTHORITY_TIME = new Date('2026-03-01T12:00:00Z');
const CERTIFICATE_TIME = new Date('2026-03-02T00:00:00Z');
const NOW = new Date('2026-03-02T01:00:00Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const MODEL = `Qwen/Qwen3-0.6B@c1899de289a04d12100db370d81485cdf75e47ca:${'5f'.repeat(32)}`;
const WORKER_MEASUREMENTS = simulatedMeasurements(Buffer.alloc(32, 0x5a), { role: 'worker', model: MODEL });
const PROXY_MEASUREMENTS = simulatedMeasurements(Buffer.alloc(32, 0x5a), { role: 'proxy' });
const imageHashOf = (measurements: typeof WORKER_MEASUREMENTS): string => computeImageHash({ ...measurements, reportData: Buffer.alloc(64) }).toString('hex');
const quiet = { warn: () => undefined };

let authority: DevAttestationAuthority;
let worker: SelfSignedCertificate;
let otherWorker: SelfSignedCertificate;
let proxy: SelfSignedCertificate;
let pair: E2eKeyPair;

const rootHashes = (overrides: { workerHashes?: string[]; modelHashes?: Buffer[] } = {}): RootHashPolicy => RootHashPolicy.fixed(allowedHashes({
  workerHashes: overrides.workerHashes ?? [imageHashOf(WORKER_MEASUREMENTS)],
  proxyHashes: [imageHashOf(PROXY_MEASUREMENTS)],
  modelHashes: overrides.modelHashes ?? [modelHash(MODEL)],
}));

/** The policy-tdx PeerVerifier of a client (dev trust), counting its calls. */
function countingPeerVerifier(hashes: RootHashPolicy): PeerVerifier & { calls: number } {
  const inner = createAttestationVerifier({ policy: 'tdx', trust: { devAuthority: authority }, networkIsTest: true, expectedRole: 'worker', hashes, logger: quiet });
  const counting = { policy: inner.policy, calls: 0, verify: (peer: Parameters<PeerVerifier['verify']>[0], now: Date) => { counting.calls++; return inner.verify(peer, now); } };
  return counting;
}

function verifierWith(hashes: RootHashPolicy = rootHashes()): { verifier: NodeE2eEvidenceVerifier; peer: ReturnType<typeof countingPeerVerifier> } {
  const peer = countingPeerVerifier(hashes);
  return { verifier: new NodeE2eEvidenceVerifier({ peerVerifier: peer, hashes }), peer };
}

function evidenceOf(certificate: SelfSignedCertificate, fields: { model?: string; validFrom?: number; validUntil?: number } = {}): ExtE2eEvidence {
  return issueE2eEvidence({
    certificate, model: fields.model ?? MODEL, issuedAt: NOW_SECONDS - 60,
    keys: [{ pair, validFrom: fields.validFrom ?? NOW_SECONDS - 60, validUntil: fields.validUntil ?? NOW_SECONDS + 3600 }],
  });
}

const workerEntry = (evidence: ExtE2eEvidence): ExtE2eWorker => ({ _: 'ext.e2eWorker', coefficient: 1500, active_requests: 1, max_active_requests: 8, evidence });

async function assertRefused(verifier: NodeE2eEvidenceVerifier, evidence: ExtE2eEvidence, reason: RegExp, model = 'Qwen/Qwen3-0.6B'): Promise<void> {
  await assert.rejects(verifier.verify(workerEntry(evidence), { model, now: NOW }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'CCN_ERR_E2E_EVIDENCE_INVALID');
    assert.match(error.message, reason);
    return true;
  });
}

before(async () => {
  authority = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
  const workerProvider = new SimulatedTdxProvider({ authority, measurements: WORKER_MEASUREMENTS });
  worker = await createAttestedCertificate({ provider: workerProvider, now: CERTIFICATE_TIME });
  otherWorker = await createAttestedCertificate({ provider: workerProvider, now: CERTIFICATE_TIME });
  proxy = await createAttestedCertificate({ provider: new SimulatedTdxProvider({ authority, measurements: PROXY_MEASUREMENTS }), now: CERTIFICATE_TIME });
  pair = await generateE2eKeyPair();
});

describe('genuine evidence', () => {
  test('verifies to the worker\'s keys, bound to its quote\'s image hash', async () => {
    const { verifier } = verifierWith();
    const evidence = evidenceOf(worker);
    assert.deepEqual(evidence.key_set.certificate_public_key, worker.publicKey);
    const keys = await verifier.verify(workerEntry(evidence), { model: 'Qwen/Qwen3-0.6B', now: NOW });
    assert.equal(keys.length, 1);
    const [key] = keys;
    assert.deepEqual(Buffer.from(key!.hpkePublicKey), Buffer.from(pair.hpkePublicKey));
    assert.deepEqual(Buffer.from(key!.signingPublicKey), Buffer.from(pair.signingPublicKey));
    assert.equal(key!.model, MODEL);
    assert.equal(key!.validUntil, NOW_SECONDS + 3600);
    assert.equal(Buffer.from(key!.imageHash).toString('hex'), imageHashOf(WORKER_MEASUREMENTS));
    assert.equal(key!.tee, 'tdx');
    assert.equal(key!.coefficient, 1500);
    assert.match(key!.authority ?? '', /^COCOON dev authority \(test network\) sha256:[0-9a-f]{16}$/);
    assert.deepEqual(Buffer.from(key!.evidenceHash), createHash('sha256').update(encodeBoxed(evidence)).digest());
  });

  test('is cached by hash: the quote is verified once, the time and model checks run every call', async () => {
    const { verifier, peer } = verifierWith();
    const evidence = evidenceOf(worker, { validUntil: NOW_SECONDS + 10 });
    await verifier.verify(workerEntry(evidence), { model: MODEL, now: NOW });
    await verifier.verify(workerEntry(evidence), { model: MODEL, now: NOW });
    assert.equal(peer.calls, 1);
    assert.equal(verifier.cachedEntries, 1);
    await assert.rejects(verifier.verify(workerEntry(evidence), { model: MODEL, now: new Date(NOW.getTime() + 11_000) }), /expired at/);
    await assert.rejects(verifier.verify(workerEntry(evidence), { model: 'Other/model', now: NOW }), /no key valid .* for model Other\/model/);
    await assert.rejects(verifier.verify(workerEntry(evidence), { model: MODEL, now: new Date('2026-03-04T00:00:00Z') }), /certificate is not valid at/);
    assert.equal(peer.calls, 1);
  });

  test('the cache is bounded', async () => {
    const peer = countingPeerVerifier(rootHashes());
    const verifier = new NodeE2eEvidenceVerifier({ peerVerifier: peer, hashes: rootHashes(), maxCachedEntries: 2 });
    for (const offset of [1, 2, 3]) await verifier.verify(workerEntry(evidenceOf(worker, { validUntil: NOW_SECONDS + offset * 100 })), { model: MODEL, now: NOW });
    assert.equal(verifier.cachedEntries, 2);
  });

  test('the issuer signs with the certificate held now: after a refresh, the new key', async () => {
    const certificate = await RefreshingCertificate.create({ provider: new SimulatedTdxProvider({ authority, measurements: WORKER_MEASUREMENTS }), now: () => CERTIFICATE_TIME });
    const issuer = new E2eEvidenceIssuer(certificate);
    const fields = { model: MODEL, issuedAt: NOW_SECONDS, keys: [{ pair, validFrom: NOW_SECONDS, validUntil: NOW_SECONDS + 60 }] };
    const first = issuer.issue(fields);
    await certificate.refresh();
    const second = issuer.issue(fields);
    assert.notDeepEqual(first.key_set.certificate_public_key, second.key_set.certificate_public_key);
    assert.deepEqual(second.key_set.certificate_public_key, certificate.current().publicKey);
    const { verifier } = verifierWith();
    for (const evidence of [first, second]) assert.equal((await verifier.verify(workerEntry(evidence), { model: MODEL, now: NOW })).length, 1);
  });

  test('a runner\'s verifier (fake_tdx on a test network) accepts its fake-TDX workers', async () => {
    const attestation = await RunnerAttestation.open({
      role: 'worker', tee: 'fake_tdx', devAuthorityDir: '', pccsUrl: '', collateralDir: '', now: () => CERTIFICATE_TIME,
      logger: { warn: () => undefined, info: () => undefined } as never,
    });
    const verifier = createE2eEvidenceVerifier(attestation, { policy: 'fake_tdx', networkIsTest: true });
    const [key] = await verifier.verify(workerEntry(evidenceOf(attestation.certificate.current())), { model: MODEL, now: NOW });
    assert.equal(key!.tee, 'fake_tdx');
    assert.equal(key!.authority, 'none (policy fake_tdx: not attested)');
  });
});

describe('forged evidence is refused', () => {
  test('another worker\'s certificate under this key set', async () => {
    const evidence = { ...evidenceOf(worker), certificate: otherWorker.certificateDer };
    await assertRefused(verifierWith().verifier, evidence, /the key set names certificate key .* the certificate's verified key is/);
  });

  test('a key set tampered after signing (a proxy swapping in its own HPKE key)', async () => {
    const evidence = evidenceOf(worker);
    const [key] = evidence.key_set.keys;
    const tampered: ExtE2eEvidence = { ...evidence, key_set: { ...evidence.key_set, keys: [{ ...key!, hpke_public_key: Buffer.alloc(32, 0x41) }] } };
    await assertRefused(verifierWith().verifier, tampered, /key-set signature does not verify/);
    const longer: ExtE2eEvidence = { ...evidence, key_set: { ...evidence.key_set, keys: [{ ...key!, valid_until: key!.valid_until + 86_400 }] } };
    await assertRefused(verifierWith().verifier, longer, /key-set signature does not verify/);
  });

  test('a signature by a key other than the certificate\'s', async () => {
    const evidence = evidenceOf({ ...worker, privateKeyPem: otherWorker.privateKeyPem });
    await assertRefused(verifierWith().verifier, evidence, /key-set signature does not verify/);
  });

  test('an expired key, or one not valid yet', async () => {
    await assertRefused(verifierWith().verifier, evidenceOf(worker, { validFrom: NOW_SECONDS - 7200, validUntil: NOW_SECONDS - 1 }), /expired at/);
    await assertRefused(verifierWith().verifier, evidenceOf(worker, { validFrom: NOW_SECONDS + 60, validUntil: NOW_SECONDS + 7200 }), /not valid before/);
  });

  test('a model the root does not list', async () => {
    const unlisted = `Qwen/Qwen3-0.6B@other:${'77'.repeat(32)}`;
    await assertRefused(verifierWith().verifier, evidenceOf(worker, { model: unlisted }), /is not in the root contract's model_hashes/);
  });

  test('an image hash the root does not list', async () => {
    await assertRefused(verifierWith(rootHashes({ workerHashes: [] })).verifier, evidenceOf(worker), /image hash .* is not in the root contract's worker_hashes/);
  });

  test('a proxy\'s certificate (attested, but not a worker image)', async () => {
    await assertRefused(verifierWith().verifier, evidenceOf(proxy), /worker peer image hash .* not in the root contract's worker_hashes/);
  });

  test('garbage certificate bytes, and a root change after caching', async () => {
    await assertRefused(verifierWith().verifier, { ...evidenceOf(worker), certificate: Buffer.from('not a certificate') }, /certificate: /);
    let workerHashes = [imageHashOf(WORKER_MEASUREMENTS)];
    const changing = new RootHashPolicy(() => allowedHashes({ workerHashes, modelHashes: [modelHash(MODEL)] }));
    const verifier = new NodeE2eEvidenceVerifier({ peerVerifier: countingPeerVerifier(changing), hashes: changing });
    const evidence = evidenceOf(worker);
    await verifier.verify(workerEntry(evidence), { model: MODEL, now: NOW });
    workerHashes = []; // the root dropped this image
    await assertRefused(verifier, evidence, /not in the root contract's worker_hashes/);
  });
});

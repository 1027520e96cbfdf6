/**
 * The portable (browser-safe) e2e evidence verifier over simulated SEV-SNP worker evidence, made as the
 * worker makes it (a simulated SEV-SNP provider under a DevAttestationAuthority's dev chain,
 * issueE2eEvidence): with the dev ARK pinned and the chain + CRL from a source (the runner's
 * sevSnpChainFor through the relay's JSON) it accepts genuine evidence and names the same authority as the
 * runners' Node verifier; it refuses a report with one byte flipped, a chain under another ARK (and the
 * dev chain under AMD's pins), a CRL revoking the ASK, expired dev certificates, an image off the root's
 * list, and — with the reason — evidence it has no chain source or no dev ARK for.
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
  DevAttestationAuthority, RunnerAttestation, SEV_SNP_NOT_PORTABLE, SEV_SNP_NO_DEV_ARK, SimulatedSevSnpProvider, StaticCollateralSource, StaticSevPkiSource,
  computeSevSnpImageHash, createAttestedCertificate, createE2eEvidenceVerifier, createPortableE2eEvidenceVerifier, createSelfSignedCertificate,
  exportRawPublicKey, generateEd25519KeyPair, issueE2eEvidence, modelHash, parseSevChainJson, serializeSevChain, sevSnpCertificateExtensions, verifySevChain,
} from '../../src/index.ts';
import type { PortableE2eVerifierOptions, SelfSignedCertificate, SevChainMaterial, SevPkiSource } from '../../src/index.ts';

const AUTHORITY_TIME = new Date('2026-03-01T12:00:00Z');
const CERTIFICATE_TIME = new Date('2026-03-02T00:00:00Z');
const NOW = new Date('2026-03-02T01:00:00Z');
const MODEL = `Qwen/Qwen3-0.6B@c1899de289a04d12100db370d81485cdf75e47ca:${'5f'.repeat(32)}`;
const MEASUREMENT = createHash('sha384').update('portable SEV-SNP worker').digest();
const IMAGE_HASH = computeSevSnpImageHash(MEASUREMENT).toString('hex');
const HASHES = { workerHashes: [IMAGE_HASH], modelHashes: [modelHash(MODEL).toString('hex')] };
/** MEASUREMENT's offset in the report (signed). */
const MEASUREMENT_OFFSET = 0x90;

let authority: DevAttestationAuthority;
let stranger: DevAttestationAuthority;
let worker: SelfSignedCertificate;
let pair: E2eKeyPair;

const sha512 = (data: Buffer): Buffer => createHash('sha512').update(data).digest();

function verifierWith(overrides: Partial<PortableE2eVerifierOptions> = {}): ReturnType<typeof createPortableE2eEvidenceVerifier> {
  return createPortableE2eEvidenceVerifier({
    trust: { devRootDer: authority.rootCertificateDer, devSevArkDer: authority.sevSnp!.arkDer },
    collateral: new StaticCollateralSource(authority.collateral),
    sevSnpChains: authority.sevSnp!.source,
    networkIsTest: true,
    hashes: HASHES,
    ...overrides,
  });
}

function evidenceOf(certificate: SelfSignedCertificate, at = NOW): ExtE2eEvidence {
  const seconds = Math.floor(at.getTime() / 1000);
  return issueE2eEvidence({ certificate, model: MODEL, issuedAt: seconds - 60, keys: [{ pair, validFrom: seconds - 60, validUntil: seconds + 3600 }] });
}

const workerEntry = (evidence: ExtE2eEvidence): ExtE2eWorker => ({ _: 'ext.e2eWorker', coefficient: 1000, active_requests: 0, max_active_requests: 8, evidence });

async function assertRefused(verifier: E2eEvidenceVerifier, evidence: ExtE2eEvidence, reason: RegExp, now = NOW): Promise<void> {
  await assert.rejects(verifier.verify(workerEntry(evidence), { model: 'Qwen/Qwen3-0.6B', now }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'CCN_ERR_E2E_EVIDENCE_INVALID', error.message);
    assert.match(error.message, reason);
    return true;
  });
}

/** A source that hands the chain on through the relay's JSON, as the SDK receives it. */
const throughJson = (source: SevPkiSource): SevPkiSource => ({
  name: `${source.name} as JSON`,
  chain: async (product, now) => {
    const verified = await verifySevChain(await source.chain(product, now), authority.sevSnp!.pins, now, { trustName: 'dev' });
    return parseSevChainJson(JSON.parse(JSON.stringify(serializeSevChain(verified))), 'the relayed chain');
  },
});

before(async () => {
  authority = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
  stranger = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
  worker = await createAttestedCertificate({ provider: new SimulatedSevSnpProvider({ authority: authority.sevSnp!, measurement: MEASUREMENT }), now: CERTIFICATE_TIME });
  pair = await generateE2eKeyPair();
});

describe('genuine simulated SEV-SNP worker evidence in the portable verifier', () => {
  test('verifies under the pinned dev ARK, naming the SEV-SNP authority, the image and the TEE', async () => {
    const [key, ...rest] = await verifierWith().verify(workerEntry(evidenceOf(worker)), { model: 'Qwen/Qwen3-0.6B', now: NOW });
    assert.equal(rest.length, 0);
    assert.equal(key!.tee, 'sev-snp');
    assert.equal(Buffer.from(key!.imageHash).toString('hex'), IMAGE_HASH);
    assert.match(key!.authority!, /^COCOON dev SEV-SNP authority \(Genoa, test network\) sha256:[0-9a-f]{16}$/);
    assert.ok(authority.sevSnp!.pins.Genoa!.startsWith(key!.authority!.slice(-16)));
    const viaJson = await verifierWith({ sevSnpChains: throughJson(authority.sevSnp!.source) }).verify(workerEntry(evidenceOf(worker)), { model: MODEL, now: NOW });
    assert.equal(viaJson[0]!.authority, key!.authority);
  });

  test("the runner's sevSnpChainFor feeds it through JSON, and its Node verifier names the same authority", async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cocoon-portable-sev-'));
    try {
      await authority.save(directory);
      const attestation = await RunnerAttestation.open({
        role: 'client', tee: 'none', devAuthorityDir: directory, pccsUrl: '', collateralDir: join(directory, 'collateral'), now: () => CERTIFICATE_TIME,
        logger: { warn: () => undefined, info: () => undefined } as never,
      });
      const [nodeKey] = await createE2eEvidenceVerifier(attestation, { policy: 'tdx', networkIsTest: true }).verify(workerEntry(evidenceOf(worker)), { model: MODEL, now: NOW });
      const relayed: SevPkiSource = {
        name: 'relay', chain: async (product, now) => parseSevChainJson(JSON.parse(JSON.stringify(serializeSevChain(await attestation.sevSnpChainFor(product, now)))), 'the relayed chain'),
      };
      const [portableKey] = await verifierWith({ sevSnpChains: relayed }).verify(workerEntry(evidenceOf(worker)), { model: MODEL, now: NOW });
      assert.equal(portableKey!.authority, nodeKey!.authority);
      assert.equal(portableKey!.tee, nodeKey!.tee);
      await assert.rejects(attestation.sevSnpChainFor('Zen9' as never, NOW), { code: 'CCN_ERR_ATTEST_QUOTE_INVALID' });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('SEV-SNP refusals in the portable verifier', () => {
  test('a report with one byte flipped (MEASUREMENT), in a certificate signed around it', async () => {
    const keyPair = await generateEd25519KeyPair();
    const publicKey = await exportRawPublicKey(keyPair);
    const provider = new SimulatedSevSnpProvider({ authority: authority.sevSnp!, measurement: MEASUREMENT });
    const report = Buffer.from((await provider.certificateExtensions(publicKey)).find((item) => item.value.length === 1184)!.value);
    report[MEASUREMENT_OFFSET]! ^= 0x01;
    const extensions = sevSnpCertificateExtensions({ reportData: sha512(publicKey), report, vcekPem: authority.sevSnp!.vcekPem });
    const forged = await createSelfSignedCertificate({ now: CERTIFICATE_TIME, keyPair, extensions });
    await assertRefused(verifierWith({ hashes: undefined }), evidenceOf(forged), /SEV-SNP report signature does not verify under the VCEK/);
  });

  test('a chain under another ARK, another pinned ARK, and the dev chain under AMD\'s pins', async () => {
    await assertRefused(verifierWith({ sevSnpChains: stranger.sevSnp!.source }), evidenceOf(worker), /Genoa chain has no dev-pinned ARK/);
    await assertRefused(verifierWith({ trust: { devRootDer: authority.rootCertificateDer, devSevArkDer: stranger.sevSnp!.arkDer } }), evidenceOf(worker), /Genoa chain has no dev-pinned ARK/);
    await assertRefused(verifierWith({ trust: 'intel', networkIsTest: false, hashes: undefined }), evidenceOf(worker), /Genoa chain has no AMD-pinned ARK/);
  });

  test('a CRL that revokes the ASK, a CRL signed by another ARK, a stale CRL', async () => {
    const revoked = await authority.sevSnp!.renewCrl(CERTIFICATE_TIME, { revokedSerials: ['0d0001'] });
    await assertRefused(verifierWith({ sevSnpChains: revoked.source }), evidenceOf(worker), /Genoa ASK \(serial 0D0001\) is revoked by the ARK's CRL/);
    const sev = authority.sevSnp!;
    const foreignCrl = new StaticSevPkiSource([{ product: 'Genoa', certificates: [sev.askPem, sev.arkPem], crl: stranger.sevSnp!.crlDer }]);
    await assertRefused(verifierWith({ sevSnpChains: foreignCrl }), evidenceOf(worker), /CRL (is not issued by the ARK|signature does not verify)/);
    const stale: SevPkiSource = { name: 'stale', chain: async (product, now): Promise<SevChainMaterial> => ({ ...(await sev.source.chain(product, now)), fetchedAt: new Date(now.getTime() - 8 * 86_400_000) }) };
    await assertRefused(verifierWith({ sevSnpChains: stale }), evidenceOf(worker), /CRL is stale: fetched .* older than 168 h/);
  });

  test('a dev chain whose certificates expired while its CRL is still current', async () => {
    const shortLived = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME, certificateValidityDays: 1 });
    const later = new Date(AUTHORITY_TIME.getTime() + 3 * 86_400_000);
    const certificate = await createAttestedCertificate({ provider: new SimulatedSevSnpProvider({ authority: shortLived.sevSnp!, measurement: MEASUREMENT }), now: new Date(later.getTime() - 3_600_000) });
    const verifier = verifierWith({ trust: { devRootDer: shortLived.rootCertificateDer, devSevArkDer: shortLived.sevSnp!.arkDer }, sevSnpChains: shortLived.sevSnp!.source });
    await assertRefused(verifier, evidenceOf(certificate, later), /SEV-SNP Genoa ARK expired at/, later);
  });

  test('an image hash not in worker_hashes', async () => {
    await assertRefused(verifierWith({ hashes: { ...HASHES, workerHashes: ['00'.repeat(32)] } }), evidenceOf(worker), new RegExp(`worker peer image hash ${IMAGE_HASH} is not in the root contract's worker_hashes`));
  });

  test('no chain source, no dev ARK, a source that fails or answers a malformed chain: refused with the reason', async () => {
    await assertRefused(verifierWith({ sevSnpChains: undefined }), evidenceOf(worker), new RegExp(`peer presents SEV-SNP evidence but ${SEV_SNP_NOT_PORTABLE.replace(/[()]/g, '\\$&')}`));
    await assertRefused(verifierWith({ trust: { devRootDer: authority.rootCertificateDer } }), evidenceOf(worker), new RegExp(SEV_SNP_NO_DEV_ARK.replace(/[()]/g, '\\$&')));
    await assertRefused(verifierWith({ sevSnpChains: { name: 'down', chain: async () => { throw new Error('relay down'); } } }), evidenceOf(worker), /relay down/);
    const noCrl: SevPkiSource = { name: 'no crl', chain: async () => parseSevChainJson({ product: 'Genoa', ark: 'x', ask: 'y', fetched_at: NOW.toISOString() }, 'the relayed chain') };
    await assertRefused(verifierWith({ sevSnpChains: noCrl }), evidenceOf(worker), /the relayed chain is not an SEV-SNP chain/);
  });

  test('a malformed dev ARK or chain source is a configuration error', () => {
    assert.throws(() => verifierWith({ trust: { devRootDer: authority.rootCertificateDer, devSevArkDer: new Uint8Array(0) } }), { code: 'CCN_ERR_CONFIG_INVALID' });
    assert.throws(() => verifierWith({ sevSnpChains: {} as never }), { code: 'CCN_ERR_CONFIG_INVALID' });
  });
});

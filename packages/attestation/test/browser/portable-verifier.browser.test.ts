/**
 * The portable e2e evidence verifier in a real browser (Debian's chromium, playwright-core): the page
 * bundles `@cocoon/attestation/browser` and `@cocoon/protocol/browser` for the browser platform (no Node
 * built-in may be reached, only the injected `buffer` package), receives real simulated-TDX worker
 * evidence and the DCAP collateral as JSON (what the relay serves), and verifies it there with dcap-qvl's
 * browser build. Genuine evidence yields the worker's keys naming the dev authority, exactly as the Node
 * verifier names it; a flipped quote byte, another root's collateral, a bad key-set signature, an image
 * the root does not list, dev trust off a test network and a dev authority whose certificates expired
 * (a window dcap-qvl's browser build does not date) are refused; under Intel's root the real recorded
 * TDX quote passes its DCAP check in the page and the same quote with one byte flipped does not. Simulated
 * SEV-SNP evidence verifies in the page under the pinned dev ARK with the relayed chain JSON (WebCrypto
 * ECDSA P-384 for the chain and the report), and a flipped report byte or another authority's chain does not;
 * under AMD's pinned ARKs the real Genoa report passes its VCEK → ASK → ARK (RSA-PSS) and CRL checks in the
 * page (refused only for its binding to the test key), and with one byte flipped it does not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { encodeBoxed, generateE2eKeyPair } from '@cocoon/protocol';
import type { E2eKeyPair, ExtE2eEvidence } from '@cocoon/protocol';
import { CHROMIUM_ARGS, findChromium, startStaticPageServer, type StaticPageServer } from '@cocoon/test-support';
import {
  DevAttestationAuthority, SimulatedSevSnpProvider, SimulatedTdxProvider, computeImageHash, computeSevSnpImageHash, createAttestedCertificate,
  createSelfSignedCertificate, exportRawPublicKey, formatAttestationAuthority, generateEd25519KeyPair, issueE2eEvidence, modelHash, serializeDcapCollateral,
  serializeSevChain, sevSnpCertificateExtensions, simulatedMeasurements, tdxAttestationAuthority, verifySevChain, AMD_ARK_SHA256, certificatePem,
} from '../../src/index.ts';
import type { DcapCollateral, SelfSignedCertificate } from '../../src/index.ts';
import { SAMPLE_COLLATERAL, SAMPLE_QUOTE, SAMPLE_TIME } from '../dcap/dcap-fixtures.ts';
import { certificateWithQuote, sha512 } from '../forgery/forgery-fixtures.ts';
import { FIXTURE_TIME, GENOA_V5, recordedMaterial } from '../sev-snp/sev-snp-fixtures.ts';
import type { PageCase, PageOutcome } from './portable-verifier-page.ts';

const { executablePath, skip } = findChromium();
const AUTHORITY_TIME = new Date('2026-03-01T12:00:00Z');
const CERTIFICATE_TIME = new Date('2026-03-02T00:00:00Z');
const NOW = new Date('2026-03-02T01:00:00Z');
const MODEL = `Qwen/Qwen3-0.6B@c1899de289a04d12100db370d81485cdf75e47ca:${'5f'.repeat(32)}`;
const MEASUREMENTS = simulatedMeasurements(Buffer.alloc(32, 0x5a), { role: 'worker', model: MODEL });
const IMAGE_HASH = computeImageHash({ ...MEASUREMENTS, reportData: Buffer.alloc(64) }).toString('hex');
const HASHES = { workerHashes: [IMAGE_HASH], modelHashes: [modelHash(MODEL).toString('hex')] };
/** MRTD in a v4 quote. */
const MRTD_OFFSET = 48 + 136;
const PAGE_ENTRY = fileURLToPath(new URL('./portable-verifier-page.ts', import.meta.url));
const BUFFER_SHIM = fileURLToPath(new URL('./buffer-global.ts', import.meta.url));

let pair: E2eKeyPair;
let server: StaticPageServer | undefined;
let origin: string;
let browser: Browser | undefined;

/** The page bundle, built as @cocoon/sdk/build builds browser bundles (browser platform, Buffer injected). */
async function bundlePage(): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [PAGE_ENTRY], bundle: true, write: false, platform: 'browser', format: 'esm', target: 'es2022', minify: true,
    inject: [BUFFER_SHIM], define: { global: 'globalThis' }, logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}

function evidenceOf(certificate: SelfSignedCertificate, now = NOW): ExtE2eEvidence {
  const seconds = Math.floor(now.getTime() / 1000);
  return issueE2eEvidence({ certificate, model: MODEL, issuedAt: seconds - 60, keys: [{ pair, validFrom: seconds - 60, validUntil: seconds + 3600 }] });
}

const boxedWorker = (evidence: ExtE2eEvidence): string =>
  encodeBoxed({ _: 'ext.e2eWorker', coefficient: 1000, active_requests: 0, max_active_requests: 4, evidence }).toString('base64');
const collateralJson = (collateral: DcapCollateral): string => JSON.stringify(serializeDcapCollateral(collateral));
const devTrust = (authority: DevAttestationAuthority): PageCase['trust'] => ({ devRootDer: authority.rootCertificateDer.toString('base64') });

async function verifyInPage(cases: PageCase[]): Promise<Map<string, PageOutcome>> {
  const page = await browser!.newPage();
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction('typeof globalThis.verifyCases === "function"');
    const outcomes = (await page.evaluate(`globalThis.verifyCases(${JSON.stringify(cases)})`)) as PageOutcome[];
    return new Map(outcomes.map((outcome) => [outcome.name, outcome]));
  } finally {
    await page.close();
  }
}

function refused(outcome: PageOutcome | undefined, code: string, reason: RegExp): void {
  assert.ok(outcome, 'the page answered the case');
  assert.equal(outcome.keys, undefined, `${outcome.name} must be refused`);
  assert.equal(outcome.error?.code, code, outcome.error?.message);
  assert.match(outcome.error!.message, reason);
}

describe('the portable verifier in chromium', { skip }, () => {
  before(async () => {
    pair = await generateE2eKeyPair();
    const code = await bundlePage();
    server = await startStaticPageServer({
      '/': { contentType: 'text/html; charset=utf-8', body: '<!DOCTYPE html><html><head><script type="module" src="/app.js"></script></head><body></body></html>' },
      '/app.js': { contentType: 'text/javascript', body: code },
    });
    origin = server.origin;
    browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('simulated-TDX worker evidence under the dev root: accepted with the authority, and every forgery refused', async () => {
    const authority = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
    const stranger = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
    const provider = new SimulatedTdxProvider({ authority, measurements: MEASUREMENTS });
    const worker = await createAttestedCertificate({ provider, now: CERTIFICATE_TIME });
    const flipped = await certificateWithQuote(async (publicKey) => {
      const quote = await provider.getQuote(sha512(publicKey));
      quote[MRTD_OFFSET]! ^= 0x01;
      return { quote };
    });
    const genuine = evidenceOf(worker);
    const badSignature = Buffer.from(genuine.signature);
    badSignature[5]! ^= 0x04;
    // Certificates valid one day, collateral a year: three days on, only the certificate windows refuse.
    const shortLived = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME, certificateValidityDays: 1 });
    const later = new Date(AUTHORITY_TIME.getTime() + 3 * 86_400_000);
    const lateWorker = await createAttestedCertificate({ provider: new SimulatedTdxProvider({ authority: shortLived, measurements: MEASUREMENTS }), now: new Date(later.getTime() - 3_600_000) });

    const base = { trust: devTrust(authority), collateral: collateralJson(authority.collateral), networkIsTest: true, hashes: HASHES, model: 'Qwen/Qwen3-0.6B', now: NOW.toISOString() };
    const outcomes = await verifyInPage([
      { ...base, name: 'genuine', worker: boxedWorker(genuine) },
      { ...base, name: 'flipped quote byte', worker: boxedWorker(evidenceOf(flipped)) },
      { ...base, name: 'another root\'s collateral', worker: boxedWorker(genuine), collateral: collateralJson(stranger.collateral) },
      { ...base, name: 'bad key-set signature', worker: boxedWorker({ ...genuine, signature: badSignature }) },
      { ...base, name: 'image not listed', worker: boxedWorker(genuine), hashes: { ...HASHES, workerHashes: ['11'.repeat(32)] } },
      { ...base, name: 'production network', worker: boxedWorker(genuine), networkIsTest: false },
      { ...base, name: 'expired authority certificates', worker: boxedWorker(evidenceOf(lateWorker, later)), trust: devTrust(shortLived), collateral: collateralJson(shortLived.collateral), now: later.toISOString() },
    ]);

    const accepted = outcomes.get('genuine')!;
    assert.equal(accepted.error, undefined, accepted.error?.message);
    assert.equal(accepted.authority, 'dev COCOON dev authority (test network)');
    assert.deepEqual(accepted.keys, [{ authority: formatAttestationAuthority(tdxAttestationAuthority(authority.rootCertificateDer)), imageHash: IMAGE_HASH, tee: 'tdx', model: MODEL }]);
    refused(outcomes.get('flipped quote byte'), 'CCN_ERR_E2E_EVIDENCE_INVALID', /DCAP verification failed: quote signature does not verify/);
    refused(outcomes.get('another root\'s collateral'), 'CCN_ERR_E2E_EVIDENCE_INVALID', /TCB info issuer chain rejected under the trusted root CA/);
    refused(outcomes.get('bad key-set signature'), 'CCN_ERR_E2E_EVIDENCE_INVALID', /the key-set signature does not verify under the certificate key/);
    refused(outcomes.get('image not listed'), 'CCN_ERR_E2E_EVIDENCE_INVALID', new RegExp(`image hash ${IMAGE_HASH} is not in the root contract's worker_hashes`));
    refused(outcomes.get('production network'), 'CCN_ERR_CONFIG_INVALID', /dev attestation trust .* is refused: the root contract says is_test=false/);
    refused(outcomes.get('expired authority certificates'), 'CCN_ERR_E2E_EVIDENCE_INVALID', /TCB info issuer chain rejected under the trusted root CA: certificate ".*COCOON DEV TCB signing.*" is valid/);
    process.stdout.write(`# in-page verification of genuine dev evidence (first, uncached): ${accepted.ms} ms\n`);
  });

  test('the real recorded TDX quote under Intel\'s root: its DCAP check passes in the page, one flipped byte does not', async () => {
    const certificateTime = new Date(SAMPLE_TIME.getTime() - 3_600_000);
    const real = await certificateWithQuote(async () => ({ quote: SAMPLE_QUOTE }), certificateTime);
    const tampered = await certificateWithQuote(async () => {
      const quote = Buffer.from(SAMPLE_QUOTE);
      quote[MRTD_OFFSET]! ^= 0x01;
      return { quote };
    }, certificateTime);
    const base = { trust: 'intel' as const, collateral: collateralJson(SAMPLE_COLLATERAL), networkIsTest: false, model: 'Qwen/Qwen3-0.6B', now: SAMPLE_TIME.toISOString() };
    const outcomes = await verifyInPage([
      { ...base, name: 'real quote', worker: boxedWorker(evidenceOf(real, SAMPLE_TIME)) },
      { ...base, name: 'tampered quote', worker: boxedWorker(evidenceOf(tampered, SAMPLE_TIME)) },
    ]);
    // Past DCAP (PCK chain, QE report, quote signature, TCB info under Intel's root, UpToDate): only the binding to our test key fails.
    refused(outcomes.get('real quote'), 'CCN_ERR_E2E_EVIDENCE_INVALID', /quote report data is not SHA-512 of the user claims/);
    refused(outcomes.get('tampered quote'), 'CCN_ERR_E2E_EVIDENCE_INVALID', /DCAP verification failed: quote signature does not verify/);
    process.stdout.write(`# in-page DCAP verification of the real Intel quote: ${outcomes.get('real quote')!.ms} ms\n`);
  });

  test('simulated SEV-SNP worker evidence under the dev ARK with the relayed chain: accepted in the page, forgeries refused', async () => {
    const authority = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
    const stranger = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
    const sev = authority.sevSnp!;
    const measurement = Buffer.alloc(48, 0x3c);
    const provider = new SimulatedSevSnpProvider({ authority: sev, measurement });
    const worker = await createAttestedCertificate({ provider, now: CERTIFICATE_TIME });
    const keyPair = await generateEd25519KeyPair();
    const publicKey = await exportRawPublicKey(keyPair);
    const report = await provider.getReport(sha512(publicKey));
    report[0x90]! ^= 0x01; // MEASUREMENT, under the report signature
    const flipped = await createSelfSignedCertificate({ now: CERTIFICATE_TIME, keyPair, extensions: sevSnpCertificateExtensions({ reportData: sha512(publicKey), report, vcekPem: sev.vcekPem }) });
    const chainJson = async (of: DevAttestationAuthority): Promise<string> =>
      JSON.stringify(serializeSevChain(await verifySevChain(await of.sevSnp!.source.chain('Genoa', NOW), of.sevSnp!.pins, NOW, { trustName: 'dev' })));
    const imageHash = computeSevSnpImageHash(measurement).toString('hex');
    const base = {
      trust: { devRootDer: authority.rootCertificateDer.toString('base64'), devSevArkDer: sev.arkDer.toString('base64') }, collateral: collateralJson(authority.collateral),
      sevChain: await chainJson(authority), networkIsTest: true, hashes: { ...HASHES, workerHashes: [imageHash] }, model: 'Qwen/Qwen3-0.6B', now: NOW.toISOString(),
    };
    const outcomes = await verifyInPage([
      { ...base, name: 'genuine SEV-SNP', worker: boxedWorker(evidenceOf(worker)) },
      { ...base, name: 'flipped report byte', worker: boxedWorker(evidenceOf(flipped)), hashes: undefined },
      { ...base, name: 'another authority\'s chain', worker: boxedWorker(evidenceOf(worker)), sevChain: await chainJson(stranger) },
    ]);
    const accepted = outcomes.get('genuine SEV-SNP')!;
    assert.equal(accepted.error, undefined, accepted.error?.message);
    assert.equal(accepted.keys!.length, 1);
    assert.equal(accepted.keys![0]!.tee, 'sev-snp');
    assert.equal(accepted.keys![0]!.imageHash, imageHash);
    assert.equal(accepted.keys![0]!.authority, `COCOON dev SEV-SNP authority (Genoa, test network) sha256:${sev.pins.Genoa!.slice(0, 16)}`);
    refused(outcomes.get('flipped report byte'), 'CCN_ERR_E2E_EVIDENCE_INVALID', /SEV-SNP report signature does not verify under the VCEK/);
    refused(outcomes.get('another authority\'s chain'), 'CCN_ERR_E2E_EVIDENCE_INVALID', /Genoa chain has no dev-pinned ARK/);
    process.stdout.write(`# in-page verification of genuine SEV-SNP dev evidence (first, uncached): ${accepted.ms} ms\n`);
  });

  test("the real Genoa SEV-SNP report under AMD's pinned ARKs: its RSA-PSS chain, CRL and signature pass in the page, one flipped byte does not", async () => {
    const certificateTime = new Date(FIXTURE_TIME.getTime() - 3_600_000);
    const withReport = async (report: Buffer): Promise<SelfSignedCertificate> => {
      const keyPair = await generateEd25519KeyPair();
      const publicKey = await exportRawPublicKey(keyPair);
      const extensions = sevSnpCertificateExtensions({ reportData: sha512(publicKey), report, vcekPem: certificatePem(GENOA_V5.vcek) });
      return createSelfSignedCertificate({ now: certificateTime, keyPair, extensions });
    };
    const tampered = Buffer.from(GENOA_V5.report);
    tampered[0x90]! ^= 0x01;
    const genoa = recordedMaterial().find((material) => material.product === 'Genoa')!;
    const chain = await verifySevChain({ ...genoa, fetchedAt: FIXTURE_TIME }, AMD_ARK_SHA256, FIXTURE_TIME);
    const base = {
      trust: 'intel' as const, collateral: collateralJson(SAMPLE_COLLATERAL), sevChain: JSON.stringify(serializeSevChain(chain)), networkIsTest: false,
      model: 'Qwen/Qwen3-0.6B', now: FIXTURE_TIME.toISOString(),
    };
    const outcomes = await verifyInPage([
      { ...base, name: 'real report', worker: boxedWorker(evidenceOf(await withReport(GENOA_V5.report), FIXTURE_TIME)) },
      { ...base, name: 'tampered report', worker: boxedWorker(evidenceOf(await withReport(tampered), FIXTURE_TIME)) },
    ]);
    // Past the chain (ARK pinned, ASK and CRL RSA-PSS under it), the VCEK under the ASK and the report signature: only the binding to our test key fails.
    refused(outcomes.get('real report'), 'CCN_ERR_E2E_EVIDENCE_INVALID', /the SEV-SNP report's REPORT_DATA is not SHA-512 of the certificate key/);
    refused(outcomes.get('tampered report'), 'CCN_ERR_E2E_EVIDENCE_INVALID', /SEV-SNP report signature does not verify under the VCEK/);
    process.stdout.write(`# in-page verification of the real AMD Genoa chain and report: ${outcomes.get('real report')!.ms} ms\n`);
  });
});

// Root-contract attestation policy (§6.9, §7.3, §7.4): hash normalisation, model hashes, peer and
// self checks, and the rules of createAttestationVerifier (test modes only on is_test networks).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  AnyPolicyVerifier,
  allowedHashes,
  createAttestationVerifier,
  DEV_ATTESTATION_WARNING,
  FAKE_TDX_WARNING,
  modelHash,
  normalizeHash,
  RootHashPolicy,
  SIGNATURE_ONLY_TCB_STATUS,
  SignatureOnlyQuoteVerifier,
  measurementsReport,
  zeroMeasurements,
} from '../../src/index.ts';
import { FAKE_TDX_IMAGE_HASH, VERIFY_TIME, fakeTdxCertificate, plainCertificate } from '../support/test-certificates.ts';
import { REFERENCE_QUOTE } from '../dcap/dcap-fixtures.ts';

const MODEL = 'Qwen/Qwen3-8B@b968826d9c46dd6066d109eabc6255188de91218:8c2f4e1d';

describe('allowed hashes', () => {
  test('modelHash is SHA-256 of the full model string', () => {
    assert.equal(modelHash(MODEL).toString('hex'), createHash('sha256').update(MODEL).digest('hex'));
    assert.notDeepEqual(modelHash(MODEL), modelHash('Qwen/Qwen3-8B'));
  });

  test('normalizeHash accepts bytes, (0x-)hex in any case and 256-bit integers; rejects other lengths', () => {
    const hex = 'a'.repeat(62) + '0f';
    assert.equal(normalizeHash(Buffer.from(hex, 'hex')), hex);
    assert.equal(normalizeHash(`0x${hex.toUpperCase()}`), hex);
    assert.equal(normalizeHash(15n), '0'.repeat(62) + '0f');
    assert.throws(() => normalizeHash('abcd'), { code: 'CCN_ERR_CONFIG_INVALID' });
  });
});

describe('RootHashPolicy', () => {
  const proxy = 'aa'.repeat(32);
  const worker = 'bb'.repeat(32);
  let current = allowedHashes({ proxyHashes: [proxy], workerHashes: [worker], modelHashes: [modelHash(MODEL)] });
  const policy = new RootHashPolicy(() => current);

  test('each role is checked against its own dictionary', () => {
    assert.doesNotThrow(() => policy.checkPeerImage('proxy', proxy));
    assert.doesNotThrow(() => policy.checkPeerImage('worker', Buffer.from(worker, 'hex')));
    assert.throws(() => policy.checkPeerImage('proxy', worker), { code: 'CCN_ERR_ATTEST_POLICY', message: `proxy peer image hash ${worker} is not in the root contract's proxy_hashes` });
    assert.throws(() => policy.checkPeerImage('worker', proxy), { code: 'CCN_ERR_ATTEST_POLICY', message: /worker_hashes/ });
  });

  test('model and self checks', () => {
    assert.doesNotThrow(() => policy.checkModel(MODEL));
    assert.doesNotThrow(() => policy.checkSelf('worker', worker, MODEL));
    assert.throws(() => policy.checkSelf('worker', worker, `${MODEL}x`), { code: 'CCN_ERR_ATTEST_POLICY', message: /model_hashes/ });
  });

  test('the getter is read on every check (root config refresh)', () => {
    current = allowedHashes({ workerHashes: [] });
    assert.throws(() => policy.checkPeerImage('worker', worker), { code: 'CCN_ERR_ATTEST_POLICY' });
  });
});

describe('createAttestationVerifier', () => {
  const collect = () => {
    const lines: string[] = [];
    return { lines, logger: { warn: (line: string) => void lines.push(line) } };
  };

  test('any: no warning, any Ed25519 certificate, empty image hash', async () => {
    const { lines, logger } = collect();
    const verifier = createAttestationVerifier({ policy: 'any', networkIsTest: false, logger });
    assert.ok(verifier instanceof AnyPolicyVerifier);
    const peer = await verifier.verify({ certificateDer: (await plainCertificate()).certificateDer }, VERIFY_TIME);
    assert.deepEqual(peer.imageHash, Buffer.alloc(32));
    assert.deepEqual(lines, []);
  });

  test('fake_tdx on a test network: loud warning once per logger, root hash check applied', async () => {
    const { lines, logger } = collect();
    const hashes = RootHashPolicy.fixed(allowedHashes({ workerHashes: [FAKE_TDX_IMAGE_HASH] }));
    const verifier = createAttestationVerifier({ policy: 'fake_tdx', networkIsTest: true, logger, hashes, expectedRole: 'worker' });
    createAttestationVerifier({ policy: 'fake_tdx', networkIsTest: true, logger });
    assert.deepEqual(lines, [FAKE_TDX_WARNING]);
    const certificate = await fakeTdxCertificate();
    assert.equal((await verifier.verify({ certificateDer: certificate.certificateDer }, VERIFY_TIME)).imageHash.toString('hex'), FAKE_TDX_IMAGE_HASH);
    const asProxy = createAttestationVerifier({ policy: 'fake_tdx', networkIsTest: true, logger, hashes, expectedRole: 'proxy' });
    await assert.rejects(asProxy.verify({ certificateDer: certificate.certificateDer }, VERIFY_TIME), { code: 'CCN_ERR_ATTEST_POLICY', message: /proxy_hashes/ });
  });

  test('hash checks without an expected role, and unknown policies, are config errors', () => {
    const hashes = RootHashPolicy.fixed(allowedHashes({}));
    assert.throws(() => createAttestationVerifier({ policy: 'any', networkIsTest: false, hashes }), { code: 'CCN_ERR_CONFIG_INVALID', message: /expected peer role/ });
    assert.throws(() => createAttestationVerifier({ policy: 'none' as 'any', networkIsTest: false }), { code: 'CCN_ERR_CONFIG_INVALID' });
  });

  test('dev trust warning text', () => {
    assert.match(DEV_ATTESTATION_WARNING, /^DEV ATTESTATION: quotes signed by a dev root, not Intel/);
  });
});

describe('tool helpers', () => {
  test('SignatureOnlyQuoteVerifier reports the reference quote genuine with an unknown TCB status', async () => {
    const verified = await new SignatureOnlyQuoteVerifier().verifyQuote(REFERENCE_QUOTE, new Date('2026-03-01T00:00:00Z'));
    assert.equal(verified.tcbStatus, SIGNATURE_ONLY_TCB_STATUS);
  });

  test('measurementsReport of zero registers gives the fake-TDX image hash', () => {
    const report = measurementsReport(zeroMeasurements());
    assert.equal(report.image_hash, FAKE_TDX_IMAGE_HASH);
    assert.equal(report.rtmr3, '0'.repeat(96));
  });
});

// createAttestationVerifier: how policy tdx picks its quote verifier (Intel's pinned root with
// collateral, or a dev authority on a test network only), the TCB policy it applies, the loud
// dev-mode warning, and the root-contract hash check wrapped around every policy.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEV_ATTESTATION_WARNING,
  DevAttestationAuthority,
  RootHashCheckingVerifier,
  RootHashPolicy,
  SimulatedTdxProvider,
  StaticCollateralSource,
  allowedHashes,
  createAttestationVerifier,
  createAttestedCertificate,
  simulatedMeasurements,
  zeroMeasurements,
  type PeerVerifier,
  type QuoteVerifier,
  type SelfSignedCertificate,
} from '../../src/index.ts';
import { FAKE_TDX_IMAGE_HASH, VERIFY_TIME, fakeTdxCertificate, plainCertificate } from '../support/test-certificates.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const quiet = { warn: () => undefined };
const collectingLogger = (): { lines: string[]; warn: (line: string) => void } => {
  const lines: string[] = [];
  return { lines, warn: (line) => void lines.push(line) };
};
/** A quote verifier that accepts any 64-byte fake quote as measured with MRTD = 0x02… */
const stubQuoteVerifier = (): QuoteVerifier & { calls: number } => {
  const stub = {
    kind: 'stub',
    calls: 0,
    verifyQuote: async (quote: Buffer) => {
      stub.calls++;
      return { measurements: { ...zeroMeasurements(Buffer.from(quote)), mrTd: Buffer.alloc(48, 2) }, tcbStatus: 'UpToDate', advisoryIds: [] };
    },
  };
  return stub;
};

describe('createAttestationVerifier with policy tdx', () => {
  let authority: DevAttestationAuthority;
  let simulated: SelfSignedCertificate;
  before(async () => {
    authority = await DevAttestationAuthority.generate({ now: new Date('2026-02-01T00:00:00Z') });
    const provider = new SimulatedTdxProvider({ authority, measurements: simulatedMeasurements(Buffer.alloc(32, 9), { role: 'proxy' }) });
    simulated = await createAttestedCertificate({ provider, now: NOW });
  });

  test('under Intel trust it needs a collateral source or a quote verifier', () => {
    assert.throws(() => createAttestationVerifier({ policy: 'tdx', networkIsTest: true, logger: quiet }),
      { code: 'CCN_ERR_CONFIG_INVALID', param: 'collateral', message: /needs a collateral source/ });
  });

  test('under Intel trust a dev-rooted quote is refused even with the dev collateral', async () => {
    const verifier = createAttestationVerifier({ policy: 'tdx', networkIsTest: true, collateral: new StaticCollateralSource(authority.collateral), logger: quiet });
    await assert.rejects(verifier.verify({ certificateDer: simulated.certificateDer }, NOW), { code: 'CCN_ERR_ATTEST_COLLATERAL', message: /issuer chain rejected under the trusted root CA/ });
  });

  test('dev trust verifies the simulated quote on a test network, warning once per logger', async () => {
    const first = collectingLogger();
    const second = collectingLogger();
    const verifier = createAttestationVerifier({ policy: 'tdx', networkIsTest: true, trust: { devAuthority: authority }, logger: first });
    createAttestationVerifier({ policy: 'tdx', networkIsTest: true, trust: { devAuthority: authority }, logger: first });
    createAttestationVerifier({ policy: 'tdx', networkIsTest: true, trust: { devAuthority: authority }, logger: second });
    assert.deepEqual(first.lines, [DEV_ATTESTATION_WARNING]);
    assert.deepEqual(second.lines, [DEV_ATTESTATION_WARNING]);
    const peer = await verifier.verify({ certificateDer: simulated.certificateDer }, NOW);
    assert.equal(peer.policy, 'tdx');
    assert.equal(peer.tcbStatus, 'UpToDate');
    assert.deepEqual(peer.publicKey, simulated.publicKey);
  });

  test('dev trust is refused on a production network before anything is logged', () => {
    const logger = collectingLogger();
    assert.throws(() => createAttestationVerifier({ policy: 'tdx', networkIsTest: false, trust: { devAuthority: authority }, logger }),
      { code: 'CCN_ERR_CONFIG_INVALID', param: 'policy', message: /^dev attestation trust \(simulated TDX dev root\) is refused: the root contract says is_test=false/ });
    assert.deepEqual(logger.lines, []);
  });

  test('the TCB policy reaches the dev quote verifier', async () => {
    const strict = createAttestationVerifier({ policy: 'tdx', networkIsTest: true, trust: { devAuthority: authority }, tcbPolicy: { allowedStatuses: ['SWHardeningNeeded'] }, logger: quiet });
    await assert.rejects(strict.verify({ certificateDer: simulated.certificateDer }, NOW), { code: 'CCN_ERR_ATTEST_TCB_STATUS', message: /TCB status UpToDate not allowed \(allowed: SWHardeningNeeded\)/ });
  });

  test('a given quote verifier is used under either trust (shared cache)', async () => {
    const { certificateDer } = await fakeTdxCertificate();
    for (const trust of ['intel', { devAuthority: authority }] as const) {
      const stub = stubQuoteVerifier();
      const verifier = createAttestationVerifier({ policy: 'tdx', networkIsTest: true, trust, quoteVerifier: stub, logger: quiet });
      assert.equal((await verifier.verify({ certificateDer }, VERIFY_TIME)).tcbStatus, 'UpToDate');
      assert.equal(stub.calls, 1);
    }
  });
});

describe('root-contract hash check', () => {
  const stubbedTdx = (hashes: RootHashPolicy | undefined, expectedRole?: 'proxy' | 'worker'): PeerVerifier =>
    createAttestationVerifier({ policy: 'tdx', networkIsTest: true, quoteVerifier: stubQuoteVerifier(), hashes, expectedRole, logger: quiet });

  test('wraps the policy, keeping its name, and checks the role dictionary after the quote verified', async () => {
    const { certificateDer } = await fakeTdxCertificate();
    const open = await stubbedTdx(undefined).verify({ certificateDer }, VERIFY_TIME);
    const hashes = RootHashPolicy.fixed(allowedHashes({ workerHashes: [open.imageHash] }));
    const worker = stubbedTdx(hashes, 'worker');
    assert.ok(worker instanceof RootHashCheckingVerifier);
    assert.equal(worker.policy, 'tdx');
    assert.deepEqual((await worker.verify({ certificateDer }, VERIFY_TIME)).imageHash, open.imageHash);
    await assert.rejects(stubbedTdx(hashes, 'proxy').verify({ certificateDer }, VERIFY_TIME), { code: 'CCN_ERR_ATTEST_POLICY', param: 'proxy_hashes' });
  });

  test('the inner policy refuses first: a peer without a quote never reaches the hash check', async () => {
    let reads = 0;
    const counting = new RootHashPolicy(() => (reads++, allowedHashes({ workerHashes: [FAKE_TDX_IMAGE_HASH] })));
    const verifier = createAttestationVerifier({ policy: 'fake_tdx', networkIsTest: true, hashes: counting, expectedRole: 'worker', logger: quiet });
    await assert.rejects(verifier.verify({ certificateDer: (await plainCertificate()).certificateDer }, VERIFY_TIME), { code: 'CCN_ERR_ATTEST_POLICY', message: /lacks a quote/ });
    assert.equal(reads, 0);
    await verifier.verify({ certificateDer: (await fakeTdxCertificate()).certificateDer }, VERIFY_TIME);
    assert.equal(reads, 1);
  });

  test('policy any under a hash check needs the peer image in the dictionary (its empty hash is not)', async () => {
    const verifier = createAttestationVerifier({ policy: 'any', networkIsTest: false, hashes: RootHashPolicy.fixed(allowedHashes({ proxyHashes: [FAKE_TDX_IMAGE_HASH] })), expectedRole: 'proxy' });
    await assert.rejects(verifier.verify({ certificateDer: (await plainCertificate()).certificateDer }, VERIFY_TIME), { code: 'CCN_ERR_ATTEST_POLICY', message: /0{64} is not in the root contract's proxy_hashes/ });
  });

  test('an expected role without hashes checks nothing more', async () => {
    const verifier = createAttestationVerifier({ policy: 'any', networkIsTest: false, expectedRole: 'worker' });
    assert.equal((await verifier.verify({ certificateDer: (await plainCertificate()).certificateDer }, VERIFY_TIME)).policy, 'any');
  });
});

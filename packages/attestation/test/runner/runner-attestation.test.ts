/**
 * RunnerAttestation: a simulated proxy's certificate verifies under policy tdx against the dev
 * authority, with the root-contract hash checks of the expected role; dev trust is refused on a
 * production network; the own image hash is the measured one; the collateral it serves for a quote
 * (dev: the authority's, Intel: the on-disk store); misconfigurations are clear errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CocoonError} from '@cocoon/protocol';
import { createLogger } from '@cocoon/protocol';
import {
  CollateralStore, DevAttestationAuthority, RootHashPolicy, RunnerAttestation, allowedHashes, measureSimulatedRunner, type RunnerAttestationOptions,
} from '../../src/index.ts';
import { SAMPLE_COLLATERAL, SAMPLE_QUOTE, SAMPLE_TIME } from '../dcap/dcap-fixtures.ts';

const NOW = new Date('2026-11-22T00:00:00Z');

describe('RunnerAttestation', () => {
  let directory: string;
  let authorityDir: string;
  const lines: string[] = [];
  const options = (overrides: Partial<RunnerAttestationOptions>): RunnerAttestationOptions => ({
    role: 'proxy', tee: 'simulated', devAuthorityDir: authorityDir, pccsUrl: 'https://pccs.invalid', collateralDir: join(directory, 'collateral'),
    now: () => NOW, logger: createLogger('test', { write: (line) => void lines.push(line) }), ...overrides,
  });

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-runner-attestation-'));
    authorityDir = join(directory, 'authority');
    await (await DevAttestationAuthority.generate({ now: new Date('2026-11-01T00:00:00Z') })).save(authorityDir);
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  test('a simulated proxy carries its measured image hash and passes a client verifier with the root hash check', async () => {
    const proxy = await RunnerAttestation.open(options({}));
    const expected = await measureSimulatedRunner('proxy');
    assert.equal(proxy.imageHash.toString('hex'), expected.imageHash.toString('hex'));
    const client = await RunnerAttestation.open(options({ role: 'client', tee: 'none' }));
    assert.equal(client.trustName, 'dev');
    const allowed = RootHashPolicy.fixed(allowedHashes({ proxyHashes: [expected.imageHash] }));
    const verifier = client.verifier({ policy: 'tdx', expectedRole: 'proxy', hashes: allowed, networkIsTest: true });
    const peer = await verifier.verify({ certificateDer: proxy.certificate.current().certificateDer }, NOW);
    assert.equal(peer.imageHash.toString('hex'), expected.imageHash.toString('hex'));
    assert.ok(lines.some((line) => line.includes('DEV ATTESTATION')), 'dev trust is logged loudly');

    const notAllowed = client.verifier({ policy: 'tdx', expectedRole: 'proxy', hashes: RootHashPolicy.fixed(allowedHashes({})), networkIsTest: true });
    await assert.rejects(notAllowed.verify({ certificateDer: proxy.certificate.current().certificateDer }, NOW), (error: CocoonError) => {
      assert.equal(error.code, 'CCN_ERR_ATTEST_POLICY');
      assert.match(error.message, /proxy_hashes/);
      return true;
    });
    // A worker image is not a proxy image: the role's own dictionary is checked.
    const workerOnly = RootHashPolicy.fixed(allowedHashes({ workerHashes: [expected.imageHash] }));
    await assert.rejects(client.verifier({ policy: 'tdx', expectedRole: 'proxy', hashes: workerOnly, networkIsTest: true })
      .verify({ certificateDer: proxy.certificate.current().certificateDer }, NOW), /proxy_hashes/);
  });

  test('dev trust and fake_tdx are refused when the root says the network is not a test network', async () => {
    const client = await RunnerAttestation.open(options({ role: 'client', tee: 'none' }));
    assert.throws(() => client.verifier({ policy: 'tdx', networkIsTest: false }), /is_test=false/);
    assert.throws(() => client.verifier({ policy: 'fake_tdx', networkIsTest: false }), /is_test=false/);
  });

  test('a quote from another dev authority is refused', async () => {
    const otherDir = join(directory, 'other-authority');
    await (await DevAttestationAuthority.generate({ now: new Date('2026-11-01T00:00:00Z') })).save(otherDir);
    const proxy = await RunnerAttestation.open(options({ devAuthorityDir: otherDir }));
    const client = await RunnerAttestation.open(options({ role: 'client', tee: 'none' }));
    await assert.rejects(
      client.verifier({ policy: 'tdx', networkIsTest: true }).verify({ certificateDer: proxy.certificate.current().certificateDer }, NOW),
      (error: CocoonError) => error.code.startsWith('CCN_ERR_ATTEST_'),
    );
  });

  test('a fake_tdx peer is refused under policy tdx; tee none gives the all-zero image hash', async () => {
    const fake = await RunnerAttestation.open(options({ tee: 'fake_tdx', devAuthorityDir: '' }));
    const client = await RunnerAttestation.open(options({ role: 'client', tee: 'none' }));
    await assert.rejects(client.verifier({ policy: 'tdx', networkIsTest: true }).verify({ certificateDer: fake.certificate.current().certificateDer }, NOW));
    const accepted = await client.verifier({ policy: 'fake_tdx', networkIsTest: true }).verify({ certificateDer: fake.certificate.current().certificateDer }, NOW);
    assert.equal(accepted.policy, 'fake_tdx');
    assert.ok(client.imageHash.equals(Buffer.alloc(32)));
  });

  test('collateralFor: the dev authority\'s collateral under dev trust; under Intel trust the on-disk store; never for a non-TDX quote', async () => {
    const authority = await DevAttestationAuthority.load(authorityDir);
    const dev = await RunnerAttestation.open(options({ role: 'client', tee: 'none' }));
    assert.deepEqual(await dev.collateralFor(SAMPLE_QUOTE, NOW), authority.collateral);
    assert.equal(dev.authority.kind, 'dev');
    assert.deepEqual(dev.trustedRootDer, authority.rootCertificateDer);
    const collateralDir = join(directory, 'intel-collateral');
    await new CollateralStore({ directory: collateralDir }).put(SAMPLE_QUOTE, SAMPLE_COLLATERAL, SAMPLE_TIME);
    const intel = await RunnerAttestation.open(options({ role: 'client', tee: 'none', devAuthorityDir: '', collateralDir }));
    assert.deepEqual(intel.authority, { kind: 'intel', name: 'Intel SGX Root CA', sha256: intel.authority.sha256 });
    assert.deepEqual(await intel.collateralFor(new Uint8Array(SAMPLE_QUOTE), SAMPLE_TIME), SAMPLE_COLLATERAL);
    await assert.rejects(intel.collateralFor(Buffer.alloc(64), SAMPLE_TIME), { code: 'CCN_ERR_ATTEST_QUOTE_INVALID' });
    await assert.rejects(dev.collateralFor(Buffer.from('garbage'), NOW), { code: 'CCN_ERR_ATTEST_QUOTE_INVALID' });
  });

  test('misconfigurations are clear errors naming the setting', async () => {
    await assert.rejects(RunnerAttestation.open(options({ devAuthorityDir: '' })), /attestation_dev_authority_dir/);
    await assert.rejects(RunnerAttestation.open(options({ devAuthorityDir: join(directory, 'missing') })), /cannot load the dev attestation authority/);
    await assert.rejects(RunnerAttestation.open(options({ role: 'client', tee: 'simulated' })), /clients are not TEEs/);
  });
});

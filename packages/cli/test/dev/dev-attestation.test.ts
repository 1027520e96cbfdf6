/**
 * Tests for the dev network's attestation kinds (prepareDevAttestation): which tee each runner gets
 * under simulated, simulated-sev-snp and mixed, and that the dev root is asked to allow exactly the
 * images those runners attest to; `cocoon dev --tee` accepts the kinds and nothing else.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, createLogger } from '@cocoon/protocol';
import { DevAttestationAuthority, measureSimulatedRunner, measureSimulatedSevSnpRunner } from '@cocoon/attestation';
import { prepareDevAttestation } from '../../src/dev/dev-attestation.ts';
import { devCommandOptionsSchema } from '../../src/commands/dev-command.ts';

const MODEL = `test/tiny-chat@local:${'0'.repeat(64)}`;
const logger = createLogger('test', { level: 'error' });
const teeOf = (args: string[]): string | undefined => args[args.indexOf('--tee') + 1];

describe('prepareDevAttestation', () => {
  let directory: string;
  let hashes: Record<'proxyTdx' | 'proxySev' | 'workerTdx' | 'workerSev' | 'keyManagerTdx' | 'keyManagerSev', string>;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cocoon-dev-attestation-'));
    const [proxyTdx, proxySev, workerTdx, workerSev, keyManagerTdx, keyManagerSev] = await Promise.all([
      measureSimulatedRunner('proxy'), measureSimulatedSevSnpRunner('proxy'), measureSimulatedRunner('worker'), measureSimulatedSevSnpRunner('worker'),
      measureSimulatedRunner('key_manager'), measureSimulatedSevSnpRunner('key_manager'),
    ]);
    hashes = Object.fromEntries(Object.entries({ proxyTdx, proxySev, workerTdx, workerSev, keyManagerTdx, keyManagerSev })
      .map(([name, image]) => [name, image.imageHash.toString('hex')])) as typeof hashes;
  });
  after(() => rm(directory, { recursive: true, force: true }));

  test('mixed: proxy and key manager on TDX, odd workers on SEV-SNP, even on TDX; the root allows exactly those images', async () => {
    const attestation = await prepareDevAttestation({ kind: 'mixed', directory, workerModel: MODEL, workers: 3, logger });
    assert.equal(teeOf(attestation.args.proxy), 'simulated');
    assert.equal(teeOf(attestation.args['key-manager']), 'simulated');
    assert.deepEqual([0, 1, 2].map((index) => teeOf(attestation.workerArgs(index))), ['simulated-sev-snp', 'simulated', 'simulated-sev-snp']);
    assert.deepEqual(attestation.args.worker, attestation.workerArgs(0));
    for (const index of [0, 1]) assert.deepEqual(attestation.workerArgs(index).slice(2), ['--attestation-dev-authority-dir', join(directory, 'attestation'), '--proxy-policy', 'tdx']);
    assert.deepEqual(attestation.allowedHashes, { proxyImageHashes: [hashes.proxyTdx], workerImageHashes: [hashes.workerSev, hashes.workerTdx], models: [MODEL] });
    assert.equal(attestation.keyManagerImageHash, hashes.keyManagerTdx);
    const authority = await DevAttestationAuthority.load(join(directory, 'attestation'));
    assert.ok(authority.sevSnp, 'the saved authority holds the SEV-SNP chain the workers sign with');
  });

  test('mixed with one worker: only the SEV-SNP worker image is allowed', async () => {
    const attestation = await prepareDevAttestation({ kind: 'mixed', directory, workerModel: MODEL, workers: 1, logger });
    assert.deepEqual(attestation.allowedHashes?.workerImageHashes, [hashes.workerSev]);
  });

  test('simulated-sev-snp: every runner on SEV-SNP; simulated: every runner on TDX', async () => {
    const sev = await prepareDevAttestation({ kind: 'simulated-sev-snp', directory, workerModel: MODEL, logger });
    assert.deepEqual([teeOf(sev.args.proxy), teeOf(sev.args['key-manager']), teeOf(sev.workerArgs(0)), teeOf(sev.workerArgs(1))], Array(4).fill('simulated-sev-snp'));
    assert.deepEqual(sev.allowedHashes, { proxyImageHashes: [hashes.proxySev], workerImageHashes: [hashes.workerSev], models: [MODEL] });
    assert.equal(sev.keyManagerImageHash, hashes.keyManagerSev);
    const tdx = await prepareDevAttestation({ kind: 'simulated', directory, workerModel: MODEL, logger });
    assert.deepEqual(tdx.allowedHashes, { proxyImageHashes: [hashes.proxyTdx], workerImageHashes: [hashes.workerTdx], models: [MODEL] });
    assert.equal(teeOf(tdx.workerArgs(1)), 'simulated');
  });

  test('fake_tdx: no flags, no hash lists', async () => {
    const fake = await prepareDevAttestation({ kind: 'fake_tdx', directory, workerModel: MODEL, logger });
    assert.deepEqual(fake.workerArgs(0), []);
    assert.equal(fake.allowedHashes, undefined);
  });
});

describe('cocoon dev --tee', () => {
  test('accepts simulated (default), simulated-sev-snp, mixed and fake_tdx; refuses anything else naming the key', () => {
    assert.equal(loadConfig(devCommandOptionsSchema, { env: {}, envPrefix: 'COCOON_DEV_', argv: [] }).tee, 'simulated');
    for (const kind of ['simulated-sev-snp', 'mixed', 'fake_tdx']) assert.equal(loadConfig(devCommandOptionsSchema, { env: {}, envPrefix: 'COCOON_DEV_', argv: ['--tee', kind] }).tee, kind);
    assert.equal(loadConfig(devCommandOptionsSchema, { env: { COCOON_DEV_TEE: 'mixed' }, envPrefix: 'COCOON_DEV_', argv: [] }).tee, 'mixed');
    assert.throws(() => loadConfig(devCommandOptionsSchema, { env: {}, envPrefix: 'COCOON_DEV_', argv: ['--tee', 'sev-snp'] }), /tee/);
  });
});

// The dev SEV-SNP chain of a dev attestation authority (generate, save 0600, load, renew, old
// directories without it), the simulated SEV-SNP provider and measurement, and the tee factory.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, unlinkSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  computeSevSnpImageHash, createTeeProvider, DevAttestationAuthority, measureSimulatedSevSnpRunner, parseSevSnpReport, readVcekCertificate,
  SevSnpTsmProvider, SimulatedSevSnpProvider,
} from '../../src/index.ts';

describe('dev SEV-SNP authority and simulated provider', () => {
  let directory: string;
  let authority: DevAttestationAuthority;
  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-sev-'));
    authority = await DevAttestationAuthority.generate({ now: new Date('2026-04-01T00:00:00Z') });
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  test('saves the SEV-SNP chain next to the TDX one (keys 0600) and loads it back', async () => {
    const dir = join(directory, 'a');
    await authority.save(dir);
    assert.equal(statSync(join(dir, 'sev-vcek.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'sev-ark.key')).mode & 0o777, 0o600);
    const loaded = await DevAttestationAuthority.load(dir);
    assert.deepEqual(loaded.sevSnp?.pins, authority.sevSnp?.pins);
    assert.equal(loaded.sevSnp?.vcekPem, authority.sevSnp?.vcekPem);
    const vcek = readVcekCertificate(loaded.sevSnp!.vcekPem);
    assert.equal(vcek.product, 'Genoa');
    assert.match(vcek.parsed.issuer.toString('latin1'), /NOT AMD/);
  });

  test('an authority saved before SEV-SNP loads without it and gets one on renewal', async () => {
    const dir = join(directory, 'old');
    await authority.save(dir);
    for (const name of readdirSync(dir).filter((file) => file.startsWith('sev-'))) unlinkSync(join(dir, name));
    const old = await DevAttestationAuthority.load(dir);
    assert.equal(old.sevSnp, undefined);
    const renewed = await old.renewCollateral(new Date('2026-05-01T00:00:00Z'));
    assert.ok(renewed.sevSnp);
    assert.deepEqual(renewed.rootCertificateDer, old.rootCertificateDer);
  });

  test('the provider signs version-5 reports of the simulated chip with the measurement and REPORT_DATA asked for', async () => {
    const provider = new SimulatedSevSnpProvider({ authority: authority.sevSnp!, measurement: Buffer.alloc(48, 3) });
    const report = parseSevSnpReport(await provider.getReport(Buffer.alloc(64, 5)));
    assert.equal(report.version, 5);
    assert.deepEqual(report.measurement, Buffer.alloc(48, 3));
    assert.deepEqual(report.reportData, Buffer.alloc(64, 5));
    assert.equal(report.policy.debug, false);
    await assert.rejects(provider.getReport(Buffer.alloc(10)), { code: 'CCN_ERR_ATTEST_TEE_UNAVAILABLE' });
    assert.throws(() => new SimulatedSevSnpProvider({ authority: authority.sevSnp!, measurement: Buffer.alloc(32) }), { code: 'CCN_ERR_CONFIG_INVALID' });
  });

  test('the runner measurement covers the code and the role', async () => {
    const [proxy, worker] = await Promise.all([measureSimulatedSevSnpRunner('proxy'), measureSimulatedSevSnpRunner('worker')]);
    assert.equal(proxy.measurement.length, 48);
    assert.notDeepEqual(proxy.measurement, worker.measurement);
    assert.deepEqual(proxy.imageHash, computeSevSnpImageHash(proxy.measurement));
  });

  test('the tee factory builds sev-snp and simulated-sev-snp, with clear errors for missing parts', () => {
    assert.ok(createTeeProvider('sev-snp') instanceof SevSnpTsmProvider);
    assert.equal(createTeeProvider('simulated-sev-snp', { simulatedSevSnp: { authority: authority.sevSnp!, measurement: Buffer.alloc(48) } }).kind, 'simulated-sev-snp');
    assert.throws(() => createTeeProvider('simulated-sev-snp'), { code: 'CCN_ERR_CONFIG_INVALID', message: /dev attestation authority/ });
    assert.throws(() => createTeeProvider('simulated-sev-snp', { simulatedSevSnp: { authority: authority.sevSnp! } }), { code: 'CCN_ERR_CONFIG_INVALID', message: /launch measurement/ });
  });
});

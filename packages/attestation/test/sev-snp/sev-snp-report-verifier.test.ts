// The real SEV-SNP fixtures verify end to end under AMD's pinned roots (clock pinned inside their
// CRL and certificate windows), with the checks the reference makes and ours (TCB, VLEK, cache).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StaticSevPkiSource, certificatePem, readVcekCertificate } from '../../src/index.ts';
import { FIXTURE_TIME, GENOA_V5, MILAN_V2, MILAN_V3, amdReportVerifier, isCode, recordedMaterial } from './sev-snp-fixtures.ts';

describe('SEV-SNP report verification with the real fixtures', () => {
  const cases = [
    { name: 'Milan v2', fixture: MILAN_V2, product: 'Milan', version: 2, tcb: { bootLoader: 2, tee: 0, snp: 5, microcode: 68 }, debug: true, measurement: 'b07af962' },
    { name: 'Milan v3', fixture: MILAN_V3, product: 'Milan', version: 3, tcb: { bootLoader: 4, tee: 0, snp: 24, microcode: 219 }, debug: false, measurement: '195b01b7' },
    { name: 'Genoa v5', fixture: GENOA_V5, product: 'Genoa', version: 5, tcb: { bootLoader: 10, tee: 0, snp: 25, microcode: 84 }, debug: false, measurement: 'c5772901' },
  ];
  for (const { name, fixture, product, version, tcb, debug, measurement } of cases) {
    test(`${name}: signature, VCEK chain to the pinned ARK, CRL, hwID and TCB all hold`, async () => {
      const verified = await amdReportVerifier().verify(fixture.report, fixture.vcek, FIXTURE_TIME);
      assert.equal(verified.product, product);
      assert.equal(verified.report.version, version);
      assert.deepEqual(verified.reportedTcb, tcb);
      assert.equal(verified.report.policy.debug, debug);
      assert.equal(verified.trustName, 'AMD');
      assert.ok(verified.report.measurement.toString('hex').startsWith(measurement));
    });
  }

  test('the VCEK may be PEM (as the reference embeds it) or DER', async () => {
    const pem = certificatePem(readVcekCertificate(GENOA_V5.vcek).der);
    const verified = await amdReportVerifier().verify(GENOA_V5.report, pem, FIXTURE_TIME);
    assert.equal(verified.product, 'Genoa');
    await assert.rejects(amdReportVerifier().verify(GENOA_V5.report, `${pem}${pem}`, FIXTURE_TIME), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /exactly one CERTIFICATE block/));
  });

  test('ARK-first chain order (as in some published copies) is accepted', async () => {
    const swapped = recordedMaterial().map((material) => {
      const [ask, ark] = String(material.certificates[0]).match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!;
      return { ...material, certificates: [`${ark}\r\n${ask}\r\n`] };
    });
    const verified = await amdReportVerifier(new StaticSevPkiSource(swapped)).verify(MILAN_V3.report, MILAN_V3.vcek, FIXTURE_TIME);
    assert.equal(verified.product, 'Milan');
  });

  test('successes are cached; the chain is re-checked on a hit', async () => {
    const verifier = amdReportVerifier();
    await verifier.verify(MILAN_V3.report, MILAN_V3.vcek, FIXTURE_TIME);
    assert.equal(verifier.cachedReports, 1);
    const again = await verifier.verify(MILAN_V3.report, MILAN_V3.vcek, FIXTURE_TIME);
    assert.equal(again.product, 'Milan');
    await assert.rejects(verifier.verify(MILAN_V3.report, MILAN_V3.vcek, new Date('2026-10-05T00:00:00Z')), isCode('CCN_ERR_ATTEST_COLLATERAL', /stale/));
  });
});

// The SEV-SNP report parser and VCEK reader on the real fixtures, and their refusals of malformed input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeTcbVersion, encodeTcbVersion, parseSevSnpReport, productFromName, readVcekCertificate, writeSevSnpSignature, SevSnpReportOffset,
} from '../../src/index.ts';
import { GENOA_V5, MILAN_V2, MILAN_V3, isCode } from './sev-snp-fixtures.ts';

describe('parseSevSnpReport', () => {
  test('reads versions 2, 3 and 5 at the ABI offsets', () => {
    const milan = parseSevSnpReport(MILAN_V2.report);
    assert.equal(milan.version, 2);
    assert.equal(milan.policy.raw, 0xb0000n);
    assert.equal(milan.policy.debug, true);
    assert.equal(milan.cpuid, undefined);
    assert.equal(milan.reportData.subarray(0, 5).toString('hex'), '0102030405');
    assert.equal(milan.chipId.subarray(0, 8).toString('hex'), '3ac3fe21e13fb099');
    assert.deepEqual(decodeTcbVersion(milan.reportedTcb, 'v0'), { bootLoader: 2, tee: 0, snp: 5, microcode: 68 });
    const v3 = parseSevSnpReport(MILAN_V3.report);
    assert.deepEqual(v3.cpuid, { family: 0x19, model: 0x01, stepping: 1 });
    assert.equal(v3.policy.debug, false);
    const genoa = parseSevSnpReport(GENOA_V5.report);
    assert.equal(genoa.version, 5);
    assert.deepEqual(genoa.cpuid, { family: 0x19, model: 0x11, stepping: 1 });
    assert.equal(genoa.signingKey, 'vcek');
    assert.equal(genoa.signature.length, 96);
    assert.equal(genoa.measurement.subarray(0, 4).toString('hex'), 'c5772901');
  });

  test('rejects short, long and unknown-version reports and oversized signature components', () => {
    assert.throws(() => parseSevSnpReport(GENOA_V5.report.subarray(0, 1000)), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /exactly 1184 bytes, got 1000 \(truncated\)/));
    assert.throws(() => parseSevSnpReport(Buffer.concat([GENOA_V5.report, Buffer.alloc(1)])), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /got 1185/));
    for (const version of [0, 1, 6, 0xffffffff]) {
      const report = Buffer.from(GENOA_V5.report);
      report.writeUInt32LE(version, 0);
      assert.throws(() => parseSevSnpReport(report), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', new RegExp(`unsupported report version ${version}`)));
    }
    const wide = Buffer.from(GENOA_V5.report);
    wide[SevSnpReportOffset.signatureR + 60] = 1;
    assert.throws(() => parseSevSnpReport(wide), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /signature r exceeds 48 bytes/));
  });

  test('signature and TCB codecs round-trip', () => {
    const report = Buffer.from(GENOA_V5.report);
    const parsed = parseSevSnpReport(report);
    writeSevSnpSignature(report, parsed.signature);
    assert.deepEqual(report, GENOA_V5.report);
    const turin = { fmc: 3, bootLoader: 1, tee: 0, snp: 2, microcode: 71 };
    assert.deepEqual(decodeTcbVersion(encodeTcbVersion(turin, 'v1'), 'v1'), turin);
    assert.equal(encodeTcbVersion({ bootLoader: 2, tee: 0, snp: 5, microcode: 68 }, 'v0'), parseSevSnpReport(MILAN_V2.report).reportedTcb);
  });
});

describe('readVcekCertificate', () => {
  test('decodes product, TCB and hwID of real VCEKs (multi-byte INTEGER ucodeSPL 219 included)', () => {
    const milan = readVcekCertificate(MILAN_V3.vcek);
    assert.equal(milan.productName, 'Milan-B0');
    assert.equal(milan.product, 'Milan');
    assert.deepEqual(milan.tcb, { bootLoader: 4, tee: 0, snp: 24, microcode: 219 });
    assert.equal(milan.hardwareId.length, 64);
    assert.deepEqual(milan.hardwareId, parseSevSnpReport(MILAN_V3.report).chipId);
    const genoa = readVcekCertificate(GENOA_V5.vcek);
    assert.equal(genoa.productName, 'Genoa');
    assert.equal(genoa.certificate.serialNumber, '00'); // AMD VCEKs have serial 0
  });

  test('refuses garbage, a non-VCEK certificate and unknown products', () => {
    assert.throws(() => readVcekCertificate(Buffer.from('not a certificate')), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /not a valid X.509 certificate/));
    assert.throws(() => readVcekCertificate(Buffer.concat([GENOA_V5.vcek, Buffer.alloc(2)])), isCode('CCN_ERR_ATTEST_QUOTE_INVALID'));
    assert.throws(() => productFromName('Naples'), isCode('CCN_ERR_ATTEST_QUOTE_INVALID', /unknown product name "Naples"/));
    assert.equal(productFromName('Turin-B0'), 'Turin');
  });
});

// measurementsReport (§7.1): each register and the report data as lowercase hex under its own
// name, and the image hash the root contract lists (which ignores the report data).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeImageHash, measurementsReport, type TdxMeasurements } from '../../src/index.ts';

const register = (byte: number): Buffer => Buffer.alloc(48, byte);
const MEASUREMENTS: TdxMeasurements = {
  mrTd: register(1), mrConfigId: register(2), mrOwner: register(3), mrOwnerConfig: register(4),
  rtmr0: register(5), rtmr1: register(6), rtmr2: register(7), rtmr3: register(0xab),
  reportData: Buffer.alloc(64, 0xcd),
};

describe('measurementsReport', () => {
  test('names every register after the reference (lowercase hex, no prefix)', () => {
    const report = measurementsReport(MEASUREMENTS);
    assert.deepEqual(Object.keys(report), ['mrtd', 'mrconfigid', 'mrowner', 'mrownerconfig', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3', 'report_data', 'image_hash']);
    const expected = ['01', '02', '03', '04', '05', '06', '07', 'ab'].map((byte) => byte.repeat(48));
    assert.deepEqual([report.mrtd, report.mrconfigid, report.mrowner, report.mrownerconfig, report.rtmr0, report.rtmr1, report.rtmr2, report.rtmr3], expected);
    assert.equal(report.report_data, 'cd'.repeat(64));
    assert.equal(report.image_hash, computeImageHash(MEASUREMENTS).toString('hex'));
    assert.match(report.image_hash, /^[0-9a-f]{64}$/);
  });

  test('the image hash ignores the report data and follows each register', () => {
    const base = measurementsReport(MEASUREMENTS).image_hash;
    assert.equal(measurementsReport({ ...MEASUREMENTS, reportData: Buffer.alloc(64) }).image_hash, base);
    for (const name of ['mrTd', 'mrConfigId', 'mrOwner', 'mrOwnerConfig', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'] as const) {
      assert.notEqual(measurementsReport({ ...MEASUREMENTS, [name]: register(0xee) }).image_hash, base, name);
    }
  });

  test('a register of the wrong length is refused', () => {
    assert.throws(() => measurementsReport({ ...MEASUREMENTS, rtmr2: Buffer.alloc(32) }), { name: 'RangeError', message: 'measurement register must be 48 bytes' });
  });
});

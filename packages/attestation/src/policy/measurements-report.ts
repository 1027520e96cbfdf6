/**
 * Human/JSON view of TDX measurements (§7.1): every register and the report data as lowercase
 * hex, plus the image hash the root contract lists.
 */
import { computeImageHash, type TdxMeasurements } from '../verifier/image-hash.ts';

export interface MeasurementsReport {
  mrtd: string;
  mrconfigid: string;
  mrowner: string;
  mrownerconfig: string;
  rtmr0: string;
  rtmr1: string;
  rtmr2: string;
  rtmr3: string;
  report_data: string;
  image_hash: string;
}

export function measurementsReport(measurements: TdxMeasurements): MeasurementsReport {
  return {
    mrtd: measurements.mrTd.toString('hex'),
    mrconfigid: measurements.mrConfigId.toString('hex'),
    mrowner: measurements.mrOwner.toString('hex'),
    mrownerconfig: measurements.mrOwnerConfig.toString('hex'),
    rtmr0: measurements.rtmr0.toString('hex'),
    rtmr1: measurements.rtmr1.toString('hex'),
    rtmr2: measurements.rtmr2.toString('hex'),
    rtmr3: measurements.rtmr3.toString('hex'),
    report_data: measurements.reportData.toString('hex'),
    image_hash: computeImageHash(measurements).toString('hex'),
  };
}

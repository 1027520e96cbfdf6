// readQuoteReportData: the structural check a TEE's own quote passes before we trust that it
// carries our REPORTDATA (v4 and v5 offsets; non-TDX, unknown versions and short quotes refused).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { QUOTE_HEADER_LENGTH, TD_REPORT10_LENGTH, TdReportOffset, readQuoteReportData } from '../../src/index.ts';
import { OUTDATED_QUOTE, REFERENCE_QUOTE, SAMPLE_QUOTE } from '../dcap/dcap-fixtures.ts';
import { parseTdxQuote } from '../../src/index.ts';

/** Header + TD report of a given version with REPORTDATA filled with `fill`. */
function minimalQuote(version: number, fill: number, teeType = 0x81): Buffer {
  const bodyStart = QUOTE_HEADER_LENGTH + (version === 5 ? 6 : 0);
  const quote = Buffer.alloc(bodyStart + TD_REPORT10_LENGTH);
  quote.writeUInt16LE(version, 0);
  quote.writeUInt32LE(teeType, 4);
  quote.fill(fill, bodyStart + TdReportOffset.reportData, bodyStart + TdReportOffset.reportData + 64);
  return quote;
}
const invalid = (pattern: RegExp) => ({ code: 'CCN_ERR_ATTEST_QUOTE_INVALID', message: pattern });

describe('readQuoteReportData', () => {
  test('matches the parser on the recorded v4 and v5 quotes', () => {
    for (const quote of [REFERENCE_QUOTE, SAMPLE_QUOTE, OUTDATED_QUOTE]) {
      assert.deepEqual(readQuoteReportData(quote), parseTdxQuote(quote).measurements.reportData);
    }
  });

  test('reads REPORTDATA at 568 in v4 and 6 bytes later in v5, as a copy', () => {
    const v4 = minimalQuote(4, 0x44);
    assert.deepEqual(readQuoteReportData(v4), Buffer.alloc(64, 0x44));
    assert.equal(QUOTE_HEADER_LENGTH + TdReportOffset.reportData, 568);
    const v5 = Buffer.concat([minimalQuote(5, 0x55), Buffer.alloc(6)]);
    assert.deepEqual(readQuoteReportData(v5), Buffer.alloc(64, 0x55));
    const copy = readQuoteReportData(v4);
    copy.fill(0);
    assert.deepEqual(readQuoteReportData(v4), Buffer.alloc(64, 0x44), 'changing the result does not change the quote');
  });

  test('refuses a quote one byte shorter than header + TD report', () => {
    assert.throws(() => readQuoteReportData(minimalQuote(4, 1).subarray(0, 631)), invalid(/^TDX quote too short \(631 bytes\)$/));
    assert.doesNotThrow(() => readQuoteReportData(minimalQuote(4, 1)));
  });

  test('refuses a v5 quote truncated inside its shifted REPORTDATA', () => {
    assert.throws(() => readQuoteReportData(minimalQuote(5, 1).subarray(0, 637)), invalid(/^TDX quote truncated$/));
  });

  test('refuses SGX and unknown TEE types and unsupported versions', () => {
    assert.throws(() => readQuoteReportData(minimalQuote(4, 1, 0)), invalid(/TEE type is 0x0, expected TDX \(0x81\)/));
    assert.throws(() => readQuoteReportData(minimalQuote(4, 1, 0x82)), invalid(/TEE type is 0x82/));
    for (const version of [3, 6]) assert.throws(() => readQuoteReportData(minimalQuote(version, 1)), invalid(new RegExp(`unsupported TDX quote version ${version}`)));
  });
});

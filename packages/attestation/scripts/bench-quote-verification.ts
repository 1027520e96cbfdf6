/**
 * Benchmark of TDX quote verification on the recorded quotes in test/fixtures/tdx: parsing,
 * crypto-only (signature) verification, full DCAP verification without cache (cold) and a cache
 * hit. Prints one JSON line, then a small table of medians.
 * Usage: node --import tsx packages/attestation/scripts/bench-quote-verification.ts [runs]
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { measureMs } from './bench-timing.ts';
import { DcapQuoteVerifier, StaticCollateralSource, parseTdxQuote, verifyQuoteSignatureOnly, type DcapCollateral } from '../src/index.ts';

const dataFile = (name: string): URL => new URL(`../test/fixtures/tdx/${name}`, import.meta.url);
const runs = Number(process.argv[2] ?? 50);
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error('runs must be a positive integer');

const referenceQuote = readFileSync(dataFile('tdx-quote-v4-reference.dat'));
const sampleQuote = readFileSync(dataFile('tdx-quote-v4-sample.dat'));
const sampleCollateral = JSON.parse(readFileSync(dataFile('tdx-quote-v4-sample.collateral.json'), 'utf8')) as DcapCollateral;
/** Inside the sample collateral's validity window. */
const sampleTime = new Date('2025-06-19T11:16:03Z');
const referenceTime = new Date('2026-03-01T00:00:00Z');

const medianMs = (run: () => unknown) => measureMs(run, runs);

const source = new StaticCollateralSource(sampleCollateral);
const uncached = new DcapQuoteVerifier({ collateral: source, cacheSize: 0 });
const cached = new DcapQuoteVerifier({ collateral: source });
await cached.verifyQuote(sampleQuote, sampleTime);

const results = {
  parse: await medianMs(() => parseTdxQuote(sampleQuote)),
  signature_only: await medianMs(() => verifyQuoteSignatureOnly(referenceQuote, referenceTime)),
  dcap_full_cold: await medianMs(() => uncached.verifyQuote(sampleQuote, sampleTime)),
  dcap_full_cached: await medianMs(() => cached.verifyQuote(sampleQuote, sampleTime)),
};

console.log(JSON.stringify({
  benchmark: 'quote-verification', runs, node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', results,
}));
console.log('');
console.log('step                 median ms    min ms    max ms');
for (const [step, result] of Object.entries(results)) {
  console.log(`${step.padEnd(20)} ${result.median_ms.toFixed(3).padStart(9)} ${result.min_ms.toFixed(3).padStart(9)} ${result.max_ms.toFixed(3).padStart(9)}`);
}

/** Timing helper shared by the attestation benchmarks: one warm-up, then `runs` timed calls. */

export interface TimingStats {
  median_ms: number;
  p95_ms: number;
  min_ms: number;
  max_ms: number;
}

export async function measureMs(run: () => unknown, runs: number): Promise<TimingStats> {
  await run(); // warm-up (JIT, lazy ASN.1 schemas)
  const samples: number[] = [];
  for (let index = 0; index < runs; index++) {
    const start = process.hrtime.bigint();
    await run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const at = (fraction: number): number => samples[Math.min(samples.length - 1, Math.floor(fraction * samples.length))]!;
  const round = (value: number): number => Math.round(value * 1000) / 1000;
  return { median_ms: round(at(0.5)), p95_ms: round(at(0.95)), min_ms: round(samples[0]!), max_ms: round(samples[samples.length - 1]!) };
}

/**
 * Benchmark of the full secure handshake (dialSecure: TCP → PoW at low difficulty → mutual TLS 1.3 →
 * peer verification) against an in-process listenSecure server: policy `any` vs simulated-TDX
 * attestation verified under a dev root, with the verification cache empty (cold) and warm
 * (cached); plus simulated quote and attested-certificate generation. One JSON line, then a table.
 * Usage: node --import tsx packages/attestation/scripts/bench-attested-handshake.ts [runs] [powDifficulty]
 */
import os from 'node:os';
import { measureMs, type TimingStats } from './bench-timing.ts';
import {
  AnyPolicyVerifier,
  DevAttestationAuthority,
  NoTeeProvider,
  SimulatedTdxProvider,
  createAttestationVerifier,
  createAttestedCertificate,
  devQuoteVerifier,
  dialSecure,
  listenSecure,
  simulatedMeasurements,
  type PeerVerifier,
  type SecureEndpointIdentity,
} from '../src/index.ts';

const runs = Number(process.argv[2] ?? 50);
const powDifficulty = Number(process.argv[3] ?? 4);
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error('runs must be a positive integer');

const measure = (run: () => Promise<unknown>) => measureMs(run, runs);

const now = new Date();
const authority = await DevAttestationAuthority.generate({ now: new Date(now.getTime() - 3_600_000) });
const provider = new SimulatedTdxProvider({ authority, measurements: simulatedMeasurements(Buffer.alloc(32, 7), { role: 'proxy' }) });
const clientIdentity = await createAttestedCertificate({ provider: new NoTeeProvider(), now });
const plainServerIdentity = await createAttestedCertificate({ provider: new NoTeeProvider(), now });
const attestedServerIdentity = await createAttestedCertificate({ provider, now });
const silent = { warn: () => undefined };

async function handshakes(identity: SecureEndpointIdentity, verifier: () => PeerVerifier): Promise<TimingStats> {
  const server = await listenSecure({
    host: '127.0.0.1', port: 0, identity, verifier: new AnyPolicyVerifier(), powDifficulty,
    onConnection: (socket) => {
      socket.on('error', () => undefined);
      socket.destroy();
    },
  });
  try {
    return await measure(async () => {
      const { socket } = await dialSecure({ host: '127.0.0.1', port: server.port, identity: clientIdentity, verifier: verifier() });
      socket.destroy();
    });
  } finally {
    await server.close();
  }
}

const cachedVerifier = createAttestationVerifier({ policy: 'tdx', trust: { devAuthority: authority }, quoteVerifier: devQuoteVerifier(authority), networkIsTest: true, logger: silent });
const results = {
  handshake_any: await handshakes(plainServerIdentity, () => new AnyPolicyVerifier()),
  handshake_simulated_tdx_cold: await handshakes(attestedServerIdentity, () => createAttestationVerifier({
    policy: 'tdx', trust: { devAuthority: authority }, networkIsTest: true, logger: silent, // a fresh DcapQuoteVerifier: empty cache
  })),
  handshake_simulated_tdx_cached: await handshakes(attestedServerIdentity, () => cachedVerifier),
  quote_generation: await measure(() => provider.getQuote(Buffer.alloc(64, 1))),
  attested_certificate_generation: await measure(() => createAttestedCertificate({ provider, now })),
};

console.log(JSON.stringify({
  benchmark: 'attested-handshake', runs, pow_difficulty: powDifficulty, node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', results,
}));
console.log('');
console.log('step                              median ms   p95 ms    min ms    max ms');
for (const [step, result] of Object.entries(results)) {
  const cell = (value: number): string => value.toFixed(3).padStart(9);
  console.log(`${step.padEnd(33)} ${cell(result.median_ms)} ${cell(result.p95_ms)} ${cell(result.min_ms)} ${cell(result.max_ms)}`);
}

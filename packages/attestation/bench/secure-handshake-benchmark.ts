/**
 * Measures the secure transport: PoW solve time per difficulty and the full dial (TCP + PoW +
 * TLS 1.3 + verification on both sides) over loopback in one process.
 * Run: node --import tsx packages/attestation/bench/secure-handshake-benchmark.ts [connections]
 */
import { randomBytes } from 'node:crypto';
import { solvePow } from '@cocoon/protocol';
import {
  AnyPolicyVerifier,
  FakeTdxPolicyVerifier,
  FakeTdxProvider,
  NoTeeProvider,
  createAttestedCertificate,
  dialSecure,
  listenSecure,
} from '../src/index.ts';

const connections = Number(process.argv[2] ?? 200);
const percentile = (values: number[], fraction: number): number => [...values].sort((a, b) => a - b)[Math.floor(values.length * fraction)]!;

solvePow({ difficulty: 16, salt: randomBytes(16) }); // JIT warm-up
const vectorSalt = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
for (const difficulty of [16, 20]) {
  const started = performance.now();
  const nonce = solvePow({ difficulty, salt: vectorSalt });
  console.log(`PoW difficulty ${difficulty}, §17 salt: nonce ${nonce} in ${(performance.now() - started).toFixed(1)} ms`);
}
for (const difficulty of [16, 20]) {
  const timings: number[] = [];
  const hashes: bigint[] = [];
  for (let run = 0; run < 20; run++) {
    const started = performance.now();
    hashes.push(solvePow({ difficulty, salt: randomBytes(16) }) + 1n);
    timings.push(performance.now() - started);
  }
  const totalHashes = hashes.reduce((sum, value) => sum + value, 0n);
  const totalMs = timings.reduce((sum, value) => sum + value, 0);
  console.log(`PoW difficulty ${difficulty}: median ${percentile(timings, 0.5).toFixed(1)} ms over 20 random salts, ${(Number(totalHashes) / totalMs / 1000).toFixed(2)} M hashes/s`);
}

const now = new Date();
const serverIdentity = await createAttestedCertificate({ provider: new FakeTdxProvider(), now });
const clientIdentity = await createAttestedCertificate({ provider: new NoTeeProvider(), now });
for (const difficulty of [0, 8]) {
  const server = await listenSecure({
    host: '127.0.0.1', port: 0, identity: serverIdentity, verifier: new AnyPolicyVerifier(), powDifficulty: difficulty,
    onConnection: (socket) => { socket.on('error', () => undefined); socket.on('close', () => undefined); },
  });
  const timings: number[] = [];
  for (let index = 0; index < connections; index++) {
    const started = performance.now();
    const { socket } = await dialSecure({ host: '127.0.0.1', port: server.port, identity: clientIdentity, verifier: new FakeTdxPolicyVerifier() });
    timings.push(performance.now() - started);
    socket.destroy();
  }
  await server.close();
  console.log(`dialSecure (PoW difficulty ${difficulty}, ${connections} sequential): median ${percentile(timings, 0.5).toFixed(2)} ms, p90 ${percentile(timings, 0.9).toFixed(2)} ms`);
}

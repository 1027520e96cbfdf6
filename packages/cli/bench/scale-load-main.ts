/**
 * One load process of the scale benchmark, forked by the coordinator (IPC channel): `worker`
 * runs a SimulatedWorkerFleet (fake_tdx attestation, connected to every proxy), `client` runs a
 * ScaleClientLoad. The spec arrives as JSON in argv[2]; commands arrive as IPC messages
 * (`start`, `measure`, `report`, `drain`, `close`), answers go back the same way
 * (`ready`, `report`, `drained`, `failed`). Exits when the coordinator goes away.
 */
import { DEV_CLIENT_OWNER_ADDRESS, DEV_WORKER_OWNER_ADDRESS, createLogger, modelBaseName } from '@cocoon/protocol';
import { RunnerAttestation } from '@cocoon/attestation';
import { SimulatedWorkerFleet, type StreamPacing } from '@cocoon/test-support';
import { ScaleClientLoad } from './scale-client-load.ts';

export interface ScaleLoadSpec {
  role: 'worker' | 'client';
  proxies: Array<{ host: string; port: number }>;
  pacing: StreamPacing;
  model: string;
  /** worker: simulated workers in this process. */
  workers?: number;
  maxActiveRequests?: number;
  dialConcurrency?: number;
  /** client: sessions, streams in flight, ramp rate, request timeout. */
  sessions?: number;
  streams?: number;
  rampPerSecond?: number;
  requestTimeoutMs?: number;
}

export type ScaleLoadCommand = { type: 'start' | 'measure' | 'report' | 'drain' | 'close' };

const spec = JSON.parse(process.argv[2] ?? '{}') as ScaleLoadSpec;
const logger = createLogger(`bench-${spec.role}`, { level: 'warn' });
const send = (message: Record<string, unknown>): void => {
  if (process.connected) process.send?.(message);
};
const attestationFor = (role: 'worker' | 'client') => RunnerAttestation.open({
  role, tee: role === 'worker' ? 'fake_tdx' : 'none', devAuthorityDir: '', pccsUrl: '', collateralDir: '', logger, now: () => new Date(),
});

async function main(): Promise<void> {
  const attestation = await attestationFor(spec.role);
  const verifier = attestation.verifier({ policy: 'fake_tdx', expectedRole: 'proxy', networkIsTest: true });
  if (spec.role === 'worker') {
    const fleet = new SimulatedWorkerFleet({
      proxies: spec.proxies, workers: spec.workers ?? 1, identity: attestation.certificate, verifier, maxPowDifficulty: 28,
      ownerAddress: DEV_WORKER_OWNER_ADDRESS, model: spec.model, maxActiveRequests: spec.maxActiveRequests ?? 64, pacing: spec.pacing, logger,
      dialConcurrency: spec.dialConcurrency ?? 8,
    });
    process.on('message', (command: ScaleLoadCommand) => {
      if (command.type === 'report') send({ type: 'report', stats: { ...fleet.stats, rssMib: process.memoryUsage.rss() / 2 ** 20 } });
      if (command.type === 'close') {
        fleet.close();
        process.exit(0);
      }
    });
    await fleet.start();
    send({ type: 'ready', sessions: fleet.stats.readySessions });
    return;
  }
  const load = new ScaleClientLoad({
    proxies: spec.proxies, sessions: spec.sessions ?? 1, streams: spec.streams ?? 1, rampPerSecond: spec.rampPerSecond ?? 1000,
    identity: attestation.certificate, verifier, maxPowDifficulty: 28, ownerAddress: DEV_CLIENT_OWNER_ADDRESS, secret: '',
    model: modelBaseName(spec.model), pacing: spec.pacing, requestTimeoutMs: spec.requestTimeoutMs ?? 120_000, logger,
  });
  process.on('message', (command: ScaleLoadCommand) => {
    switch (command.type) {
      case 'start': return load.start();
      case 'measure': return load.measure();
      case 'report': return send({ type: 'report', report: load.report() });
      case 'drain': return void load.drain().then(() => send({ type: 'drained', report: load.report() }));
      case 'close':
        load.close();
        process.exit(0);
    }
  });
  await load.connect();
  send({ type: 'ready' });
}

process.on('disconnect', () => process.exit(0));
main().catch((error: unknown) => {
  send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
});

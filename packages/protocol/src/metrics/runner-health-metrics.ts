/**
 * Metrics every attested, chain-connected runner has, whatever its role: how many times its RA-TLS
 * certificate was refreshed (a new key and quote every hour, §7.2) and, on chain, how long ago it
 * last read the root contract (chain lag: seconds since the last successful root config read).
 */
import type { RunnerMetrics } from './runner-metrics.ts';

export interface RunnerHealthParts {
  /** Successful certificate refreshes since the runner started (generation − 1). */
  certificateRefreshes?(): number;
  /** Seconds since the root contract was last read; absent off chain (the gauge is then not declared). */
  chainSyncAgeSeconds?(): number | Promise<number>;
}

export function declareRunnerHealthMetrics(metrics: RunnerMetrics, parts: RunnerHealthParts): void {
  const { certificateRefreshes, chainSyncAgeSeconds } = parts;
  if (certificateRefreshes) {
    metrics.counterView(
      { name: 'cocoon_attestation_certificate_refreshes_total', help: 'Successful refreshes of the RA-TLS certificate (new key and quote) since the runner started.' },
      certificateRefreshes,
    );
  }
  if (chainSyncAgeSeconds) {
    metrics.gaugeView({ name: 'cocoon_chain_root_sync_age_seconds', help: 'Seconds since the root contract config was last read (chain lag).' }, chainSyncAgeSeconds);
  }
}

/**
 * The key manager's metrics (its stats port): key requests from attested proxies and workers by
 * result, on-chain key publications, and views over its key store. The key manager has no stats
 * counters of its own, so the two counters are incremented where the events happen:
 * `recordKeyRequest` after answering `keyManager.get*PrivateKeys`, `recordKeyPublication` after a
 * `root_add_public_key_signed` message was sent (or failed). Serve it with
 * `startStatsHttpServer({ …, metrics: keyManagerMetrics.metrics })`.
 */
import type { Counter } from 'prom-client';
import { declareRunnerHealthMetrics, type RunnerHealthParts } from './runner-health-metrics.ts';
import { RunnerMetrics } from './runner-metrics.ts';

export type KeyRequestPeerRole = 'proxy' | 'worker';
/** success: keys sent; refused: the peer's image is not allowed (or it is not attested); failed: anything else. */
export type KeyRequestResult = 'success' | 'refused' | 'failed';

export interface KeyManagerMetricsParts extends RunnerHealthParts {
  /** Private keys valid now. */
  validKeys(): number;
  /** Seconds until the soonest valid key expires; undefined when there is none. */
  nextKeyExpirySeconds(): number | undefined;
}

export class KeyManagerMetrics {
  readonly metrics: RunnerMetrics;
  private readonly keyRequests: Counter;
  private readonly publications: Counter;
  private attached = false;

  constructor(metrics = new RunnerMetrics()) {
    this.metrics = metrics;
    this.keyRequests = metrics.counter({ name: 'cocoon_key_manager_key_requests_total', help: 'Private key requests by peer role and result (success, refused, failed).', labelNames: ['peer_role', 'result'] });
    this.publications = metrics.counter({ name: 'cocoon_key_manager_key_publications_total', help: 'Public keys published to the root contract, by result (success, failed).', labelNames: ['result'] });
  }

  recordKeyRequest(peerRole: KeyRequestPeerRole, result: KeyRequestResult): void {
    this.keyRequests.inc({ peer_role: peerRole, result });
  }

  recordKeyPublication(result: 'success' | 'failed'): void {
    this.publications.inc({ result });
  }

  /** Declares the views over the key store (once). */
  attach(parts: KeyManagerMetricsParts): void {
    if (this.attached) return;
    this.attached = true;
    this.metrics.enableDefaultMetrics();
    this.metrics.gaugeView({ name: 'cocoon_key_manager_valid_keys', help: 'Private keys valid now.' }, () => parts.validKeys());
    this.metrics.gaugeView({ name: 'cocoon_key_manager_next_key_expiry_seconds', help: 'Seconds until the soonest valid key expires (absent with no valid key).' }, () => {
      const seconds = parts.nextKeyExpirySeconds();
      return seconds === undefined ? [] : [{ labels: {}, value: seconds }];
    });
    declareRunnerHealthMetrics(this.metrics, parts);
  }

  text(): Promise<string> {
    return this.metrics.text();
  }
}

/** The key manager's metrics on a registry of its own (the process metrics join once `attach` is called). */
export function createKeyManagerMetrics(): KeyManagerMetrics {
  return new KeyManagerMetrics(new RunnerMetrics());
}

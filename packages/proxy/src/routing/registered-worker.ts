/**
 * One registered worker connection as the proxy's router sees it (§4.4): its advertised
 * model/coefficient/limits, the requests running on it, and decaying 10-minute stats
 * (query count, successes, average query time) for selection and `/jsonstats`.
 */
import { DecayingAverage, ExponentialDecay, type MillisecondClock } from '@cocoon/protocol';

export interface WorkerRegistration {
  /** Connection id, unique in the registry. */
  id: string;
  ownerAddress: string;
  /** Model name without the `@…` suffix; what clients ask for. */
  modelBaseName: string;
  modelFullName: string;
  /** Price multiplier, 1000 = 1.0×. */
  coefficient: number;
  /** Already per proxy: `perProxyMaxActiveRequests(max_active_requests, proxy_cnt)`. */
  maxActiveRequests: number;
  enabled: boolean;
}

/** One `/jsonstats` `worker_connections[]` entry. */
export interface WorkerConnectionStats {
  owner_address: string;
  model: string;
  coefficient: number;
  running_queries: number;
  queries_10m: number;
  /** Decayed sum of query durations, seconds. */
  queries_time_10m: number;
  queries_success_10m: number;
  enabled: boolean;
}

/** A running request on a worker; `end` once when it finishes. */
export interface WorkerRequestHandle {
  readonly worker: RegisteredWorker;
  /** Records the outcome; returns false (and does nothing) if already ended. */
  end(success: boolean, durationMs: number): boolean;
}

const TEN_MINUTES_SECONDS = 600;

export class RegisteredWorker {
  readonly id: string;
  readonly ownerAddress: string;
  readonly modelBaseName: string;
  readonly modelFullName: string;
  readonly maxActiveRequests: number;
  coefficient: number;
  enabled: boolean;
  private running = 0;
  private readonly queryTimeMs: DecayingAverage;
  private readonly successes: ExponentialDecay;
  private readonly failures: ExponentialDecay;

  constructor(registration: WorkerRegistration, now: MillisecondClock) {
    this.id = registration.id;
    this.ownerAddress = registration.ownerAddress;
    this.modelBaseName = registration.modelBaseName;
    this.modelFullName = registration.modelFullName;
    this.coefficient = registration.coefficient;
    this.maxActiveRequests = registration.maxActiveRequests;
    this.enabled = registration.enabled;
    this.queryTimeMs = new DecayingAverage(now, { periodSeconds: TEN_MINUTES_SECONDS });
    this.successes = new ExponentialDecay(now, TEN_MINUTES_SECONDS);
    this.failures = new ExponentialDecay(now, TEN_MINUTES_SECONDS);
  }

  get runningRequests(): number {
    return this.running;
  }

  /** Whether the worker may take one more request (enabled and below its limit). */
  get available(): boolean {
    return this.enabled && this.running < this.maxActiveRequests;
  }

  /** Decayed 10-minute average query time in ms; 0 with no history. */
  averageQueryTimeMs(): number {
    return this.queryTimeMs.average();
  }

  /** Selection weight (§4.4): running requests × average query time. Lower is better. */
  selectionWeight(): number {
    return this.running * this.averageQueryTimeMs();
  }

  /** Counts a request as running on this worker until the handle is ended. */
  begin(): WorkerRequestHandle {
    this.running += 1;
    let ended = false;
    return {
      worker: this,
      end: (success: boolean, durationMs: number): boolean => {
        if (ended) return false;
        ended = true;
        this.running -= 1;
        this.queryTimeMs.add(Math.max(0, durationMs));
        (success ? this.successes : this.failures).add(1);
        return true;
      },
    };
  }

  /** Decayed 10-minute success rate in [0, 1]; 1 with no history (stats only). */
  successRate(): number {
    const successes = this.successes.value();
    const total = successes + this.failures.value();
    return total <= 0.1 ? 1 : successes / total;
  }

  connectionStats(): WorkerConnectionStats {
    return {
      owner_address: this.ownerAddress,
      model: this.modelFullName,
      coefficient: this.coefficient,
      running_queries: this.running,
      queries_10m: this.queryTimeMs.weight(),
      queries_time_10m: this.queryTimeMs.sum() / 1000,
      queries_success_10m: this.successes.value(),
      enabled: this.enabled,
    };
  }
}

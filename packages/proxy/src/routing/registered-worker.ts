/**
 * One registered worker connection as the proxy's router sees it (§4.4): its advertised
 * model/coefficient/limits, the negotiated protocol version and machine description (§3.3),
 * the requests running on it, and decaying 10-minute stats (query count, successes, average
 * query time) for `/jsonstats`, and the market measurements (TTFT, throughput, reliability,
 * worker-market-stats.ts) behind its market score. The model changes only by `worker.changeModel`.
 * While registered it keeps its slot in its model's WorkerSelectionIndex current on every change.
 */
import { DecayingAverage, ExponentialDecay, modelBaseName, type MillisecondClock } from '@cocoon/protocol';
import { DEFAULT_MARKET_SETTINGS, type MarketSettings } from './market-settings.ts';
import { WorkerMarketStats, type AttemptMeasurement } from './worker-market-stats.ts';
import type { WorkerSelectionIndex } from './worker-selection-index.ts';

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
  /**
   * The protocol version negotiated with this connection (§3.3). Connections always give it; without it
   * (test registrations) the worker counts as version 1, so it is never chosen for encrypted requests.
   */
  protoVersion?: number;
  /** The worker's `machine_description_json` as sent, `{}` when it sent none. */
  machineDescriptionJson?: string;
  /** What the proxy verified of the worker's certificate in the TLS handshake (`/jsonstats`, the dashboard). */
  attestation?: WorkerAttestationView;
}

/** A worker's attestation as verified at connect: the policy that accepted it, its image hash (hex), the quote's TCB status. */
export interface WorkerAttestationView {
  policy: string;
  imageHash: string;
  /** Which TEE attested it: 'tdx', 'sev-snp', or 'none' (policy any / fake_tdx: not attested). */
  tee?: string;
  tcbStatus?: string | undefined;
}

/** One `/jsonstats` `worker_connections[]` entry. */
export interface WorkerConnectionStats {
  /** Ours: the id `/request/change_worker_model` takes. */
  connection_id: string;
  owner_address: string;
  model: string;
  coefficient: number;
  running_queries: number;
  queries_10m: number;
  /** Decayed sum of query durations, seconds. */
  queries_time_10m: number;
  queries_success_10m: number;
  enabled: boolean;
  /** Ours: the negotiated protocol version. */
  proto_version: number;
  /** The worker's machine description JSON text, as the reference's field. */
  machine_description: string;
  /** Ours: the per-proxy active-request limit (load = running_queries / max_running_queries). */
  max_running_queries: number;
  /** Ours, when the registration carried the verified attestation: the accepting policy, image hash, TCB status. */
  attestation_policy?: string;
  image_hash?: string;
  tcb_status?: string;
  /** Ours: which TEE attested the worker (tdx, sev-snp; none when its policy attests nothing). */
  tee?: string;
  /** Ours (§4.4): the market measurements and the worker's current score (lower is chosen first). */
  market: WorkerMarketView;
}

/** One worker's market measurements as `/jsonstats` and `ext.getMarket` show them. */
export interface WorkerMarketView {
  /** Median of the latest first-answer times, ms; absent before any answer. */
  ttft_p50_ms?: number;
  /** Completion tokens per second of generation; absent before any measured answer. */
  tokens_per_second?: number;
  /** Decaying success rate with one prior success, in (0, 1]. */
  success_rate: number;
  /** Failed within `market_failure_cooldown_ms`: skipped while another worker is eligible. */
  cooling_down: boolean;
  /** The market score without a sort preference (§4.4). */
  score: number;
}

/** A running request on a worker; `end` once when it finishes. */
export interface WorkerRequestHandle {
  readonly worker: RegisteredWorker;
  /** Records the outcome (and what it measured, for the market score); returns false (and does nothing) if already ended. */
  end(success: boolean, durationMs: number, measurement?: AttemptMeasurement): boolean;
}

const TEN_MINUTES_SECONDS = 600;

export class RegisteredWorker {
  readonly id: string;
  readonly ownerAddress: string;
  readonly maxActiveRequests: number;
  /** The protocol version negotiated with this connection (§3.3); encrypted requests need ≥ 3. */
  readonly protoVersion: number;
  readonly machineDescriptionJson: string;
  readonly attestation: WorkerAttestationView | undefined;
  /** What the market score is computed from (§4.4). */
  readonly market: WorkerMarketStats;
  private currentCoefficient: number;
  private running = 0;
  private isEnabled: boolean;
  /** The average query time as of the market stats' last refresh (the load term's factor). */
  private cachedAverageQueryTimeMs = 0;
  /** The selection index that holds this worker (its model's, while registered) and its slot there. */
  private selectionIndex: WorkerSelectionIndex | undefined;
  private selectionSlot = -1;
  private model: { full: string; base: string };
  private readonly queryTimeMs: DecayingAverage;
  private readonly successes: ExponentialDecay;
  private readonly failures: ExponentialDecay;

  constructor(registration: WorkerRegistration, private readonly now: MillisecondClock, private readonly settings: Readonly<MarketSettings> = DEFAULT_MARKET_SETTINGS) {
    this.id = registration.id;
    this.ownerAddress = registration.ownerAddress;
    this.model = { full: registration.modelFullName, base: registration.modelBaseName };
    this.protoVersion = registration.protoVersion ?? 1;
    this.machineDescriptionJson = registration.machineDescriptionJson ?? '{}';
    this.currentCoefficient = registration.coefficient;
    this.maxActiveRequests = registration.maxActiveRequests;
    this.isEnabled = registration.enabled;
    this.attestation = registration.attestation;
    this.queryTimeMs = new DecayingAverage(now, { periodSeconds: TEN_MINUTES_SECONDS });
    this.successes = new ExponentialDecay(now, TEN_MINUTES_SECONDS);
    this.failures = new ExponentialDecay(now, TEN_MINUTES_SECONDS);
    this.market = new WorkerMarketStats(settings, now());
  }

  /** Price multiplier, 1000 = 1.0×. */
  get coefficient(): number {
    return this.currentCoefficient;
  }

  set coefficient(coefficient: number) {
    this.currentCoefficient = coefficient;
    this.market.invalidate();
    this.selectionIndex?.write(this.selectionSlot, this);
  }

  /** Whether the worker takes requests (`worker.enable`/`disable`, the admin API). */
  get enabled(): boolean {
    return this.isEnabled;
  }

  set enabled(enabled: boolean) {
    this.isEnabled = enabled;
    this.selectionIndex?.write(this.selectionSlot, this);
  }

  /** The average query time behind the load term, as of the market stats' last refresh. */
  get cachedLoadAverageQueryTimeMs(): number {
    return this.cachedAverageQueryTimeMs;
  }

  /** Called by the selection index that files this worker (the registry's, per model). */
  attachSelectionIndex(index: WorkerSelectionIndex, slot: number): void {
    this.selectionIndex = index;
    this.selectionSlot = slot;
  }

  /** Called by the selection index when it drops this worker. */
  detachSelectionIndex(index: WorkerSelectionIndex): void {
    if (this.selectionIndex !== index) return;
    this.selectionIndex = undefined;
    this.selectionSlot = -1;
  }

  /** Model name without the `@…` suffix; what clients ask for. */
  get modelBaseName(): string {
    return this.model.base;
  }

  get modelFullName(): string {
    return this.model.full;
  }

  /** After the worker answered `worker.changedModel`: serves `fullName` from now on (running requests go on). */
  changeModel(fullName: string): void {
    this.model = { full: fullName, base: modelBaseName(fullName) };
  }

  get runningRequests(): number {
    return this.running;
  }

  /** Whether the worker may take one more request (enabled and below its limit). */
  get available(): boolean {
    return this.isEnabled && this.running < this.maxActiveRequests;
  }

  /** Decayed 10-minute average query time in ms; 0 with no history. */
  averageQueryTimeMs(): number {
    return this.queryTimeMs.average();
  }

  /** The reference's selection weight: running requests × average query time (the market score's load term). */
  selectionWeight(): number {
    return this.running * this.averageQueryTimeMs();
  }

  /**
   * The market score at `now` (§4.4; lower is better): the cached price, latency, throughput and
   * reliability terms plus the live load term `running × average query time / load reference`.
   */
  marketScore(now: number): number {
    if (this.market.isStale(now)) this.cachedAverageQueryTimeMs = this.queryTimeMs.average();
    const base = this.market.baseScore(now, this.currentCoefficient);
    return base + (this.settings.loadWeight * this.running * this.cachedAverageQueryTimeMs) / this.settings.loadReferenceMs;
  }

  /** Counts a request as running on this worker until the handle is ended. */
  begin(): WorkerRequestHandle {
    this.running += 1;
    this.selectionIndex?.writeRunning(this.selectionSlot, this.running);
    let ended = false;
    return {
      worker: this,
      end: (success: boolean, durationMs: number, measurement: AttemptMeasurement = {}): boolean => {
        if (ended) return false;
        ended = true;
        this.running -= 1;
        this.queryTimeMs.add(Math.max(0, durationMs));
        (success ? this.successes : this.failures).add(1);
        this.market.record(success, Math.max(0, durationMs), measurement, this.now());
        this.selectionIndex?.write(this.selectionSlot, this);
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

  /** The market measurements and score as shown in `/jsonstats` and `ext.getMarket`. */
  marketView(): WorkerMarketView {
    const now = this.now();
    const score = this.marketScore(now);
    const ttft = this.market.ttftMs();
    const tokensPerSecond = this.market.tokensPerSecond();
    return {
      ...(ttft === undefined ? {} : { ttft_p50_ms: ttft }),
      ...(tokensPerSecond === undefined ? {} : { tokens_per_second: tokensPerSecond }),
      success_rate: this.market.successRate(),
      cooling_down: this.market.coolingDown(now),
      score,
    };
  }

  connectionStats(): WorkerConnectionStats {
    return {
      connection_id: this.id,
      owner_address: this.ownerAddress,
      model: this.modelFullName,
      coefficient: this.coefficient,
      running_queries: this.running,
      queries_10m: this.queryTimeMs.weight(),
      queries_time_10m: this.queryTimeMs.sum() / 1000,
      queries_success_10m: this.successes.value(),
      enabled: this.enabled,
      proto_version: this.protoVersion,
      machine_description: this.machineDescriptionJson,
      max_running_queries: this.maxActiveRequests,
      ...(this.attestation ? {
        attestation_policy: this.attestation.policy, image_hash: this.attestation.imageHash,
        ...(this.attestation.tcbStatus === undefined ? {} : { tcb_status: this.attestation.tcbStatus }),
        ...(this.attestation.tee === undefined ? {} : { tee: this.attestation.tee }),
      } : {}),
      market: this.marketView(),
    };
  }
}

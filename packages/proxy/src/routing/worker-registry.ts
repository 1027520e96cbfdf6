/**
 * The proxy's registry of worker connections and the worker selection rule (§4.4): the reference's
 * hard rules (skip disabled/busy/excluded workers and those below the request's minimum protocol
 * version — encrypted requests need ≥ 3, as its `choose_connection` — and keep coefficient ≤
 * max_coefficient), then the market: the lowest market score (price, measured latency and throughput,
 * load, reliability; registered-worker.ts), or under a sort preference the best price / TTFT /
 * tokens per second with the score breaking ties; workers that failed within the cooldown only when
 * no other is eligible; ties → first registered. One O(n) loop over the model's WorkerSelectionIndex
 * (plain typed-array reads of cached score terms, worker-selection-index.ts), no allocation.
 * Also the `/v1/models` view (§4.1) and `/jsonstats` `worker_connections`.
 */
import { CocoonError, type MillisecondClock } from '@cocoon/protocol';
import { RegisteredWorker, type WorkerConnectionStats, type WorkerMarketView, type WorkerRegistration } from './registered-worker.ts';
import { DEFAULT_MARKET_SETTINGS, type MarketSettings } from './market-settings.ts';
import type { MarketSort } from './routing-preferences.ts';
import { WorkerSelectionIndex, type SelectionWeights } from './worker-selection-index.ts';

/** One `/v1/models` entry: a model base name and its enabled workers, cheapest first. */
export interface ModelListing {
  id: string;
  workers: Array<{ coefficient: number; runningRequests: number; maxRunningRequests: number; market: WorkerMarketView }>;
}

/** How one selection ranks the eligible workers (§4.4). */
export interface SelectOptions {
  /** The app's `provider.sort`: the best price, TTFT or throughput first, the market score breaking ties. */
  sort?: MarketSort | undefined;
}

const NO_EXCLUSIONS: ReadonlySet<string> = new Set();

/**
 * The wire message of CCN_ERR_ROUTE_WORKERS_BUSY: the reference's `no workers for model <m>`
 * (wire code notready) plus a suffix from which a client without coded errors (§19) recovers the busy
 * code; one that negotiated them receives the code itself.
 */
function workersBusyMessage(model: string, busy: number): string {
  return `no workers for model ${model}: all ${busy} busy`;
}

/** Per-proxy share of a worker's limit: `ceil(max_active_requests / proxy_cnt)`. */
export function perProxyMaxActiveRequests(maxActiveRequests: number, proxyCount: number): number {
  return Math.ceil(maxActiveRequests / Math.max(1, proxyCount));
}

export interface WorkerRegistryOptions {
  /** Millisecond clock for the decaying stats (default `performance.now`). */
  now?: MillisecondClock;
  /** The market score's weights (default DEFAULT_MARKET_SETTINGS; the proxy config's `market_*` keys). */
  market?: Partial<MarketSettings>;
}

export class WorkerRegistry {
  /** Insertion order = registration order (the tie-break). */
  private readonly workers = new Map<string, RegisteredWorker>();
  /** Per model base name, the workers in registration order: what a selection scans. */
  private readonly byModel = new Map<string, WorkerSelectionIndex>();
  private readonly order = new Map<RegisteredWorker, number>();
  private nextOrder = 0;
  private readonly now: MillisecondClock;
  private readonly market: Readonly<MarketSettings>;
  private readonly weights: Readonly<SelectionWeights>;

  constructor(options: WorkerRegistryOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.market = Object.freeze({ ...DEFAULT_MARKET_SETTINGS, ...options.market });
    this.weights = { loadWeight: this.market.loadWeight, loadReferenceMs: this.market.loadReferenceMs, failureCooldownMs: this.market.failureCooldownMs };
  }

  /** The market settings in force. */
  get marketSettings(): Readonly<MarketSettings> {
    return this.market;
  }

  get size(): number {
    return this.workers.size;
  }

  register(registration: WorkerRegistration): RegisteredWorker {
    if (this.workers.has(registration.id)) {
      throw new CocoonError('CCN_ERR_INTERNAL', `worker connection ${registration.id} is already registered`, { param: 'id' });
    }
    const worker = new RegisteredWorker(registration, this.now, this.market);
    this.workers.set(worker.id, worker);
    this.order.set(worker, this.nextOrder++);
    this.addToModel(worker);
    return worker;
  }

  /** Removes a connection; its running request handles can still be ended. */
  unregister(id: string): boolean {
    const worker = this.workers.get(id);
    if (!worker) return false;
    this.removeFromModel(worker);
    this.order.delete(worker);
    return this.workers.delete(id);
  }

  get(id: string): RegisteredWorker | undefined {
    return this.workers.get(id);
  }

  setEnabled(id: string, enabled: boolean): void {
    this.require(id).enabled = enabled;
  }

  setCoefficient(id: string, coefficient: number): void {
    this.require(id).coefficient = coefficient;
  }

  /** The worker switched its model (`worker.changedModel`): it is listed and selected under the new one. */
  changeModel(id: string, modelFullName: string): void {
    const worker = this.require(id);
    this.removeFromModel(worker);
    worker.changeModel(modelFullName);
    this.addToModel(worker);
  }

  /** `/v1/models` (§4.1): models with at least one enabled worker, workers sorted by coefficient. */
  models(): ModelListing[] {
    const byModel = new Map<string, RegisteredWorker[]>();
    for (const worker of this.workers.values()) {
      if (!worker.enabled) continue;
      const list = byModel.get(worker.modelBaseName) ?? [];
      list.push(worker);
      byModel.set(worker.modelBaseName, list);
    }
    return [...byModel.entries()]
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
      .map(([id, workers]) => ({
        id,
        workers: workers
          .sort((left, right) => left.coefficient - right.coefficient)
          .map((worker) => ({
            coefficient: worker.coefficient, runningRequests: worker.runningRequests, maxRunningRequests: worker.maxActiveRequests, market: worker.marketView(),
          })),
      }));
  }

  /** `/jsonstats` `worker_connections`, in registration order. */
  workerConnections(): WorkerConnectionStats[] {
    return [...this.workers.values()].map((worker) => worker.connectionStats());
  }

  /**
   * Picks the worker for a request (§4.4). `exclude` holds connection ids already tried
   * (retries); `options.sort` is the app's sort preference. Throws CCN_ERR_ROUTE_UNKNOWN_MODEL (nothing registered for the model),
   * CCN_ERR_ROUTE_COEFFICIENT_TOO_LOW (available workers are all above maxCoefficient),
   * CCN_ERR_ROUTE_WORKERS_BUSY (every enabled, affordable, untried worker is at its active-query
   * limit: retry shortly) or CCN_ERR_ROUTE_NO_WORKER (all disabled, excluded or below
   * `minProtoVersion`). The busy message keeps the reference's `no workers for model` prefix, so
   * reference clients read it as before.
   */
  select(model: string, maxCoefficient: number, exclude: ReadonlySet<string> = NO_EXCLUSIONS, minProtoVersion = 0, options?: SelectOptions): RegisteredWorker {
    const index = this.byModel.get(model);
    if (!index) throw new CocoonError('CCN_ERR_ROUTE_UNKNOWN_MODEL', `unknown model ${model}`, { param: 'model' });
    const { worker, minimumCoefficientAbove, busy, tooOld } = index.select(this.now(), maxCoefficient, exclude, minProtoVersion, options?.sort);
    if (worker) return worker;
    if (minimumCoefficientAbove !== Infinity) {
      throw new CocoonError('CCN_ERR_ROUTE_COEFFICIENT_TOO_LOW', `can run this query with coefficient=${minimumCoefficientAbove}`, { param: 'max_coefficient' });
    }
    if (busy > 0) throw new CocoonError('CCN_ERR_ROUTE_WORKERS_BUSY', workersBusyMessage(model, busy), { param: 'model' });
    const versionNote = tooOld > 0 ? `: ${tooOld} enabled speak a protocol below ${minProtoVersion}` : '';
    throw new CocoonError('CCN_ERR_ROUTE_NO_WORKER', `no workers for model ${model}${versionNote}`, { param: 'model' });
  }

  /** Files the worker under its model base name, in registration order (the tie-break). */
  private addToModel(worker: RegisteredWorker): void {
    let index = this.byModel.get(worker.modelBaseName);
    if (!index) {
      index = new WorkerSelectionIndex(this.weights);
      this.byModel.set(worker.modelBaseName, index);
    }
    index.insert(worker, this.order.get(worker) ?? 0);
  }

  private removeFromModel(worker: RegisteredWorker): void {
    const index = this.byModel.get(worker.modelBaseName);
    if (!index) return;
    index.remove(worker);
    if (index.size === 0) this.byModel.delete(worker.modelBaseName);
  }

  private require(id: string): RegisteredWorker {
    const worker = this.workers.get(id);
    if (!worker) throw new CocoonError('CCN_ERR_INTERNAL', `no worker connection ${id}`, { param: 'id' });
    return worker;
  }
}

/**
 * One model's workers as worker selection scans them (§4.4 "Cost"): the workers in registration
 * order and, per worker, the numbers the hard rules and the market score read, as parallel typed
 * arrays (enabled, running, limit, protocol version, coefficient, the cached non-load score terms
 * and when they were computed, the load term's average query time, the last failure, the sort keys).
 * A worker writes its slot whenever one of them changes (begin, end, enable, coefficient).
 *
 * Fast path (nothing excluded: nearly every first attempt): tournament trees keep, among the
 * enabled workers below their limit ("live"), the lowest live score, the best (sort key, score) of
 * each sort preference, and the oldest score computation; a selection first refreshes every live
 * worker whose cached terms are stale (an outcome came in, or SCORE_REFRESH_MS passed: what
 * WorkerMarketStats would recompute), then takes the tree's best if it also passes the request's
 * own rules (protocol version, max coefficient, not cooling down): O(log n) per change, O(1) per
 * selection. Otherwise (a retry, or a best that fails a rule) one loop of plain array reads over
 * the model's workers, refreshing stale ones as it meets them. Both give the same worker.
 */
import { SCORE_REFRESH_MS } from './market-settings.ts';
import { MinSlotTree } from './min-slot-tree.ts';
import type { RegisteredWorker } from './registered-worker.ts';
import type { MarketSort } from './routing-preferences.ts';

const REFRESH_MS = SCORE_REFRESH_MS;
const INITIAL_CAPACITY = 16;

/** What one selection found: the chosen worker, or the counts behind the error it throws. */
export interface SelectionOutcome {
  worker: RegisteredWorker | undefined;
  /** The lowest coefficient above the request's maximum among available workers (Infinity: none). */
  minimumCoefficientAbove: number;
  /** Enabled, affordable, untried workers at their limit. */
  busy: number;
  /** Enabled, untried workers below the request's minimum protocol version. */
  tooOld: number;
}

/** The scan's weights: plain numbers, so the loop reads no settings object. */
export interface SelectionWeights {
  loadWeight: number;
  loadReferenceMs: number;
  failureCooldownMs: number;
}

export class WorkerSelectionIndex {
  /** Registration order = slot order (the tie-break). */
  private workers: RegisteredWorker[] = [];
  private ranks: number[] = [];
  private capacity = 0;
  private enabled = new Uint8Array(0);
  private running: Float64Array<ArrayBuffer> = new Float64Array(0);
  private maxActive: Float64Array<ArrayBuffer> = new Float64Array(0);
  private protoVersion: Float64Array<ArrayBuffer> = new Float64Array(0);
  private coefficient: Float64Array<ArrayBuffer> = new Float64Array(0);
  private baseScore: Float64Array<ArrayBuffer> = new Float64Array(0);
  private computedAt: Float64Array<ArrayBuffer> = new Float64Array(0);
  private averageQueryTimeMs: Float64Array<ArrayBuffer> = new Float64Array(0);
  private lastFailureAt: Float64Array<ArrayBuffer> = new Float64Array(0);
  private latencyKey: Float64Array<ArrayBuffer> = new Float64Array(0);
  private throughputKey: Float64Array<ArrayBuffer> = new Float64Array(0);
  /** Per slot: the live market score of an enabled worker below its limit, else +Infinity. */
  private readonly liveScores = new MinSlotTree();
  /** Per slot, for a live worker: (coefficient | TTFT key | throughput key, score) — the sort preferences' order. */
  private readonly byPrice = new MinSlotTree();
  private readonly byLatency = new MinSlotTree();
  private readonly byThroughput = new MinSlotTree();
  /** Per slot: when such a worker's cached terms were computed (-Infinity: awaiting a recompute), else +Infinity. */
  private readonly computedAtOfLive = new MinSlotTree();
  /** The latest score computation time written (the fast path needs a clock that has not gone back past it). */
  private latestComputedAt = -Infinity;
  private readonly outcome: SelectionOutcome = { worker: undefined, minimumCoefficientAbove: Infinity, busy: 0, tooOld: 0 };

  constructor(private readonly weights: Readonly<SelectionWeights>) {}

  get size(): number {
    return this.workers.length;
  }

  /** Adds a worker at its registration rank (a changed model re-files it among the others in order). */
  insert(worker: RegisteredWorker, rank: number): void {
    let at = this.workers.length;
    while (at > 0 && this.ranks[at - 1]! > rank) at -= 1;
    this.workers.splice(at, 0, worker);
    this.ranks.splice(at, 0, rank);
    this.ensureCapacity(this.workers.length);
    this.renumberFrom(at);
  }

  /** Removes a worker; false if it is not here. */
  remove(worker: RegisteredWorker): boolean {
    const at = this.workers.indexOf(worker);
    if (at < 0) return false;
    this.workers.splice(at, 1);
    this.ranks.splice(at, 1);
    worker.detachSelectionIndex(this);
    this.renumberFrom(at);
    this.place(this.workers.length, false); // the old last slot
    return true;
  }

  /** Copies a worker's current numbers into its slot (the worker calls this on every change). */
  write(slot: number, worker: RegisteredWorker): void {
    this.enabled[slot] = worker.enabled ? 1 : 0;
    this.running[slot] = worker.runningRequests;
    this.maxActive[slot] = worker.maxActiveRequests;
    this.protoVersion[slot] = worker.protoVersion;
    this.coefficient[slot] = worker.coefficient;
    this.lastFailureAt[slot] = worker.market.lastFailureMs;
    this.latencyKey[slot] = worker.market.latencyKey();
    this.throughputKey[slot] = worker.market.throughputKey();
    this.writeScore(slot, worker);
  }

  /** Only the running count changed (a request began). */
  writeRunning(slot: number, running: number): void {
    this.running[slot] = running;
    this.place(slot);
  }

  /**
   * One selection (§4.4): the hard rules, then the lowest market score (or `sort` key, the score
   * breaking ties) among the workers not cooling down, else the best cooling one; ties → first slot.
   * The returned object is reused by the next call.
   */
  select(now: number, maxCoefficient: number, exclude: ReadonlySet<string>, minProtoVersion: number, sort: MarketSort | undefined): SelectionOutcome {
    const { enabled, running, maxActive, protoVersion, coefficient, computedAt, lastFailureAt, workers } = this;
    const loadWeight = this.weights.loadWeight;
    const loadReferenceMs = this.weights.loadReferenceMs;
    const cooldownMs = this.weights.failureCooldownMs;
    const checkExclusions = exclude.size > 0;
    if (!checkExclusions && now >= this.latestComputedAt) {
      const fast = this.selectFast(now, maxCoefficient, minProtoVersion, sort);
      if (fast >= 0) return this.answer(workers[fast], Infinity, 0, 0);
    }
    const sortKeys = sort === undefined ? undefined : sort === 'price' ? coefficient : sort === 'latency' ? this.latencyKey : this.throughputKey;
    let best = -1;
    let bestKey = Infinity;
    let bestScore = Infinity;
    let cooling = -1;
    let coolingKey = Infinity;
    let coolingScore = Infinity;
    let minimumCoefficientAbove = Infinity;
    let busy = 0;
    let tooOld = 0;
    const count = workers.length;
    for (let slot = 0; slot < count; slot += 1) {
      if (enabled[slot] === 0) continue;
      if (checkExclusions && exclude.has(workers[slot]!.id)) continue;
      if (protoVersion[slot]! < minProtoVersion) {
        tooOld += 1;
        continue;
      }
      const workerCoefficient = coefficient[slot]!;
      if (running[slot]! >= maxActive[slot]!) {
        if (workerCoefficient <= maxCoefficient) busy += 1;
        continue;
      }
      if (workerCoefficient > maxCoefficient) {
        if (workerCoefficient < minimumCoefficientAbove) minimumCoefficientAbove = workerCoefficient;
        continue;
      }
      const at = computedAt[slot]!;
      if (now - at >= REFRESH_MS || now < at) this.refresh(slot, now);
      const score = this.baseScore[slot]! + (loadWeight * running[slot]! * this.averageQueryTimeMs[slot]!) / loadReferenceMs;
      const key = sortKeys === undefined ? score : sortKeys[slot]!;
      if (now - lastFailureAt[slot]! < cooldownMs) {
        if (key < coolingKey || (key === coolingKey && score < coolingScore)) {
          cooling = slot;
          coolingKey = key;
          coolingScore = score;
        }
        continue;
      }
      if (key < bestKey || (key === bestKey && score < bestScore)) {
        best = slot;
        bestKey = key;
        bestScore = score;
      }
    }
    const chosen = best >= 0 ? best : cooling;
    return this.answer(chosen >= 0 ? workers[chosen] : undefined, minimumCoefficientAbove, busy, tooOld);
  }

  /**
   * The fast path: refreshes the stale live workers (oldest first, until the oldest is fresh), then
   * returns the slot of the lowest live score if that worker passes the request's rules, else -1.
   */
  private selectFast(now: number, maxCoefficient: number, minProtoVersion: number, sort: MarketSort | undefined): number {
    const computedAtOfLive = this.computedAtOfLive;
    for (let oldest = computedAtOfLive.minimumSlot; oldest >= 0 && now - computedAtOfLive.minimum >= REFRESH_MS; oldest = computedAtOfLive.minimumSlot) {
      this.refresh(oldest, now);
    }
    const tree = sort === undefined ? this.liveScores : sort === 'price' ? this.byPrice : sort === 'latency' ? this.byLatency : this.byThroughput;
    const slot = tree.minimumSlot;
    if (slot < 0) return -1;
    if (this.protoVersion[slot]! < minProtoVersion || this.coefficient[slot]! > maxCoefficient) return -1;
    if (now - this.lastFailureAt[slot]! < this.weights.failureCooldownMs) return -1;
    return slot;
  }

  private answer(worker: RegisteredWorker | undefined, minimumCoefficientAbove: number, busy: number, tooOld: number): SelectionOutcome {
    const outcome = this.outcome;
    outcome.worker = worker;
    outcome.minimumCoefficientAbove = minimumCoefficientAbove;
    outcome.busy = busy;
    outcome.tooOld = tooOld;
    return outcome;
  }

  /** Recomputes a stale worker's cached terms at `now` (as its market score would) and stores them. */
  private refresh(slot: number, now: number): void {
    const worker = this.workers[slot]!;
    worker.marketScore(now);
    this.writeScore(slot, worker);
  }

  private writeScore(slot: number, worker: RegisteredWorker): void {
    const computedAt = worker.market.scoreComputedAt;
    this.baseScore[slot] = worker.market.cachedBaseScore;
    this.computedAt[slot] = computedAt;
    this.averageQueryTimeMs[slot] = worker.cachedLoadAverageQueryTimeMs;
    if (computedAt > this.latestComputedAt) this.latestComputedAt = computedAt;
    this.place(slot);
  }

  /** Updates the slot's entries in the fast path's trees (the same score expression as the scan's). */
  private place(slot: number, filled = true): void {
    const live = filled && this.enabled[slot] === 1 && this.running[slot]! < this.maxActive[slot]!;
    const score = this.baseScore[slot]! + (this.weights.loadWeight * this.running[slot]! * this.averageQueryTimeMs[slot]!) / this.weights.loadReferenceMs;
    this.liveScores.set(slot, live && score === score ? score : Infinity); // a NaN score never wins the scan either
    this.byPrice.set(slot, live ? this.coefficient[slot]! : Infinity, score);
    this.byLatency.set(slot, live ? this.latencyKey[slot]! : Infinity, score);
    this.byThroughput.set(slot, live ? this.throughputKey[slot]! : Infinity, score);
    this.computedAtOfLive.set(slot, live ? this.computedAt[slot]! : Infinity);
  }

  private renumberFrom(from: number): void {
    for (let slot = from; slot < this.workers.length; slot += 1) {
      const worker = this.workers[slot]!;
      worker.attachSelectionIndex(this, slot);
      this.write(slot, worker);
    }
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.capacity) return;
    const capacity = Math.max(INITIAL_CAPACITY, this.capacity * 2, needed);
    const grow = (array: Float64Array): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(capacity);
      next.set(array);
      return next;
    };
    const enabled = new Uint8Array(capacity);
    enabled.set(this.enabled);
    this.enabled = enabled;
    this.running = grow(this.running);
    this.maxActive = grow(this.maxActive);
    this.protoVersion = grow(this.protoVersion);
    this.coefficient = grow(this.coefficient);
    this.baseScore = grow(this.baseScore);
    this.computedAt = grow(this.computedAt);
    this.averageQueryTimeMs = grow(this.averageQueryTimeMs);
    this.lastFailureAt = grow(this.lastFailureAt);
    this.latencyKey = grow(this.latencyKey);
    this.throughputKey = grow(this.throughputKey);
    for (const tree of [this.liveScores, this.byPrice, this.byLatency, this.byThroughput, this.computedAtOfLive]) tree.ensureSlots(capacity);
    this.capacity = capacity;
  }
}

/**
 * What the proxy measures of one worker connection for the market score (§4.4), from the answers
 * it relays: the median of its last TTFT_WINDOW first-answer times (forwarding → first answer
 * message), its throughput (completion tokens of `final_info` over the streaming time, as decayed
 * sums), its success rate (successes and worker-caused failures with exponential decay and one
 * prior success) and when it last failed. The score's price, latency, throughput and reliability
 * terms are cached (recomputed after an outcome, or once SCORE_REFRESH_MS passed) so that a
 * selection only adds the live load term: no allocation and no exponentials per candidate.
 */
import { MAX_TERM, RELIABILITY_PRIOR_SUCCESSES, SCORE_REFRESH_MS, TTFT_WINDOW, type MarketSettings } from './market-settings.ts';

// Module-local copies: the selection loop reads these per candidate, and an imported binding can cost a getter call.
const REFRESH_MS = SCORE_REFRESH_MS;
const WINDOW = TTFT_WINDOW;
const PRIOR = RELIABILITY_PRIOR_SUCCESSES;
const TERM_CAP = MAX_TERM;

/** What one finished attempt tells about the worker. */
export interface AttemptMeasurement {
  /** Forwarding → first answer message, ms (absent: no answer came). */
  firstAnswerMs?: number;
  /** `final_info.tokens_used.completion_tokens_used` of a successful answer. */
  completionTokens?: number;
  /** Whether the whole answer was one message (then the generation time is the whole duration). */
  singleMessage?: boolean;
  /** For a failure: whether the worker caused it (default true); a cancel or a client's bad request is not its fault. */
  workerAtFault?: boolean;
}

/** Scratch space for the median (selection is single-threaded; never held across calls). */
const medianScratch = new Float64Array(WINDOW);

export class WorkerMarketStats {
  private readonly ttftSamples = new Float64Array(WINDOW);
  private ttftCount = 0;
  private ttftNext = 0;
  private ttftMedian: number | undefined;
  private tokens = 0;
  private generationSeconds = 0;
  private throughputAt: number;
  private successes = 0;
  private failures = 0;
  private reliabilityAt: number;
  private lastFailureAt = -Infinity;
  private computedAt = -Infinity;
  private dirty = true;
  private cachedBase = 0;
  private cachedRate = 1;

  constructor(private readonly settings: Readonly<MarketSettings>, now: number) {
    this.throughputAt = now;
    this.reliabilityAt = now;
  }

  /** Records a finished attempt at `now` (the registry's clock). */
  record(success: boolean, durationMs: number, measurement: AttemptMeasurement, now: number): void {
    this.dirty = true;
    if (measurement.firstAnswerMs !== undefined && measurement.firstAnswerMs >= 0) this.addTtft(measurement.firstAnswerMs);
    this.decayReliability(now);
    if (success) {
      this.successes += 1;
      const tokens = measurement.completionTokens ?? 0;
      if (tokens > 0) {
        const generationMs = measurement.singleMessage || measurement.firstAnswerMs === undefined ? durationMs : durationMs - measurement.firstAnswerMs;
        this.decayThroughput(now);
        this.tokens += tokens;
        this.generationSeconds += Math.max(1, generationMs) / 1000;
      }
    } else if (measurement.workerAtFault !== false) {
      this.failures += 1;
      this.lastFailureAt = now;
    }
  }

  /** Marks the cached terms stale (the coefficient changed). */
  invalidate(): void {
    this.dirty = true;
  }

  /** When the worker last failed (its fault), ms on the registry's clock; -Infinity if never. */
  get lastFailureMs(): number {
    return this.lastFailureAt;
  }

  /** The cached non-load score terms as last computed (see scoreComputedAt). */
  get cachedBaseScore(): number {
    return this.cachedBase;
  }

  /** When cachedBaseScore was computed; -Infinity while an outcome or coefficient change awaits a recompute. */
  get scoreComputedAt(): number {
    return this.dirty ? -Infinity : this.computedAt;
  }

  /** Whether the worker failed within the cooldown. */
  coolingDown(now: number): boolean {
    return now - this.lastFailureAt < this.settings.failureCooldownMs;
  }

  /** The median of the latest first-answer times, ms; undefined before any answer. */
  ttftMs(): number | undefined {
    return this.ttftMedian;
  }

  /** Completion tokens per second of generation; undefined before any measured answer. */
  tokensPerSecond(): number | undefined {
    return this.generationSeconds > 0 ? this.tokens / this.generationSeconds : undefined;
  }

  /** The cached success rate in (0, 1] (as of the last refresh). */
  successRate(): number {
    return this.cachedRate;
  }

  /**
   * The cached sum of the price, latency, throughput and reliability terms for `coefficient`;
   * recomputed when an outcome came in or REFRESH_MS passed (the reliability prior's recovery).
   */
  baseScore(now: number, coefficient: number): number {
    if (this.dirty || now - this.computedAt >= REFRESH_MS || now < this.computedAt) this.recompute(now, coefficient);
    return this.cachedBase;
  }

  /** Whether baseScore would recompute (callers refresh other cached inputs with it). */
  isStale(now: number): boolean {
    return this.dirty || now - this.computedAt >= REFRESH_MS || now < this.computedAt;
  }

  /** Key of sort=latency: the TTFT median, an unmeasured worker counting as the reference TTFT. */
  latencyKey(): number {
    return this.ttftMedian ?? this.settings.latencyReferenceMs;
  }

  /** Key of sort=throughput (lower is better): minus tokens per second, an unmeasured worker counting as the reference. */
  throughputKey(): number {
    return -(this.tokensPerSecond() ?? this.settings.throughputReferenceTps);
  }

  private recompute(now: number, coefficient: number): void {
    const settings = this.settings;
    this.decayReliability(now);
    this.cachedRate = (this.successes + PRIOR) / (this.successes + this.failures + PRIOR);
    const latencyTerm = Math.min(TERM_CAP, this.latencyKey() / settings.latencyReferenceMs);
    const tokensPerSecond = this.tokensPerSecond();
    const throughputTerm = tokensPerSecond === undefined ? 1 : Math.min(TERM_CAP, settings.throughputReferenceTps / Math.max(tokensPerSecond, 1e-9));
    this.cachedBase = settings.priceWeight * (coefficient / 1000)
      + settings.latencyWeight * latencyTerm
      + settings.throughputWeight * throughputTerm
      + settings.reliabilityWeight * (1 - this.cachedRate);
    this.computedAt = now;
    this.dirty = false;
  }

  private addTtft(ms: number): void {
    this.ttftSamples[this.ttftNext] = ms;
    this.ttftNext = (this.ttftNext + 1) % WINDOW;
    if (this.ttftCount < WINDOW) this.ttftCount += 1;
    this.ttftMedian = median(this.ttftSamples, this.ttftCount);
  }

  private decayReliability(now: number): void {
    const factor = decayFactor(now - this.reliabilityAt, this.settings.reliabilityHalfLifeMs);
    if (factor === 1) return;
    this.successes *= factor;
    this.failures *= factor;
    this.reliabilityAt = now;
  }

  private decayThroughput(now: number): void {
    const factor = decayFactor(now - this.throughputAt, this.settings.throughputHalfLifeMs);
    if (factor === 1) return;
    this.tokens *= factor;
    this.generationSeconds *= factor;
    this.throughputAt = now;
  }
}

/** `2^(−elapsed / halfLife)`; 1 for no (or negative) elapsed time. */
function decayFactor(elapsedMs: number, halfLifeMs: number): number {
  return elapsedMs > 0 ? Math.exp((-elapsedMs * Math.LN2) / halfLifeMs) : 1;
}

/** Median of the first `count` samples (the mean of the middle two for an even count). */
function median(samples: Float64Array, count: number): number {
  for (let index = 0; index < count; index += 1) {
    const value = samples[index]!;
    let slot = index;
    while (slot > 0 && medianScratch[slot - 1]! > value) {
      medianScratch[slot] = medianScratch[slot - 1]!;
      slot -= 1;
    }
    medianScratch[slot] = value;
  }
  const middle = count >> 1;
  return count % 2 === 1 ? medianScratch[middle]! : (medianScratch[middle - 1]! + medianScratch[middle]!) / 2;
}

/**
 * Keeps a runner's view of the root contract current (§6.9, §16): polls `readRootConfig`
 * every `intervalMs` (30–60 s), accepts only a higher root `version`, tells listeners about
 * every accepted change and, separately, about a `params_version` increase (which moves
 * every runner to new contracts, §6.7). A failed poll is logged and retried on the next
 * tick; `isStale` tells whether the last successful read is too old to serve on.
 */
import type { Address } from '@ton/core';
import { toCocoonError, type Logger } from '@cocoon/protocol';
import type { Chain } from '../chain/chain.ts';
import { readRootConfig } from './read-root-config.ts';
import type { RootConfig } from './root-state.ts';

export type RootConfigListener = (next: RootConfig, previous: RootConfig) => void | Promise<void>;

export interface RootConfigWatcherOptions {
  chain: Chain;
  rootAddress: Address;
  /** Poll period, ms (§16: 30–60 s). Default 45 000. */
  intervalMs?: number;
  logger?: Logger;
  /** Unix milliseconds. Default Date.now. */
  now?: () => number;
  /** The config already read at start (skips the first read in `open`). */
  initial?: RootConfig;
  /** Reads the root; default `readRootConfig` (tests may substitute a failing one). */
  read?: (chain: Chain, rootAddress: Address) => Promise<RootConfig>;
}

export const DEFAULT_ROOT_REFRESH_INTERVAL_MS = 45_000;

export class RootConfigWatcher {
  private config: RootConfig;
  private syncedAt: number;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<RootConfig> | undefined;
  private closed = false;
  private readonly changeListeners = new Set<RootConfigListener>();
  private readonly paramsListeners = new Set<RootConfigListener>();
  private readonly now: () => number;

  private constructor(private readonly options: RootConfigWatcherOptions, initial: RootConfig) {
    this.now = options.now ?? Date.now;
    this.config = initial;
    this.syncedAt = this.now();
  }

  /** Reads the root once (unless `initial` is given; failures throw) and returns a watcher; call `start()` to poll. */
  static async open(options: RootConfigWatcherOptions): Promise<RootConfigWatcher> {
    const initial = options.initial ?? await (options.read ?? readRootConfig)(options.chain, options.rootAddress);
    return new RootConfigWatcher(options, initial);
  }

  /** The newest accepted config. */
  get current(): RootConfig { return this.config; }

  /** Unix ms of the last successful read (accepted or not). */
  get lastSyncedAt(): number { return this.syncedAt; }

  get intervalMs(): number { return this.options.intervalMs ?? DEFAULT_ROOT_REFRESH_INTERVAL_MS; }

  /** True when the last successful read is older than `maxAgeMs`. */
  isStale(now: number = this.now(), maxAgeMs: number): boolean {
    return now - this.syncedAt > maxAgeMs;
  }

  /** Every accepted change (higher root `version`). Returns an unsubscribe function. */
  onChange(listener: RootConfigListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Accepted changes that raise `params.paramsVersion` (called after the `onChange` listeners). */
  onParamsChanged(listener: RootConfigListener): () => void {
    this.paramsListeners.add(listener);
    return () => this.paramsListeners.delete(listener);
  }

  /** Starts polling every `intervalMs` (unref'd timer). */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => { void this.poll(); }, this.intervalMs);
    this.timer.unref();
  }

  /** One poll that never throws (failures are logged); resolves with the current config. */
  async poll(): Promise<RootConfig> {
    try {
      return await this.refresh();
    } catch (error) {
      this.options.logger?.warn('root contract refresh failed; will retry', { error: toCocoonError(error, 'CCN_ERR_TON_UNAVAILABLE').message });
      return this.config;
    }
  }

  /** Reads the root now (concurrent calls share one read) and applies a higher version; read failures throw. */
  refresh(): Promise<RootConfig> {
    this.polling ??= this.refreshOnce().finally(() => { this.polling = undefined; });
    return this.polling;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async refreshOnce(): Promise<RootConfig> {
    const next = await (this.options.read ?? readRootConfig)(this.options.chain, this.options.rootAddress);
    this.syncedAt = this.now();
    const previous = this.config;
    if (this.closed || next.version <= previous.version) return previous;
    this.config = next;
    this.options.logger?.info('root config changed', {
      version: next.version, previous_version: previous.version,
      params_version: next.params.paramsVersion, previous_params_version: previous.params.paramsVersion,
    });
    await this.notify(this.changeListeners, next, previous);
    if (next.params.paramsVersion > previous.params.paramsVersion) await this.notify(this.paramsListeners, next, previous);
    return next;
  }

  private async notify(listeners: Set<RootConfigListener>, next: RootConfig, previous: RootConfig): Promise<void> {
    for (const listener of listeners) {
      try {
        await listener(next, previous);
      } catch (error) {
        this.options.logger?.error('root config listener failed', { error: toCocoonError(error).message });
      }
    }
  }
}

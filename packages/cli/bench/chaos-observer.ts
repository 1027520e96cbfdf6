/**
 * Records, over a chaos run, every signed total the client and the workers report on their
 * `/jsonstats` (§8.3): the client's `tokens_used_proxy_committed_to_blockchain` (the newest
 * proxy-signed charge) and each worker's `earned_tokens_committed_to_blockchain` (the newest
 * proxy-signed payout), per proxy contract, polled every few hundred milliseconds. A runner that is
 * down or stopped simply yields no observation for that round.
 */
import { Address } from '@ton/core';
import type { SignedTotalObservation } from '@cocoon/test-support';

export interface ChaosObserverOptions {
  /** `/jsonstats` URL of the client. */
  clientStatsUrl: string;
  /** `/jsonstats` URL of every worker, by child name. */
  workerStatsUrls: Record<string, string>;
  intervalMs: number;
  now?: () => number;
}

interface ProxyRow { proxy_sc_address?: unknown; tokens_used_proxy_committed_to_blockchain?: unknown; earned_tokens_committed_to_blockchain?: unknown }

async function proxyRows(url: string): Promise<ProxyRow[] | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1500) });
    if (!response.ok) return undefined;
    const body = await response.json() as { proxies?: unknown };
    return Array.isArray(body.proxies) ? body.proxies as ProxyRow[] : undefined;
  } catch {
    return undefined;
  }
}

function asTokens(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  return undefined;
}

/** One spelling per contract (rows may print it bounceable or not). */
function rawAddress(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return Address.parse(value).toRawString();
  } catch {
    return undefined;
  }
}

export class ChaosObserver {
  readonly observations: SignedTotalObservation[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ChaosObserverOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    const tick = (): void => {
      this.polling = this.pollOnce().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.options.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  /** One round over the client and every worker. */
  async pollOnce(): Promise<void> {
    const sources: Array<[string, string, keyof ProxyRow, boolean]> = [
      ['client', this.options.clientStatsUrl, 'tokens_used_proxy_committed_to_blockchain', false],
      ...Object.entries(this.options.workerStatsUrls).map(([name, url]): [string, string, keyof ProxyRow, boolean] => [name, url, 'earned_tokens_committed_to_blockchain', true]),
    ];
    await Promise.all(sources.map(async ([observer, url, field, durable]) => {
      const rows = await proxyRows(url);
      const at = this.now();
      for (const row of rows ?? []) {
        const tokens = asTokens(row[field]);
        const contract = rawAddress(row.proxy_sc_address);
        if (contract === undefined || tokens === undefined) continue;
        this.observations.push({ observer, contract, tokens, at, durable });
      }
    }));
  }
}

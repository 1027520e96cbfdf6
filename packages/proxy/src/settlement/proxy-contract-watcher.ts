/**
 * Follows the proxy contract's transactions on chain (§6.4–§6.7) and hands each new event
 * to the settlement, oldest first, exactly once per process (the last seen lt is kept in
 * the ledger's meta so a restart does not replay old notifications as new).
 */
import type { Address, Transaction } from '@ton/core';
import type { Logger } from '@cocoon/protocol';
import { parseProxyContractTransaction, type Chain, type ProxyContractEvent } from '@cocoon/ton';
import type { Ledger } from '../ledger/index.ts';

const LAST_LT_KEY = 'proxy_contract_last_lt';
const PAGE = 50;

export class ProxyContractWatcher {
  private lastLt = 0n;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly chain: Chain,
    private readonly address: Address,
    private readonly ledger: Ledger,
    private readonly onEvent: (event: ProxyContractEvent) => Promise<void> | void,
    private readonly logger: Logger,
  ) {}

  async restore(): Promise<void> {
    const stored = await this.ledger.getMeta(`${LAST_LT_KEY}:${this.address.toRawString()}`);
    this.lastLt = stored ? BigInt(stored) : 0n;
  }

  /** Fetches and dispatches everything newer than the last seen transaction; concurrent calls share one poll. */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => { this.polling = undefined; });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const fresh = await this.fetchNewer();
    for (const transaction of fresh) {
      const event = parseProxyContractTransaction(transaction);
      if (event) {
        try {
          await this.onEvent(event);
        } catch (error) {
          this.logger.error('proxy contract event failed', { kind: event.kind, lt: event.lt.toString(), error: error instanceof Error ? error.message : String(error) });
        }
      }
      this.lastLt = transaction.lt;
    }
    if (fresh.length > 0) await this.ledger.setMeta(`${LAST_LT_KEY}:${this.address.toRawString()}`, this.lastLt.toString());
  }

  /** New transactions, oldest first. */
  private async fetchNewer(): Promise<Transaction[]> {
    const newestFirst: Transaction[] = [];
    let cursor: { lt: bigint; hash: Buffer } | undefined;
    for (;;) {
      const page = await this.chain.getTransactions(this.address, {
        limit: PAGE, toLt: this.lastLt, ...(cursor ? { lt: cursor.lt, hash: cursor.hash } : {}),
      });
      const fresh = page.filter((transaction) => transaction.lt > this.lastLt && (!cursor || transaction.lt < cursor.lt));
      newestFirst.push(...fresh);
      const oldest = page[page.length - 1];
      if (page.length < PAGE || !oldest || oldest.lt <= this.lastLt) break;
      cursor = { lt: oldest.lt, hash: oldest.hash() };
    }
    return newestFirst.reverse();
  }
}

/**
 * The HPKE context caches that keep the per-request cost of the end-to-end encryption in the tens of
 * microseconds: the sender keeps one context (its `enc` and exported wrap secret) per recipient key
 * for up to 10 minutes; the recipient keeps the exported secret per (its key, `enc`) in a bounded
 * LRU. Per-request keys are then derived from the secret and the unique header hash (§22). Concurrent
 * requests share one setup in flight; a failed setup is not cached. `setups` counts real setups.
 */
import { hexId } from './e2e-labels.ts';
import { webCryptoHpkeSetup, type E2eHpkeSetup } from './e2e-hpke.ts';

export interface E2eHpkeSenderCacheOptions {
  setup?: E2eHpkeSetup;
  /** Milliseconds a sender context is reused (default 10 minutes). */
  maxAgeMs?: number;
  /** Recipient keys kept (default 1024; the least recently used goes first). */
  maxEntries?: number;
  now?: () => number;
}

interface SenderEntry {
  readonly createdAt: number;
  readonly context: Promise<{ enc: Uint8Array; secret: Uint8Array }>;
}

/** Sender side: one HPKE context per recipient public key. */
export class E2eHpkeSenderCache {
  private readonly setup: E2eHpkeSetup;
  private readonly maxAgeMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, SenderEntry>();
  /** HPKE sender setups performed (cache misses). */
  setups = 0;

  constructor(options: E2eHpkeSenderCacheOptions = {}) {
    this.setup = options.setup ?? webCryptoHpkeSetup;
    this.maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
    this.maxEntries = Math.max(1, options.maxEntries ?? 1024);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The context to `recipientPublicKey` (a cached one while younger than maxAgeMs). */
  context(recipientPublicKey: Uint8Array): Promise<{ enc: Uint8Array; secret: Uint8Array }> {
    const id = hexId(recipientPublicKey);
    const now = this.now();
    const cached = this.entries.get(id);
    if (cached !== undefined) {
      this.entries.delete(id);
      if (now - cached.createdAt < this.maxAgeMs && now >= cached.createdAt) {
        this.entries.set(id, cached);
        return cached.context;
      }
    }
    this.setups++;
    const context = this.setup.sender(recipientPublicKey);
    const entry: SenderEntry = { createdAt: now, context };
    this.entries.set(id, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    context.catch(() => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
    });
    return context;
  }

  /** Forgets the context to one key (e.g. after a worker refused a request sealed with it). */
  forget(recipientPublicKey: Uint8Array): void {
    this.entries.delete(hexId(recipientPublicKey));
  }
}

export interface E2eHpkeRecipientCacheOptions {
  setup?: E2eHpkeSetup;
  /** (key, enc) pairs kept (default 10 000; the least recently used goes first). */
  maxEntries?: number;
}

/** Recipient side: the exported secret per (own public key, enc). */
export class E2eHpkeRecipientCache {
  private readonly setup: E2eHpkeSetup;
  private readonly maxEntries: number;
  private readonly entries = new Map<string, Promise<Uint8Array>>();
  /** HPKE recipient setups performed (cache misses). */
  setups = 0;

  constructor(options: E2eHpkeRecipientCacheOptions = {}) {
    this.setup = options.setup ?? webCryptoHpkeSetup;
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The wrap secret of `enc` under the key pair; rejects when the setup fails (a malformed enc). */
  secret(publicKey: Uint8Array, privateKey: Uint8Array, enc: Uint8Array): Promise<Uint8Array> {
    const id = `${hexId(publicKey)}:${hexId(enc)}`;
    const cached = this.entries.get(id);
    if (cached !== undefined) {
      this.entries.delete(id);
      this.entries.set(id, cached);
      return cached;
    }
    this.setups++;
    const secret = this.setup.recipient(publicKey, privateKey, enc);
    this.entries.set(id, secret);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    secret.catch(() => {
      if (this.entries.get(id) === secret) this.entries.delete(id);
    });
    return secret;
  }

  /** Forgets every secret of one key (the key was retired). */
  forgetKey(publicKey: Uint8Array): void {
    const prefix = `${hexId(publicKey)}:`;
    for (const id of [...this.entries.keys()]) if (id.startsWith(prefix)) this.entries.delete(id);
  }
}

/**
 * What a ProxyRequest needs from the rest of the proxy: the worker registry and the live
 * worker links, the client side it answers to, accounting, stats, clock and logger.
 */
import type { EncryptionKeyRing, Logger, RequestTiming, SessionExtension, TlObject } from '@cocoon/protocol';
import type { RetryPolicy, WorkerRegistry } from '../routing/index.ts';
import type { ClientAccount, FinishedRequest } from '../billing/index.ts';
import type { LedgerTotals } from '../ledger/index.ts';
import type { ProxyRequest } from './proxy-request.ts';
import type { WorkerE2eEvidence } from '../e2e/worker-e2e-evidence.ts';

/** The proxy's side of one worker connection, as requests use it. */
export interface WorkerLink {
  attach(request: ProxyRequest): void;
  detach(request: ProxyRequest): void;
  send(message: TlObject): void;
  signedPayment(): TlObject;
  sendPayment(requestId: Buffer, requestTokens: bigint, totals: LedgerTotals, clientOwner: string): void;
  /** What the worker's session negotiated (§19); absent = none (a reference worker). */
  readonly extensions?: ReadonlySet<SessionExtension>;
  /** Pauses reading the worker's connection until the returned function is called (backpressure fallback). */
  holdReading?(): () => void;
  /** The worker's latest end-to-end key evidence (§22); absent on a session without 'e2e'. */
  readonly e2e?: WorkerE2eEvidence;
}

/** The proxy's side of one client connection, as requests use it. */
export interface ProxyRequestSink {
  readonly clientOwner: string;
  readonly account: ClientAccount;
  detached: boolean;
  /** What the client's session negotiated (§19); absent = none (a reference client). */
  readonly extensions?: ReadonlySet<SessionExtension>;
  /** The protocol version the client negotiated (§3.3); 0: it reads only the legacy non-Ex answers. Absent: ≥ 1. */
  readonly protoVersion?: number;
  /** False while the client session's socket buffer is full (its 'drain' calls ProxyRequest.onClientDrain). */
  readonly writable?: boolean;
  send(message: TlObject): void;
  sendPayment(requestId: Buffer, requestTokens: bigint, totals: LedgerTotals): void;
}

export interface ProxyAccounting {
  /** Charges the client, releases the reservation, records durably; resolves with both parties' new totals. */
  finish(request: FinishedRequest): Promise<{ client: LedgerTotals; worker: LedgerTotals }>;
}

export interface ProxyRequestStats {
  rejected(): void;
  retried(): void;
  /** `timing`: from arrival to the end, and to the first answer byte from a worker (the latency histograms). */
  finished(success: boolean, timing?: RequestTiming): void;
}

export interface ProxyRequestContext {
  registry: WorkerRegistry;
  workerLinks: Map<string, WorkerLink>;
  retryPolicy: RetryPolicy;
  accounting: ProxyAccounting;
  stats: ProxyRequestStats;
  logger: Logger;
  now: () => number;
  /** Root config version the proxy serves (0 until the TON issue). */
  configVersion: number;
  random?: (bytes: number) => Buffer;
  /** The request-encryption private keys from the key manager (proto 3: `client.runQueryEx.public_key` → `proxy.runQueryEx.private_key`). */
  keyRing?: EncryptionKeyRing;
}

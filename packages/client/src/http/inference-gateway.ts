/**
 * The port between the client's OpenAI-compatible HTTP edge and whatever carries inference
 * requests to a proxy (§4.1, §4.2, §4.7). The HTTP edge only knows these shapes; the gateway
 * speaks the COCOON protocol.
 */
import type { ProviderPreferences } from '../routing/provider-preferences.ts';

export type InferencePath = '/v1/chat/completions' | '/v1/completions';

export interface GatewayRequest {
  path: InferencePath;
  method: 'POST';
  /** Forwarded request headers: lower-case names, without hop-by-hop, host, content-length, authorization. */
  headers: Record<string, string>;
  /** The JSON body after removing the client-only fields. */
  body: Buffer;
  model: string;
  /** Default 4000. */
  maxCoefficient: number;
  /** Default 1000; max_completion_tokens wins when present (max_tokens is then deleted from the body). */
  maxTokens: number;
  /** The client's full timeout; the gateway applies 0.95× on the wire. Default 120 s. */
  timeoutMs: number;
  enableDebug: boolean;
  requestGuid?: string;
  /** Aborted when the HTTP client goes away or the request timer fires (reason: a CocoonError). */
  signal: AbortSignal;
  /** Whether the app asked for a streamed (SSE) answer (`stream: true` or `stream_options` in the body). */
  stream?: boolean;
  /** The key an encrypted request is encrypted to (§20), already checked against the network's registered keys. */
  receiverPublicKey?: Buffer;
  /** The app required end-to-end encryption (§22: `X-Cocoon-E2E: require` or `"cocoon_e2e": true`). */
  requireE2e?: boolean;
  /** The app's provider preferences (§4.4): max_price caps maxCoefficient at the network price; sort and allow_fallbacks go to a `market` proxy. */
  provider?: ProviderPreferences;
}

export interface GatewayUsage {
  totalTokens: number;
  costNanoton: bigint;
}

export interface GatewayAnswer {
  status: number;
  headers: Record<string, string>;
  /** Chunks as the worker produced them; ends when the answer is complete. */
  body: AsyncIterable<Buffer>;
  /** Resolved at the end (optional). */
  usage?: Promise<GatewayUsage | undefined>;
}

export interface GatewayWorker {
  coefficient: number;
  /** nanoTON per adjusted token at this worker, when the gateway knows the network price. */
  pricePerTokenNanoton?: number;
  runningRequests: number;
  maxRunningRequests: number;
  /** What a `market` proxy measured of the worker (ext.getMarket, §4.4); absent from a reference proxy. */
  market?: GatewayWorkerMarket;
}

/** A worker's measured latency, throughput and reliability and its market score at the proxy (§4.4). */
export interface GatewayWorkerMarket {
  /** Median of its latest first-answer times, ms (absent before any answer). */
  ttftMs?: number;
  /** Completion tokens per second (absent before any measured answer). */
  tokensPerSecond?: number;
  successRate: number;
  coolingDown: boolean;
  /** Lower is chosen first. */
  score: number;
}

export interface GatewayModel {
  id: string;
  workers: GatewayWorker[];
}

export interface InferenceGateway {
  /** Throws CocoonError. */
  run(request: GatewayRequest): Promise<GatewayAnswer>;
  listModels(signal: AbortSignal): Promise<GatewayModel[]>;
}

/** Source of the client's statistics for /jsonstats and /stats (§8.3). */
export interface ClientStatsSource {
  jsonStats(): Record<string, unknown>;
}

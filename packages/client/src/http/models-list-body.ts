/**
 * The `/v1/models` answer (§4.1): OpenAI's list shape plus each model's workers, sorted by
 * coefficient (cheapest first); models sorted by id so the answer is stable. From a proxy with the
 * `market` extension each worker also shows what the proxy measured (§4.4): `ttft_p50_ms`,
 * `tokens_per_second`, `success_rate`, `cooling_down` and `market_score`.
 */
import type { GatewayModel, GatewayWorkerMarket } from './inference-gateway.ts';

export interface ModelsListWorker {
  coefficient: number;
  /** nanoTON per adjusted token at this worker: price_per_token × coefficient / 1000 (when known). */
  price_per_token_nanoton?: number;
  running_requests: number;
  max_running_requests: number;
  /** Median of the worker's latest first-answer times at the proxy, ms (market proxies, once measured). */
  ttft_p50_ms?: number;
  /** Completion tokens per second at the proxy (market proxies, once measured). */
  tokens_per_second?: number;
  /** Decaying success rate in (0, 1] (market proxies). */
  success_rate?: number;
  /** Failed within the proxy's cooldown: tried only when no other worker is eligible (market proxies). */
  cooling_down?: boolean;
  /** The proxy's market score, lower is chosen first (market proxies). */
  market_score?: number;
}

export interface ModelsListEntry {
  id: string;
  object: 'model';
  created: 0;
  owned_by: 'cocoon';
  workers: ModelsListWorker[];
}

export interface ModelsListBody {
  object: 'list';
  data: ModelsListEntry[];
}

export function modelsListBody(models: readonly GatewayModel[]): ModelsListBody {
  const data = models
    .map((model): ModelsListEntry => ({
      id: model.id,
      object: 'model',
      created: 0,
      owned_by: 'cocoon',
      workers: [...model.workers]
        .sort((left, right) => left.coefficient - right.coefficient)
        .map((worker) => ({
          coefficient: worker.coefficient,
          ...(worker.pricePerTokenNanoton === undefined ? {} : { price_per_token_nanoton: worker.pricePerTokenNanoton }),
          running_requests: worker.runningRequests,
          max_running_requests: worker.maxRunningRequests,
          ...(worker.market ? marketFields(worker.market) : {}),
        })),
    }))
    .sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
  return { object: 'list', data };
}

function marketFields(market: GatewayWorkerMarket): Partial<ModelsListWorker> {
  return {
    ...(market.ttftMs === undefined ? {} : { ttft_p50_ms: Math.round(market.ttftMs * 10) / 10 }),
    ...(market.tokensPerSecond === undefined ? {} : { tokens_per_second: Math.round(market.tokensPerSecond * 10) / 10 }),
    success_rate: Math.round(market.successRate * 10_000) / 10_000,
    cooling_down: market.coolingDown,
    market_score: Math.round(market.score * 10_000) / 10_000,
  };
}

/**
 * `/v1/models` from a proxy with the `market` extension (§4.1, §4.4): its `ext.getMarket` answer
 * as GatewayModels — the fields of client.getWorkerTypesV2 (coefficient, price per token, load) plus
 * each worker's measured TTFT median, tokens per second, success rate, cooldown and market score.
 */
import { CocoonError } from '@cocoon/protocol';
import type { ExtMarket, ExtMarketWorker, TlObject } from '@cocoon/protocol';
import type { GatewayModel, GatewayWorker } from '../http/index.ts';

function marketWorker(worker: ExtMarketWorker, pricePerToken: bigint): GatewayWorker {
  const flags = worker.flags ?? 0;
  return {
    coefficient: worker.coefficient,
    pricePerTokenNanoton: (Number(pricePerToken) * worker.coefficient) / 1000,
    runningRequests: worker.active_requests,
    maxRunningRequests: worker.max_active_requests,
    market: {
      ...((flags & 1) !== 0 && worker.ttft_ms !== undefined ? { ttftMs: worker.ttft_ms } : {}),
      ...((flags & 2) !== 0 && worker.tokens_per_second !== undefined ? { tokensPerSecond: worker.tokens_per_second } : {}),
      successRate: worker.success_rate,
      coolingDown: worker.cooling_down,
      score: worker.score,
    },
  };
}

/** The models of an ext.market answer; anything else is CCN_ERR_PROTOCOL_VIOLATION. */
export function marketModels(result: TlObject, pricePerToken: bigint): GatewayModel[] {
  if (result._ !== 'ext.market') throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `expected ext.market, got ${result._}`);
  return (result as ExtMarket).models.map((model) => ({ id: model.name, workers: model.workers.map((worker) => marketWorker(worker, pricePerToken)) }));
}

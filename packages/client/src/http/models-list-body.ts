/**
 * The `/v1/models` answer (§4.1): OpenAI's list shape plus each model's workers, sorted by
 * coefficient (cheapest first); models sorted by id so the answer is stable.
 */
import type { GatewayModel } from './inference-gateway.ts';

export interface ModelsListWorker {
  coefficient: number;
  /** nanoTON per adjusted token at this worker: price_per_token × coefficient / 1000 (when known). */
  price_per_token_nanoton?: number;
  running_requests: number;
  max_running_requests: number;
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
        })),
    }))
    .sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
  return { object: 'list', data };
}

/**
 * The proxy's `/request/change_worker_model` operator endpoint (§8.2): parameters as the reference
 * takes them (`connection_id`, `new_model_name`; ours also in the query string or a JSON body), the
 * worker connection looked up among the live ones, `worker.changeModel` sent, and the outcome
 * reported (the reference answers "request sent" without waiting; ours waits for the worker's answer).
 */
import { CocoonError } from '@cocoon/protocol';
import type { ControlHandler } from '@cocoon/protocol';
import type { WorkerLink } from '../requests/proxy-request-context.ts';
import { CHANGE_MODEL_TIMEOUT_MS, ProxyWorkerConnection } from './proxy-worker-connection.ts';

/** `worker-7` or the bare number `7` (the reference's connection ids are integers). */
function connectionIdOf(value: string): string {
  if (/^[0-9]{1,15}$/.test(value)) return `worker-${value}`;
  if (/^worker-[0-9]{1,15}$/.test(value)) return value;
  throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'connection_id must be a worker connection id such as worker-3 (see /jsonstats worker_connections)', { param: 'connection_id' });
}

function required(parameters: URLSearchParams, name: string): string {
  const value = parameters.get(name);
  if (value === null || value === '') throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `missing ${name}`, { param: name });
  return value;
}

export function changeWorkerModelControl(workerLinks: ReadonlyMap<string, WorkerLink>, timeoutMs = CHANGE_MODEL_TIMEOUT_MS): ControlHandler {
  return async (parameters) => {
    const id = connectionIdOf(required(parameters, 'connection_id'));
    const model = required(parameters, 'new_model_name');
    const link = workerLinks.get(id);
    if (!(link instanceof ProxyWorkerConnection)) throw new CocoonError('CCN_ERR_HTTP_NOT_FOUND', `no worker connection ${id}`, { param: 'connection_id' });
    const { previous } = await link.changeModel(model, timeoutMs);
    return { connection_id: id, model, previous_model: previous, changed: true };
  };
}

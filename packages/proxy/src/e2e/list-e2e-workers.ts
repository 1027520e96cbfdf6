/**
 * The proxy's answer to `ext.getE2eWorkers{model}` (docs/protocol.md §22) and the e2e fields of
 * `/jsonstats` `worker_connections`: the enabled worker connections of a model base name that
 * announced evidence with at least one key, at most 32, those that can take a request now first,
 * then cheapest, then least loaded, then in connection order; each with its coefficient, load and
 * evidence exactly as the worker sent it (the client verifies it, never the proxy's word).
 */
import { modelBaseName } from '@cocoon/protocol';
import type { ExtE2eWorker, ExtE2eWorkers } from '@cocoon/protocol';
import type { RegisteredWorker, WorkerRegistry } from '../routing/index.ts';
import type { WorkerLink } from '../requests/proxy-request-context.ts';

/** The most workers one `ext.e2eWorkers` answer lists. */
export const MAX_LISTED_E2E_WORKERS = 32;

/** `ext.e2eWorkers` for `model` (a base name; a full `name@revision` is read as its base name). */
export function listE2eWorkers(registry: WorkerRegistry, links: ReadonlyMap<string, WorkerLink>, model: string): ExtE2eWorkers {
  const base = modelBaseName(model);
  const listed: Array<{ worker: RegisteredWorker; entry: ExtE2eWorker }> = [];
  for (const [id, link] of links) {
    const evidence = link.e2e?.evidence;
    const worker = registry.get(id);
    if (!evidence || !worker || !worker.enabled || worker.modelBaseName !== base) continue;
    listed.push({
      worker,
      entry: { _: 'ext.e2eWorker', coefficient: worker.coefficient, active_requests: worker.runningRequests, max_active_requests: worker.maxActiveRequests, evidence },
    });
  }
  listed.sort((left, right) => Number(right.worker.available) - Number(left.worker.available)
    || left.worker.coefficient - right.worker.coefficient
    || load(left.worker) - load(right.worker));
  return { _: 'ext.e2eWorkers', workers: listed.slice(0, MAX_LISTED_E2E_WORKERS).map(({ entry }) => entry) };
}

function load(worker: RegisteredWorker): number {
  return worker.runningRequests / Math.max(1, worker.maxActiveRequests);
}

/** `/jsonstats` per worker connection: whether it announced e2e keys, and how many (no key material). */
export interface E2eConnectionStats {
  e2e: boolean;
  e2e_keys: number;
}

/** The e2e view of each worker connection, by connection id (for ProxyStats). */
export function e2eConnectionStats(links: ReadonlyMap<string, WorkerLink>): (connectionId: string) => E2eConnectionStats {
  return (connectionId) => {
    const keys = links.get(connectionId)?.e2e?.keyCount ?? 0;
    return { e2e: keys > 0, e2e_keys: keys };
  };
}

/**
 * `GET {base}/v1/e2e/workers?model=M` of the client runner: the proxy's list of end-to-end workers
 * for a model (its order: eligible, cheapest and least loaded first), each with the worker's evidence
 * as base64 of the boxed ext.e2eEvidence, and the trust the runner reads from the root. Nothing in it
 * is trusted here: the evidence goes to the E2eEvidenceVerifier. A runner without the endpoint (404)
 * or an empty list means there is no end-to-end path for the model; another refusal (an Origin or
 * Host check, no proxy) is thrown with its code.
 */
import { CocoonError, decodeE2eBoxed, fromBase64OrUndefined } from '@cocoon/protocol/browser';
import type { ExtE2eWorker } from '@cocoon/protocol/browser';
import { errorFromAnswer } from './cocoon-request-error.ts';

export interface E2eWorkersTrust {
  is_test: boolean;
  hashes_checked: boolean;
  worker_hashes: string[];
  model_hashes: string[];
}

export interface E2eWorkersListing {
  workers: ExtE2eWorker[];
  /** What the runner reports of the root's allow-lists (undefined when it sent none). */
  trust: E2eWorkersTrust | undefined;
  /** Listed workers whose evidence does not even decode (counted as refused evidence). */
  malformed: CocoonError[];
  /** Why there is no end-to-end path, when nothing is listed. */
  unavailable?: string;
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0x7fff_ffff ? value : 0);

function readTrust(value: unknown): E2eWorkersTrust | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const trust = value as Record<string, unknown>;
  const hexList = (list: unknown): string[] => (Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string' && /^[0-9a-fA-F]{64}$/.test(item)).map((item) => item.toLowerCase()) : []);
  return { is_test: trust.is_test === true, hashes_checked: trust.hashes_checked === true, worker_hashes: hexList(trust.worker_hashes), model_hashes: hexList(trust.model_hashes) };
}

export async function fetchE2eWorkers(fetchImpl: typeof fetch, base: string, model: string, signal: AbortSignal | undefined): Promise<E2eWorkersListing> {
  let response: Response;
  try {
    response = await fetchImpl(`${base}/v1/e2e/workers?model=${encodeURIComponent(model)}`, { headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted) throw new CocoonError('CCN_ERR_CANCELLED', 'the request was aborted', { cause: error });
    throw new CocoonError('CCN_ERR_E2E_UNAVAILABLE', `no client runner answers at ${base} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const text = await response.text();
  if (response.status === 404 && !text.includes('CCN_ERR_E2E')) return { workers: [], malformed: [], trust: undefined, unavailable: `the client runner at ${base} has no end-to-end endpoint` };
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CocoonError('CCN_ERR_E2E_UNAVAILABLE', `the client runner at ${base} answered HTTP ${response.status} without JSON to /v1/e2e/workers`);
  }
  if (!response.ok) {
    const refusal = errorFromAnswer('relay', response.status, text);
    if (!refusal.code.startsWith('CCN_ERR_E2E_') && refusal.code !== 'CCN_ERR_HTTP_NOT_FOUND') throw refusal; // e.g. an Origin or Host refusal, or no proxy: not a missing e2e path
    const error = body.error as { message?: unknown } | undefined;
    return { workers: [], malformed: [], trust: undefined, unavailable: `the client runner lists no end-to-end workers (HTTP ${response.status}: ${typeof error?.message === 'string' ? error.message : 'no message'})` };
  }
  const listed = Array.isArray(body.workers) ? body.workers as Array<Record<string, unknown>> : [];
  const workers: ExtE2eWorker[] = [];
  const malformed: CocoonError[] = [];
  for (const entry of listed) {
    const bytes = typeof entry.evidence === 'string' ? fromBase64OrUndefined(entry.evidence) : undefined;
    if (!bytes) {
      malformed.push(new CocoonError('CCN_ERR_E2E_EVIDENCE_INVALID', 'a listed worker has no base64 evidence'));
      continue;
    }
    let evidence;
    try {
      evidence = decodeE2eBoxed(bytes, 'CCN_ERR_E2E_EVIDENCE_INVALID', 'listed worker evidence', 'ext.e2eEvidence');
    } catch (error) {
      malformed.push(error as CocoonError);
      continue;
    }
    workers.push({ _: 'ext.e2eWorker', coefficient: count(entry.coefficient), active_requests: count(entry.active_requests), max_active_requests: count(entry.max_active_requests), evidence });
  }
  return { workers, malformed, trust: readTrust(body.trust), ...(listed.length === 0 ? { unavailable: `no end-to-end worker serves ${model}` } : {}) };
}

/**
 * How the proxy routes one end-to-end request (docs/protocol.md §22): a `client.runQueryEx` whose
 * query is an `ext.e2eRequest`, on a client session that negotiated 'e2e'. Only the clear header and
 * the recipient keys are read (readE2eRequestRouting); the sealed body is never decoded, logged or
 * stored. Candidates are the worker connections whose latest evidence lists a recipient key; the
 * rest are excluded from selection, so the registry's own rule (and retry/failover) picks among them.
 * No candidate left ⇒ CCN_ERR_E2E_NO_RECIPIENT (503, retryable).
 */
import { CocoonError, isE2eRequestBytes, readE2eRequestRouting } from '@cocoon/protocol';
import type { ExtE2eReceipt, SessionExtension, TlObject } from '@cocoon/protocol';
import type { WorkerLink } from '../requests/proxy-request-context.ts';

/** An e2e request's routing: the hex HPKE public keys it was sealed to. */
export interface E2eRoute {
  readonly recipients: ReadonlySet<string>;
}

/**
 * The route of an e2e request, or undefined for any other query (clear or proto-3 encrypted).
 * Throws CCN_ERR_E2E_NO_RECIPIENT on a session without 'e2e', CCN_ERR_E2E_REQUEST_INVALID when the
 * envelope is malformed or its header names another model than `model_name`.
 */
export function e2eRouteOf(query: Buffer, modelName: string, extensions: ReadonlySet<SessionExtension> | undefined): E2eRoute | undefined {
  if (!isE2eRequestBytes(query)) return undefined;
  if (!extensions?.has('e2e')) {
    throw new CocoonError('CCN_ERR_E2E_NO_RECIPIENT', 'an end-to-end request needs a client session that negotiated e2e', { param: 'query' });
  }
  const { header, recipientKeys } = readE2eRequestRouting(query);
  if (header.model !== modelName) {
    throw new CocoonError('CCN_ERR_E2E_REQUEST_INVALID', `the end-to-end header names model ${header.model}, the request ${modelName}`, { param: 'model_name' });
  }
  const recipients = new Set(recipientKeys.map((key) => Buffer.from(key).toString('hex')));
  if (recipients.size === 0) throw new CocoonError('CCN_ERR_E2E_REQUEST_INVALID', 'the end-to-end request names no recipient', { param: 'query' });
  return { recipients };
}

/** `tried` plus every worker connection whose evidence lists none of the route's keys (reference workers included). */
export function excludeNonRecipients(tried: ReadonlySet<string>, route: E2eRoute, links: ReadonlyMap<string, WorkerLink>): Set<string> {
  const exclude = new Set(tried);
  for (const [id, link] of links) if (!link.e2e?.holdsAnyKey(route.recipients)) exclude.add(id);
  return exclude;
}

/** "No worker" for an e2e request (none of the model, or none holding a recipient key) is CCN_ERR_E2E_NO_RECIPIENT. */
export function e2eRoutingError(error: unknown, model: string): unknown {
  if (!(error instanceof CocoonError) || (error.code !== 'CCN_ERR_ROUTE_UNKNOWN_MODEL' && error.code !== 'CCN_ERR_ROUTE_NO_WORKER')) return error;
  return new CocoonError('CCN_ERR_E2E_NO_RECIPIENT', `no connected worker for model ${model} holds a recipient key of this request`, { param: 'model' });
}

/** The worker's receipt as the client receives it: the client's request id, the signed receipt unchanged. */
export function clientReceipt(fromWorker: ExtE2eReceipt, clientRequestId: Buffer): TlObject {
  return { _: 'ext.e2eReceipt', request_id: clientRequestId, receipt: fromWorker.receipt };
}

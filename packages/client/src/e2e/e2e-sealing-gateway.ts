/**
 * Runner-sealing (§22): an InferenceGateway in front of the protocol gateway. A request that requires
 * end-to-end encryption — config `require_e2e`, header `X-Cocoon-E2E: require` or body `"cocoon_e2e": true`
 * — is sealed here to up to `e2e_max_recipients` keys of workers whose evidence verified (never the
 * proxy's word), sent opaquely, and its answer opened and its receipt checked (E2eSealedAnswer). When no
 * end-to-end path exists (no proxy session with `e2e`, no verified e2e worker for the model) the policy
 * decides: `e2e_fallback: "refuse"` answers CCN_ERR_E2E_UNAVAILABLE; `"proto3"` sends the request with the
 * reference's proto-3 encryption (§20) to a registered network key when one exists (Proto3Fallback), else
 * refuses. Once E2E was required, a request never goes out in plaintext. Other requests pass through.
 */
import { CocoonError, isCocoonError, readE2eRequestRouting } from '@cocoon/protocol';
import type { E2eRequestSession } from '@cocoon/protocol';
import type { GatewayAnswer, GatewayModel, GatewayRequest, InferenceGateway } from '../http/index.ts';
import type { E2eClient } from './e2e-client.ts';
import { E2eSealedAnswer } from './e2e-sealed-answer.ts';
import type { Proto3Fallback } from './proto3-fallback.ts';

export type E2eFallbackPolicy = 'refuse' | 'proto3';

export interface E2eSealingGatewayOptions {
  inner: InferenceGateway;
  e2e: E2eClient;
  /** Verifies evidence, picks recipients (maxRecipients), seals. */
  session: E2eRequestSession;
  requireE2e: boolean;
  fallback: E2eFallbackPolicy;
  /** The proto-3 path for `fallback: "proto3"`; without it that policy refuses too. */
  proto3?: Proto3Fallback;
}

/** Errors that mean "no end-to-end path for this request" (the fallback policy applies), not a failed request. */
const NO_PATH = new Set<string>(['CCN_ERR_E2E_UNAVAILABLE', 'CCN_ERR_E2E_NO_RECIPIENT', 'CCN_ERR_E2E_EVIDENCE_INVALID']);

export class E2eSealingGateway implements InferenceGateway {
  constructor(private readonly options: E2eSealingGatewayOptions) {}

  async run(request: GatewayRequest): Promise<GatewayAnswer> {
    if (!this.options.requireE2e && request.requireE2e !== true) return this.options.inner.run(request);
    if (request.receiverPublicKey) return this.fallback(request, 'the app encrypted the request to a network key itself (proto 3)');
    const { e2e, session } = this.options;
    let started;
    try {
      const connection = e2e.connection();
      const workers = await e2e.listedWorkers(connection, request.model);
      const exchange = await session.start({
        httpRequest: { method: request.method, url: request.path, headers: sealedHeaders(request.headers), payload: request.body },
        model: request.model, maxTokens: request.maxTokens, maxCoefficient: request.maxCoefficient, timeoutMs: request.timeoutMs, workers,
      });
      started = { connection, exchange };
    } catch (error) {
      if (isCocoonError(error) && NO_PATH.has(error.code)) return this.fallback(request, error.message);
      throw error;
    }
    if (request.signal.aborted) throw request.signal.reason as Error;
    const { connection, exchange } = started;
    const answer = new E2eSealedAnswer(exchange, e2e, request.stream === true, e2e.now());
    const { header } = readE2eRequestRouting(exchange.sealed.bytes);
    answer.listener = await e2e.send(connection, { bytes: exchange.sealed.bytes, header, requestHash: exchange.sealed.requestHash, mode: 'sealed' }, answer);
    const listener = answer.listener;
    if (request.signal.aborted) listener.abort(request.signal.reason as Error);
    else request.signal.addEventListener('abort', () => listener.abort(request.signal.reason as Error), { once: true });
    return answer.answer;
  }

  listModels(signal: AbortSignal): Promise<GatewayModel[]> {
    return this.options.inner.listModels(signal);
  }

  private async fallback(request: GatewayRequest, why: string): Promise<GatewayAnswer> {
    const { proto3 } = this.options;
    if (this.options.fallback === 'proto3' && proto3) {
      if (request.receiverPublicKey) return proto3.forward(request);
      if (proto3.hasKey()) return proto3.run(request);
      why += '; no registered encryption key exists for the proto 3 fallback';
    }
    throw new CocoonError('CCN_ERR_E2E_UNAVAILABLE', `end-to-end encryption is required, but ${why} (e2e_fallback: ${this.options.fallback})`);
  }
}

/** The app's headers as the worker gets them inside the sealed request (a JSON content type when none). */
function sealedHeaders(headers: Record<string, string>): Array<{ name: string; value: string }> {
  const list = Object.entries(headers).filter(([name]) => name !== 'x-cocoon-e2e').map(([name, value]) => ({ name, value }));
  if (!('content-type' in headers)) list.push({ name: 'content-type', value: 'application/json' });
  return list;
}

/**
 * One end-to-end request on the worker (e2e design, "Opening", "Answer chunks", "Receipt"): the sealed
 * `ext.e2eRequest` query of `proxy.runQueryEx` is opened with the worker's current keys (replay window,
 * header checks: E2eRequestOpener), the decrypted boxed `http.request` goes to the normal validator and
 * engine, every answer message's `answer` bytes are sealed into an `ext.e2eAnswerChunk` (seq 0, 1, …; the
 * last one final), and before the final message (success or error) the worker sends `ext.e2eReceipt`
 * signed with the receipt key of the pair that opened the request. Only on sessions with `e2e`.
 */
import { CocoonError, costNanoton, isE2eRequestBytes, modelBaseName, signReceipt, toCocoonError } from '@cocoon/protocol';
import type { ExtE2eReceipt, ExtE2eReceiptBody, OpenedE2eRequest, SessionExtension, TokensUsed } from '@cocoon/protocol';

/** What the query handler needs to serve e2e requests. */
export interface WorkerE2eContext {
  /** E2eRequestOpener over the worker's current keys and model. */
  opener: { open(bytes: Uint8Array): Promise<OpenedE2eRequest> };
  /** The full model string served now (`name@revision:hash`). */
  model: () => string;
}

/** Whether `query` is an e2e request this worker should open: e2e configured, the session negotiated `e2e`, and the bytes start with ext.e2eRequest. */
export function isWorkerE2eQuery(context: WorkerE2eContext | undefined, extensions: ReadonlySet<SessionExtension> | undefined, query: Uint8Array): boolean {
  return context !== undefined && extensions?.has('e2e') === true && isE2eRequestBytes(query);
}

/** The fields of a receipt that the request handler knows at its end. */
export interface E2eReceiptFields {
  /** The proxy's (worker-side) request id. */
  workerRequestId: Buffer;
  /** 0 = answered, else the wire error code of the final error. */
  status: number;
  /** Exactly the final_info tokens_used reported to the proxy. */
  tokensUsed: TokensUsed;
  coefficient: number;
  pricePerToken: bigint;
  startedAtMs: number;
  endedAtMs: number;
  /** The proxy's contract address when known, else hex of its TLS public key. */
  proxy: string;
}

export class E2eServedRequest {
  private constructor(private readonly opened: OpenedE2eRequest, private readonly model: string) {}

  /** Opens the sealed query; throws CCN_ERR_E2E_REQUEST_INVALID or CCN_ERR_E2E_REPLAYED. */
  static async open(context: WorkerE2eContext, query: Uint8Array): Promise<E2eServedRequest> {
    let opened: OpenedE2eRequest;
    try {
      opened = await context.opener.open(query);
    } catch (error) {
      const failure = toCocoonError(error, 'CCN_ERR_E2E_REQUEST_INVALID');
      if (failure.code === 'CCN_ERR_E2E_REQUEST_INVALID' || failure.code === 'CCN_ERR_E2E_REPLAYED') throw failure;
      throw new CocoonError('CCN_ERR_E2E_REQUEST_INVALID', `e2e request refused: ${failure.message}`, { cause: error });
    }
    const model = context.model();
    if (modelBaseName(opened.header.model) !== modelBaseName(model)) {
      throw new CocoonError('CCN_ERR_E2E_REQUEST_INVALID', `e2e request is for model ${opened.header.model}; this worker serves ${modelBaseName(model)}`);
    }
    return new E2eServedRequest(opened, model);
  }

  /** The decrypted boxed http.request. */
  get httpRequest(): Buffer {
    return Buffer.from(this.opened.httpRequest);
  }

  /** The model the header names (the decrypted request's JSON `model` must be the same base name). */
  get headerModel(): string {
    return this.opened.header.model;
  }

  /** One answer message's `answer` bytes as a boxed ext.e2eAnswerChunk (the next seq). */
  seal(answer: Buffer, final: boolean): Buffer {
    return Buffer.from(this.opened.answer.seal(answer, final));
  }

  /** ext.e2eReceipt over the chunks sealed so far, signed with the opening pair's receipt key. */
  receipt(fields: E2eReceiptFields): ExtE2eReceipt {
    const { opened } = this;
    const body: ExtE2eReceiptBody = {
      _: 'ext.e2eReceiptBody',
      request_id: Buffer.from(opened.header.request_id),
      request_hash: Buffer.from(opened.requestHash),
      answer_hash: Buffer.from(opened.answer.answerHash),
      answer_chunks: opened.answer.chunks,
      status: fields.status,
      model: this.model,
      hpke_public_key: Buffer.from(opened.key.hpkePublicKey),
      signing_public_key: Buffer.from(opened.key.signingPublicKey),
      tokens_used: fields.tokensUsed,
      coefficient: fields.coefficient,
      price_per_token: fields.pricePerToken,
      cost_nanoton: costNanoton(fields.tokensUsed.total_tokens_used, fields.pricePerToken),
      worker_start_ms: BigInt(Math.floor(fields.startedAtMs)),
      worker_end_ms: BigInt(Math.floor(fields.endedAtMs)),
      proxy: fields.proxy,
    };
    return { _: 'ext.e2eReceipt', request_id: fields.workerRequestId, receipt: signReceipt(body, opened.key.signingPrivateKey) };
  }
}

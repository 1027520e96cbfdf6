/**
 * Test double of a client runner's end-to-end relay for the SDK's tests, with a real worker side in
 * process: it lists one worker's signed evidence on `GET /v1/e2e/workers` (with the trust a test sets),
 * answers `GET /v1/models` and `POST /v1/e2e/collateral` (a quote's collateral, or with `?tee=sev-snp` the
 * worker's SEV-SNP chain), opens `POST /v1/e2e/requests` with the
 * protocol's E2eRequestOpener (real HPKE, real AES-GCM), lets a scripted worker answer the decrypted
 * request (default: echo chat and completions, JSON or SSE; a transcription of the upload), and answers
 * with sealed chunks and a signed receipt as NDJSON. A test may rewrite the NDJSON events (tamper, drop,
 * reorder), stall the answer until the app aborts, or take the runner down. It records every body it
 * got and every request the worker side opened. By default the evidence's certificate is an opaque
 * placeholder that KeySetTrustingVerifier trusts; with an AttestedTestWorker it is real simulated TDX
 * (or SEV-SNP).
 */
import {
  CocoonError, E2eRequestOpener, buildE2eEvidence, e2ePrimitives, e2eReceiptBodyFor, encodeE2eBoxed, encodeHttpResponse, generateE2eKeyPair,
  signReceipt, toBase64, verifyKeySetSignature,
} from '@cocoon/protocol';
import type { E2eEvidenceVerifier, ExtE2eEvidence, ExtE2eWorker, VerifiedE2eKey } from '@cocoon/protocol';
import type { AttestedTestWorker } from './attested-test-worker.ts';

export const TEST_MODEL = 'test/tiny-chat@main:0123';

export interface RelayEvent { type: string; data?: string; [key: string]: unknown }

/** What the worker side decrypted. */
export interface OpenedWorkerRequest {
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** The body as JSON, when it is. */
  json: Record<string, unknown> | undefined;
  /** The sealed header's model, max tokens and timeout (what the relay also sees). */
  header: { model: string; maxTokens: number; timeoutMs: number };
}

/** How the scripted worker answers: status, content type and body pieces (each one sealed chunk). */
export interface WorkerAnswer {
  status?: number;
  contentType: string;
  pieces: string[];
}

/** Trusts a key set whose signature verifies under its own certificate key (test double: no attestation). */
export class KeySetTrustingVerifier implements E2eEvidenceVerifier {
  calls = 0;
  refuse: string | undefined;
  async verify(worker: ExtE2eWorker, expected: { model: string; now: Date }): Promise<VerifiedE2eKey[]> {
    this.calls++;
    if (this.refuse) throw new CocoonError('CCN_ERR_E2E_EVIDENCE_INVALID', this.refuse);
    if (!verifyKeySetSignature(worker.evidence, worker.evidence.key_set.certificate_public_key)) throw new CocoonError('CCN_ERR_E2E_EVIDENCE_INVALID', 'bad key-set signature');
    return worker.evidence.key_set.keys.filter((key) => key.model.startsWith(`${expected.model}@`)).map((key) => ({
      hpkePublicKey: Uint8Array.from(key.hpke_public_key), signingPublicKey: Uint8Array.from(key.signing_public_key), model: key.model,
      validUntil: key.valid_until, imageHash: new Uint8Array(32).fill(7), tee: 'test', coefficient: worker.coefficient, evidenceHash: new Uint8Array(32),
      authority: 'test authority sha256:0000000000000000',
    }));
  }
}

const thirds = (text: string): string[] => {
  const cut = Math.ceil(text.length / 3);
  return [text.slice(0, cut), text.slice(cut, 2 * cut), text.slice(2 * cut)];
};
const sse = (objects: unknown[]): string[] => [...objects.map((object) => `data: ${JSON.stringify(object)}\n\n`), 'data: [DONE]\n\n'];
const lastContent = (json: Record<string, unknown> | undefined): string => {
  const messages = json?.messages as Array<{ content?: unknown }> | undefined;
  const content = messages?.at(-1)?.content;
  return typeof content === 'string' ? content : '';
};

/** The default worker: echoes the last message (chat) or the prompt (completions), transcribes the upload's size. */
export function echoWorker(request: OpenedWorkerRequest): WorkerAnswer {
  const stream = request.json?.stream === true;
  const meta = { id: 'cmpl-test', created: 1_700_000_000, model: String(request.json?.model ?? '') };
  if (request.path === '/v1/chat/completions') {
    const text = `echo: ${lastContent(request.json)}`;
    if (stream) return { contentType: 'text/event-stream', pieces: sse(text.split(' ').map((word, index) => ({ ...meta, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: (index > 0 ? ' ' : '') + word }, finish_reason: null }] }))) };
    return { contentType: 'application/json', pieces: thirds(JSON.stringify({ ...meta, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } })) };
  }
  if (request.path === '/v1/completions') {
    const text = `echo: ${String(request.json?.prompt ?? '')}`;
    if (stream) return { contentType: 'text/event-stream', pieces: sse(text.split(' ').map((word, index) => ({ ...meta, object: 'text_completion', choices: [{ index: 0, text: (index > 0 ? ' ' : '') + word, finish_reason: null }] }))) };
    return { contentType: 'application/json', pieces: [JSON.stringify({ ...meta, object: 'text_completion', choices: [{ index: 0, text, finish_reason: 'stop' }] })] };
  }
  return { contentType: 'application/json', pieces: [JSON.stringify({ text: ` heard ${request.body.length} bytes `, usage: { type: 'tokens', input_tokens: 3, output_tokens: 4, total_tokens: 7 } })] };
}

export class E2eTestRelay {
  readonly bodies: Uint8Array[] = [];
  /** Every request the worker side opened, decrypted. */
  readonly opened: OpenedWorkerRequest[] = [];
  /** Rewrites the NDJSON events of the next answers. */
  tamper: ((events: RelayEvent[]) => RelayEvent[]) | undefined;
  workersListed = true;
  /** The runner's `trust` in the listing. */
  trust: Record<string, unknown> = { is_test: true, hashes_checked: false, worker_hashes: [], model_hashes: [] };
  /** A JSON error the runner answers POST /v1/e2e/requests with (before any chunk). */
  refuseWith: { status: number; code: string } | undefined;
  /** The scripted worker. */
  worker: (request: OpenedWorkerRequest) => WorkerAnswer = echoWorker;
  /** `GET /v1/models`'s data. */
  models: Array<Record<string, unknown>> = [{ id: 'test/tiny-chat', object: 'model', created: 0, owned_by: 'cocoon', workers: [{ coefficient: 1000, price_per_token_nanoton: 20, running_requests: 0, max_running_requests: 8 }] }];
  /** Every fetch fails as a refused connection would. */
  down = false;
  /** Stream only this many NDJSON events, then hold the answer open until the app aborts. */
  stallAfter: number | undefined;
  /** Answers the relay aborted while they were held open. */
  abortedAnswers = 0;
  collateralRequests = 0;
  /** `?tee=sev-snp` asks, and what they are answered (default: the worker's dev chain; undefined: 503). */
  chainRequests: string[] = [];
  sevChain: unknown;
  plainRequests = 0;

  private constructor(private readonly evidence: ExtE2eEvidence, private readonly opener: E2eRequestOpener, private readonly collateral: unknown, private readonly model: string) {}

  static async create(attested?: AttestedTestWorker, model = TEST_MODEL): Promise<E2eTestRelay> {
    if (attested) {
      const relay = new E2eTestRelay(attested.evidence, new E2eRequestOpener({ keys: () => [attested.keys], model }), attested.collateral, model);
      relay.sevChain = attested.sevChain;
      return relay;
    }
    const keys = await generateE2eKeyPair();
    const certificateKey = e2ePrimitives().randomBytes(32);
    const now = Math.floor(Date.now() / 1000);
    const evidence = buildE2eEvidence({ certificate: new Uint8Array([0x30, 0x00]), certificatePrivateKey: certificateKey, issuedAt: now, keys: [{ keyPair: keys, model, validFrom: now - 60, validUntil: now + 3600 }] });
    return new E2eTestRelay(evidence, new E2eRequestOpener({ keys: () => [keys], model }), undefined, model);
  }

  readonly fetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    if (this.down) throw new TypeError('fetch failed (connect ECONNREFUSED 127.0.0.1:10000)');
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = new Uint8Array(await request.arrayBuffer());
    this.bodies.push(body);
    if (url.pathname === '/v1/e2e/workers') {
      const workers = this.workersListed ? [{ coefficient: 1000, active_requests: 0, max_active_requests: 8, evidence: toBase64(encodeE2eBoxed<'ext.e2eEvidence'>(this.evidence)) }] : [];
      return Response.json({ model: url.searchParams.get('model'), workers, trust: this.trust });
    }
    if (url.pathname === '/v1/e2e/collateral' && url.searchParams.get('tee') === 'sev-snp') {
      this.chainRequests.push(`${request.method} ${url.search} body ${body.length}`);
      if (this.sevChain === undefined) return Response.json({ error: { message: 'no SEV-SNP chain', code: 'CCN_ERR_ATTEST_COLLATERAL' } }, { status: 503 });
      return Response.json(this.sevChain);
    }
    if (url.pathname === '/v1/e2e/collateral') {
      this.collateralRequests++;
      if (request.headers.get('content-type') !== 'application/octet-stream' || body.length === 0) return Response.json({ error: { message: 'a raw quote', code: 'CCN_ERR_HTTP_BAD_REQUEST' } }, { status: 400 });
      if (this.collateral === undefined) return Response.json({ error: { message: 'no collateral', code: 'CCN_ERR_ATTEST_COLLATERAL' } }, { status: 503 });
      return Response.json(this.collateral);
    }
    if (url.pathname === '/v1/models') return Response.json({ object: 'list', data: this.models });
    if (url.pathname === '/v1/e2e/requests') {
      if (this.refuseWith) return Response.json({ error: { message: 'refused', type: 'service_unavailable', code: this.refuseWith.code, param: null } }, { status: this.refuseWith.status });
      return this.answer(body, init?.signal ?? undefined);
    }
    if (url.pathname === '/v1/chat/completions') {
      this.plainRequests++;
      return Response.json({ plain: true, echo: JSON.parse(new TextDecoder().decode(body)) as unknown });
    }
    return Response.json({ path: url.pathname, method: request.method });
  };

  private async answer(bytes: Uint8Array, signal: AbortSignal | undefined): Promise<Response> {
    const opened = await this.opener.open(bytes);
    const headers: Record<string, string> = {};
    for (const header of opened.http.headers) headers[String(header.name).toLowerCase()] = String(header.value);
    const payload = Uint8Array.from(opened.http.payload);
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    const request: OpenedWorkerRequest = {
      path: opened.http.url, headers, body: payload, json,
      header: { model: opened.header.model, maxTokens: opened.header.max_tokens, timeoutMs: opened.header.timeout_ms },
    };
    this.opened.push(request);
    const scripted = this.worker(request);
    const encoder = new TextEncoder();
    const status = scripted.status ?? 200;
    const head = encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: status, reason: status < 400 ? 'OK' : 'Error', headers: [['Content-Type', scripted.contentType]], payload: Buffer.alloc(0) });
    const plaintexts = [Uint8Array.from(head), ...scripted.pieces.map((piece) => encoder.encode(piece))];
    const chunks = plaintexts.map((plaintext, index) => opened.answer.seal(plaintext, index === plaintexts.length - 1));
    const tokens = { _: 'tokensUsed' as const, prompt_tokens_used: 3n, cached_tokens_used: 0n, completion_tokens_used: 4n, reasoning_tokens_used: 0n, total_tokens_used: 7n };
    const receiptBody = e2eReceiptBodyFor(opened, {
      status: 0, model: this.model, tokensUsed: tokens, coefficient: 1000, pricePerToken: 20n, costNanoton: 140n, workerStartMs: 1n, workerEndMs: 2n, proxy: 'test-proxy',
    });
    const receipt = encodeE2eBoxed<'ext.e2eSignedReceipt'>(signReceipt(receiptBody, opened.key.signingPrivateKey));
    let events: RelayEvent[] = [
      ...chunks.slice(0, -1).map((chunk) => ({ type: 'chunk', data: toBase64(chunk) })),
      { type: 'receipt', data: toBase64(receipt) },
      { type: 'chunk', data: toBase64(chunks.at(-1)!) },
      { type: 'end', tokens_used: { total_tokens_used: 7 }, cost_nanoton: '140' },
    ];
    if (this.tamper) events = this.tamper(events);
    const lines = events.map((event) => encoder.encode(`${JSON.stringify(event)}\n`));
    if (this.stallAfter === undefined) return new Response(lines.map((line) => new TextDecoder().decode(line)).join(''), { headers: { 'content-type': 'application/x-ndjson' } });
    const sent = lines.slice(0, this.stallAfter);
    const stalled = new ReadableStream<Uint8Array>({
      start: (controller) => {
        for (const line of sent) controller.enqueue(line);
        const onAbort = () => {
          this.abortedAnswers++;
          controller.error(signal?.reason ?? new DOMException('aborted', 'AbortError'));
        };
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      },
    });
    return new Response(stalled, { headers: { 'content-type': 'application/x-ndjson' } });
  }
}

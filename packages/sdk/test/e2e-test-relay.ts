/**
 * Test double of a client runner's end-to-end relay for the SDK's tests, with a real worker side in
 * process: it lists one worker's signed evidence on `GET /v1/e2e/workers`, opens `POST
 * /v1/e2e/requests` with the protocol's E2eRequestOpener (real HPKE, real AES-GCM), answers with
 * sealed chunks and a signed receipt as NDJSON, and lets a test rewrite the NDJSON events (tamper,
 * drop, reorder). It also answers plain requests (to see fallbacks) and records every body it got.
 * The evidence's certificate is an opaque placeholder: the tests' verifier trusts the key set's key.
 */
import {
  CocoonError, E2eRequestOpener, buildE2eEvidence, e2ePrimitives, e2eReceiptBodyFor, encodeE2eBoxed, encodeHttpResponse, generateE2eKeyPair,
  signReceipt, toBase64, verifyKeySetSignature,
} from '@cocoon/protocol';
import type { E2eEvidenceVerifier, E2eKeyPair, ExtE2eEvidence, ExtE2eWorker, VerifiedE2eKey } from '@cocoon/protocol';

export const TEST_MODEL = 'test/tiny-chat@main:0123';

export interface RelayEvent { type: string; data?: string; [key: string]: unknown }

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
    }));
  }
}

export class E2eTestRelay {
  readonly bodies: Uint8Array[] = [];
  /** Rewrites the NDJSON events of the next answers. */
  tamper: ((events: RelayEvent[]) => RelayEvent[]) | undefined;
  workersListed = true;
  /** A JSON error the runner answers POST /v1/e2e/requests with (before any chunk). */
  refuseWith: { status: number; code: string } | undefined;
  plainRequests = 0;

  private constructor(private readonly keys: E2eKeyPair, private readonly evidence: ExtE2eEvidence, private readonly opener: E2eRequestOpener) {}

  static async create(): Promise<E2eTestRelay> {
    const keys = await generateE2eKeyPair();
    const certificateKey = e2ePrimitives().randomBytes(32);
    const now = Math.floor(Date.now() / 1000);
    const evidence = buildE2eEvidence({ certificate: new Uint8Array([0x30, 0x00]), certificatePrivateKey: certificateKey, issuedAt: now, keys: [{ keyPair: keys, model: TEST_MODEL, validFrom: now - 60, validUntil: now + 3600 }] });
    return new E2eTestRelay(keys, evidence, new E2eRequestOpener({ keys: () => [keys], model: TEST_MODEL }));
  }

  readonly fetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = new Uint8Array(await request.arrayBuffer());
    this.bodies.push(body);
    if (url.pathname === '/v1/e2e/workers') {
      const workers = this.workersListed ? [{ coefficient: 1000, active_requests: 0, max_active_requests: 8, evidence: toBase64(encodeE2eBoxed<'ext.e2eEvidence'>(this.evidence)) }] : [];
      return Response.json({ model: url.searchParams.get('model'), workers, trust: { is_test: true, hashes_checked: false, worker_hashes: [], model_hashes: [] } });
    }
    if (url.pathname === '/v1/e2e/requests') {
      if (this.refuseWith) return Response.json({ error: { message: 'refused', type: 'service_unavailable', code: this.refuseWith.code, param: null } }, { status: this.refuseWith.status });
      return this.answer(body);
    }
    if (url.pathname === '/v1/chat/completions') {
      this.plainRequests++;
      return Response.json({ plain: true, echo: JSON.parse(new TextDecoder().decode(body)) as unknown });
    }
    return Response.json({ path: url.pathname, method: request.method });
  };

  private async answer(bytes: Uint8Array): Promise<Response> {
    const opened = await this.opener.open(bytes);
    const request = JSON.parse(new TextDecoder().decode(opened.http.payload)) as { stream?: boolean; messages?: Array<{ content: string }> };
    const text = `echo: ${request.messages?.[0]?.content ?? ''}`;
    const encoder = new TextEncoder();
    const pieces = request.stream
      ? [...text.split(' ').map((word, index) => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: (index > 0 ? ' ' : '') + word } }] })}\n\n`), 'data: [DONE]\n\n']
      : thirds(JSON.stringify({ object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text } }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }));
    const head = encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [['Content-Type', request.stream ? 'text/event-stream' : 'application/json']], payload: Buffer.alloc(0) });
    const plaintexts = [Uint8Array.from(head), ...pieces.map((piece) => encoder.encode(piece))];
    const chunks = plaintexts.map((plaintext, index) => opened.answer.seal(plaintext, index === plaintexts.length - 1));
    const tokens = { _: 'tokensUsed' as const, prompt_tokens_used: 3n, cached_tokens_used: 0n, completion_tokens_used: 4n, reasoning_tokens_used: 0n, total_tokens_used: 7n };
    const body = e2eReceiptBodyFor(opened, {
      status: 0, model: TEST_MODEL, tokensUsed: tokens, coefficient: 1000, pricePerToken: 20n, costNanoton: 140n, workerStartMs: 1n, workerEndMs: 2n, proxy: 'test-proxy',
    });
    const receipt = encodeE2eBoxed<'ext.e2eSignedReceipt'>(signReceipt(body, opened.key.signingPrivateKey));
    let events: RelayEvent[] = [
      ...chunks.slice(0, -1).map((chunk) => ({ type: 'chunk', data: toBase64(chunk) })),
      { type: 'receipt', data: toBase64(receipt) },
      { type: 'chunk', data: toBase64(chunks.at(-1)!) },
      { type: 'end', tokens_used: { total_tokens_used: 7 }, cost_nanoton: '140' },
    ];
    if (this.tamper) events = this.tamper(events);
    return new Response(events.map((event) => `${JSON.stringify(event)}\n`).join(''), { headers: { 'content-type': 'application/x-ndjson' } });
  }
}

/** A text in three pieces (an answer body in several chunks). */
function thirds(text: string): string[] {
  const cut = Math.ceil(text.length / 3);
  return [text.slice(0, cut), text.slice(cut, 2 * cut), text.slice(2 * cut)];
}

/**
 * Test kit of the client's e2e tests: a scripted proxy session double that speaks `e2e` (or, as a
 * reference proxy, does not) and answers sealed requests with a worker-side opener from the protocol's
 * e2e API — real HPKE, real AEAD chunks, a real Ed25519-signed receipt, real fake_tdx RA-TLS evidence
 * verified by the Node evidence verifier — and the client's HTTP edge with the e2e parts wired as the
 * runner wires them, the receipt store in a temporary LMDB directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEV_NETWORK_PARAMS, E2eRequestOpener, decodeBoxedAs, encodeBoxed, E2eRequestSession, StaticNetworkParamsSource, createLogger, e2eReceiptBodyFor, encodeHttpResponse,
  extensionsOfAlpn, generateE2eKeyPair, isE2eRequestBytes, signReceipt, toHex, useNodeE2ePrimitives,
} from '@cocoon/protocol';
import type { E2eKeyPair, ExtE2eWorker, OpenedE2eRequest, ProxyClientRequestPayment, SessionExtension, TlObject, TokensUsed } from '@cocoon/protocol';
import { FakeTdxPolicyVerifier, FakeTdxProvider, NodeE2eEvidenceVerifier, createAttestedCertificate, issueE2eEvidence } from '@cocoon/attestation';
import { ProtocolInferenceGateway } from '../../src/gateway/protocol-inference-gateway.ts';
import { ClientStats } from '../../src/client-stats.ts';
import type { AnswerListener, ClientProxyConnection, RunningQueryLink } from '../../src/connection/client-proxy-connection.ts';
import { startClientHttpServer } from '../../src/http/index.ts';
import type { ClientHttpServer, ClientHttpServerOptions, EncryptionKeysSource } from '../../src/http/index.ts';
import {
  E2eClient, E2eKeyDirectory, E2eReceiptStore, E2eSealingGateway, Proto3Fallback, e2eExtraRoutes, handleAuditRoute,
} from '../../src/e2e/index.ts';
import type { CollateralLookup, E2eFallbackPolicy, SevSnpChainLookup } from '../../src/e2e/index.ts';

export const MODEL = `Qwen/Qwen3-0.6B@e2e:${'cd'.repeat(32)}`;
export const BASE_MODEL = 'Qwen/Qwen3-0.6B';
export const ADMIN_TOKEN = 'e2e-test-admin-token';
export const logger = createLogger('client', { level: 'error' });
useNodeE2ePrimitives(); // as the runner does

export const tokens = (total: bigint): TokensUsed => ({
  _: 'tokensUsed', prompt_tokens_used: 3n, cached_tokens_used: 0n, completion_tokens_used: total - 3n, reasoning_tokens_used: 0n, total_tokens_used: total,
});

/** How the scripted worker behind the proxy answers one e2e request. */
export interface WorkerScript {
  /** Body parts after the http.response (chunk 0 carries `first`). */
  parts: string[];
  first: string;
  contentType: string;
  /** Tokens the worker reports (final_info) and signs in its receipt. */
  tokens: bigint;
  /** What the proxy charges (proxy.clientRequestPayment request_tokens); default = tokens. */
  charge?: bigint;
  /** Leave the receipt out. */
  noReceipt?: boolean;
  /** Flip a byte in this chunk's ciphertext. */
  tamperChunk?: number;
  /** Sign the receipt with another key. */
  forgeReceipt?: boolean;
}

export const jsonAnswer = (text: string): WorkerScript => ({
  first: JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text } }] }),
  parts: [], contentType: 'application/json', tokens: 12n,
});

export const sseAnswer = (words: string[]): WorkerScript => ({
  first: '',
  parts: [...words.map((word) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: word } }] })}\n\n`), 'data: [DONE]\n\n'],
  contentType: 'text/event-stream', tokens: 20n,
});

/** A worker that opens sealed requests (the protocol's E2eRequestOpener) and its evidence as a proxy lists it. */
export class ScriptedE2eWorker {
  opened: OpenedE2eRequest[] = [];
  private constructor(readonly pair: E2eKeyPair, readonly entry: ExtE2eWorker, private readonly opener: E2eRequestOpener) {}

  static async create(): Promise<ScriptedE2eWorker> {
    const pair = await generateE2eKeyPair();
    const certificate = await createAttestedCertificate({ provider: new FakeTdxProvider(), now: new Date() });
    const nowSeconds = Math.floor(Date.now() / 1000);
    const evidence = issueE2eEvidence({ certificate, model: MODEL, issuedAt: nowSeconds - 10, keys: [{ pair, validFrom: nowSeconds - 10, validUntil: nowSeconds + 3600 }] });
    const entry: ExtE2eWorker = { _: 'ext.e2eWorker', coefficient: 1000, active_requests: 0, max_active_requests: 8, evidence };
    return new ScriptedE2eWorker(pair, entry, new E2eRequestOpener({ keys: () => [pair], model: MODEL }));
  }

  async open(bytes: Uint8Array): Promise<OpenedE2eRequest> {
    const opened = await this.opener.open(bytes);
    this.opened.push(opened);
    return opened;
  }
}

/** Test double of a ClientProxyConnection: a ready proxy session, with or without `e2e`, scripted per request. */
export class ProxySessionDouble {
  isReady = true;
  readonly address = '127.0.0.1:11002';
  readonly protoVersion = 4;
  readonly extensions: ReadonlySet<SessionExtension>;
  onRequestPayment: ((payment: ProxyClientRequestPayment) => void) | undefined;
  /** Every client.runQueryEx the client sent. */
  readonly queries: TlObject[] = [];
  readonly granted: number[] = [];
  cancelled = 0;
  script: WorkerScript = jsonAnswer('hello');
  /** Answers a plain (non-e2e) query; default: fails the test loudly. */
  plainAnswer: ((query: TlObject, listener: AnswerListener) => void) | undefined;
  private readonly listeners = new Map<string, AnswerListener>();

  constructor(readonly worker: ScriptedE2eWorker | undefined, e2e = true) {
    this.extensions = e2e ? extensionsOfAlpn('cocoon-ext-1') : extensionsOfAlpn(undefined);
  }

  async query(request: TlObject): Promise<TlObject> {
    if (request._ !== 'ext.getE2eWorkers') throw new Error(`unexpected query ${request._}`);
    if (!this.extensions.has('e2e')) throw new Error('ext.getE2eWorkers sent to a reference proxy');
    return { _: 'ext.e2eWorkers', workers: this.worker ? [this.worker.entry] : [] };
  }

  runQuery(query: TlObject, listener: AnswerListener): RunningQueryLink {
    this.queries.push(query);
    const id = query.request_id as Buffer;
    this.listeners.set(toHex(id), listener);
    const bytes = query.query as Buffer;
    if (isE2eRequestBytes(bytes)) setImmediate(() => void this.answerSealed(id, bytes, listener));
    else if (this.plainAnswer) setImmediate(() => this.plainAnswer!(query, listener));
    else throw new Error('a plain query reached the proxy double');
    return {
      extensions: this.extensions, cancel: () => { this.cancelled += 1; },
      grantCredit: (bytes) => { this.granted.push(bytes); }, holdReading: () => () => undefined,
    };
  }

  forget(requestId: Buffer): void {
    this.listeners.delete(toHex(requestId));
  }

  /** The proxy's charge for a request, as it sends it after the final answer. */
  charge(requestId: Buffer, requestTokens: bigint): void {
    this.onRequestPayment?.({
      _: 'proxy.clientRequestPayment', request_id: requestId, signed_payment: { _: 'proxy.signedPaymentEmpty' }, db_tokens: requestTokens, max_tokens: requestTokens, request_tokens: requestTokens,
    });
  }

  private async answerSealed(id: Buffer, bytes: Buffer, listener: AnswerListener): Promise<void> {
    const script = this.script;
    const opened = await this.worker!.open(bytes);
    const response = encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [['Content-Type', script.contentType]], payload: Buffer.from(script.first) });
    const plaintexts = [response, ...script.parts.map((part) => Buffer.from(part))];
    const chunks: Buffer[] = plaintexts.map((plaintext, index) => Buffer.from(opened.answer.seal(plaintext, index === plaintexts.length - 1)));
    if (script.tamperChunk !== undefined) {
      const chunk = decodeBoxedAs(chunks[script.tamperChunk]!, 'ext.e2eAnswerChunk');
      chunk.ciphertext[0]! ^= 1;
      chunks[script.tamperChunk] = encodeBoxed(chunk);
    }
    const signingKey = script.forgeReceipt ? (await generateE2eKeyPair()).signingPrivateKey : this.worker!.pair.signingPrivateKey;
    const receipt = signReceipt(e2eReceiptBodyFor(opened, {
      status: 0, model: MODEL, tokensUsed: tokens(script.tokens), coefficient: 1000, pricePerToken: 20n, costNanoton: script.tokens * 20n,
      workerStartMs: BigInt(Date.now()), workerEndMs: BigInt(Date.now()), proxy: 'EQproxy',
    }), signingKey);
    for (const [index, chunk] of chunks.entries()) {
      const last = index === chunks.length - 1;
      if (last && !script.noReceipt) listener.onAnswerMessage({ _: 'ext.e2eReceipt', request_id: id, receipt });
      listener.onAnswerMessage(index === 0
        ? { _: 'client.queryAnswerEx', request_id: id, answer: chunk, flags: last ? 1 : 0, ...(last ? { final_info: finalInfo(script.tokens) } : {}) }
        : { _: 'client.queryAnswerPartEx', request_id: id, answer: chunk, flags: last ? 1 : 0, ...(last ? { final_info: finalInfo(script.tokens) } : {}) });
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.charge(id, script.charge ?? script.tokens);
  }
}

const finalInfo = (total: bigint): TlObject => ({ _: 'client.queryFinalInfo', flags: 0, tokens_used: tokens(total) });

export interface E2eTestClient {
  server: ClientHttpServer;
  url: string;
  store: E2eReceiptStore;
  storeDir: string;
  close(): Promise<void>;
}

export interface E2eTestClientOptions {
  requireE2e?: boolean;
  fallback?: E2eFallbackPolicy;
  encryptionKeys?: EncryptionKeysSource;
  storeDir?: string;
  maxBodyBytes?: number;
  /** Serves POST /v1/e2e/collateral with this lookup (the runner: RunnerAttestation.collateralFor). */
  collateralFor?: CollateralLookup;
  /** Serves POST /v1/e2e/collateral?tee=sev-snp with this lookup (the runner: RunnerAttestation.sevSnpChainFor). */
  sevSnpChainFor?: SevSnpChainLookup;
  /** Options of the HTTP edge (e.g. corsOrigins, appDir). */
  http?: Partial<ClientHttpServerOptions>;
}

/** The client's HTTP edge with the e2e parts wired as the runner does, over `connection`. */
export async function startE2eTestClient(connection: ProxySessionDouble, options: E2eTestClientOptions = {}): Promise<E2eTestClient> {
  const stats = new ClientStats(Date.now);
  const params = new StaticNetworkParamsSource(DEV_NETWORK_PARAMS);
  const inner = new ProtocolInferenceGateway({ connections: [connection as unknown as ClientProxyConnection], params, stats });
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'cocoon-e2e-receipts-'));
  const store = await E2eReceiptStore.open(storeDir);
  const verifier = new NodeE2eEvidenceVerifier({ peerVerifier: new FakeTdxPolicyVerifier() });
  const directory = new E2eKeyDirectory({ verifier, now: Date.now, logger });
  const trust = () => ({ is_test: true, hashes_checked: false, worker_hashes: [], model_hashes: [] });
  const e2e = new E2eClient({ gateway: inner, directory, store, params, stats, trust, logger });
  const keys = options.encryptionKeys ?? { isTest: () => true, keys: () => [] };
  const gateway = new E2eSealingGateway({
    inner, e2e, session: new E2eRequestSession({ verifier, maxRecipients: 3 }), requireE2e: options.requireE2e ?? false, fallback: options.fallback ?? 'refuse',
    proto3: new Proto3Fallback({ inner, keys, now: Date.now }),
  });
  const server = await startClientHttpServer({
    host: '127.0.0.1', port: 0, gateway, adminToken: ADMIN_TOKEN, maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    stats: { jsonStats: () => ({ e2e: store.json() }) },
    extraRoutes: e2eExtraRoutes(e2e, { collateralFor: options.collateralFor, sevSnpChainFor: options.sevSnpChainFor }),
    requestRoutes: async (request, response, url) => handleAuditRoute(e2e, request, response, url),
    receiverKeys: undefined,
    ...options.http,
  });
  return {
    server, url: server.url, store, storeDir,
    close: async () => {
      await server.close();
      await store.close();
      if (!options.storeDir) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

// Test kit of the worker's e2e tests: a scripted proxy that negotiates our extensions (real PoW + TLS,
// ALPN cocoon-ext-1) or not (a reference proxy), a worker connection with a real query handler and
// WorkerE2e on a manual clock and timers, an engine double, and the client's side (verify evidence,
// seal, read the answer messages).
import { DEV_NETWORK_PARAMS, E2eRequestSealer, StaticNetworkParamsSource, createLogger, decodeBoxed, isTlObject } from '@cocoon/protocol';
import type { ExtE2eEvidence, SealedE2eRequest, TlObject, VerifiedE2eKey } from '@cocoon/protocol';
import {
  AnyPolicyVerifier, FakeTdxPolicyVerifier, FakeTdxProvider, NodeE2eEvidenceVerifier, RefreshingCertificate, createAttestedCertificate, listenSecure,
} from '@cocoon/attestation';
import type { SecureServer } from '@cocoon/attestation';
import { ScriptedPeerConnection, scriptWorkerHandshake, startScriptedProxy } from '@cocoon/test-support';
import { WorkerProxyConnection } from '../../src/connection/worker-proxy-connection.ts';
import { WorkerQueryHandler } from '../../src/serving/worker-query-handler.ts';
import { WorkerStats } from '../../src/serving/worker-stats.ts';
import { WorkerE2e } from '../../src/e2e/index.ts';
import type { E2eKeyTimers } from '../../src/e2e/index.ts';
import type { EngineRequest, EngineResponse, InferenceEngine } from '../../src/engine/index.ts';
import { WorkerModelSwitch } from '../../src/models/index.ts';

export const MODEL = `Qwen/Qwen3-8B@e2e:${'ab'.repeat(32)}`;
export const BASE_MODEL = 'Qwen/Qwen3-8B';
export const USAGE = { prompt_tokens: 34, prompt_tokens_details: { cached_tokens: 11 }, completion_tokens: 100, completion_tokens_details: { reasoning_tokens: 10 } };
export const logger = createLogger('worker', { level: 'error' });

/** Test double: a clock and timers the test advances. */
export class ManualTime implements E2eKeyTimers {
  now = Date.now();
  private readonly pending = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.now + delayMs, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Moves the clock on, running each timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, timer]) => timer.at <= target).sort((left, right) => left[1].at - right[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].callback();
    }
    this.now = target;
  }
}

/** Test double: an engine answering a JSON chat completion or, for `stream: true`, three SSE events one turn apart. */
export class ScriptedChatEngine implements InferenceEngine {
  requests: EngineRequest[] = [];
  failWith: Error | undefined;

  async forward(request: EngineRequest): Promise<EngineResponse> {
    this.requests.push(request);
    if (this.failWith) throw this.failWith;
    const body = JSON.parse(request.body.toString()) as { stream?: boolean };
    if (!body.stream) {
      return { status: 200, headers: { 'content-type': 'application/json' }, body: once(JSON.stringify({ choices: [{ message: { content: 'secret answer' } }], usage: USAGE })) };
    }
    return {
      status: 200, headers: { 'content-type': 'text/event-stream' },
      body: spaced(['data: {"choices":[{"delta":{"content":"secret "}}]}\n\n', 'data: {"choices":[{"delta":{"content":"answer"}}]}\n\n', `data: ${JSON.stringify({ choices: [], usage: USAGE })}\n\ndata: [DONE]\n\n`]),
    };
  }

  async health() { return { ok: true, models: [] }; }
  async close() {}
}

async function* once(text: string): AsyncIterable<Buffer> {
  yield Buffer.from(text);
}

async function* spaced(parts: string[]): AsyncIterable<Buffer> {
  for (const part of parts) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    yield Buffer.from(part);
  }
}

/** Connections to a scripted proxy, in arrival order. */
export class ConnectionQueue {
  private readonly arrived: ScriptedPeerConnection[] = [];
  private waiter: (() => void) | undefined;

  push(connection: ScriptedPeerConnection): void {
    this.arrived.push(connection);
    this.waiter?.();
  }

  async next(): Promise<ScriptedPeerConnection> {
    while (this.arrived.length === 0) await new Promise<void>((resolve) => { this.waiter = resolve; });
    return this.arrived.shift()!;
  }
}

/** A scripted proxy that selects our extensions (the `e2e` one included). */
export async function startExtendedProxy(queue: ConnectionQueue): Promise<SecureServer> {
  const identity = await createAttestedCertificate({ provider: new FakeTdxProvider(), now: new Date() });
  return listenSecure({
    host: '127.0.0.1', port: 0, identity, powDifficulty: 4, verifier: new AnyPolicyVerifier(),
    onConnection: (socket) => queue.push(new ScriptedPeerConnection(socket)),
  });
}

export interface WorkerUnderTest {
  proxy: SecureServer;
  peer: ScriptedPeerConnection;
  connection: WorkerProxyConnection;
  e2e: WorkerE2e;
  engine: ScriptedChatEngine;
  time: ManualTime;
  certificate: RefreshingCertificate;
  /** Switches succeed at once (the script runner is a test double). */
  models: WorkerModelSwitch;
  close(): Promise<void>;
}

/** A worker with e2e connected to a scripted proxy (extended or reference), its handshake done. */
export async function startWorker(options: { reference?: boolean; graceSeconds?: number } = {}): Promise<WorkerUnderTest> {
  const time = new ManualTime();
  const queue = new ConnectionQueue();
  const proxy = options.reference ? await startScriptedProxy((peer) => queue.push(peer)) : await startExtendedProxy(queue);
  const certificate = await RefreshingCertificate.create({ provider: new FakeTdxProvider(), now: () => new Date(time.now) });
  const now = () => time.now;
  const models = new WorkerModelSwitch({
    model: MODEL, script: '/test/switch-model', timeoutMs: 1000, logger, now,
    run: async () => ({ ok: true, exitCode: 0, signal: null, timedOut: false, startError: undefined, durationMs: 1, outputBytes: 0, outputTail: '' }),
  });
  const e2e = await WorkerE2e.open({
    certificate, models, rotationSeconds: 3600, graceSeconds: options.graceSeconds ?? 600, replayWindowSeconds: 300, now, logger, timers: time,
  });
  const engine = new ScriptedChatEngine();
  const handler = new WorkerQueryHandler({
    engine, get modelBaseName() { return models.baseName; }, params: new StaticNetworkParamsSource(DEV_NETWORK_PARAMS), maxActiveRequests: 4, stats: new WorkerStats(now), logger, now, e2e: e2e.context,
  });
  const connection = new WorkerProxyConnection({
    host: '127.0.0.1', port: proxy.port, identity: certificate, verifier: new AnyPolicyVerifier(), maxPowDifficulty: 8,
    ownerAddress: 'UQ-worker-owner', model: MODEL, coefficient: 1000, maxActiveRequests: 4, proxyConnections: 1, isTest: true,
    handler, isEnabled: () => true, logger, onSessionReady: (session) => e2e.announcer.attach(session),
  });
  e2e.start();
  connection.start();
  const peer = await queue.next();
  await scriptWorkerHandshake(peer, 4);
  await connection.whenReady();
  return {
    proxy, peer, connection, e2e, engine, time, certificate, models,
    close: async () => {
      e2e.stop();
      connection.close();
      await proxy.close();
    },
  };
}

/** The next application message (tcp.packet) from the worker. */
export async function nextMessage(peer: ScriptedPeerConnection): Promise<TlObject> {
  for (;;) {
    const packet = await peer.next();
    if (isTlObject(packet, 'tcp.packet')) return decodeBoxed(packet.data);
  }
}

/** The worker's messages for one request, up to and including its final answer or error. */
export async function answerMessages(peer: ScriptedPeerConnection, requestId: Buffer, seen: TlObject[] = []): Promise<TlObject[]> {
  const messages: TlObject[] = [];
  for (;;) {
    const message = await nextMessage(peer);
    seen.push(message);
    if (!Buffer.isBuffer(message.request_id) || !message.request_id.equals(requestId)) continue;
    messages.push(message);
    if ((((message.flags as number | undefined) ?? 0) & 1) === 1) return messages;
  }
}

/** The client's verification of announced evidence (fake TDX, no root hashes: a test network). */
export async function verifiedKeys(evidence: ExtE2eEvidence, now: number): Promise<VerifiedE2eKey[]> {
  const verifier = new NodeE2eEvidenceVerifier({ peerVerifier: new FakeTdxPolicyVerifier() });
  return verifier.verify({ _: 'ext.e2eWorker', coefficient: 1000, active_requests: 0, max_active_requests: 4, evidence }, { model: BASE_MODEL, now: new Date(now) });
}

export function sealChat(time: ManualTime, recipients: readonly VerifiedE2eKey[], body: Record<string, unknown>): Promise<SealedE2eRequest> {
  return new E2eRequestSealer({ now: () => time.now }).seal({
    httpRequest: { method: 'POST', url: '/v1/chat/completions', headers: [{ name: 'Content-Type', value: 'application/json' }], payload: Buffer.from(JSON.stringify(body)) },
    model: BASE_MODEL, maxTokens: 1000, maxCoefficient: 2000, timeoutMs: 30_000, recipients,
  });
}

export function runQueryEx(query: Uint8Array, requestId: Buffer): TlObject {
  return {
    _: 'proxy.runQueryEx', query: Buffer.from(query), signed_payment: { _: 'proxy.signedPaymentEmpty' }, coefficient: 1000n, timeout: 10,
    request_id: requestId, flags: 1, enable_debug: false,
  };
}

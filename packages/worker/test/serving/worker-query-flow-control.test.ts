/**
 * Cancellation and backpressure of one worker request (§19) against a real slow SSE engine over
 * HTTP (OpenAiHttpEngine, undici): aborting the request's signal closes the engine request within
 * 1 s and the error reports the tokens generated until then; a closed send window (no credit)
 * stops reading the engine body, so the engine's writes back up, and a grant lets it finish intact.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEV_NETWORK_PARAMS, StaticNetworkParamsSource, WireErrorCode, adjustTokens, createLogger, encodeHttpRequest } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { startSlowStreamEngine } from '@cocoon/test-support';
import { WorkerQueryHandler } from '../../src/serving/worker-query-handler.ts';
import { WorkerStats } from '../../src/serving/worker-stats.ts';
import { AnswerSendWindow } from '../../src/serving/answer-send-window.ts';
import { OpenAiHttpEngine } from '../../src/engine/index.ts';

const MODEL = 'Qwen/Qwen3-8B';
const engines: Array<{ close(): Promise<void> }> = [];
after(async () => {
  for (const engine of engines) await engine.close();
});

function handlerWith(engine: OpenAiHttpEngine): WorkerQueryHandler {
  return new WorkerQueryHandler({
    engine, modelBaseName: MODEL, params: new StaticNetworkParamsSource(DEV_NETWORK_PARAMS), maxActiveRequests: 4,
    stats: new WorkerStats(Date.now), logger: createLogger('worker', { level: 'error' }), now: Date.now,
  });
}

function streamedQuery(): TlObject {
  const body = { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true };
  return {
    _: 'proxy.runQueryEx',
    query: encodeHttpRequest({ method: 'POST', url: '/v1/chat/completions', httpVersion: 'HTTP/1.1', headers: [['Content-Type', 'application/json']], payload: Buffer.from(JSON.stringify(body)) }),
    signed_payment: { _: 'proxy.signedPaymentEmpty' }, coefficient: 1000n, timeout: 30, request_id: Buffer.alloc(32, 9), flags: 1, enable_debug: false,
  };
}

function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 5);
    };
    check();
  });
}

const generatedIn = (messages: TlObject[]): number => messages
  .map((message) => Buffer.isBuffer(message.answer) ? message.answer.toString('latin1') : '')
  .join('').split('"content":"t').length - 1;

test('an aborted request closes the engine request within 1 s and bills the tokens generated so far', async () => {
  const slow = await startSlowStreamEngine({ model: MODEL, tokens: 200, tokenIntervalMs: 20 });
  const engine = new OpenAiHttpEngine({ baseUrl: slow.url });
  engines.push(slow, engine);
  const controller = new AbortController();
  const sent: TlObject[] = [];
  const served = handlerWith(engine).serve(streamedQuery(), (message) => sent.push(message), { signal: controller.signal, window: new AnswerSendWindow(undefined, false) });
  await waitFor(() => generatedIn(sent) >= 5, 'five tokens relayed');
  const abortedAt = Date.now();
  controller.abort();
  await served;
  const record = slow.requests[0]!;
  await waitFor(() => record.closedAt !== undefined, 'the engine request to close', 1000);
  assert.ok(record.closedAt! - abortedAt < 1000);
  assert.equal(record.completed, false);
  const last = sent.at(-1)!;
  assert.equal(last._, 'proxy.queryAnswerErrorEx');
  assert.equal(last.error_code, WireErrorCode.cancelled);
  const billed = ((last.final_info as TlObject).tokens_used as TlObject).total_tokens_used as bigint;
  const relayed = generatedIn(sent);
  const expected = adjustTokens({ promptTokens: 0, cachedTokens: 0, completionTokens: relayed, reasoningTokens: 0 }, 1000, DEV_NETWORK_PARAMS.multipliers).total;
  assert.equal(billed, BigInt(expected), 'the generated events counted, as the engine gave no usage yet');
  assert.ok(relayed <= record.tokensSent, 'never more than the engine generated');
});

test('without credit the engine body is not read on; a grant lets the answer finish intact', async () => {
  const fast = await startSlowStreamEngine({ model: MODEL, tokens: 20_000, tokenIntervalMs: 0, tokenBytes: 1000 });
  const engine = new OpenAiHttpEngine({ baseUrl: fast.url });
  engines.push(fast, engine);
  const window = new AnswerSendWindow(undefined, true, 64 * 1024);
  const sent: TlObject[] = [];
  let relayedBytes = 0;
  const served = handlerWith(engine).serve(streamedQuery(), (message) => {
    sent.push(message);
    relayedBytes += (message.answer as Buffer).length;
  }, { signal: new AbortController().signal, window });
  await waitFor(() => window.credit <= 0, 'the initial credit used up');
  const stalled = relayedBytes;
  const tokensAtStall = fast.requests[0]!.tokensSent;
  await new Promise((resolve) => setTimeout(resolve, 200)); // the engine keeps offering bytes meanwhile
  // What undici had buffered may still arrive, nothing like the 20 MB answer; the rest waits in the engine.
  assert.ok(relayedBytes - stalled < 512 * 1024, `read on while out of credit: ${relayedBytes - stalled} bytes`);
  const held = fast.requests[0]!;
  assert.ok(!held.completed && held.tokensSent < 20_000, `the engine is held back (${tokensAtStall} → ${held.tokensSent} tokens written)`);
  window.grant(64 * 1024 * 1024);
  await served;
  const last = sent.at(-1)!;
  assert.equal(last._, 'proxy.queryAnswerPartEx');
  assert.equal(fast.requests[0]!.completed, true);
  const body = Buffer.concat(sent.map((message, index) => index === 0 ? Buffer.alloc(0) : message.answer as Buffer)).toString('latin1');
  assert.equal(generatedIn(sent), 20_000);
  assert.match(body, /data: \[DONE\]\n\n$/);
});

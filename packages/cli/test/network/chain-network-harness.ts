/**
 * Test support shared by the on-chain system tests: settle through the proxy's
 * `/request/settle` control and send one streamed request, returning its adjusted tokens.
 */
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { adjustTokens, DEFAULT_MULTIPLIERS, readAdminToken } from '@cocoon/protocol';
import type { ChildLogs } from './network-harness.ts';

export interface Settled { tokens: number; client_paid_nanoton: number; worker_earned_nanoton: number; proxy_commission_nanoton: number }

/** POST /request/settle on the proxy with its admin token; fails the test (with the children's logs) unless it answers 200. */
export async function settleThroughProxy(proxyHttpUrl: string, logs: ChildLogs, adminTokenFile: string): Promise<Settled> {
  const headers = { authorization: `Bearer ${readAdminToken(adminTokenFile)}` };
  const response = await fetch(`${proxyHttpUrl}/request/settle`, { method: 'POST', headers, signal: AbortSignal.timeout(120_000) });
  const body = await response.json() as Record<string, string>;
  assert.equal(response.status, 200, `${JSON.stringify(body)}\n${logs.tail()}`);
  return {
    tokens: Number(body.tokens), client_paid_nanoton: Number(body.client_paid_nanoton),
    worker_earned_nanoton: Number(body.worker_earned_nanoton), proxy_commission_nanoton: Number(body.proxy_commission_nanoton),
  };
}

/** One streamed request; its adjusted tokens (§5, coefficient 1000) when answered, undefined when it failed. */
export async function askForTokens(openai: OpenAI, model: string, text: string): Promise<number | undefined> {
  try {
    const stream = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: text }], stream: true, stream_options: { include_usage: true } });
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    if (!usage) return undefined;
    return adjustTokens({ promptTokens: usage.prompt_tokens, cachedTokens: 0, completionTokens: usage.completion_tokens, reasoningTokens: 0 }, 1000, DEFAULT_MULTIPLIERS).total;
  } catch {
    return undefined;
  }
}

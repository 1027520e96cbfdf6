/**
 * One gateway call of a Telegram task: a GatewayExchange (timer, abort when the app disconnects
 * or the server's drain runs out, bounded body reads) with the task's timeout, and the JSON
 * reading of the answers the tasks get.
 */
import type { ServerResponse } from 'node:http';
import { GatewayExchange } from '../gateway-exchange.ts';
import type { InferenceExchangeContext } from '../inference-exchange.ts';

/** Runs `work` with an exchange of `timeoutMs`, released afterwards; its waits throw the abort reason. */
export function withGatewayCall<T>(response: ServerResponse, context: InferenceExchangeContext, timeoutMs: number, work: (exchange: GatewayExchange) => Promise<T>): Promise<T> {
  return GatewayExchange.run({ response, timeoutMs, track: context.track, timers: context.timers }, work);
}

/** Parses a JSON object answer, or undefined when the bytes are not one. */
export function parseJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

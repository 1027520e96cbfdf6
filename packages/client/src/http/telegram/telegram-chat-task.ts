/**
 * Runs one Telegram text task as a non-streamed chat completion through the gateway and extracts
 * the assistant's text, the completion's usage and the task's cost.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CocoonError, taskAnswerText } from '@cocoon/protocol';
import type { GatewayModel, GatewayUsage } from '../inference-gateway.ts';
import { forwardableRequestHeaders } from '../http-headers.ts';
import type { TaskChatMessage as ChatMessage } from '@cocoon/protocol';
import { cheapestPricePerToken, chooseTextModel, listGatewayModels } from './telegram-model-choice.ts';
import { taskCost } from './telegram-task-cost.ts';
import type { TelegramTaskCost } from './telegram-task-cost.ts';
import { parseJsonObject, withGatewayCall } from './telegram-gateway-call.ts';
import { DEFAULT_MODELS_TIMEOUT_MS, MAX_TASK_ANSWER_BYTES, UpstreamErrorAnswer } from './telegram-route-context.ts';
import type { TelegramRouteContext } from './telegram-route-context.ts';

export interface ChatTaskSpec {
  model: string | undefined;
  messages: ChatMessage[];
  maxTokens: number;
}

export interface ChatTaskResult {
  model: string;
  content: string;
  /** Whether the model stopped at the token limit (`finish_reason: "length"`). */
  truncated: boolean;
  usage: Record<string, unknown> | null;
  cost: TelegramTaskCost | null;
}

/** The assistant text of a chat completion answer, without leading reasoning, trimmed. */
export function assistantContent(answer: Record<string, unknown>): { content: string; truncated: boolean } {
  const choices = answer['choices'];
  const choice = Array.isArray(choices) ? (choices[0] as Record<string, unknown> | undefined) : undefined;
  const message = choice?.['message'] as Record<string, unknown> | undefined;
  const content = message?.['content'];
  if (typeof content !== 'string') throw new CocoonError('CCN_ERR_ENGINE_FAILED', 'the model answered without a text message');
  return { content: taskAnswerText(content), truncated: choice?.['finish_reason'] === 'length' };
}

export async function runChatTask(request: IncomingMessage, response: ServerResponse, context: TelegramRouteContext, spec: ChatTaskSpec): Promise<ChatTaskResult> {
  const modelsTimeoutMs = context.modelsTimeoutMs ?? DEFAULT_MODELS_TIMEOUT_MS;
  let models: GatewayModel[] | undefined;
  const model = spec.model ?? chooseTextModel((models = await listGatewayModels(context.gateway, modelsTimeoutMs)));
  const timeoutMs = Math.max(1, Math.round(context.defaults.timeoutSeconds * 1000));
  const body = Buffer.from(JSON.stringify({ model, messages: spec.messages, max_tokens: spec.maxTokens }), 'utf8');

  const { answer, gatewayUsage } = await withGatewayCall(response, context, timeoutMs, async (exchange) => {
    const running = await exchange.awaitAnswer(context.gateway.run({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { ...forwardableRequestHeaders(request.headers), 'content-type': 'application/json' },
      body,
      model,
      maxCoefficient: context.defaults.maxCoefficient,
      maxTokens: spec.maxTokens,
      timeoutMs,
      enableDebug: false,
      signal: exchange.signal,
      stream: false,
    }));
    const bytes = await exchange.collect(running.body, MAX_TASK_ANSWER_BYTES);
    const parsed = parseJsonObject(bytes);
    if (running.status >= 400) {
      if (parsed !== undefined && typeof parsed['error'] === 'object') throw new UpstreamErrorAnswer(running.status, parsed);
      throw new CocoonError('CCN_ERR_ENGINE_FAILED', `the network answered HTTP ${running.status}`);
    }
    if (parsed === undefined) throw new CocoonError('CCN_ERR_ENGINE_FAILED', 'the model answer is not a JSON object');
    const usage: GatewayUsage | undefined = running.usage === undefined ? undefined : await exchange.race(running.usage.catch(() => undefined));
    return { answer: parsed, gatewayUsage: usage };
  });

  const { content, truncated } = assistantContent(answer);
  const usage = typeof answer['usage'] === 'object' && answer['usage'] !== null ? (answer['usage'] as Record<string, unknown>) : null;
  let cost = taskCost(gatewayUsage, usage ?? undefined, undefined);
  if (cost === undefined && usage !== null) {
    models ??= await listGatewayModels(context.gateway, modelsTimeoutMs).catch(() => []);
    cost = taskCost(undefined, usage, cheapestPricePerToken(models, model));
  }
  return { model, content, truncated, usage, cost: cost ?? null };
}

/**
 * TEST ENGINE — OpenAI wire shapes of a deterministic completion: the non-streaming JSON
 * object and the SSE events of a streaming answer (`chat.completion.chunk` /
 * `text_completion` chunks, an optional usage chunk with `choices: []`, `data: [DONE]`).
 */
import type { TestEngineCompletion } from './test-engine-completion.ts';

/** Fixed `created` timestamp so answers are byte-for-byte reproducible. */
export const TEST_ENGINE_CREATED = 1_700_000_000;

export interface AnswerContext {
  id: string;
  model: string;
  kind: 'chat' | 'completion';
}

export function completionResponse(context: AnswerContext, completion: TestEngineCompletion): object {
  const base = { id: context.id, created: TEST_ENGINE_CREATED, model: context.model };
  const text = completion.pieces.join('');
  if (context.kind === 'completion') {
    return {
      ...base,
      object: 'text_completion',
      choices: Array.from({ length: completion.choices }, (_, index) => ({ index, text, logprobs: null, finish_reason: completion.finishReason })),
      usage: completion.usage,
    };
  }
  const message =
    completion.toolCall === undefined
      ? { role: 'assistant', content: text }
      : { role: 'assistant', content: null, tool_calls: [completion.toolCall] };
  return {
    ...base,
    object: 'chat.completion',
    choices: Array.from({ length: completion.choices }, (_, index) => ({ index, message, logprobs: null, finish_reason: completion.finishReason })),
    usage: completion.usage,
  };
}

const event = (value: object): string => `data: ${JSON.stringify(value)}\n\n`;

/** The SSE events of a streaming answer, in order (each one `data: …\n\n`). */
export function streamEvents(context: AnswerContext, completion: TestEngineCompletion, includeUsage: boolean): string[] {
  const base = {
    id: context.id,
    object: context.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion',
    created: TEST_ENGINE_CREATED,
    model: context.model,
  };
  const events: string[] = [];
  for (let index = 0; index < completion.choices; index++) {
    const chatChoice = (delta: object, finishReason: string | null) => ({ ...base, choices: [{ index, delta, logprobs: null, finish_reason: finishReason }] });
    const textChoice = (text: string, finishReason: string | null) => ({ ...base, choices: [{ index, text, logprobs: null, finish_reason: finishReason }] });
    if (context.kind === 'chat') {
      const toolCall = completion.toolCall;
      if (toolCall === undefined) {
        events.push(event(chatChoice({ role: 'assistant', content: '' }, null)));
        for (const piece of completion.pieces) events.push(event(chatChoice({ content: piece }, null)));
      } else {
        const opening = { index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: '' } };
        events.push(event(chatChoice({ role: 'assistant', content: null, tool_calls: [opening] }, null)));
        events.push(event(chatChoice({ tool_calls: [{ index: 0, function: { arguments: toolCall.function.arguments } }] }, null)));
      }
      events.push(event(chatChoice({}, completion.finishReason)));
    } else {
      for (const piece of completion.pieces) events.push(event(textChoice(piece, null)));
      events.push(event(textChoice('', completion.finishReason)));
    }
  }
  if (includeUsage) events.push(event({ ...base, choices: [], usage: completion.usage }));
  events.push('data: [DONE]\n\n');
  return events;
}

/**
 * Renders a request into prompt tokens: chat messages through the model's own chat
 * template (node-llama-cpp's resolved wrapper, Jinja included) or, for models without one
 * such as the generated tiny GGUF, a plain fallback ("### Human / ### Assistant", the
 * GeneralChatWrapper); completion prompts are tokenized as they are, with BOS when the
 * model wants it. Also gives the template's stop strings. With tools, the functions are
 * documented the template's way, earlier tool calls and their results (role "tool") are
 * rendered in the template's call syntax, and the syntax of a new call is given as tokens.
 */
import { GeneralChatWrapper, LlamaText, SpecialToken, SpecialTokensText, resolveChatWrapper } from 'node-llama-cpp';
import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelFunctions, ChatModelResponse, ChatWrapper, LlamaModel, Token } from 'node-llama-cpp';
import type { LlamaChatMessage, LlamaGenerationRequest } from './llama-request-parser.ts';
import { invalidRequest } from './llama-request-error.ts';

export type LlamaChatTemplate = 'model' | 'plain';

export interface RenderedPrompt {
  tokens: Token[];
  /** Text stop strings from the chat template (end-of-generation tokens are handled apart). */
  stops: string[];
}

/** The chat template's syntax of one function call: `prefix` name `paramsPrefix` JSON arguments. */
export interface FunctionCallSyntax {
  prefixTokens: Token[];
  /** Text forms of the prefix that start a call in free text (auto tool choice). */
  prefixTexts: string[];
  paramsPrefixTokens: Token[];
}

interface PendingCall {
  call: ChatModelFunctionCall;
  answered: boolean;
  param: string;
}

function parseResult(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch {
    return content;
  }
}

function chatHistory(messages: readonly LlamaChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const pending = new Map<string, PendingCall>();
  // A model turn that made tool calls goes on after their results, as node-llama-cpp renders it.
  let openModel: ChatModelResponse | undefined;
  const checkAnswered = (): void => {
    for (const entry of pending.values()) if (!entry.answered) throw invalidRequest(`'${entry.param}' has no role "tool" message answering it`, entry.param);
    pending.clear();
  };
  messages.forEach((message, index) => {
    if (message.role === 'tool') {
      const entry = pending.get(message.toolCallId);
      if (entry === undefined) throw invalidRequest(`'messages[${index}].tool_call_id' answers no tool call of the assistant message before it`, `messages[${index}].tool_call_id`);
      entry.call.result = parseResult(message.content);
      entry.answered = true;
      return;
    }
    checkAnswered();
    if (message.role === 'assistant') {
      const target = openModel ?? { type: 'model', response: [] };
      if (openModel === undefined) history.push(target);
      if (message.content.length > 0) target.response.push(message.content);
      message.toolCalls.forEach((record, callIndex) => {
        const call: ChatModelFunctionCall = { type: 'functionCall', name: record.name, params: record.params, result: '', startsNewChunk: callIndex === 0 };
        target.response.push(call);
        pending.set(record.id, { call, answered: false, param: `messages[${index}].tool_calls[${callIndex}]` });
      });
      openModel = message.toolCalls.length > 0 ? target : undefined;
      return;
    }
    openModel = undefined;
    history.push(message.role === 'system' ? { type: 'system', text: message.content } : { type: 'user', text: message.content });
  });
  checkAnswered();
  // An open model turn at the end: the template renders the assistant prefix to generate after
  // (after tool results, the model turn that called the tools goes on).
  const last = messages[messages.length - 1];
  if (last?.role !== 'assistant' && last?.role !== 'tool') history.push({ type: 'model', response: [] });
  return history;
}

/** The plain-text form of a stop trigger, or undefined when it holds a special token (EOS…). */
function triggerText(trigger: LlamaText): string | undefined {
  let text = '';
  for (const value of trigger.values) {
    if (typeof value === 'string') text += value;
    else if (value instanceof SpecialTokensText) text += value.value;
    else return undefined;
  }
  return text.length > 0 ? text : undefined;
}

export class LlamaPromptRenderer {
  readonly #model: LlamaModel;
  readonly #wrapper: ChatWrapper;
  readonly template: LlamaChatTemplate;

  constructor(model: LlamaModel, template?: LlamaChatTemplate) {
    this.#model = model;
    const hasTemplate = typeof model.fileInfo.metadata.tokenizer?.chat_template === 'string';
    this.template = template ?? (hasTemplate ? 'model' : 'plain');
    this.#wrapper = this.template === 'model' ? resolveChatWrapper(model, { fallbackToOtherWrappersOnJinjaError: true }) : new GeneralChatWrapper();
  }

  /** Name of the chat wrapper in use, for logs and stats. */
  get chatWrapperName(): string {
    return this.#wrapper.wrapperName;
  }

  render(request: LlamaGenerationRequest): RenderedPrompt {
    if (request.kind === 'completion') {
      const text = this.#model.tokens.shouldPrependBosToken ? LlamaText([new SpecialToken('BOS'), request.prompt]) : LlamaText(request.prompt);
      return { tokens: text.tokenize(this.#model.tokenizer), stops: [] };
    }
    const functions: ChatModelFunctions | undefined = request.tools.length === 0
      ? undefined
      : Object.fromEntries(request.tools.map((tool) => [tool.name, { ...(tool.description === undefined ? {} : { description: tool.description }), params: tool.parameters }]));
    const state = this.#wrapper.generateContextState({
      chatHistory: chatHistory(request.messages),
      ...(functions === undefined ? {} : { availableFunctions: functions, documentFunctionParams: true }),
    });
    const stops = state.stopGenerationTriggers.map(triggerText).filter((stop): stop is string => stop !== undefined);
    return { tokens: state.contextText.tokenize(this.#model.tokenizer), stops: [...new Set(stops)] };
  }

  /** The template's function call syntax, as tokens to force and texts to detect. */
  functionCallSyntax(): FunctionCallSyntax {
    const call = this.#wrapper.settings.functions.call;
    const tokenize = (value: string | LlamaText): Token[] => LlamaText(value).tokenize(this.#model.tokenizer, 'trimLeadingSpace');
    const prefixTexts = [call.prefix, ...(call.prefixAlternateMatches ?? [])]
      .map((value) => triggerText(LlamaText(value)))
      .filter((text): text is string => text !== undefined && text.trim().length > 0);
    return { prefixTokens: tokenize(call.prefix), prefixTexts: [...new Set(prefixTexts)], paramsPrefixTokens: tokenize(call.paramsPrefix) };
  }
}

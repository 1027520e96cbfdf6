/**
 * Renders a request into prompt tokens: chat messages through the model's own chat
 * template (node-llama-cpp's resolved wrapper, Jinja included) or, for models without one
 * such as the generated tiny GGUF, a plain fallback ("### Human / ### Assistant", the
 * GeneralChatWrapper); completion prompts are tokenized as they are, with BOS when the
 * model wants it. Also gives the template's stop strings.
 */
import { GeneralChatWrapper, LlamaText, SpecialToken, SpecialTokensText, resolveChatWrapper } from 'node-llama-cpp';
import type { ChatHistoryItem, ChatWrapper, LlamaModel, Token } from 'node-llama-cpp';
import type { LlamaChatMessage, LlamaGenerationRequest } from './llama-request-parser.ts';

export type LlamaChatTemplate = 'model' | 'plain';

export interface RenderedPrompt {
  tokens: Token[];
  /** Text stop strings from the chat template (end-of-generation tokens are handled apart). */
  stops: string[];
}

function chatHistory(messages: readonly LlamaChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message): ChatHistoryItem => {
    if (message.role === 'system') return { type: 'system', text: message.content };
    if (message.role === 'user') return { type: 'user', text: message.content };
    return { type: 'model', response: [message.content] };
  });
  // An open model turn at the end: the template renders the assistant prefix to generate after.
  if (messages[messages.length - 1]?.role !== 'assistant') history.push({ type: 'model', response: [] });
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
    const state = this.#wrapper.generateContextState({ chatHistory: chatHistory(request.messages) });
    const stops = state.stopGenerationTriggers.map(triggerText).filter((stop): stop is string => stop !== undefined);
    return { tokens: state.contextText.tokenize(this.#model.tokenizer), stops: [...new Set(stops)] };
  }
}

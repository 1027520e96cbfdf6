/**
 * Generates one choice of an answer as events (content pieces, a tool call's start, its
 * argument pieces): free text; text constrained by a JSON grammar (response_format); or a
 * tool call in the chat template's own syntax — forced for tool_choice "required" or a named
 * function (call prefix forced, the name chosen by a grammar among the tools, the arguments
 * constrained by the tool's JSON-schema grammar), detected for "auto" (free text until the
 * template's call prefix appears, then the same constrained steps). Sets the finish reason.
 */
import type { LlamaGrammar, Token } from 'node-llama-cpp';
import type { LlamaGenerationRun, PhaseOutcome, TokenLogprob } from './llama-generation.ts';
import type { FunctionCallSyntax } from './llama-prompt-renderer.ts';
import type { LlamaToolChoice } from './llama-tool-request.ts';

export type ChoiceEvent =
  | { type: 'content'; text: string; logprobs?: TokenLogprob[] }
  | { type: 'tool_call'; id: string; name: string }
  | { type: 'arguments'; text: string };

/** A grammar with the text stop strings that end it (node-llama-cpp's JSON grammars end in blank lines). */
export interface StoppingGrammar {
  grammar: LlamaGrammar;
  stops: string[];
}

export interface ToolCallPlan {
  choice: Exclude<LlamaToolChoice, { mode: 'none' }>;
  names: string[];
  syntax: FunctionCallSyntax;
  /** Arguments grammar per tool name. */
  arguments: ReadonlyMap<string, StoppingGrammar>;
  /** Builds the grammar choosing among (the rest of) tool names. */
  nameGrammar: (alternatives: readonly string[]) => Promise<LlamaGrammar>;
  tokenize: (text: string) => Token[];
  newCallId: () => string;
}

export interface ChoicePlan {
  /** Stop strings of the template and the request. */
  stops: readonly string[];
  /** response_format json_object / json_schema. */
  json: StoppingGrammar | undefined;
  tools: ToolCallPlan | undefined;
  logprobs: number | undefined;
}

const finishOf = (end: PhaseOutcome['end']): 'stop' | 'length' => (end === 'length' ? 'length' : 'stop');

export async function* generateChoice(run: LlamaGenerationRun, plan: ChoicePlan): AsyncGenerator<ChoiceEvent> {
  const outcome: PhaseOutcome = { end: 'length' };
  if (plan.tools === undefined) {
    const stops = plan.json === undefined ? plan.stops : [...plan.stops, ...plan.json.stops];
    for await (const piece of run.phase({ stops, grammar: plan.json?.grammar, logprobs: plan.logprobs }, outcome)) yield { type: 'content', ...piece };
    run.result.finishReason = finishOf(outcome.end);
    return;
  }
  yield* toolCallChoice(run, plan, plan.tools, outcome);
}

async function* toolCallChoice(run: LlamaGenerationRun, plan: ChoicePlan, tools: ToolCallPlan, outcome: PhaseOutcome): AsyncGenerator<ChoiceEvent> {
  let typed = '';
  let candidates = tools.choice.mode === 'function' ? [tools.choice.name] : tools.names;
  if (tools.choice.mode === 'auto') {
    const prefixes = tools.syntax.prefixTexts;
    for await (const piece of run.phase({ stops: [...plan.stops, ...prefixes], logprobs: plan.logprobs }, outcome)) yield { type: 'content', ...piece };
    run.result.finishReason = finishOf(outcome.end);
    if (outcome.end !== 'stop' || outcome.stop === undefined || !prefixes.includes(outcome.stop)) return;
    typed = (outcome.after ?? '').trimStart();
    candidates = candidates.filter((name) => name.startsWith(typed));
    if (candidates.length === 0) return;
  } else {
    run.force(tools.syntax.prefixTokens);
  }
  const name = await chooseName(run, tools, candidates, typed);
  if (name === undefined) {
    run.result.finishReason = 'length';
    return;
  }
  yield { type: 'tool_call', id: tools.newCallId(), name };
  run.force(tools.syntax.paramsPrefixTokens);
  const grammar = tools.arguments.get(name);
  for await (const piece of run.phase({ stops: grammar?.stops ?? [], grammar: grammar?.grammar }, outcome)) {
    if (piece.text.length > 0) yield { type: 'arguments', text: piece.text };
  }
  run.result.finishReason = outcome.end === 'length' ? 'length' : 'tool_calls';
}

/** The called tool's name: forced when only one fits, else sampled under a grammar; undefined when the budget ran out. */
async function chooseName(run: LlamaGenerationRun, tools: ToolCallPlan, candidates: readonly string[], typed: string): Promise<string | undefined> {
  const exact = candidates.find((name) => name === typed);
  if (exact !== undefined) return exact;
  if (candidates.length === 1) {
    const only = candidates[0] ?? '';
    run.force(tools.tokenize(only.slice(typed.length)));
    return only;
  }
  const grammar = await tools.nameGrammar(candidates.map((name) => name.slice(typed.length)));
  const outcome: PhaseOutcome = { end: 'length' };
  let text = '';
  for await (const piece of run.phase({ stops: [], grammar }, outcome)) text += piece.text;
  const name = typed + text;
  return candidates.includes(name) ? name : undefined;
}

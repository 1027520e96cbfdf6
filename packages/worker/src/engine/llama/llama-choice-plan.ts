/**
 * Builds the ChoicePlan of a parsed request before any answer byte is sent: the stop strings,
 * the JSON grammar of `response_format`, and for tool calls the template's call syntax and one
 * JSON-schema grammar per tool (a schema llama.cpp cannot turn into a grammar is refused with
 * CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER naming the field).
 */
import { randomBytes } from 'node:crypto';
import { LlamaText } from 'node-llama-cpp';
import type { GbnfJsonSchema, Llama, LlamaGrammar, LlamaModel } from 'node-llama-cpp';
import type { ChoicePlan, StoppingGrammar, ToolCallPlan } from './llama-choice-generation.ts';
import type { LlamaPromptRenderer } from './llama-prompt-renderer.ts';
import type { LlamaGenerationRequest } from './llama-request-parser.ts';
import { unsupportedParameter } from './llama-request-error.ts';

function stopTexts(grammar: LlamaGrammar): string[] {
  return grammar.stopGenerationTriggers
    .map((trigger) => (typeof trigger === 'string' ? trigger : LlamaText.isLlamaText(trigger) ? trigger.toString() : undefined))
    .filter((text): text is string => text !== undefined && text.length > 0);
}

const NUMBER_EXPONENT = '([eE] [-+]? ("0" | [1-9] [0-9]{0,15}))?';

/**
 * node-llama-cpp's number rules allow 16-digit exponents (1E9999 parses as Infinity) and
 * exponents on integers; numbers here stay finite and integers stay safe integers.
 */
function boundNumbers(gbnf: string): string {
  return gbnf
    .split('\n')
    .map((line) => {
      if (line.startsWith('integer-number-rule ::= ')) return line.replace(NUMBER_EXPONENT, '').replace('[1-9] [0-9]{0,15}', '[1-9] [0-9]{0,14}');
      if (line.startsWith('fractional-number-rule ::= ')) return line.replace(NUMBER_EXPONENT, '([eE] [-+]? [1-9] [0-9]?)?');
      return line;
    })
    .join('\n');
}

async function jsonGrammar(llama: Llama, schema: GbnfJsonSchema, param: string): Promise<StoppingGrammar> {
  try {
    // The schema is built at run time, so its literal type is not known to the typings.
    const schemaGrammar: LlamaGrammar = await llama.createGrammarForJsonSchema(schema as never);
    const grammar = await llama.createGrammar({
      grammar: boundNumbers(schemaGrammar.grammar),
      stopGenerationTriggers: schemaGrammar.stopGenerationTriggers,
      trimWhitespaceSuffix: schemaGrammar.trimWhitespaceSuffix,
    });
    return { grammar, stops: stopTexts(grammar) };
  } catch (error) {
    throw unsupportedParameter(`'${param}' cannot be turned into a grammar: ${error instanceof Error ? error.message : String(error)}`, param);
  }
}

const gbnfLiteral = (text: string): string => JSON.stringify(text);

export async function buildChoicePlan(llama: Llama, model: LlamaModel, renderer: LlamaPromptRenderer, request: LlamaGenerationRequest, templateStops: readonly string[]): Promise<ChoicePlan> {
  const stops = [...templateStops, ...request.stop];
  const json = request.responseFormat.type === 'json' ? await jsonGrammar(llama, request.responseFormat.schema, 'response_format') : undefined;
  const choice = request.toolChoice;
  if (choice.mode === 'none' || request.tools.length === 0) return { stops, json, tools: undefined, logprobs: request.logprobs };
  if (json !== undefined) throw unsupportedParameter("'response_format' together with tool calls is not supported by the llama engine (use tool_choice 'none')", 'response_format');
  const argumentGrammars = new Map<string, StoppingGrammar>();
  for (const [index, tool] of request.tools.entries()) argumentGrammars.set(tool.name, await jsonGrammar(llama, tool.parameters, `tools[${index}].function.parameters`));
  const tools: ToolCallPlan = {
    choice,
    names: request.tools.map((tool) => tool.name),
    syntax: renderer.functionCallSyntax(),
    arguments: argumentGrammars,
    nameGrammar: (alternatives) => llama.createGrammar({ grammar: `root ::= ${alternatives.map(gbnfLiteral).join(' | ')}` }),
    tokenize: (text) => LlamaText(text).tokenize(model.tokenizer, 'trimLeadingSpace'),
    newCallId: () => `call_${randomBytes(12).toString('hex')}`,
  };
  return { stops, json, tools, logprobs: request.logprobs };
}

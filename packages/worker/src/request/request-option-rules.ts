/**
 * Allow-lists of the OpenAI request options a worker forwards to its engine (§4.6), one
 * checker per option. Each checker returns undefined when the value is acceptable, or a
 * short reason. Differs from the reference on purpose: tools/tool_choice and the options
 * upstream accepts later (§13: seed, user, logprobs, logit_bias, metadata, store,
 * service_tier) are allowed; completions' `suffix` is a string as in the OpenAI API.
 */

export type OptionChecker = (value: unknown, name: string) => string | undefined;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const anyValue: OptionChecker = () => undefined;
const boolean: OptionChecker = (value, name) => (typeof value === 'boolean' ? undefined : `'${name}' must be a boolean`);
const string: OptionChecker = (value, name) => (typeof value === 'string' ? undefined : `'${name}' must be a string`);
const array: OptionChecker = (value, name) => (Array.isArray(value) ? undefined : `'${name}' must be an array`);
const object: OptionChecker = (value, name) => (isPlainObject(value) ? undefined : `'${name}' must be an object`);

const numberIn = (min: number, max: number): OptionChecker => (value, name) =>
  typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max
    ? undefined
    : `'${name}' must be a number in [${min}, ${max}]`;

const integerAtLeast = (min: number): OptionChecker => (value, name) =>
  Number.isSafeInteger(value) && (value as number) >= min ? undefined : `'${name}' must be an integer >= ${min}`;

const unsignedInteger = integerAtLeast(0);
const finiteNumber: OptionChecker = (value, name) =>
  typeof value === 'number' && Number.isFinite(value) ? undefined : `'${name}' must be a number`;
const integer: OptionChecker = (value, name) => (Number.isSafeInteger(value) ? undefined : `'${name}' must be an integer`);

const oneOf = (...checkers: OptionChecker[]): OptionChecker => (value, name) => {
  let reason: string | undefined;
  for (const checker of checkers) {
    reason = checker(value, name);
    if (reason === undefined) return undefined;
  }
  return reason;
};

/** An object whose keys are limited to `allowed`, each checked by its own checker. */
const objectWith = (allowed: Record<string, OptionChecker>): OptionChecker => (value, name) => {
  if (!isPlainObject(value)) return `'${name}' must be an object`;
  for (const key of Object.keys(value)) {
    const checker = allowed[key];
    if (checker === undefined) return `unknown option '${name}.${key}'`;
    const reason = checker(value[key], `${name}.${key}`);
    if (reason !== undefined) return reason;
  }
  return undefined;
};

const objectOfNumbers: OptionChecker = (value, name) => {
  if (!isPlainObject(value)) return `'${name}' must be an object`;
  for (const entry of Object.values(value)) if (typeof entry !== 'number') return `'${name}' values must be numbers`;
  return undefined;
};

const objectOfStrings: OptionChecker = (value, name) => {
  if (!isPlainObject(value)) return `'${name}' must be an object`;
  for (const entry of Object.values(value)) if (typeof entry !== 'string') return `'${name}' values must be strings`;
  return undefined;
};

const toolList: OptionChecker = (value, name) => {
  if (!Array.isArray(value)) return `'${name}' must be an array`;
  for (const tool of value) if (!isPlainObject(tool)) return `'${name}' must be an array of objects`;
  return undefined;
};

const streamOptions = objectWith({ include_usage: boolean, include_obfuscation: boolean });
const penalty = numberIn(-2, 2);

export const CHAT_OPTION_RULES: Readonly<Record<string, OptionChecker>> = {
  messages: array,
  model: string,
  frequency_penalty: penalty,
  max_completion_tokens: unsignedInteger,
  max_tokens: unsignedInteger,
  n: integerAtLeast(1),
  parallel_tool_calls: boolean,
  prediction: oneOf(object, finiteNumber),
  presence_penalty: penalty,
  reasoning_effort: string,
  response_format: anyValue,
  stop: anyValue,
  stream: boolean,
  stream_options: streamOptions,
  temperature: numberIn(0, 2),
  top_logprobs: unsignedInteger,
  top_p: numberIn(0, 1),
  verbosity: string,
  chat_template_kwargs: objectWith({ enable_thinking: boolean }),
  tools: toolList,
  tool_choice: oneOf(string, object),
  seed: integer,
  user: string,
  logprobs: boolean,
  logit_bias: objectOfNumbers,
  metadata: objectOfStrings,
  store: boolean,
  service_tier: string,
};

export const COMPLETION_OPTION_RULES: Readonly<Record<string, OptionChecker>> = {
  prompt: oneOf(string, array),
  model: string,
  best_of: integerAtLeast(1),
  echo: boolean,
  frequency_penalty: penalty,
  max_tokens: unsignedInteger,
  n: integerAtLeast(1),
  presence_penalty: penalty,
  seed: integer,
  stop: anyValue,
  stream: boolean,
  stream_options: streamOptions,
  suffix: string,
  temperature: numberIn(0, 2),
  top_p: numberIn(0, 1),
  skip_special_tokens: boolean,
  user: string,
  logprobs: unsignedInteger,
  logit_bias: objectOfNumbers,
};

export const CHAT_REQUIRED_OPTIONS: readonly string[] = ['messages', 'model'];
export const COMPLETION_REQUIRED_OPTIONS: readonly string[] = ['prompt', 'model'];

export { isPlainObject };

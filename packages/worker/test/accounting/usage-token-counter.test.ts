/** Tests of the SSE-aware usage token counter (§5.1). */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MULTIPLIERS } from '@cocoon/protocol';
import { UsageTokenCounter } from '../../src/accounting/index.ts';

const newCounter = (coefficient = 1000, pricePerToken = 2n) =>
  new UsageTokenCounter({ coefficient, multipliers: DEFAULT_MULTIPLIERS, pricePerToken });

/** Runs `body` through a counter in the given chunks; returns the output and the counter. */
function run(chunks: Buffer[], counter = newCounter()) {
  const out: Buffer[] = chunks.map((chunk) => counter.transform(chunk));
  out.push(counter.flush());
  return { output: Buffer.concat(out).toString('utf8'), counter };
}

const usage34 = {
  prompt_tokens: 34,
  prompt_tokens_details: { cached_tokens: 11 },
  completion_tokens: 100,
  completion_tokens_details: { reasoning_tokens: 10 },
  total_tokens: 134,
};

/** The reference benchmark backend: NDJSON padding lines then one usage line. */
function benchmarkBody(chunks = 50, bytes = 128): string {
  let body = '';
  for (let index = 0; index < chunks; index++) body += JSON.stringify({ delta: '0'.repeat(bytes), i: index }) + '\n';
  return body + JSON.stringify({ usage: usage34 }) + '\n';
}

function sseBody(): string {
  const chunk = (content: string) =>
    `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"${content}"}}],"usage":null}\n\n`;
  return (
    chunk('Hello') +
    ': keep-alive comment\n\n' +
    chunk(' world') +
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [], usage: usage34 })}\n\n` +
    'data: [DONE]\n\n'
  );
}

describe('UsageTokenCounter: SSE', () => {
  test('counts usage, injects costs, keeps other events byte for byte', () => {
    const body = sseBody();
    const { output, counter } = run([Buffer.from(body)]);
    assert.deepEqual(counter.rawUsage, { promptTokens: 34, cachedTokens: 11, completionTokens: 100, reasoningTokens: 10 });
    assert.deepEqual(counter.adjusted, { prompt: 23, cached: 11, completion: 90, reasoning: 10, total: 134 });
    const lines = output.split('\n');
    const original = body.split('\n');
    assert.equal(lines.length, original.length);
    for (let index = 0; index < lines.length; index++) {
      if (original[index]!.includes('"usage":{')) {
        const event = JSON.parse(lines[index]!.slice('data: '.length));
        assert.equal(event.usage.prompt_total_cost, 68);
        assert.equal(event.usage.completion_total_cost, 200);
        assert.equal(event.usage.total_cost, 268);
        assert.equal(event.usage.prompt_tokens, 34);
      } else {
        assert.equal(lines[index], original[index]);
      }
    }
    assert.ok(output.endsWith('data: [DONE]\n\n'));
  });

  test('split at every byte boundary gives identical output and counts', () => {
    const body = Buffer.from(sseBody());
    const whole = run([body]);
    for (let cut = 0; cut <= body.length; cut++) {
      const split = run([body.subarray(0, cut), body.subarray(cut)]);
      assert.equal(split.output, whole.output, `cut at ${cut}`);
      assert.deepEqual(split.counter.adjusted, whole.counter.adjusted);
    }
    const byByte = run([...body].map((byte) => Buffer.from([byte])));
    assert.equal(byByte.output, whole.output);
    assert.deepEqual(byByte.counter.rawUsage, whole.counter.rawUsage);
  });

  test('forwards complete lines at once and holds back only the incomplete tail', () => {
    const counter = newCounter();
    assert.equal(counter.transform(Buffer.from('data: {"a":1}\n\ndata: {"b"')).toString(), 'data: {"a":1}\n\n');
    assert.equal(counter.transform(Buffer.from(':2}\n\n')).toString(), 'data: {"b":2}\n\n');
    assert.equal(counter.flush().length, 0);
  });

  test('CRLF framing and usage on the last line without newline', () => {
    const body = 'data: {"x":1}\r\n\r\ndata: {"usage":{"prompt_tokens":5,"completion_tokens":3}}';
    const { output, counter } = run([Buffer.from(body)]);
    assert.ok(output.startsWith('data: {"x":1}\r\n\r\ndata: {"usage":{'));
    assert.equal(JSON.parse(output.split('\r\n\r\n')[1]!.slice(6)).usage.total_cost, 16);
    assert.equal(counter.adjusted.total, 8);
  });

  test('malformed data lines pass through without crashing', () => {
    const body = 'data: {"usage":{"prompt_tokens":5,}\n\ndata: not json "usage":{\n\ndata: [DONE]\n\n';
    const { output, counter } = run([Buffer.from(body)]);
    assert.equal(output, body);
    assert.equal(counter.adjusted.total, 0);
  });
});

describe('UsageTokenCounter: JSON', () => {
  test('NDJSON like the reference benchmark backend', () => {
    const body = benchmarkBody();
    const { output, counter } = run([Buffer.from(body)]);
    assert.deepEqual(counter.adjusted, { prompt: 23, cached: 11, completion: 90, reasoning: 10, total: 134 });
    const lines = output.trimEnd().split('\n');
    assert.equal(lines.length, 51);
    assert.equal(lines[7], body.split('\n')[7]);
    // Same costs as the golden frames (price 2): 68 / 200 / 268.
    assert.deepEqual(JSON.parse(lines[50]!).usage, { ...usage34, prompt_total_cost: 68, completion_total_cost: 200, total_cost: 268 });
  });

  test('NDJSON split at every byte boundary of a small body', () => {
    const body = Buffer.from(benchmarkBody(3, 8));
    const whole = run([body]);
    for (let cut = 0; cut <= body.length; cut++) {
      const split = run([body.subarray(0, cut), body.subarray(cut)]);
      assert.equal(split.output, whole.output, `cut at ${cut}`);
      assert.deepEqual(split.counter.rawUsage, whole.counter.rawUsage);
    }
  });

  test('escaped quotes and backslashes split at every byte boundary', () => {
    const body = Buffer.from('{"a":"x\\"}y\\\\","b":"{["}{"usage":{"prompt_tokens":5,"note":"\\\\\\"}"}}\n');
    const whole = run([body]);
    assert.equal(whole.counter.rawUsage.promptTokens, 5);
    assert.equal(whole.output.split('\n')[0]!.startsWith('{"a":"x\\"}y\\\\","b":"{["}{"usage"'), true);
    for (let cut = 0; cut <= body.length; cut++) {
      const split = run([body.subarray(0, cut), body.subarray(cut)]);
      assert.equal(split.output, whole.output, `cut at ${cut}`);
    }
    assert.equal(run([...body].map((byte) => Buffer.from([byte]))).output, whole.output);
  });

  test('values are forwarded as soon as they are complete', () => {
    const counter = newCounter();
    assert.equal(counter.transform(Buffer.from('{"a":"}"}{"b":[1,')).toString(), '{"a":"}"}');
    assert.equal(counter.transform(Buffer.from('2]}\n')).toString(), '{"b":[1,2]}\n');
  });

  test('single pretty-printed JSON object with cached and reasoning tokens, coefficient 1500', () => {
    const response = {
      id: 'x',
      choices: [{ index: 0, message: { role: 'assistant', content: 'says "usage" here' } }],
      usage: {
        prompt_tokens: 1000,
        completion_tokens: 500,
        prompt_tokens_details: { cached_tokens: 200 },
        completion_tokens_details: { reasoning_tokens: 100 },
      },
    };
    const { output, counter } = run([Buffer.from(JSON.stringify(response, null, 2))], newCounter(1500, 20n));
    assert.deepEqual(counter.adjusted, { prompt: 1200, cached: 300, completion: 600, reasoning: 150, total: 2250 });
    const parsed = JSON.parse(output);
    assert.equal(parsed.usage.total_cost, 45_000);
    assert.equal(parsed.usage.prompt_total_cost, 30_000);
    assert.equal(parsed.usage.completion_total_cost, 15_000);
    assert.equal(parsed.choices[0].message.content, 'says "usage" here');
  });

  test('keeps the maximum seen, also of the flat reasoning_tokens field', () => {
    const body =
      '{"usage":{"prompt_tokens":10,"completion_tokens":4,"reasoning_tokens":2}}\n' +
      '{"usage":{"prompt_tokens":7,"completion_tokens":9,"reasoning_tokens":-1}}\n' +
      '{"usage":{"prompt_tokens":"12","completion_tokens":1.5}}\n';
    const { counter } = run([Buffer.from(body)]);
    assert.deepEqual(counter.rawUsage, { promptTokens: 10, cachedTokens: 0, completionTokens: 9, reasoningTokens: 2 });
  });

  test('values without usage are untouched, usage:null is not parsed as usage', () => {
    const body = '{ "b" : 1 ,  "a":2 }\n{"usage": null, "z": 1}\n';
    const { output, counter } = run([Buffer.from(body)]);
    assert.equal(output, body);
    assert.equal(counter.adjusted.total, 0);
  });

  test('malformed JSON values pass through without crashing', () => {
    const body = '{"usage":{"prompt_tokens":3,}}\n}}garbage{"ok":1}\n{"usage":{"prompt_tokens":4}';
    const { output, counter } = run([Buffer.from(body)]);
    assert.equal(output, body);
    assert.equal(counter.rawUsage.promptTokens, 0);
  });

  test('empty body and whitespace only', () => {
    const { output } = run([Buffer.alloc(0), Buffer.from('  \n')]);
    assert.equal(output, '  \n');
  });
});

/**
 * The shared task prompt helpers (the client runner's task routes and the SDK build the same messages):
 * token budgets of summaries and translations, the answer text of reasoning models, and that the browser
 * entry exports the same functions as the main one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as main from '../../src/index.ts';
import * as browser from '../../src/browser.ts';
import { summaryMaxTokens, taskAnswerText, translationMaxTokens } from '../../src/tasks/task-prompt-templates.ts';

test('token budgets: the default, or more when the words or the text need it', () => {
  assert.equal(summaryMaxTokens(undefined, 1000), 1000);
  assert.equal(summaryMaxTokens(100, 1000), 1000);
  assert.equal(summaryMaxTokens(2000, 1000), 2000 * 2 + 256);
  assert.equal(translationMaxTokens('short', 1000), 1000);
  assert.equal(translationMaxTokens('x'.repeat(4001), 1000), 2001 + 256);
});

test('a leading <think> block is not part of the answer', () => {
  assert.equal(taskAnswerText('  <think>plan\nmore</think>\n\n Bonjour. '), 'Bonjour.');
  assert.equal(taskAnswerText('Keep <think>this</think>'), 'Keep <think>this</think>');
});

test('both entries export the same task functions', () => {
  for (const name of ['summarizeMessages', 'translateMessages', 'renderPromptTemplate', 'resolvePromptTemplates', 'summaryMaxTokens', 'translationMaxTokens', 'taskAnswerText'] as const) {
    assert.equal(typeof main[name], 'function', name);
    assert.equal(browser[name], main[name], name);
  }
  assert.equal(browser.DEFAULT_TASK_PROMPT_TEMPLATES, main.DEFAULT_TASK_PROMPT_TEMPLATES);
});

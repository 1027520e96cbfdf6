/**
 * Prompt templates of the Telegram tasks: rendering, overrides, optional fields.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_TELEGRAM_PROMPT_TEMPLATES, renderPromptTemplate, resolvePromptTemplates, summarizeMessages, translateMessages,
} from '../../../src/http/telegram/index.ts';

describe('telegram prompt templates', () => {
  test('placeholders in the inserted text are not expanded, unknown ones stay', () => {
    assert.equal(renderPromptTemplate('{a} and {b} and {unknown}', { a: '{b}', b: 'B' }), '{b} and B and {unknown}');
  });

  test('overrides replace only the given templates', () => {
    const templates = resolvePromptTemplates({ translateUser: 'Translate: {text}', summarizeSystem: undefined });
    assert.equal(templates.translateUser, 'Translate: {text}');
    assert.equal(templates.summarizeSystem, DEFAULT_TELEGRAM_PROMPT_TEMPLATES.summarizeSystem);
  });

  test('summary messages carry the text, the word limit and the language', () => {
    const [system, user] = summarizeMessages(resolvePromptTemplates(), 'Long {language} text', 50, 'German');
    assert.equal(system!.role, 'system');
    assert.match(system!.content, /at most 50 words/);
    assert.match(system!.content, /in German\./);
    assert.equal(user!.content, 'Text to summarize:\n\nLong {language} text');
    const [plainSystem] = summarizeMessages(resolvePromptTemplates(), 't', undefined, undefined);
    assert.doesNotMatch(plainSystem!.content, /words\./);
    assert.match(plainSystem!.content, /same language as the text/);
  });

  test('custom templates get every placeholder', () => {
    const templates = resolvePromptTemplates({ translateSystem: '{source_language}->{target_language}', translateUser: '<{text}>', summarizeUser: '{max_words}|{language}|{text}' });
    assert.deepEqual(translateMessages(templates, 'hi', 'French', 'English').map((message) => message.content), ['English->French', '<hi>']);
    assert.match(translateMessages(templates, 'hi', 'French', undefined)[0]!.content, /^its original language->French$/);
    assert.equal(summarizeMessages(templates, 'x', 7, 'en')[1]!.content, '7|en|x');
  });
});

/**
 * The operator's /stats page rendered from the /jsonstats object: one section per top-level key,
 * objects as two-column tables, arrays of objects as row tables with the union of their columns,
 * scalar lists inline; every key and value HTML-escaped (a worker's model name or a peer's
 * address must not inject markup), bigints exact, and deep nesting bounded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderStatsPage } from '../../src/stats-http/index.ts';

/** The body after the <h1>, where the sections start. */
const sections = (stats: Record<string, unknown>): string => renderStatsPage(stats, 'T').split('<h1>T</h1>')[1]?.replace('</body></html>', '') ?? '';

describe('renderStatsPage', () => {
  test('a self-contained page with the title in <title> and <h1>', () => {
    const page = renderStatsPage({}, 'proxy 11000');
    assert.match(page, /^<!DOCTYPE html><html><head><meta charset="utf-8"><title>proxy 11000<\/title><style>/);
    assert.match(page, /<h1>proxy 11000<\/h1><\/body><\/html>$/);
    assert.match(renderStatsPage({}), /<title>COCOON<\/title>/, 'default title');
    assert.doesNotMatch(page, /<script|src=|href=/, 'nothing loaded from elsewhere');
  });

  test('objects are key/value tables; scalars keep their JSON form, strings are bare', () => {
    assert.equal(sections({ status: { enabled: true, model: 'tiny', load: 0.5, note: null } }),
      '<h2>status</h2><table><tr><th>enabled</th><td>true</td></tr><tr><th>model</th><td>tiny</td></tr><tr><th>load</th><td>0.5</td></tr><tr><th>note</th><td></td></tr></table>');
  });

  test('arrays of objects become one row each, with every column any row has', () => {
    const html = sections({ workers: [{ model: 'a', coefficient: 1000 }, { model: 'b', queries: 3 }] });
    assert.equal(html, '<h2>workers</h2><table><tr><th>model</th><th>coefficient</th><th>queries</th></tr>'
      + '<tr><td>a</td><td>1000</td><td></td></tr><tr><td>b</td><td></td><td>3</td></tr></table>');
  });

  test('scalar arrays (decaying counters) are inline; mixed arrays are ordered lists', () => {
    assert.equal(sections({ requests: [5, 4.5, 3] }), '<h2>requests</h2>5 / 4.5 / 3');
    assert.equal(sections({ mixed: [1, { a: 2 }, [3]] }), '<h2>mixed</h2><ol><li>1</li><li><table><tr><th>a</th><td>2</td></tr></table></li><li>3</li></ol>');
    assert.equal(sections({ none: [] }), '<h2>none</h2>');
  });

  test('bigints render exactly, also beyond 2^53', () => {
    assert.equal(sections({ balance: 123456789012345678901n }), '<h2>balance</h2>123456789012345678901');
    assert.match(sections({ totals: { paid: 2n ** 64n } }), /<td>18446744073709551616<\/td>/);
  });

  test('keys, values and the title are escaped', () => {
    const evil = '<img src=x onerror="alert(1)">&\'';
    const page = renderStatsPage({ [evil]: { [evil]: evil, list: [evil] }, rows: [{ [evil]: evil }] }, evil);
    assert.doesNotMatch(page, /<img/);
    assert.ok(page.includes('&#60;img src=x onerror=&#34;alert(1)&#34;&#62;&#38;&#39;'));
    assert.doesNotMatch(sections({ json: { v: { a: '<b>' } } }), /<b>/);
  });

  test('nesting deeper than 8 levels is shown as escaped JSON instead of more tables', () => {
    let deep: Record<string, unknown> = { leaf: '<x>', big: 1n };
    for (let level = 0; level < 10; level += 1) deep = { d: deep };
    const html = sections({ deep });
    assert.equal(html.match(/<table>/g)?.length, 9);
    assert.ok(html.includes('{&#34;d&#34;:{&#34;leaf&#34;:&#34;&#60;x&#62;&#34;,&#34;big&#34;:&#34;1&#34;}}'), html.slice(-200));
  });
});

/**
 * The dashboard's page and script routes (no browser here; the browser test is in
 * packages/cli/test/dashboard): a strict Content-Security-Policy whose style hash matches the
 * page's only inline block, no inline script, a script that parses and never builds markup from
 * text, and on a real stats server: the page is public, its data (/jsonstats) is not, and the
 * Host and Origin doors hold for the page too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Script } from 'node:vm';
import {
  DASHBOARD_CONTENT_SECURITY_POLICY, dashboardAnswer, renderDashboardPage, startStatsHttpServer, type StatsHttpServer,
} from '../../src/index.ts';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; text: string }

function send(server: StatsHttpServer, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: server.port, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('dashboard page and script', () => {
  test('the policy: scripts only from this origin, no inline script or eval, data only from this origin, no frames', () => {
    const directives = new Map(DASHBOARD_CONTENT_SECURITY_POLICY.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values.join(' ')];
    }));
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('script-src'), "'self'");
    assert.equal(directives.get('connect-src'), "'self'");
    assert.equal(directives.get('frame-ancestors'), "'none'");
    assert.equal(directives.get('base-uri'), "'none'");
    assert.doesNotMatch(DASHBOARD_CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|\*|https?:/);
  });

  test("the style hash in the policy is the page's one inline style block; the page has no inline script", () => {
    const html = renderDashboardPage('proxy', 'COCOON proxy');
    const styles = [...html.matchAll(/<style>([^<]*)<\/style>/g)].map((match) => match[1]!);
    assert.equal(styles.length, 1);
    const hash = createHash('sha256').update(styles[0]!, 'utf8').digest('base64');
    assert.match(DASHBOARD_CONTENT_SECURITY_POLICY, new RegExp(`style-src 'sha256-${hash.replace(/[+/]/g, '\\$&')}'`));
    const scripts = [...html.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]![1]!, /src="\/dashboard\.js"/);
    assert.equal(scripts[0]![2], '', 'no inline script body');
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
    assert.doesNotMatch(html, /https?:\/\//, 'nothing from another origin');
  });

  test('the title and role are escaped', () => {
    const html = renderDashboardPage('runner', '<img src=x onerror=alert(1)>');
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /&#60;img src=x onerror=alert\(1\)&#62;/);
  });

  test('routes: GET and HEAD of /dashboard and /dashboard.js, nothing else; the script parses and never parses text as markup', () => {
    const page = dashboardAnswer('GET', '/dashboard', 'worker', 'COCOON worker');
    assert.equal(page?.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page?.headers['content-security-policy'], DASHBOARD_CONTENT_SECURITY_POLICY);
    assert.equal(page?.headers['x-content-type-options'], 'nosniff');
    assert.equal(page?.headers['cache-control'], 'no-store');
    assert.match(page!.body, /data-role="worker"/);
    const script = dashboardAnswer('HEAD', '/dashboard.js', 'worker', 'COCOON worker');
    assert.equal(script?.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.doesNotThrow(() => new Script(script!.body, { filename: 'dashboard.js' }));
    assert.doesNotMatch(script!.body, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    assert.match(script!.body, /fetch\(url/);
    assert.doesNotMatch(script!.body, /fetch\('https?:/);
    assert.equal(dashboardAnswer('POST', '/dashboard', 'worker', 'x'), undefined);
    assert.equal(dashboardAnswer('GET', '/dashboard/', 'worker', 'x'), undefined);
    assert.equal(dashboardAnswer('GET', '/stats', 'worker', 'x'), undefined);
  });
});

describe('dashboard on a stats server that requires a credential', () => {
  const TOKEN = 'ef'.repeat(32);
  let server: StatsHttpServer;
  before(async () => {
    server = await startStatsHttpServer({
      host: '127.0.0.1', port: 0, title: 'COCOON worker', role: 'worker', adminToken: TOKEN, accessHash: 'open-sesame',
      jsonStats: () => ({ stats: { queries: [1, 0, 0, 0, 0, 0, 0] } }),
    });
  });
  after(async () => {
    await server?.close();
  });

  test('the page and its script are public; the data needs the admin token or the access hash', async () => {
    const page = await send(server, 'GET', '/dashboard');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-security-policy'], DASHBOARD_CONTENT_SECURITY_POLICY);
    assert.doesNotMatch(page.text, /queries/, 'the page carries no data');
    assert.equal((await send(server, 'GET', '/dashboard.js')).status, 200);
    const head = await send(server, 'HEAD', '/dashboard');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal((await send(server, 'GET', '/jsonstats')).status, 401);
    assert.equal((await send(server, 'GET', '/jsonstats', { authorization: 'Bearer wrong' })).status, 401);
    const byToken = await send(server, 'GET', '/jsonstats', { authorization: `Bearer ${TOKEN}` });
    assert.equal(byToken.status, 200);
    assert.match(byToken.text, /queries/);
    assert.equal((await send(server, 'GET', '/jsonstats?access_hash=open-sesame')).status, 200);
  });

  test('the page keeps the doors: a foreign Host is 421, a foreign Origin 403, POST is not the page', async () => {
    assert.equal((await send(server, 'GET', '/dashboard', { host: 'attacker.example' })).status, 421);
    assert.equal((await send(server, 'GET', '/dashboard', { origin: 'http://attacker.example' })).status, 403);
    assert.equal((await send(server, 'POST', '/dashboard')).status, 401, 'not the public page: the stats door answers');
    assert.equal((await send(server, 'POST', '/dashboard', { authorization: `Bearer ${TOKEN}` })).status, 404);
  });
});

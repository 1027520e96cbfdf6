/**
 * Benchmark baseline: a bare one-hop keep-alive HTTP reverse proxy in its own process
 * (node:http server → undici Pool to the target), streaming the answer through chunk by
 * chunk. It measures "what one minimal Node hop costs" next to the COCOON chain.
 * Usage: `node --import tsx bench-relay-main.ts --target http://127.0.0.1:P [--port 0]`;
 * prints `{"event":"ready","role":"relay","url":…,"port":…}`, exits on SIGTERM/SIGINT or
 * when its parent closes stdin.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'proxy-connection', 'upgrade', 'te', 'trailer']);

function endToEndHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) result[name] = value;
  return result;
}

const { values } = parseArgs({ options: { target: { type: 'string' }, port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } } });
if (values.target === undefined) throw new Error('--target is required');
const pool = new Pool(values.target, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 30_000 });

const server = createServer((request, response) => {
  const method = request.method === 'POST' ? 'POST' : 'GET';
  pool
    .request({ path: request.url ?? '/', method, headers: endToEndHeaders(request.headers), body: method === 'POST' ? request : null })
    .then(async (upstream) => {
      response.writeHead(upstream.statusCode, endToEndHeaders(upstream.headers));
      for await (const chunk of upstream.body) response.write(chunk);
      response.end();
    })
    .catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`relay: ${String(error)}`);
      }
    });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(Number(values.port), values.host, () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ event: 'ready', role: 'relay', url: `http://${values.host}:${port}`, port })}\n`);
});

let closing = false;
const close = (): void => {
  if (closing) return;
  closing = true;
  server.close();
  server.closeAllConnections();
  void pool.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGINT', close);
process.once('SIGTERM', close);
if (process.env.COCOON_EXIT_WITH_PARENT === '1') {
  process.stdin.on('end', close);
  process.stdin.on('error', close);
  process.stdin.resume();
}

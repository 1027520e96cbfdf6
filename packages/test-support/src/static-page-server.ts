/**
 * What the browser tests need around Debian's chromium: its launch flags for this closed network, and a
 * 127.0.0.1:0 HTTP server that serves a few in-memory files (a test page and its bundle). Unknown paths
 * are 404.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Flags for headless chromium as root on a machine without internet: without the background-networking
 * ones chromium keeps trying (and failing) to reach Google's services.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface StaticFile {
  contentType: string;
  body: string | Uint8Array;
}

export interface StaticPageServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Serves `files` (path → file, e.g. `{ '/': page, '/app.js': bundle }`) on 127.0.0.1 port 0. */
export async function startStaticPageServer(files: Readonly<Record<string, StaticFile>>): Promise<StaticPageServer> {
  const server: Server = createServer((request, response) => {
    const file = files[new URL(request.url ?? '/', 'http://127.0.0.1').pathname];
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': file.contentType }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

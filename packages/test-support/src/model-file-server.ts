/**
 * Test support: a local Hugging-Face-like file server on 127.0.0.1:0. `/<owner>/<repo>/resolve/<rev>/<file>`
 * redirects (302, with `X-Linked-Etag` and `X-Repo-Commit` like HF does for LFS files) to
 * `/cdn/<file>`, which serves the bytes, honours `Range: bytes=N-` (206), and can cut the
 * connection after some bytes of the next answer.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ModelFileServer {
  baseUrl: string;
  /** Every request: path and Range header. */
  requests: Array<{ path: string; range: string | undefined; authorization: string | undefined }>;
  /** Cut the connection of the next file answer after this many body bytes. */
  cutNextAfter(bytes: number): void;
  close(): Promise<void>;
}

export interface ModelFileServerOptions {
  files: Record<string, Buffer>;
  /** Sent as X-Linked-Etag on the redirect (default: none). */
  linkedEtag?: string;
  repoCommit?: string;
}

export async function startModelFileServer(options: ModelFileServerOptions): Promise<ModelFileServer> {
  const requests: ModelFileServer['requests'] = [];
  let cutAfter: number | undefined;
  const server = createServer((request, response) => {
    const path = decodeURIComponent((request.url ?? '/').split('?')[0]!);
    requests.push({ path, range: request.headers.range, authorization: request.headers.authorization });
    const resolved = /^\/[^/]+\/[^/]+\/resolve\/[^/]+\/(.+)$/.exec(path);
    if (resolved && options.files[resolved[1]!] !== undefined) {
      const headers: Record<string, string> = { location: `/cdn/${resolved[1]}` };
      if (options.linkedEtag) headers['x-linked-etag'] = `"${options.linkedEtag}"`;
      if (options.repoCommit) headers['x-repo-commit'] = options.repoCommit;
      response.writeHead(302, headers);
      response.end();
      return;
    }
    const file = path.startsWith('/cdn/') ? options.files[path.slice(5)] : undefined;
    if (file === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('Entry not found');
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= file.length && file.length > 0 && range) {
      response.writeHead(416, { 'content-range': `bytes */${file.length}` });
      response.end();
      return;
    }
    const body = file.subarray(start);
    response.writeHead(range ? 206 : 200, {
      'content-length': body.length,
      'content-type': 'application/octet-stream',
      ...(range ? { 'content-range': `bytes ${start}-${file.length - 1}/${file.length}` } : {}),
    });
    if (cutAfter !== undefined) {
      const limit = cutAfter;
      cutAfter = undefined;
      response.write(body.subarray(0, limit), () => setTimeout(() => response.socket?.destroy(), 20));
      return;
    }
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    cutNextAfter: (bytes) => (cutAfter = bytes),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

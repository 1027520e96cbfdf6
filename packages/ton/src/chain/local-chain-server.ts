/**
 * The local chain process behind `cocoon chain`: a `SandboxChain` served over HTTP as the
 * toncenter v2 API subset that @ton/ton's TonClient uses (POST /jsonRPC, plus REST
 * `GET|POST /<method>`), a dev faucet (POST /cocoon/faucet), and durable state in
 * `dataDirectory` (rewritten after every change, loaded at start).
 */
import { CocoonError, toCocoonError, type Logger } from '@cocoon/protocol';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { CHAIN_STATE_FILE_NAME, readJsonStateFile, writeFileDurably } from './chain-state-file.ts';
import { createLocalChainRpc, type LocalChainParams, type LocalChainRpc } from './local-chain-rpc.ts';
import { SandboxChain, type SandboxChainState } from './sandbox-chain.ts';

export interface LocalChainServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Where the chain state lives; without it the chain is in memory only. */
  dataDirectory?: string;
  /** Chain time in unix seconds; default: the wall clock. */
  now?: () => number;
  logger?: Logger;
}

export interface LocalChainServer {
  /** Base URL, `http://127.0.0.1:PORT`. */
  url: string;
  /** The toncenter JSON-RPC endpoint for TonClient: `${url}/jsonRPC`. */
  endpoint: string;
  port: number;
  /** The chain being served (tests may look inside). */
  chain: SandboxChain;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export async function startLocalChainServer(options: LocalChainServerOptions = {}): Promise<LocalChainServer> {
  const host = options.host ?? '127.0.0.1';
  const stateFile = options.dataDirectory === undefined ? undefined : path.join(options.dataDirectory, CHAIN_STATE_FILE_NAME);
  const chainOptions = options.now ? { now: options.now } : {};
  const saved = stateFile === undefined ? undefined : await readJsonStateFile(stateFile);
  const chain = saved === undefined ? await SandboxChain.create(chainOptions) : await SandboxChain.restore(saved as SandboxChainState, chainOptions);
  if (saved !== undefined) options.logger?.info('restored chain state', { file: stateFile, transactions: chain.transactionCount });

  let persisting: Promise<void> = Promise.resolve();
  const persist = async (): Promise<void> => {
    if (stateFile === undefined) return;
    const write = async () => writeFileDurably(stateFile, JSON.stringify(await chain.exportState()));
    persisting = persisting.then(write, write);
    await persisting;
  };
  if (stateFile !== undefined && saved === undefined) await persist();
  const rpc = createLocalChainRpc(chain, persist);

  const server = createServer((request, response) => {
    handleRequest(rpc, request, response).catch((error: unknown) => {
      options.logger?.error('request failed', { error: toCocoonError(error).message });
      if (!response.headersSent) sendJson(response, 500, { ok: false, error: 'internal error', code: 500 });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    endpoint: `${url}/jsonRPC`,
    port,
    chain,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await persisting.catch(() => undefined);
      await chain.close();
    },
  };
}

async function handleRequest(rpc: LocalChainRpc, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestUrl = new URL(request.url ?? '/', 'http://localhost');
  const route = requestUrl.pathname.replace(/^\/api\/v2(?=\/)/, '').replace(/\/+$/, '');
  const method = request.method ?? 'GET';
  let rpcId: unknown;
  try {
    if (route === '/jsonRPC') {
      if (method !== 'POST') throw new CocoonError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', 'use POST for /jsonRPC');
      const body = await readJsonBody(request);
      rpcId = body.id;
      if (typeof body.method !== 'string') throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'JSON-RPC request needs a method', { param: 'method' });
      const result = await rpc.call(body.method, readParams(body.params));
      sendJson(response, 200, { ok: true, result, jsonrpc: '2.0', id: rpcId ?? null });
      return;
    }
    if (route === '/cocoon/faucet') {
      if (method !== 'POST') throw new CocoonError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', 'use POST for /cocoon/faucet');
      sendJson(response, 200, { ok: true, result: await rpc.fund(await readJsonBody(request)) });
      return;
    }
    const restMethod = /^\/([A-Za-z]+)$/.exec(route)?.[1];
    if (restMethod === undefined) throw new CocoonError('CCN_ERR_HTTP_NOT_FOUND', `no such endpoint ${requestUrl.pathname}`);
    if (method !== 'GET' && method !== 'POST') throw new CocoonError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', `use GET or POST for ${route}`);
    const params = method === 'GET' ? Object.fromEntries(requestUrl.searchParams) : await readJsonBody(request);
    sendJson(response, 200, { ok: true, result: await rpc.call(restMethod, params) });
  } catch (error) {
    const cocoonError = toCocoonError(error);
    const code = httpCodeFor(cocoonError);
    sendJson(response, code, { ok: false, error: cocoonError.message, code, cocoon_code: cocoonError.code, ...(rpcId === undefined ? {} : { jsonrpc: '2.0', id: rpcId }) });
  }
}

/** toncenter answers failed chain operations (e.g. a rejected external message) with 500. */
function httpCodeFor(error: CocoonError): number {
  if (error.code === 'CCN_ERR_TON_TRANSACTION_FAILED' || error.code === 'CCN_ERR_INTERNAL') return 500;
  return error.httpStatus;
}

function readParams(value: unknown): LocalChainParams {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'params must be an object', { param: 'params' });
  return value as LocalChainParams;
}

async function readJsonBody(request: IncomingMessage): Promise<LocalChainParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new CocoonError('CCN_ERR_HTTP_BODY_TOO_LARGE', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new CocoonError('CCN_ERR_HTTP_BAD_JSON', 'request body is not valid JSON');
  }
  return readParams(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/**
 * The client's manual contract operations on its HTTP port (§8.2): POST
 * `/request/charge|topup|withdraw|close?proxy=<proxy_sc_address>` (proxy optional with one
 * proxy contract; topup also takes `&amount=<nanoTON>`, default one stake), answered as JSON with the account's new state. The HTTP server calls this
 * only for requests with the admin token or the access hash.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CocoonError, toJsonText } from '@cocoon/protocol';
import type { ClientChain, ClientChainRequest } from './client-chain.ts';

const OPERATIONS = new Set<string>(['charge', 'topup', 'withdraw', 'close']);

/** Handles `/request/<operation>`; false for other paths. Errors are thrown for the server to answer. */
export async function handleClientChainRequest(chain: ClientChain, request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> {
  const match = /^\/request\/([a-z]+)$/.exec(url.pathname);
  const operation = match?.[1];
  if (operation === undefined || !OPERATIONS.has(operation)) return false;
  request.resume();
  if (request.method !== 'POST') {
    throw new CocoonError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', `${url.pathname} accepts POST only`);
  }
  const amount = url.searchParams.get('amount'); // topup: nanoTON instead of one stake
  if (amount !== null && (operation !== 'topup' || !/^\d{1,30}$/.test(amount))) {
    throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', operation === 'topup' ? 'amount: expected an integer number of nanoTON' : `${operation} takes no amount`, { param: 'amount' });
  }
  const answer = await chain.request(operation as ClientChainRequest, url.searchParams.get('proxy') ?? undefined, amount === null ? undefined : BigInt(amount));
  const body = toJsonText(answer);
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
  return true;
}

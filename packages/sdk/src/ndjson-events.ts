/**
 * Reads the client runner's `POST /v1/e2e/requests` answer, `application/x-ndjson`: one JSON object
 * per line, `{"type":"chunk","data":b64}`, `{"type":"receipt","data":b64}`, then `{"type":"end",…}`
 * or `{"type":"error","error":{code,message}}`. Lines split across reads are joined; a line that is
 * not one of these is a protocol error (the relay is not trusted with content, only with framing).
 */
import { CocoonError, fromBase64OrUndefined, isCocoonErrorCode } from '@cocoon/protocol/browser';

export type E2eRelayEvent =
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'receipt'; data: Uint8Array }
  | { type: 'end'; tokensUsed: Record<string, unknown> | undefined; costNanoton: string | undefined }
  | { type: 'error'; error: CocoonError };

/** Longest accepted line: a 16 MiB chunk in base64 and some. */
const MAX_LINE_CHARS = 23 * 1024 * 1024;

function parseEvent(line: string): E2eRelayEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', 'the relay sent a line that is not JSON');
  }
  const event = value as { type?: unknown; data?: unknown; error?: { code?: unknown; message?: unknown }; tokens_used?: unknown; cost_nanoton?: unknown };
  if (event.type === 'chunk' || event.type === 'receipt') {
    const data = typeof event.data === 'string' ? fromBase64OrUndefined(event.data) : undefined;
    if (!data) throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `the relay's ${event.type} line has no base64 data`);
    return { type: event.type, data };
  }
  if (event.type === 'end') {
    const tokensUsed = typeof event.tokens_used === 'object' && event.tokens_used !== null ? event.tokens_used as Record<string, unknown> : undefined;
    const cost = event.cost_nanoton;
    return { type: 'end', tokensUsed, costNanoton: typeof cost === 'string' || typeof cost === 'number' ? String(cost) : undefined };
  }
  if (event.type === 'error') {
    const code = event.error?.code;
    const message = typeof event.error?.message === 'string' ? event.error.message : 'the request failed';
    return { type: 'error', error: new CocoonError(isCocoonErrorCode(code) ? code : 'CCN_ERR_INTERNAL', message) };
  }
  throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `the relay sent an unknown line type ${JSON.stringify(event.type)}`);
}

/** The events of an NDJSON body, in order. */
export async function* readRelayEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<E2eRelayEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pending += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line !== '') yield parseEvent(line);
      }
      if (pending.length > MAX_LINE_CHARS) throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', 'the relay sent an overlong line');
    }
    finished = true;
    pending += decoder.decode();
    if (pending.trim() !== '') yield parseEvent(pending.trim());
  } finally {
    if (!finished) void reader.cancel().catch(() => undefined); // the caller stopped early: the relay's answer is not needed any more
    else reader.releaseLock();
  }
}

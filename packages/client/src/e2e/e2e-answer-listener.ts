/**
 * The answer messages of one end-to-end request (§22) as events, undecoded: every answer message's
 * `answer` bytes are one sealed ext.e2eAnswerChunk (the one with the completed flag is the last),
 * `ext.e2eReceipt` is the worker's receipt, an error answer ends the request with its CCN_ERR_* code
 * (§19; the session is always ours, so never read by its text). Ends exactly once — after the final
 * message, an error, the session's loss or an abort (which cancels at the proxy) — and then releases
 * the request id on its connection. Used by the blind relay and by runner-sealing alike.
 */
import { CocoonError, cocoonCodeOfPeerError, encodeBoxed, isTlObject, peerErrorOfAnswer } from '@cocoon/protocol';
import type { ExtE2eSignedReceipt, PeerReportedError, TlObject, TokensUsed } from '@cocoon/protocol';
import type { AnswerListener, RunningQueryLink } from '../connection/client-proxy-connection.ts';
import type { ClientStats } from '../client-stats.ts';
import { CLIENT_GRANT_BATCH_BYTES } from '../gateway/protocol-inference-gateway.ts';

export interface E2eAnswerEvents {
  /** One sealed chunk (boxed ext.e2eAnswerChunk bytes); `completed` on the request's last answer message. */
  chunk(bytes: Buffer, completed: boolean): void;
  receipt(receipt: ExtE2eSignedReceipt, bytes: Buffer): void;
  /** After the completed message: the tokens the worker reported (final_info). */
  end(tokens: TokensUsed | undefined): void;
  /** The request failed (the proxy's or worker's error, the session lost, an abort). */
  error(error: Error, tokens: TokensUsed | undefined): void;
}

export class E2eAnswerListener implements AnswerListener {
  /** Set once the query went out: cancel and credit on its session. */
  link: RunningQueryLink | undefined;
  private finished = false;
  /** Consumed bytes not granted yet: granted in batches, as for plaintext answers (not one message per chunk). */
  private ungranted = 0;

  constructor(
    private readonly events: E2eAnswerEvents,
    private readonly release: () => void,
    private readonly stats: ClientStats,
    private readonly pricePerToken: bigint,
    private readonly startedAt: number,
  ) {}

  get isFinished(): boolean {
    return this.finished;
  }

  onAnswerMessage(message: TlObject): void {
    if (this.finished) return;
    try {
      if (isTlObject(message, 'ext.e2eReceipt')) {
        const bytes = Buffer.from(encodeBoxed(message.receipt));
        this.events.receipt(message.receipt, bytes);
        return;
      }
      switch (message._) {
        case 'client.queryAnswerEx':
        case 'client.queryAnswerPartEx':
        case 'client.queryAnswer':
        case 'client.queryAnswerPart': {
          const completed = isCompleted(message);
          this.stats.bytesReceived((message.answer as Buffer).length);
          this.events.chunk(message.answer as Buffer, completed);
          if (completed) this.end(true, finalTokens(message), undefined);
          return;
        }
        default: {
          const peerError = peerErrorOfAnswer(message);
          this.end(false, finalTokens(message), this.codedError(peerError));
        }
      }
    } catch (error) {
      this.abort(error instanceof Error ? error : new Error(String(error)));
    }
  }

  onConnectionLost(error: CocoonError): void {
    this.end(false, undefined, new CocoonError('CCN_ERR_SESSION_CLOSED', `proxy connection lost: ${error.message}`));
  }

  /** Gives the request up (cancelled at the proxy where negotiated). */
  abort(reason: Error): void {
    if (this.finished) return;
    this.link?.cancel();
    this.end(false, undefined, reason);
  }

  /** Grants the proxy `bytes` more answer bytes (§19 credit) where negotiated, in batches of CLIENT_GRANT_BATCH_BYTES. */
  grant(bytes: number): void {
    if (this.finished || bytes <= 0 || !this.link?.extensions.has('credit')) return;
    this.ungranted += bytes;
    if (this.ungranted < CLIENT_GRANT_BATCH_BYTES) return;
    const granted = this.ungranted;
    this.ungranted = 0;
    this.link.grantCredit(granted);
  }

  private codedError(error: PeerReportedError): CocoonError {
    return new CocoonError(cocoonCodeOfPeerError(error, { referencePeer: !this.link?.extensions.has('errorCodes') }), error.message);
  }

  private end(success: boolean, tokens: TokensUsed | undefined, error: Error | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
    this.stats.queryFinished(success, tokens?.total_tokens_used ?? 0n, { startedAt: this.startedAt, pricePerToken: this.pricePerToken });
    if (error) this.events.error(error, tokens);
    else this.events.end(tokens);
  }
}

function isCompleted(message: TlObject): boolean {
  if (message._.endsWith('Ex')) return ((message.flags as number) & 1) !== 0;
  return message.is_completed === true;
}

function finalTokens(message: TlObject): TokensUsed | undefined {
  const tokens = (message.final_info as TlObject | undefined)?.tokens_used ?? message.request_tokens_used;
  return isTlObject(tokens, 'tokensUsed') ? tokens : undefined;
}

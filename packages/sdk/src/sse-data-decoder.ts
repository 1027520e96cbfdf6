/**
 * Decodes a server-sent-events body (`text/event-stream`, as OpenAI-compatible engines stream
 * completions) into the `data` of each event: bytes in any pieces in, one string per event out
 * (multi-line data joined with "\n"; comments, `event:`, `id:` and `retry:` lines skipped; CRLF, CR
 * and LF line ends). A streamed answer's events are `data: {json chunk}` and a final `data: [DONE]`.
 */
import { CocoonError } from '@cocoon/protocol/browser';

/** Longest event taken (a chunk is small; this only bounds a runaway answer). */
const MAX_EVENT_CHARS = 8 * 1024 * 1024;

export class SseDataDecoder {
  private readonly decoder = new TextDecoder();
  private pending = '';
  private data: string[] = [];

  /** The data of the events completed by `bytes`. */
  push(bytes: Uint8Array): string[] {
    this.pending += this.decoder.decode(bytes, { stream: true });
    return this.drain(false);
  }

  /** The data of a last event the body ended without its blank line. */
  end(): string[] {
    this.pending += this.decoder.decode();
    return this.drain(true);
  }

  private drain(final: boolean): string[] {
    const events: string[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.pending);
      // A lone CR at the end may be the first half of a CRLF: wait for the next piece.
      if (match === null || (!final && match[0] === '\r' && match.index === this.pending.length - 1)) break;
      const line = this.pending.slice(0, match.index);
      this.pending = this.pending.slice(match.index + match[0].length);
      this.line(line, events);
    }
    if (final) {
      if (this.pending !== '') this.line(this.pending, events);
      this.pending = '';
      this.line('', events);
    }
    if (this.pending.length > MAX_EVENT_CHARS) throw new CocoonError('CCN_ERR_ENGINE_FAILED', 'the answer stream has an event longer than 8 MiB');
    return events;
  }

  private line(line: string, events: string[]): void {
    if (line === '') {
      if (this.data.length > 0) events.push(this.data.join('\n'));
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.data.push(value);
  }
}

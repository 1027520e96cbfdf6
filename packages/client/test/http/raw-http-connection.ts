/**
 * A raw TCP connection to the HTTP edge for tests that must see the bytes and the socket itself:
 * partial bodies, pipelined requests, and whether the server ended the connection.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export class RawHttpConnection {
  private text = '';
  private waiters: Array<() => void> = [];
  /** Resolves when the server ends or closes the connection (never rejects). */
  readonly ended: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.text += chunk;
      this.wake();
    });
    socket.on('error', () => undefined);
    this.ended = new Promise((resolve) => {
      socket.once('end', () => resolve());
      socket.once('close', () => resolve());
    });
    void this.ended.then(() => this.wake());
  }

  static open(url: string): Promise<RawHttpConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) }, () => resolve(new RawHttpConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Everything received so far. */
  get received(): string {
    return this.text;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Resolves once `condition(received)` holds; rejects if the connection ends first. */
  async until(condition: (received: string) => boolean): Promise<string> {
    let ended = false;
    void this.ended.then(() => (ended = true));
    while (!condition(this.text)) {
      if (ended || this.socket.destroyed) throw new Error(`the connection ended; received: ${JSON.stringify(this.text.slice(-400))}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.text;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** A POST head for `path` with a JSON body of `length` bytes on a keep-alive connection. */
export function postHead(path: string, length: number): string {
  return `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;
}

/** A whole POST of `body` to `path`. */
export function postRequest(path: string, body: string): string {
  return postHead(path, Buffer.byteLength(body)) + body;
}

/** The head and body of the last HTTP answer in `text` whose status line is `status` (body read by content-length). */
export function answerWithStatus(text: string, status: number): { head: string; body: string } | undefined {
  const start = text.lastIndexOf(`HTTP/1.1 ${status} `);
  if (start < 0) return undefined;
  const headEnd = text.indexOf('\r\n\r\n', start);
  if (headEnd < 0) return undefined;
  const head = text.slice(start, headEnd).toLowerCase();
  const length = Number(/content-length: (\d+)/.exec(head)?.[1] ?? NaN);
  const body = text.slice(headEnd + 4);
  if (!Number.isFinite(length) || Buffer.byteLength(body) < length) return undefined;
  return { head, body: body.slice(0, length) };
}

/**
 * The worker's running `proxy.runQueryEx` requests of one proxy link, by request id, with what
 * the proxy may do to them through our extensions (§19): `ext.cancelQuery` aborts the request's
 * engine call, `ext.grantCredit` widens its send window, `errorCodes` codes its final error. The
 * session closing aborts its requests too (nobody is left to read the answer).
 */
import { CocoonError } from '@cocoon/protocol';
import type { CocoonSession, SessionExtension } from '@cocoon/protocol';
import { AnswerSendWindow } from './answer-send-window.ts';

/** One running request's controls, handed to WorkerQueryHandler.serve. */
export interface QueryControls {
  readonly signal: AbortSignal;
  readonly window: AnswerSendWindow;
  /** What the proxy session negotiated (absent = none): with `errorCodes` the final error carries our code. */
  readonly extensions?: ReadonlySet<SessionExtension>;
  /** Who the proxy is, for e2e receipts: its contract address when known, else hex of its TLS public key. */
  readonly proxy?: string;
}

interface Running extends QueryControls {
  controller: AbortController;
  session: CocoonSession;
}

export class RunningQueries {
  private readonly running = new Map<string, Running>();
  private readonly watched = new WeakSet<CocoonSession>();

  get size(): number {
    return this.running.size;
  }

  /** Registers a request; `done` must be called when it has ended. */
  open(session: CocoonSession, requestId: Buffer, proxy?: string): { controls: QueryControls; done(): void } {
    const key = requestId.toString('hex');
    const controller = new AbortController();
    const window = new AnswerSendWindow(session, session.extensions.has('credit'));
    const entry: Running = { controller, signal: controller.signal, window, session, extensions: session.extensions, ...(proxy !== undefined ? { proxy } : {}) };
    this.running.set(key, entry);
    if (!this.watched.has(session)) {
      this.watched.add(session);
      session.once('close', () => this.abortSession(session));
    }
    return {
      controls: entry,
      done: () => {
        window.close();
        if (this.running.get(key) === entry) this.running.delete(key);
      },
    };
  }

  /** ext.cancelQuery: aborts the engine call; the request then reports what it generated. */
  cancel(requestId: Buffer): boolean {
    const entry = this.running.get(requestId.toString('hex'));
    if (!entry) return false; // finished already: the cancel crossed the final answer
    entry.controller.abort(new CocoonError('CCN_ERR_CANCELLED', 'request cancelled by the proxy'));
    entry.window.close();
    return true;
  }

  /** ext.grantCredit. */
  grant(requestId: Buffer, bytes: bigint): void {
    this.running.get(requestId.toString('hex'))?.window.grant(Number(bytes));
  }

  private abortSession(session: CocoonSession): void {
    for (const entry of this.running.values()) {
      if (entry.session !== session) continue;
      entry.controller.abort(new CocoonError('CCN_ERR_CANCELLED', 'proxy connection lost'));
      entry.window.close();
    }
  }
}

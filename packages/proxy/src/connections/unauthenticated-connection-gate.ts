/**
 * The proxy's front door, one per port (clients and workers alike): every TCP connection is
 * counted from accept (during PoW and TLS) until its peer authorizes; over the per-address or
 * total cap a new connection is refused at once; one that has not authorized within the
 * deadline is closed; and until it authorizes its session accepts only small frames.
 */
import { CocoonError, MAX_FRAME_PAYLOAD_BYTES } from '@cocoon/protocol';
import type { CocoonSession } from '@cocoon/protocol';
import type { AdmittedConnection, ConnectionAdmission } from '@cocoon/attestation';

export interface GateTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface UnauthenticatedConnectionGateOptions {
  /** Unauthenticated connections allowed from one remote address. */
  maxPerAddress: number;
  /** Unauthenticated connections allowed in total. */
  maxTotal: number;
  /** A connection must authorize within this time from TCP accept, or it is closed. */
  authTimeoutMs: number;
  /** Largest frame payload a session accepts before authorization. */
  unauthenticatedMaxFrameBytes: number;
  /** Largest frame payload once authorized (the protocol's 16 MiB). */
  authorizedMaxFrameBytes?: number;
  timers?: GateTimers;
  /**
   * A connection was closed because it did not authorize in time: `inSession` once it had a
   * session; before that (PoW/TLS) listenSecure reports the failed handshake itself.
   */
  onExpired?: (remote: string, inSession: boolean) => void;
}

/** What a connection class reports while its peer authorizes (one per session). */
export interface AuthorizationWatch {
  /** The peer authorized: its frames may be large now and it no longer counts against the caps. */
  authorized(): void;
  /** The proxy itself waits up to `ms` for the peer (long authorization on chain): the deadline moves to now + `ms`. */
  extendDeadline(ms: number): void;
}

/** The socket surface the gate needs (a net.Socket at accept). */
export interface AcceptedSocket {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  destroy(): unknown;
}

const defaultTimers: GateTimers = {
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** One connection on its way to authorization. */
export class PendingConnection implements AdmittedConnection {
  private released = false;
  private timer: unknown;
  /** What the deadline closes: the raw socket, then the session once there is one. */
  private closer: (error: CocoonError) => void;
  private inSession = false;

  constructor(
    private readonly gate: UnauthenticatedConnectionGate,
    readonly address: string,
    readonly remote: string,
    socket: AcceptedSocket,
    private readonly timers: GateTimers,
    authTimeoutMs: number,
  ) {
    this.closer = () => socket.destroy();
    this.timer = timers.setTimeout(() => this.expire(authTimeoutMs), authTimeoutMs);
  }

  /** Restarts the deadline: the connection must authorize within `ms` from now. */
  extendDeadline(ms: number): void {
    if (this.released) return;
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.expire(ms), ms);
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** The connection authorized or went away: it no longer counts and its deadline is off. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.gate.forget(this, this.timer);
  }

  /** From now on the deadline closes this instead of the raw socket. */
  closeWith(closer: (error: CocoonError) => void): void {
    this.closer = closer;
    this.inSession = true;
  }

  private expire(authTimeoutMs: number): void {
    if (this.released) return;
    this.release();
    this.gate.expired(this.remote, this.inSession);
    this.closer(new CocoonError('CCN_ERR_TIMEOUT', `${this.remote} did not authorize within ${authTimeoutMs} ms`));
  }
}

export class UnauthenticatedConnectionGate implements ConnectionAdmission<PendingConnection> {
  private readonly perAddress = new Map<string, number>();
  private total = 0;
  private readonly timers: GateTimers;

  constructor(private readonly options: UnauthenticatedConnectionGateOptions) {
    for (const [name, value] of Object.entries({ maxPerAddress: options.maxPerAddress, maxTotal: options.maxTotal, authTimeoutMs: options.authTimeoutMs })) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
    this.timers = options.timers ?? defaultTimers;
  }

  /** Unauthenticated connections now counted, in total or from one address. */
  count(address?: string): number {
    return address === undefined ? this.total : this.perAddress.get(normalizedAddress(address)) ?? 0;
  }

  /** At TCP accept: counts the connection and starts its deadline, or refuses it over a cap. */
  admit(socket: AcceptedSocket): PendingConnection | undefined {
    const address = normalizedAddress(socket.remoteAddress ?? '');
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (this.total >= this.options.maxTotal || fromAddress >= this.options.maxPerAddress) return undefined;
    this.perAddress.set(address, fromAddress + 1);
    this.total += 1;
    return new PendingConnection(this, address, `${socket.remoteAddress}:${socket.remotePort}`, socket, this.timers, this.options.authTimeoutMs);
  }

  /**
   * A verified session for a pending connection: it starts on the small frame limit, the
   * deadline now closes it, and closing it releases the connection. Returns the function the
   * connection calls once its peer has authorized (lifts the frame limit, stops counting).
   */
  guard(session: CocoonSession, pending: PendingConnection | undefined): AuthorizationWatch {
    session.setMaxFramePayload(this.options.unauthenticatedMaxFrameBytes);
    if (!pending || pending.isReleased) {
      // Not admitted here, or its deadline passed while TLS finished: it cannot authorize any more.
      session.close(new CocoonError('CCN_ERR_TIMEOUT', `${pending?.remote ?? 'connection'} did not authorize in time`));
      return { authorized: () => undefined, extendDeadline: () => undefined };
    }
    pending.closeWith((error) => session.close(error));
    session.once('close', () => pending.release());
    return {
      authorized: () => {
        if (session.isClosed || pending.isReleased) return;
        pending.release();
        session.setMaxFramePayload(this.options.authorizedMaxFrameBytes ?? MAX_FRAME_PAYLOAD_BYTES);
      },
      extendDeadline: (ms) => pending.extendDeadline(ms),
    };
  }

  /** @internal PendingConnection.release */
  forget(pending: PendingConnection, timer: unknown): void {
    this.timers.clearTimeout(timer);
    this.total -= 1;
    const left = (this.perAddress.get(pending.address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(pending.address, left);
    else this.perAddress.delete(pending.address);
  }

  /** @internal PendingConnection deadline */
  expired(remote: string, inSession: boolean): void {
    this.options.onExpired?.(remote, inSession);
  }
}

/** IPv4 peers on a dual-stack socket appear as ::ffff:a.b.c.d; count them as a.b.c.d. */
function normalizedAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

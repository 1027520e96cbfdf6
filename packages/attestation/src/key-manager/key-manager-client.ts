/**
 * The proxy's and worker's client of the key manager (reference BaseRunner::
 * get_private_keys_from_key_manager): finds the key manager through `locate` (the root's
 * key_manager_address and key_manager_image_hash, provided by the runner), dials it over PoW +
 * attested TLS, refuses it unless its attested image hash is the root's, and asks for the
 * private keys (proxy: keyManager.getProxyPrivateKeys, worker: keyManager.getWorkerPrivateKeys
 * with its proto version). Every valid answer replaces the keys of the `keyRing`. Polls every
 * 5–10 s until the first answer, then the proxy every 5–10 s (as the reference: new keys must
 * reach it before apps use them) and the worker every 60–120 s. The session stays open between
 * polls and is replaced when the root names another key manager. Timers and randomness are injected.
 */
import { CocoonError, CocoonSession, toCocoonError, type KeyManagerPrivateKeys, type Logger, type TlObject } from '@cocoon/protocol';
import { dialSecure } from '../transport/dial-secure.ts';
import type { SecureIdentitySource } from '../transport/tls-settings.ts';
import type { PeerVerifier } from '../verifier/peer-verifier.ts';

/** Where the root says the key manager is, and the image it must run (64 hex). */
export interface KeyManagerLocation {
  /** `host:port`. */
  address: string;
  imageHash: string;
}

/** What receives the keys (protocol's EncryptionKeyRing). */
export interface KeyManagerKeySink {
  replace(keys: ReadonlyArray<{ privateKey: Uint8Array; validUntilUtime: number }>): void;
}

export interface KeyManagerClientTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface KeyManagerClientOptions {
  role: 'proxy' | 'worker';
  /** Sent in keyManager.getWorkerPrivateKeys (the reference sends 0 for both queries). */
  protoVersion: number;
  /** The key manager the root names now; undefined when it names none. */
  locate(): KeyManagerLocation | undefined;
  identity: SecureIdentitySource;
  /** Verifies the key manager's certificate under the runner's peer policy (no root-list check: this client checks the image hash). */
  verifier: PeerVerifier;
  keyRing: KeyManagerKeySink;
  logger: Logger;
  maxPowDifficulty?: number;
  timers?: KeyManagerClientTimers;
  /** Uniform in [0, 1). */
  random?: () => number;
  /** Unix milliseconds. */
  now?: () => number;
  /** Per-query timeout (60 s, as the reference). */
  queryTimeoutMs?: number;
}

export type KeyManagerClientState = 'idle' | 'no_key_manager' | 'connecting' | 'ready' | 'failing' | 'closed';

const FAST_POLL_SECONDS: [number, number] = [5, 10];
const SLOW_POLL_SECONDS: [number, number] = [60, 120];

export class KeyManagerClient {
  state: KeyManagerClientState = 'idle';
  /** Unix ms of the last answer; undefined before the first. */
  lastSuccessAt: number | undefined;
  lastError: string | undefined;
  keysReceived = 0;
  private session: CocoonSession | undefined;
  private sessionAddress: string | undefined;
  private timer: unknown;
  private polling: Promise<void> | undefined;
  private readonly timers: KeyManagerClientTimers;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: KeyManagerClientOptions) {
    this.timers = options.timers ?? { setTimeout: (callback, ms) => setTimeout(callback, ms).unref(), clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) };
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Polls now, then on the cadence. */
  start(): void {
    if (this.state !== 'idle') return;
    this.schedule(0);
  }

  /** One poll (never throws; failures are logged and kept in `lastError`). Concurrent calls share one. */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => { this.polling = undefined; });
    return this.polling;
  }

  /** The delay before the next poll, ms. */
  nextDelayMs(): number {
    const [low, high] = this.lastSuccessAt === undefined || this.options.role === 'proxy' ? FAST_POLL_SECONDS : SLOW_POLL_SECONDS;
    return Math.round((low + (high - low) * this.random()) * 1000);
  }

  close(): void {
    this.state = 'closed';
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.dropSession();
  }

  private schedule(delayMs: number): void {
    if (this.state === 'closed') return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.poll().then(() => this.schedule(this.nextDelayMs()));
    }, delayMs);
  }

  private async pollOnce(): Promise<void> {
    if (this.state === 'closed') return;
    const location = this.options.locate();
    if (!location) {
      this.dropSession();
      this.state = 'no_key_manager';
      return;
    }
    try {
      const session = await this.sessionFor(location);
      const answer = await session.query(this.request(), this.options.queryTimeoutMs ?? 60_000);
      this.accept(answer);
      this.state = 'ready';
      this.lastError = undefined;
      this.lastSuccessAt = this.now();
    } catch (error) {
      const failure = toCocoonError(error, 'CCN_ERR_KEY_MANAGER_UNAVAILABLE');
      if ((this.state as KeyManagerClientState) !== 'closed') this.state = 'failing';
      if (failure.message !== this.lastError) {
        this.options.logger.warn('private keys from the key manager not received; will retry', { key_manager: location.address, error: failure.message });
      }
      this.lastError = failure.message;
      if (!this.session?.isOpen) this.dropSession();
    }
  }

  private request(): TlObject {
    return this.options.role === 'proxy'
      ? { _: 'keyManager.getProxyPrivateKeys', proto_version: this.options.protoVersion }
      : { _: 'keyManager.getWorkerPrivateKeys', proto_version: this.options.protoVersion };
  }

  private accept(answer: TlObject): void {
    if (answer._ !== 'keyManager.privateKeys') throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `key manager answered ${answer._}, expected keyManager.privateKeys`);
    const nowSeconds = Math.floor(this.now() / 1000);
    const keys = (answer as KeyManagerPrivateKeys).keys
      .filter((key) => key.valid_until_utime > nowSeconds)
      .map((key) => ({ privateKey: new Uint8Array(key.private_key), validUntilUtime: key.valid_until_utime }));
    this.options.keyRing.replace(keys);
    this.keysReceived = keys.length;
  }

  /** The open session to `location`, dialing (and checking the image hash) when there is none or the address changed. */
  private async sessionFor(location: KeyManagerLocation): Promise<CocoonSession> {
    if (this.session?.isOpen && this.sessionAddress === location.address) return this.session;
    this.dropSession();
    this.state = 'connecting';
    const [host, port] = splitHostPort(location.address);
    const { socket, peer, extensions } = await dialSecure({
      host, port, identity: this.options.identity, verifier: this.options.verifier, maxPowDifficulty: this.options.maxPowDifficulty, offerExtensions: false,
    });
    const imageHash = peer.imageHash.toString('hex');
    if (imageHash !== location.imageHash.toLowerCase()) {
      socket.destroy();
      throw new CocoonError('CCN_ERR_ATTEST_POLICY', `key manager at ${location.address} runs image ${imageHash}, not the root's key_manager_image_hash ${location.imageHash.toLowerCase()}: refused`);
    }
    const session = new CocoonSession(socket, { role: 'dialer', extensions });
    session.on('message', () => undefined);
    await session.open();
    this.session = session;
    this.sessionAddress = location.address;
    return session;
  }

  private dropSession(): void {
    this.session?.close();
    this.session = undefined;
    this.sessionAddress = undefined;
  }
}

function splitHostPort(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `key manager address must be host:port, got ${JSON.stringify(address.slice(0, 120))}`, { param: 'key_manager_address' });
  }
  return [address.slice(0, colon).replace(/^\[|\]$/g, ''), port];
}

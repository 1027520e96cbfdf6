/**
 * The client's outbound link to a proxy (§3.1): `client.connectToProxy` with checks of the
 * proxy's params and the protocol version it chose (§3.3: ours 1..4), authorization (short with the secret; on chain also contract address checks,
 * deploy and long authorization through a ClientChainAccount), answer routing by request id,
 * and payment status tracking (signed charges are verified by the account). Coded error answers
 * (§19) are routed like the reference ones. Dialing (proxy attestation verified before any byte)
 * and reconnecting: ReconnectingSession.
 */
import { createHash } from 'node:crypto';
import { ClientParamsFlag, CocoonError, PROTOCOL_VERSIONS, ProxyParamsFlag, checkChosenProtocolVersion, expectTlObject, isTlObject } from '@cocoon/protocol';
import type { ClientProxyConnectionAuth, CocoonSession, Logger, ProxyClientRequestPayment, SessionExtension, TlObject, TlObjectName } from '@cocoon/protocol';
import { ReconnectingSession } from '@cocoon/attestation';
import type { PeerAttestation, PeerVerifier, ReconnectingSessionState, SecureIdentitySource } from '@cocoon/attestation';
import type { ClientChain, ClientChainAccount } from '../chain/index.ts';
import { queryForSession, type ClientQueryMessage } from '../routing/provider-preferences.ts';

export interface ClientProxyConnectionOptions {
  host: string;
  port: number;
  identity: SecureIdentitySource;
  verifier: PeerVerifier;
  maxPowDifficulty: number;
  ownerAddress: string;
  secretString: string;
  isTest: boolean;
  logger: Logger;
  paymentStatusIntervalMs?: number;
  /** On chain: verifies the proxy's contracts, deploys ours, long authorization. Absent = off chain (short auth only). */
  chain?: ClientChain;
}

/** §4: the proxy answers the long authorization after it sees the register transaction. */
const LONG_AUTH_TIMEOUT_MS = 300_000;

/** Receives the answer messages of one request. */
export interface AnswerListener {
  onAnswerMessage(message: TlObject): void;
  onConnectionLost(error: CocoonError): void;
}

const ANSWER_MESSAGES = [
  'client.queryAnswerEx', 'client.queryAnswerPartEx', 'client.queryAnswerErrorEx', 'ext.clientQueryAnswerErrorCoded',
  'client.queryAnswer', 'client.queryAnswerPart', 'client.queryAnswerError', 'client.queryAnswerPartError',
  'ext.e2eReceipt', // §22: an e2e request's receipt, just before its final message
] as const satisfies readonly TlObjectName[];

/** One sent request's controls on the session it went out on (§19): cancel, credit, read pausing. */
export interface RunningQueryLink {
  readonly extensions: ReadonlySet<SessionExtension>;
  /** ext.cancelQuery where negotiated (else nothing: a reference proxy runs the request to its end). */
  cancel(): void;
  /** ext.grantCredit where negotiated. */
  grantCredit(bytes: number): void;
  /** Pauses reading the whole proxy session (the fallback bound without credit). */
  holdReading(): () => void;
}

function runningQueryLink(session: CocoonSession, requestId: Buffer): RunningQueryLink {
  const sendIfOpen = (message: TlObject): void => {
    if (session.isOpen) session.send(message);
  };
  return {
    extensions: session.extensions,
    cancel: () => { if (session.extensions.has('cancel')) sendIfOpen({ _: 'ext.cancelQuery', request_id: requestId }); },
    grantCredit: (bytes) => { if (session.extensions.has('credit') && bytes > 0) sendIfOpen({ _: 'ext.grantCredit', request_id: requestId, bytes: BigInt(bytes) }); },
    holdReading: () => session.holdReading(),
  };
}

export class ClientProxyConnection {
  proxyContractAddress = '';
  clientContractAddress = '';
  tokensUsedProxyMax = 0n;
  tokensUsedProxyCommittedToDb = 0n;
  /** The client contract at this proxy (on chain only). */
  account: ClientChainAccount | undefined;
  /** Sees every `proxy.clientRequestPayment` (the charge of one request, §4.8), e.g. for the e2e receipt audit (§22). */
  onRequestPayment: ((payment: ProxyClientRequestPayment) => void) | undefined;
  private readonly listeners = new Map<string, AnswerListener>();
  private readonly link: ReconnectingSession;
  private paymentTimer: NodeJS.Timeout | undefined;
  /** The protocol version each session negotiated (§3.3), set by its handshake. */
  private readonly sessionVersions = new WeakMap<CocoonSession, number>();

  constructor(private readonly options: ClientProxyConnectionOptions) {
    this.link = new ReconnectingSession({
      ...options,
      handshake: (session, peer) => this.handshake(session, peer),
      onMessage: (_session, message) => this.onMessage(message),
      onLost: (error) => this.onLost(error),
    });
  }

  get address(): string {
    return this.link.address;
  }

  get state(): ReconnectingSessionState {
    return this.link.state;
  }

  get isReady(): boolean {
    return this.link.session !== undefined;
  }

  /** The extensions the ready session negotiated (§19; none while not connected). */
  get extensions(): ReadonlySet<SessionExtension> {
    return this.link.session?.extensions ?? new Set<SessionExtension>();
  }

  /**
   * The protocol version the proxy chose for the ready session (§3.3; 0 while not connected). From 3 on
   * `client.runQueryEx` may carry `public_key` (flags bit 1).
   */
  get protoVersion(): number {
    const session = this.link.session;
    return session ? (this.sessionVersions.get(session) ?? 0) : 0;
  }

  start(): void {
    this.link.start();
    this.paymentTimer = setInterval(() => void this.refreshPaymentStatus(), this.options.paymentStatusIntervalMs ?? 15_000);
    this.paymentTimer.unref();
  }

  whenReady(): Promise<void> {
    return this.link.whenReady();
  }

  /** Sends `client.runQueryEx` (or, on a `market` session, ext.runQueryWithPreferences); answers go to the listener until `forget`. */
  runQuery(query: ClientQueryMessage, listener: AnswerListener): RunningQueryLink {
    const session = this.readySession();
    this.listeners.set(query.request_id.toString('hex'), listener);
    session.send(queryForSession(query, session.extensions, this.options.logger)); // preferences only where `market` was negotiated (§4.4)
    return runningQueryLink(session, query.request_id);
  }

  forget(requestId: Buffer): void {
    this.listeners.delete(requestId.toString('hex'));
  }

  query(request: TlObject, timeoutMs: number): Promise<TlObject> {
    try {
      return this.readySession().query(request, timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): void {
    if (this.paymentTimer) clearInterval(this.paymentTimer);
    this.link.close();
  }

  private readySession(): CocoonSession {
    const session = this.link.session;
    if (!session) throw new CocoonError('CCN_ERR_ROUTE_NO_PROXY', 'not connected to the proxy');
    return session;
  }

  private async handshake(session: CocoonSession, peer: PeerAttestation): Promise<void> {
    const { options } = this;
    const connected = expectTlObject(await session.query({
      _: 'client.connectToProxy',
      params: {
        _: 'client.params', flags: ClientParamsFlag.is_test | ClientParamsFlag.min_proto_version, client_owner_address: options.ownerAddress,
        is_test: options.isTest, min_proto_version: PROTOCOL_VERSIONS.client.min, max_proto_version: PROTOCOL_VERSIONS.client.max,
      },
      min_config_version: options.chain?.rootVersion ?? 0,
    }), 'client.connectedToProxy');
    const { params } = connected;
    if (((params.flags ?? 0) & (ProxyParamsFlag.is_test | ProxyParamsFlag.proto_version)) === 0) {
      throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'proxy params lack flags');
    }
    if (params.is_test !== options.isTest) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'proxy test mode differs from ours');
    const chosen = ((params.flags ?? 0) & ProxyParamsFlag.proto_version) !== 0 ? params.proto_version : undefined;
    this.sessionVersions.set(session, checkChosenProtocolVersion(PROTOCOL_VERSIONS.client, chosen, 'proxy'));
    this.proxyContractAddress = params.proxy_sc_address;
    this.clientContractAddress = connected.client_sc_address;
    const account = options.chain?.accountFor({
      proxyPublicKey: params.proxy_public_key, proxyOwnerAddress: params.proxy_owner_address,
      proxyContractAddress: this.proxyContractAddress, clientContractAddress: this.clientContractAddress,
    });
    this.account = account;
    account?.observeSignedPayment(connected.signed_payment);
    const mode = await this.authorizationMode(connected.auth, account);
    const result = mode === 'short'
      ? await session.query({ _: 'client.authorizeWithProxyShort', data: Buffer.from(options.secretString, 'utf8') })
      : await session.query({ _: 'client.authorizeWithProxyLong' }, LONG_AUTH_TIMEOUT_MS);
    if (isTlObject(result, 'client.authorizationWithProxyFailed')) {
      throw new CocoonError('CCN_ERR_AUTH_FAILED', `proxy refused authorization: ${String(result.error)}`);
    }
    const authorized = expectTlObject(result, 'client.authorizationWithProxySuccess');
    account?.observeSignedPayment(authorized.signed_payment);
    this.observeTotals(authorized.tokens_committed_to_db, authorized.max_tokens);
    options.logger.info('connected to proxy', { proxy: this.address, proxy_image_hash: peer.imageHash.toString('hex'), policy: peer.policy, auth: mode, proto_version: this.sessionVersions.get(session) });
  }

  /** Short when the proxy knows our secret hash; on chain, long after registering the nonce on chain. */
  private async authorizationMode(auth: ClientProxyConnectionAuth, account: ClientChainAccount | undefined): Promise<'short' | 'long'> {
    if (account) {
      return account.prepareAuthorization(auth._ === 'client.proxyConnectionAuthShort'
        ? { kind: 'short', secretHash: auth.secret_hash, nonce: auth.nonce }
        : { kind: 'long', nonce: auth.nonce });
    }
    const ownHash = createHash('sha256').update(this.options.secretString, 'utf8').digest();
    if (auth._ !== 'client.proxyConnectionAuthShort' || !ownHash.equals(auth.secret_hash)) {
      throw new CocoonError('CCN_ERR_AUTH_FAILED', 'proxy does not know this client with this secret (long authorization needs the TON chain)');
    }
    return 'short';
  }

  private async refreshPaymentStatus(): Promise<void> {
    if (!this.isReady) return;
    try {
      const status = expectTlObject(await this.query({ _: 'client.updatePaymentStatus' }, 60_000), 'client.paymentStatus');
      this.account?.observeSignedPayment(status.signed_payment);
      this.observeTotals(status.db_tokens, status.max_tokens);
    } catch {
      // the session handles liveness; a failed status query is retried next period
    }
  }

  private onMessage(message: TlObject): void {
    if (isTlObject(message, ...ANSWER_MESSAGES)) {
      this.listeners.get(message.request_id.toString('hex'))?.onAnswerMessage(message);
      return;
    }
    if (isTlObject(message, 'proxy.clientRequestPayment')) {
      this.onRequestPayment?.(message); // §22: the e2e receipt store keeps each request's charge
      this.account?.observeSignedPayment(message.signed_payment);
      this.observeTotals(message.db_tokens, message.max_tokens);
      return;
    }
    this.options.logger.warn('ignoring unexpected proxy message', { type: message._ });
  }

  private observeTotals(dbTokens: bigint, maxTokens: bigint): void {
    if (dbTokens > this.tokensUsedProxyCommittedToDb) this.tokensUsedProxyCommittedToDb = dbTokens;
    if (maxTokens > this.tokensUsedProxyMax) this.tokensUsedProxyMax = maxTokens;
    this.account?.observeProxyTotals(dbTokens, maxTokens);
  }

  private onLost(error: CocoonError): void {
    for (const listener of [...this.listeners.values()]) listener.onConnectionLost(error);
    this.listeners.clear();
  }
}

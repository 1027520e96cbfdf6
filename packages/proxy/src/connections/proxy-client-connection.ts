/**
 * The proxy's side of one client connection (§3.1): handshake states None → Auth → Ok,
 * the protocol version (§3.3), short authorization against the client's secret hash, worker-type listing, payment
 * status, and `client.runQueryEx` (and, as the reference, the legacy `client.runQuery`) messages turned into
 * ProxyRequests, answered in the shape the client's protocol version reads; with our extensions (§19)
 * `ext.cancelQuery` and `ext.grantCredit` for a running request, and the session's 'drain'
 * resuming the requests' relays; on an 'e2e' session (§22) `ext.getE2eWorkers`; with 'market' (§4.4)
 * `ext.getMarket` and `ext.runQueryWithPreferences` (runQueryEx plus the app's sort and fallback preference).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CocoonError, WireErrorCode } from '@cocoon/protocol';
import type { CocoonSession, Logger, QueryReply, SessionExtension, TlObject } from '@cocoon/protocol';
import type { ClientAccount } from '../billing/index.ts';
import type { Ledger, LedgerTotals } from '../ledger/index.ts';
import { marketAnswer, type WorkerRegistry } from '../routing/index.ts';
import { ProxyRequest } from '../requests/proxy-request.ts';
import { listE2eWorkers } from '../e2e/list-e2e-workers.ts';
import type { ProxyRequestContext, ProxyRequestSink } from '../requests/proxy-request-context.ts';
import { checkTestMode, negotiateProtocolVersion, proxyParams } from './proxy-params.ts';
import type { ProxyIdentity } from './proxy-params.ts';
import type { ProxyChainLink } from './proxy-chain-link.ts';
import type { AuthorizationWatch } from './unauthenticated-connection-gate.ts';

/** §16: long authorization waits up to 300 s for the register transaction. */
const LONG_AUTH_TIMEOUT_MS = 300_000;
/** While the proxy waits for a long authorization, the connection's deadline covers that wait plus this. */
const LONG_AUTH_DEADLINE_GRACE_MS = 30_000;

type ClientHandshakeState = 'none' | 'auth' | 'ok';

/** Where the proxy learns about clients: dev config off chain, client contracts on chain. */
export interface ClientDirectory {
  find(ownerAddress: string): Promise<{ secretHash: Buffer; account: ClientAccount } | undefined>;
}

export interface ProxyClientConnectionOptions {
  id: string;
  session: CocoonSession;
  identity: ProxyIdentity;
  clients: ClientDirectory;
  registry: WorkerRegistry;
  ledger: Ledger;
  chain: ProxyChainLink;
  requestContext: ProxyRequestContext;
  logger: Logger;
  random?: (bytes: number) => Buffer;
  /** The front door's watch: told when the client has authorized (and while long auth waits on chain). */
  authorization?: AuthorizationWatch;
}

export class ProxyClientConnection implements ProxyRequestSink {
  private state: ClientHandshakeState = 'none';
  private known: { secretHash: Buffer; account: ClientAccount } | undefined;
  private readonly running = new Set<ProxyRequest>();
  /** Requests whose answer has not fully left yet (a final message can wait for 'drain' after the request ended). */
  private readonly delivering = new Set<ProxyRequest>();
  /** Running requests by the client's request id (hex), for ext.cancelQuery / ext.grantCredit. */
  private readonly byClientId = new Map<string, ProxyRequest>();
  private nonce = 0n;
  private negotiatedVersion = 0;
  clientOwner = '';
  detached = false;

  constructor(private readonly options: ProxyClientConnectionOptions) {
    const { session } = options;
    session.on('query', (query, reply) => {
      this.onQuery(query).then((answer) => reply.answer(answer), (error: unknown) => this.failQuery(error, reply));
    });
    session.on('message', (message) => this.onMessage(message));
    session.on('close', () => {
      this.detached = true;
      for (const request of [...this.running]) request.onClientGone();
      this.delivering.clear();
    });
    session.on('drain', () => {
      // No copy per 'drain' (thousands of streams per session): a request that finishes delivering
      // removes itself, which a Set's iteration allows; flushing adds none.
      for (const request of this.delivering) request.onClientDrain();
    });
  }

  get extensions(): ReadonlySet<SessionExtension> {
    return this.options.session.extensions;
  }

  /** The protocol version negotiated at client.connectToProxy (§3.3); 0 before it. From 3 on the client may send encrypted requests. */
  get protoVersion(): number {
    return this.negotiatedVersion;
  }

  get writable(): boolean {
    return this.options.session.writable;
  }

  get account(): ClientAccount {
    if (!this.known) throw new CocoonError('CCN_ERR_AUTH_FAILED', 'client is not authorized');
    return this.known.account;
  }

  send(message: TlObject): void {
    if (this.options.session.isOpen) this.options.session.send(message);
  }

  sendPayment(requestId: Buffer, requestTokens: bigint, totals: LedgerTotals): void {
    this.options.chain.signedClientPayment(this.clientOwner).then((signedPayment) => this.send({
      _: 'proxy.clientRequestPayment',
      request_id: requestId,
      signed_payment: signedPayment,
      db_tokens: totals.tokensCommittedToDb,
      max_tokens: totals.tokensMax,
      request_tokens: requestTokens,
    }), (error: unknown) => this.options.logger.warn('could not sign client payment', { owner: this.clientOwner, error: String(error) }));
  }

  private failQuery(error: unknown, reply: QueryReply): void {
    reply.fail(error);
    if (this.state !== 'ok') {
      this.options.logger.warn('client handshake failed', { connection: this.options.id, error: error instanceof Error ? error.message : String(error) });
      setImmediate(() => this.options.session.close(new CocoonError('CCN_ERR_AUTH_FAILED', 'client handshake failed')));
    }
  }

  private async onQuery(query: TlObject): Promise<TlObject> {
    switch (query._) {
      case 'client.connectToProxy':
        return this.onConnect(query.params as TlObject, query.min_config_version as number);
      case 'client.authorizeWithProxyShort':
        return this.onAuthorizeShort(query.data as Buffer);
      case 'client.authorizeWithProxyLong':
        return this.onAuthorizeLong();
      case 'client.getWorkerTypesV2':
        this.requireState('ok', query._);
        return this.workerTypes();
      case 'ext.getMarket': // §4.4: each model's workers with their measured latency, throughput and reliability
        this.requireState('ok', query._);
        return marketAnswer(this.options.registry.models());
      case 'ext.getE2eWorkers':
        this.requireState('ok', query._);
        if (!this.extensions.has('e2e')) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'ext.getE2eWorkers on a session without e2e');
        return listE2eWorkers(this.options.registry, this.options.requestContext.workerLinks, query.model as string);
      case 'client.updatePaymentStatus': {
        this.requireState('ok', query._);
        const totals = await this.options.ledger.clientTotals(this.clientOwner);
        return { _: 'client.paymentStatus', signed_payment: await this.options.chain.signedClientPayment(this.clientOwner), db_tokens: totals.tokensCommittedToDb, max_tokens: totals.tokensMax };
      }
      default:
        throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `unexpected client query ${query._}`);
    }
  }

  private async onConnect(params: TlObject, minConfigVersion: number): Promise<TlObject> {
    this.requireState('none', 'client.connectToProxy');
    const { identity } = this.options;
    checkTestMode(params, identity);
    const protoVersion = negotiateProtocolVersion(params);
    this.negotiatedVersion = protoVersion;
    if (minConfigVersion > this.options.requestContext.configVersion) {
      throw new CocoonError('CCN_ERR_PROTOCOL_VERSION', `client saw root config version ${minConfigVersion}, proxy has ${this.options.requestContext.configVersion}`);
    }
    this.clientOwner = params.client_owner_address as string;
    if (!this.clientOwner) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'client owner address is empty');
    const clientContractAddress = this.options.chain.clientContractAddress(this.clientOwner);
    this.known = await this.options.clients.find(this.clientOwner);
    this.state = 'auth';
    const nonce = (this.options.random ?? randomBytes)(8).readBigInt64LE(0);
    this.nonce = BigInt.asUintN(64, nonce);
    return {
      _: 'client.connectedToProxy',
      params: proxyParams(identity, protoVersion),
      client_sc_address: clientContractAddress,
      auth: this.known
        ? { _: 'client.proxyConnectionAuthShort', secret_hash: this.known.secretHash, nonce }
        : { _: 'client.proxyConnectionAuthLong', nonce },
      signed_payment: await this.options.chain.signedClientPayment(this.clientOwner),
    };
  }

  /** §3.1 long path: the client registered on chain with our nonce; wait until the proxy contract shows it. */
  private async onAuthorizeLong(): Promise<TlObject> {
    this.requireState('auth', 'client.authorizeWithProxyLong');
    this.options.authorization?.extendDeadline(LONG_AUTH_TIMEOUT_MS + LONG_AUTH_DEADLINE_GRACE_MS);
    try {
      await this.options.chain.waitForRegistration(this.clientOwner, this.nonce, LONG_AUTH_TIMEOUT_MS);
    } catch (error) {
      return { _: 'client.authorizationWithProxyFailed', error_code: WireErrorCode.error, error: error instanceof Error ? error.message : String(error) };
    }
    this.known = await this.options.clients.find(this.clientOwner);
    if (!this.known) {
      return { _: 'client.authorizationWithProxyFailed', error_code: WireErrorCode.error, error: 'client contract not found after registration' };
    }
    return this.authorized();
  }

  private async onAuthorizeShort(secret: Buffer): Promise<TlObject> {
    this.requireState('auth', 'client.authorizeWithProxyShort');
    const hash = createHash('sha256').update(secret).digest();
    if (!this.known || !timingSafeEqual(hash, this.known.secretHash)) {
      this.options.logger.warn('client authorization failed', { connection: this.options.id, owner: this.clientOwner });
      return { _: 'client.authorizationWithProxyFailed', error_code: WireErrorCode.error, error: 'secret does not match the client contract' };
    }
    return this.authorized();
  }

  private async authorized(): Promise<TlObject> {
    this.state = 'ok';
    this.options.authorization?.authorized(); // before the answer: the client may send large frames once it has it
    const totals = await this.options.ledger.clientTotals(this.clientOwner);
    this.options.logger.info('client authorized', { connection: this.options.id, owner: this.clientOwner });
    const signedPayment = await this.options.chain.signedClientPayment(this.clientOwner);
    return { _: 'client.authorizationWithProxySuccess', signed_payment: signedPayment, tokens_committed_to_db: totals.tokensCommittedToDb, max_tokens: totals.tokensMax };
  }

  private workerTypes(): TlObject {
    return {
      _: 'client.workerTypesV2',
      types: this.options.registry.models().map((model) => ({
        _: 'client.workerTypeV2',
        name: model.id,
        workers: model.workers.map((worker) => ({
          _: 'client.workerInstanceV2',
          flags: 0,
          coefficient: worker.coefficient,
          active_requests: worker.runningRequests,
          max_active_requests: worker.maxRunningRequests,
        })),
      })),
    };
  }

  private onMessage(message: TlObject): void {
    if (this.state !== 'ok') {
      this.options.session.close(new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `${message._} before authorization`));
      return;
    }
    if (message._ === 'ext.cancelQuery') {
      this.byClientId.get((message.request_id as Buffer).toString('hex'))?.cancel('the client cancelled it');
      return;
    }
    if (message._ === 'ext.grantCredit') {
      this.byClientId.get((message.request_id as Buffer).toString('hex'))?.grantClientCredit(Number(message.bytes as bigint));
      return;
    }
    if (message._ !== 'client.runQueryEx' && message._ !== 'client.runQuery' && message._ !== 'ext.runQueryWithPreferences') {
      this.options.session.close(new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `unexpected client message ${message._}`));
      return;
    }
    // client.runQuery (version 0) is runQueryEx without flags: no debug, no encryption (the reference's conversion).
    const flags = message._ === 'client.runQuery' ? 0 : (message.flags as number | undefined) ?? 0;
    const request = new ProxyRequest(this.options.requestContext, this, {
      modelName: message.model_name as string,
      query: message.query as Buffer,
      maxCoefficient: message.max_coefficient as number,
      maxTokens: message.max_tokens as number,
      timeoutSeconds: message.timeout as number,
      clientRequestId: message.request_id as Buffer,
      enableDebug: (flags & 1) !== 0 && message.enable_debug === true,
      ...((flags & 2) !== 0 && message.public_key ? { publicKey: message.public_key as Buffer } : {}), // proto 3: encrypted to it (§20)
      // ext.runQueryWithPreferences (§4.4): runQueryEx plus the app's sort and fallback preference
      ...(message._ === 'ext.runQueryWithPreferences' ? { preferences: { sort: message.sort as string, allowFallbacks: message.allow_fallbacks === true } } : {}),
    });
    const key = (message.request_id as Buffer).toString('hex');
    this.running.add(request);
    this.delivering.add(request);
    request.onAnswerDelivered(() => this.delivering.delete(request));
    this.byClientId.set(key, request);
    request.onDone(() => {
      this.running.delete(request);
      if (this.byClientId.get(key) === request) this.byClientId.delete(key);
    });
    request.start();
  }

  private requireState(expected: ClientHandshakeState, what: string): void {
    if (this.state !== expected) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `${what} not allowed in handshake state ${this.state}`);
  }
}

/**
 * The proxy's side of one worker connection (§3.2): handshake states None → Compare →
 * FinishingHandshake → Ok, the protocol version (§3.3) and machine description, registration in
 * the worker registry (initially disabled), enable/disable and coefficient messages, answer routing
 * to requests (coded error answers too, where the worker negotiated them, §19; the legacy non-Ex answers
 * of a version-0 worker, §3.3), payment messages,
 * and the operator's model switch (`worker.changeModel`, §3.2). On an 'e2e' session (§22) it keeps the
 * worker's latest `ext.workerE2eEvidence` (a malformed or oversized one is logged, without content, and
 * ignored: the previous evidence stays) and hands `ext.e2eReceipt` to its request.
 */
import { CocoonError, EMPTY_SIGNED_PAYMENT, PeerReportedError, isTlObject, modelBaseName } from '@cocoon/protocol';
import type {
  CocoonSession, ExtE2eEvidence, Logger, QueryReply, SessionExtension, TlObject, WorkerCompareBalanceWithProxy, WorkerConnectedToProxy, WorkerParams, WorkerProxyHandshakeCompleted,
} from '@cocoon/protocol';
import { perProxyMaxActiveRequests } from '../routing/index.ts';
import type { RegisteredWorker, WorkerAttestationView, WorkerRegistry } from '../routing/index.ts';
import { WorkerE2eEvidence } from '../e2e/worker-e2e-evidence.ts';
import type { Ledger, LedgerTotals } from '../ledger/index.ts';
import type { ProxyRequest } from '../requests/proxy-request.ts';
import type { WorkerLink } from '../requests/proxy-request-context.ts';
import { checkTestMode, negotiateProtocolVersion, proxyParams, workerMachineDescription } from './proxy-params.ts';
import type { ProxyIdentity } from './proxy-params.ts';
import type { ProxyChainLink } from './proxy-chain-link.ts';
import type { AuthorizationWatch } from './unauthenticated-connection-gate.ts';

type WorkerHandshakeState = 'none' | 'compare' | 'finishing' | 'ok';

/** How long the proxy waits for `worker.changedModel` (the reference's 60 s). */
export const CHANGE_MODEL_TIMEOUT_MS = 60_000;
/** The longest model string a model switch takes. */
const MAX_MODEL_NAME_BYTES = 1024;

export interface ProxyWorkerConnectionOptions {
  id: string;
  session: CocoonSession;
  identity: ProxyIdentity;
  registry: WorkerRegistry;
  workerLinks: Map<string, WorkerLink>;
  ledger: Ledger;
  chain: ProxyChainLink;
  logger: Logger;
  /** §7.3: throws unless the root contract allows the worker's model (set when worker hashes are checked). */
  checkModel?: (model: string) => void;
  /** The front door's watch: told when the worker has finished its handshake (registration). */
  authorization?: AuthorizationWatch;
  /** What the TLS handshake verified of the worker (shown in `/jsonstats` `worker_connections`). */
  attestation?: WorkerAttestationView;
}

export class ProxyWorkerConnection implements WorkerLink {
  private state: WorkerHandshakeState = 'none';
  private registered: RegisteredWorker | undefined;
  private readonly requests = new Map<string, ProxyRequest>();
  /** Newest signed payout for this worker (attached to proxy.runQueryEx synchronously). */
  private payment: TlObject = EMPTY_SIGNED_PAYMENT;
  private negotiatedVersion = 0;
  ownerAddress = '';
  /** The worker's latest e2e key evidence (§22), on a session that negotiated 'e2e'. */
  readonly e2e: WorkerE2eEvidence | undefined;

  constructor(private readonly options: ProxyWorkerConnectionOptions) {
    const { session } = options;
    this.e2e = session.extensions?.has('e2e') === true ? new WorkerE2eEvidence() : undefined; // `?.`: sessions scripted in tests may have no set
    session.on('query', (query, reply) => {
      this.onQuery(query).then((answer) => reply.answer(answer), (error: unknown) => this.failHandshake(error, reply));
    });
    session.on('message', (message) => this.onMessage(message));
    session.on('close', (error) => this.onClose(error));
  }

  get worker(): RegisteredWorker | undefined {
    return this.registered;
  }

  get id(): string {
    return this.options.id;
  }

  /** The protocol version negotiated at worker.connectToProxy (§3.3); 0 before it. */
  get protoVersion(): number {
    return this.negotiatedVersion;
  }

  /**
   * The operator's model switch (§3.2, `/request/change_worker_model`): sends `worker.changeModel`, and
   * once the worker answers `worker.changedModel` the registry lists and selects it under the new model.
   * Throws a CocoonError the HTTP endpoint reports: not ready, model not allowed by the root, the
   * worker's refusal (CCN_ERR_WORKER_MODEL_CHANGE_FAILED with its message), or a timeout.
   */
  async changeModel(newModel: string, timeoutMs = CHANGE_MODEL_TIMEOUT_MS): Promise<{ model: string; previous: string }> {
    if (this.state !== 'ok' || !this.registered || !this.options.session.isOpen) {
      throw new CocoonError('CCN_ERR_WORKER_DISCONNECTED', `worker connection ${this.options.id} is not ready`);
    }
    if (newModel === '' || Buffer.byteLength(newModel) > MAX_MODEL_NAME_BYTES || /[\s\p{Cc}]/u.test(newModel)) {
      throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `new_model_name must be 1..${MAX_MODEL_NAME_BYTES} bytes without spaces or control characters`, { param: 'new_model_name' });
    }
    this.options.checkModel?.(newModel); // §7.3: the same check as at the handshake
    const previous = this.registered.modelFullName;
    let answer: TlObject;
    try {
      answer = await this.options.session.query({ _: 'worker.changeModel', new_model: newModel }, timeoutMs);
    } catch (error) {
      if (error instanceof PeerReportedError) {
        throw new CocoonError('CCN_ERR_WORKER_MODEL_CHANGE_FAILED', `worker refused the model change: ${error.message.slice(0, 300)}`);
      }
      throw error;
    }
    if (!isTlObject(answer, 'worker.changedModel')) {
      throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `expected worker.changedModel, got ${answer._}`);
    }
    if (this.options.registry.get(this.options.id) === this.registered) this.options.registry.changeModel(this.options.id, newModel);
    this.options.logger.info('worker changed its model', { connection: this.options.id, model: newModel, previous });
    return { model: newModel, previous };
  }

  attach(request: ProxyRequest): void {
    this.requests.set(request.workerRequestIdHex, request);
  }

  detach(request: ProxyRequest): void {
    this.requests.delete(request.workerRequestIdHex);
  }

  send(message: TlObject): void {
    this.options.session.send(message);
  }

  signedPayment(): TlObject {
    return this.payment;
  }

  /** What the worker's session negotiated (§19). */
  get extensions(): ReadonlySet<SessionExtension> {
    return this.options.session.extensions;
  }

  /** Pauses reading this worker's connection (a request's relay over its bound, §19). */
  holdReading(): () => void {
    return this.options.session.holdReading();
  }

  sendPayment(requestId: Buffer, requestTokens: bigint, totals: LedgerTotals, clientOwner: string): void {
    this.refreshPayment().then((signedPayment) => {
      if (!this.options.session.isOpen) return;
      this.send({
        _: 'proxy.workerRequestPayment',
        request_id: requestId,
        signed_payment: signedPayment,
        db_tokens: totals.tokensCommittedToDb,
        max_tokens: totals.tokensMax,
        request_tokens: requestTokens,
        request_client_owner: clientOwner,
      });
    }, (error: unknown) => this.options.logger.warn('could not sign worker payment', { owner: this.ownerAddress, error: String(error) }));
  }

  private async refreshPayment(): Promise<TlObject> {
    this.payment = await this.options.chain.signedWorkerPayment(this.ownerAddress);
    return this.payment;
  }

  private failHandshake(error: unknown, reply: QueryReply): void {
    reply.fail(error);
    if (this.state !== 'ok') {
      this.options.logger.warn('worker handshake failed', { connection: this.options.id, error: error instanceof Error ? error.message : String(error) });
      setImmediate(() => this.options.session.close(new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'worker handshake failed')));
    }
  }

  private async onQuery(query: TlObject): Promise<TlObject> {
    if (!isTlObject(query, 'worker.connectToProxy', 'worker.compareBalanceWithProxy', 'worker.proxyHandshakeComplete', 'worker.updatePaymentStatus')) {
      throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `unexpected worker query ${query._}`);
    }
    switch (query._) {
      case 'worker.connectToProxy':
        return this.onConnect(query.params);
      case 'worker.compareBalanceWithProxy':
        return this.onCompareBalance(query);
      case 'worker.proxyHandshakeComplete':
        return this.onHandshakeComplete(query.is_disabled);
      case 'worker.updatePaymentStatus': {
        this.requireState('ok', query._);
        const totals = await this.options.ledger.workerTotals(this.ownerAddress);
        return { _: 'worker.paymentStatus', signed_payment: await this.refreshPayment(), db_tokens: totals.tokensCommittedToDb, max_tokens: totals.tokensMax };
      }
    }
  }

  private onConnect(params: WorkerParams): WorkerConnectedToProxy {
    this.requireState('none', 'worker.connectToProxy');
    const { identity, registry, id } = this.options;
    checkTestMode(params, identity);
    const { model, coefficient } = params;
    // present: checkTestMode required flag bit 0 (WorkerParamsFlag.max_active_requests / proxy_cnt)
    const maxActive = params.max_active_requests ?? 0;
    const proxyCount = params.proxy_cnt ?? 0;
    if (!model) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'worker model is empty');
    this.options.checkModel?.(model);
    if (!(coefficient >= 0 && coefficient < 1e9)) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `bad coefficient ${coefficient}`);
    if (!(maxActive >= 1) || !(proxyCount >= 1)) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'max_active_requests and proxy_cnt must be ≥ 1');
    const protoVersion = negotiateProtocolVersion(params);
    const machineDescriptionJson = workerMachineDescription(params);
    this.negotiatedVersion = protoVersion;
    this.ownerAddress = params.worker_owner_address;
    const workerContractAddress = this.options.chain.workerContractAddress(this.ownerAddress);
    this.registered = registry.register({
      id,
      ownerAddress: this.ownerAddress,
      modelBaseName: modelBaseName(model),
      modelFullName: model,
      coefficient,
      maxActiveRequests: perProxyMaxActiveRequests(maxActive, proxyCount),
      enabled: false,
      protoVersion,
      machineDescriptionJson,
      ...(this.options.attestation ? { attestation: this.options.attestation } : {}),
    });
    this.options.workerLinks.set(id, this);
    this.state = 'compare';
    this.options.logger.info('worker connected', { connection: id, model, coefficient, owner: this.ownerAddress, proto_version: protoVersion });
    return {
      _: 'worker.connectedToProxy',
      params: proxyParams(identity, protoVersion),
      worker_sc_address: workerContractAddress,
    };
  }

  private async onCompareBalance(query: WorkerCompareBalanceWithProxy): Promise<TlObject> {
    this.requireState('compare', query._);
    const { ledger, chain, logger } = this.options;
    const claimed = { tokensCommittedToBlockchain: query.tokens_committed_to_blockchain, tokensCommittedToDb: query.tokens_committed_to_db };
    try {
      await ledger.assertNotBehind('worker', this.ownerAddress, claimed);
    } catch (error) {
      // §3.2: the worker knows more than our ledger: our state was rolled back. Never sign below what it holds.
      logger.error('worker knows more earnings than this proxy: ledger rolled back?', { owner: this.ownerAddress, error: error instanceof Error ? error.message : String(error) });
      if (chain.onChain) throw error;
    }
    const totals = await ledger.workerTotals(this.ownerAddress);
    this.state = 'finishing';
    return {
      _: 'worker.compareBalanceWithProxyResult',
      signed_payment: await this.refreshPayment(),
      tokens_committed_to_db: totals.tokensCommittedToDb,
      max_tokens: totals.tokensMax,
      error_code: query.max_tokens <= totals.tokensMax ? 0 : 1,
    };
  }

  private onHandshakeComplete(isDisabled: boolean): WorkerProxyHandshakeCompleted {
    this.requireState('finishing', 'worker.proxyHandshakeComplete');
    this.state = 'ok';
    this.options.authorization?.authorized();
    this.options.registry.setEnabled(this.options.id, !isDisabled);
    return { _: 'worker.proxyHandshakeCompleted' };
  }

  private onMessage(message: TlObject): void {
    if (this.state !== 'ok') {
      this.options.session.close(new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `${message._} before handshake completed`));
      return;
    }
    if (!isTlObject(
      message, 'proxy.queryAnswerEx', 'proxy.queryAnswerPartEx', 'proxy.queryAnswerErrorEx', 'ext.proxyQueryAnswerErrorCoded', 'worker.enabledDisabled', 'worker.newCoefficient',
      'proxy.queryAnswer', 'proxy.queryAnswerPart', 'proxy.queryAnswerError', 'proxy.queryAnswerPartError', 'ext.workerE2eEvidence', 'ext.e2eReceipt',
    )) {
      this.options.session.close(new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `unexpected worker message ${message._}`));
      return;
    }
    switch (message._) {
      case 'proxy.queryAnswerEx':
      case 'proxy.queryAnswerPartEx':
      case 'proxy.queryAnswerErrorEx':
      case 'ext.proxyQueryAnswerErrorCoded':
      case 'proxy.queryAnswer': // legacy answers (any worker may send them, as to the reference): read as Ex by the request
      case 'proxy.queryAnswerPart':
      case 'proxy.queryAnswerError':
      case 'proxy.queryAnswerPartError': {
        const request = this.requests.get(message.request_id.toString('hex'));
        request?.onWorkerMessage(message); // answers for finished/timed-out requests are dropped
        return;
      }
      case 'ext.workerE2eEvidence':
        this.onE2eEvidence(message.evidence);
        return;
      case 'ext.e2eReceipt':
        if (!this.e2e) {
          this.options.session.close(new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'ext.e2eReceipt on a session without e2e'));
          return;
        }
        this.requests.get(message.request_id.toString('hex'))?.onWorkerReceipt(message); // late receipts are dropped
        return;
      case 'worker.enabledDisabled':
        this.options.registry.setEnabled(this.options.id, message.disabled === 0);
        this.options.logger.info('worker availability changed', { connection: this.options.id, enabled: message.disabled === 0 });
        return;
      case 'worker.newCoefficient': {
        const coefficient = message.new_coefficient;
        if (coefficient < 0) {
          this.options.session.close(new CocoonError('CCN_ERR_WORKER_DISABLED', 'worker withdrew (negative coefficient)'));
          return;
        }
        this.options.registry.setCoefficient(this.options.id, coefficient);
        return;
      }
    }
  }

  /** §22: keeps the evidence as received (the client verifies it); a refused one changes nothing. Never logs its bytes. */
  private onE2eEvidence(evidence: ExtE2eEvidence): void {
    if (!this.e2e) {
      this.options.session.close(new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'ext.workerE2eEvidence on a session without e2e'));
      return;
    }
    const outcome = this.e2e.accept(evidence);
    if (outcome.accepted) this.options.logger.info('worker e2e evidence', { connection: this.options.id, keys: outcome.keys, bytes: outcome.bytes });
    else this.options.logger.warn('worker e2e evidence ignored', { connection: this.options.id, reason: outcome.reason });
  }

  private requireState(expected: WorkerHandshakeState, what: string): void {
    if (this.state !== expected) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `${what} not allowed in handshake state ${this.state}`);
  }

  private onClose(error: CocoonError | undefined): void {
    this.options.workerLinks.delete(this.options.id);
    if (this.registered) this.options.registry.unregister(this.options.id);
    const reason = error ?? new CocoonError('CCN_ERR_SESSION_CLOSED', 'worker connection closed');
    for (const request of [...this.requests.values()]) request.onWorkerGone(reason);
    this.requests.clear();
    this.options.logger.info('worker disconnected', { connection: this.options.id, reason: reason.message });
  }
}

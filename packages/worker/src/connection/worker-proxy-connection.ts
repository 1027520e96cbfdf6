/**
 * The worker's outbound link to one proxy (§3.2): handshake (connectToProxy →
 * compareBalance → proxyHandshakeComplete) with the protocol versions of §3.3 (3..4; 4..4 with a
 * machine description, which only protocol 4 carries) and a refusal of a proxy that chose another,
 * serving `proxy.runQueryEx`, the proxy's `worker.changeModel` query, tracking payment totals, and
 * availability messages. Dialing and reconnecting: ReconnectingSession.
 * On chain (`payments` given) the handshake verifies the contracts and the proxy's balance
 * against the worker's durable ledger (anti-rollback), every signed payment is verified and
 * `worker.updatePaymentStatus` is polled every 10–20 s.
 */
import {
  CocoonError, MACHINE_DESCRIPTION_MIN_PROTOCOL_VERSION, PROTOCOL_VERSIONS, ProxyParamsFlag, WorkerParamsFlag, checkChosenProtocolVersion, isTlObject,
} from '@cocoon/protocol';
import type { CocoonSession, Logger, ProtocolVersionRange, QueryReply, TlObject, WorkerParams } from '@cocoon/protocol';
import { ReconnectingSession, expectAnswer } from '@cocoon/attestation';
import type { PeerVerifier, ReconnectingSessionState, SecureIdentitySource } from '@cocoon/attestation';
import type { WorkerQueryHandler } from '../serving/worker-query-handler.ts';
import { RunningQueries } from '../serving/running-queries.ts';
import type { WorkerConnectionPayments, WorkerProxyLedger } from '../chain/worker-chain-ports.ts';

/** The model the worker serves now and its switch (WorkerModelSwitch). */
export interface WorkerModelSource {
  readonly current: string;
  change(newModel: string): Promise<void>;
}

/**
 * §3.3: the worker speaks 3..4; with a machine description 4..4. The reference sends
 * `machine_description_json` only when its minimum version is ≥ 4 (an older proxy could not parse the
 * field), so a worker that has one to send requires 4.
 */
export function workerProtocolVersions(machineDescriptionJson: string | undefined): ProtocolVersionRange {
  const range = PROTOCOL_VERSIONS.worker;
  return machineDescriptionJson === undefined ? range : { min: Math.max(range.min, MACHINE_DESCRIPTION_MIN_PROTOCOL_VERSION), max: range.max };
}

/** `worker.params` as the reference worker builds it: flags 3, plus bit 2 with the description when the minimum version is ≥ 4. */
export function buildWorkerParams(fields: {
  ownerAddress: string; model: string; coefficient: number; isTest: boolean; proxyConnections: number; maxActiveRequests: number; machineDescriptionJson?: string | undefined;
}): WorkerParams {
  const versions = workerProtocolVersions(fields.machineDescriptionJson);
  const describe = versions.min >= MACHINE_DESCRIPTION_MIN_PROTOCOL_VERSION && fields.machineDescriptionJson !== undefined;
  return {
    _: 'worker.params',
    flags: WorkerParamsFlag.is_test | WorkerParamsFlag.min_proto_version | (describe ? WorkerParamsFlag.machine_description_json : 0),
    worker_owner_address: fields.ownerAddress, model: fields.model, coefficient: fields.coefficient,
    is_test: fields.isTest, proxy_cnt: fields.proxyConnections, max_active_requests: fields.maxActiveRequests,
    min_proto_version: versions.min, max_proto_version: versions.max,
    ...(describe ? { machine_description_json: fields.machineDescriptionJson } : {}),
  };
}

export interface WorkerProxyConnectionOptions {
  host: string;
  port: number;
  identity: SecureIdentitySource;
  verifier: PeerVerifier;
  maxPowDifficulty: number;
  ownerAddress: string;
  model: string;
  coefficient: number;
  maxActiveRequests: number;
  proxyConnections: number;
  isTest: boolean;
  handler: WorkerQueryHandler;
  isEnabled: () => boolean;
  logger: Logger;
  /** On chain: contract checks, durable payout ledger, payment status polls. Absent = off chain. */
  payments?: WorkerConnectionPayments;
  /** The current model and its switch; absent = `model` always, and `worker.changeModel` is refused. */
  models?: WorkerModelSource;
  /** `machine_description_json` to send (a JSON object's text); makes this worker speak protocol 4 only. */
  machineDescriptionJson?: string;
  /** Each session whose handshake completed (the e2e evidence announcer attaches it). */
  onSessionReady?: (session: CocoonSession) => void;
}

export class WorkerProxyConnection {
  proxyContractAddress = '';
  workerContractAddress = '';
  earnedTokensCommittedToDb = 0n;
  earnedTokensMax = 0n;
  private readonly link: ReconnectingSession;
  /** Running requests: cancel and credit from the proxy (§19), aborted when the session closes. */
  private readonly running = new RunningQueries();
  private ledger: WorkerProxyLedger | undefined;
  private paymentStatusTimer: NodeJS.Timeout | undefined;
  private negotiatedVersion = 0;
  /** Hex of the current proxy's TLS public key (the e2e receipts' `proxy` off chain). */
  private proxyTlsKey = '';

  constructor(private readonly options: WorkerProxyConnectionOptions) {
    this.link = new ReconnectingSession({
      ...options,
      handshake: (session, peer) => {
        this.proxyTlsKey = peer.publicKey.toString('hex');
        return this.handshake(session);
      },
      onMessage: (session, message) => this.onMessage(session, message),
    });
  }

  get address(): string {
    return this.link.address;
  }

  get state(): ReconnectingSessionState {
    return this.link.state;
  }

  /** The protocol version the proxy chose for the current session (§3.3); 0 before a handshake. */
  get protoVersion(): number {
    return this.negotiatedVersion;
  }

  start(): void {
    this.link.start();
  }

  whenReady(): Promise<void> {
    return this.link.whenReady();
  }

  /** Tells the proxy whether this worker takes requests (`worker.enabledDisabled`). */
  announceAvailability(enabled: boolean): void {
    this.link.session?.send({ _: 'worker.enabledDisabled', disabled: enabled ? 0 : 1 });
  }

  /** A new price multiplier (1000 = 1.0×): announced now (`worker.newCoefficient`) and sent by later handshakes. */
  changeCoefficient(coefficient: number): void {
    this.options.coefficient = coefficient;
    this.link.session?.send({ _: 'worker.newCoefficient', new_coefficient: coefficient });
  }

  close(): void {
    clearTimeout(this.paymentStatusTimer);
    this.link.close();
  }

  private async handshake(session: CocoonSession): Promise<void> {
    const { options } = this;
    let ready = false;
    session.on('query', (query, reply) => this.onProxyQuery(query, reply, ready));
    const params0 = buildWorkerParams({
      ownerAddress: options.ownerAddress, model: options.models?.current ?? options.model, coefficient: options.coefficient, isTest: options.isTest,
      proxyConnections: options.proxyConnections, maxActiveRequests: options.maxActiveRequests, machineDescriptionJson: options.machineDescriptionJson,
    });
    const connected = await session.query({ _: 'worker.connectToProxy', params: params0 });
    expectAnswer(connected, 'worker.connectedToProxy');
    const params = connected.params as TlObject;
    if ((params.is_test as boolean) !== options.isTest) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'proxy test mode differs from ours');
    // §3.3: a proxy that chose a version outside ours (an older one: a 9060ce5 worker needs ≥ 3) is refused.
    const chosen = (((params.flags as number | undefined) ?? 0) & ProxyParamsFlag.proto_version) !== 0 ? params.proto_version as number : undefined;
    this.negotiatedVersion = checkChosenProtocolVersion({ min: params0.min_proto_version!, max: params0.max_proto_version! }, chosen, 'proxy');
    this.proxyContractAddress = params.proxy_sc_address as string;
    this.workerContractAddress = connected.worker_sc_address as string;
    const ledger = options.payments ? await options.payments.connectedToProxy(params, this.workerContractAddress) : undefined;
    this.ledger = ledger;
    const compared = await session.query({
      _: 'worker.compareBalanceWithProxy',
      ...(ledger ? ledger.balanceClaim() : { tokens_committed_to_blockchain: 0n, tokens_committed_to_db: this.earnedTokensCommittedToDb, max_tokens: this.earnedTokensMax }),
    });
    expectAnswer(compared, 'worker.compareBalanceWithProxyResult');
    if (ledger) {
      ledger.acceptCompareResult(compared); // throws CCN_ERR_LEDGER_ROLLBACK: the handshake fails, the session closes
    } else if ((compared.tokens_committed_to_db as bigint) < this.earnedTokensCommittedToDb) {
      options.logger.warn('proxy knows fewer committed tokens than this worker (proxy state lost?)', { proxy: this.address });
    }
    this.observeTotals(compared.tokens_committed_to_db as bigint, compared.max_tokens as bigint);
    const completed = await session.query({ _: 'worker.proxyHandshakeComplete', is_disabled: !options.isEnabled() });
    expectAnswer(completed, 'worker.proxyHandshakeCompleted');
    ready = true;
    options.onSessionReady?.(session);
    options.logger.info('connected to proxy', { proxy: this.address, worker_contract: this.workerContractAddress, proto_version: this.negotiatedVersion });
    if (ledger && options.payments) this.schedulePaymentStatus(session, ledger, options.payments);
  }

  /** §3.2 step 5: poll `worker.updatePaymentStatus` while this session is open. */
  private schedulePaymentStatus(session: CocoonSession, ledger: WorkerProxyLedger, payments: WorkerConnectionPayments): void {
    clearTimeout(this.paymentStatusTimer);
    this.paymentStatusTimer = setTimeout(() => {
      if (!session.isOpen || this.link.state === 'closed') return;
      void this.pollPaymentStatus(session).finally(() => {
        if (session.isOpen && this.ledger === ledger) this.schedulePaymentStatus(session, ledger, payments);
      });
    }, payments.nextPaymentStatusDelayMs());
    this.paymentStatusTimer.unref();
  }

  private async pollPaymentStatus(session: CocoonSession): Promise<void> {
    let status: TlObject;
    try {
      status = await session.query({ _: 'worker.updatePaymentStatus' }, 60_000);
      expectAnswer(status, 'worker.paymentStatus');
    } catch (error) {
      this.options.logger.warn('payment status query failed', { proxy: this.address, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    this.observePayment(session, status.signed_payment as TlObject | undefined, status.db_tokens as bigint, status.max_tokens as bigint);
  }

  /** Verifies and records a signed payment; a bad one closes the session (protocol violation). */
  private observePayment(session: CocoonSession, signedPayment: TlObject | undefined, dbTokens: bigint, maxTokens: bigint): void {
    try {
      this.ledger?.observePayment(signedPayment, dbTokens, maxTokens);
      this.observeTotals(dbTokens, maxTokens);
    } catch (error) {
      const failure = error instanceof CocoonError ? error : new CocoonError('CCN_ERR_TON_BAD_SIGNED_PAYMENT', String(error));
      this.options.logger.warn('proxy sent an invalid signed payment; disconnecting', { proxy: this.address, error: failure.message });
      session.close(failure);
    }
  }

  /** Queries from the proxy once the handshake completed: `worker.changeModel` (answered `worker.changedModel` or a tcp.queryError). */
  private onProxyQuery(query: TlObject, reply: QueryReply, ready: boolean): void {
    if (!ready) {
      reply.fail(new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `${query._} before the handshake completed`));
      return;
    }
    if (!isTlObject(query, 'worker.changeModel')) {
      reply.fail(new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `query ${query._} not supported`));
      return;
    }
    const { models } = this.options;
    if (!models) {
      reply.fail(new CocoonError('CCN_ERR_WORKER_MODEL_CHANGE_FAILED', 'cannot change model: no change_model_script in config'));
      return;
    }
    models.change(query.new_model).then(() => reply.answer({ _: 'worker.changedModel' }), (error: unknown) => reply.fail(error));
  }

  private onMessage(session: CocoonSession, message: TlObject): void {
    switch (message._) {
      case 'proxy.runQueryEx': {
        const { controls, done } = this.running.open(session, message.request_id as Buffer, this.proxyContractAddress !== '' ? this.proxyContractAddress : this.proxyTlsKey);
        void this.options.handler.serve(message, (answer) => {
          if (session.isOpen) session.send(answer);
        }, controls).finally(done);
        return;
      }
      case 'ext.cancelQuery':
        this.running.cancel(message.request_id as Buffer);
        return;
      case 'ext.grantCredit':
        this.running.grant(message.request_id as Buffer, message.bytes as bigint);
        return;
      case 'proxy.workerRequestPayment':
        this.observePayment(session, message.signed_payment as TlObject | undefined, message.db_tokens as bigint, message.max_tokens as bigint);
        return;
      default:
        session.close(new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `unexpected proxy message ${message._}`));
    }
  }

  private observeTotals(dbTokens: bigint, maxTokens: bigint): void {
    if (dbTokens > this.earnedTokensCommittedToDb) this.earnedTokensCommittedToDb = dbTokens;
    if (maxTokens > this.earnedTokensMax) this.earnedTokensMax = maxTokens;
  }
}

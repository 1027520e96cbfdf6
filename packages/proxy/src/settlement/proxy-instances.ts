/**
 * The proxy's contract instances across root `params_version` changes (§6.7). One instance
 * = one proxy contract (derived from the params) with its own ledger: the first lives in
 * the base ledger (`db_path`), each later one in `openLedger(params_version)` (the runner
 * uses `<db_path>/params-v<N>`); the list is kept in the base ledger's meta. On a params
 * increase it stops admitting requests, lets running ones finish (bounded), anchors a final
 * save-state, starts the old instance's shutdown in the background (`OldInstanceCloser`,
 * resumed after a restart), starts a new `ProxySettlement` (deploy + stake + first
 * save-state) on a fresh ledger and tells listeners to drop every connection.
 */
import { Cell } from '@ton/core';
import { toCocoonError } from '@cocoon/protocol';
import { loadCocoonParams, storeCocoonParams, type Chain, type CocoonParams, type RootConfig, type RootConfigWatcher } from '@cocoon/ton';
import type { Ledger } from '../ledger/index.ts';
import type { ClientContractState } from '../billing/index.ts';
import { ProxySettlement, type ProxySettlementOptions } from './proxy-settlement.ts';
import { SettlementContracts, type SettlementWallet } from './settlement-contracts.ts';
import { SwitchableLedger } from './switchable-ledger.ts';
import { AdmissionGate } from './admission-gate.ts';
import { OldInstanceCloser } from './old-instance-closer.ts';

const INSTANCES_KEY = 'proxy_instances';

/** One instance as stored in the base ledger's meta. */
interface InstanceRecord {
  params_version: number;
  /** The instance's params cell, base64 BOC. */
  params: string;
  /** 'base' = the base ledger; otherwise opened with `openLedger(params_version)`. */
  ledger: 'base' | 'own';
  state: 'active' | 'closing' | 'closed';
}

export interface ProxyInstancesOptions extends Omit<ProxySettlementOptions, 'ledger' | 'params' | 'configVersion'> {
  chain: Chain;
  wallet: SettlementWallet;
  /** The ledger at `db_path`: the instance list and the first instance's ledger. */
  baseLedger: Ledger;
  /** Opens (creating) the ledger of a later instance. */
  openLedger: (paramsVersion: number) => Promise<Ledger>;
  watcher: RootConfigWatcher;
  /** Refuse new requests while the last root read is older than this (§6.7: 7200 s). */
  rootMaxAgeMs: number;
  /** How long running requests may take to finish before switching anyway. Default 30 s. */
  drainTimeoutMs?: number;
  /** Requests running now (drained before the switch). */
  inFlight?: () => number;
  now?: () => number;
  /** Old-instance message confirmation timeout (default 120 s). */
  closeConfirmTimeoutMs?: number;
}

type SwitchListener = (settlement: ProxySettlement) => void;
type ClientListener = (owner: string, state: ClientContractState) => void;

export class ProxyInstances {
  readonly gate: AdmissionGate;
  ledger!: SwitchableLedger;
  private active!: { record: InstanceRecord; settlement: ProxySettlement; ledger: Ledger };
  private readonly closers = new Map<number, { closer: OldInstanceCloser; ledger: Ledger; done?: Promise<void> }>();
  private readonly switchListeners: SwitchListener[] = [];
  private readonly clientListeners: ClientListener[] = [];
  private migrating: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: ProxyInstancesOptions) {
    this.gate = new AdmissionGate({ lastRootSyncAt: () => options.watcher.lastSyncedAt, rootMaxAgeMs: options.rootMaxAgeMs, now: options.now });
  }

  get settlement(): ProxySettlement { return this.active.settlement; }

  /** The running migration, if any (tests await it). */
  get migration(): Promise<void> | undefined { return this.migrating; }

  /** Called after each switch to a new instance: drop connections, reset per-client books. */
  onSwitched(listener: SwitchListener): void { this.switchListeners.push(listener); }

  onClientState(listener: ClientListener): void { this.clientListeners.push(listener); }

  /** Starts the active instance, resumes old instances' shutdowns and migrates first if the root moved on. */
  async start(): Promise<void> {
    const root = this.options.watcher.current;
    let records = await this.records();
    if (records.length === 0) {
      records = [{ params_version: root.params.paramsVersion, params: encodeParams(root.params), ledger: 'base', state: 'active' }];
      await this.saveRecords(records);
    }
    const record = [...records].reverse().find((candidate) => candidate.state === 'active') ?? records[records.length - 1]!;
    const ledger = await this.ledgerOf(record);
    this.ledger = new SwitchableLedger(ledger);
    this.active = { record, ledger, settlement: await this.startSettlement(decodeParams(record.params), ledger, root.version) };
    for (const old of records) if (old.state === 'closing') this.closeInBackground(old, await this.ledgerOf(old));
    this.options.watcher.onChange((next) => { this.active.settlement.configVersion = next.version; });
    this.options.watcher.onParamsChanged((next) => { void this.migrate(next); });
    if (root.params.paramsVersion > record.params_version) await this.migrate(root);
  }

  /** Moves to the params of `root` (no-op unless its params_version is higher); concurrent calls share one run. */
  migrate(root: RootConfig): Promise<void> {
    const run = (this.migrating ?? Promise.resolve()).then(() => this.migrateWithRetry(root));
    this.migrating = run.finally(() => { if (this.migrating === run) this.migrating = undefined; });
    return run;
  }

  /** Old instances still closing (or closed in this process), for /jsonstats. */
  oldInstances(): Array<{ params_version: number; proxy_sc_address: string; closing_step: string }> {
    return [...this.closers.entries()].map(([paramsVersion, { closer }]) => ({
      params_version: paramsVersion,
      proxy_sc_address: closer.proxyAddress.toString({ testOnly: this.active.settlement.params.isTest }),
      closing_step: closer.step,
    }));
  }

  json(): Record<string, unknown> {
    const { watcher } = this.options;
    return {
      version: watcher.current.version,
      params_version: this.active.settlement.params.paramsVersion,
      root_params_version: watcher.current.params.paramsVersion,
      last_synced_at: Math.floor(watcher.lastSyncedAt / 1000),
      serving: this.gate.state,
      old_instances: this.oldInstances(),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { closer } of this.closers.values()) closer.stop();
    await Promise.all([...this.closers.values()].map(({ done }) => done?.catch(() => undefined)));
    await this.migrating?.catch(() => undefined);
    await this.active?.settlement.close();
    const ledgers = new Set([this.active?.ledger, ...[...this.closers.values()].map(({ ledger }) => ledger)]);
    ledgers.delete(this.options.baseLedger);
    for (const ledger of ledgers) await ledger?.close();
  }

  private async migrateWithRetry(root: RootConfig): Promise<void> {
    while (!this.closed) {
      try {
        await this.migrateOnce(root);
        return;
      } catch (error) {
        this.options.logger.error('moving to new proxy contracts failed; retrying', { error: toCocoonError(error).message });
        await new Promise((resolve) => setTimeout(resolve, this.options.pollIntervalMs * 10).unref());
      }
    }
  }

  private async migrateOnce(root: RootConfig): Promise<void> {
    const { logger } = this.options;
    const old = this.active;
    if (root.params.paramsVersion <= old.record.params_version) return;
    logger.warn('root params changed: moving to new proxy contracts', { from_params_version: old.record.params_version, to_params_version: root.params.paramsVersion });
    this.gate.migrating = true;
    try {
      await this.drain();
      await old.settlement.saveState({ fresh: true });
      await old.settlement.close();
      const records = (await this.records()).map((record) => record.params_version === old.record.params_version ? { ...record, state: 'closing' as const } : record);
      const next: InstanceRecord = { params_version: root.params.paramsVersion, params: encodeParams(root.params), ledger: 'own', state: 'active' };
      await this.saveRecords([...records.filter((record) => record.params_version !== next.params_version), next]);
      this.closeInBackground({ ...old.record, state: 'closing' }, old.ledger);
      const ledger = await this.options.openLedger(next.params_version);
      const settlement = await this.startSettlement(root.params, ledger, root.version);
      this.active = { record: next, ledger, settlement };
      this.ledger.switchTo(ledger);
      logger.info('serving on new proxy contracts', { proxy_sc_address: settlement.proxyAddress.toString({ testOnly: root.params.isTest }), params_version: next.params_version });
      for (const listener of this.switchListeners) listener(settlement);
    } finally {
      this.gate.migrating = false;
    }
  }

  private async drain(): Promise<void> {
    const running = () => {
      try {
        return this.options.inFlight?.() ?? 0;
      } catch {
        return 0; // the runner is still starting: nothing runs yet
      }
    };
    const deadline = Date.now() + (this.options.drainTimeoutMs ?? 30_000);
    while (running() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    if (running() > 0) this.options.logger.warn('switching with requests still running: they are billed on the new contracts', { running: running() });
  }

  private closeInBackground(record: InstanceRecord, ledger: Ledger): void {
    const { options } = this;
    const params = decodeParams(record.params);
    const closer = new OldInstanceCloser({
      chain: options.chain, wallet: options.wallet, ledger, logger: options.logger, proxySecretKey: options.proxyKey.secretKey,
      contracts: new SettlementContracts(params, options.ownerAddress, options.proxyKey.publicKey, options.rootAddress),
      pollIntervalMs: options.pollIntervalMs, ...(options.closeConfirmTimeoutMs ? { confirmTimeoutMs: options.closeConfirmTimeoutMs } : {}),
    });
    const entry: { closer: OldInstanceCloser; ledger: Ledger; done?: Promise<void> } = { closer, ledger };
    this.closers.set(record.params_version, entry);
    entry.done = this.runCloser(record, closer);
  }

  private async runCloser(record: InstanceRecord, closer: OldInstanceCloser): Promise<void> {
    while (!this.closed) {
      try {
        await closer.run();
        const records = await this.records();
        await this.saveRecords(records.map((candidate) => candidate.params_version === record.params_version ? { ...candidate, state: 'closed' as const } : candidate));
        return;
      } catch (error) {
        if (this.closed) return;
        this.options.logger.warn('old proxy instance shutdown failed; retrying', { params_version: record.params_version, step: closer.step, error: toCocoonError(error).message });
        await new Promise((resolve) => setTimeout(resolve, this.options.pollIntervalMs * 10).unref());
      }
    }
  }

  private async startSettlement(params: CocoonParams, ledger: Ledger, configVersion: number): Promise<ProxySettlement> {
    const { options } = this;
    const settlement = new ProxySettlement({
      chain: options.chain, wallet: options.wallet, rootAddress: options.rootAddress, ownerAddress: options.ownerAddress, proxyKey: options.proxyKey,
      logger: options.logger, random: options.random, pollIntervalMs: options.pollIntervalMs, saveStateIntervalMs: options.saveStateIntervalMs,
      chargeThresholdNanoton: options.chargeThresholdNanoton, payoutThresholdNanoton: options.payoutThresholdNanoton,
      ledger, params, configVersion,
    });
    settlement.onClientState((owner, state) => { for (const listener of this.clientListeners) listener(owner, state); });
    await settlement.start();
    return settlement;
  }

  private async ledgerOf(record: InstanceRecord): Promise<Ledger> {
    if (record.ledger === 'base') return this.options.baseLedger;
    if (this.active?.record.params_version === record.params_version) return this.active.ledger;
    return this.options.openLedger(record.params_version);
  }

  private async records(): Promise<InstanceRecord[]> {
    return JSON.parse(await this.options.baseLedger.getMeta(INSTANCES_KEY) ?? '[]') as InstanceRecord[];
  }

  private async saveRecords(records: InstanceRecord[]): Promise<void> {
    await this.options.baseLedger.setMeta(INSTANCES_KEY, JSON.stringify(records));
  }
}

function encodeParams(params: CocoonParams): string {
  return storeCocoonParams(params).toBoc().toString('base64');
}

function decodeParams(encoded: string): CocoonParams {
  return loadCocoonParams(Cell.fromBoc(Buffer.from(encoded, 'base64'))[0]!);
}

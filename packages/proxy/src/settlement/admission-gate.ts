/**
 * Whether the on-chain proxy may admit new requests (§6.7, §16): not while it moves to new
 * contracts after a params_version increase (CCN_ERR_TON_PARAMS_CHANGED) and not while its
 * root config is older than `root_max_age_seconds` (CCN_ERR_TON_ROOT_STALE). Requests meet
 * the gate when they pick a worker (`GatedWorkerRegistry.select`); running ones go on.
 */
import { CocoonError } from '@cocoon/protocol';
import { WorkerRegistry, type RegisteredWorker, type SelectOptions, type WorkerRegistryOptions } from '../routing/index.ts';

export interface AdmissionGateOptions {
  /** Unix ms of the last successful root read. */
  lastRootSyncAt: () => number;
  rootMaxAgeMs: number;
  now?: () => number;
}

export class AdmissionGate {
  migrating = false;

  constructor(private readonly options: AdmissionGateOptions) {}

  get rootStale(): boolean {
    return (this.options.now ?? Date.now)() - this.options.lastRootSyncAt() > this.options.rootMaxAgeMs;
  }

  /** 'serving' | 'migrating' | 'root_stale'. */
  get state(): 'serving' | 'migrating' | 'root_stale' {
    if (this.migrating) return 'migrating';
    return this.rootStale ? 'root_stale' : 'serving';
  }

  /** Throws the retryable reason new requests are refused, if any. */
  check(): void {
    if (this.migrating) throw new CocoonError('CCN_ERR_TON_PARAMS_CHANGED', 'network parameters changed: moving to new contracts, retry shortly');
    if (this.rootStale) {
      const ageSeconds = Math.round(((this.options.now ?? Date.now)() - this.options.lastRootSyncAt()) / 1000);
      throw new CocoonError('CCN_ERR_TON_ROOT_STALE', `root contract config is ${ageSeconds} s old (limit ${this.options.rootMaxAgeMs / 1000} s): not serving until it refreshes`);
    }
  }
}

/** The worker registry with the admission gate in front of worker selection. */
export class GatedWorkerRegistry extends WorkerRegistry {
  constructor(options: WorkerRegistryOptions, private readonly gate: Pick<AdmissionGate, 'check'>) {
    super(options);
  }

  override select(model: string, maxCoefficient: number, exclude?: ReadonlySet<string>, minProtoVersion?: number, options?: SelectOptions): RegisteredWorker {
    this.gate.check();
    return super.select(model, maxCoefficient, exclude, minProtoVersion, options);
  }
}

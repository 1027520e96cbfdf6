/**
 * The worker's current model and its switch (§3.2 `worker.changeModel`): the proxy asks for a new
 * model, the worker checks the name (name@revision:hash; on chain also the root's model_hashes, as
 * the reference), runs its `change_model_script` with that name (one switch at a time, bounded
 * time), and on success serves and advertises the new model (requests are validated against it;
 * later handshakes send it). The logs get a short status only, never the script's output.
 */
import { CocoonError, modelBaseName } from '@cocoon/protocol';
import type { Logger } from '@cocoon/protocol';
import { modelStringSchema } from '../config/worker-config.ts';
import { runModelSwitchScript, type ModelSwitchScriptResult } from './model-switch-script.ts';

export interface WorkerModelSwitchOptions {
  /** The model advertised at start. */
  model: string;
  /** `change_model_script`; without it every switch is refused (as the reference). */
  script?: string | undefined;
  timeoutMs: number;
  /** On chain: throws unless the root allows the model. */
  checkModel?: ((model: string) => void) | undefined;
  logger: Logger;
  now?: () => number;
  /** Test seam: how the script is run (default runModelSwitchScript). */
  run?: typeof runModelSwitchScript;
}

/** `/jsonstats` `model_switch`. */
export interface ModelSwitchStatus {
  script_configured: boolean;
  /** The model being switched to, while a switch runs. */
  running: string | null;
  last: { model: string; ok: boolean; exit_code: number | null; timed_out: boolean; duration_ms: number; finished_at: number } | null;
}

function failure(message: string): CocoonError {
  return new CocoonError('CCN_ERR_WORKER_MODEL_CHANGE_FAILED', `cannot change model: ${message}`);
}

function describeFailure(result: ModelSwitchScriptResult, timeoutMs: number): string {
  if (result.startError !== undefined) return `model change script could not be started (${result.startError})`;
  if (result.timedOut) return `model change script did not finish within ${Math.round(timeoutMs / 1000)} s`;
  if (result.signal) return `model change script failed (killed by ${result.signal})`;
  return `model change script failed (exit code ${String(result.exitCode)})`;
}

export class WorkerModelSwitch {
  private model: string;
  private running: string | undefined;
  private last: ModelSwitchStatus['last'] = null;
  private readonly listeners: Array<(model: string) => void> = [];

  constructor(private readonly options: WorkerModelSwitchOptions) {
    this.model = options.model;
  }

  /** The full model string the worker serves and advertises now. */
  get current(): string {
    return this.model;
  }

  /** Its base name (before `@`): what requests must name. */
  get baseName(): string {
    return modelBaseName(this.model);
  }

  /** Called after each successful switch with the new model. */
  onChanged(listener: (model: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Switches to `newModel`; resolves once the script succeeded and the new model is in force. Throws
   * CCN_ERR_WORKER_MODEL_CHANGE_FAILED (bad name, model not allowed, no script, script failed or timed
   * out) or CCN_ERR_WORKER_MODEL_CHANGE_BUSY (a switch is running); the model stays as it was.
   */
  async change(newModel: string): Promise<void> {
    const { options } = this;
    if (!modelStringSchema.safeParse(newModel).success) throw failure('new model must be name@revision:hash (hash = 64 hex characters)');
    if (options.script === undefined) throw failure('no change_model_script in config');
    if (this.running !== undefined) throw new CocoonError('CCN_ERR_WORKER_MODEL_CHANGE_BUSY', `cannot change model: a switch to ${this.running} is running`);
    try {
      options.checkModel?.(newModel);
    } catch (error) {
      throw failure(`unknown model (${error instanceof Error ? error.message : String(error)})`);
    }
    this.running = newModel;
    options.logger.warn('changing model', { model: newModel, previous: this.model });
    let result: ModelSwitchScriptResult;
    try {
      result = await (options.run ?? runModelSwitchScript)({ script: options.script, model: newModel, timeoutMs: options.timeoutMs });
    } finally {
      this.running = undefined;
    }
    this.last = {
      model: newModel, ok: result.ok, exit_code: result.exitCode, timed_out: result.timedOut, duration_ms: result.durationMs, finished_at: (options.now ?? Date.now)(),
    };
    if (!result.ok) {
      options.logger.warn('model change failed', { model: newModel, exit_code: result.exitCode, signal: result.signal, timed_out: result.timedOut, start_error: result.startError, output_bytes: result.outputBytes });
      throw failure(describeFailure(result, options.timeoutMs));
    }
    this.model = newModel;
    options.logger.info('model changed', { model: newModel, duration_ms: result.durationMs });
    for (const listener of this.listeners) listener(newModel);
  }

  status(): ModelSwitchStatus {
    return { script_configured: this.options.script !== undefined, running: this.running ?? null, last: this.last };
  }
}

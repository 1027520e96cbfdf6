/**
 * @cocoon/cli — the `cocoon` command and the reusable dev network orchestrator
 * (for tests and benchmarks: `startDevNetwork({ ports, … })`).
 */
export { runCocoonCli } from './cocoon-cli.ts';
export { type CliIo, processIo, ExitCode } from './cli-io.ts';
export { COCOON_HELP_TEXT } from './help-text.ts';
export { startDevNetwork, COCOON_BIN_PATH, DEV_POW_DIFFICULTY, type DevEngineKind, type DevNetwork, type DevNetworkOptions } from './dev/dev-network.ts';
export {
  DevChildProcess,
  parseReadyLine,
  describeExit,
  type DevChildRole,
  type DevChildSpec,
  type DevChildLaunch,
  type DevChildExit,
} from './dev/dev-child-process.ts';
export { DevChildSupervisor, DEFAULT_RESTART_POLICY, type DevChildEvent, type DevRestartPolicy, type DevSupervisionTimers } from './dev/dev-child-supervisor.ts';
export { planDevNetworkPorts, workerHttpPort, DEFAULT_DEV_NETWORK_PORTS, WORKER_PORT_STEP, type DevNetworkPorts } from './dev/dev-network-ports.ts';
export { devCommandOptionsSchema, describeDevNetwork, devModelString, resolveWorkerModel, type DevCommandOptions } from './commands/dev-command.ts';
export { formatReadyLine, type RunnerRole } from './commands/role-command.ts';
export { runModelsCommand, modelsPullOptionsSchema, type ModelsCommandDeps } from './commands/models-command.ts';
export { resolveDevLlamaModel, DEV_TINY_MODEL_NAME, type DevLlamaModel } from './dev/dev-llama-model.ts';

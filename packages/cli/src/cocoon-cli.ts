/** Dispatches `cocoon <command> [args…]` and returns the process exit code. */
import { ExitCode, processIo, type CliIo } from './cli-io.ts';
import { takeLogFormatFlag } from './log-format-flag.ts';
import { COCOON_HELP_TEXT } from './help-text.ts';
import { isRunnerRole, runRoleCommand } from './commands/role-command.ts';
import { runTestEngineCommand } from './commands/test-engine-command.ts';
import { runDevCommand } from './commands/dev-command.ts';
import { runChainCommand } from './commands/chain-command.ts';
import { runModelsCommand } from './commands/models-command.ts';
import { runAttestCommand } from './commands/attest-command.ts';
import { runWalletCommand } from './commands/wallet-command.ts';
import { isContractOperation, progressOutputFor, runContractCommand } from './commands/contract-commands.ts';
import { runDoctorCommand } from './commands/doctor-command.ts';
import { runChatCommand } from './commands/chat-command.ts';
import { runClientAuditCommand } from './commands/client-audit-command.ts';

export async function runCocoonCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const logFormat = takeLogFormatFlag(argv); // global: `cocoon --log-format json proxy …`
  if ('error' in logFormat) {
    io.stderr(`cocoon: ${logFormat.error}`);
    return ExitCode.usage;
  }
  if (logFormat.format) io.env.COCOON_LOG_FORMAT = logFormat.format; // every logger of the command, and dev's children
  const [command, ...args] = logFormat.rest;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout(COCOON_HELP_TEXT.trimEnd());
    return command === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (command === 'dev') return runDevCommand(args, io);
  if (command === 'test-engine') return runTestEngineCommand(args, io);
  if (command === 'chain') return runChainCommand(args, io);
  if (command === 'models') return runModelsCommand(args, io);
  if (command === 'attest') return runAttestCommand(args, io);
  if (command === 'wallet') return runWalletCommand(args, io);
  if (command === 'doctor') return runDoctorCommand(args, io);
  if (command === 'chat') return runChatCommand(args, io);
  if (command === 'client' && args[0] === 'audit') return runClientAuditCommand(args.slice(1), io);
  if (isRunnerRole(command) && isContractOperation(command, args[0])) {
    // `cocoon client topup`, `cocoon worker cashout`, …: operations on the running runner (its progress on the real stderr).
    return runContractCommand(command, args[0]!, args.slice(1), io, io === processIo ? { progress: progressOutputFor(io, true) } : {});
  }
  if (isRunnerRole(command)) return runRoleCommand(command, args, io);
  io.stderr(`cocoon: unknown command '${command}' (try 'cocoon help')`);
  return ExitCode.usage;
}

/** Dispatches `cocoon <command> [args…]` and returns the process exit code. */
import { ExitCode, processIo, type CliIo } from './cli-io.ts';
import { COCOON_HELP_TEXT } from './help-text.ts';
import { isRunnerRole, runRoleCommand } from './commands/role-command.ts';
import { runTestEngineCommand } from './commands/test-engine-command.ts';
import { runDevCommand } from './commands/dev-command.ts';
import { runChainCommand } from './commands/chain-command.ts';
import { runModelsCommand } from './commands/models-command.ts';
import { runAttestCommand } from './commands/attest-command.ts';

export async function runCocoonCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout(COCOON_HELP_TEXT.trimEnd());
    return command === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (command === 'dev') return runDevCommand(args, io);
  if (command === 'test-engine') return runTestEngineCommand(args, io);
  if (command === 'chain') return runChainCommand(args, io);
  if (command === 'models') return runModelsCommand(args, io);
  if (command === 'attest') return runAttestCommand(args, io);
  if (isRunnerRole(command)) return runRoleCommand(command, args, io);
  io.stderr(`cocoon: unknown command '${command}' (try 'cocoon help')`);
  return ExitCode.usage;
}

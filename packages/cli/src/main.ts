/** Process entry of the `cocoon` command (loaded by bin/cocoon.mjs). */
import { createLogger, logSettingsFromEnv } from '@cocoon/protocol';
import { runCocoonCli } from './cocoon-cli.ts';
import { installProcessFailureGuards } from './process-failure-guards.ts';
import { takeLogFormatFlag } from './log-format-flag.ts';

const flag = takeLogFormatFlag(process.argv.slice(2)); // a bad value is reported by runCocoonCli
const settings = logSettingsFromEnv(process.env);
installProcessFailureGuards(createLogger('cocoon', { ...settings, format: ('format' in flag ? flag.format : undefined) ?? settings.format }));

// `cocoon help | head` or a vanished `cocoon dev` parent: a closed pipe is not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

// Exit explicitly: a runner that failed half-way must not be kept alive by what it opened.
process.exit(await runCocoonCli(process.argv.slice(2)));

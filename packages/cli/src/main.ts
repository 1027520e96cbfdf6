/** Process entry of the `cocoon` command (loaded by bin/cocoon.mjs). */
import { createLogger, parseLogLevel } from '@cocoon/protocol';
import { runCocoonCli } from './cocoon-cli.ts';
import { installProcessFailureGuards } from './process-failure-guards.ts';

installProcessFailureGuards(createLogger('cocoon', { level: parseLogLevel(process.env.COCOON_LOG_LEVEL) }));

// `cocoon help | head` or a vanished `cocoon dev` parent: a closed pipe is not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

// Exit explicitly: a runner that failed half-way must not be kept alive by what it opened.
process.exit(await runCocoonCli(process.argv.slice(2)));

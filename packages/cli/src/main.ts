/** Process entry of the `cocoon` command (loaded by bin/cocoon.mjs). */
import { runCocoonCli } from './cocoon-cli.ts';

process.exitCode = await runCocoonCli(process.argv.slice(2));

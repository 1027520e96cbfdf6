/** Pulls `--config FILE` / `--config=FILE` out of a role command's arguments. */
import { CocoonError } from '@cocoon/protocol';

export function splitConfigFileFlag(args: readonly string[]): { file: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let file: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--config') {
      file = args[index + 1];
      index++;
      if (file === undefined || file.startsWith('--')) {
        throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'config error: --config: missing file path', { param: 'config' });
      }
    } else if (arg.startsWith('--config=')) file = arg.slice('--config='.length);
    else rest.push(arg);
  }
  return { file, rest };
}

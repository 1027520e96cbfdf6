/**
 * The global `--log-format text|json` flag (also `--log-format=json`), accepted anywhere on the
 * command line and taken out before the command parses its own flags. The CLI puts it into
 * COCOON_LOG_FORMAT, so every logger of the command, and the runners `cocoon dev` starts, use it.
 */
import { LOG_FORMATS, parseLogFormat, type LogFormat } from '@cocoon/protocol';

export type LogFormatFlag = { format: LogFormat | undefined; rest: string[] } | { error: string };

const FLAG = '--log-format';

export function takeLogFormatFlag(argv: readonly string[]): LogFormatFlag {
  const rest: string[] = [];
  let format: LogFormat | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    let value: string | undefined;
    if (argument === FLAG) {
      value = argv[index + 1];
      index += 1;
    } else if (argument.startsWith(`${FLAG}=`)) {
      value = argument.slice(FLAG.length + 1);
    } else {
      rest.push(argument);
      continue;
    }
    const parsed = parseLogFormat(value);
    if (!parsed) return { error: `${FLAG} expects one of ${LOG_FORMATS.join(', ')}${value === undefined ? '' : `, got '${value.slice(0, 40)}'`}` };
    format = parsed;
  }
  return { format, rest };
}

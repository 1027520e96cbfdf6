/**
 * The runner config key for the log format: `log_format` (`text` or `json`; unset = the
 * environment's COCOON_LOG_FORMAT or the global `--log-format` flag, else text). The CLI reads it
 * after loading the config; COCOON_LOG_FORMAT wins over a value from the config file, as env
 * wins over files everywhere (§8.4).
 */
import { z } from 'zod';

export function logConfigFields() {
  return {
    /** `text` (one readable line per event) or `json` (one JSON object per line); unset: COCOON_LOG_FORMAT, else text. */
    log_format: z.enum(['text', 'json']).optional(),
  };
}

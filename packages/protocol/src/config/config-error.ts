/** Builds the `config error: …` CocoonErrors the loader throws (always naming the key). */
import { CocoonError } from '../errors/error-table.ts';

export function configError(key: string, message: string): CocoonError {
  return new CocoonError('CCN_ERR_CONFIG_INVALID', `config error: ${message}`, { param: key });
}

/** `http_port` → `--http-port`. */
export function flagNameForKey(key: string): string {
  return `--${key.replaceAll('_', '-')}`;
}

/** `http_port` + `COCOON_PROXY_` → `COCOON_PROXY_HTTP_PORT`. */
export function envNameForKey(key: string, envPrefix: string): string {
  return `${envPrefix}${key.toUpperCase()}`;
}

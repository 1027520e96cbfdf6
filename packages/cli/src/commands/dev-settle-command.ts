/**
 * `cocoon dev settle`: asks the dev proxy to force every pending charge and payout onto
 * the chain and wait for it (POST /request/settle), then prints one JSON line:
 * `{"tokens":…,"client_paid_nanoton":…,"worker_earned_nanoton":…,"proxy_commission_nanoton":…}`.
 * It authorizes with the proxy's admin token (`--admin-token-file`, default where `cocoon dev`
 * keeps it).
 */
import { z } from 'zod';
import { loadConfig, portSchema, readAdminToken, toCocoonError, type Logger } from '@cocoon/protocol';
import { ExitCode, type CliIo } from '../cli-io.ts';
import { DEFAULT_DEV_NETWORK_PORTS } from '../dev/dev-network-ports.ts';

/** Where `cocoon dev` (default data dir `.cocoon/dev`) keeps the proxy's admin token. */
export const DEV_PROXY_ADMIN_TOKEN_FILE = '.cocoon/dev/proxy/admin.token';

const settleOptionsSchema = z.object({
  proxy_http_port: portSchema.default(DEFAULT_DEV_NETWORK_PORTS.proxyHttp),
  host: z.string().min(1).default('127.0.0.1'),
  timeout_seconds: z.number().positive().max(3600).default(300),
  /** The proxy's admin token file (`cocoon dev` keeps it in `<data dir>/proxy/admin.token`). */
  admin_token_file: z.string().min(1).default(DEV_PROXY_ADMIN_TOKEN_FILE),
}).strict();

const FIELDS = ['tokens', 'client_paid_nanoton', 'worker_earned_nanoton', 'proxy_commission_nanoton'] as const;

/** One JSON line with integer fields written as JSON numbers (exact: built from their decimal strings). */
export function formatSettlementLine(report: Record<string, unknown>): string {
  const parts = FIELDS.map((field) => {
    const value = String(report[field] ?? '');
    if (!/^\d+$/.test(value)) throw new Error(`settlement report lacks integer ${field}`);
    return `"${field}":${value}`;
  });
  return `{${parts.join(',')}}`;
}

export async function runDevSettleCommand(args: readonly string[], io: CliIo, logger: Logger): Promise<number> {
  let options: z.output<typeof settleOptionsSchema>;
  try {
    options = loadConfig(settleOptionsSchema, { env: io.env, envPrefix: 'COCOON_DEV_SETTLE_', argv: [...args] });
  } catch (error) {
    logger.error(toCocoonError(error).message);
    return ExitCode.usage;
  }
  let token: string;
  try {
    token = readAdminToken(options.admin_token_file);
  } catch (error) {
    logger.error(`${toCocoonError(error).message}; is 'cocoon dev' running (or pass --admin-token-file)?`);
    return ExitCode.failure;
  }
  const url = `http://${options.host}:${options.proxy_http_port}/request/settle`;
  try {
    const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(options.timeout_seconds * 1000) });
    const body = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`proxy answered ${response.status}: ${String(body.error ?? JSON.stringify(body))}`);
    io.stdout(formatSettlementLine(body));
    return ExitCode.ok;
  } catch (error) {
    logger.error(`settle failed (${url}): ${error instanceof Error ? error.message : String(error)}; is 'cocoon dev' running on chain?`);
    return ExitCode.failure;
  }
}

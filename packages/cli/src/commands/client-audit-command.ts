/**
 * `cocoon client audit [--config FILE] [--stats-url URL] [--admin-token-file FILE] [--json]`: the
 * RUNNING client runner's end-to-end audit (`GET /request/audit`, admin token from its
 * admin_token_file): every end-to-end request it keeps with the proxy's charge for it and the
 * worker's receipt; any charged token that no valid receipt covers is a finding. Prints the report
 * (--json: the runner's JSON as one line) and exits 1 when there is a finding.
 */
import { z } from 'zod';
import { loadConfig, toCocoonError } from '@cocoon/protocol';
import { ExitCode, type CliIo } from '../cli-io.ts';
import { splitConfigFileFlag } from './config-file-flag.ts';
import { adminTokenFileOf, loadOperatorConfig, statsUrlOf } from './operator-role-config.ts';
import { RunnerAdminClient } from './runner-admin-client.ts';

export const CLIENT_AUDIT_USAGE = 'usage: cocoon client audit [--config FILE] [--stats-url URL] [--admin-token-file FILE] [--json]\n'
  + "  reconcile the proxy's charges with the workers' signed receipts; exit 1 when tokens were charged that no receipt covers";

const auditOptionsSchema = z.object({
  stats_url: z.string().regex(/^https?:\/\//, 'expected an http(s) URL').optional(),
  admin_token_file: z.string().min(1).optional(),
  json: z.boolean().default(false),
}).strict();

interface AuditFinding { request_id?: unknown; charged_tokens?: unknown; receipt_tokens?: unknown; reason?: unknown }

export async function runClientAuditCommand(args: readonly string[], io: CliIo, deps: { fetch?: typeof fetch } = {}): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(CLIENT_AUDIT_USAGE);
    return ExitCode.ok;
  }
  let client: RunnerAdminClient;
  let options: z.output<typeof auditOptionsSchema>;
  try {
    const { file, rest } = splitConfigFileFlag(args);
    options = loadConfig(auditOptionsSchema, { env: {}, envPrefix: 'COCOON_AUDIT_', argv: rest });
    const config = await loadOperatorConfig('client', file, io.env);
    client = new RunnerAdminClient({
      role: 'client', statsUrl: options.stats_url ?? statsUrlOf('client', config), adminTokenFile: options.admin_token_file ?? adminTokenFileOf('client', config),
      timeoutMs: 30_000, ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  } catch (error) {
    io.stderr(`cocoon client audit: ${toCocoonError(error).message}`);
    io.stderr(CLIENT_AUDIT_USAGE);
    return ExitCode.usage;
  }
  try {
    const report = await client.read('audit');
    const findings = Array.isArray(report.findings) ? report.findings as AuditFinding[] : [];
    if (options.json) io.stdout(JSON.stringify(report));
    else {
      io.stdout(`cocoon client audit: ${String(report.requests ?? 0)} end-to-end request(s), ${String(report.receipted ?? 0)} with a valid receipt`);
      io.stdout(`  charged tokens   ${String(report.charged_tokens ?? 0)}`);
      io.stdout(`  receipted tokens ${String(report.receipted_tokens ?? 0)}`);
      if (findings.length === 0) io.stdout('  no findings: every charged token is covered by a signed receipt');
      for (const finding of findings) {
        io.stdout(`  FINDING ${String(finding.request_id)}: ${String(finding.reason)} (charged ${String(finding.charged_tokens)}, receipt covers ${String(finding.receipt_tokens)})`);
      }
    }
    if (findings.length > 0) io.stderr(`cocoon client audit: ${findings.length} finding(s): tokens charged that no valid receipt covers`);
    return findings.length > 0 ? ExitCode.failure : ExitCode.ok;
  } catch (error) {
    const failure = toCocoonError(error);
    io.stderr(`cocoon client audit: ${failure.code}: ${failure.message}`);
    return ExitCode.failure;
  }
}

/**
 * `cocoon doctor --role worker|proxy|client|key-manager [--config FILE] [--json]`: checks this
 * machine and the role's config (see doctor-checks.ts) and prints each `{name, ok, detail, fix}`
 * — a table, or one JSON object `{"role":…,"ok":…,"checks":[…]}` with --json. Exit code 0 when
 * every check passed, 1 when one failed, 2 on usage errors.
 */
import { z } from 'zod';
import { loadConfig, toCocoonError } from '@cocoon/protocol';
import { ExitCode, type CliIo } from '../cli-io.ts';
import { splitConfigFileFlag } from './config-file-flag.ts';
import { OPERATOR_ROLES, isOperatorRole, loadOperatorConfig } from './operator-role-config.ts';
import { runDoctorChecks, type DoctorCheck, type DoctorProbes } from './doctor-checks.ts';
import { createDoctorProbes } from './doctor-probes.ts';

const USAGE = `usage: cocoon doctor --role ${OPERATOR_ROLES.join('|')} [--config FILE] [--json]
checks: tee, image_hash, model_hash and engine (worker), wallet_balance, ports, clock_skew; exit 1 when one fails`;

const optionsSchema = z.object({
  role: z.string().min(1),
  json: z.boolean().default(false),
}).strict();

export interface DoctorCommandDeps {
  probes?: DoctorProbes;
}

export function formatDoctorTable(role: string, checks: DoctorCheck[]): string[] {
  const lines = [`cocoon doctor (${role})`];
  for (const entry of checks) {
    lines.push(`  ${entry.ok ? 'ok  ' : 'FAIL'}  ${entry.name.padEnd(15)} ${entry.detail}`);
    if (!entry.ok && entry.fix) lines.push(`        ${''.padEnd(15)} fix: ${entry.fix}`);
  }
  const failed = checks.filter((entry) => !entry.ok).length;
  lines.push(failed === 0 ? `all ${checks.length} checks passed` : `${failed} of ${checks.length} checks failed`);
  return lines;
}

export async function runDoctorCommand(args: readonly string[], io: CliIo, deps: DoctorCommandDeps = {}): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(USAGE);
    return ExitCode.ok;
  }
  let role: (typeof OPERATOR_ROLES)[number];
  let json: boolean;
  let file: string | undefined;
  try {
    const split = splitConfigFileFlag(args);
    file = split.file;
    const options = loadConfig(optionsSchema, { env: {}, envPrefix: 'COCOON_DOCTOR_', argv: split.rest });
    if (!isOperatorRole(options.role)) throw new Error(`--role: expected ${OPERATOR_ROLES.join(', ')}, got ${options.role}`);
    role = options.role;
    json = options.json;
  } catch (error) {
    io.stderr(`cocoon doctor: ${error instanceof Error && !('code' in error) ? error.message : toCocoonError(error).message}\n${USAGE}`);
    return ExitCode.usage;
  }
  let config: Record<string, unknown>;
  try {
    config = await loadOperatorConfig(role, file, io.env);
  } catch (error) {
    const failure = toCocoonError(error);
    const checks: DoctorCheck[] = [{ name: 'config', ok: false, detail: failure.message, fix: 'fix the config file (cocoon <role> --help lists the keys)' }];
    if (json) io.stdout(JSON.stringify({ role, ok: false, checks }));
    else for (const line of formatDoctorTable(role, checks)) io.stdout(line);
    return ExitCode.failure;
  }
  const ownProbes = deps.probes ? undefined : createDoctorProbes();
  try {
    const checks = await runDoctorChecks(role, config, deps.probes ?? ownProbes!);
    const ok = checks.every((entry) => entry.ok);
    if (json) io.stdout(JSON.stringify({ role, ok, checks }));
    else for (const line of formatDoctorTable(role, checks)) io.stdout(line);
    return ok ? ExitCode.ok : ExitCode.failure;
  } finally {
    await ownProbes?.close();
  }
}

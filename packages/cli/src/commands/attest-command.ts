/**
 * `cocoon attest` — attestation diagnostics (§7):
 *   self                this machine's measurements and image hash (simulated / tdx / fake_tdx;
 *                       simulated-sev-snp / sev-snp in attest-sev-snp-command.ts)
 *   verify-quote        DCAP verification of a TDX quote file (with collateral), or signature-only without
 *   verify-report       an AMD SEV-SNP report file with its VCEK (attest-sev-snp-command.ts)
 *   verify-peer         connect to a COCOON port (TCP → PoW → TLS), show and verify its RA-TLS certificate
 *   verify-certificate  the same for an RA-TLS certificate file (attest-peer-command.ts)
 * Exit codes: 0 = verified (self: measured), 1 = refused or failed (code and message on stderr,
 * `error` in the JSON), 2 = usage error.
 */
import { readFile } from 'node:fs/promises';
import { CocoonError, toCocoonError } from '@cocoon/protocol';
import {
  ConfigfsTsmProvider,
  DcapQuoteVerifier,
  DevAttestationAuthority,
  REPORT_DATA_LENGTH,
  SIGNATURE_ONLY_TCB_STATUS,
  SimulatedTdxProvider,
  StaticCollateralSource,
  checkTcbPolicy,
  devQuoteVerifier,
  measureSimulatedRunnerImage,
  measurementsReport,
  parseTdxQuote,
  simulatedRunnerStaticConfig,
  staticConfigHash,
  verifyQuoteSignatureOnly,
  zeroMeasurements,
  type DcapCollateral,
} from '@cocoon/attestation';
import { ExitCode, type CliIo } from '../cli-io.ts';
import {
  UsageError, allowedStatuses, emit, parseArgs, parseRole, parseTime, readJsonFile, type AttestCommandDeps, type ParsedArgs,
} from './attest-command-support.ts';
import { verifyCertificateFile, verifyPeer } from './attest-peer-command.ts';
import { attestSelfSevSnp, verifyReportFile } from './attest-sev-snp-command.ts';

export type { AttestCommandDeps } from './attest-command-support.ts';

const USAGE = `usage: cocoon attest self [--tee simulated|simulated-sev-snp|tdx|sev-snp|fake_tdx] [--role proxy|worker|key-manager | --static-config FILE]
                          [--authority-dir DIR] [--vcek FILE] [--debug] [--json]
       cocoon attest verify-quote FILE [--collateral FILE] [--at ISO-TIME] [--allow-status S,...] [--dev-authority DIR] [--json]
       cocoon attest verify-report FILE --vcek FILE [--dev-authority DIR | --chain FILE --crl FILE] [--at ISO-TIME] [--json]
       cocoon attest verify-peer HOST:PORT [--policy tdx|fake_tdx|any] [--dev-authority DIR] [--collateral FILE]
                                 [--allow-status S,...] [--at ISO-TIME] [--max-pow-difficulty N] [--timeout-ms MS] [--json]
       cocoon attest verify-certificate FILE [--policy tdx|fake_tdx|any] [--dev-authority DIR] [--collateral FILE]
                                 [--allow-status S,...] [--at ISO-TIME] [--json]
exit: 0 verified, 1 refused or failed, 2 usage. verify-quote without --collateral checks the quote signature
and PCK chain only (status "${SIGNATURE_ONLY_TCB_STATUS}"): exit 0 means genuine, NOT that the TCB is up to date.
Policy tdx accepts a TDX quote or an AMD SEV-SNP report (chosen by the certificate's extensions); verify-report
without --chain/--crl (AMD's ASK/ARK and the ARK's CRL) fetches them from AMD KDS.`;

/** Every Intel TCB status; verify-quote asks DCAP for the status first, then applies --allow-status. */
const ALL_TCB_STATUSES = ['UpToDate', 'SWHardeningNeeded', 'ConfigurationNeeded', 'ConfigurationAndSWHardeningNeeded', 'OutOfDate', 'OutOfDateConfigurationNeeded', 'Revoked'];

async function attestSelf(parsed: ParsedArgs, io: CliIo, deps: AttestCommandDeps): Promise<number> {
  const { flags } = parsed;
  const json = flags.has('json');
  const tee = flags.get('tee') ?? 'simulated';
  const now = (deps.now ?? (() => new Date()))();
  const zeroReportData = Buffer.alloc(REPORT_DATA_LENGTH);
  const result: Record<string, unknown> = { tee };
  try {
    if (tee === 'simulated') {
      const role = flags.get('role');
      if (role !== undefined && flags.has('static-config')) throw new UsageError('--role and --static-config exclude each other');
      // --role: the image a runner of this checkout measures itself as (what `cocoon dev` registers in its root).
      const staticConfig = role !== undefined ? simulatedRunnerStaticConfig(parseRole(role))
        : flags.has('static-config') ? await readJsonFile<Record<string, unknown>>(flags.get('static-config')!, 'static config') : {};
      const image = await measureSimulatedRunnerImage(staticConfig, { packagesDirectory: deps.packagesDirectory, debug: flags.has('debug') });
      Object.assign(result, measurementsReport({ ...image.measurements, reportData: zeroReportData }), {
        code_files: image.codeFiles, code_bundle_hash: image.codeBundleHash.toString('hex'), static_config_hash: staticConfigHash(staticConfig),
      });
      if (flags.has('authority-dir')) {
        const authority = await DevAttestationAuthority.load(flags.get('authority-dir')!);
        const quote = await new SimulatedTdxProvider({ authority, measurements: image.measurements }).getQuote(zeroReportData);
        const verified = await devQuoteVerifier(authority).verifyQuote(quote, now);
        Object.assign(result, { status: verified.tcbStatus, quote_bytes: quote.length, trust: 'dev (NOT Intel)' });
      }
    } else if (tee === 'tdx') {
      const quote = await new ConfigfsTsmProvider(deps.tsmReportRoot ? { reportRoot: deps.tsmReportRoot } : {}).getQuote(zeroReportData);
      const quoteInfo = parseTdxQuote(quote);
      Object.assign(result, measurementsReport(quoteInfo.measurements), { fmspc: quoteInfo.fmspc ?? null, quote_bytes: quote.length });
      Object.assign(result, { status: verifyQuoteSignatureOnly(quote, now).tcbStatus });
    } else if (tee === 'simulated-sev-snp' || tee === 'sev-snp') {
      await attestSelfSevSnp(tee, parsed, result, deps, now);
    } else if (tee === 'fake_tdx') {
      Object.assign(result, measurementsReport(zeroMeasurements(zeroReportData)));
    } else {
      throw new UsageError(`--tee: expected simulated, simulated-sev-snp, tdx, sev-snp or fake_tdx, got ${tee}`);
    }
    return emit(io, json, `attestation of this machine (tee ${tee})`, result, undefined);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return emit(io, json, `attestation of this machine (tee ${tee})`, result, toCocoonError(error));
  }
}

async function verifyQuoteFile(parsed: ParsedArgs, io: CliIo, deps: AttestCommandDeps): Promise<number> {
  const { flags, positional } = parsed;
  const [file] = positional;
  if (!file || positional.length > 1) throw new UsageError('verify-quote needs exactly one quote FILE');
  const json = flags.has('json');
  const at = parseTime(flags.get('at'), deps.now ?? (() => new Date()));
  const result: Record<string, unknown> = { file, at: at.toISOString(), verified: false, status: null, tcb_checked: flags.has('collateral') || flags.has('dev-authority') };
  try {
    const quote = await readFile(file).catch((cause: unknown) => {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `cannot read quote file ${file}: ${(cause as Error).message}`, { cause });
    });
    const authority = flags.has('dev-authority') ? await DevAttestationAuthority.load(flags.get('dev-authority')!) : undefined;
    result.trust = authority ? 'dev (NOT Intel)' : 'intel';
    const quoteInfo = parseTdxQuote(quote);
    Object.assign(result, { quote_version: quoteInfo.version, fmspc: quoteInfo.fmspc ?? null, advisory_ids: [] }, measurementsReport(quoteInfo.measurements));
    const collateral = flags.has('collateral') ? await readJsonFile<DcapCollateral>(flags.get('collateral')!, 'collateral file') : authority?.collateral;
    if (!collateral) {
      result.status = verifyQuoteSignatureOnly(quote, at, authority?.rootCertificateDer).tcbStatus;
      result.note = 'no collateral: signature and PCK chain verified, TCB status NOT checked';
    } else {
      const verifier = new DcapQuoteVerifier({
        collateral: new StaticCollateralSource(collateral), trustedRootDer: authority?.rootCertificateDer, tcbPolicy: { allowedStatuses: ALL_TCB_STATUSES }, cacheSize: 0,
      });
      const verified = await verifier.verifyQuote(quote, at);
      Object.assign(result, { status: verified.tcbStatus, advisory_ids: verified.advisoryIds });
      checkTcbPolicy(verified.tcbStatus, verified.advisoryIds, { allowedStatuses: allowedStatuses(flags) });
    }
    result.verified = true;
    return emit(io, json, `quote ${file}`, result, undefined);
  } catch (error) {
    return emit(io, json, `quote ${file}`, result, toCocoonError(error));
  }
}

export async function runAttestCommand(args: readonly string[], io: CliIo, deps: AttestCommandDeps = {}): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    (subcommand === undefined ? io.stderr : io.stdout)(USAGE);
    return subcommand === undefined ? ExitCode.usage : ExitCode.ok;
  }
  try {
    switch (subcommand) {
      case 'self':
        return await attestSelf(parseArgs(rest, ['tee', 'role', 'authority-dir', 'static-config', 'vcek', 'debug', 'json']), io, deps);
      case 'verify-report':
        return await verifyReportFile(parseArgs(rest, ['vcek', 'dev-authority', 'chain', 'crl', 'at', 'json']), io, deps);
      case 'verify-certificate':
        return await verifyCertificateFile(parseArgs(rest, ['policy', 'dev-authority', 'collateral', 'allow-status', 'at', 'json']), io, deps);
      case 'verify-quote':
        return await verifyQuoteFile(parseArgs(rest, ['collateral', 'at', 'allow-status', 'dev-authority', 'json']), io, deps);
      case 'verify-peer':
        return await verifyPeer(parseArgs(rest, ['policy', 'dev-authority', 'collateral', 'allow-status', 'at', 'max-pow-difficulty', 'timeout-ms', 'json']), io, deps);
      default:
        throw new UsageError(`unknown subcommand '${subcommand}'`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`cocoon attest: ${error.message}\n${USAGE}`);
    return ExitCode.usage;
  }
}

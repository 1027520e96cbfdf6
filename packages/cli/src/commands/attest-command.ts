/**
 * `cocoon attest` — attestation diagnostics (§7):
 *   self          this machine's measurements and image hash (simulated / tdx / fake_tdx)
 *   verify-quote  DCAP verification of a quote file (with collateral), or signature-only without
 *   verify-peer   connect to a COCOON port (TCP → PoW → TLS), show and verify its RA-TLS certificate
 * Exit codes: 0 = verified (self: measured), 1 = refused or failed (code and message on stderr,
 * `error` in the JSON), 2 = usage error.
 */
import { readFile } from 'node:fs/promises';
import { CocoonError, toCocoonError } from '@cocoon/protocol';
import {
  CertificateOid,
  ConfigfsTsmProvider,
  DcapQuoteVerifier,
  DevAttestationAuthority,
  NoTeeProvider,
  REPORT_DATA_LENGTH,
  SIGNATURE_ONLY_TCB_STATUS,
  SignatureOnlyQuoteVerifier,
  SimulatedTdxProvider,
  StaticCollateralSource,
  checkTcbPolicy,
  createAttestationVerifier,
  createAttestedCertificate,
  devQuoteVerifier,
  dialSecure,
  formatDistinguishedName,
  measureSimulatedRunnerImage,
  simulatedRunnerStaticConfig,
  measurementsReport,
  parseTdxQuote,
  readCertificate,
  staticConfigHash,
  verifyQuoteSignatureOnly,
  zeroMeasurements,
  type DcapCollateral,
  type PeerCertificateInput,
  type PeerVerifier,
  type QuoteVerifier,
  type TdxMeasurements,
} from '@cocoon/attestation';
import { ExitCode, type CliIo } from '../cli-io.ts';

const USAGE = `usage: cocoon attest self [--tee simulated|tdx|fake_tdx] [--role proxy|worker | --static-config FILE] [--authority-dir DIR] [--debug] [--json]
       cocoon attest verify-quote FILE [--collateral FILE] [--at ISO-TIME] [--allow-status S,...] [--dev-authority DIR] [--json]
       cocoon attest verify-peer HOST:PORT [--policy tdx|fake_tdx|any] [--dev-authority DIR] [--collateral FILE]
                                 [--allow-status S,...] [--at ISO-TIME] [--max-pow-difficulty N] [--timeout-ms MS] [--json]
exit: 0 verified, 1 refused or failed, 2 usage. verify-quote without --collateral checks the quote signature
and PCK chain only (status "${SIGNATURE_ONLY_TCB_STATUS}"): exit 0 means genuine, NOT that the TCB is up to date.`;

/** Every Intel TCB status; verify-quote asks DCAP for the status first, then applies --allow-status. */
const ALL_TCB_STATUSES = ['UpToDate', 'SWHardeningNeeded', 'ConfigurationNeeded', 'ConfigurationAndSWHardeningNeeded', 'OutOfDate', 'OutOfDateConfigurationNeeded', 'Revoked'];

export interface AttestCommandDeps {
  /** Directory holding the runner packages (default: this repository's packages/). */
  packagesDirectory?: string;
  /** configfs-tsm report root for `self --tee tdx` (default /sys/kernel/config/tsm/report). */
  tsmReportRoot?: string;
  now?: () => Date;
}

class UsageError extends Error {}

interface ParsedArgs {
  positional: string[];
  flags: Map<string, string>;
}

const VALUE_FLAGS = new Set(['tee', 'role', 'authority-dir', 'static-config', 'collateral', 'at', 'allow-status', 'dev-authority', 'policy', 'max-pow-difficulty', 'timeout-ms']);
const BOOLEAN_FLAGS = new Set(['json', 'debug']);

function parseArgs(args: readonly string[], allowed: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!allowed.includes(name)) throw new UsageError(`unknown option --${name}`);
    if (BOOLEAN_FLAGS.has(name)) flags.set(name, 'true');
    else if (VALUE_FLAGS.has(name)) {
      const value = inline ?? args[++index];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    }
  }
  return { positional, flags };
}

function parseTime(text: string | undefined, fallback: () => Date): Date {
  if (text === undefined) return fallback();
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) throw new UsageError(`--at: not an ISO time: ${text}`);
  return time;
}

function parseInteger(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`--${name}: expected a non-negative integer, got ${text}`);
  return value;
}

async function readJsonFile<T>(path: string, what: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (cause) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `${what} ${path} is missing or not JSON: ${(cause as Error).message}`, { cause });
  }
}

const allowedStatuses = (flags: Map<string, string>): string[] | undefined =>
  flags.get('allow-status')?.split(',').map((status) => status.trim()).filter((status) => status.length > 0);

/** Output: one JSON line on stdout, or `key  value` rows; the error (code: message) always on stderr. */
function emit(io: CliIo, json: boolean, title: string, result: Record<string, unknown>, error: CocoonError | undefined): number {
  const body = error ? { ...result, error: { code: error.code, message: error.message } } : result;
  if (json) io.stdout(JSON.stringify(body));
  else {
    io.stdout(title);
    for (const [key, value] of Object.entries(result)) {
      if (value === undefined) continue;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [inner, innerValue] of Object.entries(value)) io.stdout(`  ${`${key}.${inner}`.padEnd(24)} ${formatValue(innerValue)}`);
      } else io.stdout(`  ${key.padEnd(24)} ${formatValue(value)}`);
    }
  }
  if (error) io.stderr(`cocoon attest: ${error.code}: ${error.message}`);
  return error ? ExitCode.failure : ExitCode.ok;
}

const formatValue = (value: unknown): string =>
  Array.isArray(value) ? (value.length === 0 ? '-' : value.map((item) => (typeof item === 'object' ? JSON.stringify(item) : String(item))).join(', ')) : value === null ? '-' : String(value);

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
      if (role !== undefined && role !== 'proxy' && role !== 'worker') throw new UsageError(`--role: expected proxy or worker, got ${role}`);
      if (role !== undefined && flags.has('static-config')) throw new UsageError('--role and --static-config exclude each other');
      // --role: the image a runner of this checkout measures itself as (what `cocoon dev` registers in its root).
      const staticConfig = role !== undefined ? simulatedRunnerStaticConfig(role)
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
    } else if (tee === 'fake_tdx') {
      Object.assign(result, measurementsReport(zeroMeasurements(zeroReportData)));
    } else {
      throw new UsageError(`--tee: expected simulated, tdx or fake_tdx, got ${tee}`);
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

function parseTarget(target: string | undefined): { host: string; port: number } {
  const match = target === undefined ? null : /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(target);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65_535) throw new UsageError(`verify-peer needs HOST:PORT, got ${target ?? 'nothing'}`);
  return { host: match[1] ?? match[2]!, port };
}

/** Remembers the certificate the peer presented, so it can be shown even when verification fails. */
class CapturingVerifier implements PeerVerifier {
  certificateDer: Buffer | undefined;
  constructor(private readonly inner: PeerVerifier) {}
  get policy(): string {
    return this.inner.policy;
  }
  async verify(peer: PeerCertificateInput, now: Date) {
    this.certificateDer = peer.certificateDer;
    return this.inner.verify(peer, now);
  }
}

function describeCertificate(der: Buffer): { certificate: Record<string, unknown>; measurements: TdxMeasurements | undefined; quoteKind: string } {
  const parsed = readCertificate(der); // not node's X509Certificate: it would parse the PEM PCK chain inside the quote
  const quote = parsed.extensions.find((extension) => extension.oid === CertificateOid.tdxQuote)?.value;
  let measurements: TdxMeasurements | undefined;
  let quoteKind = 'none';
  if (quote?.length === REPORT_DATA_LENGTH) {
    quoteKind = 'fake_tdx (64-byte report data, not a quote)';
    measurements = zeroMeasurements(Buffer.from(quote));
  } else if (quote) {
    try {
      const quoteInfo = parseTdxQuote(quote);
      measurements = quoteInfo.measurements;
      quoteKind = `TDX v${quoteInfo.version}${quoteInfo.fmspc ? ` (FMSPC ${quoteInfo.fmspc})` : ''}`;
    } catch (error) {
      quoteKind = `unparseable: ${toCocoonError(error).message}`;
    }
  }
  const names: Record<string, string> = { [CertificateOid.tdxQuote]: 'TDX_QUOTE', [CertificateOid.tdxUserClaims]: 'TDX_USER_CLAIMS' };
  return {
    certificate: {
      subject: formatDistinguishedName(parsed.subject),
      issuer: formatDistinguishedName(parsed.issuer),
      not_before: parsed.notBefore.toISOString(),
      not_after: parsed.notAfter.toISOString(),
      key_algorithm: parsed.publicKeyAlgorithmOid === CertificateOid.ed25519 ? 'Ed25519' : parsed.publicKeyAlgorithmOid,
      public_key: parsed.publicKey.toString('hex'),
      extensions: parsed.extensions.map((extension) => `${names[extension.oid] ?? extension.oid}${extension.critical ? ' (critical)' : ''} ${extension.value.length} B`),
      quote: quoteKind,
    },
    measurements,
    quoteKind,
  };
}

async function verifyPeer(parsed: ParsedArgs, io: CliIo, deps: AttestCommandDeps): Promise<number> {
  const { flags, positional } = parsed;
  if (positional.length !== 1) throw new UsageError('verify-peer needs exactly one HOST:PORT');
  const { host, port } = parseTarget(positional[0]);
  const json = flags.has('json');
  const policy = flags.get('policy') ?? 'tdx';
  if (policy !== 'tdx' && policy !== 'fake_tdx' && policy !== 'any') throw new UsageError(`--policy: expected tdx, fake_tdx or any, got ${policy}`);
  if (policy !== 'tdx' && (flags.has('dev-authority') || flags.has('collateral'))) throw new UsageError('--dev-authority and --collateral apply to --policy tdx only');
  const clock = deps.now ?? (() => new Date());
  const at = flags.has('at') ? parseTime(flags.get('at'), clock) : undefined;
  const result: Record<string, unknown> = { peer: `${host}:${port}`, policy, verified: false };
  let capturing: CapturingVerifier | undefined;
  let failure: CocoonError | undefined;
  try {
    const authority = flags.has('dev-authority') ? await DevAttestationAuthority.load(flags.get('dev-authority')!) : undefined;
    const collateral = flags.has('collateral') ? await readJsonFile<DcapCollateral>(flags.get('collateral')!, 'collateral file') : undefined;
    let quoteVerifier: QuoteVerifier | undefined;
    if (policy === 'tdx') {
      result.trust = authority ? 'dev (NOT Intel)' : 'intel';
      const source = collateral ?? authority?.collateral;
      quoteVerifier = source
        ? new DcapQuoteVerifier({ collateral: new StaticCollateralSource(source), trustedRootDer: authority?.rootCertificateDer, tcbPolicy: { allowedStatuses: allowedStatuses(flags) } })
        : new SignatureOnlyQuoteVerifier();
      if (!source) result.note = 'no collateral: quote signature and PCK chain verified, TCB status NOT checked';
    }
    // A diagnostic tool, not a runner: an explicit --dev-authority / --policy fake_tdx means the user targets a test network.
    capturing = new CapturingVerifier(createAttestationVerifier({
      policy, quoteVerifier, networkIsTest: authority !== undefined || policy !== 'tdx',
      ...(authority ? { trust: { devAuthority: authority } } : {}),
      logger: { warn: (message) => io.stderr(`WARNING ${message}`) },
    }));
    const identity = await createAttestedCertificate({ provider: new NoTeeProvider(), now: at ?? clock() });
    const connection = await dialSecure({
      host, port, identity, verifier: capturing,
      maxPowDifficulty: parseInteger(flags.get('max-pow-difficulty'), 'max-pow-difficulty', 28),
      timeoutMs: parseInteger(flags.get('timeout-ms'), 'timeout-ms', 30_000),
      ...(at ? { now: () => at } : {}),
    });
    connection.socket.destroy();
    Object.assign(result, { verified: true, image_hash: connection.peer.imageHash.toString('hex'), status: connection.peer.tcbStatus ?? null });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    failure = toCocoonError(error);
  }
  if (capturing?.certificateDer) {
    const description = describeCertificate(capturing.certificateDer);
    result.certificate = description.certificate;
    if (description.measurements) {
      const report = measurementsReport(description.measurements);
      result.image_hash ??= report.image_hash; // verified: the policy's image hash (zero under any); else what the quote claims
      result.measurements = report;
    }
  } else if (failure) {
    result.certificate = null;
  }
  return emit(io, json, `peer ${host}:${port} (policy ${policy})`, result, failure);
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
        return await attestSelf(parseArgs(rest, ['tee', 'role', 'authority-dir', 'static-config', 'debug', 'json']), io, deps);
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

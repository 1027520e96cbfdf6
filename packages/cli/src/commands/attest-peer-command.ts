/**
 * The RA-TLS certificate side of `cocoon attest`:
 *   verify-peer HOST:PORT         connect to a COCOON port (TCP → PoW → TLS), show and verify its certificate
 *   verify-certificate FILE       the same verification of a certificate file (PEM or DER), offline
 * Both run the runners' own verifier (policy tdx accepts a TDX quote or an SEV-SNP report, chosen
 * by the certificate's extensions) and show what the certificate claims even when it is refused.
 */
import { CocoonError, toCocoonError } from '@cocoon/protocol';
import {
  CertificateOid,
  DcapQuoteVerifier,
  DevAttestationAuthority,
  NoTeeProvider,
  REPORT_DATA_LENGTH,
  SignatureOnlyQuoteVerifier,
  StaticCollateralSource,
  createAttestationVerifier,
  createAttestedCertificate,
  dialSecure,
  formatDistinguishedName,
  hasSevSnpExtensions,
  measurementsReport,
  parseSevSnpReport,
  parseTdxQuote,
  readCertificate,
  readVcekCertificate,
  zeroMeasurements,
  type DcapCollateral,
  type PeerAttestation,
  type PeerCertificateInput,
  type PeerVerifier,
  type QuoteVerifier,
  type TdxMeasurements,
} from '@cocoon/attestation';
import type { CliIo } from '../cli-io.ts';
import { UsageError, allowedStatuses, emit, parseInteger, parseTime, readInputFile, readJsonFile, type AttestCommandDeps, type ParsedArgs } from './attest-command-support.ts';
import { sevSnpReportSummary } from './attest-sev-snp-command.ts';

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

const EXTENSION_NAMES: Record<string, string> = {
  [CertificateOid.tdxQuote]: 'TDX_QUOTE', [CertificateOid.tdxUserClaims]: 'TDX_USER_CLAIMS',
  [CertificateOid.sevReportData]: 'SEV_REPORT_DATA', [CertificateOid.sevAttestationReport]: 'SEV_ATTESTATION_REPORT', [CertificateOid.sevVcek]: 'SEV_VCEK',
};

interface CertificateDescription {
  certificate: Record<string, unknown>;
  /** Which evidence the certificate carries: tdx, fake_tdx, sev-snp or none. */
  tee: string;
  measurements?: TdxMeasurements;
  sevSnp?: Record<string, unknown>;
}

/** The SEV-SNP evidence of a certificate, as far as it parses. */
function describeSevSnp(extension: (oid: string) => Buffer | undefined): { evidence: string; summary?: Record<string, unknown> } {
  const reportBytes = extension(CertificateOid.sevAttestationReport);
  if (!reportBytes) return { evidence: 'SEV-SNP (no SEV_ATTESTATION_REPORT)' };
  try {
    const report = parseSevSnpReport(reportBytes);
    const vcekBytes = extension(CertificateOid.sevVcek);
    let vcek;
    try {
      vcek = vcekBytes ? readVcekCertificate(vcekBytes) : undefined;
    } catch {
      vcek = undefined;
    }
    return { evidence: `SEV-SNP v${report.version} report${vcek ? ` (VCEK ${vcek.productName})` : ' (no readable VCEK)'}`, summary: sevSnpReportSummary(report, vcek) };
  } catch (error) {
    return { evidence: `unparseable SEV-SNP report: ${toCocoonError(error).message}` };
  }
}

function describeCertificate(der: Buffer): CertificateDescription {
  const parsed = readCertificate(der); // not node's X509Certificate: it would parse the PEM PCK chain inside the quote
  const extension = (oid: string) => parsed.extensions.find((item) => item.oid === oid)?.value;
  const quote = extension(CertificateOid.tdxQuote);
  const description: CertificateDescription = { certificate: {}, tee: 'none' };
  let evidence = 'none';
  if (hasSevSnpExtensions(parsed)) {
    const sev = describeSevSnp(extension);
    evidence = quote ? `${sev.evidence} AND a TDX quote (refused: mutually exclusive)` : sev.evidence;
    description.tee = 'sev-snp';
    if (sev.summary) description.sevSnp = sev.summary;
  } else if (quote?.length === REPORT_DATA_LENGTH) {
    evidence = 'fake_tdx (64-byte report data, not a quote)';
    description.tee = 'fake_tdx';
    description.measurements = zeroMeasurements(Buffer.from(quote));
  } else if (quote) {
    description.tee = 'tdx';
    try {
      const quoteInfo = parseTdxQuote(quote);
      description.measurements = quoteInfo.measurements;
      evidence = `TDX v${quoteInfo.version}${quoteInfo.fmspc ? ` (FMSPC ${quoteInfo.fmspc})` : ''}`;
    } catch (error) {
      evidence = `unparseable: ${toCocoonError(error).message}`;
    }
  }
  description.certificate = {
    subject: formatDistinguishedName(parsed.subject),
    issuer: formatDistinguishedName(parsed.issuer),
    not_before: parsed.notBefore.toISOString(),
    not_after: parsed.notAfter.toISOString(),
    key_algorithm: parsed.publicKeyAlgorithmOid === CertificateOid.ed25519 ? 'Ed25519' : parsed.publicKeyAlgorithmOid,
    public_key: parsed.publicKey.toString('hex'),
    extensions: parsed.extensions.map((item) => `${EXTENSION_NAMES[item.oid] ?? item.oid}${item.critical ? ' (critical)' : ''} ${item.value.length} B`),
    quote: evidence,
  };
  return description;
}

/** The verifier of --policy with --dev-authority / --collateral (shared by verify-peer and verify-certificate). */
async function buildVerifier(flags: Map<string, string>, io: CliIo, result: Record<string, unknown>): Promise<PeerVerifier> {
  const policy = result.policy as 'tdx' | 'fake_tdx' | 'any';
  const authority = flags.has('dev-authority') ? await DevAttestationAuthority.load(flags.get('dev-authority')!) : undefined;
  const collateral = flags.has('collateral') ? await readJsonFile<DcapCollateral>(flags.get('collateral')!, 'collateral file') : undefined;
  let quoteVerifier: QuoteVerifier | undefined;
  if (policy === 'tdx') {
    result.trust = authority ? 'dev (NOT Intel, NOT AMD)' : 'intel (TDX), AMD (SEV-SNP)';
    const source = collateral ?? authority?.collateral;
    quoteVerifier = source
      ? new DcapQuoteVerifier({ collateral: new StaticCollateralSource(source), trustedRootDer: authority?.rootCertificateDer, tcbPolicy: { allowedStatuses: allowedStatuses(flags) } })
      : new SignatureOnlyQuoteVerifier();
    if (!source) result.note = 'no collateral: a TDX quote\'s signature and PCK chain are verified, its TCB status is NOT checked';
  }
  // A diagnostic tool, not a runner: an explicit --dev-authority / --policy fake_tdx means the user targets a test network.
  return createAttestationVerifier({
    policy, quoteVerifier, networkIsTest: authority !== undefined || policy !== 'tdx',
    ...(authority ? { trust: { devAuthority: authority } } : {}),
    logger: { warn: (message) => io.stderr(`WARNING ${message}`) },
  });
}

function policyOf(flags: Map<string, string>): 'tdx' | 'fake_tdx' | 'any' {
  const policy = flags.get('policy') ?? 'tdx';
  if (policy !== 'tdx' && policy !== 'fake_tdx' && policy !== 'any') throw new UsageError(`--policy: expected tdx, fake_tdx or any, got ${policy}`);
  if (policy !== 'tdx' && (flags.has('dev-authority') || flags.has('collateral'))) throw new UsageError('--dev-authority and --collateral apply to --policy tdx only');
  return policy;
}

/** Adds what the certificate shows and, when verified, what the verifier established. */
function describeOutcome(result: Record<string, unknown>, der: Buffer | undefined, peer: PeerAttestation | undefined, failure: CocoonError | undefined): void {
  if (peer) Object.assign(result, { verified: true, image_hash: peer.imageHash.toString('hex'), status: peer.tcbStatus ?? null });
  if (!der) {
    if (failure) result.certificate = null;
    return;
  }
  const description = describeCertificate(der);
  result.tee = peer?.tee ?? description.tee;
  result.certificate = description.certificate;
  if (description.measurements) {
    const report = measurementsReport(description.measurements);
    result.image_hash ??= report.image_hash; // verified: the policy's image hash (zero under any); else what the quote claims
    result.measurements = report;
  }
  if (description.sevSnp) {
    result.image_hash ??= description.sevSnp.image_hash; // what the report claims
    result.sev_snp = description.sevSnp;
  }
}

export async function verifyPeer(parsed: ParsedArgs, io: CliIo, deps: AttestCommandDeps): Promise<number> {
  const { flags, positional } = parsed;
  if (positional.length !== 1) throw new UsageError('verify-peer needs exactly one HOST:PORT');
  const { host, port } = parseTarget(positional[0]);
  const json = flags.has('json');
  const policy = policyOf(flags);
  const clock = deps.now ?? (() => new Date());
  const at = flags.has('at') ? parseTime(flags.get('at'), clock) : undefined;
  const result: Record<string, unknown> = { peer: `${host}:${port}`, policy, verified: false };
  let capturing: CapturingVerifier | undefined;
  let failure: CocoonError | undefined;
  let peer: PeerAttestation | undefined;
  try {
    capturing = new CapturingVerifier(await buildVerifier(flags, io, result));
    const identity = await createAttestedCertificate({ provider: new NoTeeProvider(), now: at ?? clock() });
    const connection = await dialSecure({
      host, port, identity, verifier: capturing,
      maxPowDifficulty: parseInteger(flags.get('max-pow-difficulty'), 'max-pow-difficulty', 28),
      timeoutMs: parseInteger(flags.get('timeout-ms'), 'timeout-ms', 30_000),
      ...(at ? { now: () => at } : {}),
    });
    connection.socket.destroy();
    peer = connection.peer;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    failure = toCocoonError(error);
  }
  describeOutcome(result, capturing?.certificateDer, peer, failure);
  return emit(io, json, `peer ${host}:${port} (policy ${policy})`, result, failure);
}

/** A certificate file: PEM (the first CERTIFICATE block) or DER (a TDX certificate's DER holds PEM text: the PCK chain in its quote). */
function certificateFileDer(bytes: Buffer, file: string): Buffer {
  const text = bytes.toString('latin1');
  if (!text.trimStart().startsWith('-----BEGIN')) return bytes;
  const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(text);
  if (!match) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `${file} is PEM but holds no CERTIFICATE block`);
  return Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64');
}

export async function verifyCertificateFile(parsed: ParsedArgs, io: CliIo, deps: AttestCommandDeps): Promise<number> {
  const { flags, positional } = parsed;
  const [file] = positional;
  if (!file || positional.length > 1) throw new UsageError('verify-certificate needs exactly one certificate FILE');
  const json = flags.has('json');
  const policy = policyOf(flags);
  const at = parseTime(flags.get('at'), deps.now ?? (() => new Date()));
  const result: Record<string, unknown> = { file, at: at.toISOString(), policy, verified: false };
  let der: Buffer | undefined;
  let failure: CocoonError | undefined;
  let peer: PeerAttestation | undefined;
  try {
    der = certificateFileDer(await readInputFile(file, 'certificate file'), file);
    readCertificate(der); // not a certificate at all: say so before verifying
    peer = await (await buildVerifier(flags, io, result)).verify({ certificateDer: der }, at);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    failure = toCocoonError(error);
  }
  try {
    describeOutcome(result, der, peer, failure);
  } catch (error) {
    failure ??= toCocoonError(error);
    result.certificate = null;
  }
  return emit(io, json, `certificate ${file} (policy ${policy})`, result, failure);
}

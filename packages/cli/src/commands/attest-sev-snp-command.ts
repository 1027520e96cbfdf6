/**
 * The AMD SEV-SNP side of `cocoon attest`:
 *   self --tee simulated-sev-snp  the launch measurement and image hash a runner of this checkout
 *                                 attests to, with every input of both (and, with the dev
 *                                 authority, a signed report verified against its dev ARK)
 *   self --tee sev-snp            this guest's report through configfs-tsm, its measurement and image hash
 *   verify-report FILE --vcek F   a raw SNP report verified as a peer's would be: VCEK → ASK → ARK
 *                                 (pinned), CRL, chip id, TCB, signature, DEBUG refused
 * and the summary of a report that verify-peer / verify-certificate show.
 */
import { CocoonError, toCocoonError } from '@cocoon/protocol';
import {
  DevAttestationAuthority,
  REPORT_DATA_LENGTH,
  SimulatedSevSnpProvider,
  SevSnpTsmProvider,
  StaticSevPkiSource,
  computeSevSnpImageHash,
  createSevSnpReportVerifier,
  decodeTcbVersion,
  formatTcb,
  measureSimulatedRunnerImage,
  parseSevSnpReport,
  productFromCpuid,
  readVcekCertificate,
  simulatedRunnerStaticConfig,
  simulatedSevSnpMeasurement,
  splitPemCertificates,
  staticConfigHash,
  tcbLayoutOf,
  vcekFromCertificateTable,
  verifyReportSignature,
  type SevProduct,
  type SevSnpReport,
  type SevSnpReportVerifier,
  type VcekCertificate,
} from '@cocoon/attestation';
import type { CliIo } from '../cli-io.ts';
import { UsageError, emit, parseRole, parseTime, readInputFile, readJsonFile, type AttestCommandDeps, type ParsedArgs } from './attest-command-support.ts';

/** How the image hash is computed from the report (the reference's sev::image_hash). */
export const SEV_SNP_IMAGE_HASH_INPUT = 'SHA-256(MEASUREMENT(48) ‖ 64 zero bytes)';
/** How a simulated runner's launch measurement is computed (measure-sev-snp-runner-image.ts). */
export const SIMULATED_SEV_SNP_MEASUREMENT_INPUT = 'SHA-384("cocoon-simulated-sev-snp:launch measurement" NUL ‖ code_bundle_hash ‖ static_config_hash (hex text) ‖ debug byte)';

/** The product of a report: from its VCEK when known, else its CPUID (versions ≥ 3). */
function productOf(report: SevSnpReport, vcek: VcekCertificate | undefined): SevProduct | undefined {
  if (vcek) return vcek.product;
  try {
    return productFromCpuid(report);
  } catch {
    return undefined;
  }
}

/** What one SNP report says, as `cocoon attest` prints it. */
export function sevSnpReportSummary(report: SevSnpReport, vcek?: VcekCertificate): Record<string, unknown> {
  const product = productOf(report, vcek);
  return {
    measurement: report.measurement.toString('hex'),
    image_hash: computeSevSnpImageHash(report.measurement).toString('hex'),
    report_data: report.reportData.toString('hex'),
    report_version: report.version,
    product: product ?? null,
    guest_policy: `0x${report.policy.raw.toString(16)}`,
    debug: report.policy.debug,
    vmpl: report.vmpl,
    reported_tcb: product ? formatTcb(decodeTcbVersion(report.reportedTcb, tcbLayoutOf(product))) : `0x${report.reportedTcb.toString(16)}`,
    chip_id: report.chipId.toString('hex'),
    signing_key: report.signingKey,
  };
}

/** `self --tee simulated-sev-snp` and `self --tee sev-snp`: fills `result`. */
export async function attestSelfSevSnp(tee: 'simulated-sev-snp' | 'sev-snp', parsed: ParsedArgs, result: Record<string, unknown>, deps: AttestCommandDeps, now: Date): Promise<void> {
  const { flags } = parsed;
  if (tee === 'sev-snp') return attestSelfRealSevSnp(flags, result, deps);
  const role = flags.get('role');
  if (role !== undefined && flags.has('static-config')) throw new UsageError('--role and --static-config exclude each other');
  const staticConfig = role !== undefined ? simulatedRunnerStaticConfig(parseRole(role))
    : flags.has('static-config') ? await readJsonFile<Record<string, unknown>>(flags.get('static-config')!, 'static config') : {};
  const debug = flags.has('debug');
  const image = await measureSimulatedRunnerImage(staticConfig, { packagesDirectory: deps.packagesDirectory });
  const measurement = simulatedSevSnpMeasurement(image.codeBundleHash, staticConfig, debug);
  Object.assign(result, {
    measurement: measurement.toString('hex'),
    image_hash: computeSevSnpImageHash(measurement).toString('hex'),
    image_hash_input: SEV_SNP_IMAGE_HASH_INPUT,
    measurement_input: SIMULATED_SEV_SNP_MEASUREMENT_INPUT,
    code_files: image.codeFiles,
    code_bundle_hash: image.codeBundleHash.toString('hex'),
    static_config_hash: staticConfigHash(staticConfig),
    debug,
  });
  if (!flags.has('authority-dir')) return;
  const authority = await DevAttestationAuthority.load(flags.get('authority-dir')!);
  if (!authority.sevSnp) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'the dev attestation authority has no SEV-SNP chain (renew it: cocoon dev)', { param: 'authority-dir' });
  // A debug image is measured, but a report of it would carry the production guest policy: report only the measured image.
  const report = await new SimulatedSevSnpProvider({ authority: authority.sevSnp, measurement }).getReport(Buffer.alloc(REPORT_DATA_LENGTH));
  const verified = await createSevSnpReportVerifier({ devAuthority: authority })!.verify(report, authority.sevSnp.vcekPem, now);
  Object.assign(result, {
    status: formatTcb(verified.reportedTcb), product: verified.product, report_version: verified.report.version, report_bytes: report.length, trust: 'dev (NOT AMD)',
  });
}

/** A real guest: the report through configfs-tsm; its signature is checked under the host's VCEK when the host supplies one. */
async function attestSelfRealSevSnp(flags: Map<string, string>, result: Record<string, unknown>, deps: AttestCommandDeps): Promise<void> {
  const provider = new SevSnpTsmProvider({
    ...(deps.tsmReportRoot ? { reportRoot: deps.tsmReportRoot } : {}), ...(deps.tsmFileSystem ? { fileSystem: deps.tsmFileSystem } : {}), vcekPath: '',
  });
  const { report: bytes, certificateTable } = await provider.getReport(Buffer.alloc(REPORT_DATA_LENGTH));
  const report = parseSevSnpReport(bytes);
  const hostVcek = vcekFromCertificateTable(certificateTable);
  const vcekBytes = hostVcek ?? (flags.has('vcek') ? await readInputFile(flags.get('vcek')!, 'VCEK file') : undefined);
  const vcek = vcekBytes ? readVcekCertificate(vcekBytes) : undefined;
  Object.assign(result, sevSnpReportSummary(report, vcek), { image_hash_input: SEV_SNP_IMAGE_HASH_INPUT, report_bytes: bytes.length });
  if (!vcek) {
    result.vcek = 'none (the host supplies no certificate table; pass --vcek FILE)';
    result.status = 'signature NOT checked';
    return;
  }
  result.vcek = hostVcek ? 'host certificate table' : flags.get('vcek');
  if (!(await verifyReportSignature(vcek.parsed.subjectPublicKeyInfo, report.signedBytes, report.signature))) {
    throw new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', 'this guest\'s SEV-SNP report does not verify under the VCEK (another chip\'s or TCB\'s VCEK?)');
  }
  result.status = 'signature verified under the VCEK; chain to AMD NOT checked (cocoon attest verify-report)';
}

/** The report verifier of verify-report: the dev authority's ARK, AMD's pinned ARKs with a recorded chain + CRL, or AMD KDS. */
async function reportVerifier(flags: Map<string, string>, vcek: VcekCertificate, result: Record<string, unknown>): Promise<SevSnpReportVerifier> {
  if (flags.has('dev-authority')) {
    if (flags.has('chain') || flags.has('crl')) throw new UsageError('--chain and --crl apply to AMD trust, not --dev-authority');
    const authority = await DevAttestationAuthority.load(flags.get('dev-authority')!);
    result.trust = 'dev (NOT AMD)';
    const verifier = createSevSnpReportVerifier({ devAuthority: authority });
    if (!verifier) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'the dev attestation authority has no SEV-SNP chain (renew it: cocoon dev)', { param: 'dev-authority' });
    return verifier;
  }
  result.trust = 'AMD';
  if (flags.has('chain') !== flags.has('crl')) throw new UsageError('--chain and --crl go together (the ARK\'s CRL is part of the chain check)');
  if (!flags.has('chain')) {
    result.note = 'chain and CRL fetched from AMD KDS';
    return createSevSnpReportVerifier('intel')!;
  }
  const chainPem = (await readInputFile(flags.get('chain')!, 'certificate chain')).toString('latin1');
  const certificates = splitPemCertificates(chainPem);
  if (certificates.length === 0) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `certificate chain ${flags.get('chain')} holds no PEM certificate (expected KDS cert_chain: ASK, ARK)`);
  const crl = await readInputFile(flags.get('crl')!, 'CRL');
  result.note = 'recorded chain and CRL; the ARK is still checked against AMD\'s pinned SHA-256';
  return createSevSnpReportVerifier('intel', new StaticSevPkiSource([{ product: vcek.product, certificates, crl }]))!;
}

/** `verify-report FILE --vcek FILE [--dev-authority DIR | --chain FILE --crl FILE] [--at ISO-TIME]`. */
export async function verifyReportFile(parsed: ParsedArgs, io: CliIo, deps: AttestCommandDeps): Promise<number> {
  const { flags, positional } = parsed;
  const [file] = positional;
  if (!file || positional.length > 1) throw new UsageError('verify-report needs exactly one report FILE');
  if (!flags.has('vcek')) throw new UsageError('verify-report needs --vcek FILE (the VCEK certificate, PEM or DER)');
  const json = flags.has('json');
  const at = parseTime(flags.get('at'), deps.now ?? (() => new Date()));
  const result: Record<string, unknown> = { file, at: at.toISOString(), verified: false, tee: 'sev-snp' };
  try {
    const bytes = await readInputFile(file, 'report file');
    const vcek = readVcekCertificate(await readInputFile(flags.get('vcek')!, 'VCEK file'));
    const report = parseSevSnpReport(bytes);
    Object.assign(result, sevSnpReportSummary(report, vcek), { vcek_product_name: vcek.productName });
    const verifier = await reportVerifier(flags, vcek, result);
    const verified = await verifier.verify(bytes, vcek.der, at);
    result.status = `SEV-SNP ${verified.product} (${verified.trustName} chain) TCB ${formatTcb(verified.reportedTcb)}`;
    if (report.policy.debug) {
      throw new CocoonError('CCN_ERR_ATTEST_POLICY', `SEV-SNP guest policy ${String(result.guest_policy)} allows debugging (DEBUG, bit 19): the host can read the guest's memory; refused`);
    }
    result.verified = true;
    return emit(io, json, `SEV-SNP report ${file}`, result, undefined);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return emit(io, json, `SEV-SNP report ${file}`, result, toCocoonError(error));
  }
}

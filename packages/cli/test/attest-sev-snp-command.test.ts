/**
 * Tests for the AMD SEV-SNP side of `cocoon attest`: `self --tee simulated-sev-snp` (the measurement
 * and image hash a runner of this checkout attests to, and what goes into them), `self --tee sev-snp`
 * against an emulated configfs-tsm, `verify-report` on a real Genoa report (AMD trust, recorded
 * chain + CRL) and on dev reports, and `verify-peer` / `verify-certificate` of SEV-SNP certificates.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  AnyPolicyVerifier, DevAttestationAuthority, SimulatedSevSnpProvider, SimulatedTdxProvider, buildSevSnpReport, createAttestedCertificate, listenSecure,
  measureSimulatedRunner, measureSimulatedSevSnpRunner, signSevSnpReport, simulatedMeasurements, type SecureServer, type TsmFileSystem,
} from '@cocoon/attestation';
import { runCocoonCli } from '../src/cocoon-cli.ts';
import { runAttestCommand, type AttestCommandDeps } from '../src/commands/attest-command.ts';
import type { CliIo } from '../src/cli-io.ts';

const DATA = new URL('./fixtures/sev-snp/', import.meta.url).pathname;
const GENOA = {
  report: join(DATA, 'genoa_v5_report.bin'), vcek: join(DATA, 'genoa_v5_vcek.der'), chain: join(DATA, 'genoa_cert_chain.pem'), crl: join(DATA, 'genoa_crl.der'),
};
/** Inside the recorded Genoa CRL's window [2026-08-19, 2026-10-04). */
const GENOA_TIME = '2026-09-01T00:00:00Z';
const AUTHORITY_TIME = new Date('2026-03-01T12:00:00Z');
const CERTIFICATE_TIME = new Date('2026-03-02T00:00:00Z');
const PEER_TIME = new Date('2026-03-02T01:00:00Z');
const MEASUREMENT = Buffer.alloc(48, 0x5e);
const sevImageHash = (measurement: Buffer | string): string =>
  createHash('sha256').update(Buffer.isBuffer(measurement) ? measurement : Buffer.from(measurement, 'hex')).update(Buffer.alloc(64)).digest('hex');

const run = async (args: string[], deps?: AttestCommandDeps) => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (line) => out.push(line), stderr: (line) => err.push(line), env: {} };
  const code = deps ? await runAttestCommand(args, io, deps) : await runCocoonCli(['attest', ...args], io);
  return { code, out, err, json: () => JSON.parse(out.join('\n')) as Record<string, unknown> };
};

describe('cocoon attest self --tee simulated-sev-snp', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cocoon-attest-sev-self-'));
    await (await DevAttestationAuthority.generate({ now: new Date() })).save(directory);
  });
  after(() => rm(directory, { recursive: true, force: true }));

  test('--role worker: the measurement and image hash the dev root registers, with their inputs', async () => {
    const result = await run(['self', '--tee', 'simulated-sev-snp', '--role', 'worker', '--json']);
    assert.equal(result.code, 0, result.err.join('\n'));
    const self = result.json();
    const [expected, tdx] = await Promise.all([measureSimulatedSevSnpRunner('worker'), measureSimulatedRunner('worker')]);
    assert.equal(self.tee, 'simulated-sev-snp');
    assert.equal(self.measurement, expected.measurement.toString('hex'));
    assert.equal(self.image_hash, expected.imageHash.toString('hex'));
    assert.equal(self.image_hash, sevImageHash(String(self.measurement)), 'image hash = SHA-256(measurement ‖ 64 zero bytes)');
    assert.notEqual(self.image_hash, tdx.imageHash.toString('hex'), 'the SEV image of a worker is not its TDX image');
    assert.equal(self.code_bundle_hash, tdx.codeBundleHash.toString('hex'), 'both measure the same code bundle');
    assert.match(String(self.image_hash_input), /SHA-256\(MEASUREMENT\(48\) ‖ 64 zero bytes\)/);
    assert.match(String(self.measurement_input), /code_bundle_hash ‖ static_config_hash/);
    assert.equal(self.debug, false);
    assert.ok(Number(self.code_files) > 10);
  });

  test('roles and --debug give other measurements; key-manager is a role', async () => {
    const [worker, proxy, keyManager, debug] = await Promise.all([
      run(['self', '--tee', 'simulated-sev-snp', '--role', 'worker', '--json']), run(['self', '--tee', 'simulated-sev-snp', '--role', 'proxy', '--json']),
      run(['self', '--tee', 'simulated-sev-snp', '--role', 'key-manager', '--json']), run(['self', '--tee', 'simulated-sev-snp', '--role', 'worker', '--debug', '--json']),
    ]);
    assert.equal(keyManager.code, 0, keyManager.err.join('\n'));
    assert.equal(keyManager.json().image_hash, (await measureSimulatedSevSnpRunner('key_manager')).imageHash.toString('hex'));
    const hashes = new Set([worker, proxy, keyManager, debug].map((result) => result.json().image_hash));
    assert.equal(hashes.size, 4);
    assert.equal(debug.json().debug, true);
  });

  test('--authority-dir: a report signed by the dev VCEK verifies against the dev ARK', async () => {
    const result = await run(['self', '--tee', 'simulated-sev-snp', '--role', 'proxy', '--authority-dir', directory]);
    assert.equal(result.code, 0, result.err.join('\n'));
    const text = result.out.join('\n');
    assert.match(text, /^attestation of this machine \(tee simulated-sev-snp\)/);
    assert.match(text, /status\s+bl=9 tee=0 snp=23 ucode=72/);
    assert.match(text, /product\s+Genoa/);
    assert.match(text, /report_bytes\s+1184/);
    assert.match(text, /trust\s+dev \(NOT AMD\)/);
  });

  test('usage errors exit 2', async () => {
    assert.equal((await run(['self', '--tee', 'simulated-sev-snp', '--role', 'client'])).code, 2);
    assert.equal((await run(['self', '--tee', 'sev'])).code, 2);
  });
});

/** configfs-tsm of an SEV-SNP guest in memory: outblob is a report of inblob signed with the dev VCEK; auxblob the host's certificate table. */
class FakeSevGuest implements TsmFileSystem {
  private readonly files = new Map<string, Buffer>();
  constructor(private readonly sign: (bytes: Buffer) => Buffer, private readonly auxblob: Buffer) {}
  async assertDirectory(): Promise<void> {}
  async mkdir(path: string): Promise<void> {
    this.files.set(`${path}/provider`, Buffer.from('sev_guest\n'));
    this.files.set(`${path}/generation`, Buffer.from('0\n'));
  }
  async rmdir(path: string): Promise<void> {
    for (const key of [...this.files.keys()]) if (key.startsWith(`${path}/`)) this.files.delete(key);
  }
  async readFile(path: string): Promise<Buffer> {
    if (basename(path) === 'outblob') {
      return signSevSnpReport(buildSevSnpReport({ measurement: MEASUREMENT, reportData: this.files.get(`${dirname(path)}/inblob`)! }), this.sign);
    }
    if (basename(path) === 'auxblob') return this.auxblob;
    const value = this.files.get(path);
    if (!value) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
    return value;
  }
  async writeFile(path: string, data: Buffer): Promise<void> {
    this.files.set(path, Buffer.from(data));
    this.files.set(`${dirname(path)}/generation`, Buffer.from('1\n'));
  }
}

/** An SNP extended-report certificate table holding one VCEK entry (GUID 63da758d-…). */
function certificateTable(vcekDer: Buffer): Buffer {
  const header = Buffer.alloc(48);
  Buffer.from('8d75da6364e66445adc5f4b93be8accd', 'hex').copy(header, 0);
  header.writeUInt32LE(48, 16);
  header.writeUInt32LE(vcekDer.length, 20);
  return Buffer.concat([header, vcekDer]);
}

describe('cocoon attest self --tee sev-snp', () => {
  let authority: DevAttestationAuthority;
  before(async () => {
    authority = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
  });

  test("this guest's report: measurement, image hash, and the signature checked under the host's VCEK", async () => {
    const vcekDer = Buffer.from(new X509Certificate(authority.sevSnp!.vcekPem).raw);
    const guest = new FakeSevGuest((bytes) => authority.sevSnp!.signWithVcek(bytes), certificateTable(vcekDer));
    const result = await run(['self', '--tee', 'sev-snp', '--json'], { tsmFileSystem: guest, tsmReportRoot: '/emulated/tsm/report' });
    assert.equal(result.code, 0, result.err.join('\n'));
    const self = result.json();
    assert.equal(self.measurement, MEASUREMENT.toString('hex'));
    assert.equal(self.image_hash, sevImageHash(MEASUREMENT));
    assert.equal(self.report_version, 5);
    assert.equal(self.product, 'Genoa');
    assert.equal(self.debug, false);
    assert.equal(self.vcek, 'host certificate table');
    assert.match(String(self.status), /^signature verified under the VCEK; chain to AMD NOT checked/);
  });

  test('a report signed by another key than the VCEK: exit 1', async () => {
    const other = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
    const vcekDer = Buffer.from(new X509Certificate(authority.sevSnp!.vcekPem).raw);
    const guest = new FakeSevGuest((bytes) => other.sevSnp!.signWithVcek(bytes), certificateTable(vcekDer));
    const result = await run(['self', '--tee', 'sev-snp', '--json'], { tsmFileSystem: guest });
    assert.equal(result.code, 1);
    assert.equal((result.json().error as { code: string }).code, 'CCN_ERR_ATTEST_QUOTE_INVALID');
  });

  test('not an SEV-SNP guest: exit 1 naming the dev alternative', async () => {
    const result = await run(['self', '--tee', 'sev-snp'], { tsmReportRoot: join(tmpdir(), 'no-such-configfs-tsm') });
    assert.equal(result.code, 1);
    assert.match(result.err.join('\n'), /CCN_ERR_ATTEST_TEE_UNAVAILABLE: no configfs-tsm at .*use tee simulated-sev-snp/);
  });
});

describe('cocoon attest verify-report', () => {
  let directory: string;
  let authority: DevAttestationAuthority;
  let devReport: string;
  let debugReport: string;
  let devVcek: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cocoon-attest-report-'));
    authority = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
    await authority.save(join(directory, 'authority'));
    const sign = (bytes: Buffer) => authority.sevSnp!.signWithVcek(bytes);
    devReport = join(directory, 'dev-report.bin');
    debugReport = join(directory, 'debug-report.bin');
    devVcek = join(directory, 'vcek.pem');
    await writeFile(devReport, signSevSnpReport(buildSevSnpReport({ measurement: MEASUREMENT, reportData: Buffer.alloc(64, 1) }), sign));
    await writeFile(debugReport, signSevSnpReport(buildSevSnpReport({ measurement: MEASUREMENT, reportData: Buffer.alloc(64, 1), guestPolicy: 0x30000n | (1n << 19n) }), sign));
    await writeFile(devVcek, authority.sevSnp!.vcekPem);
  });
  after(() => rm(directory, { recursive: true, force: true }));

  const genoa = (...args: string[]) => run(['verify-report', GENOA.report, '--vcek', GENOA.vcek, '--json', ...args]);

  test('a real Genoa report with its recorded AMD chain and CRL: exit 0 under AMD trust', async () => {
    const result = await genoa('--chain', GENOA.chain, '--crl', GENOA.crl, '--at', GENOA_TIME);
    assert.equal(result.code, 0, result.err.join('\n'));
    const report = result.json();
    assert.equal(report.verified, true);
    assert.equal(report.trust, 'AMD');
    assert.equal(report.product, 'Genoa');
    assert.equal(report.report_version, 5);
    assert.equal(report.reported_tcb, 'bl=10 tee=0 snp=25 ucode=84');
    assert.match(String(report.measurement), /^c5772901[0-9a-f]{84}c4dc$/);
    assert.equal(report.image_hash, sevImageHash(String(report.measurement)));
    assert.equal(report.status, 'SEV-SNP Genoa (AMD chain) TCB bl=10 tee=0 snp=25 ucode=84');
    assert.match(String(report.chip_id), /^d2421d976f95ce0b/);
  });

  test('the same report after the CRL expired, tampered, or under the dev ARK: exit 1', async () => {
    const stale = await genoa('--chain', GENOA.chain, '--crl', GENOA.crl, '--at', '2026-11-01T00:00:00Z');
    assert.equal(stale.code, 1);
    assert.equal((stale.json().error as { code: string }).code, 'CCN_ERR_ATTEST_COLLATERAL');
    const tampered = Buffer.from(await readFile(GENOA.report));
    tampered[0x90]! ^= 0x01; // MEASUREMENT
    const tamperedFile = join(directory, 'tampered.bin');
    await writeFile(tamperedFile, tampered);
    const forged = await run(['verify-report', tamperedFile, '--vcek', GENOA.vcek, '--chain', GENOA.chain, '--crl', GENOA.crl, '--at', GENOA_TIME]);
    assert.equal(forged.code, 1);
    assert.match(forged.err.join('\n'), /CCN_ERR_ATTEST_QUOTE_INVALID: SEV-SNP report signature does not verify/);
    assert.doesNotMatch(forged.err.join('\n'), /\n\s+at /);
    const dev = await genoa('--dev-authority', join(directory, 'authority'), '--at', GENOA_TIME);
    assert.equal(dev.code, 1, 'an AMD VCEK does not chain to the dev ARK');
    assert.equal(dev.json().trust, 'dev (NOT AMD)');
  });

  test('a dev report verifies under --dev-authority; a DEBUG guest is refused', async () => {
    const ok = await run(['verify-report', devReport, '--vcek', devVcek, '--dev-authority', join(directory, 'authority'), '--at', PEER_TIME.toISOString(), '--json']);
    assert.equal(ok.code, 0, ok.err.join('\n'));
    assert.equal(ok.json().image_hash, sevImageHash(MEASUREMENT));
    assert.equal(ok.json().status, 'SEV-SNP Genoa (dev chain) TCB bl=9 tee=0 snp=23 ucode=72');
    const debug = await run(['verify-report', debugReport, '--vcek', devVcek, '--dev-authority', join(directory, 'authority'), '--at', PEER_TIME.toISOString(), '--json']);
    assert.equal(debug.code, 1);
    assert.equal(debug.json().debug, true);
    assert.match((debug.json().error as { message: string }).message, /allows debugging/);
  });

  test('usage errors exit 2; an unreadable file exits 1', async () => {
    assert.equal((await run(['verify-report', GENOA.report])).code, 2, 'no --vcek');
    assert.equal((await run(['verify-report', '--vcek', GENOA.vcek])).code, 2, 'no file');
    assert.equal((await genoa('--chain', GENOA.chain)).code, 2, '--chain without --crl');
    assert.equal((await genoa('--dev-authority', directory, '--crl', GENOA.crl)).code, 2);
    const missing = await run(['verify-report', join(directory, 'missing.bin'), '--vcek', GENOA.vcek, '--json']);
    assert.equal(missing.code, 1);
    assert.equal((missing.json().error as { code: string }).code, 'CCN_ERR_CONFIG_INVALID');
  });
});

describe('cocoon attest verify-peer / verify-certificate with SEV-SNP certificates', () => {
  let directory: string;
  let authority: DevAttestationAuthority;
  let server: SecureServer;
  let sevCertificate: string;
  let tdxCertificate: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cocoon-attest-sev-peer-'));
    authority = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
    await authority.save(join(directory, 'authority'));
    await (await DevAttestationAuthority.generate({ now: AUTHORITY_TIME })).save(join(directory, 'other'));
    const provider = new SimulatedSevSnpProvider({ authority: authority.sevSnp!, measurement: MEASUREMENT });
    const identity = await createAttestedCertificate({ provider, now: CERTIFICATE_TIME });
    server = await listenSecure({
      host: '127.0.0.1', port: 0, powDifficulty: 1, verifier: new AnyPolicyVerifier(), now: () => PEER_TIME, identity,
      onConnection: (socket) => socket.on('error', () => undefined),
    });
    sevCertificate = join(directory, 'sev.pem');
    await writeFile(sevCertificate, identity.certificatePem);
    tdxCertificate = join(directory, 'tdx.der');
    const tdx = new SimulatedTdxProvider({ authority, measurements: simulatedMeasurements(Buffer.alloc(32, 0x33), { role: 'worker' }) });
    await writeFile(tdxCertificate, (await createAttestedCertificate({ provider: tdx, now: CERTIFICATE_TIME })).certificateDer);
  });
  after(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  test('verify-peer of a simulated SEV-SNP peer with --dev-authority: exit 0, tee sev-snp, the report shown', async () => {
    const result = await run(['verify-peer', `127.0.0.1:${server.port}`, '--at', PEER_TIME.toISOString(), '--dev-authority', join(directory, 'authority'), '--json']);
    assert.equal(result.code, 0, result.err.join('\n'));
    const peer = result.json();
    assert.equal(peer.verified, true);
    assert.equal(peer.tee, 'sev-snp');
    assert.equal(peer.image_hash, sevImageHash(MEASUREMENT));
    assert.equal(peer.status, 'SEV-SNP Genoa (dev chain) TCB bl=9 tee=0 snp=23 ucode=72');
    const certificate = peer.certificate as { extensions: string[]; quote: string };
    assert.match(certificate.quote, /^SEV-SNP v5 report \(VCEK Genoa\)/);
    assert.ok(certificate.extensions.some((line) => /^SEV_ATTESTATION_REPORT \(critical\) 1184 B$/.test(line)), certificate.extensions.join('; '));
    assert.ok(certificate.extensions.some((line) => line.startsWith('SEV_REPORT_DATA (critical) 64 B')));
    assert.ok(certificate.extensions.some((line) => line.startsWith('SEV_VCEK (critical)')));
    assert.equal((peer.sev_snp as Record<string, unknown>).measurement, MEASUREMENT.toString('hex'));
    assert.equal(peer.measurements, undefined, 'no TDX registers for an SEV-SNP peer');
  });

  test('verify-certificate of the SEV-SNP certificate file: verified by its authority, refused by another', async () => {
    const ok = await run(['verify-certificate', sevCertificate, '--dev-authority', join(directory, 'authority'), '--at', PEER_TIME.toISOString(), '--json']);
    assert.equal(ok.code, 0, ok.err.join('\n'));
    assert.equal(ok.json().tee, 'sev-snp');
    assert.equal(ok.json().image_hash, sevImageHash(MEASUREMENT));
    const refused = await run(['verify-certificate', sevCertificate, '--dev-authority', join(directory, 'other'), '--at', PEER_TIME.toISOString(), '--json']);
    assert.equal(refused.code, 1);
    const body = refused.json();
    assert.equal(body.verified, false);
    assert.equal(body.image_hash, sevImageHash(MEASUREMENT), 'what the report claims is still shown');
    assert.match((body.error as { code: string }).code, /^CCN_ERR_ATTEST_/);
  });

  test('verify-certificate of a TDX certificate (DER) and of a file that is no certificate', async () => {
    const tdx = await run(['verify-certificate', tdxCertificate, '--dev-authority', join(directory, 'authority'), '--at', PEER_TIME.toISOString(), '--json']);
    assert.equal(tdx.code, 0, tdx.err.join('\n'));
    assert.equal(tdx.json().tee, 'tdx');
    assert.equal(tdx.json().status, 'UpToDate');
    const junk = join(directory, 'junk.der');
    await writeFile(junk, Buffer.from('not a certificate'));
    const bad = await run(['verify-certificate', junk, '--json']);
    assert.equal(bad.code, 1);
    assert.equal(bad.json().certificate, null);
    assert.equal((await run(['verify-certificate'])).code, 2);
  });
});

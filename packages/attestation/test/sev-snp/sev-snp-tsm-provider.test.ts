// SevSnpTsmProvider against an emulated configfs-tsm (provider sev_guest) whose reports are signed
// by the dev VCEK: the VCEK comes from the host's certificate table, a file or AMD KDS (scripted
// fetch), is checked against a report, and the certificate verifies; refusals are clear errors.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { basename, dirname } from 'node:path';
import {
  AmdKdsClient, buildSevSnpReport, createAttestationVerifier, createAttestedCertificate, DevAttestationAuthority, SevSnpTsmProvider, signSevSnpReport,
  vcekFromCertificateTable, type FetchFunction, type TsmFileSystem,
} from '../../src/index.ts';
import { isCode } from './sev-snp-fixtures.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const MEASUREMENT = Buffer.alloc(48, 0x42);
const VCEK_GUID = Buffer.from('8d75da6364e66445adc5f4b93be8accd', 'hex');

function certificateTable(vcekDer: Buffer): Buffer {
  const header = Buffer.alloc(48); // one entry + the zero terminator
  VCEK_GUID.copy(header, 0);
  header.writeUInt32LE(48, 16);
  header.writeUInt32LE(vcekDer.length, 20);
  return Buffer.concat([header, vcekDer]);
}

/** configfs-tsm in memory: each request directory holds its attributes; outblob is a signed report of inblob. */
class FakeSevGuest implements TsmFileSystem {
  provider = 'sev_guest';
  auxblob: Buffer = Buffer.alloc(0);
  tcb: { bootLoader: number; tee: number; snp: number; microcode: number } | undefined;
  private readonly files = new Map<string, Buffer>();
  constructor(private readonly sign: (bytes: Buffer) => Buffer) {}
  async assertDirectory(): Promise<void> {}
  async mkdir(path: string): Promise<void> {
    this.files.set(`${path}/provider`, Buffer.from(`${this.provider}\n`));
    this.files.set(`${path}/generation`, Buffer.from('0\n'));
  }
  async rmdir(path: string): Promise<void> {
    for (const key of [...this.files.keys()]) if (key.startsWith(`${path}/`)) this.files.delete(key);
  }
  async readFile(path: string): Promise<Buffer> {
    const directory = dirname(path);
    if (basename(path) === 'outblob') {
      const reportData = this.files.get(`${directory}/inblob`) ?? Buffer.alloc(64);
      return signSevSnpReport(buildSevSnpReport({ measurement: MEASUREMENT, reportData, tcb: this.tcb }), this.sign);
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

describe('SevSnpTsmProvider', () => {
  let authority: DevAttestationAuthority;
  let vcekDer: Buffer;
  const noFile = async (): Promise<Buffer> => { throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' }); };
  const guest = (): FakeSevGuest => new FakeSevGuest((bytes) => authority.sevSnp!.signWithVcek(bytes));

  before(async () => {
    authority = await DevAttestationAuthority.generate({ now: new Date('2026-05-01T00:00:00Z') });
    vcekDer = Buffer.from(new X509Certificate(authority.sevSnp!.vcekPem).raw);
  });

  test("the host's certificate table supplies the VCEK; the certificate verifies under the dev trust", async () => {
    const fileSystem = guest();
    fileSystem.auxblob = certificateTable(vcekDer);
    const provider = new SevSnpTsmProvider({ fileSystem, readVcekFile: noFile, now: () => NOW });
    const certificate = await createAttestedCertificate({ provider, now: NOW });
    const peer = await createAttestationVerifier({ policy: 'tdx', trust: { devAuthority: authority }, networkIsTest: true, logger: { warn: () => undefined } })
      .verify({ certificateDer: certificate.certificateDer }, new Date(NOW.getTime() + 60_000));
    assert.deepEqual(peer.sevSnp?.measurement, MEASUREMENT);
    assert.deepEqual(vcekFromCertificateTable(fileSystem.auxblob), vcekDer);
  });

  test('else the VCEK file (PEM), else AMD KDS for the chip and TCB', async () => {
    const fromFile = new SevSnpTsmProvider({ fileSystem: guest(), vcekPath: '/etc/tee/sev/vcek.pem', readVcekFile: async () => Buffer.from(authority.sevSnp!.vcekPem), now: () => NOW });
    assert.equal((await fromFile.certificateExtensions(Buffer.alloc(32, 1))).length, 3);
    const seen: string[] = [];
    const fetch: FetchFunction = async (url) => {
      seen.push(url);
      return { status: 200, headers: { get: () => null }, arrayBuffer: async () => vcekDer.buffer.slice(vcekDer.byteOffset, vcekDer.byteOffset + vcekDer.length) as ArrayBuffer };
    };
    const fromKds = new SevSnpTsmProvider({ fileSystem: guest(), readVcekFile: noFile, kds: new AmdKdsClient({ fetch }), now: () => NOW });
    await fromKds.certificateExtensions(Buffer.alloc(32, 2));
    await fromKds.certificateExtensions(Buffer.alloc(32, 3));
    assert.equal(seen.length, 1, 'the VCEK is fetched once per TCB');
    assert.match(seen[0]!, /^https:\/\/kdsintf\.amd\.com\/vcek\/v1\/Genoa\/[0-9a-f]{128}\?blSPL=9&teeSPL=0&snpSPL=23&ucodeSPL=72$/);
  });

  test('refusals: no VCEK anywhere, a VCEK for another TCB, not an SEV guest, bad report data', async () => {
    await assert.rejects(new SevSnpTsmProvider({ fileSystem: guest(), readVcekFile: noFile }).certificateExtensions(Buffer.alloc(32)),
      isCode('CCN_ERR_ATTEST_TEE_UNAVAILABLE', /no VCEK: the host supplies none/));
    const newer = guest();
    newer.tcb = { bootLoader: 9, tee: 0, snp: 24, microcode: 72 };
    newer.auxblob = certificateTable(vcekDer);
    await assert.rejects(new SevSnpTsmProvider({ fileSystem: newer }).certificateExtensions(Buffer.alloc(32)), isCode('CCN_ERR_ATTEST_TEE_UNAVAILABLE', /issued for another TCB/));
    const tdx = guest();
    tdx.provider = 'tdx_guest';
    await assert.rejects(new SevSnpTsmProvider({ fileSystem: tdx }).getReport(Buffer.alloc(64)), isCode('CCN_ERR_ATTEST_TEE_UNAVAILABLE', /expected 'sev_guest' \(not a SEV-SNP guest\)/));
    await assert.rejects(new SevSnpTsmProvider({ fileSystem: guest() }).getReport(Buffer.alloc(32)), isCode('CCN_ERR_ATTEST_TEE_UNAVAILABLE', /must be 64 bytes/));
  });
});

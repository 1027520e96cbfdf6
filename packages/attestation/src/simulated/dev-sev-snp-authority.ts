/**
 * The SEV-SNP half of a dev attestation authority: a dev ARK ("NOT AMD", self-signed), an ASK it
 * signs, the VCEK of the simulated chip (ECDSA P-384 with AMD's VCEK extensions: productName, SPLs,
 * hwID) and the ARK's CRL. Verifiers pin the dev ARK's SHA-256 instead of AMD's; AMD's pins never
 * match it. ECDSA P-384 keys sign the dev chain (AMD uses RSA-PSS-4096, slow to generate); the
 * verifier checks whatever algorithm a certificate names, the pin is the trust.
 */
import 'reflect-metadata';
import { X509Certificate, createPrivateKey, sign, webcrypto, type KeyObject } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { CocoonError } from '@cocoon/protocol';
import { StaticSevPkiSource, type SevPkiSource } from '../sev-snp/amd-kds-client.ts';
import { sha256Hex, type SevRootPins } from '../sev-snp/sev-trust-chain.ts';
import { VcekOid } from '../sev-snp/vcek-certificate.ts';
import { derInteger } from './der-writer.ts';
import { DevSevSnpPlatform } from './dev-sev-snp-platform.ts';

type PeculiarCrypto = Parameters<typeof x509.cryptoProvider.set>[0];
type PeculiarCryptoKey = x509.X509CertificateCreateWithKeyParams['signingKey'];
x509.cryptoProvider.set(webcrypto as unknown as PeculiarCrypto);

const DAY_MS = 86_400_000;
const ECDSA_P384 = { name: 'ECDSA', namedCurve: 'P-384' } as const;
const ECDSA_SHA384 = { name: 'ECDSA', hash: 'SHA-384' } as const;
export const DEV_SEV_ARK_NAME = 'CN=ARK-Genoa COCOON DEV - NOT AMD, O=COCOON dev network';
export const DEV_SEV_ASK_NAME = 'CN=SEV-Genoa COCOON DEV - NOT AMD, O=COCOON dev network';
export const DEV_SEV_VCEK_NAME = 'CN=SEV-VCEK COCOON DEV - NOT AMD, O=COCOON dev network';
const FILES = { arkPem: 'sev-ark.pem', arkKey: 'sev-ark.key', askPem: 'sev-ask.pem', vcekPem: 'sev-vcek.pem', vcekKey: 'sev-vcek.key', crl: 'sev-crl.der' } as const;

interface KeyPair {
  readonly privateKey: KeyObject;
  readonly privateKeyPem: string;
  readonly webKeys: webcrypto.CryptoKeyPair;
}

async function generateKeyPair(): Promise<KeyPair> {
  const webKeys = (await webcrypto.subtle.generateKey(ECDSA_P384, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const privateKeyPem = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', webKeys.privateKey), 'PRIVATE KEY');
  return { privateKey: createPrivateKey(privateKeyPem), privateKeyPem, webKeys };
}

async function importKeyPair(privateKeyPem: string): Promise<KeyPair> {
  const privateKey = createPrivateKey(privateKeyPem);
  const webPrivate = await webcrypto.subtle.importKey('pkcs8', privateKey.export({ format: 'der', type: 'pkcs8' }), ECDSA_P384, true, ['sign']);
  const jwk = privateKey.export({ format: 'jwk' });
  const webPublic = await webcrypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-384', x: jwk.x, y: jwk.y }, ECDSA_P384, true, ['verify']);
  return { privateKey, privateKeyPem, webKeys: { privateKey: webPrivate, publicKey: webPublic } };
}

const ia5 = (text: string): Buffer => Buffer.concat([Buffer.from([0x16, text.length]), Buffer.from(text, 'latin1')]);
const peculiarKey = (key: webcrypto.CryptoKey): PeculiarCryptoKey => key as unknown as PeculiarCryptoKey;

/** The AMD VCEK extensions of the simulated chip (as KDS writes them: non-critical). */
export function devVcekExtensions(tcb = DevSevSnpPlatform.tcb, hardwareId = DevSevSnpPlatform.chipId): x509.Extension[] {
  const values: [string, Buffer][] = [
    [VcekOid.structVersion, derInteger(1)],
    [VcekOid.productName, ia5(DevSevSnpPlatform.productName)],
    [VcekOid.bootLoaderSpl, derInteger(tcb.bootLoader)],
    [VcekOid.teeSpl, derInteger(tcb.tee)],
    [VcekOid.snpSpl, derInteger(tcb.snp)],
    [VcekOid.microcodeSpl, derInteger(tcb.microcode)],
    [VcekOid.hardwareId, Buffer.from(hardwareId)],
  ];
  return values.map(([oid, value]) => new x509.Extension(oid, false, value));
}

export interface DevSevSnpCrlOptions {
  /** Serial numbers (hex) to list as revoked. */
  revokedSerials?: readonly string[];
  validityDays?: number;
}

export class DevSevSnpAuthority {
  private constructor(
    readonly arkPem: string,
    private readonly arkKeys: KeyPair,
    readonly askPem: string,
    readonly vcekPem: string,
    private readonly vcekKeys: KeyPair,
    readonly crlDer: Buffer,
  ) {}

  static async generate(options: { now: Date; certificateValidityDays?: number; crlValidityDays?: number }): Promise<DevSevSnpAuthority> {
    const notBefore = new Date(Math.floor(options.now.getTime() / 1000) * 1000);
    const notAfter = new Date(notBefore.getTime() + (options.certificateValidityDays ?? 3650) * DAY_MS);
    const [arkKeys, askKeys, vcekKeys] = await Promise.all([generateKeyPair(), generateKeyPair(), generateKeyPair()]);
    const authorityExtensions = async (keys: KeyPair): Promise<x509.Extension[]> => [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(peculiarKey(keys.webKeys.publicKey)),
    ];
    const issue = async (serial: string, subject: string, issuer: string, subjectKeys: KeyPair, issuerKeys: KeyPair, extensions: x509.Extension[]) =>
      (await x509.X509CertificateGenerator.create({
        serialNumber: serial, subject, issuer, notBefore, notAfter, signingAlgorithm: ECDSA_SHA384,
        publicKey: peculiarKey(subjectKeys.webKeys.publicKey), signingKey: peculiarKey(issuerKeys.webKeys.privateKey), extensions,
      })).toString('pem');
    const arkPem = await issue('0d0000', DEV_SEV_ARK_NAME, DEV_SEV_ARK_NAME, arkKeys, arkKeys, await authorityExtensions(arkKeys));
    const askPem = await issue('0d0001', DEV_SEV_ASK_NAME, DEV_SEV_ARK_NAME, askKeys, arkKeys, await authorityExtensions(askKeys));
    const vcekPem = await issue('00', DEV_SEV_VCEK_NAME, DEV_SEV_ASK_NAME, vcekKeys, askKeys, devVcekExtensions());
    const crlDer = await DevSevSnpAuthority.issueCrl(arkKeys, notBefore, { validityDays: options.crlValidityDays });
    return new DevSevSnpAuthority(arkPem, arkKeys, askPem, vcekPem, vcekKeys, crlDer);
  }

  /** Whether `directory` holds a saved SEV-SNP authority. */
  static async existsIn(directory: string): Promise<boolean> {
    return stat(join(directory, FILES.arkPem)).then(() => true, () => false);
  }

  static async load(directory: string): Promise<DevSevSnpAuthority> {
    const read = async (name: string): Promise<Buffer> => {
      try {
        return await readFile(join(directory, name));
      } catch (cause) {
        throw new CocoonError('CCN_ERR_CONFIG_INVALID', `dev SEV-SNP authority file ${join(directory, name)} is missing or unreadable`, { cause, param: 'directory' });
      }
    };
    const [arkPem, arkKey, askPem, vcekPem, vcekKey, crlDer] = await Promise.all(Object.values(FILES).map(read));
    const [arkKeys, vcekKeys] = await Promise.all([importKeyPair(arkKey!.toString()), importKeyPair(vcekKey!.toString())]);
    for (const [pem, keys, name] of [[arkPem!, arkKeys, 'sev-ark'], [vcekPem!, vcekKeys, 'sev-vcek']] as const) {
      if (!new X509Certificate(pem).checkPrivateKey(keys.privateKey)) {
        throw new CocoonError('CCN_ERR_CONFIG_INVALID', `dev SEV-SNP authority: ${name}.key does not match ${name}.pem`, { param: 'directory' });
      }
    }
    return new DevSevSnpAuthority(arkPem!.toString(), arkKeys, askPem!.toString(), vcekPem!.toString(), vcekKeys, crlDer!);
  }

  /** Certificates (PEM), the CRL (DER) and the ARK and VCEK private keys (0600). */
  async save(directory: string): Promise<void> {
    const files: [string, string | Buffer, number][] = [
      [FILES.arkPem, this.arkPem, 0o644], [FILES.askPem, this.askPem, 0o644], [FILES.vcekPem, this.vcekPem, 0o644], [FILES.crl, this.crlDer, 0o644],
      [FILES.arkKey, this.arkKeys.privateKeyPem, 0o600], [FILES.vcekKey, this.vcekKeys.privateKeyPem, 0o600],
    ];
    for (const [name, data, mode] of files) {
      await writeFile(join(directory, name), data, { mode });
      await chmod(join(directory, name), mode);
    }
  }

  /** The same chain with a new CRL issued at `now` (optionally revoking serials). */
  async renewCrl(now: Date, options: DevSevSnpCrlOptions = {}): Promise<DevSevSnpAuthority> {
    const crlDer = await DevSevSnpAuthority.issueCrl(this.arkKeys, new Date(Math.floor(now.getTime() / 1000) * 1000), options);
    return new DevSevSnpAuthority(this.arkPem, this.arkKeys, this.askPem, this.vcekPem, this.vcekKeys, crlDer);
  }

  get arkDer(): Buffer {
    return Buffer.from(new X509Certificate(this.arkPem).raw);
  }

  /** The pin verifiers use instead of AMD's. */
  get pins(): SevRootPins {
    return { [DevSevSnpPlatform.product]: sha256Hex(this.arkDer) };
  }

  /** The dev chain and CRL as a PKI source. */
  get source(): SevPkiSource {
    return new StaticSevPkiSource([{ product: DevSevSnpPlatform.product, certificates: [this.askPem, this.arkPem], crl: this.crlDer }]);
  }

  /** Signs report bytes [0, 0x2A0) with the VCEK key: r‖s, big-endian. */
  signWithVcek(signedBytes: Buffer): Buffer {
    return sign('sha384', signedBytes, { key: this.vcekKeys.privateKey, dsaEncoding: 'ieee-p1363' });
  }

  private static async issueCrl(arkKeys: KeyPair, thisUpdate: Date, options: DevSevSnpCrlOptions): Promise<Buffer> {
    const crl = await x509.X509CrlGenerator.create({
      issuer: DEV_SEV_ARK_NAME,
      thisUpdate,
      nextUpdate: new Date(thisUpdate.getTime() + (options.validityDays ?? 365) * DAY_MS),
      signingAlgorithm: ECDSA_SHA384,
      signingKey: peculiarKey(arkKeys.webKeys.privateKey),
      entries: (options.revokedSerials ?? []).map((serialNumber) => ({ serialNumber, revocationDate: thisUpdate })),
    });
    return Buffer.from(crl.rawData);
  }
}

/** For building a dev VCEK with other values (forgery tests): a fresh P-384 key pair. */
export const generateDevSevKeyPair = generateKeyPair;

/**
 * The dev root of trust of a simulated-TDX network: a self-signed dev root CA ("NOT INTEL"), a PCK
 * platform CA, a PCK leaf with the Intel SGX extension of the simulated platform, a TCB signing
 * certificate, and the DCAP collateral they sign. Verifiers pin its root DER instead of Intel's.
 * It also holds the SEV-SNP dev chain (DevSevSnpAuthority: ARK "NOT AMD", ASK, VCEK, CRL), saved
 * in the same directory (`sev-*`); an authority saved before SEV-SNP existed gets one on renewal.
 */
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CocoonError } from '@cocoon/protocol';
import {
  certificatePem,
  createEmptyCrl,
  generateDevKeyPair,
  importDevKeyPair,
  issueDevCertificate,
  signRawEcdsa,
  type DevKeyPair,
} from './dev-certificate-issuer.ts';
import { buildDevCollateral, type DevCollateral } from './dev-collateral.ts';
import { DevPlatform } from './dev-platform.ts';
import { DevSevSnpAuthority } from './dev-sev-snp-authority.ts';
import { SGX_EXTENSION_OID, encodeSgxPckExtension } from './sgx-pck-extension.ts';

const DAY_MS = 86_400_000;
export const DEV_ROOT_NAME = 'CN=COCOON DEV attestation root - NOT INTEL, O=COCOON dev network';
export const DEV_PLATFORM_CA_NAME = 'CN=COCOON DEV PCK platform CA - NOT INTEL, O=COCOON dev network';
export const DEV_PCK_NAME = 'CN=COCOON DEV PCK certificate - NOT INTEL, O=COCOON dev network';
export const DEV_TCB_SIGNING_NAME = 'CN=COCOON DEV TCB signing - NOT INTEL, O=COCOON dev network';

export interface DevAttestationAuthorityOptions {
  now: Date;
  /** Validity of TCB info / QE identity (nextUpdate − issueDate); default 365 days. */
  collateralValidityDays?: number;
  /** Validity of every certificate; default 3650 days. */
  certificateValidityDays?: number;
}

interface IssuedCertificate {
  readonly certificatePem: string;
  readonly keys: DevKeyPair;
}

/** Roles of the authority's certificates; also their file names (`<role>.pem`, `<role>.key`). */
const ROLES = ['root-ca', 'pck-platform-ca', 'pck', 'tcb-signing'] as const;
type Role = (typeof ROLES)[number];
const COLLATERAL_FILE = 'collateral.json';

export class DevAttestationAuthority {
  private constructor(
    private readonly issued: Readonly<Record<Role, IssuedCertificate>>,
    readonly collateral: DevCollateral,
    /** The SEV-SNP dev chain; absent in an authority saved before SEV-SNP support (until renewCollateral). */
    readonly sevSnp?: DevSevSnpAuthority,
  ) {}

  static async generate(options: DevAttestationAuthorityOptions): Promise<DevAttestationAuthority> {
    const notBefore = new Date(Math.floor(options.now.getTime() / 1000) * 1000);
    const notAfter = new Date(notBefore.getTime() + (options.certificateValidityDays ?? 3650) * DAY_MS);
    const [rootKeys, platformKeys, pckKeys, tcbKeys] = await Promise.all([generateDevKeyPair(), generateDevKeyPair(), generateDevKeyPair(), generateDevKeyPair()]);
    const validity = { notBefore, notAfter };
    const root = await issueDevCertificate({ subject: DEV_ROOT_NAME, subjectKeys: rootKeys, certificateAuthority: true, ...validity });
    const rootIssuer = { name: DEV_ROOT_NAME, keys: rootKeys };
    const platform = await issueDevCertificate({ subject: DEV_PLATFORM_CA_NAME, issuer: rootIssuer, subjectKeys: platformKeys, certificateAuthority: true, ...validity });
    const sgxExtension = encodeSgxPckExtension({ ppid: DevPlatform.ppid, cpuSvn: DevPlatform.cpuSvn, pceSvn: DevPlatform.pceSvn, pceId: DevPlatform.pceId, fmspc: DevPlatform.fmspc });
    const pck = await issueDevCertificate({
      subject: DEV_PCK_NAME, issuer: { name: DEV_PLATFORM_CA_NAME, keys: platformKeys }, subjectKeys: pckKeys, certificateAuthority: false, ...validity,
      extensions: [{ oid: SGX_EXTENSION_OID, critical: false, value: sgxExtension }],
    });
    const tcb = await issueDevCertificate({ subject: DEV_TCB_SIGNING_NAME, issuer: rootIssuer, subjectKeys: tcbKeys, certificateAuthority: false, ...validity });
    const issued: Record<Role, IssuedCertificate> = {
      'root-ca': { certificatePem: certificatePem(root), keys: rootKeys },
      'pck-platform-ca': { certificatePem: certificatePem(platform), keys: platformKeys },
      pck: { certificatePem: certificatePem(pck), keys: pckKeys },
      'tcb-signing': { certificatePem: certificatePem(tcb), keys: tcbKeys },
    };
    const sevSnp = await DevSevSnpAuthority.generate({ now: notBefore, certificateValidityDays: options.certificateValidityDays, crlValidityDays: options.collateralValidityDays });
    return new DevAttestationAuthority(issued, await DevAttestationAuthority.issueCollateral(issued, notBefore, options.collateralValidityDays ?? 365), sevSnp);
  }

  /** Loads an authority written by `save`. */
  static async load(directory: string): Promise<DevAttestationAuthority> {
    const read = async (name: string): Promise<string> => {
      try {
        return await readFile(join(directory, name), 'utf8');
      } catch (cause) {
        throw new CocoonError('CCN_ERR_CONFIG_INVALID', `dev attestation authority file ${join(directory, name)} is missing or unreadable`, { cause, param: 'directory' });
      }
    };
    const entries = await Promise.all(ROLES.map(async (role): Promise<[Role, IssuedCertificate]> => {
      const certificate = await read(`${role}.pem`);
      const keys = await importDevKeyPair(await read(`${role}.key`));
      if (!new X509Certificate(certificate).checkPrivateKey(keys.privateKey)) {
        throw new CocoonError('CCN_ERR_CONFIG_INVALID', `dev attestation authority: ${role}.key does not match ${role}.pem`, { param: 'directory' });
      }
      return [role, { certificatePem: certificate, keys }];
    }));
    const collateral = JSON.parse(await read(COLLATERAL_FILE)) as DevCollateral;
    const sevSnp = (await DevSevSnpAuthority.existsIn(directory)) ? await DevSevSnpAuthority.load(directory) : undefined;
    return new DevAttestationAuthority(Object.fromEntries(entries) as Record<Role, IssuedCertificate>, collateral, sevSnp);
  }

  /** Writes certificates (PEM), private keys (PKCS#8 PEM, mode 0600) and collateral.json. */
  async save(directory: string): Promise<void> {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    for (const role of ROLES) {
      const { certificatePem: pem, keys } = this.issued[role];
      await writeFile(join(directory, `${role}.pem`), pem, { mode: 0o644 });
      const keyPath = join(directory, `${role}.key`);
      await writeFile(keyPath, keys.privateKeyPem, { mode: 0o600 });
      await chmod(keyPath, 0o600);
    }
    await writeFile(join(directory, COLLATERAL_FILE), `${JSON.stringify(this.collateral, null, 2)}\n`, { mode: 0o644 });
    await this.sevSnp?.save(directory);
  }

  /** The same keys and certificates with fresh CRLs and TCB info / QE identity issued at `now` (and a SEV-SNP chain when there was none). */
  async renewCollateral(now: Date, collateralValidityDays = 365): Promise<DevAttestationAuthority> {
    const issueDate = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const sevSnp = this.sevSnp
      ? await this.sevSnp.renewCrl(issueDate, { validityDays: collateralValidityDays })
      : await DevSevSnpAuthority.generate({ now: issueDate, crlValidityDays: collateralValidityDays });
    return new DevAttestationAuthority(this.issued, await DevAttestationAuthority.issueCollateral(this.issued, issueDate, collateralValidityDays), sevSnp);
  }

  /** The same authority with another SEV-SNP half (tests: a CRL that revokes). */
  withSevSnp(sevSnp: DevSevSnpAuthority): DevAttestationAuthority {
    return new DevAttestationAuthority(this.issued, this.collateral, sevSnp);
  }

  get rootCertificatePem(): string {
    return this.issued['root-ca'].certificatePem;
  }

  get rootCertificateDer(): Buffer {
    return Buffer.from(new X509Certificate(this.rootCertificatePem).raw);
  }

  /** PCK leaf, PCK platform CA, root: the certification data (type 5) embedded in quotes. */
  get pckCertificateChainPem(): string {
    return ['pck', 'pck-platform-ca', 'root-ca'].map((role) => this.issued[role as Role].certificatePem.trim()).join('\n') + '\n';
  }

  /** Signs a QE report with the PCK key (raw r‖s). */
  signWithPckKey(data: Buffer): Buffer {
    return signRawEcdsa(this.issued.pck.keys.privateKey, data);
  }

  private static async issueCollateral(issued: Readonly<Record<Role, IssuedCertificate>>, issueDate: Date, validityDays: number): Promise<DevCollateral> {
    const nextUpdate = new Date(issueDate.getTime() + validityDays * DAY_MS);
    const root = issued['root-ca'];
    const platform = issued['pck-platform-ca'];
    const chain = (...roles: Role[]): string => roles.map((role) => issued[role].certificatePem.trim()).join('\n') + '\n';
    return buildDevCollateral({
      issueDate,
      nextUpdate,
      tcbSigningKey: issued['tcb-signing'].keys.privateKey,
      tcbIssuerChainPem: chain('tcb-signing', 'root-ca'),
      pckCrlIssuerChainPem: chain('pck-platform-ca', 'root-ca'),
      rootCaCrlDer: await createEmptyCrl(DEV_ROOT_NAME, root.keys, issueDate, nextUpdate),
      pckCrlDer: await createEmptyCrl(DEV_PLATFORM_CA_NAME, platform.keys, issueDate, nextUpdate),
    });
  }
}

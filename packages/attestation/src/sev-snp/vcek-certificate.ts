/**
 * The VCEK certificate of an SEV-SNP chip (AMD "VCEK Certificate and KDS Interface Specification"
 * 57230): accepted as DER or as one PEM block (the reference embeds PEM), parsed with our strict DER
 * reader, and its AMD extensions decoded — structVersion (1.3.6.1.4.1.3704.1.1), productName (.2,
 * IA5String such as "Milan-B0"), the SPLs (.3.x INTEGERs) and hwID (.4, raw chip id bytes).
 * Browser-safe: the portable verifier reads VCEKs with it too.
 */
import { CocoonError } from '@cocoon/protocol/browser';
import type { ParsedCertificate } from '../certificate/certificate-reader.ts';
import { DerTag, readDerElement } from '../certificate/der-reader.ts';
import { ecCurveOf, readSevCertificate, type SevCertificate } from './sev-certificate.ts';
import type { SevSnpTcbVersion } from './sev-snp-report.ts';

/** SEV-SNP product lines with an AMD KDS certificate chain. */
export const SEV_PRODUCTS = ['Milan', 'Genoa', 'Turin'] as const;
export type SevProduct = (typeof SEV_PRODUCTS)[number];

export const VcekOid = {
  structVersion: '1.3.6.1.4.1.3704.1.1',
  productName: '1.3.6.1.4.1.3704.1.2',
  bootLoaderSpl: '1.3.6.1.4.1.3704.1.3.1',
  teeSpl: '1.3.6.1.4.1.3704.1.3.2',
  snpSpl: '1.3.6.1.4.1.3704.1.3.3',
  microcodeSpl: '1.3.6.1.4.1.3704.1.3.8',
  fmcSpl: '1.3.6.1.4.1.3704.1.3.9',
  hardwareId: '1.3.6.1.4.1.3704.1.4',
} as const;

export interface VcekCertificate {
  readonly der: Buffer;
  readonly parsed: ParsedCertificate;
  /** The certificate with its serial number and signature (what the chain checks use). */
  readonly certificate: SevCertificate;
  readonly structVersion: number;
  /** productName as written, e.g. "Milan-B0" or "Genoa". */
  readonly productName: string;
  readonly product: SevProduct;
  /** The TCB the VCEK was derived for. */
  readonly tcb: SevSnpTcbVersion;
  /** hwID: 64 bytes on Milan/Genoa, 8 on Turin. */
  readonly hardwareId: Buffer;
}

const invalid = (message: string): CocoonError => new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', `VCEK certificate: ${message}`);
const PEM_PATTERN = /^\s*-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END CERTIFICATE-----\s*$/;

/** DER of a certificate given as DER or as exactly one PEM CERTIFICATE block. */
export function certificateDer(bytes: Buffer | string): Buffer {
  const text = typeof bytes === 'string' ? bytes : bytes.subarray(0, 32).toString('latin1').includes('-----BEGIN') ? bytes.toString('latin1') : undefined;
  if (text === undefined) return Buffer.from(bytes as Buffer);
  const match = PEM_PATTERN.exec(text);
  if (!match) throw invalid('PEM must hold exactly one CERTIFICATE block and nothing else');
  return Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64');
}

/** A certificate's DER as one PEM CERTIFICATE block (64-column base64, trailing newline). */
export function certificatePem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64').replace(/.{1,64}/g, (line) => `${line}\n`);
  return `-----BEGIN CERTIFICATE-----\n${base64}-----END CERTIFICATE-----\n`;
}

/** Product of a productName ("Milan-B0" → Milan): the part before the stepping, as the reference splits it. */
export function productFromName(productName: string): SevProduct {
  const name = productName.split('-')[0]!;
  const product = SEV_PRODUCTS.find((candidate) => candidate === name);
  if (!product) throw invalid(`unknown product name "${productName}" (expected ${SEV_PRODUCTS.join(', ')})`);
  return product;
}

/** Which TCB_VERSION layout a product uses. */
export function tcbLayoutOf(product: SevProduct): 'v0' | 'v1' {
  return product === 'Turin' ? 'v1' : 'v0';
}

function extensionValue(parsed: ParsedCertificate, oid: string, name: string): Buffer {
  const matches = parsed.extensions.filter((extension) => extension.oid === oid);
  if (matches.length !== 1) throw invalid(matches.length === 0 ? `missing the ${name} extension (${oid})` : `repeats the ${name} extension`);
  return matches[0]!.value;
}

function integerExtension(parsed: ParsedCertificate, oid: string, name: string): number {
  const value = extensionValue(parsed, oid, name);
  const element = readDerElement(value, 0);
  if (element.tag !== DerTag.integer || element.bytes.length !== value.length || element.value.length === 0 || element.value.length > 4) {
    throw invalid(`${name} is not a small DER INTEGER`);
  }
  if (element.value[0]! & 0x80) throw invalid(`${name} is negative`);
  return element.value.reduce((total, byte) => total * 256 + byte, 0);
}

function ia5Extension(parsed: ParsedCertificate, oid: string, name: string): string {
  const value = extensionValue(parsed, oid, name);
  const element = readDerElement(value, 0);
  if (element.tag !== 0x16 || element.bytes.length !== value.length) throw invalid(`${name} is not a DER IA5String`);
  return element.value.toString('latin1');
}

/** Reads and decodes a VCEK (DER or PEM); throws CCN_ERR_ATTEST_QUOTE_INVALID when it is not one. */
export function readVcekCertificate(bytes: Buffer | string): VcekCertificate {
  const der = certificateDer(bytes);
  const certificate: SevCertificate = readSevCertificate(der, 'VCEK certificate');
  const { parsed } = certificate;
  if (ecCurveOf(parsed.subjectPublicKeyInfo) !== 'P-384') {
    throw invalid(`key must be ECDSA P-384 (secp384r1), got algorithm ${parsed.publicKeyAlgorithmOid}`);
  }
  const productName = ia5Extension(parsed, VcekOid.productName, 'productName');
  const product = productFromName(productName);
  const spl = (oid: string, name: string): number => {
    const value = integerExtension(parsed, oid, name);
    if (value > 0xff) throw invalid(`${name} ${value} does not fit a TCB byte`);
    return value;
  };
  const tcb: SevSnpTcbVersion = {
    ...(product === 'Turin' ? { fmc: spl(VcekOid.fmcSpl, 'fmcSPL') } : {}),
    bootLoader: spl(VcekOid.bootLoaderSpl, 'blSPL'),
    tee: spl(VcekOid.teeSpl, 'teeSPL'),
    snp: spl(VcekOid.snpSpl, 'snpSPL'),
    microcode: spl(VcekOid.microcodeSpl, 'ucodeSPL'),
  };
  const hardwareId = Buffer.from(extensionValue(parsed, VcekOid.hardwareId, 'hwID'));
  if (hardwareId.length !== 64 && hardwareId.length !== 8) throw invalid(`hwID must be 64 bytes (8 on Turin), got ${hardwareId.length}`);
  return {
    der, parsed, certificate,
    structVersion: integerExtension(parsed, VcekOid.structVersion, 'structVersion'),
    productName, product, tcb, hardwareId,
  };
}

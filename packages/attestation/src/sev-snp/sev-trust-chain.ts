/**
 * Verification of an SEV-SNP product chain, ARK → ASK (+ the ARK's CRL) → VCEK: the ARK must be
 * pinned (SHA-256 of its DER) and self-signed, the ASK signed by it and a CA, the CRL signed by the
 * ARK, current (thisUpdate ≤ now < nextUpdate), fetched recently enough, and revoking neither; the
 * VCEK signed by the ASK. Every certificate must be inside its validity window. Signature algorithms
 * are whatever the certificates name (AMD: RSASSA-PSS SHA-384; the dev chain: ECDSA P-384): the
 * pins are the trust, the algorithm is not. Browser-safe (our DER reader, WebCrypto): the runners'
 * verifier and the portable (browser) one run these same checks.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CocoonError } from '@cocoon/protocol/browser';
import { readSevCertificate, verifySevSignature, type SevCertificate } from './sev-certificate.ts';
import { crlDer, readSevCrl } from './sev-crl.ts';
import type { SevProduct, VcekCertificate } from './vcek-certificate.ts';
import { certificateDer } from './vcek-certificate.ts';

/** Pinned ARK fingerprints (SHA-256 hex of the DER) per product: AMD's, or a dev authority's. */
export type SevRootPins = Readonly<Partial<Record<SevProduct, string>>>;

/** What a PKI source delivers for one product. */
export interface SevChainMaterial {
  readonly product: SevProduct;
  /** ARK and ASK as PEM (KDS `cert_chain`, any order) or DER. */
  readonly certificates: readonly (Buffer | string)[];
  /** The ARK's CRL (KDS `crl`), DER or PEM. */
  readonly crl: Buffer | string;
  /** When the CRL was fetched (its age bounds how long it is used). */
  readonly fetchedAt: Date;
}

export interface VerifiedSevChain {
  readonly product: SevProduct;
  readonly ark: SevCertificate;
  readonly ask: SevCertificate;
  readonly crlThisUpdate: Date;
  readonly crlNextUpdate: Date;
  readonly revokedSerials: ReadonlySet<string>;
  /** The verified CRL (DER), so the chain can be handed on (a runner relaying it to a browser). */
  readonly crlDer: Buffer;
  readonly fetchedAt: Date;
  /** Until when this verified chain may be used without re-verification (CRL next update, certificate expiry, max age). */
  readonly usableUntil: Date;
}

export interface SevChainCheckOptions {
  /** A CRL fetched longer ago than this is refused as stale; default 7 days. */
  crlMaxAgeMs?: number;
  /** Names the trust in messages ('AMD' or 'dev'). */
  trustName?: string;
}

export const DEFAULT_SEV_CRL_MAX_AGE_MS = 7 * 24 * 3_600_000;

const chainError = (message: string): CocoonError => new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', message);
const crlError = (message: string): CocoonError => new CocoonError('CCN_ERR_ATTEST_COLLATERAL', message);

export const sha256Hex = (der: Uint8Array): string => Buffer.from(sha256(der)).toString('hex');

/** Splits PEM text with one or more CERTIFICATE blocks (CRLF tolerated) into DER buffers. */
export function splitPemCertificates(text: string): Buffer[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => certificateDer(block));
}

function certificatesOf(material: SevChainMaterial): SevCertificate[] {
  const ders = material.certificates.flatMap((item) =>
    typeof item === 'string' || item.subarray(0, 32).toString('latin1').includes('-----BEGIN') ? splitPemCertificates(item.toString()) : [Buffer.from(item)]);
  if (ders.length !== 2) throw chainError(`SEV-SNP ${material.product} chain must hold exactly two certificates (ASK and ARK), got ${ders.length}`);
  return ders.map((der) => readSevCertificate(der, `SEV-SNP ${material.product} chain certificate`));
}

function checkValidity(certificate: SevCertificate, now: Date, what: string): void {
  const { notBefore, notAfter } = certificate.parsed;
  if (now < notBefore) throw chainError(`${what} is not valid before ${notBefore.toISOString()} (now ${now.toISOString()})`);
  if (now > notAfter) throw chainError(`${what} expired at ${notAfter.toISOString()} (now ${now.toISOString()})`);
}

/** Verifies one product's ARK, ASK and CRL under the pins at `now`. */
export async function verifySevChain(material: SevChainMaterial, pins: SevRootPins, now: Date, options: SevChainCheckOptions = {}): Promise<VerifiedSevChain> {
  const trust = options.trustName ?? 'AMD';
  const product = material.product;
  const pinned = pins[product];
  if (!pinned) throw chainError(`no ${trust} ARK is pinned for SEV-SNP product ${product}`);
  const certificates = certificatesOf(material);
  const ark = certificates.find((certificate) => sha256Hex(certificate.der) === pinned);
  if (!ark) {
    throw chainError(`SEV-SNP ${product} chain has no ${trust}-pinned ARK (sha256 ${certificates.map((certificate) => sha256Hex(certificate.der)).join(', ')}; pinned ${pinned})`);
  }
  const ask = certificates.find((certificate) => certificate !== ark)!;
  if (!ark.parsed.subject.equals(ark.parsed.issuer) || !(await verifySevSignature(ark, ark.parsed.subjectPublicKeyInfo))) throw chainError(`SEV-SNP ${product} ARK is not self-signed`);
  checkValidity(ark, now, `SEV-SNP ${product} ARK`);
  if (!ask.parsed.issuer.equals(ark.parsed.subject) || !(await verifySevSignature(ask, ark.parsed.subjectPublicKeyInfo))) {
    throw chainError(`SEV-SNP ${product} ASK is not signed by the ${trust} ARK`);
  }
  if (!ask.isCa) throw chainError(`SEV-SNP ${product} ASK is not a CA certificate`);
  checkValidity(ask, now, `SEV-SNP ${product} ASK`);

  const crlBytes = crlDer(material.crl);
  const crl = readSevCrl(crlBytes, `SEV-SNP ${product} CRL`);
  if (!crl.issuer.equals(ark.parsed.subject)) throw crlError(`SEV-SNP ${product} CRL is not issued by the ARK`);
  if (!(await verifySevSignature(crl, ark.parsed.subjectPublicKeyInfo))) throw crlError(`SEV-SNP ${product} CRL signature does not verify under the ${trust} ARK`);
  const nextUpdate = crl.nextUpdate;
  if (!nextUpdate) throw crlError(`SEV-SNP ${product} CRL has no nextUpdate`);
  if (now < crl.thisUpdate) throw crlError(`SEV-SNP ${product} CRL is not valid before ${crl.thisUpdate.toISOString()} (now ${now.toISOString()})`);
  if (now >= nextUpdate) throw crlError(`SEV-SNP ${product} CRL is stale: its nextUpdate was ${nextUpdate.toISOString()} (now ${now.toISOString()}); fetch a fresh one from AMD KDS`);
  const maxAge = options.crlMaxAgeMs ?? DEFAULT_SEV_CRL_MAX_AGE_MS;
  const staleAt = new Date(material.fetchedAt.getTime() + maxAge);
  if (now >= staleAt) throw crlError(`SEV-SNP ${product} CRL is stale: fetched ${material.fetchedAt.toISOString()}, older than ${Math.round(maxAge / 3_600_000)} h (now ${now.toISOString()})`);
  const { revokedSerials } = crl;
  for (const [certificate, name] of [[ask, 'ASK'], [ark, 'ARK']] as const) {
    if (revokedSerials.has(certificate.serialNumber.toLowerCase())) {
      throw chainError(`SEV-SNP ${product} ${name} (serial ${certificate.serialNumber}) is revoked by the ARK's CRL`);
    }
  }
  const usableUntil = new Date(Math.min(nextUpdate.getTime(), staleAt.getTime(), ask.parsed.notAfter.getTime(), ark.parsed.notAfter.getTime()));
  return { product, ark, ask, crlThisUpdate: crl.thisUpdate, crlNextUpdate: nextUpdate, revokedSerials, crlDer: crlBytes, fetchedAt: material.fetchedAt, usableUntil };
}

/** Checks that the VCEK is issued by the chain's ASK and valid at `now` (the ARK's CRL lists ARK-issued certificates only, as in the reference). */
export async function verifyVcekAgainstChain(vcek: VcekCertificate, chain: VerifiedSevChain, now: Date): Promise<void> {
  if (vcek.product !== chain.product) throw chainError(`VCEK is for ${vcek.product} but the chain is ${chain.product}'s`);
  if (!vcek.parsed.issuer.equals(chain.ask.parsed.subject) || !(await verifySevSignature(vcek.certificate, chain.ask.parsed.subjectPublicKeyInfo))) {
    throw chainError(`VCEK is not signed by the ${chain.product} ASK`);
  }
  checkValidity(vcek.certificate, now, 'VCEK certificate');
}

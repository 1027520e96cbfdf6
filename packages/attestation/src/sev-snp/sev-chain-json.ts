/**
 * The JSON a client runner answers for `POST /v1/e2e/collateral?tee=sev-snp&product=…` (§22): one
 * product's SEV-SNP chain as the runner verified it — `{ product, ark, ask, crl, fetched_at }`, the
 * ARK and ASK as PEM, the ARK's CRL as base64 DER, when the runner fetched that CRL — and its reader,
 * which gives the SevChainMaterial a verifier checks again under its own pins (a lying relay can only
 * make verification fail: the ARK is pinned by hash, the ASK and CRL are signed by it). Browser-safe.
 */
import { CocoonError } from '@cocoon/protocol/browser';
import type { SevChainMaterial, VerifiedSevChain } from './sev-trust-chain.ts';
import { SEV_PRODUCTS, certificatePem, type SevProduct } from './vcek-certificate.ts';

export interface SevChainJson {
  product: SevProduct;
  /** The ARK, PEM. */
  ark: string;
  /** The ASK, PEM. */
  ask: string;
  /** The ARK's CRL, standard base64 of its DER. */
  crl: string;
  /** When the runner fetched the CRL (ISO 8601). */
  fetched_at: string;
}

/** Largest field accepted (an RSA-4096 certificate's PEM is about 2.3 KB; AMD's CRLs are smaller). */
const MAX_FIELD_LENGTH = 64 * 1024;
const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r?\n?$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A verified chain as the runner answers it. */
export function serializeSevChain(chain: VerifiedSevChain): SevChainJson {
  return {
    product: chain.product,
    ark: certificatePem(chain.ark.der),
    ask: certificatePem(chain.ask.der),
    crl: Buffer.from(chain.crlDer).toString('base64'),
    fetched_at: chain.fetchedAt.toISOString(),
  };
}

/** Reads the runner's answer; throws CCN_ERR_ATTEST_COLLATERAL naming `what` when it is not one. */
export function parseSevChainJson(value: unknown, what: string): SevChainMaterial {
  const bad = (message: string): CocoonError => new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `${what} is not an SEV-SNP chain: ${message}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('expected a JSON object { product, ark, ask, crl, fetched_at }');
  const record = value as Record<string, unknown>;
  const text = (field: string): string => {
    const item = record[field];
    if (typeof item !== 'string' || item.length === 0 || item.length > MAX_FIELD_LENGTH) throw bad(`${field} must be a non-empty string`);
    return item;
  };
  const product = SEV_PRODUCTS.find((name) => name === record.product);
  if (!product) throw bad(`product must be one of ${SEV_PRODUCTS.join(', ')}`);
  const [ark, ask] = [text('ark'), text('ask')];
  for (const [field, pem] of [['ark', ark], ['ask', ask]] as const) {
    if (!PEM_CERTIFICATE.test(pem)) throw bad(`${field} must be one PEM CERTIFICATE block`);
  }
  const crl = text('crl');
  if (!BASE64.test(crl) || crl.length % 4 !== 0) throw bad('crl must be standard padded base64 of the CRL DER');
  const fetchedAt = new Date(text('fetched_at'));
  if (Number.isNaN(fetchedAt.getTime())) throw bad('fetched_at must be an ISO 8601 instant');
  return { product, certificates: [ask, ark], crl: Buffer.from(crl, 'base64'), fetchedAt };
}

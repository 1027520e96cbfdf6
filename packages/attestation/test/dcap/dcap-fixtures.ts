// Test fixtures for DCAP verification: the recorded TDX quotes and collateral in test/fixtures/tdx, the
// instants inside their collateral windows, and a self-made (non-Intel) P-256 CA to forge with.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { sign, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { CocoonError } from '@cocoon/protocol';
import type { DcapCollateral } from '../../src/index.ts';

const dataFile = (name: string): URL => new URL(`../fixtures/tdx/${name}`, import.meta.url);
export const readQuote = (name: string): Buffer => readFileSync(dataFile(name));
export const readCollateral = (name: string): DcapCollateral => JSON.parse(readFileSync(dataFile(name), 'utf8')) as DcapCollateral;

export const REFERENCE_QUOTE = readQuote('tdx-quote-v4-reference.dat');
export const SAMPLE_QUOTE = readQuote('tdx-quote-v4-sample.dat');
export const SAMPLE_COLLATERAL = readCollateral('tdx-quote-v4-sample.collateral.json');
export const OUTDATED_QUOTE = readQuote('tdx-quote-v4-outdated.dat');
export const OUTDATED_COLLATERAL = readCollateral('tdx-quote-v4-outdated.collateral.json');
export const SAMPLE_COLLATERAL_PATH = dataFile('tdx-quote-v4-sample.collateral.json');

/** TCB info issued 2025-06-19T10:16:03Z; QE identity 10:32:27Z; PCK CRL next update 2025-07-19T10:00:35Z. */
export const SAMPLE_TIME = new Date('2025-06-19T11:16:03Z');
export const SAMPLE_EXPIRY = new Date('2025-07-19T10:00:35Z');
/** Inside the outdated collateral's window (2026-02-18T10:58:51Z … 2026-03-20T10:41:15Z). */
export const OUTDATED_TIME = new Date('2026-02-18T11:58:51Z');
/** Offset of the TD report body in a v4 quote; MRTD is at +136. */
export const TD_REPORT_OFFSET = 48;

export const isCode = (code: string, pattern?: RegExp) => (error: unknown): boolean => {
  if (!(error instanceof CocoonError) || error.code !== code) return false;
  if (pattern && !pattern.test(error.message)) throw new Error(`unexpected message: ${error.message}`);
  return true;
};

export interface ForgingCa {
  rootDer: Buffer;
  /** PEM chain leaf ‖ root, shaped like Intel's tcb_info_issuer_chain. */
  chainPem: string;
  /** Signs like Intel's TCB signing key: ECDSA P-256/SHA-256, raw r‖s, hex. */
  signHex(text: string): string;
}

/** A self-made root CA and TCB-signing leaf, valid through 2025–2027, that Intel never signed. */
export async function createForgingCa(): Promise<ForgingCa> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const rootKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const leafKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  type Keys = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
  const window = { notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2027-12-31T00:00:00Z') };
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: 'CN=Intel SGX Root CA, O=Not Intel', ...window, keys: rootKeys as unknown as Keys,
    signingAlgorithm: algorithm, extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '02', subject: 'CN=Intel SGX TCB Signing, O=Not Intel', issuer: root.subject, ...window,
    publicKey: leafKeys.publicKey as unknown as Keys['publicKey'], signingKey: rootKeys.privateKey as unknown as Keys['privateKey'],
    signingAlgorithm: algorithm,
  });
  const leafPrivateKey = webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey);
  const pkcs8 = Buffer.from(await leafPrivateKey);
  return {
    rootDer: Buffer.from(root.rawData),
    chainPem: `${leaf.toString('pem')}\n${root.toString('pem')}\n`,
    signHex: (text) => sign('sha256', Buffer.from(text), { key: pkcs8, format: 'der', type: 'pkcs8', dsaEncoding: 'ieee-p1363' }).toString('hex'),
  };
}

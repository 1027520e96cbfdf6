/**
 * A worker's end-to-end evidence over a real simulated-TDX RA-TLS certificate under a fresh dev
 * attestation authority (what `cocoon dev` workers present): the SDK's policy-built portable verifier
 * checks it exactly as it checks a dev network's workers — quote under the pinned dev root with the
 * collateral the relay hands out, key-set signature, image and model allow-lists. With `tee: 'sev-snp'`
 * the certificate carries a simulated SEV-SNP report under the authority's dev chain instead, and the
 * relay hands out that chain (`?tee=sev-snp`) as the runner's sevSnpChainFor would.
 */
import {
  DevAttestationAuthority, SimulatedSevSnpProvider, SimulatedTdxProvider, computeImageHash, computeSevSnpImageHash, createAttestedCertificate, issueE2eEvidence,
  modelHash, serializeSevChain, simulatedMeasurements, verifySevChain,
} from '@cocoon/attestation';
import { generateE2eKeyPair, toHex } from '@cocoon/protocol';
import type { E2eKeyPair, ExtE2eEvidence } from '@cocoon/protocol';

export interface AttestedTestWorker {
  keys: E2eKeyPair;
  evidence: ExtE2eEvidence;
  /** The dev root certificate (DER) and its PEM, as `cocoon dev` writes root-ca.pem. */
  rootDer: Uint8Array;
  rootPem: string;
  /** The DCAP collateral JSON the relay's /v1/e2e/collateral answers. */
  collateral: unknown;
  /** Hex image hash of the worker's measurements and hex model hash of its model. */
  imageHash: string;
  modelHash: string;
  /** The dev authority's SEV-SNP ARK (PEM) and the chain JSON the relay's `?tee=sev-snp` answers. */
  sevArkPem: string;
  sevChain: unknown;
}

export async function createAttestedTestWorker(model: string, options: { tee?: 'tdx' | 'sev-snp' } = {}): Promise<AttestedTestWorker> {
  const now = new Date();
  const authority = await DevAttestationAuthority.generate({ now: new Date(now.getTime() - 86_400_000) });
  const measurements = simulatedMeasurements(Buffer.alloc(32, 0x5a), { role: 'worker', model });
  const sevMeasurement = Buffer.alloc(48, 0x5b);
  const sev = authority.sevSnp!;
  const provider = options.tee === 'sev-snp' ? new SimulatedSevSnpProvider({ authority: sev, measurement: sevMeasurement }) : new SimulatedTdxProvider({ authority, measurements });
  const certificate = await createAttestedCertificate({ provider, now: new Date(now.getTime() - 60_000) });
  const keys = await generateE2eKeyPair();
  const seconds = Math.floor(now.getTime() / 1000);
  const evidence = issueE2eEvidence({ certificate, model, issuedAt: seconds - 60, keys: [{ pair: keys, validFrom: seconds - 60, validUntil: seconds + 3600 }] });
  return {
    keys, evidence, rootDer: Uint8Array.from(authority.rootCertificateDer), rootPem: authority.rootCertificatePem,
    collateral: JSON.parse(JSON.stringify(authority.collateral)) as unknown,
    imageHash: (options.tee === 'sev-snp' ? computeSevSnpImageHash(sevMeasurement) : computeImageHash({ ...measurements, reportData: Buffer.alloc(64) })).toString('hex'),
    modelHash: toHex(modelHash(model)),
    sevArkPem: sev.arkPem,
    sevChain: JSON.parse(JSON.stringify(serializeSevChain(await verifySevChain(await sev.source.chain('Genoa', now), sev.pins, now, { trustName: 'dev' })))) as unknown,
  };
}

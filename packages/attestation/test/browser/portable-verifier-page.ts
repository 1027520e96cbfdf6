/**
 * The page side of portable-verifier.browser.test.ts, bundled for the browser: it imports only the
 * browser entries, decodes each case's boxed ext.e2eWorker, builds the portable verifier from the case's
 * trust and collateral JSON (as the SDK does with the relay's answer) — and, for SEV-SNP, the chain JSON
 * of the relay's `?tee=sev-snp` answer — and reports the keys or the error.
 */
import { CocoonError, decodeBoxedAs } from '@cocoon/protocol/browser';
import { StaticCollateralSource, createPortableE2eEvidenceVerifier, parseDcapCollateral, parseSevChainJson } from '@cocoon/attestation/browser';
import type { SevPkiSource } from '@cocoon/attestation/browser';

export interface PageCase {
  readonly name: string;
  /** base64 of the boxed ext.e2eWorker. */
  readonly worker: string;
  /** 'intel' or the dev root DER in base64 (with the dev SEV-SNP ARK DER in base64). */
  readonly trust: 'intel' | { readonly devRootDer: string; readonly devSevArkDer?: string };
  /** serializeDcapCollateral's JSON text. */
  readonly collateral: string;
  /** serializeSevChain's JSON text (the relay's `?tee=sev-snp` answer); absent: no SEV-SNP chain source. */
  readonly sevChain?: string;
  readonly networkIsTest: boolean;
  readonly hashes?: { workerHashes: string[]; modelHashes: string[] };
  readonly model: string;
  /** ISO time of the verification. */
  readonly now: string;
}

export interface PageOutcome {
  readonly name: string;
  readonly keys?: { authority: string | undefined; imageHash: string; tee: string; model: string }[];
  readonly authority?: string;
  readonly error?: { code: string; message: string };
  /** Milliseconds the verification took in the page. */
  readonly ms: number;
}

async function run(testCase: PageCase): Promise<PageOutcome> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  try {
    const der = (base64: string): Uint8Array => new Uint8Array(Buffer.from(base64, 'base64'));
    const { trust, sevChain } = testCase;
    const sevSnpChains: SevPkiSource | undefined = sevChain === undefined ? undefined
      : { name: 'the page case', chain: async () => parseSevChainJson(JSON.parse(sevChain), 'the relayed chain') };
    const verifier = createPortableE2eEvidenceVerifier({
      trust: trust === 'intel' ? 'intel' : { devRootDer: der(trust.devRootDer), ...(trust.devSevArkDer ? { devSevArkDer: der(trust.devSevArkDer) } : {}) },
      collateral: new StaticCollateralSource(parseDcapCollateral(JSON.parse(testCase.collateral))),
      ...(sevSnpChains ? { sevSnpChains } : {}),
      networkIsTest: testCase.networkIsTest,
      ...(testCase.hashes ? { hashes: testCase.hashes } : {}),
    });
    const worker = decodeBoxedAs(Buffer.from(testCase.worker, 'base64'), 'ext.e2eWorker');
    const keys = await verifier.verify(worker, { model: testCase.model, now: new Date(testCase.now) });
    return {
      name: testCase.name,
      authority: `${verifier.authority.kind} ${verifier.authority.name}`,
      keys: keys.map((key) => ({ authority: key.authority, imageHash: Buffer.from(key.imageHash).toString('hex'), tee: key.tee, model: key.model })),
      ms: ms(),
    };
  } catch (error) {
    const code = error instanceof CocoonError ? error.code : 'not a CocoonError';
    return { name: testCase.name, error: { code, message: error instanceof Error ? error.message : String(error) }, ms: ms() };
  }
}

/** What the test calls: every case, in order. */
(globalThis as { verifyCases?: (cases: PageCase[]) => Promise<PageOutcome[]> }).verifyCases = async (cases) => {
  const outcomes: PageOutcome[] = [];
  for (const testCase of cases) outcomes.push(await run(testCase));
  return outcomes;
};

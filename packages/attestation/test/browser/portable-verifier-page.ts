/**
 * The page side of portable-verifier.browser.test.ts, bundled for the browser: it imports only the
 * browser entries, decodes each case's boxed ext.e2eWorker, builds the portable verifier from the case's
 * trust and collateral JSON (as the SDK does with the relay's answer) and reports the keys or the error.
 */
import { CocoonError, decodeBoxedAs } from '@cocoon/protocol/browser';
import { StaticCollateralSource, createPortableE2eEvidenceVerifier, parseDcapCollateral } from '@cocoon/attestation/browser';

export interface PageCase {
  readonly name: string;
  /** base64 of the boxed ext.e2eWorker. */
  readonly worker: string;
  /** 'intel' or the dev root DER in base64. */
  readonly trust: 'intel' | { readonly devRootDer: string };
  /** serializeDcapCollateral's JSON text. */
  readonly collateral: string;
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
    const verifier = createPortableE2eEvidenceVerifier({
      trust: testCase.trust === 'intel' ? 'intel' : { devRootDer: new Uint8Array(Buffer.from(testCase.trust.devRootDer, 'base64')) },
      collateral: new StaticCollateralSource(parseDcapCollateral(JSON.parse(testCase.collateral))),
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

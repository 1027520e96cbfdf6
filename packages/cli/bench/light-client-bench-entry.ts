/**
 * The benchmark's page script (bundled for the browser by `npm run bench:light-client` with
 * bundleForBrowser and served next to the light client): puts `cocoonBench` on the page's global
 * object, which runs light-client-measurements.ts with SDK instances built in the page from the
 * bundled @cocoon/sdk, trusting the dev root the benchmark passes. Browser-safe: no Node built-ins.
 */
import { createCocoon, type Cocoon } from '@cocoon/sdk';
import { measureStreamedChats, measureVerification, type ChatPlan, type ChatRun, type VerificationTimes } from './light-client-measurements.ts';

export interface LightClientBenchSetup {
  /** The client runner (the page's origin). */
  baseURL: string;
  /** The dev root certificate, DER in base64 (the light client's config.json). */
  devRootDer: string;
}

export interface LightClientBenchPage {
  verification(setup: LightClientBenchSetup, model: string, warmRepeats: number): Promise<VerificationTimes>;
  /** Chats through the instance the verification verified with (call verification first). */
  chats(plan: ChatPlan): Promise<ChatRun>;
}

let verified: Cocoon | undefined;
const create = (setup: LightClientBenchSetup): Cocoon => createCocoon({
  baseURL: setup.baseURL, policy: { trust: { devRootDer: setup.devRootDer }, networkIsTest: true, checkHashes: true },
});

const bench: LightClientBenchPage = {
  async verification(setup, model, warmRepeats) {
    const first = create(setup);
    const times = await measureVerification(first, () => create(setup), model, warmRepeats);
    verified = first;
    return times;
  },
  async chats(plan) {
    if (!verified) throw new Error('cocoonBench.chats: run cocoonBench.verification first');
    return measureStreamedChats(verified, plan);
  },
};

(globalThis as { cocoonBench?: LightClientBenchPage }).cocoonBench = bench;

// SEV-SNP workers through the SDK: a simulated SEV-SNP worker's evidence verified on this device by the
// policy-built portable verifier under the dev network's pinned SEV-SNP ARK, with the chain and CRL the
// relay hands out (POST /v1/e2e/collateral?tee=sev-snp&product=Genoa) — accepted, and a chat answer sealed
// to it; refused without the dev ARK in the policy, and when the relay gives another authority's chain, no
// chain or a malformed one (a relay can only make verification fail). RelayCollateralSource.chain itself:
// the request it makes, its per-product cache on the app's clock, a fetched_at after now taken as now, and
// an answer for another product refused.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RelayCollateralSource, createCocoon } from '@cocoon/sdk';
import type { CocoonPolicy } from '@cocoon/sdk';
import { E2eTestRelay } from './e2e-test-relay.ts';
import { createAttestedTestWorker } from './attested-test-worker.ts';
import type { AttestedTestWorker } from './attested-test-worker.ts';

const BASE = 'http://runner.test:10000';
const MODEL = 'Qwen/Qwen3-0.6B';
const FULL_MODEL = `${MODEL}@c1899de289a04d12100db370d81485cdf75e47ca:${'5f'.repeat(32)}`;
const CANARY = 'sev-snp-canary-5e1d';

let worker: AttestedTestWorker;
let stranger: AttestedTestWorker;

before(async () => {
  worker = await createAttestedTestWorker(FULL_MODEL, { tee: 'sev-snp' });
  stranger = await createAttestedTestWorker(FULL_MODEL, { tee: 'sev-snp' });
});

const policy = (extra: Partial<CocoonPolicy['trust'] & object> = {}): CocoonPolicy => ({
  trust: { devRootDer: worker.rootPem, devSevArkDer: worker.sevArkPem, ...extra }, networkIsTest: true,
});

async function setup(trust: CocoonPolicy) {
  const relay = await E2eTestRelay.create(worker, FULL_MODEL);
  return { relay, cocoon: createCocoon({ baseURL: BASE, policy: trust, fetch: relay.fetch }) };
}

describe('SEV-SNP workers under the policy verifier', () => {
  test('verifies under the pinned dev SEV-SNP ARK (PEM, base64 or DER) with the relayed chain; a chat answer is sealed to it', async () => {
    const der = Buffer.from(worker.sevArkPem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');
    for (const devSevArkDer of [worker.sevArkPem, der.toString('base64'), new Uint8Array(der)]) {
      const { relay, cocoon } = await setup(policy({ devSevArkDer }));
      const verdict = await cocoon.attestation.verify(MODEL);
      assert.equal(verdict.verified, true, JSON.stringify(verdict.refused));
      const [attested] = verdict.workers;
      assert.equal(attested!.tee, 'sev-snp');
      assert.equal(attested!.imageHash, worker.imageHash);
      assert.match(attested!.authority, /^COCOON dev SEV-SNP authority \(Genoa, test network\) sha256:[0-9a-f]{16}$/);
      assert.deepEqual(relay.chainRequests, ['POST ?tee=sev-snp&product=Genoa body 0']);
    }
    const { relay, cocoon } = await setup(policy());
    const answer = await cocoon.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: CANARY }] });
    assert.equal(answer.choices[0]!.message.content, `echo: ${CANARY}`);
    assert.equal(answer.receipt.tee, 'sev-snp');
    for (const body of relay.bodies) assert.ok(!Buffer.from(body).toString('latin1').includes(CANARY));
  });

  test('refused without the dev ARK in the policy, and a malformed one is a configuration error', async () => {
    const relay = await E2eTestRelay.create(worker, FULL_MODEL);
    const verdict = await createCocoon({ baseURL: BASE, policy: { trust: { devRootDer: worker.rootPem }, networkIsTest: true }, fetch: relay.fetch }).attestation.verify(MODEL);
    assert.equal(verdict.verified, false);
    assert.match(verdict.refused[0]!.reason, /the dev trust names no SEV-SNP ARK/);
    assert.deepEqual(relay.chainRequests, []);
    assert.throws(() => createCocoon({ baseURL: BASE, policy: policy({ devSevArkDer: 'not base64 !' }), fetch: relay.fetch }), { code: 'CCN_ERR_CONFIG_INVALID' });
  });

  test("a relay that gives another authority's chain, none, or a malformed one cannot make it pass", async () => {
    const answers: Array<[unknown, RegExp]> = [
      [stranger.sevChain, /Genoa chain has no dev-pinned ARK/],
      [undefined, /the client runner gives no SEV-SNP Genoa chain \(HTTP 503: no SEV-SNP chain\)/],
      [{ ...(worker.sevChain as object), crl: 'bm90IGEgQ1JM' }, /CRL is not a valid DER CRL/],
      [{ product: 'Genoa' }, /the relayed SEV-SNP Genoa chain is not an SEV-SNP chain/],
    ];
    for (const [chain, reason] of answers) {
      const { relay, cocoon } = await setup(policy());
      relay.sevChain = chain;
      const verdict = await cocoon.attestation.verify(MODEL);
      assert.equal(verdict.verified, false, JSON.stringify(chain));
      assert.match(verdict.refused[0]!.reason, reason);
    }
  });
});

describe('RelayCollateralSource.chain', () => {
  test('POSTs ?tee=sev-snp&product=…, keeps the answer a minute per product on the app clock, clamps fetched_at, refuses another product', async () => {
    const relay = await E2eTestRelay.create(worker, FULL_MODEL);
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const source = new RelayCollateralSource(relay.fetch, BASE, () => clock);
    const now = new Date(clock);
    const material = await source.chain('Genoa', now);
    assert.equal(material.product, 'Genoa');
    assert.equal(material.certificates.length, 2);
    assert.ok(material.fetchedAt.getTime() <= now.getTime());
    await source.chain('Genoa', now);
    assert.equal(relay.chainRequests.length, 1, 'cached');
    clock += 61_000;
    await source.chain('Genoa', now);
    assert.equal(relay.chainRequests.length, 2, 'asked again after a minute');
    const future = new Date(Date.now() + 86_400_000);
    relay.sevChain = { ...(worker.sevChain as object), fetched_at: future.toISOString() };
    clock += 61_000;
    const early = new Date();
    assert.equal((await source.chain('Genoa', early)).fetchedAt.getTime(), early.getTime(), 'a fetched_at after now is taken as now');
    await assert.rejects(source.chain('Milan', early), { code: 'CCN_ERR_ATTEST_COLLATERAL', message: /answered the Genoa chain for Milan/ });
    relay.down = true;
    await assert.rejects(source.chain('Turin', early), { code: 'CCN_ERR_ATTEST_COLLATERAL', message: /no client runner answers at http:\/\/runner\.test:10000 for the SEV-SNP Turin chain/ });
  });
});

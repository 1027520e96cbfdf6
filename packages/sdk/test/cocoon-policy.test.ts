// The verifier createCocoon builds from its policy (no injected verifier): a worker's real
// simulated-TDX evidence verified on this device under the pinned dev root, with the collateral the
// relay hands out (POST /v1/e2e/collateral) — accepted under its own root, refused under another root,
// under Intel's, and with the root's allow-lists when the runner says they are checked; a dev root
// needs networkIsTest. cocoonFetch without a verifier uses the same policy path.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cocoonFetch, createCocoon } from '@cocoon/sdk';
import type { CocoonPolicy } from '@cocoon/sdk';
import { E2eTestRelay } from './e2e-test-relay.ts';
import { createAttestedTestWorker } from './attested-test-worker.ts';
import type { AttestedTestWorker } from './attested-test-worker.ts';

const BASE = 'http://runner.test:10000';
const MODEL = 'Qwen/Qwen3-0.6B';
const FULL_MODEL = `${MODEL}@c1899de289a04d12100db370d81485cdf75e47ca:${'5f'.repeat(32)}`;
const CANARY = 'policy-canary-91c2';

let worker: AttestedTestWorker;
let otherRoot: AttestedTestWorker;

before(async () => {
  worker = await createAttestedTestWorker(FULL_MODEL);
  otherRoot = await createAttestedTestWorker(FULL_MODEL);
});

async function setup(policy: CocoonPolicy) {
  const relay = await E2eTestRelay.create(worker, FULL_MODEL);
  return { relay, cocoon: createCocoon({ baseURL: BASE, policy, fetch: relay.fetch }) };
}

const devPolicy = (extra: Partial<CocoonPolicy> = {}): CocoonPolicy => ({ trust: { devRootDer: worker.rootPem }, networkIsTest: true, ...extra });
const ask = { model: MODEL, messages: [{ role: 'user' as const, content: CANARY }] };

describe('policy: the portable verifier under a pinned root', () => {
  test('a dev network worker verifies under its dev root (PEM, base64 or DER); the verdict names the authority', async () => {
    for (const devRootDer of [worker.rootPem, Buffer.from(worker.rootDer).toString('base64'), worker.rootDer]) {
      const { relay, cocoon } = await setup({ trust: { devRootDer }, networkIsTest: true });
      const verdict = await cocoon.attestation.verify(MODEL);
      assert.equal(verdict.verified, true, JSON.stringify(verdict.refused));
      assert.equal(verdict.authority.kind, 'dev');
      assert.match(verdict.authority.sha256, /^[0-9a-f]{64}$/);
      const [attested] = verdict.workers;
      assert.equal(attested!.imageHash, worker.imageHash);
      assert.equal(attested!.tee, 'tdx');
      assert.equal(attested!.model, FULL_MODEL);
      assert.equal(attested!.authority, `${verdict.authority.name} sha256:${verdict.authority.sha256.slice(0, 16)}`);
      assert.ok(relay.collateralRequests >= 1, 'the quote collateral was asked of the relay');
    }
  });

  test('a chat answer through the policy verifier carries a receipt naming the image, TEE and authority', async () => {
    const { relay, cocoon } = await setup(devPolicy());
    const answer = await cocoon.chat.completions.create(ask);
    assert.equal(answer.choices[0]!.message.content, `echo: ${CANARY}`);
    assert.equal(answer.receipt.verified, true);
    assert.equal(answer.receipt.image_hash, worker.imageHash);
    assert.equal(answer.receipt.tee, 'tdx');
    assert.match(answer.receipt.authority!, /sha256:[0-9a-f]{16}$/);
    for (const body of relay.bodies) assert.ok(!Buffer.from(body).toString('latin1').includes(CANARY));
  });

  test('another root, or Intel\'s, refuses the same evidence: a refusal verdict, and requests fail with CCN_ERR_E2E_EVIDENCE_INVALID', async () => {
    for (const policy of [{ trust: { devRootDer: otherRoot.rootDer }, networkIsTest: true }, { trust: 'intel' as const }]) {
      const { relay, cocoon } = await setup(policy);
      relay.trust = { is_test: false, hashes_checked: true, worker_hashes: [worker.imageHash], model_hashes: [worker.modelHash] };
      const verdict = await cocoon.attestation.verify(MODEL);
      assert.equal(verdict.verified, false);
      assert.equal(verdict.refused.length, 1);
      assert.equal(verdict.refused[0]!.code, 'CCN_ERR_E2E_EVIDENCE_INVALID');
      assert.match(verdict.refused[0]!.reason, /DCAP verification failed: .*trusted root/);
      await assert.rejects(cocoon.chat.completions.create(ask), { code: 'CCN_ERR_E2E_EVIDENCE_INVALID', status: 502 });
      assert.equal(relay.opened.length, 0);
    }
  });

  test("the root's allow-lists, when the runner says they are checked: an unlisted image is refused; checkHashes: false skips them", async () => {
    const { relay, cocoon } = await setup(devPolicy());
    relay.trust = { is_test: true, hashes_checked: true, worker_hashes: ['ab'.repeat(32)], model_hashes: [worker.modelHash] };
    const refused = await cocoon.attestation.verify(MODEL);
    assert.equal(refused.verified, false);
    assert.match(refused.refused[0]!.reason, /worker_hashes/);
    assert.deepEqual(refused.trust, { hashesChecked: true, networkIsTest: true });
    relay.trust = { is_test: true, hashes_checked: true, worker_hashes: [worker.imageHash], model_hashes: ['cd'.repeat(32)] };
    assert.match((await cocoon.attestation.verify(MODEL)).refused[0]!.reason, /model_hashes/);
    relay.trust = { is_test: true, hashes_checked: true, worker_hashes: [worker.imageHash], model_hashes: [worker.modelHash] };
    assert.equal((await cocoon.attestation.verify(MODEL)).verified, true);
    assert.equal((await cocoon.attestation.verify(MODEL)).hashes, 'relayed');
    const lax = await setup(devPolicy({ checkHashes: false }));
    lax.relay.trust = { is_test: true, hashes_checked: true, worker_hashes: ['ab'.repeat(32)], model_hashes: [] };
    const unchecked = await lax.cocoon.attestation.verify(MODEL);
    assert.equal(unchecked.verified, true);
    assert.equal(unchecked.hashes, 'unchecked');
  });

  test('a production policy refuses a runner that lists no allow-lists, unless the app pins them or says checkHashes: false', async () => {
    const { relay, cocoon } = await setup({ trust: 'intel' });
    relay.trust = { is_test: false, hashes_checked: false, worker_hashes: [], model_hashes: [] };
    const verdict = await cocoon.attestation.verify(MODEL);
    assert.equal(verdict.verified, false);
    assert.match(verdict.refused[0]!.reason, /lists no root allow-lists/);
    await assert.rejects(cocoon.chat.completions.create(ask), { code: 'CCN_ERR_E2E_EVIDENCE_INVALID' });
    assert.equal(relay.opened.length, 0);
    for (const policy of [{ trust: 'intel' as const, checkHashes: false }, { trust: 'intel' as const, hashes: { workerHashes: [worker.imageHash], modelHashes: [worker.modelHash] } }]) {
      const other = await setup(policy);
      other.relay.trust = { is_test: false, hashes_checked: false, worker_hashes: [], model_hashes: [] };
      assert.match((await other.cocoon.attestation.verify(MODEL)).refused[0]!.reason, /DCAP verification failed: .*trusted root/); // past the allow-lists, refused by the quote
    }
    const test = await setup(devPolicy());
    test.relay.trust = { is_test: true, hashes_checked: false, worker_hashes: [], model_hashes: [] };
    assert.equal((await test.cocoon.attestation.verify(MODEL)).verified, true); // a test network may run without allow-lists
  });

  test("the app's own allow-lists (policy.hashes) are checked whatever the runner says", async () => {
    const pinnedWrong = await setup(devPolicy({ hashes: { workerHashes: ['ab'.repeat(32)], modelHashes: [worker.modelHash] } }));
    const refused = await pinnedWrong.cocoon.attestation.verify(MODEL); // the runner says: unchecked
    assert.equal(refused.verified, false);
    assert.match(refused.refused[0]!.reason, /worker_hashes/);
    const pinned = await setup(devPolicy({ hashes: { workerHashes: [worker.imageHash], modelHashes: [worker.modelHash] } }));
    pinned.relay.trust = { is_test: true, hashes_checked: true, worker_hashes: ['ab'.repeat(32)], model_hashes: [] };
    const verdict = await pinned.cocoon.attestation.verify(MODEL);
    assert.equal(verdict.verified, true);
    assert.equal(verdict.hashes, 'pinned');
    assert.throws(() => createCocoon({ baseURL: BASE, policy: devPolicy({ hashes: { workerHashes: ['xyz'], modelHashes: [] } }) }), { code: 'CCN_ERR_CONFIG_INVALID' });
  });

  test('no collateral from the relay: the evidence cannot verify (never accepted unchecked)', async () => {
    const relay = await E2eTestRelay.create({ ...worker, collateral: undefined }, FULL_MODEL);
    const cocoon = createCocoon({ baseURL: BASE, policy: devPolicy(), fetch: relay.fetch });
    const verdict = await cocoon.attestation.verify(MODEL);
    assert.equal(verdict.verified, false);
    assert.match(verdict.refused[0]!.reason, /collateral/);
  });

  test('a dev root needs networkIsTest: createCocoon refuses it otherwise', () => {
    assert.throws(() => createCocoon({ baseURL: BASE, policy: { trust: { devRootDer: worker.rootDer } } }), { code: 'CCN_ERR_CONFIG_INVALID', message: /networkIsTest/ });
  });

  test('cocoonFetch without a verifier verifies with the policy', async () => {
    const relay = await E2eTestRelay.create(worker, FULL_MODEL);
    const fetchE2e = cocoonFetch({ baseURL: `${BASE}/v1`, policy: devPolicy(), fetch: relay.fetch });
    const response = await fetchE2e(`${BASE}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ask) });
    assert.equal(response.status, 200);
    const receipt = JSON.parse(response.headers.get('x-cocoon-receipt')!) as { image_hash: string; verified: boolean };
    assert.equal(receipt.verified, true);
    assert.equal(receipt.image_hash, worker.imageHash);
  });
});

/**
 * The chaos suite's checks on recorded runs, without a network: each invariant passes on a clean
 * record and fails, naming the numbers, on the broken one (a hung request, over- and under-billing,
 * a nanoTON lost, a signed total going backwards, a ledger charging more than it holds), and the
 * seeded plan is the same for the same seed and covers every role first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkChaosInvariants, chaosTotals, SeededRandom, type ChaosInvariantInput, type ChaosRequestRecord } from '@cocoon/test-support';
import { planChaosSchedule } from '../../bench/chaos-schedule.ts';

const answered = (id: number, startedAt: number, endedAt: number, tokens = 100): ChaosRequestRecord => ({ id, stream: id % 2 === 0, startedAt, endedAt, timeoutMs: 5000, outcome: 'answered', deliveredTokens: tokens });

function cleanRun(): ChaosInvariantInput {
  return {
    requests: [answered(0, 0, 500), answered(1, 1000, 1600), answered(2, 9000, 9400), { id: 3, stream: true, startedAt: 5000, endedAt: 5200, timeoutMs: 5000, outcome: 'error', deliveredTokens: 0, error: 'HTTP 502' }],
    disruptions: [{ name: 'proxy', role: 'proxy', kind: 'kill', startedAt: 5100, endedAt: 6000 }],
    observations: [
      { observer: 'client', contract: 'P', tokens: 100n, at: 1, durable: false },
      { observer: 'client', contract: 'P', tokens: 0n, at: 2, durable: false },
      { observer: 'client', contract: 'P', tokens: 200n, at: 3, durable: false },
      { observer: 'worker-1', contract: 'P', tokens: 200n, at: 3, durable: true },
    ],
    settlements: [{ proxy: 'proxy', tokens: 350n, clientPaidNanoton: 7000n, workerEarnedNanoton: 6650n, proxyCommissionNanoton: 350n, ledgerTokens: 350n, ledgerRequests: 4, ledgerAuditOk: true }],
    deadlineSlackMs: 1000, maxTokensPerRequest: 100, disruptionMarginMs: 1000, pricePerToken: 20n, workerFeePerToken: 19n,
  };
}

test('a clean run passes every invariant; the totals count what was at risk', () => {
  const input = cleanRun();
  const results = checkChaosInvariants(input);
  for (const [name, verdict] of Object.entries(results)) assert.ok(verdict.ok, `${name}: ${verdict.detail}`);
  assert.deepEqual(chaosTotals(input), { requests: 4, answered: 3, errors: 1, refused: 0, hung: 0, at_risk: 1, billed_tokens: 350n, delivered_tokens: 300n, delivered_safe_tokens: 300n });
});

test('a refused connection is not at risk; an answer just before a kill is', () => {
  const input = cleanRun();
  input.requests = [...input.requests, { id: 4, stream: false, startedAt: 5500, endedAt: 5501, timeoutMs: 5000, outcome: 'error', deliveredTokens: 0, error: 'ECONNREFUSED', refused: true }, answered(5, 3000, 4500)];
  const totals = chaosTotals(input);
  assert.equal(totals.refused, 1);
  assert.equal(totals.at_risk, 2, 'the error of #3 and the answer of #5 ending 600 ms before the kill');
  assert.equal(totals.delivered_safe_tokens, 300n);
});

test('each broken run fails its invariant and says why', () => {
  const hung = cleanRun();
  hung.requests = [...hung.requests, { id: 9, stream: true, startedAt: 0, endedAt: 20_000, timeoutMs: 5000, outcome: 'hung', deliveredTokens: 0 }];
  assert.match(checkChaosInvariants(hung).every_request_ended.detail, /#9 hung after 20000 ms/);
  const late = cleanRun();
  late.requests = [answered(0, 0, 6500)];
  assert.equal(checkChaosInvariants(late).every_request_ended.ok, false);

  const overBilled = cleanRun();
  overBilled.settlements = [{ ...overBilled.settlements[0]!, tokens: 500n, clientPaidNanoton: 10_000n, workerEarnedNanoton: 9500n, proxyCommissionNanoton: 500n, ledgerTokens: 500n }];
  assert.equal(checkChaosInvariants(overBilled).billed_within_bounds.ok, false, 'more than delivered + 1 at risk x 100');
  const underBilled = cleanRun();
  underBilled.settlements = [{ ...underBilled.settlements[0]!, tokens: 250n, clientPaidNanoton: 5000n, workerEarnedNanoton: 4750n, proxyCommissionNanoton: 250n, ledgerTokens: 250n }];
  assert.equal(checkChaosInvariants(underBilled).billed_within_bounds.ok, false, 'an answered request away from the kill went unbilled');

  const lost = cleanRun();
  lost.settlements = [{ ...lost.settlements[0]!, proxyCommissionNanoton: 349n }];
  assert.match(checkChaosInvariants(lost).conservation.detail, /7000 = 6650 \+ 349/);
  assert.equal(checkChaosInvariants(lost).conservation.ok, false);

  const backwards = cleanRun();
  backwards.observations = [...backwards.observations, { observer: 'worker-1', contract: 'P', tokens: 150n, at: 4, durable: true }];
  assert.match(checkChaosInvariants(backwards).signed_totals_monotonic.detail, /worker-1 P: 200 at 3 then 150 at 4/);
  const forgotten = cleanRun();
  forgotten.observations = [...forgotten.observations, { observer: 'worker-1', contract: 'P', tokens: 0n, at: 5, durable: true }];
  assert.equal(checkChaosInvariants(forgotten).signed_totals_monotonic.ok, false, 'a durable ledger never forgets');

  const twice = cleanRun();
  twice.settlements = [{ ...twice.settlements[0]!, ledgerTokens: 300n }];
  assert.match(checkChaosInvariants(twice).nothing_paid_twice.detail, /charged 350 but the ledger holds 300/);
  const audit = cleanRun();
  audit.settlements = [{ ...audit.settlements[0]!, ledgerAuditOk: false, ledgerRequests: 9 }];
  assert.match(checkChaosInvariants(audit).nothing_paid_twice.detail, /ledger audit failed.*9 requests, more than 5/);
});

test('the plan is replayable from its seed and hits every role before repeating one', () => {
  const names = { proxy: ['proxy', 'proxy-2'], worker: ['worker-1', 'worker-2'], client: ['client'], chain: ['chain'] };
  const plan = (seed: number) => planChaosSchedule({ seed, cycles: 6, names, waitMs: { min: 100, max: 900 }, stopMs: { min: 50, max: 60 } });
  assert.deepEqual(plan(42), plan(42));
  assert.notDeepEqual(plan(42), plan(43));
  const kills = plan(42).filter((step) => step.kind === 'kill');
  assert.equal(kills.length, 6);
  assert.deepEqual(new Set(kills.slice(0, 4).map((step) => step.role)), new Set(['proxy', 'worker', 'client', 'chain']));
  const stops = plan(42).filter((step) => step.kind === 'stop');
  assert.equal(stops.length, 1);
  assert.ok(names.worker.includes(stops[0]!.name));
  for (const step of plan(42)) assert.ok(step.waitMs >= 100 && step.waitMs <= 900);
  const random = new SeededRandom(7);
  const first = Array.from({ length: 5 }, () => random.integer(1, 6));
  assert.deepEqual(first, Array.from({ length: 5 }, ((replay) => () => replay.integer(1, 6))(new SeededRandom(7))));
  assert.throws(() => new SeededRandom(-1), /non-negative/);
});

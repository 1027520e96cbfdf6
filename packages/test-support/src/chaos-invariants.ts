/**
 * The chaos suite's invariants ("chaos that loses nothing"), as pure checks over what a chaos run
 * recorded: the app requests and how they ended, the disruptions (kill -9 + restart, SIGSTOP +
 * SIGCONT), every signed total the client and the workers reported over time, and each proxy's
 * settlement. Shared by the CI-sized test and `npm run bench:chaos`; each check returns its verdict
 * with the numbers behind it, so a failing run says what broke.
 */

/** One app request through the client's HTTP API. */
export interface ChaosRequestRecord {
  id: number;
  stream: boolean;
  startedAt: number;
  endedAt: number;
  /** The `timeout` the request asked the network for. */
  timeoutMs: number;
  /** `hung`: the network never ended it; the harness aborted it well after its timeout. */
  outcome: 'answered' | 'error' | 'hung';
  /** Adjusted tokens (§5) of the usage the app saw; 0 unless answered. */
  deliveredTokens: number;
  error?: string;
  /** The client refused the connection (it was down): nothing reached any runner. */
  refused?: boolean;
}

/** A role made unavailable: killed (until its restart was ready) or stopped (until SIGCONT). */
export interface ChaosDisruption {
  name: string;
  role: string;
  kind: 'kill' | 'stop';
  startedAt: number;
  /** When it served again (restart ready, or resumed). */
  endedAt: number;
}

/** One signed total a runner reported (client: charge per proxy contract; worker: payout per proxy contract). */
export interface SignedTotalObservation {
  observer: string;
  /** The proxy contract the total is signed for. */
  contract: string;
  tokens: bigint;
  at: number;
  /** Whether the observer keeps its signed totals on disk (a worker) or in memory only (a client: 0 after a restart). */
  durable: boolean;
}

/** One proxy's settlement (`cocoon dev settle`) and its ledger. */
export interface ChaosSettlement {
  proxy: string;
  tokens: bigint;
  clientPaidNanoton: bigint;
  workerEarnedNanoton: bigint;
  proxyCommissionNanoton: bigint;
  /** The proxy ledger's totals after the settle (its /jsonstats `ledger`). */
  ledgerTokens: bigint;
  ledgerRequests: number;
  /** Whether the ledger reopened with every record's signature and cross-check intact. */
  ledgerAuditOk: boolean;
}

export interface ChaosInvariantInput {
  requests: readonly ChaosRequestRecord[];
  disruptions: readonly ChaosDisruption[];
  observations: readonly SignedTotalObservation[];
  settlements: readonly ChaosSettlement[];
  /** Slack over each request's timeout (the network's own timers, the event loop of a loaded machine). */
  deadlineSlackMs: number;
  /** The most adjusted tokens one request can be billed (the full answer to the load's prompt). */
  maxTokensPerRequest: number;
  /** A request this close to a kill (or a SIGSTOP) counts as in flight at it (ledger writes, reconnects). */
  disruptionMarginMs: number;
  pricePerToken: bigint;
  workerFeePerToken: bigint;
}

export interface InvariantVerdict {
  ok: boolean;
  detail: string;
}

export interface ChaosInvariantResults {
  every_request_ended: InvariantVerdict;
  billed_within_bounds: InvariantVerdict;
  conservation: InvariantVerdict;
  signed_totals_monotonic: InvariantVerdict;
  nothing_paid_twice: InvariantVerdict;
}

export interface ChaosTotals {
  requests: number;
  answered: number;
  errors: number;
  /** Errors that were refused connections (the client was down). */
  refused: number;
  hung: number;
  at_risk: number;
  billed_tokens: bigint;
  delivered_tokens: bigint;
  delivered_safe_tokens: bigint;
}

/**
 * The requests whose billing may differ from what the app saw: in flight at the instant of a kill
 * (or ending within the margin before it: the ledger write of an answer), overlapping a SIGSTOP, or
 * ending in an error that reached the network (a refused connection reached nothing).
 */
export function requestsAtRisk(input: Pick<ChaosInvariantInput, 'requests' | 'disruptions' | 'disruptionMarginMs'>): Set<number> {
  const atRisk = new Set<number>();
  const margin = input.disruptionMarginMs;
  const hit = (request: ChaosRequestRecord, disruption: ChaosDisruption): boolean => {
    const until = disruption.kind === 'kill' ? disruption.startedAt : disruption.endedAt;
    return request.startedAt <= until + margin && request.endedAt + margin >= disruption.startedAt;
  };
  for (const request of input.requests) {
    if (request.outcome !== 'answered') {
      if (!request.refused) atRisk.add(request.id);
    } else if (input.disruptions.some((disruption) => hit(request, disruption))) atRisk.add(request.id);
  }
  return atRisk;
}

export function chaosTotals(input: ChaosInvariantInput): ChaosTotals {
  const atRisk = requestsAtRisk(input);
  const answered = input.requests.filter((request) => request.outcome === 'answered');
  const sum = (requests: readonly ChaosRequestRecord[]): bigint => requests.reduce((total, request) => total + BigInt(request.deliveredTokens), 0n);
  return {
    requests: input.requests.length,
    answered: answered.length,
    errors: input.requests.filter((request) => request.outcome === 'error').length,
    refused: input.requests.filter((request) => request.refused === true).length,
    hung: input.requests.filter((request) => request.outcome === 'hung').length,
    at_risk: atRisk.size,
    billed_tokens: input.settlements.reduce((total, settlement) => total + settlement.tokens, 0n),
    delivered_tokens: sum(answered),
    delivered_safe_tokens: sum(answered.filter((request) => !atRisk.has(request.id))),
  };
}

/** (1) Every request ended by the network (answer or error) within its timeout plus the slack. */
export function checkEveryRequestEnded(input: ChaosInvariantInput): InvariantVerdict {
  const late = input.requests.filter((request) => request.outcome === 'hung' || request.endedAt - request.startedAt > request.timeoutMs + input.deadlineSlackMs);
  const longest = input.requests.reduce((most, request) => Math.max(most, request.endedAt - request.startedAt), 0);
  if (late.length === 0) return { ok: true, detail: `${input.requests.length} requests ended; longest ${longest} ms` };
  const shown = late.slice(0, 5).map((request) => `#${request.id} ${request.outcome} after ${request.endedAt - request.startedAt} ms (timeout ${request.timeoutMs} ms)`);
  return { ok: false, detail: `${late.length} requests did not end in time: ${shown.join('; ')}` };
}

/** (2) delivered_safe ≤ billed ≤ delivered + at_risk × max tokens per request. */
export function checkBilledWithinBounds(input: ChaosInvariantInput): InvariantVerdict {
  const totals = chaosTotals(input);
  const upper = totals.delivered_tokens + BigInt(totals.at_risk) * BigInt(input.maxTokensPerRequest);
  const ok = totals.billed_tokens >= totals.delivered_safe_tokens && totals.billed_tokens <= upper;
  return { ok, detail: `${totals.delivered_safe_tokens} (answered away from any disruption) <= billed ${totals.billed_tokens} <= ${upper} (delivered ${totals.delivered_tokens} + ${totals.at_risk} at risk x ${input.maxTokensPerRequest})` };
}

/** (3) Per proxy: client paid = worker earned + proxy commission, to the nanoTON, at the root's prices. */
export function checkConservation(input: ChaosInvariantInput): InvariantVerdict {
  const broken = input.settlements.filter((settlement) => settlement.clientPaidNanoton !== settlement.workerEarnedNanoton + settlement.proxyCommissionNanoton
    || settlement.clientPaidNanoton !== settlement.tokens * input.pricePerToken);
  const lines = input.settlements.map((settlement) => `${settlement.proxy}: ${settlement.clientPaidNanoton} = ${settlement.workerEarnedNanoton} + ${settlement.proxyCommissionNanoton}`);
  return { ok: broken.length === 0 && input.settlements.length > 0, detail: lines.join('; ') || 'no settlement' };
}

/**
 * (4) No signed total went backwards: per observer and proxy contract, every reported total is at
 * least the largest reported before; 0 from an in-memory observer (a restarted client) means "none yet".
 */
export function checkSignedTotalsMonotonic(input: ChaosInvariantInput): InvariantVerdict {
  const highest = new Map<string, SignedTotalObservation>();
  const backwards: string[] = [];
  const ordered = [...input.observations].sort((left, right) => left.at - right.at);
  for (const observation of ordered) {
    const key = `${observation.observer} ${observation.contract}`;
    const before = highest.get(key);
    if (observation.tokens === 0n && !observation.durable) continue;
    if (before && observation.tokens < before.tokens) backwards.push(`${key}: ${before.tokens} at ${before.at} then ${observation.tokens} at ${observation.at}`);
    if (!before || observation.tokens > before.tokens) highest.set(key, observation);
  }
  if (backwards.length > 0) return { ok: false, detail: `${backwards.length} went backwards: ${backwards.slice(0, 5).join('; ')}` };
  const finals = [...highest.entries()].map(([key, observation]) => `${observation.observer}@${key.slice(-6)}=${observation.tokens}`);
  return { ok: true, detail: `${ordered.length} observations of ${highest.size} signed totals; highest ${finals.join(', ') || 'none'}` };
}

/**
 * (5) Nothing paid twice: each proxy's ledger reopens intact (every request record counted once in
 * its totals), the chain charged exactly what the ledger holds and paid the workers for exactly
 * those tokens, and the ledgers hold no more requests than the app sent plus those at risk.
 */
export function checkNothingPaidTwice(input: ChaosInvariantInput): InvariantVerdict {
  const problems: string[] = [];
  for (const settlement of input.settlements) {
    if (!settlement.ledgerAuditOk) problems.push(`${settlement.proxy}: ledger audit failed`);
    if (settlement.ledgerTokens !== settlement.tokens) problems.push(`${settlement.proxy}: chain charged ${settlement.tokens} but the ledger holds ${settlement.ledgerTokens}`);
    if (settlement.workerEarnedNanoton !== settlement.tokens * input.workerFeePerToken) {
      problems.push(`${settlement.proxy}: workers paid ${settlement.workerEarnedNanoton} nanoTON for ${settlement.tokens} charged tokens`);
    }
  }
  const ledgerRequests = input.settlements.reduce((total, settlement) => total + settlement.ledgerRequests, 0);
  const bound = input.requests.length + requestsAtRisk(input).size;
  if (ledgerRequests > bound) problems.push(`the ledgers hold ${ledgerRequests} requests, more than ${bound} (sent + at risk)`);
  return problems.length === 0
    ? { ok: true, detail: `${ledgerRequests} ledger requests <= ${bound}; every proxy's chain charges and payouts equal its ledger` }
    : { ok: false, detail: problems.join('; ') };
}

export function checkChaosInvariants(input: ChaosInvariantInput): ChaosInvariantResults {
  return {
    every_request_ended: checkEveryRequestEnded(input),
    billed_within_bounds: checkBilledWithinBounds(input),
    conservation: checkConservation(input),
    signed_totals_monotonic: checkSignedTotalsMonotonic(input),
    nothing_paid_twice: checkNothingPaidTwice(input),
  };
}

/**
 * The end-to-end path shared by createCocoon and cocoonFetch: list a model's workers at the client
 * runner (`GET /v1/e2e/workers`), verify their evidence here (the injected verifier, or the policy's
 * portable one — one per root allow-list the runner reports), seal the request to up to
 * `maxRecipients` verified keys, post the ciphertext to the blind relay (`POST /v1/e2e/requests`) and
 * hand back the opened answer head with its reader (chunks opened in order, receipt verified at the
 * end). The runner sees the model name, the token budget and ciphertext; never the request or answer.
 */
import { CocoonError, E2eExchange, E2eRequestSealer, E2eRequestSession, toHex } from '@cocoon/protocol/browser';
import type { E2eEvidenceVerifier, VerifiedE2eKey } from '@cocoon/protocol/browser';
import { E2eAnswerReader } from './e2e-answer-reader.ts';
import type { OpenedAnswerHead } from './e2e-answer-reader.ts';
import { fetchE2eWorkers } from './e2e-workers-listing.ts';
import type { E2eWorkersListing, E2eWorkersTrust } from './e2e-workers-listing.ts';
import { readRelayEvents } from './ndjson-events.ts';
import { INJECTED_VERIFIER_AUTHORITY, checkPolicy, createPolicyVerifier, hashesKey, missingAllowListsError, policyHashes } from './cocoon-policy.ts';
import type { AuthorityEvidenceVerifier, CocoonAuthority, CocoonPolicy } from './cocoon-policy.ts';
import { RelayCollateralSource } from './relay-collateral-source.ts';
import { withRunnerHeaders } from './runner-headers.ts';
import type { RunnerHeaders } from './runner-headers.ts';

export const DEFAULT_MAX_RECIPIENTS = 3;
/** Verifier sessions kept (one per root allow-list seen; the root changes rarely). */
const MAX_SESSIONS = 4;

export interface E2eTransportOptions {
  /** The client runner's URL (`http://127.0.0.1:10000`; a trailing `/v1`, as the openai client's baseURL has it, is fine). */
  baseURL: string;
  /** What to trust (default: Intel's root, production network, hashes checked when the runner checks them). */
  policy?: CocoonPolicy;
  /** An evidence verifier to use instead of the policy's (e.g. @cocoon/attestation's Node verifier). */
  verifier?: E2eEvidenceVerifier;
  /** The fetch to reach the runner with (default globalThis.fetch). */
  fetch?: typeof fetch;
  /**
   * Headers sent on every request to the runner (listing, collateral, relay, models, pass-through), e.g.
   * `{ 'X-Telegram-Init-Data': Telegram.WebApp.initData }` for a runner with telegram_bot_token_file; a
   * function is asked per request. Never sent to other origins; a header the request sets itself wins.
   */
  headers?: RunnerHeaders;
  /** Keys one request is sealed to (default 3): the proxy may route it to any of their workers. */
  maxRecipients?: number;
  /** The clock (ms) key validity is checked with. */
  now?: () => number;
  /** The sealer (tests inject randomness through it). */
  sealer?: E2eRequestSealer;
}

/** One request to seal: its HTTP path, body and what the header tells the network. */
export interface E2eRequestInput {
  path: string;
  contentType: string;
  body: Uint8Array;
  model: string;
  maxTokens: number;
  maxCoefficient: number;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** The verified keys of a model's listed workers, and the refusals. */
export interface VerifiedWorkers {
  listing: E2eWorkersListing;
  keys: VerifiedE2eKey[];
  refusals: Array<{ index: number; error: CocoonError }>;
  authority: CocoonAuthority;
  /** Which allow-lists the images and models were checked against: the app's, the runner's, or none. */
  hashes: 'pinned' | 'relayed' | 'unchecked';
  session: E2eRequestSession;
}

export interface OpenedE2eAnswer extends OpenedAnswerHead {
  requestId: string;
  reader: E2eAnswerReader;
}

/** A relay refusal before the first chunk (the runner's, the proxy's or the worker's error, as the runner answered it). */
export interface E2eRelayRefusal {
  status: number;
  headers: Headers;
  text: string;
  requestId: string;
}

export type E2eSendResult =
  | { kind: 'answer'; answer: OpenedE2eAnswer }
  | { kind: 'refused'; refusal: E2eRelayRefusal }
  | { kind: 'unavailable'; reason: string };

/** The runner's root URL (a trailing `/v1` and slashes removed). */
export function runnerRoot(baseURL: string): URL {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `baseURL ${JSON.stringify(baseURL)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CocoonError('CCN_ERR_CONFIG_INVALID', `baseURL must be http(s), got ${url.protocol}`);
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  url.search = '';
  url.hash = '';
  return url;
}

interface PolicySession {
  session: E2eRequestSession;
  authority: CocoonAuthority;
}

export class E2eTransport {
  readonly root: URL;
  /** The runner's root URL without a trailing slash. */
  readonly base: string;
  readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly sealer: E2eRequestSealer;
  private readonly maxRecipients: number;
  private readonly policy: CocoonPolicy;
  private readonly collateral: RelayCollateralSource;
  private readonly sessions = new Map<string, Promise<PolicySession>>();

  constructor(private readonly options: E2eTransportOptions) {
    this.root = runnerRoot(options.baseURL);
    this.base = this.root.href.replace(/\/+$/, '');
    const fetchImpl = options.fetch ?? ((input: Parameters<typeof fetch>[0], init?: RequestInit) => globalThis.fetch(input, init));
    this.fetch = options.headers ? withRunnerHeaders(fetchImpl, this.root, options.headers) : fetchImpl;
    this.now = options.now ?? Date.now;
    this.sealer = options.sealer ?? new E2eRequestSealer({ now: this.now });
    this.maxRecipients = Math.max(1, Math.floor(options.maxRecipients ?? DEFAULT_MAX_RECIPIENTS));
    this.policy = options.policy ?? {};
    checkPolicy(this.policy);
    this.collateral = new RelayCollateralSource(this.fetch, this.base, this.now);
  }

  /** Whether the app's policy allows plain requests when there is no end-to-end path (cocoonFetch only). */
  get requireE2e(): boolean {
    return this.policy.requireE2e !== false;
  }

  private newSession(verifier: E2eEvidenceVerifier): E2eRequestSession {
    return new E2eRequestSession({ verifier, now: this.now, maxRecipients: this.maxRecipients, sealer: this.sealer });
  }

  /** The session (its verified-evidence cache) for the listing's trust. */
  private sessionFor(trust: E2eWorkersTrust | undefined): Promise<PolicySession> {
    const injected = this.options.verifier as AuthorityEvidenceVerifier | undefined;
    const hashes = injected ? undefined : policyHashes(this.policy, trust);
    const key = injected ? 'injected' : hashesKey(hashes);
    let entry = this.sessions.get(key);
    if (entry === undefined) {
      entry = injected
        ? Promise.resolve({ session: this.newSession(injected), authority: injected.authority ?? INJECTED_VERIFIER_AUTHORITY })
        : Promise.resolve().then(() => {
          const verifier = createPolicyVerifier(this.policy, this.collateral, hashes, this.collateral);
          return { session: this.newSession(verifier), authority: verifier.authority ?? INJECTED_VERIFIER_AUTHORITY };
        });
      entry.catch(() => this.sessions.delete(key));
      this.sessions.set(key, entry);
      while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    }
    return entry;
  }

  /** Lists and verifies the model's workers (each evidence once per session; refusals reported, not thrown). */
  async verifyWorkers(model: string, signal?: AbortSignal): Promise<VerifiedWorkers> {
    const listing = await fetchE2eWorkers(this.fetch, this.base, model, signal);
    const { session, authority } = await this.sessionFor(listing.trust);
    const missingAllowLists = this.options.verifier ? undefined : missingAllowListsError(this.policy, listing.trust);
    const { keys, refused } = missingAllowLists
      ? { keys: [], refused: listing.workers.map((_worker, index) => ({ index, error: missingAllowLists })) }
      : listing.workers.length > 0 ? await session.verifiedKeys(listing.workers, model) : { keys: [], refused: [] };
    const refusals = [
      ...refused.map((entry) => ({ index: entry.index, error: entry.error })),
      ...listing.malformed.map((error, index) => ({ index: listing.workers.length + index, error })),
    ];
    const hashes = this.options.verifier ? 'unchecked' : this.policy.hashes ? 'pinned' : policyHashes(this.policy, listing.trust) ? 'relayed' : 'unchecked';
    return { listing, keys, refusals, authority, hashes, session };
  }

  /** Seals and posts one request; the answer's head is read before this resolves. */
  async send(input: E2eRequestInput): Promise<E2eSendResult> {
    const verified = await this.verifyWorkers(input.model, input.signal);
    const { listing, keys, refusals, session } = verified;
    if (listing.workers.length === 0 && listing.malformed.length === 0) return { kind: 'unavailable', reason: listing.unavailable ?? `no end-to-end worker serves ${input.model}` };
    const exchange = await sealToKeys(session, keys, refusals.map((entry) => entry.error), input);
    const requestId = toHex(exchange.sealed.requestId);
    let relayed: Response;
    try {
      relayed = await this.fetch(`${this.base}/v1/e2e/requests`, {
        method: 'POST', headers: { 'content-type': 'application/octet-stream', accept: 'application/x-ndjson' }, body: Uint8Array.from(exchange.sealed.bytes),
        ...(input.signal ? { signal: input.signal } : {}),
      });
    } catch (error) {
      if (input.signal?.aborted) throw new CocoonError('CCN_ERR_CANCELLED', 'the request was aborted', { cause: error });
      throw new CocoonError('CCN_ERR_E2E_UNAVAILABLE', `the client runner at ${this.base} did not take the sealed request (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    if (!relayed.ok || !relayed.body || !/application\/x-ndjson/.test(relayed.headers.get('content-type') ?? '')) {
      return { kind: 'refused', refusal: { status: relayed.ok ? 502 : relayed.status, headers: relayed.headers, text: await relayed.text(), requestId } };
    }
    const reader = new E2eAnswerReader(exchange, readRelayEvents(relayed.body));
    const head = await reader.open();
    return { kind: 'answer', answer: { ...head, requestId, reader } };
  }
}

/**
 * Seals to up to maxRecipients verified keys in the proxy's order within max_coefficient. No key at
 * all because every evidence was refused is CCN_ERR_E2E_EVIDENCE_INVALID; keys only above
 * max_coefficient, CCN_ERR_E2E_NO_RECIPIENT.
 */
async function sealToKeys(session: E2eRequestSession, keys: VerifiedE2eKey[], refusals: readonly CocoonError[], input: E2eRequestInput): Promise<E2eExchange> {
  if (keys.length === 0) {
    const first = refusals[0];
    throw new CocoonError('CCN_ERR_E2E_EVIDENCE_INVALID', `no listed worker's evidence for ${input.model} verifies${first ? `: ${first.message}` : ''}`, first ? { cause: first } : {});
  }
  const recipients = session.pickRecipients(keys, input.maxCoefficient);
  if (recipients.length === 0) throw new CocoonError('CCN_ERR_E2E_NO_RECIPIENT', `no verified worker key for ${input.model} within max_coefficient ${input.maxCoefficient}`);
  return new E2eExchange(await session.sealer.seal({
    httpRequest: { method: 'POST', url: input.path, headers: [{ name: 'Content-Type', value: input.contentType }], payload: input.body },
    model: input.model, maxTokens: input.maxTokens, maxCoefficient: input.maxCoefficient, timeoutMs: input.timeoutMs, recipients,
  }));
}

// AmdKdsClient against a scripted fetch (no network) and SevPkiCache with an injected clock: URLs,
// refresh, shared fetches, fallback on KDS failure, HTTP 429 back-off, stale and revoked chains.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AMD_ARK_SHA256, AmdKdsClient, KdsRateLimitedError, SevPkiCache, StaticSevPkiSource, retryAfterMs, type FetchFunction, type SevChainMaterial, type SevPkiSource,
} from '../../src/index.ts';
import { CRL_NEXT_UPDATE, FIXTURE_TIME, GENOA_CHAIN_PEM, GENOA_CRL, GENOA_CRL_2024, MILAN_CRL, isCode } from './sev-snp-fixtures.ts';

const HOUR = 3_600_000;
const at = (hours: number): Date => new Date(FIXTURE_TIME.getTime() + hours * HOUR);

interface Scripted { status: number; body?: Buffer; headers?: Record<string, string> }
function scriptedFetch(answers: Record<string, Scripted[]>, seen: string[]): FetchFunction {
  return async (url) => {
    seen.push(url);
    const answer = answers[url]?.shift();
    if (!answer) throw new Error(`ECONNREFUSED ${url}`);
    return {
      status: answer.status,
      headers: { get: (name: string) => answer.headers?.[name.toLowerCase()] ?? null },
      arrayBuffer: async () => (answer.body ?? Buffer.alloc(0)).buffer.slice(answer.body?.byteOffset ?? 0, (answer.body?.byteOffset ?? 0) + (answer.body?.length ?? 0)) as ArrayBuffer,
    };
  };
}

const GENOA_CRL_URL = 'https://kdsintf.amd.com/vcek/v1/Genoa/crl';

describe('AmdKdsClient', () => {
  test('builds the KDS URLs of the specification', () => {
    const client = new AmdKdsClient({ fetch: scriptedFetch({}, []) });
    assert.equal(client.productUrl('Milan', 'crl'), 'https://kdsintf.amd.com/vcek/v1/Milan/crl');
    assert.equal(client.vcekUrl('Genoa', Buffer.alloc(64, 0xab), { bootLoader: 10, tee: 0, snp: 25, microcode: 84 }),
      `https://kdsintf.amd.com/vcek/v1/Genoa/${'ab'.repeat(64)}?blSPL=10&teeSPL=0&snpSPL=25&ucodeSPL=84`);
    assert.equal(client.vcekUrl('Turin', Buffer.alloc(64, 0xcd), { fmc: 1, bootLoader: 2, tee: 3, snp: 4, microcode: 5 }),
      `https://kdsintf.amd.com/vcek/v1/Turin/${'cd'.repeat(8)}?fmcSPL=1&blSPL=2&teeSPL=3&snpSPL=4&ucodeSPL=5`);
  });

  test('fetches the CRL (bundled chain) or the cert_chain too; HTTP errors and 429 are clear errors', async () => {
    const seen: string[] = [];
    const bundled = new AmdKdsClient({ fetch: scriptedFetch({ [GENOA_CRL_URL]: [{ status: 200, body: GENOA_CRL }] }, seen) });
    const material = await bundled.chain('Genoa', FIXTURE_TIME);
    assert.deepEqual(seen, [GENOA_CRL_URL]);
    assert.equal(material.certificates.length, 2);
    const fetchedChain = new AmdKdsClient({ bundledChains: false, fetch: scriptedFetch({
      'https://kdsintf.amd.com/vcek/v1/Genoa/cert_chain': [{ status: 200, body: Buffer.from(GENOA_CHAIN_PEM) }],
      [GENOA_CRL_URL]: [{ status: 404 }],
    }, seen) });
    await assert.rejects(fetchedChain.chain('Genoa', FIXTURE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /AMD KDS answered HTTP 404/));
    const limited = new AmdKdsClient({ fetch: scriptedFetch({ [GENOA_CRL_URL]: [{ status: 429, headers: { 'retry-after': '120' } }] }, seen) });
    await assert.rejects(limited.chain('Genoa', FIXTURE_TIME), (error: unknown) =>
      error instanceof KdsRateLimitedError && error.retryAt.getTime() === FIXTURE_TIME.getTime() + 120_000 && /HTTP 429/.test(error.message));
    await assert.rejects(new AmdKdsClient({ fetch: scriptedFetch({}, seen) }).chain('Milan', FIXTURE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /cannot fetch .*ECONNREFUSED/));
    assert.equal(retryAfterMs(new Date(FIXTURE_TIME.getTime() + 5000).toUTCString(), FIXTURE_TIME), 5000);
    assert.equal(retryAfterMs(null, FIXTURE_TIME), 60_000);
  });
});

/** A source that counts calls and can be told to fail. */
class CountingSource implements SevPkiSource {
  readonly name = 'counting';
  calls = 0;
  failWith: Error | undefined;
  crl: Buffer = GENOA_CRL;
  async chain(product: 'Milan' | 'Genoa' | 'Turin', now: Date): Promise<SevChainMaterial> {
    this.calls += 1;
    if (this.failWith) throw this.failWith;
    return new StaticSevPkiSource([{ product, certificates: [GENOA_CHAIN_PEM], crl: this.crl }]).chain(product, now);
  }
}

describe('SevPkiCache', () => {
  const cache = (source: SevPkiSource, refreshIntervalMs = 24 * HOUR) => new SevPkiCache({ source, pins: AMD_ARK_SHA256, trustName: 'AMD', refreshIntervalMs });

  test('serves a verified chain until the refresh interval, sharing concurrent fetches', async () => {
    const source = new CountingSource();
    const pki = cache(source);
    const [first, second] = await Promise.all([pki.verifiedChain('Genoa', FIXTURE_TIME), pki.verifiedChain('Genoa', FIXTURE_TIME)]);
    assert.equal(first, second);
    assert.equal(source.calls, 1);
    assert.equal((await pki.verifiedChain('Genoa', at(23))).fetchedAt.getTime(), FIXTURE_TIME.getTime());
    assert.equal(source.calls, 1);
    const refreshed = await pki.verifiedChain('Genoa', at(25));
    assert.equal(source.calls, 2);
    assert.equal(refreshed.fetchedAt.getTime(), at(25).getTime());
    assert.equal(refreshed.revokedSerials.has('020001'), true); // the old Genoa ASK
  });

  test('a failed refresh keeps the usable chain; 429 stops fetching until Retry-After; nothing usable → error', async () => {
    const source = new CountingSource();
    const errors: string[] = [];
    const pki = new SevPkiCache({ source, pins: AMD_ARK_SHA256, trustName: 'AMD', refreshIntervalMs: HOUR, onRefreshError: (error) => void errors.push(error.message) });
    await pki.verifiedChain('Genoa', FIXTURE_TIME);
    source.failWith = new KdsRateLimitedError(GENOA_CRL_URL, at(5));
    assert.equal((await pki.verifiedChain('Genoa', at(2))).fetchedAt.getTime(), FIXTURE_TIME.getTime());
    assert.equal(source.calls, 2);
    await pki.verifiedChain('Genoa', at(3));
    assert.equal(source.calls, 2, 'no request to KDS before Retry-After');
    assert.match(errors[0]!, /HTTP 429/);
    source.failWith = undefined;
    await pki.verifiedChain('Genoa', at(6));
    assert.equal(source.calls, 3);
    const empty = cache(Object.assign(new CountingSource(), { failWith: new KdsRateLimitedError(GENOA_CRL_URL, at(1)) }));
    await assert.rejects(empty.verifiedChain('Genoa', FIXTURE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /rate-limited/));
  });

  test('a stale CRL is refused: past its nextUpdate, or fetched too long ago', async () => {
    await assert.rejects(cache(new CountingSource()).verifiedChain('Genoa', CRL_NEXT_UPDATE),
      isCode('CCN_ERR_ATTEST_COLLATERAL', /CRL is stale: its nextUpdate was 2026-10-04T00:00:00.000Z/));
    const old = Object.assign(new CountingSource(), { crl: GENOA_CRL_2024 });
    await assert.rejects(cache(old).verifiedChain('Genoa', FIXTURE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /nextUpdate was 2025-11-03/));
    const recorded = new StaticSevPkiSource([{ product: 'Genoa', certificates: [GENOA_CHAIN_PEM], crl: GENOA_CRL, fetchedAt: at(-24 * 8) }]);
    await assert.rejects(cache(recorded).verifiedChain('Genoa', FIXTURE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /fetched 2026-08-24.*older than 168 h/));
    const crossed = new StaticSevPkiSource([{ product: 'Genoa', certificates: [GENOA_CHAIN_PEM], crl: MILAN_CRL }]);
    await assert.rejects(cache(crossed).verifiedChain('Genoa', FIXTURE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /not issued by the ARK/));
  });
});

// Tests of the on-disk DCAP collateral store with an injected fetch and a temporary directory.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CocoonError } from '@cocoon/protocol';
import { CollateralStore, DcapQuoteVerifier, type CollateralStoreOptions, type DcapCollateral } from '../../src/index.ts';
import { OUTDATED_COLLATERAL, REFERENCE_QUOTE, SAMPLE_COLLATERAL, SAMPLE_COLLATERAL_PATH, SAMPLE_EXPIRY, SAMPLE_QUOTE, SAMPLE_TIME, isCode } from './dcap-fixtures.ts';

const DAY_MS = 86_400_000;
const ENTRY_FILE = 'tdx-B0C06F000000-platform.json';
const PCCS_URL = 'https://pccs.example.test/sgx/certification/v4';

/** A fetch that counts calls and can be held open until `release()`. */
function fakeFetch(result: () => Promise<DcapCollateral> = async () => structuredClone(SAMPLE_COLLATERAL)) {
  const state = { calls: 0, held: false, waiting: [] as Array<() => void> };
  return {
    state,
    fetch: async (_quote: Buffer): Promise<DcapCollateral> => {
      state.calls++;
      if (state.held) await new Promise<void>((resolve) => state.waiting.push(resolve));
      return result();
    },
    release(): void {
      state.held = false;
      for (const resolve of state.waiting.splice(0)) resolve();
    },
  };
}

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'cocoon-collateral-'));
});
afterEach(() => rm(directory, { recursive: true, force: true }));

const withNextUpdate = (tcbInfo: string, nextUpdate: string): string => JSON.stringify({ ...JSON.parse(tcbInfo), nextUpdate });

const storeWith = (fetchCollateral: CollateralStoreOptions['fetchCollateral'], options: Partial<CollateralStoreOptions> = {}): CollateralStore =>
  new CollateralStore({ directory, fetchCollateral, pccsUrl: PCCS_URL, ...options });

describe('CollateralStore', () => {
  test('fetches once, caches to a 0600 file keyed by FMSPC and CA type, and serves the cache', async () => {
    const source = fakeFetch();
    const store = storeWith(source.fetch);
    const collateral = await store.get(SAMPLE_QUOTE, SAMPLE_TIME);
    assert.equal(collateral.tcb_info, SAMPLE_COLLATERAL.tcb_info);
    assert.equal(source.state.calls, 1);
    assert.deepEqual(await readdir(directory), [ENTRY_FILE]);
    assert.equal((await stat(path.join(directory, ENTRY_FILE))).mode & 0o777, 0o600);
    const stored = JSON.parse(await readFile(path.join(directory, ENTRY_FILE), 'utf8'));
    assert.equal(stored.fmspc, 'B0C06F000000');
    assert.equal(stored.pck_ca, 'platform');
    assert.equal(stored.fetched_at, SAMPLE_TIME.toISOString());
    assert.equal(stored.expires_at, SAMPLE_EXPIRY.toISOString());
    assert.equal(stored.source, PCCS_URL);
    await store.get(SAMPLE_QUOTE, new Date(SAMPLE_TIME.getTime() + DAY_MS));
    assert.equal(source.state.calls, 1);
  });

  test('a new store reloads the entry from disk without fetching', async () => {
    await storeWith(fakeFetch().fetch).get(SAMPLE_QUOTE, SAMPLE_TIME);
    const source = fakeFetch(async () => { throw new Error('must not fetch'); });
    const reloaded = storeWith(source.fetch);
    assert.equal((await reloaded.get(SAMPLE_QUOTE, SAMPLE_TIME)).qe_identity, SAMPLE_COLLATERAL.qe_identity);
    assert.equal(source.state.calls, 0);
  });

  test('concurrent gets of an expired entry share one fetch', async () => {
    const shortLived = { ...structuredClone(SAMPLE_COLLATERAL), tcb_info: withNextUpdate(SAMPLE_COLLATERAL.tcb_info, '2025-06-20T00:00:00Z') };
    const source = fakeFetch();
    source.state.held = true;
    const store = storeWith(source.fetch);
    await store.put(SAMPLE_QUOTE, shortLived, SAMPLE_TIME);
    const afterShortExpiry = new Date('2025-06-21T00:00:00Z');
    const gets = Array.from({ length: 5 }, () => store.get(SAMPLE_QUOTE, afterShortExpiry));
    assert.equal(source.state.calls, 1, 'the expired entry is in memory, so all five reached the fetch at once');
    source.release();
    const results = await Promise.all(gets);
    assert.equal(source.state.calls, 1);
    assert.ok(results.every((result) => result === results[0] && result.tcb_info === SAMPLE_COLLATERAL.tcb_info));
  });

  test('near expiry one background refresh starts while the cached entry is still served', async () => {
    const source = fakeFetch();
    const store = storeWith(source.fetch, { refreshAheadMs: 2 * DAY_MS });
    await store.get(SAMPLE_QUOTE, SAMPLE_TIME);
    const nearExpiry = new Date(SAMPLE_EXPIRY.getTime() - DAY_MS);
    source.state.held = true;
    const served = await Promise.all([store.get(SAMPLE_QUOTE, nearExpiry), store.get(SAMPLE_QUOTE, nearExpiry), store.get(SAMPLE_QUOTE, nearExpiry)]);
    assert.ok(served.every((collateral) => collateral.tcb_info === SAMPLE_COLLATERAL.tcb_info));
    assert.equal(source.state.calls, 2, 'exactly one refresh for three gets');
    source.release();
    await store.idle();
    const stored = JSON.parse(await readFile(path.join(directory, ENTRY_FILE), 'utf8'));
    assert.equal(stored.fetched_at, nearExpiry.toISOString());
    assert.deepEqual((await readdir(directory)).filter((name) => name.endsWith('.tmp')), []);
  });

  test('a failed background refresh is reported, keeps the cached entry, and is retried only after the retry delay', async () => {
    let fail = false;
    const source = fakeFetch(async () => { if (fail) throw new Error('PCS down'); return structuredClone(SAMPLE_COLLATERAL); });
    const errors: CocoonError[] = [];
    const store = storeWith(source.fetch, { refreshAheadMs: 2 * DAY_MS, refreshRetryMs: 60_000, onRefreshError: (error) => errors.push(error) });
    await store.get(SAMPLE_QUOTE, SAMPLE_TIME);
    fail = true;
    const nearExpiry = SAMPLE_EXPIRY.getTime() - DAY_MS;
    assert.equal((await store.get(SAMPLE_QUOTE, new Date(nearExpiry))).tcb_info, SAMPLE_COLLATERAL.tcb_info);
    await store.idle();
    assert.equal(errors.length, 1);
    assert.ok(isCode('CCN_ERR_ATTEST_COLLATERAL', /pccs\.example\.test.*PCS down/)(errors[0]));
    await store.get(SAMPLE_QUOTE, new Date(nearExpiry + 30_000));
    await store.idle();
    assert.equal(source.state.calls, 2, 'no retry within the retry delay');
    await store.get(SAMPLE_QUOTE, new Date(nearExpiry + 61_000));
    await store.idle();
    assert.equal(source.state.calls, 3);
  });

  test('an expired entry is fetched again; a failed fetch with nothing valid names the URL', async () => {
    const source = fakeFetch();
    const store = storeWith(source.fetch);
    await store.get(SAMPLE_QUOTE, SAMPLE_TIME);
    const afterExpiry = new Date(SAMPLE_EXPIRY.getTime() + 1000);
    await assert.rejects(store.get(SAMPLE_QUOTE, afterExpiry), isCode('CCN_ERR_ATTEST_COLLATERAL', /already expired/));
    assert.equal(source.state.calls, 2);
    const failing = storeWith(fakeFetch(async () => { throw new Error('getaddrinfo ENOTFOUND'); }).fetch);
    await assert.rejects(failing.get(REFERENCE_QUOTE, SAMPLE_TIME),
      isCode('CCN_ERR_ATTEST_COLLATERAL', /could not fetch DCAP collateral for FMSPC 90C06F000000 \(platform CA\) from https:\/\/pccs\.example\.test.*ENOTFOUND/));
  });

  test('a fetch answering with malformed collateral is refused', async () => {
    const store = storeWith(fakeFetch(async () => ({ tcb_info: 'x' }) as unknown as DcapCollateral).fetch);
    await assert.rejects(store.get(SAMPLE_QUOTE, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /lacks the string field/));
  });

  test('importFile loads recorded collateral that then serves gets offline', async () => {
    const source = fakeFetch(async () => { throw new Error('offline'); });
    const store = storeWith(source.fetch);
    const entry = await store.importFile(fileURLToPath(SAMPLE_COLLATERAL_PATH), SAMPLE_TIME);
    assert.equal(entry.fmspc, 'B0C06F000000');
    assert.equal(entry.pck_ca, 'platform');
    assert.match(entry.source, /^file:/);
    assert.equal((await store.get(SAMPLE_QUOTE, SAMPLE_TIME)).tcb_info, SAMPLE_COLLATERAL.tcb_info);
    assert.equal(source.state.calls, 0);
    const verifier = new DcapQuoteVerifier({ collateral: store });
    assert.equal((await verifier.verifyQuote(SAMPLE_QUOTE, SAMPLE_TIME)).tcbStatus, 'UpToDate');
  });

  test('put checks that the collateral is for the platform it is stored under', async () => {
    const store = storeWith(fakeFetch().fetch);
    await assert.rejects(store.put(REFERENCE_QUOTE, SAMPLE_COLLATERAL, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /for FMSPC B0C06F000000, not 90C06F000000/));
    await assert.rejects(store.put('90c06f000000', SAMPLE_COLLATERAL, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /not 90C06F000000/));
    const entry = await store.put('b0c06f000000', SAMPLE_COLLATERAL, SAMPLE_TIME);
    assert.equal(entry.expires_at, SAMPLE_EXPIRY.toISOString());
    const garbage = path.join(directory, 'garbage.json');
    await writeFile(garbage, '{"not":"collateral"}');
    await assert.rejects(store.importFile(garbage), isCode('CCN_ERR_ATTEST_COLLATERAL', /collateral file .* lacks/));
    await assert.rejects(store.importFile(path.join(directory, 'missing.json')), isCode('CCN_ERR_ATTEST_COLLATERAL', /cannot read collateral file/));
  });

  test('a corrupt cache file is ignored and replaced by a fresh fetch', async () => {
    await writeFile(path.join(directory, ENTRY_FILE), '{ corrupt');
    const source = fakeFetch();
    await storeWith(source.fetch).get(SAMPLE_QUOTE, SAMPLE_TIME);
    assert.equal(source.state.calls, 1);
    assert.equal(JSON.parse(await readFile(path.join(directory, ENTRY_FILE), 'utf8')).fmspc, 'B0C06F000000');
  });

  test('a quote without an embedded PCK chain has no platform key', async () => {
    const qeAuthSizeOffset = 48 + 584 + 4 + 64 + 64 + 6 + 384 + 64;
    const notEmbedded = Buffer.from(SAMPLE_QUOTE);
    notEmbedded.writeUInt16LE(3, qeAuthSizeOffset + 2 + SAMPLE_QUOTE.readUInt16LE(qeAuthSizeOffset));
    const source = fakeFetch();
    await assert.rejects(storeWith(source.fetch).get(notEmbedded, SAMPLE_TIME),
      isCode('CCN_ERR_ATTEST_COLLATERAL', /quote does not embed its PCK certificate chain \(certification data type 3\); its platform FMSPC is unknown/));
    assert.equal(source.state.calls, 0);
  });

  test('put refuses an FMSPC that is not 12 hex digits', async () => {
    const store = storeWith(fakeFetch().fetch);
    for (const fmspc of ['B0C06F00000', 'B0C06F0000000', 'XYZ06F000000', '']) {
      await assert.rejects(store.put(fmspc, SAMPLE_COLLATERAL, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /invalid FMSPC .* \(expected 12 hex digits\)/), fmspc);
    }
    assert.deepEqual(await readdir(directory), []);
  });

  test('fetched collateral for another platform is refused and not stored', async () => {
    const store = storeWith(fakeFetch(async () => structuredClone(OUTDATED_COLLATERAL)).fetch);
    await assert.rejects(store.get(SAMPLE_QUOTE, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /TCB info is for FMSPC 90C06F000000, not B0C06F000000/));
    assert.deepEqual(await readdir(directory), []);
  });

  test('a background refresh answering with older collateral keeps the newer entry', async () => {
    const older = { ...structuredClone(SAMPLE_COLLATERAL), tcb_info: withNextUpdate(SAMPLE_COLLATERAL.tcb_info, '2025-07-01T00:00:00Z') };
    const source = fakeFetch(async () => structuredClone(older));
    const store = storeWith(source.fetch, { refreshAheadMs: 30 * DAY_MS });
    await store.put(SAMPLE_QUOTE, SAMPLE_COLLATERAL, SAMPLE_TIME);
    const later = new Date('2025-06-25T00:00:00Z');
    await store.get(SAMPLE_QUOTE, later);
    await store.idle();
    assert.equal(source.state.calls, 1, 'the refresh ran');
    const stored = JSON.parse(await readFile(path.join(directory, ENTRY_FILE), 'utf8'));
    assert.equal(stored.expires_at, SAMPLE_EXPIRY.toISOString());
    assert.equal(stored.fetched_at, SAMPLE_TIME.toISOString(), 'the file was not rewritten');
    assert.equal((await store.get(SAMPLE_QUOTE, later)).tcb_info, SAMPLE_COLLATERAL.tcb_info);
  });

  test('collateral fetched as byte arrays (dcap-qvl getCollateral) is stored and served', async () => {
    const asArrays = (): DcapCollateral => ({ ...structuredClone(SAMPLE_COLLATERAL), pck_crl: [...Buffer.from(SAMPLE_COLLATERAL.pck_crl as string, 'hex')] });
    await storeWith(fakeFetch(async () => asArrays()).fetch).get(SAMPLE_QUOTE, SAMPLE_TIME);
    const reloaded = await storeWith(fakeFetch(async () => { throw new Error('offline'); }).fetch).get(SAMPLE_QUOTE, SAMPLE_TIME);
    assert.deepEqual(reloaded.pck_crl, asArrays().pck_crl);
  });

  test('a stored entry file can be imported into another store', async () => {
    await storeWith(fakeFetch().fetch).get(SAMPLE_QUOTE, SAMPLE_TIME);
    const elsewhere = path.join(directory, 'elsewhere');
    const imported = await new CollateralStore({ directory: elsewhere, fetchCollateral: async () => { throw new Error('offline'); } })
      .importFile(path.join(directory, ENTRY_FILE), SAMPLE_TIME);
    assert.equal(imported.fmspc, 'B0C06F000000');
    assert.deepEqual(await readdir(elsewhere), [ENTRY_FILE]);
    assert.equal((await stat(elsewhere)).mode & 0o777, 0o700);
  });

  test('an unwritable cache directory is a collateral error, not a raw file-system error', async () => {
    const blocker = path.join(directory, 'a-file');
    await writeFile(blocker, 'not a directory');
    const store = new CollateralStore({ directory: path.join(blocker, 'cache'), fetchCollateral: async () => structuredClone(SAMPLE_COLLATERAL) });
    await assert.rejects(store.put('B0C06F000000', SAMPLE_COLLATERAL, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /cannot write collateral cache file .*ENOTDIR/));
    await assert.rejects(store.get(SAMPLE_QUOTE, SAMPLE_TIME), isCode('CCN_ERR_ATTEST_COLLATERAL', /cannot write collateral cache file/));
  });

  test('an expired entry on disk is not served by a new store: it fetches', async () => {
    await storeWith(fakeFetch().fetch).get(SAMPLE_QUOTE, SAMPLE_TIME);
    const source = fakeFetch();
    await assert.rejects(storeWith(source.fetch).get(SAMPLE_QUOTE, new Date(SAMPLE_EXPIRY.getTime() + 1)), isCode('CCN_ERR_ATTEST_COLLATERAL', /already expired/));
    assert.equal(source.state.calls, 1);
  });
});

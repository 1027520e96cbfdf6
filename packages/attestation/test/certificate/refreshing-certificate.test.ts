// RefreshingCertificate's timer logic under node:test mock timers (no sleeping): one refresh per
// interval, stop() ends them, a failed timed refresh keeps the previous certificate and reports
// the error, and bad intervals are config errors.
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import {
  FakeTdxProvider,
  RefreshingCertificate,
  readCertificate,
  type CertificateExtension,
  type RefreshingCertificateOptions,
  type TeeProvider,
} from '../../src/index.ts';

const CHAIN_TIME = new Date('2026-01-01T00:30:00Z');
const INTERVAL_MS = 60_000;

/** A fake-TDX provider that fails while `failure` is set. */
class SwitchableProvider implements TeeProvider {
  readonly kind = 'switchable';
  failure: Error | undefined;
  private readonly inner = new FakeTdxProvider();

  async certificateExtensions(publicKey: Buffer): Promise<CertificateExtension[]> {
    if (this.failure) throw this.failure;
    return this.inner.certificateExtensions(publicKey);
  }
}

/** Counts clock reads: every refresh reads the clock synchronously when it starts. */
function countingClock(): { now: () => Date; reads: () => number } {
  let reads = 0;
  return { now: () => (reads++, CHAIN_TIME), reads: () => reads };
}

/** Waits (bounded) until the certificate reaches `generation` and its refresh has fully settled. */
async function waitForGeneration(certificate: RefreshingCertificate, generation: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  while (certificate.generation < generation) {
    if (Date.now() > deadline) throw new Error(`generation ${generation} not reached (at ${certificate.generation})`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setImmediate(resolve)); // let the refresh's own completion run
  return certificate.generation;
}

describe('RefreshingCertificate timer', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  const create = (overrides: Partial<RefreshingCertificateOptions> = {}): Promise<RefreshingCertificate> =>
    RefreshingCertificate.create({ provider: new FakeTdxProvider(), now: () => CHAIN_TIME, refreshIntervalMs: INTERVAL_MS, ...overrides });

  test('nothing is refreshed before start() or before the first interval has passed', async () => {
    const clock = countingClock();
    const certificate = await create({ now: clock.now });
    assert.equal(clock.reads(), 1, 'the first certificate read the clock once');
    mock.timers.tick(5 * INTERVAL_MS);
    assert.equal(clock.reads(), 1, 'no timer before start()');
    certificate.start();
    mock.timers.tick(INTERVAL_MS - 1);
    assert.equal(clock.reads(), 1, 'one millisecond before the interval');
    mock.timers.tick(1);
    assert.equal(clock.reads(), 2, 'exactly at the interval');
    certificate.stop();
  });

  test('each interval brings a new generation with a new key', async () => {
    const certificate = await create();
    certificate.start();
    const keys = [certificate.current().publicKey];
    for (const expected of [2, 3, 4]) {
      mock.timers.tick(INTERVAL_MS);
      assert.equal(await waitForGeneration(certificate, expected), expected);
      keys.push(certificate.current().publicKey);
    }
    assert.equal(new Set(keys.map((key) => key.toString('hex'))).size, 4);
    certificate.stop();
  });

  test('stop() ends the refreshes; a second start() does not add a timer; start() after stop() resumes', async () => {
    const clock = countingClock();
    const certificate = await create({ now: clock.now });
    certificate.start();
    certificate.start();
    mock.timers.tick(INTERVAL_MS);
    await waitForGeneration(certificate, 2);
    certificate.stop();
    const readsAtStop = clock.reads();
    mock.timers.tick(10 * INTERVAL_MS);
    assert.equal(clock.reads(), readsAtStop, 'no refresh after stop(), so start() twice made one timer');
    certificate.stop(); // idempotent
    certificate.start();
    mock.timers.tick(INTERVAL_MS);
    assert.equal(clock.reads(), readsAtStop + 1);
    certificate.stop();
  });

  test('a failed timed refresh is reported as a CocoonError and the previous certificate stays in use', async () => {
    const provider = new SwitchableProvider();
    const errors: CocoonError[] = [];
    let reportError: () => void = () => undefined;
    const certificate = await create({ provider, onError: (error) => (errors.push(error), reportError()) });
    const first = certificate.current();
    certificate.start();

    provider.failure = new Error('configfs-tsm busy');
    const reported = new Promise<void>((resolve) => (reportError = resolve));
    mock.timers.tick(INTERVAL_MS);
    await reported;
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof CocoonError);
    assert.equal(errors[0].code, 'CCN_ERR_ATTEST_TEE_UNAVAILABLE', 'a plain error becomes TEE unavailable');
    assert.equal(errors[0].message, 'configfs-tsm busy');
    assert.equal(certificate.current(), first);
    assert.equal(certificate.generation, 1);

    provider.failure = new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', 'quote for other report data');
    const reportedAgain = new Promise<void>((resolve) => (reportError = resolve));
    mock.timers.tick(INTERVAL_MS);
    await reportedAgain;
    assert.equal(errors[1]?.code, 'CCN_ERR_ATTEST_QUOTE_INVALID', 'a CocoonError keeps its code');

    provider.failure = undefined;
    mock.timers.tick(INTERVAL_MS);
    assert.equal(await waitForGeneration(certificate, 2), 2, 'the refresh after a failure succeeds (nothing left in flight)');
    assert.notEqual(certificate.current(), first);
    certificate.stop();
  });

  test('a timed refresh failure without onError is swallowed (the process stays up)', async () => {
    const provider = new SwitchableProvider();
    const certificate = await create({ provider });
    certificate.start();
    provider.failure = new Error('gone');
    mock.timers.tick(INTERVAL_MS);
    await assert.rejects(certificate.refresh(), /gone/); // shares the failing in-flight refresh
    provider.failure = undefined;
    assert.equal((await certificate.refresh()) === certificate.current(), true);
    assert.equal(certificate.generation, 2);
    certificate.stop();
  });
});

describe('RefreshingCertificate refresh() and create()', () => {
  test('a failed refresh() rejects, keeps the generation and calls no listener', async () => {
    const provider = new SwitchableProvider();
    const certificate = await RefreshingCertificate.create({ provider, now: () => CHAIN_TIME });
    const seen: number[] = [];
    certificate.onRefresh((_, generation) => seen.push(generation));
    provider.failure = new Error('no quote');
    await assert.rejects(certificate.refresh(), /no quote/);
    assert.equal(certificate.generation, 1);
    assert.deepEqual(seen, []);
  });

  test('validitySeconds sets the certificate lifetime of the first and refreshed certificates', async () => {
    const certificate = await RefreshingCertificate.create({ provider: new FakeTdxProvider(), now: () => CHAIN_TIME, validitySeconds: 600 });
    for (const der of [certificate.current().certificateDer, (await certificate.refresh()).certificateDer]) {
      const parsed = readCertificate(der);
      assert.equal(parsed.notAfter.getTime() - parsed.notBefore.getTime(), 600_000);
    }
  });

  test('an asynchronous clock is awaited before dating the certificate', async () => {
    const certificate = await RefreshingCertificate.create({ provider: new FakeTdxProvider(), now: () => Promise.resolve(CHAIN_TIME) });
    assert.equal(readCertificate(certificate.current().certificateDer).notBefore.toISOString(), CHAIN_TIME.toISOString());
  });

  test('a provider failing at creation rejects create()', async () => {
    const provider = new SwitchableProvider();
    provider.failure = new CocoonError('CCN_ERR_ATTEST_TEE_UNAVAILABLE', 'not a TDX guest');
    await assert.rejects(RefreshingCertificate.create({ provider, now: () => CHAIN_TIME }), { code: 'CCN_ERR_ATTEST_TEE_UNAVAILABLE' });
  });

  for (const interval of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    test(`refresh interval ${interval} is a config error naming refreshIntervalMs`, async () => {
      await assert.rejects(RefreshingCertificate.create({ provider: new FakeTdxProvider(), now: () => CHAIN_TIME, refreshIntervalMs: interval }),
        { code: 'CCN_ERR_CONFIG_INVALID', param: 'refreshIntervalMs' });
    });
  }

  test('an interval of 1 ms is accepted', async () => {
    const certificate = await RefreshingCertificate.create({ provider: new FakeTdxProvider(), now: () => CHAIN_TIME, refreshIntervalMs: 1 });
    assert.equal(certificate.generation, 1);
  });
});

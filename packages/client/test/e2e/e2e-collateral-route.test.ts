/**
 * `POST /v1/e2e/collateral` over the client's HTTP edge, wired as the runner wires it (e2eExtraRoutes) with a
 * double of RunnerAttestation.collateralFor answering a dev authority's real collateral: a simulated TDX quote
 * gets 200 JSON that parseDcapCollateral reads, with the quote and the edge's clock handed to the lookup;
 * another media type is 415, more than 64 KiB 413, an empty body or bytes that are not a TDX quote 400 (the
 * lookup never runs); a lookup that fails is 503 CCN_ERR_ATTEST_COLLATERAL (its internals not leaked), one that
 * refuses the quote 400; GET is 405; CORS and the Origin check apply as on the other e2e routes. With
 * `?tee=sev-snp&product=Genoa` (no body) a double of RunnerAttestation.sevSnpChainFor over the authority's
 * dev SEV-SNP chain answers JSON that parseSevChainJson reads and verifySevChain accepts under the dev ARK; an
 * unknown product or tee, or a body, is 400 (the lookup never runs), a failing lookup 503, and a runner
 * without the SEV-SNP lookup answers 404 for that form only.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import {
  DevAttestationAuthority, SimulatedTdxProvider, parseDcapCollateral, parseSevChainJson, serializeSevChain, verifySevChain, zeroMeasurements, type SevProduct,
} from '@cocoon/attestation';
import { E2E_COLLATERAL_PATH, MAX_QUOTE_BYTES } from '../../src/e2e/index.ts';
import { send } from '../http/http-test-client.ts';
import { ProxySessionDouble, startE2eTestClient } from './e2e-client-fixture.ts';
import type { E2eTestClient } from './e2e-client-fixture.ts';

const ALLOWED = 'http://127.0.0.1:10000';
const OCTETS = { 'content-type': 'application/octet-stream' };

describe('POST /v1/e2e/collateral', () => {
  let authority: DevAttestationAuthority;
  let quote: Buffer;
  let client: E2eTestClient;
  let bare: E2eTestClient;
  const calls: Array<{ quote: Buffer; now: Date }> = [];
  let answer: (quote: Uint8Array, now: Date) => Promise<object>;
  const url = (): string => `${client.url}${E2E_COLLATERAL_PATH}`;
  const codeOf = (json: Record<string, unknown>): unknown => (json.error as { code?: unknown } | undefined)?.code;

  before(async () => {
    authority = await DevAttestationAuthority.generate({ now: new Date() });
    const { reportData: _unused, ...registers } = zeroMeasurements();
    quote = await new SimulatedTdxProvider({ authority, measurements: registers }).getQuote(Buffer.alloc(64, 7));
    client = await startE2eTestClient(new ProxySessionDouble(undefined), {
      http: { corsOrigins: [ALLOWED] },
      collateralFor: (bytes, now) => {
        calls.push({ quote: Buffer.from(bytes), now });
        return answer(bytes, now);
      },
    });
    bare = await startE2eTestClient(new ProxySessionDouble(undefined));
  });
  after(async () => {
    await client?.close();
    await bare?.close();
  });
  beforeEach(() => {
    calls.length = 0;
    answer = async () => authority.collateral;
  });

  test('a TDX quote gets its collateral as JSON that parses, from the lookup given the quote and a clock', async () => {
    const before = Date.now();
    const response = await send(url(), { body: quote, headers: OCTETS });
    assert.equal(response.status, 200, response.text);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.equal(response.headers['cache-control'], 'no-store');
    const collateral = parseDcapCollateral(response.json());
    assert.deepEqual(collateral, JSON.parse(JSON.stringify(authority.collateral)));
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0]!.quote, quote);
    assert.ok(calls[0]!.now instanceof Date && calls[0]!.now.getTime() >= before - 1000, 'the lookup gets the current time');
  });

  test('another media type is 415, more than 64 KiB is 413; the lookup never runs', async () => {
    for (const type of ['text/plain', 'application/json', 'application/x-www-form-urlencoded']) {
      const refused = await send(url(), { body: quote, headers: { 'content-type': type } });
      assert.equal(refused.status, 415, type);
      assert.equal(codeOf(refused.json()), 'CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE');
    }
    const oversized = await send(url(), { body: Buffer.concat([quote, Buffer.alloc(MAX_QUOTE_BYTES + 1 - quote.length)]), headers: OCTETS });
    assert.equal(oversized.status, 413);
    assert.equal(codeOf(oversized.json()), 'CCN_ERR_HTTP_BODY_TOO_LARGE');
    assert.deepEqual(calls, []);
    const padded = await send(url(), { body: Buffer.concat([quote, Buffer.alloc(MAX_QUOTE_BYTES - quote.length)]), headers: OCTETS });
    assert.equal(padded.status, 200, `exactly 64 KiB is read (a quote with trailing bytes): ${padded.text}`);
  });

  test('an empty body or bytes that are not a TDX quote are 400 naming why; the lookup never runs', async () => {
    const sgx = Buffer.from(quote);
    sgx.writeUInt32LE(0, 4); // TEE type SGX
    const cases: Array<[string, Buffer, RegExp]> = [
      ['empty', Buffer.alloc(0), /empty/],
      ['garbage', Buffer.from('this is not a quote, just forty-eight or more bytes of text'), /not a TDX quote/],
      ['a header only', quote.subarray(0, 48), /not a TDX quote/],
      ['truncated', quote.subarray(0, quote.length - 100), /not a TDX quote/],
      ['an SGX quote', sgx, /SGX/],
    ];
    for (const [name, body, message] of cases) {
      const refused = await send(url(), { body, headers: OCTETS });
      assert.equal(refused.status, 400, name);
      const error = refused.json().error as { code: string; message: string; param: string };
      assert.equal(error.code, 'CCN_ERR_HTTP_BAD_REQUEST', name);
      assert.match(error.message, message, name);
      assert.equal(error.param, 'quote');
    }
    assert.deepEqual(calls, []);
  });

  test('a failing lookup is 503 CCN_ERR_ATTEST_COLLATERAL (internals hidden); a refused quote is 400', async () => {
    answer = async () => { throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', 'PCCS unreachable: connect ECONNREFUSED'); };
    const unreachable = await send(url(), { body: quote, headers: OCTETS });
    assert.equal(unreachable.status, 503);
    assert.deepEqual(unreachable.json().error, { message: 'PCCS unreachable: connect ECONNREFUSED', type: 'service_unavailable', code: 'CCN_ERR_ATTEST_COLLATERAL', param: null });
    answer = async () => { throw new Error('secret internal detail'); };
    const broken = await send(url(), { body: quote, headers: OCTETS });
    assert.equal(broken.status, 503);
    assert.equal(codeOf(broken.json()), 'CCN_ERR_ATTEST_COLLATERAL');
    assert.doesNotMatch(broken.text, /secret internal detail/);
    answer = async () => { throw new CocoonError('CCN_ERR_ATTEST_TEE_UNAVAILABLE', 'the store is closed'); };
    const other = await send(url(), { body: quote, headers: OCTETS });
    assert.equal(other.status, 503);
    assert.match((other.json().error as { message: string }).message, /the store is closed/);
    answer = async () => { throw new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', 'no FMSPC in the quote'); };
    const refused = await send(url(), { body: quote, headers: OCTETS });
    assert.equal(refused.status, 400);
    assert.match((refused.json().error as { message: string }).message, /no FMSPC/);
    assert.equal(calls.length, 4);
    answer = async () => authority.collateral;
    assert.equal((await send(url(), { body: quote, headers: OCTETS })).status, 200, 'the route keeps serving');
  });

  test('only POST (405); CORS for the configured origin, 403 for others; without a lookup the path is 404', async () => {
    const get = await send(url());
    assert.equal(get.status, 405);
    assert.equal(codeOf(get.json()), 'CCN_ERR_HTTP_METHOD_NOT_ALLOWED');
    const allowed = await send(url(), { body: quote, headers: { ...OCTETS, origin: ALLOWED } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers['access-control-allow-origin'], ALLOWED);
    const preflight = await send(url(), {
      method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], ALLOWED);
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
    const foreign = await send(url(), { body: quote, headers: { ...OCTETS, origin: 'http://attacker.example' } });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
    assert.equal(calls.length, 1, 'only the allowed request reached the lookup');
    const missing = await send(`${bare.url}${E2E_COLLATERAL_PATH}`, { body: quote, headers: OCTETS });
    assert.equal(missing.status, 404);
  });
});

describe('POST /v1/e2e/collateral?tee=sev-snp', () => {
  let authority: DevAttestationAuthority;
  let client: E2eTestClient;
  let tdxOnly: E2eTestClient;
  const calls: Array<{ product: SevProduct; now: Date }> = [];
  let answer: (product: SevProduct, now: Date) => Promise<object>;
  const codeOf = (json: Record<string, unknown>): unknown => (json.error as { code?: unknown } | undefined)?.code;
  const genuine = async (product: SevProduct, now: Date): Promise<object> =>
    serializeSevChain(await verifySevChain(await authority.sevSnp!.source.chain(product, now), authority.sevSnp!.pins, now, { trustName: 'dev' }));

  before(async () => {
    authority = await DevAttestationAuthority.generate({ now: new Date() });
    client = await startE2eTestClient(new ProxySessionDouble(undefined), {
      http: { corsOrigins: [ALLOWED] },
      collateralFor: async () => authority.collateral,
      sevSnpChainFor: (product, now) => {
        calls.push({ product, now });
        return answer(product, now);
      },
    });
    tdxOnly = await startE2eTestClient(new ProxySessionDouble(undefined), { collateralFor: async () => authority.collateral });
  });
  after(async () => {
    await client?.close();
    await tdxOnly?.close();
  });
  beforeEach(() => {
    calls.length = 0;
    answer = genuine;
  });

  test("a product's chain as JSON that parses and verifies under the dev ARK, from the lookup given the product and a clock", async () => {
    const before = Date.now();
    const response = await send(`${client.url}${E2E_COLLATERAL_PATH}?tee=sev-snp&product=Genoa`, { method: 'POST', headers: { origin: ALLOWED } });
    assert.equal(response.status, 200, response.text);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers['access-control-allow-origin'], ALLOWED);
    const material = parseSevChainJson(response.json(), 'the answer');
    assert.equal(material.product, 'Genoa');
    const verified = await verifySevChain(material, authority.sevSnp!.pins, new Date(), { trustName: 'dev' });
    assert.deepEqual(verified.ark.der, authority.sevSnp!.arkDer);
    assert.deepEqual(calls.map((call) => call.product), ['Genoa']);
    assert.ok(calls[0]!.now.getTime() >= before - 1000, 'the lookup gets the current time');
  });

  test('an unknown or missing product, an unknown tee, or a body is 400 naming why; the lookup never runs', async () => {
    const cases: Array<[string, string, Buffer | undefined, string, RegExp]> = [
      ['unknown product', '?tee=sev-snp&product=Zen9', undefined, 'product', /product must be one of Milan, Genoa, Turin \(got "Zen9"\)/],
      ['no product', '?tee=sev-snp', undefined, 'product', /got none/],
      ['unknown tee', '?tee=sgx&product=Genoa', undefined, 'tee', /unknown tee "sgx"/],
      ['a body', '?tee=sev-snp&product=Genoa', Buffer.alloc(1184, 1), 'body', /takes no body/],
    ];
    for (const [name, query, body, param, message] of cases) {
      const refused = await send(`${client.url}${E2E_COLLATERAL_PATH}${query}`, { method: 'POST', ...(body ? { body, headers: OCTETS } : {}) });
      assert.equal(refused.status, 400, `${name}: ${refused.text}`);
      const error = refused.json().error as { code: string; message: string; param: string };
      assert.equal(error.code, 'CCN_ERR_HTTP_BAD_REQUEST', name);
      assert.match(error.message, message, name);
      assert.equal(error.param, param, name);
    }
    assert.deepEqual(calls, []);
  });

  test('a failing lookup is 503 CCN_ERR_ATTEST_COLLATERAL; a runner without the SEV-SNP lookup is 404 for this form only', async () => {
    answer = async () => { throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', 'AMD KDS rate-limited'); };
    const limited = await send(`${client.url}${E2E_COLLATERAL_PATH}?tee=sev-snp&product=Milan`, { method: 'POST' });
    assert.equal(limited.status, 503);
    assert.equal(codeOf(limited.json()), 'CCN_ERR_ATTEST_COLLATERAL');
    assert.match(limited.text, /AMD KDS rate-limited/);
    const missing = await send(`${tdxOnly.url}${E2E_COLLATERAL_PATH}?tee=sev-snp&product=Genoa`, { method: 'POST' });
    assert.equal(missing.status, 404);
    assert.equal(codeOf(missing.json()), 'CCN_ERR_HTTP_NOT_FOUND');
    const get = await send(`${client.url}${E2E_COLLATERAL_PATH}?tee=sev-snp&product=Genoa`);
    assert.equal(get.status, 405);
  });
});

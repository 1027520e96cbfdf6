/** Tests for `cocoon attest`: quote verification on the recorded Intel data, peer verification against an in-process RA-TLS server, self measurement. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AnyPolicyVerifier,
  computeImageHash,
  createAttestedCertificate,
  DevAttestationAuthority,
  FakeTdxProvider,
  listenSecure,
  simulatedMeasurements,
  SimulatedTdxProvider,
  type SecureServer,
  type TeeProvider,
} from '@cocoon/attestation';
import { runCocoonCli } from '../src/cocoon-cli.ts';
import type { CliIo } from '../src/cli-io.ts';

const DATA = new URL('./fixtures/tdx/', import.meta.url).pathname;
const SAMPLE_QUOTE = join(DATA, 'tdx-quote-v4-sample.dat');
const SAMPLE_COLLATERAL = join(DATA, 'tdx-quote-v4-sample.collateral.json');
const REFERENCE_QUOTE = join(DATA, 'tdx-quote-v4-reference.dat');
const SAMPLE_TIME = '2025-06-19T11:16:03Z';
const AUTHORITY_TIME = new Date('2026-03-01T12:00:00Z');
const CERTIFICATE_TIME = new Date('2026-03-02T00:00:00Z');
const PEER_TIME = new Date('2026-03-02T01:00:00Z');
const MEASUREMENTS = simulatedMeasurements(Buffer.alloc(32, 0x33), { role: 'proxy' });
const IMAGE_HASH = computeImageHash({ ...MEASUREMENTS, reportData: Buffer.alloc(64) }).toString('hex');

const captureIo = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (line) => out.push(line), stderr: (line) => err.push(line), env: {} };
  return { io, out, err, json: () => JSON.parse(out.join('\n')) as Record<string, unknown> };
};

const attest = async (...args: string[]) => {
  const capture = captureIo();
  const code = await runCocoonCli(['attest', ...args], capture.io);
  return { code, ...capture };
};

describe('cocoon attest verify-quote', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cocoon-attest-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test('the sample quote with its collateral at a time inside the window: exit 0, UpToDate, measurements', async () => {
    const run = await attest('verify-quote', SAMPLE_QUOTE, '--collateral', SAMPLE_COLLATERAL, '--at', SAMPLE_TIME, '--json');
    assert.equal(run.code, 0, run.err.join('\n'));
    const result = run.json();
    assert.equal(result.verified, true);
    assert.equal(result.status, 'UpToDate');
    assert.equal(result.tcb_checked, true);
    assert.equal(result.fmspc, 'B0C06F000000');
    assert.equal(result.mrtd, '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7');
    assert.match(String(result.rtmr0), /^[0-9a-f]{96}$/);
    assert.match(String(result.report_data), /^[0-9a-f]{128}$/);
    assert.match(String(result.image_hash), /^[0-9a-f]{64}$/);
    assert.deepEqual(result.advisory_ids, []);
  });

  test('the same quote after its collateral expired: exit 1 with a collateral error', async () => {
    const run = await attest('verify-quote', SAMPLE_QUOTE, '--collateral', SAMPLE_COLLATERAL, '--at', '2025-08-01T00:00:00Z', '--json');
    assert.equal(run.code, 1);
    assert.deepEqual((run.json().error as { code: string }).code, 'CCN_ERR_ATTEST_COLLATERAL');
    assert.match(run.err.join('\n'), /^cocoon attest: CCN_ERR_ATTEST_COLLATERAL: collateral expired/);
  });

  test('--allow-status refusing UpToDate turns the verified status into exit 1 and keeps the status', async () => {
    const run = await attest('verify-quote', SAMPLE_QUOTE, '--collateral', SAMPLE_COLLATERAL, '--at', SAMPLE_TIME, '--allow-status', 'OutOfDate', '--json');
    assert.equal(run.code, 1);
    assert.equal(run.json().status, 'UpToDate');
    assert.match(run.err.join('\n'), /CCN_ERR_ATTEST_TCB_STATUS: TCB status UpToDate not allowed \(allowed: OutOfDate\)/);
  });

  test('the reference quote without collateral: signature-only result, TCB not checked, exit 0', async () => {
    const run = await attest('verify-quote', REFERENCE_QUOTE, '--json');
    assert.equal(run.code, 0, run.err.join('\n'));
    const result = run.json();
    assert.equal(result.status, 'Unknown (no collateral)');
    assert.equal(result.tcb_checked, false);
    assert.equal(result.fmspc, '90C06F000000');
    assert.match(String(result.note), /TCB status NOT checked/);
  });

  test('a tampered quote file: exit 1 with the error code and message, no stack trace', async () => {
    const quote = await readFile(REFERENCE_QUOTE);
    quote[48 + 136]! ^= 0x01; // MRTD
    const file = join(directory, 'tampered.dat');
    await writeFile(file, quote);
    const run = await attest('verify-quote', file);
    assert.equal(run.code, 1);
    const stderr = run.err.join('\n');
    assert.match(stderr, /CCN_ERR_ATTEST_QUOTE_INVALID: quote signature does not verify/);
    assert.doesNotMatch(stderr, /\n\s+at /);
    assert.match(run.out.join('\n'), /verified\s+false/);
  });

  test('usage errors exit 2', async () => {
    assert.equal((await attest('verify-quote')).code, 2);
    assert.equal((await attest('verify-quote', SAMPLE_QUOTE, '--bogus')).code, 2);
    assert.equal((await attest('frobnicate')).code, 2);
    assert.equal((await attest()).code, 2);
  });
});

describe('cocoon attest verify-peer', () => {
  let directory: string;
  let authority: DevAttestationAuthority;
  let simulatedServer: SecureServer;
  let fakeServer: SecureServer;

  const serve = async (provider: TeeProvider) => listenSecure({
    host: '127.0.0.1', port: 0, powDifficulty: 1, verifier: new AnyPolicyVerifier(), now: () => PEER_TIME,
    identity: await createAttestedCertificate({ provider, now: CERTIFICATE_TIME }),
    onConnection: (socket) => socket.on('error', () => undefined),
  });

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cocoon-attest-peer-'));
    authority = await DevAttestationAuthority.generate({ now: AUTHORITY_TIME });
    await authority.save(directory);
    simulatedServer = await serve(new SimulatedTdxProvider({ authority, measurements: MEASUREMENTS }));
    fakeServer = await serve(new FakeTdxProvider());
  });
  after(async () => {
    await Promise.all([simulatedServer.close(), fakeServer.close()]);
    await rm(directory, { recursive: true, force: true });
  });

  const peer = (server: SecureServer, ...args: string[]) =>
    attest('verify-peer', `127.0.0.1:${server.port}`, '--at', PEER_TIME.toISOString(), '--json', ...args);

  test('a simulated-quote peer with --dev-authority: exit 0, image hash, UpToDate and the certificate shown', async () => {
    const run = await peer(simulatedServer, '--dev-authority', directory);
    assert.equal(run.code, 0, run.err.join('\n'));
    const result = run.json();
    assert.equal(result.verified, true);
    assert.equal(result.image_hash, IMAGE_HASH);
    assert.equal(result.status, 'UpToDate');
    const certificate = result.certificate as Record<string, unknown>;
    assert.match(String(certificate.subject), /CN=localhost/);
    assert.equal(certificate.key_algorithm, 'Ed25519');
    assert.equal(certificate.not_after, '2026-03-03T00:00:00.000Z');
    assert.match(String(certificate.quote), /^TDX v4/);
    assert.equal((result.measurements as Record<string, string>).rtmr3, MEASUREMENTS.rtmr3.toString('hex'));
    assert.match(run.err.join('\n'), /WARNING DEV ATTESTATION/);
  });

  test('the same peer under Intel trust (no dev authority): exit 1, certificate still shown', async () => {
    const run = await peer(simulatedServer);
    assert.equal(run.code, 1);
    const result = run.json();
    assert.equal(result.verified, false);
    assert.equal((result.error as { code: string }).code, 'CCN_ERR_ATTEST_QUOTE_INVALID');
    assert.match((result.error as { message: string }).message, /PCK certificate chain does not lead to the trusted root CA/);
    assert.equal(result.image_hash, IMAGE_HASH); // what the quote claims
  });

  test('a fake_tdx peer: refused by the tdx policy, accepted by --policy fake_tdx', async () => {
    const strict = await peer(fakeServer, '--dev-authority', directory);
    assert.equal(strict.code, 1);
    assert.equal((strict.json().error as { code: string }).code, 'CCN_ERR_ATTEST_QUOTE_INVALID');
    const fake = await peer(fakeServer, '--policy', 'fake_tdx');
    assert.equal(fake.code, 0, fake.err.join('\n'));
    assert.equal(fake.json().image_hash, '5c55c8f4db4010ba9203d83536d0609856af8c847ac039e37e7dde8fbd574b61');
  });

  test('nothing listening: exit 1 without a certificate', async () => {
    const closed = await listenSecure({
      host: '127.0.0.1', port: 0, powDifficulty: 1, verifier: new AnyPolicyVerifier(), onConnection: () => undefined,
      identity: await createAttestedCertificate({ provider: new FakeTdxProvider(), now: CERTIFICATE_TIME }),
    });
    const port = closed.port;
    await closed.close();
    const run = await attest('verify-peer', `127.0.0.1:${port}`, '--json', '--timeout-ms', '5000');
    assert.equal(run.code, 1);
    assert.equal(run.json().certificate, null);
  });
});

describe('cocoon attest self', () => {
  test('simulated: measurements of this repository and a stable image hash', async () => {
    const first = await attest('self', '--json');
    assert.equal(first.code, 0, first.err.join('\n'));
    const result = first.json();
    assert.match(String(result.mrtd), /^[0-9a-f]{96}$/);
    assert.match(String(result.image_hash), /^[0-9a-f]{64}$/);
    assert.ok(Number(result.code_files) > 10);
    const debug = await attest('self', '--json', '--debug');
    assert.notEqual(debug.json().rtmr3, result.rtmr3);
    assert.equal(debug.json().mrtd, result.mrtd);
  });

  test('fake_tdx: all-zero registers, the reference fake image hash', async () => {
    const run = await attest('self', '--tee', 'fake_tdx', '--json');
    assert.equal(run.code, 0);
    assert.equal(run.json().image_hash, '5c55c8f4db4010ba9203d83536d0609856af8c847ac039e37e7dde8fbd574b61');
  });
});

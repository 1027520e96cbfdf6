/**
 * `cocoon wallet new|show|balance` against a real local chain server (the emulator behind
 * `cocoon chain`, reached over its toncenter API), plus the exact TON amount parser and the
 * wait progress line the operator commands use.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { CocoonWalletContract, RunnerWallet, TonClientChain } from '@cocoon/ton';
import { startLocalChainServer, type LocalChainServer } from '@cocoon/ton/emulator';
import { runCocoonCli } from '../../src/cocoon-cli.ts';
import type { CliIo } from '../../src/cli-io.ts';
import { formatTon, parseCoefficient, parseTonAmount } from '../../src/commands/ton-amount.ts';
import { WaitProgress, type ProgressTimers } from '../../src/commands/wait-progress.ts';

const OWNER = Address.parse('0:' + '11'.repeat(32)).toString({ bounceable: false });

function captureIo(env: Record<string, string> = {}): { io: CliIo; out: string[]; err: string[]; json: () => Record<string, unknown> } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (line) => out.push(line), stderr: (line) => err.push(line), env }, json: () => JSON.parse(out.join('\n')) as Record<string, unknown> };
}

const cli = async (...args: string[]) => {
  const capture = captureIo();
  const code = await runCocoonCli(args, capture.io);
  return { code, ...capture };
};

describe('TON amounts', () => {
  test('decimal strings become exact nanoTON', () => {
    assert.equal(parseTonAmount('1'), 1_000_000_000n);
    assert.equal(parseTonAmount('1.5'), 1_500_000_000n);
    assert.equal(parseTonAmount('0.000000001'), 1n);
    assert.equal(parseTonAmount('.25'), 250_000_000n);
    assert.equal(parseTonAmount('123456789012345.123456789'), 123_456_789_012_345_123_456_789n); // beyond float precision
    assert.equal(parseTonAmount('2.'), 2_000_000_000n);
    assert.equal(formatTon(1_500_000_000n), '1.5');
    assert.equal(formatTon(1n), '0.000000001');
    assert.equal(formatTon(-2_000_000_000n), '-2');
  });

  test('more than 9 decimals, signs, exponents and junk are refused with the reason', () => {
    assert.throws(() => parseTonAmount('0.0000000001'), /at most 9 decimals/);
    for (const bad of ['-1', '+1', '1e9', '1,5', '', '.', 'abc', '0x10', '1.2.3', 'Infinity', 'NaN']) {
      assert.throws(() => parseTonAmount(bad), /expected a TON amount/, bad);
    }
  });

  test('coefficients: decimal multipliers to the protocol integer', () => {
    assert.equal(parseCoefficient('1'), 1000);
    assert.equal(parseCoefficient('1.25'), 1250);
    assert.equal(parseCoefficient('0.001'), 1);
    assert.throws(() => parseCoefficient('1.2345'), /at most 3 decimals/);
    assert.throws(() => parseCoefficient('-1'), /expected a multiplier/);
  });
});

/** A hand-driven clock and interval for WaitProgress. */
function manualTimers(): ProgressTimers & { advance(ms: number): void } {
  let now = 0;
  let callback: (() => void) | undefined;
  return {
    now: () => now,
    setInterval: (fn) => { callback = fn; return 1; },
    clearInterval: () => { callback = undefined; },
    advance(ms) { now += ms; callback?.(); },
  };
}

describe('wait progress', () => {
  test('a terminal gets one line rewritten in place, then done with the time taken', async () => {
    const timers = manualTimers();
    const written: string[] = [];
    const progress = new WaitProgress({ output: { write: (text) => written.push(text), isTTY: true }, timers });
    let finish!: () => void;
    const tracked = progress.track('topup: waiting for the chain', () => new Promise<string>((resolve) => { finish = () => resolve('answer'); }));
    timers.advance(1000);
    timers.advance(2000);
    finish();
    assert.equal(await tracked, 'answer');
    assert.deepEqual(written, [
      'topup: waiting for the chain... 0 s',
      '\r\x1b[2Ktopup: waiting for the chain... 1 s',
      '\r\x1b[2Ktopup: waiting for the chain... 3 s',
      '\r\x1b[2Ktopup: waiting for the chain: done in 3 s\n',
    ]);
  });

  test('without a terminal: plain lines, at most one per period, and failures say so', async () => {
    const timers = manualTimers();
    const written: string[] = [];
    const progress = new WaitProgress({ output: { write: (text) => written.push(text), isTTY: false }, timers, plainEveryMs: 10_000 });
    let fail!: () => void;
    const tracked = progress.track('cashout', () => new Promise<never>((_resolve, reject) => { fail = () => reject(new Error('boom')); }));
    for (let second = 0; second < 25; second++) timers.advance(1000);
    fail();
    await assert.rejects(tracked, /boom/);
    assert.deepEqual(written, ['cashout...\n', 'cashout... still waiting (10 s)\n', 'cashout... still waiting (20 s)\n', 'cashout: failed after 25 s\n']);
  });
});

describe('cocoon wallet', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-wallet-'));
  let server: LocalChainServer;
  before(async () => {
    server = await startLocalChainServer({ port: 0 });
  });
  after(async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('new creates a 0600 key file with the runners\' format and refuses to overwrite it', async () => {
    const keyFile = join(directory, 'keys', 'wallet.key');
    const created = await cli('wallet', 'new', '--key-file', keyFile, '--owner', OWNER, '--json');
    assert.equal(created.code, 0, created.err.join('\n'));
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(statSync(join(directory, 'keys')).mode & 0o777, 0o700);
    const seedHex = readFileSync(keyFile, 'utf8').trim();
    assert.match(seedHex, /^[0-9a-f]{64}$/);
    const publicKey = Buffer.from(keyPairFromSeed(Buffer.from(seedHex, 'hex')).publicKey);
    const expected = CocoonWalletContract.fromConfig({ publicKey, ownerAddress: Address.parse(OWNER) }).address;
    const result = created.json();
    assert.equal(result.public_key, publicKey.toString('hex'));
    assert.equal(result.address_non_bounceable, expected.toString({ bounceable: false }));
    assert.equal(result.address_raw, expected.toRawString());
    assert.ok(!created.out.join('\n').includes(seedHex), 'the seed is never printed');

    const again = await cli('wallet', 'new', '--key-file', keyFile);
    assert.equal(again.code, 1);
    assert.match(again.err.join('\n'), /exists: not overwriting a wallet key/);
    assert.equal(readFileSync(keyFile, 'utf8').trim(), seedHex, 'the old key is untouched');
  });

  test('show prints the addresses in every form, from flags or from a runner config', async () => {
    const keyFile = join(directory, 'show.key');
    assert.equal((await cli('wallet', 'new', '--key-file', keyFile)).code, 0);
    const flags = await cli('wallet', 'show', '--key-file', keyFile, '--owner', OWNER, '--json');
    assert.equal(flags.code, 0, flags.err.join('\n'));
    const shown = flags.json();
    const address = Address.parse(String(shown.address_raw));
    assert.equal(shown.address_bounceable, address.toString({ bounceable: true }));
    assert.equal(shown.address_non_bounceable, address.toString({ bounceable: false }));

    const config = join(directory, 'worker.json');
    writeFileSync(config, JSON.stringify({ node_wallet_key_file: keyFile, owner_address: OWNER, engine_url: 'http://127.0.0.1:8000' }));
    const fromConfig = await cli('wallet', 'show', '--role', 'worker', '--config', config, '--json');
    assert.equal(fromConfig.code, 0, fromConfig.err.join('\n'));
    assert.equal(fromConfig.json().address_raw, shown.address_raw);

    const testnet = await cli('wallet', 'show', '--key-file', keyFile, '--owner', OWNER, '--testnet', '--json');
    assert.equal(testnet.json().address_non_bounceable, address.toString({ bounceable: false, testOnly: true }));
  });

  test('balance reads the chain: uninit and empty, then funded and deployed by a real external', async () => {
    const keyFile = join(directory, 'balance.key');
    assert.equal((await cli('wallet', 'new', '--key-file', keyFile)).code, 0);
    const empty = await cli('wallet', 'balance', '--key-file', keyFile, '--owner', OWNER, '--ton-endpoint', server.endpoint, '--json');
    assert.equal(empty.code, 0, empty.err.join('\n'));
    assert.deepEqual([empty.json().state, empty.json().balance_nanoton, empty.json().seqno], ['uninit', 0, null]);
    assert.match(String(empty.json().verdict), /^LOW: runners refuse to work below 2\.1 TON/);

    const keyPair = keyPairFromSeed(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex'));
    const chain = new TonClientChain({ endpoint: server.endpoint });
    const wallet = new RunnerWallet({ chain, keyPair, ownerAddress: Address.parse(OWNER), pollIntervalMs: 20 });
    await server.chain.fund(wallet.address, 7_250_000_000n);
    const sent = await wallet.sendMessages([{ to: Address.parse(OWNER), value: 1_000_000_000n, bounce: false }]);
    await wallet.waitForSeqno(sent.seqno, 30_000);
    await wallet.waitSent();

    const funded = await cli('wallet', 'balance', '--key-file', keyFile, '--owner', OWNER, '--ton-endpoint', server.endpoint);
    assert.equal(funded.code, 0, funded.err.join('\n'));
    const text = funded.out.join('\n');
    assert.match(text, /state\s+active/);
    assert.match(text, /seqno\s+1/);
    const balance = BigInt(/balance_nanoton\s+(\d+)/.exec(text)![1]!);
    assert.ok(balance < 6_250_000_000n && balance > 6_000_000_000n, `7.25 TON − 1 TON − fees, got ${balance}`);
    assert.match(text, /verdict\s+ok/);
  });

  test('bad input: no key file, a missing one, a bad owner, an unreachable chain', async () => {
    assert.equal((await cli('wallet', 'show', '--owner', OWNER)).code, 2);
    const missing = await cli('wallet', 'show', '--key-file', join(directory, 'nope.key'), '--owner', OWNER);
    assert.equal(missing.code, 1);
    assert.match(missing.err.join('\n'), /cannot read the wallet key file .*nope\.key \(ENOENT\); create one with 'cocoon wallet new/);
    const keyFile = join(directory, 'bad-owner.key');
    assert.equal((await cli('wallet', 'new', '--key-file', keyFile)).code, 0);
    const badOwner = await cli('wallet', 'show', '--key-file', keyFile, '--owner', 'not-an-address');
    assert.equal(badOwner.code, 1);
    assert.match(badOwner.err.join('\n'), /owner: not a TON address/);
    const noChain = await cli('wallet', 'balance', '--key-file', keyFile, '--owner', OWNER);
    assert.equal(noChain.code, 1);
    assert.match(noChain.err.join('\n'), /no chain to ask: pass --ton-endpoint/);
    assert.equal((await cli('wallet', 'frobnicate')).code, 2);
    assert.equal((await cli('wallet', 'show', '--bogus')).code, 2);
  });
});

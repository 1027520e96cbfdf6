/**
 * System test of the operator's contract commands against a real `cocoon dev` network ON CHAIN
 * (a `cocoon chain` child, the dev root, a proxy, one worker and a client deployed by the runners
 * themselves): client topup/withdraw/charge/close, worker disable/enable/set-coefficient/cashout,
 * proxy withdraw and wallet balance, each checked against the chain; plus the clear errors for a
 * wrong token, a runner that is not running, a bad amount and an insufficient balance.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { Address } from '@ton/core';
import { TonClientChain, parseClientContractData, parseProxyContractData, readContractData } from '@cocoon/ton';
import { startDevNetwork, type DevNetwork } from '../../src/index.ts';
import { runCocoonCli } from '../../src/cocoon-cli.ts';
import type { CliIo } from '../../src/cli-io.ts';
import { ChildLogs, fetchJson, freePorts, waitFor } from '../network/network-harness.ts';
import { settleThroughProxy } from '../network/chain-network-harness.ts';

interface Run { code: number; out: string[]; err: string[]; json: () => Record<string, unknown> }

async function cocoon(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (line) => out.push(line), stderr: (line) => err.push(line), env: {} };
  const code = await runCocoonCli(args, io);
  return { code, out, err, json: () => JSON.parse(out.join('\n')) as Record<string, unknown> };
}

describe('contract commands on a local TON chain', { timeout: 300_000 }, () => {
  const logs = new ChildLogs();
  let network: DevNetwork;
  let directory: string;
  let chain: TonClientChain;
  let proxyHttpPort: number;
  const runner = (name: string) => ['--stats-url', network.statsUrls[name]!, '--admin-token-file', network.adminTokenFiles[name]!, '--ton-endpoint', network.chain!.endpoint];

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-contract-commands-'));
    const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chainPort] = await freePorts(7);
    proxyHttpPort = proxyHttp!;
    network = await startDevNetwork({
      // fake_tdx: the operations under test do not depend on attestation, and a simulated image hash
      // would change under a source edit made while the network starts.
      engine: 'test', workers: 1, powDifficulty: 8, onLine: logs.onLine, readyTimeoutMs: 180_000, attestation: 'fake_tdx',
      ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chain: chainPort },
      chain: { directory, saveStateIntervalMs: 60_000, pollIntervalMs: 200 },
    });
    chain = new TonClientChain({ endpoint: network.chain!.endpoint });
    const openai = new OpenAI({ baseURL: network.baseUrl, apiKey: 'unused', maxRetries: 0 });
    for (let index = 0; index < 3; index++) {
      await openai.chat.completions.create({ model: 'test/tiny-chat', messages: [{ role: 'user', content: `request ${index}` }] });
    }
  });

  after(async () => {
    await network?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  test('client topup --amount, withdraw, charge without a newer charge, then close — each visible on chain', async () => {
    const bad = await cocoon('client', 'topup', '--amount', '1.0000000001', ...runner('client'));
    assert.equal(bad.code, 2);
    assert.match(bad.err.join('\n'), /amount: at most 9 decimals/);

    const topup = await cocoon('client', 'topup', '--amount', '1.5', ...runner('client'), '--json');
    assert.equal(topup.code, 0, `${topup.err.join('\n')}\n${logs.tail()}`);
    const result = topup.json() as { answer: { proxy: { sc_address: string; balance: number; stake: number; state: string } }; wallet: { balance_before: number; balance_after: number }; transactions: Array<{ address: string; transactions: Array<{ hash: string }> }> };
    const contract = Address.parse(result.answer.proxy.sc_address);
    const onChain = (await readContractData(chain, contract, parseClientContractData))!.data;
    assert.equal(BigInt(result.answer.proxy.balance), onChain.balance, 'the printed balance is the chain\'s');
    assert.ok(result.wallet.balance_before - result.wallet.balance_after >= 1_500_000_000, 'the wallet paid the 1.5 TON');
    assert.ok(result.transactions.every((entry) => entry.transactions.length >= 1), 'wallet and contract each got a transaction');
    assert.match(result.transactions[0]!.transactions[0]!.hash, /^[0-9a-f]{64}$/);
    assert.ok(topup.err.some((line) => /client topup: waiting for the chain: done in \d+ s/.test(line)), 'progress was shown');

    const withdraw = await cocoon('client', 'withdraw', ...runner('client'));
    assert.equal(withdraw.code, 0, withdraw.err.join('\n'));
    const afterWithdraw = (await readContractData(chain, contract, parseClientContractData))!.data;
    assert.equal(afterWithdraw.balance, afterWithdraw.stake, 'balance above the stake refunded');
    assert.match(withdraw.out.join('\n'), /proxy\.balance\s+\d+ nanoTON \([\d.]+ TON\)/);
    assert.match(withdraw.out.join('\n'), /tx [0-9a-f]{64} on /);

    const nothing = await cocoon('client', 'withdraw', ...runner('client'));
    assert.equal(nothing.code, 1);
    assert.match(nothing.err.join('\n'), /CCN_ERR_HTTP_BAD_REQUEST: nothing to withdraw/);

    const poor = await cocoon('client', 'topup', '--amount', '100000', ...runner('client'));
    assert.equal(poor.code, 1);
    assert.match(poor.err.join('\n'), /CCN_ERR_TON_LOW_BALANCE: ACTION REQUIRED: wallet .* has [\d.]+ TON, needs ≥ 100000\.8 TON; send TON to /);
  });

  test('worker disable, enable and set-coefficient reach the proxy; bad coefficients are refused', async () => {
    const workerStats = `${network.statsUrls['worker-1']!.replace(/\/stats$/, '')}/jsonstats`;
    const disabled = await cocoon('worker', 'disable', ...runner('worker-1'));
    assert.equal(disabled.code, 0, disabled.err.join('\n'));
    assert.equal(((await fetchJson(workerStats)).status as { enabled: boolean }).enabled, false);
    assert.equal((await cocoon('worker', 'enable', ...runner('worker-1'))).code, 0);
    assert.equal(((await fetchJson(workerStats)).status as { enabled: boolean }).enabled, true);

    const changed = await cocoon('worker', 'set-coefficient', '1.5', ...runner('worker-1'), '--json');
    assert.equal(changed.code, 0, changed.err.join('\n'));
    assert.deepEqual((changed.json().answer as Record<string, number>), { coefficient: 1500, previous: 1000 });
    assert.equal(((await fetchJson(workerStats)).localconfig as { coefficient: number }).coefficient, 1500);
    await waitFor(async () => {
      const proxy = await fetchJson(`http://127.0.0.1:${proxyHttpPort}/jsonstats`);
      return JSON.stringify(proxy.worker_connections ?? proxy.workers ?? '').includes('1500');
    }, 10_000, 'the proxy to see coefficient 1500');
    assert.equal((await cocoon('worker', 'set-coefficient', '1', ...runner('worker-1'))).code, 0);

    const bad = await cocoon('worker', 'set-coefficient', '1.2345', ...runner('worker-1'));
    assert.equal(bad.code, 2);
    assert.match(bad.err.join('\n'), /at most 3 decimals/);
  });

  test('settle, then worker cashout and proxy withdraw pay out on chain', async () => {
    const settled = await settleThroughProxy(`http://127.0.0.1:${proxyHttpPort}`, logs, network.adminTokenFiles.proxy!);
    assert.ok(settled.proxy_commission_nanoton > 0, JSON.stringify(settled));

    const cashout = await cocoon('worker', 'cashout', ...runner('worker-1'), '--json');
    assert.equal(cashout.code, 0, cashout.err.join('\n'));
    assert.ok(Array.isArray((cashout.json().answer as { results?: unknown }).results), JSON.stringify(cashout.json()));

    const proxyStats = await fetchJson(`http://127.0.0.1:${proxyHttpPort}/jsonstats`);
    const proxyContract = Address.parse((proxyStats.smartcontract as { address: string }).address);
    const before = (await readContractData(chain, proxyContract, parseProxyContractData))!.data;
    assert.ok(before.balance > 0n, 'the proxy earned its commission');
    const ownerBefore = (await chain.getAccount(before.ownerAddress)).balance;
    const withdraw = await cocoon('proxy', 'withdraw', ...runner('proxy'), '--json');
    assert.equal(withdraw.code, 0, `${withdraw.err.join('\n')}\n${logs.tail()}`);
    const answer = withdraw.json().answer as Record<string, number | string>;
    assert.equal(BigInt(answer.paid_to_owner!), before.balance);
    assert.equal((await readContractData(chain, proxyContract, parseProxyContractData))!.data.balance, 0n);
    await waitFor(async () => (await chain.getAccount(before.ownerAddress)).balance >= ownerBefore + before.balance, 10_000, 'the owner to be paid');
    assert.match(String(answer.external_hash), /^[0-9a-f]{64}$/);
  });

  test('client charge without a newer signed charge and close', async () => {
    const charge = await cocoon('client', 'charge', ...runner('client'));
    if (charge.code !== 0) assert.match(charge.err.join('\n'), /no signed charge newer than the contract/);
    const close = await cocoon('client', 'close', ...runner('client'), '--json');
    assert.equal(close.code, 0, close.err.join('\n'));
    assert.equal((close.json().answer as { proxy: { state: string } }).proxy.state, 'closing');
  });

  test('wallet balance of the client wallet, a wrong token, a runner that is not running, an unknown operation', async () => {
    const balance = await cocoon('wallet', 'balance', '--address', network.chain!.clientWalletAddress, '--ton-endpoint', network.chain!.endpoint, '--json');
    assert.equal(balance.code, 0, balance.err.join('\n'));
    assert.equal(BigInt(balance.json().balance_nanoton as number), (await chain.getAccount(Address.parse(network.chain!.clientWalletAddress))).balance);

    const wrongToken = join(directory, 'wrong.token');
    writeFileSync(wrongToken, `${'0'.repeat(64)}\n`, { mode: 0o600 });
    const refused = await cocoon('client', 'topup', '--stats-url', network.statsUrls.client!, '--admin-token-file', wrongToken);
    assert.equal(refused.code, 1);
    assert.match(refused.err.join('\n'), /CCN_ERR_HTTP_UNAUTHORIZED: the client refused the admin token from .*wrong\.token/);
    assert.ok(!refused.err.join('\n').includes('0'.repeat(64)), 'the token is never printed');

    const [closedPort] = await freePorts(1);
    const down = await cocoon('worker', 'cashout', '--stats-url', `http://127.0.0.1:${closedPort}`, '--admin-token-file', network.adminTokenFiles['worker-1']!);
    assert.equal(down.code, 1);
    assert.match(down.err.join('\n'), /CCN_ERR_CLI_RUNNER_UNREACHABLE: no worker answers at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);

    const noToken = await cocoon('proxy', 'withdraw', '--stats-url', network.statsUrls.proxy!, '--admin-token-file', join(directory, 'none.token'));
    assert.equal(noToken.code, 1);
    assert.match(noToken.err.join('\n'), /cannot read the admin token file .*none\.token \(ENOENT\); is the proxy running/);
  });
});

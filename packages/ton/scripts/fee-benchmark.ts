/**
 * Fee benchmark: what settlement costs on chain per 1 M adjusted tokens served, at the default
 * thresholds (client charged every 1 TON of usage, worker paid every 10 TON of fees, §6.7), plus
 * the gas of every operation. Every charge and payout really runs in the TVM emulator, sent the way
 * the runners send them: an external message to the runner's cocoon wallet carrying the signed
 * envelope, so the wallet, contract, proxy-contract and excess transactions are all counted.
 * Usage: npm run bench:fees [-- --charges N --payouts N]
 */
import { parseArgs } from 'node:util';
import { type Address, type Cell, loadMessage, toNano, type Transaction } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { SignedPaymentOp } from '../src/payments/signed-payment.ts';
import { CocoonWalletContract } from '../src/wrappers/cocoon-wallet-contract.ts';
import { createSettlementFixture, deployClient, signed, allSucceeded, type SettlementFixture } from '../test/contracts/settlement-fixture.ts';
import { SCENARIOS, measure, type GasRow } from './gas-table.ts';
import { rootWalletGasScenarios } from './gas-scenarios-root-wallet.ts';

const CHARGE_THRESHOLD = 1_000_000_000n;
const PAYOUT_THRESHOLD = 10_000_000_000n;
const SAVE_STATE_INTERVAL_SECONDS = 45;
const CHARGE_VALUE = toNano('0.7');
const PAYOUT_VALUE = toNano('0.5');

interface OperationCost {
  count: number;
  /** Sum of the fees of every transaction the operations caused, wallet external included. */
  totalFees: bigint;
}

const sumFees = (transactions: Transaction[]): bigint => transactions.reduce((sum, each) => sum + each.totalFees.coins, 0n);
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** A runner's cocoon wallet in the sandbox that sends one signed envelope per external message. */
async function runnerWallet(fixture: SettlementFixture, seed: number) {
  const keys = keyPairFromSeed(Buffer.alloc(32, seed));
  const owner = await fixture.blockchain.treasury(`wallet-owner-${seed}`);
  const wallet = fixture.blockchain.openContract(CocoonWalletContract.fromConfig({ publicKey: keys.publicKey, ownerAddress: owner.address }));
  await owner.send({ to: wallet.address, value: toNano('100'), bounce: false });
  let seqno = 0;
  return async (to: Address, value: bigint, body: Cell): Promise<Transaction[]> => {
    const transferBody = CocoonWalletContract.signedTransferBody({
      secretKey: keys.secretKey, seqno, messages: [{ to, value, body }], validUntil: (fixture.blockchain.now ?? 0) + 600,
    });
    const external = CocoonWalletContract.externalMessage(wallet.address, transferBody, seqno === 0 ? wallet.init : null);
    seqno += 1;
    const result = await fixture.blockchain.sendMessage(loadMessage(external.beginParse()));
    if (!allSucceeded(result.transactions)) throw new Error(`settlement transaction failed (seqno ${seqno - 1})`);
    return result.transactions;
  };
}

async function measureSettlement(charges: number, payouts: number) {
  const fixture = await createSettlementFixture();
  const price = fixture.params.pricePerToken;
  const workerFee = fixture.params.workerFeePerToken;
  const chargeEvery = ceilDiv(CHARGE_THRESHOLD, price);
  const payoutEvery = ceilDiv(PAYOUT_THRESHOLD, workerFee);
  // Enough client balance for every charge; the proxy contract collects it and pays workers from it.
  await deployClient(fixture, BigInt(charges + 2) * CHARGE_THRESHOLD + toNano('2'));
  await fixture.worker.sendDeploy(fixture.workerOwner.getSender(), { value: toNano('0.3') });
  const proxySend = await runnerWallet(fixture, 0x21);
  const workerSend = await runnerWallet(fixture, 0x22);
  await proxySend(fixture.proxyOwner.address, 1n, signed(fixture, SignedPaymentOp.clientCharge, fixture.client.address, 0n)); // deploys the wallet
  await workerSend(fixture.workerOwner.address, 1n, signed(fixture, SignedPaymentOp.workerPayout, fixture.worker.address, 0n));

  const charge: OperationCost = { count: 0, totalFees: 0n };
  for (let index = 1; index <= charges; index += 1) {
    fixture.blockchain.now = (fixture.blockchain.now ?? 0) + 60;
    const body = signed(fixture, SignedPaymentOp.clientCharge, fixture.client.address, chargeEvery * BigInt(index), BigInt(100 + index));
    charge.totalFees += sumFees(await proxySend(fixture.client.address, CHARGE_VALUE, body));
    charge.count += 1;
  }
  // The proxy contract needs the collected funds to pay: top it up for the payouts measured.
  await fixture.proxyOwner.send({ to: fixture.proxy.address, value: BigInt(payouts) * PAYOUT_THRESHOLD + toNano('1'), bounce: true });
  const payout: OperationCost = { count: 0, totalFees: 0n };
  for (let index = 1; index <= payouts; index += 1) {
    fixture.blockchain.now = (fixture.blockchain.now ?? 0) + 60;
    const body = signed(fixture, SignedPaymentOp.workerPayout, fixture.worker.address, payoutEvery * BigInt(index), BigInt(200 + index));
    payout.totalFees += sumFees(await workerSend(fixture.worker.address, PAYOUT_VALUE, body));
    payout.count += 1;
  }
  const saveState = await measure(SCENARIOS.find((scenario) => scenario.operation.startsWith('proxy: save-state'))!);
  return { price, workerFee, chargeEvery, payoutEvery, charge, payout, saveState };
}

function perMillionTokens(cost: OperationCost, everyTokens: bigint): bigint {
  const perOperation = cost.totalFees / BigInt(cost.count);
  return (perOperation * 1_000_000n) / everyTokens;
}

function printGasTable(rows: Array<GasRow & { name: string }>): void {
  const width = Math.max(...rows.map((row) => row.name.length));
  console.log(`${'operation'.padEnd(width)} | ${'gas'.padStart(6)} | ${'tx fees'.padStart(10)} | ${'all fees'.padStart(10)}`);
  for (const row of rows) {
    console.log(`${row.name.padEnd(width)} | ${String(row.gasUsed).padStart(6)} | ${String(row.totalFees).padStart(10)} | ${String(row.chainFees).padStart(10)}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { charges: { type: 'string', default: '5' }, payouts: { type: 'string', default: '2' } } });
  const settlement = await measureSettlement(Number(values.charges), Number(values.payouts));
  const chargesPerMillion = perMillionTokens(settlement.charge, settlement.chargeEvery);
  const payoutsPerMillion = perMillionTokens(settlement.payout, settlement.payoutEvery);
  const saveStatePerHour = settlement.saveState.chainFees * BigInt(Math.floor(3600 / SAVE_STATE_INTERVAL_SECONDS));
  const gasRows: Array<GasRow & { name: string }> = [];
  for (const scenario of SCENARIOS) gasRows.push({ name: scenario.operation, ...(await measure(scenario)) });
  for (const scenario of rootWalletGasScenarios) {
    const result = await scenario.run();
    gasRows.push({ name: scenario.name, operation: scenario.name, gasUsed: result.gasUsed, totalFees: result.totalFees, chainFees: result.totalFees, exitCode: 0 });
  }
  printGasTable(gasRows);
  console.log('');
  console.log(`price ${settlement.price} nanoTON/token, worker fee ${settlement.workerFee}; charge every ${settlement.chargeEvery} tokens (1 TON), payout every ${settlement.payoutEvery} tokens (10 TON of fees)`);
  console.log(`charge: ${settlement.charge.totalFees / BigInt(settlement.charge.count)} nanoTON each (wallet external + contracts), ${settlement.charge.count} measured`);
  console.log(`payout: ${settlement.payout.totalFees / BigInt(settlement.payout.count)} nanoTON each, ${settlement.payout.count} measured`);
  console.log(`per 1M adjusted tokens: charges ${chargesPerMillion} + payouts ${payoutsPerMillion} = ${chargesPerMillion + payoutsPerMillion} nanoTON`);
  console.log(`save-state every ${SAVE_STATE_INTERVAL_SECONDS} s: ${saveStatePerHour} nanoTON per hour, whatever the load`);
  console.log(JSON.stringify({
    price_per_token: Number(settlement.price), worker_fee_per_token: Number(settlement.workerFee),
    charge_every_tokens: Number(settlement.chargeEvery), payout_every_tokens: Number(settlement.payoutEvery),
    fees_per_charge_nanoton: Number(settlement.charge.totalFees / BigInt(settlement.charge.count)),
    fees_per_payout_nanoton: Number(settlement.payout.totalFees / BigInt(settlement.payout.count)),
    nanoton_per_1m_tokens: { charges: Number(chargesPerMillion), payouts: Number(payoutsPerMillion), total: Number(chargesPerMillion + payoutsPerMillion) },
    save_state_nanoton_per_hour: Number(saveStatePerHour),
  }));
}

await main();

/**
 * Runs each contract operation once in the sandbox and prints its gas and fees.
 * Usage: node --import tsx packages/ton/scripts/gas-table.ts
 * Rows are scenario functions: add one to SCENARIOS (root/wallet rows go there too). Each
 * returns the transactions of its operation and the contract whose transaction is measured.
 */
import { type Address, toNano, type Transaction } from '@ton/core';
import { SignedPaymentOp } from '../src/payments/signed-payment.ts';
import {
  createSettlementFixture, deployClient, findTransaction, signed, type SettlementFixture,
} from '../test/contracts/settlement-fixture.ts';

export interface GasMeasurement {
  transactions: Transaction[];
  /** The contract whose transaction is measured (first one to it). */
  target: Address;
}

export interface GasScenario {
  operation: string;
  run: () => Promise<GasMeasurement>;
}

async function withClient(): Promise<SettlementFixture> {
  const fixture = await createSettlementFixture();
  await deployClient(fixture, toNano('10'));
  return fixture;
}

async function withWorker(): Promise<SettlementFixture> {
  const fixture = await withClient();
  await fixture.worker.sendDeploy(fixture.workerOwner.getSender(), { value: toNano('0.3') });
  return fixture;
}

const excessesOf = (fixture: SettlementFixture) => ({ queryId: 1n, sendExcessesTo: fixture.clientOwner.address });

export const SCENARIOS: GasScenario[] = [
  { operation: 'proxy: increase stake', run: async () => {
    const fixture = await createSettlementFixture();
    const result = await fixture.proxy.sendIncreaseStake(fixture.proxyOwner.getSender(), {
      value: toNano('1.2'), queryId: 1n, grams: toNano('1'), sendExcessesTo: fixture.proxyOwner.address,
    });
    return { transactions: result.transactions, target: fixture.proxy.address };
  } },
  { operation: 'proxy: save-state (0.05 TON)', run: async () => {
    const fixture = await createSettlementFixture();
    const result = await fixture.proxy.sendSaveState(fixture.proxyOwner.getSender(), {
      queryId: 1n, seqno: 1, sessionUniqueHash: Buffer.alloc(32, 1), value: toNano('0.05'),
    });
    return { transactions: result.transactions, target: fixture.proxy.address };
  } },
  { operation: 'proxy: payout request', run: async () => {
    const fixture = await createSettlementFixture();
    const result = await fixture.proxy.sendPayoutRequest(fixture.proxyOwner.getSender(), { ...excessesOf(fixture), value: toNano('0.2') });
    return { transactions: result.transactions, target: fixture.proxy.address };
  } },
  { operation: 'proxy: signed close request', run: async () => {
    const fixture = await createSettlementFixture();
    const signedPayment = signed(fixture, SignedPaymentOp.proxyCloseRequest, fixture.proxy.address);
    const result = await fixture.proxy.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('1'), signedPayment });
    return { transactions: result.transactions, target: fixture.proxy.address };
  } },
  { operation: 'proxy: signed close complete', run: async () => {
    const fixture = await createSettlementFixture();
    const request = signed(fixture, SignedPaymentOp.proxyCloseRequest, fixture.proxy.address);
    await fixture.proxy.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('1'), signedPayment: request });
    fixture.blockchain.now = (fixture.blockchain.now ?? 0) + fixture.params.proxyDelayBeforeClose;
    const complete = signed(fixture, SignedPaymentOp.proxyCloseComplete, fixture.proxy.address);
    const result = await fixture.proxy.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('1'), signedPayment: complete });
    return { transactions: result.transactions, target: fixture.proxy.address };
  } },
  { operation: 'client: deploy + top-up', run: async () => {
    const fixture = await createSettlementFixture();
    return { transactions: await deployClient(fixture, toNano('10')), target: fixture.client.address };
  } },
  { operation: 'client: signed charge', run: async () => {
    const fixture = await withClient();
    const signedPayment = signed(fixture, SignedPaymentOp.clientCharge, fixture.client.address, 1000n);
    const result = await fixture.client.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('0.7'), signedPayment });
    return { transactions: result.transactions, target: fixture.client.address };
  } },
  { operation: 'client: signed grant refund', run: async () => {
    const fixture = await withClient();
    const signedPayment = signed(fixture, SignedPaymentOp.clientGrantRefund, fixture.client.address, 1000n);
    const result = await fixture.client.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('0.7'), signedPayment });
    return { transactions: result.transactions, target: fixture.client.address };
  } },
  { operation: 'client: register (nonce)', run: async () => {
    const fixture = await withClient();
    const result = await fixture.client.sendRegister(fixture.clientOwner.getSender(), { ...excessesOf(fixture), value: toNano('1'), nonce: 5n });
    return { transactions: result.transactions, target: fixture.client.address };
  } },
  { operation: 'client: change secret hash', run: async () => {
    const fixture = await withClient();
    const result = await fixture.client.sendChangeSecretHash(fixture.clientOwner.getSender(), {
      ...excessesOf(fixture), value: toNano('0.7'), secretHash: Buffer.alloc(32, 2),
    });
    return { transactions: result.transactions, target: fixture.client.address };
  } },
  { operation: 'client: increase stake', run: async () => {
    const fixture = await withClient();
    const result = await fixture.client.sendIncreaseStake(fixture.clientOwner.getSender(), { ...excessesOf(fixture), value: toNano('0.7'), newStake: toNano('2') });
    return { transactions: result.transactions, target: fixture.client.address };
  } },
  { operation: 'client: withdraw', run: async () => {
    const fixture = await withClient();
    const result = await fixture.client.sendWithdraw(fixture.clientOwner.getSender(), { ...excessesOf(fixture), value: toNano('0.7') });
    return { transactions: result.transactions, target: fixture.client.address };
  } },
  { operation: 'client: request refund (start closing)', run: async () => {
    const fixture = await withClient();
    const result = await fixture.client.sendRequestRefund(fixture.clientOwner.getSender(), { ...excessesOf(fixture), value: toNano('0.7') });
    return { transactions: result.transactions, target: fixture.client.address };
  } },
  { operation: 'worker: signed payout', run: async () => {
    const fixture = await withWorker();
    const signedPayment = signed(fixture, SignedPaymentOp.workerPayout, fixture.worker.address, 1_000_000n);
    const result = await fixture.worker.sendSigned(fixture.workerOwner.getSender(), { value: toNano('0.5'), signedPayment });
    return { transactions: result.transactions, target: fixture.worker.address };
  } },
  { operation: 'worker: signed last payout', run: async () => {
    const fixture = await withWorker();
    const signedPayment = signed(fixture, SignedPaymentOp.workerLastPayout, fixture.worker.address, 1_000_000n);
    const result = await fixture.worker.sendSigned(fixture.workerOwner.getSender(), { value: toNano('0.5'), signedPayment });
    return { transactions: result.transactions, target: fixture.worker.address };
  } },
  { operation: 'worker: register', run: async () => {
    const fixture = await withWorker();
    const result = await fixture.worker.sendRegister(fixture.workerOwner.getSender(), { value: toNano('0.3'), queryId: 1n, sendExcessesTo: fixture.workerOwner.address });
    return { transactions: result.transactions, target: fixture.worker.address };
  } },
];

export interface GasRow {
  operation: string;
  gasUsed: bigint;
  /** Total fees of the measured transaction (nanoTON). */
  totalFees: bigint;
  /** Total fees of every transaction the operation caused (nanoTON). */
  chainFees: bigint;
  exitCode: number;
}

export async function measure(scenario: GasScenario): Promise<GasRow> {
  const { transactions, target } = await scenario.run();
  const transaction = findTransaction(transactions, { to: target });
  if (!transaction) throw new Error(`${scenario.operation}: no transaction to the target`);
  const description = transaction.description;
  const vm = description.type === 'generic' && description.computePhase.type === 'vm' ? description.computePhase : undefined;
  const chainFees = transactions.reduce((sum, each) => sum + each.totalFees.coins, 0n);
  return { operation: scenario.operation, gasUsed: vm?.gasUsed ?? 0n, totalFees: transaction.totalFees.coins, chainFees, exitCode: vm?.exitCode ?? -1 };
}

function printTable(rows: GasRow[]): void {
  const header = ['operation', 'gasUsed', 'total fees (nanoTON)', 'chain fees (nanoTON)', 'exit'];
  const cells = rows.map((row) => [row.operation, String(row.gasUsed), String(row.totalFees), String(row.chainFees), String(row.exitCode)]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]?.length ?? 0)));
  const format = (line: string[]) => line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('-|-'));
  for (const line of cells) console.log(format(line));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows: GasRow[] = [];
  for (const scenario of SCENARIOS) rows.push(await measure(scenario));
  printTable(rows);
}

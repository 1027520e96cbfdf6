/**
 * Wrapper of the COCOON worker contract (contracts/cocoon-worker.tolk): register body, signed
 * payout submission, deploy and the data getter.
 */
import { type Address, beginCell, type Cell, type Contract, type ContractProvider, type Sender, SendMode } from '@ton/core';
import { loadContractCode } from '../contracts/contract-compiler.ts';
import { ContractOp } from '../contracts/contract-opcodes.ts';
import {
  settlementContractAddress, uint256ToBuffer, type WorkerContractConfig, workerContractData,
} from '../addresses/settlement-contract-data.ts';

export const WorkerOp = {
  ownerWorkerRegister: ContractOp.ownerWorkerRegister,
} as const;

export interface WorkerContractData {
  ownerAddress: Address;
  proxyAddress: Address;
  proxyPublicKey: Buffer;
  state: number;
  tokens: bigint;
}

export class CocoonWorkerContract implements Contract {
  constructor(readonly address: Address, readonly init?: { code: Cell; data: Cell }) {}

  static fromConfig(config: WorkerContractConfig, code: Cell = loadContractCode('worker')): CocoonWorkerContract {
    const data = workerContractData(config);
    return new CocoonWorkerContract(settlementContractAddress(code, data), { code, data });
  }

  static fromAddress(address: Address): CocoonWorkerContract {
    return new CocoonWorkerContract(address);
  }

  /** owner_worker_register (owner only): notifies the proxy contract. */
  static registerBody(input: { queryId: bigint; sendExcessesTo: Address }): Cell {
    return beginCell().storeUint(WorkerOp.ownerWorkerRegister, 32).storeUint(input.queryId, 64).storeAddress(input.sendExcessesTo).endCell();
  }

  /** Deploys with an empty body (state-init attached automatically while uninitialized). */
  async sendDeploy(provider: ContractProvider, via: Sender, input: { value: bigint }): Promise<void> {
    await provider.internal(via, { value: input.value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: beginCell().endCell() });
  }

  async sendRegister(provider: ContractProvider, via: Sender, input: { value: bigint; queryId: bigint; sendExcessesTo: Address }): Promise<void> {
    await provider.internal(via, { value: input.value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: CocoonWorkerContract.registerBody(input) });
  }

  /** Sends a signed payout / last_payout envelope (`signPayment`, possibly repacked). */
  async sendSigned(provider: ContractProvider, via: Sender, input: { value: bigint; signedPayment: Cell }): Promise<void> {
    await provider.internal(via, { value: input.value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: input.signedPayment });
  }

  async getWorkerData(provider: ContractProvider): Promise<WorkerContractData> {
    const { stack } = await provider.get('get_cocoon_worker_data', []);
    return {
      ownerAddress: stack.readAddress(),
      proxyAddress: stack.readAddress(),
      proxyPublicKey: uint256ToBuffer(stack.readBigNumber()),
      state: stack.readNumber(),
      tokens: stack.readBigNumber(),
    };
  }
}

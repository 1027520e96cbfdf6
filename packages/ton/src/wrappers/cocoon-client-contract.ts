/**
 * Wrapper of the COCOON client contract (contracts/cocoon-client.tolk): body builders for every
 * message (runners send them through their cocoon wallet), send helpers and the data getter.
 */
import { type Address, beginCell, type Builder, type Cell, type Contract, type ContractProvider, type Sender, SendMode } from '@ton/core';
import { loadContractCode } from '../contracts/contract-compiler.ts';
import { ContractOp } from '../contracts/contract-opcodes.ts';
import {
  bufferToUint256, type ClientContractConfig, clientContractData, settlementContractAddress, uint256ToBuffer,
} from '../addresses/settlement-contract-data.ts';

export const ClientOp = {
  ownerClientRegister: ContractOp.ownerClientRegister,
  ownerClientChangeSecretHash: ContractOp.ownerClientChangeSecretHash,
  ownerClientChangeSecretHashAndTopUp: ContractOp.ownerClientChangeSecretHashAndTopUp,
  ownerClientIncreaseStake: ContractOp.ownerClientIncreaseStake,
  ownerClientWithdraw: ContractOp.ownerClientWithdraw,
  ownerClientRequestRefund: ContractOp.ownerClientRequestRefund,
  ownerClientTopUpReopen: ContractOp.ownerClientTopUpReopen,
  extClientTopUp: ContractOp.extClientTopUp,
} as const;

export interface ClientContractData {
  ownerAddress: Address;
  proxyAddress: Address;
  proxyPublicKey: Buffer;
  state: number;
  balance: bigint;
  stake: bigint;
  tokensUsed: bigint;
  unlockTs: number;
  /** 32 bytes (SHA-256 of the client secret), zeros when unset. */
  secretHash: Buffer;
}

interface QueryAndExcesses {
  queryId: bigint;
  sendExcessesTo: Address;
}
type WithValue<T> = T & { value: bigint };

function header(op: number, queryId: bigint): Builder {
  return beginCell().storeUint(op, 32).storeUint(queryId, 64);
}

export class CocoonClientContract implements Contract {
  constructor(readonly address: Address, readonly init?: { code: Cell; data: Cell }) {}

  static fromConfig(config: ClientContractConfig, code: Cell = loadContractCode('client')): CocoonClientContract {
    const data = clientContractData(config);
    return new CocoonClientContract(settlementContractAddress(code, data), { code, data });
  }

  static fromAddress(address: Address): CocoonClientContract {
    return new CocoonClientContract(address);
  }

  /** ext_client_top_up (anyone; attach amount + ≥ 0.1 TON). Also the usual deploy message. */
  static topUpBody(input: QueryAndExcesses & { amount: bigint }): Cell {
    return header(ClientOp.extClientTopUp, input.queryId).storeCoins(input.amount).storeAddress(input.sendExcessesTo).endCell();
  }

  static registerBody(input: QueryAndExcesses & { nonce: bigint }): Cell {
    return header(ClientOp.ownerClientRegister, input.queryId).storeUint(input.nonce, 64).storeAddress(input.sendExcessesTo).endCell();
  }

  static changeSecretHashBody(input: QueryAndExcesses & { secretHash: Buffer }): Cell {
    return header(ClientOp.ownerClientChangeSecretHash, input.queryId)
      .storeUint(bufferToUint256(input.secretHash), 256)
      .storeAddress(input.sendExcessesTo)
      .endCell();
  }

  static changeSecretHashAndTopUpBody(input: QueryAndExcesses & { amount: bigint; secretHash: Buffer }): Cell {
    return header(ClientOp.ownerClientChangeSecretHashAndTopUp, input.queryId)
      .storeCoins(input.amount)
      .storeUint(bufferToUint256(input.secretHash), 256)
      .storeAddress(input.sendExcessesTo)
      .endCell();
  }

  static increaseStakeBody(input: QueryAndExcesses & { newStake: bigint }): Cell {
    return header(ClientOp.ownerClientIncreaseStake, input.queryId).storeCoins(input.newStake).storeAddress(input.sendExcessesTo).endCell();
  }

  static withdrawBody(input: QueryAndExcesses): Cell {
    return header(ClientOp.ownerClientWithdraw, input.queryId).storeAddress(input.sendExcessesTo).endCell();
  }

  static requestRefundBody(input: QueryAndExcesses): Cell {
    return header(ClientOp.ownerClientRequestRefund, input.queryId).storeAddress(input.sendExcessesTo).endCell();
  }

  /** Reopens a closed contract; the attached value minus 0.1 TON becomes the balance. */
  static topUpReopenBody(input: QueryAndExcesses): Cell {
    return header(ClientOp.ownerClientTopUpReopen, input.queryId).storeAddress(input.sendExcessesTo).endCell();
  }

  private async send(provider: ContractProvider, via: Sender, value: bigint, body: Cell): Promise<void> {
    await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
  }

  async sendTopUp(provider: ContractProvider, via: Sender, input: WithValue<QueryAndExcesses & { amount: bigint }>): Promise<void> {
    await this.send(provider, via, input.value, CocoonClientContract.topUpBody(input));
  }

  async sendRegister(provider: ContractProvider, via: Sender, input: WithValue<QueryAndExcesses & { nonce: bigint }>): Promise<void> {
    await this.send(provider, via, input.value, CocoonClientContract.registerBody(input));
  }

  async sendChangeSecretHash(provider: ContractProvider, via: Sender, input: WithValue<QueryAndExcesses & { secretHash: Buffer }>): Promise<void> {
    await this.send(provider, via, input.value, CocoonClientContract.changeSecretHashBody(input));
  }

  async sendChangeSecretHashAndTopUp(
    provider: ContractProvider, via: Sender, input: WithValue<QueryAndExcesses & { amount: bigint; secretHash: Buffer }>,
  ): Promise<void> {
    await this.send(provider, via, input.value, CocoonClientContract.changeSecretHashAndTopUpBody(input));
  }

  async sendIncreaseStake(provider: ContractProvider, via: Sender, input: WithValue<QueryAndExcesses & { newStake: bigint }>): Promise<void> {
    await this.send(provider, via, input.value, CocoonClientContract.increaseStakeBody(input));
  }

  async sendWithdraw(provider: ContractProvider, via: Sender, input: WithValue<QueryAndExcesses>): Promise<void> {
    await this.send(provider, via, input.value, CocoonClientContract.withdrawBody(input));
  }

  async sendRequestRefund(provider: ContractProvider, via: Sender, input: WithValue<QueryAndExcesses>): Promise<void> {
    await this.send(provider, via, input.value, CocoonClientContract.requestRefundBody(input));
  }

  async sendTopUpReopen(provider: ContractProvider, via: Sender, input: WithValue<QueryAndExcesses>): Promise<void> {
    await this.send(provider, via, input.value, CocoonClientContract.topUpReopenBody(input));
  }

  /** Sends a signed charge / grant_refund envelope (`signPayment`, possibly repacked). */
  async sendSigned(provider: ContractProvider, via: Sender, input: { value: bigint; signedPayment: Cell }): Promise<void> {
    await this.send(provider, via, input.value, input.signedPayment);
  }

  async getClientData(provider: ContractProvider): Promise<ClientContractData> {
    const { stack } = await provider.get('get_cocoon_client_data', []);
    return {
      ownerAddress: stack.readAddress(),
      proxyAddress: stack.readAddress(),
      proxyPublicKey: uint256ToBuffer(stack.readBigNumber()),
      state: stack.readNumber(),
      balance: stack.readBigNumber(),
      stake: stack.readBigNumber(),
      tokensUsed: stack.readBigNumber(),
      unlockTs: stack.readNumber(),
      secretHash: uint256ToBuffer(stack.readBigNumber()),
    };
  }
}

/**
 * Wrapper of the COCOON proxy contract (contracts/cocoon-proxy.tolk): body builders for every
 * message (so runners can send them through their wallet), send helpers and the data getter.
 */
import { type Address, beginCell, type Cell, type Contract, type ContractProvider, type Sender, SendMode } from '@ton/core';
import { loadContractCode } from '../contracts/contract-compiler.ts';
import { ContractOp } from '../contracts/contract-opcodes.ts';
import { type ProxyContractConfig, proxyContractData, settlementContractAddress, uint256ToBuffer } from '../addresses/settlement-contract-data.ts';

export const ProxyOp = {
  doNotProcess: ContractOp.doNotProcess,
  proxySaveState: ContractOp.proxySaveState,
  extProxyPayoutRequest: ContractOp.extProxyPayoutRequest,
  extProxyIncreaseStake: ContractOp.extProxyIncreaseStake,
  ownerProxyClose: ContractOp.ownerProxyClose,
} as const;

export interface ProxyContractData {
  ownerAddress: Address;
  proxyPublicKey: Buffer;
  rootAddress: Address;
  state: number;
  /** The proxy's earnings (nanoTON) not yet paid to its owner. */
  balance: bigint;
  stake: bigint;
  unlockTs: number;
}

export interface ProxySaveState {
  queryId: bigint;
  seqno: number;
  /** 32 bytes. */
  sessionUniqueHash: Buffer;
}

interface QueryAndExcesses {
  queryId: bigint;
  sendExcessesTo: Address;
}

export class CocoonProxyContract implements Contract {
  constructor(readonly address: Address, readonly init?: { code: Cell; data: Cell }) {}

  static fromConfig(config: ProxyContractConfig, code: Cell = loadContractCode('proxy')): CocoonProxyContract {
    const data = proxyContractData(config);
    return new CocoonProxyContract(settlementContractAddress(code, data), { code, data });
  }

  static fromAddress(address: Address): CocoonProxyContract {
    return new CocoonProxyContract(address);
  }

  static payoutRequestBody(input: QueryAndExcesses): Cell {
    return beginCell().storeUint(ProxyOp.extProxyPayoutRequest, 32).storeUint(input.queryId, 64).storeAddress(input.sendExcessesTo).endCell();
  }

  static increaseStakeBody(input: QueryAndExcesses & { grams: bigint }): Cell {
    return beginCell()
      .storeUint(ProxyOp.extProxyIncreaseStake, 32)
      .storeUint(input.queryId, 64)
      .storeCoins(input.grams)
      .storeAddress(input.sendExcessesTo)
      .endCell();
  }

  static ownerCloseBody(input: QueryAndExcesses): Cell {
    return beginCell().storeUint(ProxyOp.ownerProxyClose, 32).storeUint(input.queryId, 64).storeAddress(input.sendExcessesTo).endCell();
  }

  /** do_not_process + proxy_save_state in one cell (§6.4); the contract ignores it. */
  static saveStateBody(input: ProxySaveState): Cell {
    if (input.sessionUniqueHash.length !== 32) throw new RangeError('sessionUniqueHash must be 32 bytes');
    return beginCell()
      .storeUint(ProxyOp.doNotProcess, 32)
      .storeUint(input.queryId, 64)
      .storeUint(ProxyOp.proxySaveState, 32)
      .storeInt(input.seqno, 32)
      .storeBuffer(input.sessionUniqueHash)
      .endCell();
  }

  /** Parses a save-state body, or returns null when the cell is something else. */
  static readSaveStateBody(body: Cell): ProxySaveState | null {
    const slice = body.beginParse();
    if (slice.remainingBits < 32 + 64 + 32 + 32 + 256) return null;
    if (slice.loadUint(32) !== ProxyOp.doNotProcess) return null;
    const queryId = slice.loadUintBig(64);
    if (slice.loadUint(32) !== ProxyOp.proxySaveState) return null;
    return { queryId, seqno: slice.loadInt(32), sessionUniqueHash: slice.loadBuffer(32) };
  }

  /** Deploys (state-init attached automatically while uninitialized) by increasing the stake. */
  async sendIncreaseStake(provider: ContractProvider, via: Sender, input: QueryAndExcesses & { grams: bigint; value: bigint }): Promise<void> {
    await provider.internal(via, { value: input.value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: CocoonProxyContract.increaseStakeBody(input) });
  }

  async sendPayoutRequest(provider: ContractProvider, via: Sender, input: QueryAndExcesses & { value: bigint }): Promise<void> {
    await provider.internal(via, { value: input.value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: CocoonProxyContract.payoutRequestBody(input) });
  }

  async sendOwnerClose(provider: ContractProvider, via: Sender, input: QueryAndExcesses & { value: bigint }): Promise<void> {
    await provider.internal(via, { value: input.value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: CocoonProxyContract.ownerCloseBody(input) });
  }

  async sendSaveState(provider: ContractProvider, via: Sender, input: ProxySaveState & { value?: bigint }): Promise<void> {
    await provider.internal(via, { value: input.value ?? 1n, sendMode: SendMode.PAY_GAS_SEPARATELY, body: CocoonProxyContract.saveStateBody(input) });
  }

  /** Sends a signed close_request / close_complete envelope (`signPayment`). */
  async sendSigned(provider: ContractProvider, via: Sender, input: { value: bigint; signedPayment: Cell }): Promise<void> {
    await provider.internal(via, { value: input.value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: input.signedPayment });
  }

  async getProxyData(provider: ContractProvider): Promise<ProxyContractData> {
    const { stack } = await provider.get('get_cocoon_proxy_data', []);
    return {
      ownerAddress: stack.readAddress(),
      proxyPublicKey: uint256ToBuffer(stack.readBigNumber()),
      rootAddress: stack.readAddress(),
      state: stack.readNumber(),
      balance: stack.readBigNumber(),
      stake: stack.readBigNumber(),
      unlockTs: stack.readNumber(),
    };
  }
}

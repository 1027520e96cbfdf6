/**
 * Wrapper of the COCOON root contract (§6.9): deployment from a `RootInit`, pure body builders
 * for every owner-only admin message (so the root owner can send them through any wallet),
 * `send*` helpers and typed getters.
 */
import {
  beginCell, contractAddress, SendMode,
  type Address, type Builder, type Cell, type Contract, type ContractProvider, type Sender,
} from '@ton/core';
import { loadContractCode } from '../contracts/contract-compiler.ts';
import { ContractOp } from '../contracts/contract-opcodes.ts';
import { loadCocoonParams, type CocoonParams } from '../params/cocoon-params.ts';
import { buildRootState, hashToHex, type HashInput, parseRootState, storeProxyAddressText, type RootConfig, type RootInit } from '../root/root-state.ts';

export const ROOT_OPS = {
  addWorkerHash: ContractOp.rootAddWorkerHash, delWorkerHash: ContractOp.rootDelWorkerHash,
  addModelHash: ContractOp.rootAddModelHash, delModelHash: ContractOp.rootDelModelHash,
  addProxyHash: ContractOp.rootAddProxyHash, delProxyHash: ContractOp.rootDelProxyHash,
  registerProxy: ContractOp.rootRegisterProxy, unregisterProxy: ContractOp.rootUnregisterProxy, updateProxy: ContractOp.rootUpdateProxy,
  changeFees: ContractOp.rootChangeFees, changeParams: ContractOp.rootChangeParams,
  upgradeContracts: ContractOp.rootUpgradeContracts, upgradeCode: ContractOp.rootUpgradeCode, reset: ContractOp.rootReset,
  upgradeFull: ContractOp.rootUpgradeFull, changeOwner: ContractOp.rootChangeOwner,
} as const;

export type RootHash = HashInput;

/** Every admin message of the root contract. */
export type RootAdminMessage =
  | { type: 'addWorkerHash' | 'delWorkerHash' | 'addModelHash' | 'delModelHash' | 'addProxyHash' | 'delProxyHash'; hash: RootHash }
  | { type: 'registerProxy'; address: string }
  | { type: 'unregisterProxy'; seqno: number }
  | { type: 'updateProxy'; seqno: number; address: string }
  | { type: 'changeFees'; pricePerToken: bigint; workerFeePerToken: bigint }
  | {
    type: 'changeParams'; pricePerToken: bigint; workerFeePerToken: bigint; proxyDelayBeforeClose: number;
    clientDelayBeforeClose: number; minProxyStake: bigint; minClientStake: bigint;
  }
  | { type: 'upgradeContracts'; proxyCode: Cell; workerCode: Cell; clientCode: Cell }
  | { type: 'upgradeCode'; newCode: Cell }
  | { type: 'reset' }
  | { type: 'upgradeFull'; newData: Cell; newCode: Cell }
  | { type: 'changeOwner'; newOwner: Address };

function storeAdminFields(builder: Builder, message: RootAdminMessage): void {
  switch (message.type) {
    case 'addWorkerHash': case 'delWorkerHash': case 'addModelHash':
    case 'delModelHash': case 'addProxyHash': case 'delProxyHash':
      builder.storeUint(BigInt(`0x${hashToHex(message.hash)}`), 256);
      return;
    case 'registerProxy':
      storeProxyAddressText(builder, message.address);
      return;
    case 'unregisterProxy':
      builder.storeUint(message.seqno, 32);
      return;
    case 'updateProxy':
      builder.storeUint(message.seqno, 32);
      storeProxyAddressText(builder, message.address);
      return;
    case 'changeFees':
      builder.storeCoins(message.pricePerToken).storeCoins(message.workerFeePerToken);
      return;
    case 'changeParams':
      builder.storeCoins(message.pricePerToken).storeCoins(message.workerFeePerToken)
        .storeUint(message.proxyDelayBeforeClose, 32).storeUint(message.clientDelayBeforeClose, 32)
        .storeCoins(message.minProxyStake).storeCoins(message.minClientStake);
      return;
    case 'upgradeContracts':
      builder.storeRef(message.proxyCode).storeRef(message.workerCode).storeRef(message.clientCode);
      return;
    case 'upgradeCode':
      builder.storeRef(message.newCode);
      return;
    case 'reset':
      return;
    case 'upgradeFull':
      builder.storeRef(message.newData).storeRef(message.newCode);
      return;
    case 'changeOwner':
      builder.storeAddress(message.newOwner);
      return;
  }
}

export class CocoonRootContract implements Contract {
  readonly address: Address;
  readonly init?: { code: Cell; data: Cell };

  constructor(address: Address, init?: { code: Cell; data: Cell }) {
    this.address = address;
    this.init = init;
  }

  static fromConfig(config: RootInit, code: Cell = loadContractCode('root'), workchain = 0): CocoonRootContract {
    const init = { code, data: buildRootState(config) };
    return new CocoonRootContract(contractAddress(workchain, init), init);
  }

  static fromAddress(address: Address): CocoonRootContract {
    return new CocoonRootContract(address);
  }

  /** Body of any admin message: `op:uint32 query_id:uint64` then the op's fields. */
  static adminBody(message: RootAdminMessage, queryId: bigint = 0n): Cell {
    const builder = beginCell().storeUint(ROOT_OPS[message.type], 32).storeUint(queryId, 64);
    storeAdminFields(builder, message);
    return builder.endCell();
  }

  static addWorkerHashBody(hash: RootHash, queryId?: bigint): Cell { return this.adminBody({ type: 'addWorkerHash', hash }, queryId); }
  static delWorkerHashBody(hash: RootHash, queryId?: bigint): Cell { return this.adminBody({ type: 'delWorkerHash', hash }, queryId); }
  static addModelHashBody(hash: RootHash, queryId?: bigint): Cell { return this.adminBody({ type: 'addModelHash', hash }, queryId); }
  static delModelHashBody(hash: RootHash, queryId?: bigint): Cell { return this.adminBody({ type: 'delModelHash', hash }, queryId); }
  static addProxyHashBody(hash: RootHash, queryId?: bigint): Cell { return this.adminBody({ type: 'addProxyHash', hash }, queryId); }
  static delProxyHashBody(hash: RootHash, queryId?: bigint): Cell { return this.adminBody({ type: 'delProxyHash', hash }, queryId); }
  static registerProxyBody(address: string, queryId?: bigint): Cell { return this.adminBody({ type: 'registerProxy', address }, queryId); }
  static unregisterProxyBody(seqno: number, queryId?: bigint): Cell { return this.adminBody({ type: 'unregisterProxy', seqno }, queryId); }
  static updateProxyBody(seqno: number, address: string, queryId?: bigint): Cell {
    return this.adminBody({ type: 'updateProxy', seqno, address }, queryId);
  }
  static changeOwnerBody(newOwner: Address, queryId?: bigint): Cell { return this.adminBody({ type: 'changeOwner', newOwner }, queryId); }
  static resetBody(queryId?: bigint): Cell { return this.adminBody({ type: 'reset' }, queryId); }

  async sendDeploy(provider: ContractProvider, via: Sender, value: bigint): Promise<void> {
    await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: beginCell().endCell() });
  }

  async sendAdmin(provider: ContractProvider, via: Sender, options: { value: bigint; message: RootAdminMessage; queryId?: bigint }): Promise<void> {
    await provider.internal(via, {
      value: options.value,
      sendMode: SendMode.PAY_GAS_SEPARATELY,
      body: CocoonRootContract.adminBody(options.message, options.queryId),
    });
  }

  /** The whole configuration (get_cocoon_data). */
  async getConfig(provider: ContractProvider): Promise<RootConfig> {
    const { stack } = await provider.get('get_cocoon_data', []);
    return parseRootState(stack.readCell());
  }

  async getParams(provider: ContractProvider): Promise<CocoonParams> {
    const { stack } = await provider.get('get_cur_params', []);
    return loadCocoonParams(stack.readCell());
  }

  async getVersion(provider: ContractProvider): Promise<number> {
    const { stack } = await provider.get('get_version', []);
    return stack.readNumber();
  }

  async getOwnerAddress(provider: ContractProvider): Promise<Address> {
    const { stack } = await provider.get('get_owner_address', []);
    return stack.readAddress();
  }

  async getLastProxySeqno(provider: ContractProvider): Promise<number> {
    const { stack } = await provider.get('last_proxy_seqno', []);
    return stack.readNumber();
  }

  async getHashIsValid(provider: ContractProvider, kind: 'proxy' | 'worker' | 'model', hash: RootHash): Promise<boolean> {
    const { stack } = await provider.get(`${kind}_hash_is_valid`, [{ type: 'int', value: BigInt(`0x${hashToHex(hash)}`) }]);
    return stack.readBoolean();
  }
}

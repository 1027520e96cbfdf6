/**
 * Wrapper of the COCOON root contract (§6.9): deployment from a `RootInit`, pure body builders
 * for every owner-only admin message (so the root owner can send them through any wallet), the
 * key-manager ops (change_key_manager, add_public_key, relaying a signed add_public_key),
 * `send*` helpers and typed getters.
 */
import { randomBytes } from 'node:crypto';
import {
  beginCell, contractAddress, SendMode,
  type Address, type Builder, type Cell, type Contract, type ContractProvider, type Sender,
} from '@ton/core';
import { CocoonError } from '@cocoon/protocol';
import { loadContractCode } from '../contracts/contract-compiler.ts';
import { ContractOp } from '../contracts/contract-opcodes.ts';
import { loadCocoonParams, type CocoonParams } from '../params/cocoon-params.ts';
import { buildRootState, hashToHex, type HashInput, parseRootState, storeProxyAddressText, type RootConfig, type RootInit } from '../root/root-state.ts';
import { storeKeyManagerAddress } from '../root/root-key-manager-state.ts';
import { buildSignedPublicKeyBody, signedPublicKeyBody, type SignedPublicKeyEnvelope } from '../root/signed-public-key.ts';

export const ROOT_OPS = {
  addWorkerHash: ContractOp.rootAddWorkerHash, delWorkerHash: ContractOp.rootDelWorkerHash,
  addModelHash: ContractOp.rootAddModelHash, delModelHash: ContractOp.rootDelModelHash,
  addProxyHash: ContractOp.rootAddProxyHash, delProxyHash: ContractOp.rootDelProxyHash,
  registerProxy: ContractOp.rootRegisterProxy, unregisterProxy: ContractOp.rootUnregisterProxy, updateProxy: ContractOp.rootUpdateProxy,
  changeFees: ContractOp.rootChangeFees, changeParams: ContractOp.rootChangeParams,
  upgradeContracts: ContractOp.rootUpgradeContracts, upgradeCode: ContractOp.rootUpgradeCode, reset: ContractOp.rootReset,
  upgradeFull: ContractOp.rootUpgradeFull, changeOwner: ContractOp.rootChangeOwner,
  changeKeyManager: ContractOp.rootChangeKeyManager, addPublicKey: ContractOp.rootAddPublicKey,
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
  | { type: 'changeOwner'; newOwner: Address }
  | { type: 'changeKeyManager'; publicKey: RootHash; imageHash?: RootHash; address: string }
  | { type: 'addPublicKey'; publicKey: RootHash; keyType: number; expireAt: number };

const uint256 = (hash: RootHash, param: string): bigint => BigInt(`0x${hashToHex(hash, param)}`);

function checkKeyFields(keyType: number, expireAt: number): void {
  if (!Number.isInteger(keyType) || keyType < 0 || keyType > 0xff) {
    throw new CocoonError('CCN_ERR_INTERNAL', `keyType must be a uint8, got ${keyType}`, { param: 'keyType' });
  }
  if (!Number.isInteger(expireAt) || expireAt < 0 || expireAt > 0xffff_ffff) {
    throw new CocoonError('CCN_ERR_INTERNAL', `expireAt must be a uint32, got ${expireAt}`, { param: 'expireAt' });
  }
}

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
    case 'changeKeyManager':
      builder.storeUint(uint256(message.publicKey, 'publicKey'), 256).storeUint(uint256(message.imageHash ?? 0n, 'imageHash'), 256);
      storeKeyManagerAddress(builder, message.address);
      return;
    case 'addPublicKey':
      checkKeyFields(message.keyType, message.expireAt);
      builder.storeUint(uint256(message.publicKey, 'publicKey'), 256).storeUint(message.keyType, 8).storeUint(message.expireAt, 32);
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
  static changeKeyManagerBody(keyManager: { publicKey: RootHash; imageHash?: RootHash; address: string }, queryId?: bigint): Cell {
    return this.adminBody({ type: 'changeKeyManager', ...keyManager }, queryId);
  }
  static addPublicKeyBody(key: { publicKey: RootHash; keyType: number; expireAt: number }, queryId?: bigint): Cell {
    return this.adminBody({ type: 'addPublicKey', ...key }, queryId);
  }
  /**
   * A root_add_public_key_signed body signed with the key manager's machine key (`signingKey`: 32-byte
   * seed or 64-byte secret key); `queryId` defaults to a random one, as the reference's. Same as
   * buildSignedPublicKeyBody.
   */
  static addPublicKeySignedBody(options: {
    publicKey: RootHash; keyType: number; expireAt: number; signingKey: Uint8Array; returnExcessesTo?: Address; queryId?: bigint;
  }): Cell {
    return buildSignedPublicKeyBody(options.signingKey, {
      publicKey: options.publicKey, keyType: options.keyType, expireAt: options.expireAt,
      queryId: options.queryId ?? randomBytes(8).readBigUInt64BE(), sendExcessesTo: options.returnExcessesTo,
    });
  }

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
  /** Owner only: names a new key manager (its signing key, image hash, `host:port`); bumps version. */
  async sendChangeKeyManager(
    provider: ContractProvider, via: Sender, value: bigint,
    options: { publicKey: RootHash; imageHash?: RootHash; address: string; queryId?: bigint },
  ): Promise<void> {
    const { queryId, ...fields } = options;
    await this.sendAdmin(provider, via, { value, message: { type: 'changeKeyManager', ...fields }, queryId });
  }

  /** Owner only: registers an encryption key without a key-manager signature; bumps version. */
  async sendAddPublicKey(
    provider: ContractProvider, via: Sender, value: bigint,
    options: { publicKey: RootHash; keyType: number; expireAt: number; queryId?: bigint },
  ): Promise<void> {
    const { queryId, ...fields } = options;
    await this.sendAdmin(provider, via, { value, message: { type: 'addPublicKey', ...fields }, queryId });
  }

  /**
   * Anyone: relays a key registration signed by the root's key manager (see buildSignedPublicKeyBody);
   * `queryId` must be the signed one. The root returns what the operation did not use.
   */
  async sendAddPublicKeySigned(provider: ContractProvider, via: Sender, value: bigint, options: SignedPublicKeyEnvelope): Promise<void> {
    await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: signedPublicKeyBody(options) });
  }

  /** Sends an already built body (e.g. from buildSignedPublicKeyBody). */
  async sendBody(provider: ContractProvider, via: Sender, value: bigint, body: Cell): Promise<void> {
    await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body });
  }

  /** public_key_is_valid: registered and not expired at the chain's now (false on a root below struct_version 4). */
  async getPublicKeyIsValid(provider: ContractProvider, publicKey: RootHash): Promise<boolean> {
    const { stack } = await provider.get('public_key_is_valid', [{ type: 'int', value: uint256(publicKey, 'publicKey') }]);
    return stack.readBoolean();
  }

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

/**
 * Wrapper of the cocoon (runner) wallet contract (§6.1, §6.2): initial data, the signed external
 * body (`signature ‖ subwallet ‖ valid_until ‖ seqno` + up to 4 × `mode:uint8 ^message`), the
 * owner-only internal bodies (text "w", owner_wallet_send_message) and getters.
 */
import {
  beginCell, contractAddress, external, internal, SendMode, storeMessage, storeMessageRelaxed,
  type Address, type Cell, type Contract, type ContractProvider, type MessageRelaxed, type Sender, type StateInit,
} from '@ton/core';
import { sign } from '@ton/crypto';
import { CocoonError } from '@cocoon/protocol';
import { loadContractCode } from '../contracts/contract-compiler.ts';
import { ContractOp } from '../contracts/contract-opcodes.ts';

export const OP_OWNER_WALLET_SEND_MESSAGE = ContractOp.ownerWalletSendMessage;
export const WALLET_MAX_MESSAGES = 4;

export interface CocoonWalletConfig {
  publicKey: Buffer;
  ownerAddress: Address;
  subwalletId?: number;
  seqno?: number;
  status?: number;
}

export interface CocoonWalletData {
  seqno: number;
  subwalletId: number;
  publicKey: Buffer;
  status: number;
  ownerAddress: Address;
}

/** One outgoing internal message of a wallet external. */
export interface WalletMessage {
  to: Address;
  value: bigint;
  body?: Cell | null;
  init?: StateInit | null;
  /** Default: bounceable unless it carries a state-init. */
  bounce?: boolean;
  /** Send mode. Default: PAY_GAS_SEPARATELY (1), so the receiver gets exactly `value`. */
  mode?: number;
}

export interface SignedTransferOptions {
  secretKey: Buffer;
  seqno: number;
  /** Unix seconds. */
  validUntil: number;
  subwalletId?: number;
  messages: WalletMessage[];
}

/** An internal message as the wallet sends it. */
export function walletInternalMessage(message: WalletMessage): MessageRelaxed {
  return internal({
    to: message.to,
    value: message.value,
    bounce: message.bounce ?? !message.init,
    init: message.init ?? undefined,
    body: message.body ?? undefined,
  });
}

export class CocoonWalletContract implements Contract {
  readonly address: Address;
  readonly init?: StateInit & { code: Cell; data: Cell };

  constructor(address: Address, init?: { code: Cell; data: Cell }) {
    this.address = address;
    this.init = init;
  }

  static buildData(config: CocoonWalletConfig): Cell {
    if (config.publicKey.length !== 32) throw new CocoonError('CCN_ERR_INTERNAL', 'wallet public key must be 32 bytes', { param: 'publicKey' });
    return beginCell()
      .storeUint(config.seqno ?? 0, 32)
      .storeUint(config.subwalletId ?? 0, 32)
      .storeBuffer(config.publicKey)
      .storeUint(config.status ?? 0, 32)
      .storeAddress(config.ownerAddress)
      .endCell();
  }

  static parseData(data: Cell): CocoonWalletData {
    const slice = data.beginParse();
    return {
      seqno: slice.loadUint(32),
      subwalletId: slice.loadUint(32),
      publicKey: slice.loadBuffer(32),
      status: slice.loadUint(32),
      ownerAddress: slice.loadAddress(),
    };
  }

  static fromConfig(config: CocoonWalletConfig, code: Cell = loadContractCode('wallet'), workchain = 0): CocoonWalletContract {
    const init = { code, data: CocoonWalletContract.buildData(config) };
    return new CocoonWalletContract(contractAddress(workchain, init), init);
  }

  static fromAddress(address: Address): CocoonWalletContract {
    return new CocoonWalletContract(address);
  }

  /** The signed external body. */
  static signedTransferBody(options: SignedTransferOptions): Cell {
    if (options.messages.length > WALLET_MAX_MESSAGES) {
      throw new CocoonError('CCN_ERR_INTERNAL', `a wallet external carries at most ${WALLET_MAX_MESSAGES} messages, got ${options.messages.length}`);
    }
    const signed = beginCell()
      .storeUint(options.subwalletId ?? 0, 32)
      .storeUint(options.validUntil, 32)
      .storeUint(options.seqno, 32);
    for (const message of options.messages) {
      signed.storeUint(message.mode ?? SendMode.PAY_GAS_SEPARATELY, 8)
        .storeRef(beginCell().store(storeMessageRelaxed(walletInternalMessage(message))).endCell());
    }
    const signedCell = signed.endCell();
    return beginCell().storeBuffer(sign(signedCell.hash(), options.secretKey)).storeSlice(signedCell.beginParse()).endCell();
  }

  /** The serialized external-in message (with the wallet's state-init when deploying). */
  static externalMessage(to: Address, body: Cell, init?: StateInit | null): Cell {
    return beginCell().store(storeMessage(external({ to, body, init: init ?? undefined }))).endCell();
  }

  /** Text comment "w": the owner withdraws everything above 2 TON. */
  static withdrawBody(): Cell {
    return beginCell().storeUint(0, 32).storeStringTail('w').endCell();
  }

  /** owner_wallet_send_message: the owner makes the wallet send `message` with `mode`. */
  static ownerSendMessageBody(options: { message: WalletMessage; mode?: number; queryId?: bigint }): Cell {
    return beginCell()
      .storeUint(OP_OWNER_WALLET_SEND_MESSAGE, 32)
      .storeUint(options.queryId ?? 0n, 64)
      .storeUint(options.mode ?? options.message.mode ?? SendMode.PAY_GAS_SEPARATELY, 8)
      .storeRef(beginCell().store(storeMessageRelaxed(walletInternalMessage(options.message))).endCell())
      .endCell();
  }

  async sendExternal(provider: ContractProvider, body: Cell): Promise<void> {
    await provider.external(body);
  }

  async sendWithdraw(provider: ContractProvider, via: Sender, value: bigint): Promise<void> {
    await provider.internal(via, { value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: CocoonWalletContract.withdrawBody() });
  }

  async sendOwnerSendMessage(
    provider: ContractProvider, via: Sender, options: { value: bigint; message: WalletMessage; mode?: number; queryId?: bigint },
  ): Promise<void> {
    await provider.internal(via, { value: options.value, sendMode: SendMode.PAY_GAS_SEPARATELY, body: CocoonWalletContract.ownerSendMessageBody(options) });
  }

  async getSeqno(provider: ContractProvider): Promise<number> {
    const state = await provider.getState();
    if (state.state.type !== 'active') return 0;
    const { stack } = await provider.get('seqno', []);
    return stack.readNumber();
  }

  async getPublicKey(provider: ContractProvider): Promise<Buffer> {
    const { stack } = await provider.get('get_public_key', []);
    return Buffer.from(stack.readBigNumber().toString(16).padStart(64, '0'), 'hex');
  }

  async getOwnerAddress(provider: ContractProvider): Promise<Address> {
    const { stack } = await provider.get('get_owner_address', []);
    return stack.readAddress();
  }

  async getSubwalletId(provider: ContractProvider): Promise<number> {
    const { stack } = await provider.get('get_subwallet_id', []);
    return stack.readNumber();
  }

  async getBalance(provider: ContractProvider): Promise<bigint> {
    return (await provider.getState()).balance;
  }
}

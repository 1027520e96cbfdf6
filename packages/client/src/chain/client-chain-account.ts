/**
 * ClientChainAccount (§3.1 step 3–4, §6.5, §15.2): the client's contract at one proxy
 * contract. Verifies the addresses the proxy announced, deploys and tops up the contract,
 * keeps its secret hash current, registers long-auth nonces, verifies every signed charge
 * the proxy sends, and runs the automation (top-up, charge) plus the manual operations
 * (charge, top-up, withdraw, close). One contract operation at a time.
 */
import { createHash } from 'node:crypto';
import type { Address } from '@ton/core';
import { CocoonError, type Logger, type TlObject } from '@cocoon/protocol';
import {
  CocoonClientContract, parseClientContractData, readContractData, repackSignedPayment, type ClientContractData, type ContractStatus, type DerivedContract,
} from '@cocoon/ton';
import { ClientChainAmounts } from './client-chain-amounts.ts';
import type { ClientChainAccountContext, ProxyContractIdentity } from './client-chain-context.ts';
import { verifyProxyContracts } from './proxy-contract-verification.ts';
import { SignedChargeTracker, type SignedChargeVerdict } from './signed-charge-tracker.ts';
import { sendContractOperation, type ContractOperation } from './contract-operation.ts';

/** What the chain says about the client contract (undefined fields until deployed). */
export interface ClientContractView extends Pick<ClientContractData, 'status' | 'balance' | 'stake' | 'tokensUsed' | 'unlockTs' | 'secretHash'> {
  /** nanoTON held by the contract account itself. */
  accountBalance: bigint;
}

export type ClientAuthorization = { kind: 'short'; secretHash: Buffer; nonce: bigint } | { kind: 'long'; nonce: bigint };

export class ClientChainAccount {
  readonly proxyAddress: Address;
  readonly contract: DerivedContract;
  readonly proxyPublicKey: Buffer;
  readonly charges: SignedChargeTracker;
  tokensUsedProxyMax = 0n;
  tokensUsedProxyCommittedToDb = 0n;
  private view: ClientContractView | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private busy = 0;
  private readonly secretHash: Buffer;
  private readonly logger: Logger;

  constructor(private readonly context: ClientChainAccountContext, identity: ProxyContractIdentity) {
    const verified = verifyProxyContracts(context, identity);
    this.proxyAddress = verified.proxyAddress;
    this.contract = verified.clientContract;
    this.proxyPublicKey = identity.proxyPublicKey;
    this.logger = context.logger;
    this.charges = new SignedChargeTracker(identity.proxyPublicKey, this.contract.address, context.logger);
    this.secretHash = createHash('sha256').update(context.secretString, 'utf8').digest();
  }

  /** params_version of the contracts this account was derived with. */
  get paramsVersion(): number {
    return this.context.params.paramsVersion;
  }

  /** The last contract state read from chain (undefined: not deployed or not read yet). */
  get contractView(): ClientContractView | undefined {
    return this.view;
  }

  get state(): ContractStatus | 'undeployed' {
    return this.view?.status ?? 'undeployed';
  }

  private get price(): bigint {
    return this.context.params.pricePerToken > 0n ? this.context.params.pricePerToken : 1n;
  }

  /** stake / price (§15.2). */
  get stakeTokens(): bigint {
    return (this.view?.stake ?? this.context.params.minClientStake) / this.price;
  }

  /** tokens_used + balance / price (§15.2). */
  get tokensPaid(): bigint {
    return this.view ? this.view.tokensUsed + this.view.balance / this.price : 0n;
  }

  /** Re-reads the client contract from chain. */
  async refresh(): Promise<ClientContractView | undefined> {
    const read = await readContractData(this.context.chain, this.contract.address, parseClientContractData);
    this.view = read && {
      status: read.data.status, balance: read.data.balance, stake: read.data.stake, tokensUsed: read.data.tokensUsed,
      unlockTs: read.data.unlockTs, secretHash: read.data.secretHash, accountBalance: read.balance,
    };
    return this.view;
  }

  /** Handshake step 4: deploys and updates the secret as needed; 'long' means the register was sent. */
  async prepareAuthorization(auth: ClientAuthorization): Promise<'short' | 'long'> {
    await this.ensureDeployed();
    await this.ensureSecretHash();
    if (this.view?.status === 'closed') {
      throw new CocoonError('CCN_ERR_AUTH_FAILED', `client contract ${this.friendly(this.contract.address)} is closed`);
    }
    if (auth.kind === 'short' && auth.secretHash.equals(this.secretHash)) return 'short';
    await this.register(auth.nonce);
    return 'long';
  }

  /** Deploys the contract with an initial top-up of one stake when it is not active (once). */
  async ensureDeployed(): Promise<void> {
    await this.exclusive(async () => {
      if (await this.refresh()) return;
      const amount = this.stakeAmount(this.context.params.minClientStake);
      this.logger.info('deploying client contract', { sc_address: this.friendly(this.contract.address), top_up: amount });
      await this.send({
        what: 'deploy client contract', value: ClientChainAmounts.deploy + amount, init: this.contract.init,
        body: CocoonClientContract.topUpBody({ queryId: this.context.nextQueryId(), amount, sendExcessesTo: this.context.wallet.address }),
        settled: (view) => view !== undefined,
      });
    });
  }

  /** Sends owner_client_change_secret_hash when the contract's hash differs from SHA256(secret_string). */
  async ensureSecretHash(): Promise<boolean> {
    return this.exclusive(async () => {
      const view = await this.refresh();
      if (!view || view.status === 'closed' || view.secretHash.equals(this.secretHash)) return false;
      this.logger.info('changing client contract secret hash', { sc_address: this.friendly(this.contract.address) });
      await this.send({
        what: 'change secret hash', value: ClientChainAmounts.operation,
        body: CocoonClientContract.changeSecretHashBody({ queryId: this.context.nextQueryId(), secretHash: this.secretHash, sendExcessesTo: this.context.wallet.address }),
        settled: (next) => next?.secretHash.equals(this.secretHash) === true,
      });
      return true;
    });
  }

  /** owner_client_register with the connection's nonce (long authorization). */
  async register(nonce: bigint): Promise<void> {
    await this.exclusive(() => this.send({
      what: 'register with the proxy', value: ClientChainAmounts.register,
      // the TL nonce is a signed long; on chain it is a uint64
      body: CocoonClientContract.registerBody({ queryId: this.context.nextQueryId(), nonce: BigInt.asUintN(64, nonce), sendExcessesTo: this.context.wallet.address }),
      settled: () => true,
    }));
  }

  observeSignedPayment(payment: TlObject | undefined): SignedChargeVerdict {
    return this.charges.observe(payment);
  }

  observeProxyTotals(dbTokens: bigint, maxTokens: bigint): void {
    if (dbTokens > this.tokensUsedProxyCommittedToDb) this.tokensUsedProxyCommittedToDb = dbTokens;
    if (maxTokens > this.tokensUsedProxyMax) this.tokensUsedProxyMax = maxTokens;
  }

  /** One automation pass (§6.5); returns what it did. Skipped while another operation runs. */
  async runAutomation(): Promise<'deploy' | 'top-up' | 'charge' | undefined> {
    if (this.busy > 0) return undefined;
    const view = await this.refresh();
    if (!view) {
      await this.ensureDeployed();
      return 'deploy';
    }
    if (view.status !== 'normal') return undefined;
    if (this.tokensPaid - this.tokensUsedProxyMax < this.stakeTokens / 2n) {
      await this.topUp();
      return 'top-up';
    }
    const charge = this.charges.newest;
    if (charge && charge.newTokens > view.tokensUsed && this.tokensUsedProxyMax > view.tokensUsed + this.stakeTokens / 2n) {
      await this.charge();
      return 'charge';
    }
    return undefined;
  }

  /** Submits the newest signed charge (repacked: excesses to own wallet). */
  async charge(): Promise<ClientContractView | undefined> {
    return this.exclusive(async () => {
      const view = await this.requireState(['normal', 'closing'], 'charge');
      const charge = this.charges.newest;
      if (!charge || charge.newTokens <= view.tokensUsed) {
        throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `no signed charge newer than the contract's ${view.tokensUsed} tokens`, { param: 'charge' });
      }
      return this.send({
        what: 'charge', value: ClientChainAmounts.operation, body: repackSignedPayment(charge.cell, this.context.wallet.address),
        settled: (next) => next !== undefined && next.tokensUsed >= charge.newTokens,
      });
    });
  }

  /** ext_client_top_up of `amountNanoton` (default one stake), rounded down to a multiple of the price. */
  async topUp(amountNanoton?: bigint): Promise<ClientContractView | undefined> {
    return this.exclusive(async () => {
      const view = await this.requireState(['normal', 'closing'], 'top up');
      const amount = this.stakeAmount(amountNanoton ?? view.stake);
      if (amount <= 0n) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `top-up amount must be at least the price of one token (${this.price} nanoTON)`, { param: 'amount' });
      return this.send({
        what: 'top up', value: ClientChainAmounts.operation + amount,
        body: CocoonClientContract.topUpBody({ queryId: this.context.nextQueryId(), amount, sendExcessesTo: this.context.wallet.address }),
        settled: (next) => next !== undefined && next.balance !== view.balance,
      });
    });
  }

  /** owner_client_withdraw: refunds balance − stake. */
  async withdraw(): Promise<ClientContractView | undefined> {
    return this.exclusive(async () => {
      const view = await this.requireState(['normal'], 'withdraw');
      if (view.balance <= view.stake) {
        throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `nothing to withdraw: balance ${view.balance} ≤ stake ${view.stake}`, { param: 'balance' });
      }
      return this.send({
        what: 'withdraw', value: ClientChainAmounts.operation,
        body: CocoonClientContract.withdrawBody({ queryId: this.context.nextQueryId(), sendExcessesTo: this.context.wallet.address }),
        settled: (next) => next !== undefined && next.balance === view.stake,
      });
    });
  }

  /** owner_client_request_refund: normal → closing; closing after unlock_ts → closed (force-close). */
  async close(): Promise<ClientContractView | undefined> {
    return this.exclusive(async () => {
      const view = await this.requireState(['normal', 'closing'], 'close');
      if (view.status === 'closing') {
        const now = await this.context.chain.now();
        if (now < view.unlockTs) {
          throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `contract is closing; force-close possible after unix time ${view.unlockTs} (${view.unlockTs - now} s)`, { param: 'unlock_ts' });
        }
      }
      const target: ContractStatus = view.status === 'normal' ? 'closing' : 'closed';
      return this.send({
        what: target === 'closing' ? 'close' : 'force-close', value: ClientChainAmounts.operation,
        body: CocoonClientContract.requestRefundBody({ queryId: this.context.nextQueryId(), sendExcessesTo: this.context.wallet.address }),
        settled: (next) => next?.status === target,
      });
    });
  }

  /** The `/jsonstats` `proxies[]` entry. */
  json(): Record<string, unknown> {
    const view = this.view;
    return {
      proxy_sc_address: this.friendly(this.proxyAddress),
      params_version: this.context.params.paramsVersion,
      proxy_public_key: this.proxyPublicKey.toString('hex'),
      sc_address: this.friendly(this.contract.address),
      state: this.state,
      balance: view?.balance ?? 0n,
      stake: view?.stake ?? 0n,
      tokens_used: view?.tokensUsed ?? 0n,
      unlock_ts: view?.unlockTs ?? 0,
      tokens_payed: this.tokensPaid,
      tokens_used_proxy_max: this.tokensUsedProxyMax,
      tokens_used_proxy_committed_to_db: this.tokensUsedProxyCommittedToDb,
      tokens_used_proxy_committed_to_blockchain: this.charges.tokens,
      secret_hash_ok: view ? view.secretHash.equals(this.secretHash) : false,
    };
  }

  friendly(address: Address): string {
    return address.toString({ testOnly: this.context.params.isTest });
  }

  private stakeAmount(stake: bigint): bigint {
    return stake - (stake % this.price);
  }

  private async requireState(allowed: ContractStatus[], what: string): Promise<ClientContractView> {
    const view = await this.refresh();
    if (!view) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `cannot ${what}: client contract is not deployed`, { param: 'state' });
    if (!allowed.includes(view.status)) {
      throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `cannot ${what}: client contract is ${view.status}`, { param: 'state' });
    }
    return view;
  }

  private async send(operation: Omit<ContractOperation<ClientContractView | undefined>, 'to' | 'read'>): Promise<ClientContractView | undefined> {
    return sendContractOperation(this.context, { ...operation, to: this.contract.address, read: () => this.refresh() });
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    this.busy += 1;
    const result = this.queue.then(operation, operation).finally(() => {
      this.busy -= 1;
    });
    this.queue = result.catch(() => undefined);
    return result;
  }
}

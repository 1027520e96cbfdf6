/**
 * All client accounts of the proxy, opened on first use from a pluggable
 * `ClientStateSource` (configuration now, client contracts later).
 */
import { CocoonError } from '@cocoon/protocol';
import { ClientAccount } from './client-account.ts';
import type { ClientContractState, ClientStateSource } from './client-contract-state.ts';

export interface ClientAccountRegistryOptions {
  source: ClientStateSource;
  /** Current `price_per_token` in nanoTON. */
  pricePerToken: () => bigint;
  /** Tokens already used by a client (`tokens_max`), e.g. from the ledger. Default 0. */
  restoreUsedTokens?: (ownerAddress: string) => Promise<bigint>;
}

export class ClientAccountRegistry {
  private readonly accounts = new Map<string, ClientAccount>();
  private readonly opening = new Map<string, Promise<ClientAccount>>();

  constructor(private readonly options: ClientAccountRegistryOptions) {}

  /** The account of `ownerAddress`, loading it once; CCN_ERR_AUTH_FAILED if the source does not know it. */
  async open(ownerAddress: string): Promise<ClientAccount> {
    const existing = this.accounts.get(ownerAddress);
    if (existing) return existing;
    let pending = this.opening.get(ownerAddress);
    if (!pending) {
      pending = this.load(ownerAddress).finally(() => this.opening.delete(ownerAddress));
      this.opening.set(ownerAddress, pending);
    }
    return pending;
  }

  /** An already opened account. */
  get(ownerAddress: string): ClientAccount | undefined {
    return this.accounts.get(ownerAddress);
  }

  /** Pushes new contract state (e.g. from a chain notification); false if unknown or stale. */
  updateState(ownerAddress: string, state: ClientContractState): boolean {
    return this.accounts.get(ownerAddress)?.updateState(state) ?? false;
  }

  list(): ClientAccount[] {
    return [...this.accounts.values()];
  }

  private async load(ownerAddress: string): Promise<ClientAccount> {
    const state = await this.options.source.load(ownerAddress);
    if (!state) throw new CocoonError('CCN_ERR_AUTH_FAILED', `unknown client ${ownerAddress}`, { param: 'owner_address' });
    const usedTokens = (await this.options.restoreUsedTokens?.(ownerAddress)) ?? 0n;
    const account = new ClientAccount({ ownerAddress, state, pricePerToken: this.options.pricePerToken, usedTokens });
    this.accounts.set(ownerAddress, account);
    return account;
  }
}

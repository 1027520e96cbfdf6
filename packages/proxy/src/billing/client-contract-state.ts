/**
 * Where a client account's on-chain facts come from. In this issue there is no chain:
 * `ConfiguredClientStateSource` serves dev clients from configuration. The TON issue
 * plugs in a source backed by client contracts (and pushes updates via
 * `ClientAccountRegistry.updateState`).
 */

/** Client contract state (reference `sc_status` 0/1/2, 3 = not initialised yet). */
export type ClientContractStatus = 'active' | 'closing' | 'closed' | 'uninitialized';

/** Mirror of the client contract (§15.3), amounts in nanoTON. */
export interface ClientContractState {
  status: ClientContractStatus;
  balanceNanoton: bigint;
  stakeNanoton: bigint;
  /** Tokens already charged on chain (contract `tokens_used`). */
  chargedTokens: bigint;
}

export interface ClientStateSource {
  /** The state of the client contract owned by `ownerAddress`, or undefined if there is none. */
  load(ownerAddress: string): Promise<ClientContractState | undefined>;
}

/** A dev client from configuration: starting balance and stake in nanoTON. */
export interface ConfiguredClient {
  ownerAddress: string;
  balanceNanoton: bigint;
  stakeNanoton: bigint;
}

/** Serves configured dev clients as active contracts with nothing charged yet. */
export class ConfiguredClientStateSource implements ClientStateSource {
  private readonly clients = new Map<string, ConfiguredClient>();

  constructor(clients: readonly ConfiguredClient[]) {
    for (const client of clients) this.clients.set(client.ownerAddress, client);
  }

  async load(ownerAddress: string): Promise<ClientContractState | undefined> {
    const client = this.clients.get(ownerAddress);
    if (!client) return undefined;
    return { status: 'active', balanceNanoton: client.balanceNanoton, stakeNanoton: client.stakeNanoton, chargedTokens: 0n };
  }
}

/**
 * Reads the root contract's configuration from any `Chain` (runners refresh it every 30–60 s,
 * §6.9): runs `get_cocoon_data` and parses the returned state cell.
 */
import type { Address } from '@ton/core';
import { CocoonError } from '@cocoon/protocol';
import type { Chain } from '../chain/chain.ts';
import { parseRootState, type RootConfig } from './root-state.ts';

export async function readRootConfig(chain: Chain, rootAddress: Address): Promise<RootConfig> {
  const account = await chain.getAccount(rootAddress);
  if (account.state !== 'active') {
    throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `root contract ${rootAddress.toString()} is not deployed (state ${account.state})`, { param: 'root_address' });
  }
  try {
    const reader = await chain.runGetMethod(rootAddress, 'get_cocoon_data');
    return parseRootState(reader.readCell());
  } catch (error) {
    if (error instanceof CocoonError && error.code !== 'CCN_ERR_TON_TRANSACTION_FAILED') throw error;
    throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `${rootAddress.toString()} is not a COCOON root contract: ${(error as Error).message}`, { cause: error, param: 'root_address' });
  }
}

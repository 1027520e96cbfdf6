/** Runs the Chain conformance suite against TonClientChain talking to a LocalChainServer over HTTP. */
import { startLocalChainServer } from '../../src/chain/local-chain-server.ts';
import { LocalChainFaucet } from '../../src/chain/local-chain-faucet.ts';
import { TonClientChain } from '../../src/chain/ton-client-chain.ts';
import { CONFORMANCE_CHAIN_TIME, runChainConformance } from './chain-conformance.ts';

runChainConformance('TonClientChain → LocalChainServer', async () => {
  const server = await startLocalChainServer({ now: () => CONFORMANCE_CHAIN_TIME });
  const chain = new TonClientChain({ endpoint: server.endpoint, retryDelayMs: 1 });
  const faucet = new LocalChainFaucet({ url: server.url });
  return {
    chain,
    faucet,
    close: async () => {
      await chain.close();
      await server.close();
    },
  };
});

/** Re-exports of the root and cocoon wallet contract wrappers. */
export { CocoonRootContract, ROOT_OPS, type RootAdminMessage, type RootHash } from './cocoon-root-contract.ts';
export {
  CocoonWalletContract, OP_OWNER_WALLET_SEND_MESSAGE, WALLET_MAX_MESSAGES, walletInternalMessage,
  type CocoonWalletConfig, type CocoonWalletData, type SignedTransferOptions, type WalletMessage,
} from './cocoon-wallet-contract.ts';

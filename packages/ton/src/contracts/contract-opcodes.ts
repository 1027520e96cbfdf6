/**
 * Every message opcode of the COCOON contracts, named after its `OP_*` constant in
 * contracts/common/opcodes.tolk (OP_ROOT_ADD_WORKER_HASH → rootAddWorkerHash). The one TypeScript
 * source of these numbers: wrappers, event readers and signed payments take theirs from here, and
 * a test checks this table against the Tolk sources (constants and `struct (0x…)` prefixes).
 */
export const ContractOp = {
  // Shared by root, proxy, client, worker and wallet contracts.
  // Common
  excesses: 0x2565934c,
  payout: 0xc59a7cd3,
  doNotProcess: 0x9a1247c0,
  proxySaveState: 0x53109c0f,
  // Signed payments (envelope op == payload op)
  clientChargeSigned: 0xbb63ff93,
  clientGrantRefundSigned: 0xefd711e1,
  workerPayoutSigned: 0xa040ad28,
  workerLastPayoutSigned: 0xf5f26a36,
  proxyCloseRequestSigned: 0x636a4391,
  proxyCloseCompleteSigned: 0xe511abc7,
  // Client contract -> proxy contract
  clientProxyRequest: 0x65448ff4,
  clientProxyTopUp: 0x5cfc6b87,
  clientProxyRegister: 0xa35cb580,
  clientProxyRefundGranted: 0xc68ebc7b,
  clientProxyRefundForce: 0xf4c354c9,
  // Worker contract -> proxy contract
  workerProxyRequest: 0x4d725d2c,
  workerProxyPayoutRequest: 0x08e7d036,
  // Client owner / anyone ops
  ownerClientRegister: 0xc45f9f3b,
  ownerClientChangeSecretHash: 0xa9357034,
  ownerClientChangeSecretHashAndTopUp: 0x8473b408,
  ownerClientIncreaseStake: 0x6a1f6a60,
  ownerClientWithdraw: 0xda068e78,
  ownerClientRequestRefund: 0xfafa6cc1,
  ownerClientTopUpReopen: 0x29111ceb,
  extClientTopUp: 0xf172e6c2,
  // Worker owner ops
  ownerWorkerRegister: 0x26ed7f65,
  // Proxy ops
  extProxyPayoutRequest: 0x7610e6eb,
  extProxyIncreaseStake: 0x9713f187,
  ownerProxyClose: 0xb51d5a01,
  // Root admin ops
  rootAddWorkerHash: 0xe34b1c60,
  rootDelWorkerHash: 0x8d94a79a,
  rootAddModelHash: 0xc146134d,
  rootDelModelHash: 0x92b11c18,
  rootAddProxyHash: 0x71860e80,
  rootDelProxyHash: 0x3c41d0b2,
  rootRegisterProxy: 0x927c7cb5,
  rootUnregisterProxy: 0x6d49eaf2,
  rootUpdateProxy: 0x9c7924ba,
  rootChangeFees: 0xc52ed8d4,
  rootChangeParams: 0x022fa189,
  rootUpgradeContracts: 0xa2370f61,
  rootUpgradeCode: 0x11aefd51,
  rootReset: 0x563c1d96,
  rootUpgradeFull: 0x4f7c5789,
  rootChangeOwner: 0xc4a1ae54,
  rootChangeKeyManager: 0xb01c0fe9,
  rootAddPublicKey: 0x6e5a646a,
  rootAddPublicKeySigned: 0x9e0e1821,
  // Cocoon wallet
  ownerWalletSendMessage: 0x9c69f376,
} as const;

export type ContractOpName = keyof typeof ContractOp;

/** nanoTON the client runner attaches to its client contract operations (§6.8). */
export const ClientChainAmounts = {
  /** Deploy (plus the initial top-up amount). */
  deploy: 800_000_000n,
  /** owner_client_register (long authorization). */
  register: 1_000_000_000n,
  /** Charge, top-up gas, withdraw, close, change secret. */
  operation: 700_000_000n,
} as const;

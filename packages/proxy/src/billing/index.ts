/** Proxy billing: client accounts, admission and reservation (§4.3), completion accounting (§4.8). */
export { ClientAccount, type ClientAccountOptions, type AdmissionRequest, type Admission, type ClientAccountStats } from './client-account.ts';
export { ClientAccountRegistry, type ClientAccountRegistryOptions } from './client-account-registry.ts';
export {
  ConfiguredClientStateSource,
  type ClientStateSource,
  type ClientContractState,
  type ClientContractStatus,
  type ConfiguredClient,
} from './client-contract-state.ts';
export { Reservation, type ReservationOwner } from './reservation.ts';
export {
  CompletionAccounting,
  buildLedgerCompletion,
  type TokenPrices,
  type LedgerCompletionInput,
  type CompletionAccountingOptions,
  type FinishedRequest,
} from './completion-accounting.ts';

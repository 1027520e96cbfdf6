/** Proxy routing: worker registry, worker selection by the market score (§4.4) and the retry policy. */
export {
  RegisteredWorker, type WorkerRegistration, type WorkerAttestationView, type WorkerConnectionStats, type WorkerMarketView, type WorkerRequestHandle,
} from './registered-worker.ts';
export { WorkerRegistry, perProxyMaxActiveRequests, type ModelListing, type SelectOptions, type WorkerRegistryOptions } from './worker-registry.ts';
export { RetryPolicy, type RetryPolicyOptions } from './retry-policy.ts';
export { DEFAULT_MARKET_SETTINGS, type MarketSettings } from './market-settings.ts';
export { WorkerMarketStats, type AttemptMeasurement } from './worker-market-stats.ts';
export { MARKET_SORTS, parseMarketSort, routingPreferencesOf, type MarketSort, type RoutingPreferences } from './routing-preferences.ts';
export { marketAnswer } from './market-view.ts';
export { isWorkerFault } from './attempt-fault.ts';

/** Root contract configuration: building the deploy state and reading it back from a Chain. */
export {
  buildRootData, buildRootState, parseRootData, parseRootState, hashToHex, storeProxyAddressText, registeredProxyValue,
  type HashInput, type RegisteredProxy, type RootData, type RootConfig, type RootInit,
} from './root-state.ts';
export { readRootConfig } from './read-root-config.ts';
export {
  RootConfigWatcher, DEFAULT_ROOT_REFRESH_INTERVAL_MS, type RootConfigListener, type RootConfigWatcherOptions,
} from './root-config-watcher.ts';
export { RootNetworkParamsSource, networkParamsOf, type RootConfigFeed } from './root-network-params-source.ts';

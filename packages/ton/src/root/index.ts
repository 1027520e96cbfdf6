/** Root contract configuration: building the deploy state and reading it back from a Chain. */
export {
  buildRootData, buildRootState, parseRootData, parseRootState, hashToHex, storeProxyAddressText, registeredProxyValue,
  MAX_PROXY_ADDRESS_BYTES, type HashInput, type RegisteredProxy, type RootData, type RootConfig, type RootInit,
} from './root-state.ts';
export {
  isRegisteredPublicKey, emptyKeyManagerState, buildKeyManagerCell, buildVerifiedKeysCell, parseKeyManagerState, storeKeyManagerAddress,
  MAX_KEY_MANAGER_ADDRESS_BYTES, PUBLIC_KEY_TYPE_ENCRYPTION, REFERENCE_DEBUG_PUBLIC_KEY_HEX,
  type RegisteredPublicKey, type RootKeyManager, type RootKeyManagerInit, type RootKeyManagerState,
} from './root-key-manager-state.ts';
export {
  ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON, buildSignedPublicKeyBody, buildSignedPublicKeyPayload, readSignedPublicKeyBody, signedPublicKeyBody,
  type ParsedSignedPublicKey, type SignedPublicKeyEnvelope, type SignedPublicKeyFields,
} from './signed-public-key.ts';
export { readRootConfig } from './read-root-config.ts';
export { parseRegisteredProxyAddress, registeredProxyText, type RegisteredProxyAddresses } from './registered-proxy-address.ts';
export {
  RootConfigWatcher, DEFAULT_ROOT_REFRESH_INTERVAL_MS, type RootConfigListener, type RootConfigWatcherOptions,
} from './root-config-watcher.ts';
export { RootNetworkParamsSource, networkParamsOf, type RootConfigFeed } from './root-network-params-source.ts';

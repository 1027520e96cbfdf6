/**
 * @cocoon/key-manager: the key manager runner (reference proto 3): mints the short-lived Ed25519
 * request encryption keys, publishes their public halves on the root, and serves the private
 * halves to attested proxies and workers whose image hash the root lists.
 */
export { keyManagerConfigSchema, type KeyManagerConfig, type KeyManagerConfigInput } from './config/index.ts';
export { startKeyManagerRunner, type KeyManagerRunnerDeps, type KeyManagerTimers } from './key-manager-runner.ts';
export {
  DEBUG_KEY_PRIVATE_BASE64, DEBUG_KEY_PUBLIC_BASE64, KEY_GENERATE_PERIOD_SECONDS, KEY_TTL_SECONDS, REQUEST_KEY_TYPE, type ManagedKey,
} from './keys/managed-key.ts';
export { SignedKeyStore, type RefusedKeyRecord } from './keys/signed-key-store.ts';
export { KeyRotation } from './keys/key-rotation.ts';
export { KeyPublicationQueue, type PublicKeyPublisher, type PublishedKey } from './publishing/public-key-publisher.ts';
export { RootPublicKeyPublisher, publicationBody } from './publishing/root-public-key-publisher.ts';
export { PrivateKeyService, type PeerHashLists } from './serving/private-key-service.ts';

/**
 * What the key manager reads from the root contract: is_test and the config version, the
 * proxy/worker image-hash lists it serves keys against, the public keys the root lists, and the
 * key manager the root names (its machine key, image hash and address).
 */
import type { RootConfig } from '@cocoon/ton';
import type { PeerHashLists } from '../serving/private-key-service.ts';

export interface KeyManagerRootView extends PeerHashLists {
  isTest: boolean;
  version: number;
  /** Public keys (hex) registered on the root. */
  registeredPublicKeys: ReadonlySet<string>;
  /** The key manager the root names; undefined when none is set. */
  keyManager: { publicKey: string; imageHash: string; address: string } | undefined;
}

export function keyManagerRootView(config: RootConfig): KeyManagerRootView {
  return {
    isTest: config.params.isTest,
    version: config.version,
    proxyHashes: config.proxyHashes,
    workerHashes: config.workerHashes,
    registeredPublicKeys: new Set(config.registeredPublicKeys.map((key) => key.publicKey.toLowerCase())),
    keyManager: config.keyManager,
  };
}

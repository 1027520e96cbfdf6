/**
 * Where hashes are checked in production (§7.3): the runners compare a peer's verified image hash
 * with the root contract — the proxy checks worker_hashes and the model hash, workers and clients
 * check proxy_hashes — and a worker checks its own image hash and model and aborts when they are
 * not registered. The allow-lists come from a getter because the runner refreshes the root config.
 */
import { CocoonError } from '@cocoon/protocol/browser';
import { modelHash, normalizeHash, type AllowedHashes } from './allowed-hashes.ts';

export type AttestedRole = 'proxy' | 'worker';

const DICTIONARY: Record<AttestedRole, { key: 'proxyHashes' | 'workerHashes'; name: string }> = {
  proxy: { key: 'proxyHashes', name: 'proxy_hashes' },
  worker: { key: 'workerHashes', name: 'worker_hashes' },
};

const refused = (message: string, param: string): CocoonError => new CocoonError('CCN_ERR_ATTEST_POLICY', message, { param });

export class RootHashPolicy {
  constructor(private readonly hashes: () => AllowedHashes) {}

  /** A policy over fixed lists (tests, tools). */
  static fixed(hashes: AllowedHashes): RootHashPolicy {
    return new RootHashPolicy(() => hashes);
  }

  /** Throws CCN_ERR_ATTEST_POLICY unless the peer's image hash is in the role's root dictionary. */
  checkPeerImage(expectedRole: AttestedRole, imageHash: Buffer | string): void {
    const hex = normalizeHash(imageHash);
    const { key, name } = DICTIONARY[expectedRole];
    if (!this.hashes()[key].has(hex)) {
      throw refused(`${expectedRole} peer image hash ${hex} is not in the root contract's ${name}`, name);
    }
  }

  /** Throws CCN_ERR_ATTEST_POLICY unless SHA-256 of the full model string is in model_hashes. */
  checkModel(modelString: string): void {
    const hex = modelHash(modelString).toString('hex');
    if (!this.hashes().modelHashes.has(hex)) {
      throw refused(`model "${modelString}" (hash ${hex}) is not in the root contract's model_hashes`, 'model_hashes');
    }
  }

  /** A runner's self-check at start (§7.3): a worker whose own image or model is not registered must abort. */
  checkSelf(role: AttestedRole, imageHash: Buffer | string, model?: string): void {
    const hex = normalizeHash(imageHash);
    const { key, name } = DICTIONARY[role];
    if (!this.hashes()[key].has(hex)) {
      throw refused(`this ${role}'s own image hash ${hex} is not in the root contract's ${name}: register it before serving`, name);
    }
    if (model !== undefined) {
      const modelHex = modelHash(model).toString('hex');
      if (!this.hashes().modelHashes.has(modelHex)) {
        throw refused(`this ${role}'s model "${model}" (hash ${modelHex}) is not in the root contract's model_hashes: register it before serving`, 'model_hashes');
      }
    }
  }
}

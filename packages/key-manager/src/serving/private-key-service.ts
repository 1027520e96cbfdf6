/**
 * Answers keyManager.getProxyPrivateKeys / keyManager.getWorkerPrivateKeys (reference
 * KeyManagerRunner::receive_query): with hash checks on, only a peer whose attested image hash
 * is in the root's proxy_hashes (resp. worker_hashes) gets the keys; it gets every currently
 * valid private key. Any other peer, or any other query, gets a clear TL error. Every answered
 * get*PrivateKeys query is reported to `onRequest` (the key manager's metrics) by peer role and result.
 */
import { CocoonError, type KeyManagerPrivateKeys, type KeyRequestPeerRole, type KeyRequestResult, type TlObject } from '@cocoon/protocol';
import type { PeerAttestation } from '@cocoon/attestation';
import type { ManagedKey } from '../keys/managed-key.ts';

/** The root's image-hash lists (lowercase hex). */
export interface PeerHashLists {
  proxyHashes: ReadonlySet<string>;
  workerHashes: ReadonlySet<string>;
}

export interface PrivateKeyServiceOptions {
  keys: () => readonly ManagedKey[];
  /** The root's lists; undefined = check_hashes off (test networks only). */
  hashes: (() => PeerHashLists) | undefined;
  /** Told of every keyManager.get*PrivateKeys answer: success, refused (image hash not listed), failed (anything else). */
  onRequest?: (peerRole: KeyRequestPeerRole, result: KeyRequestResult) => void;
}

export interface PrivateKeyServiceCounters {
  served_to_proxies: number;
  served_to_workers: number;
  refused: number;
}

interface QueryKind {
  role: KeyRequestPeerRole;
  list: keyof PeerHashLists;
  listName: string;
}

const ROLE_OF_QUERY: Record<string, QueryKind> = {
  'keyManager.getProxyPrivateKeys': { role: 'proxy', list: 'proxyHashes', listName: 'proxy_hashes' },
  'keyManager.getWorkerPrivateKeys': { role: 'worker', list: 'workerHashes', listName: 'worker_hashes' },
};

export class PrivateKeyService {
  readonly counters: PrivateKeyServiceCounters = { served_to_proxies: 0, served_to_workers: 0, refused: 0 };

  constructor(private readonly options: PrivateKeyServiceOptions) {}

  /** The answer to one query from an attested peer; throws a CocoonError the session sends back as a TL error. */
  answer(query: TlObject, peer: PeerAttestation): KeyManagerPrivateKeys {
    const kind = ROLE_OF_QUERY[query._];
    if (!kind) {
      this.counters.refused += 1;
      throw new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `the key manager does not answer ${query._.slice(0, 80)}`);
    }
    let result: KeyRequestResult = 'failed';
    try {
      const answer = this.answerFor(kind, peer);
      result = 'success';
      return answer;
    } catch (error) {
      if (error instanceof CocoonError && error.code === 'CCN_ERR_KEY_MANAGER_PEER_REFUSED') result = 'refused';
      throw error;
    } finally {
      this.options.onRequest?.(kind.role, result);
    }
  }

  private answerFor(kind: QueryKind, peer: PeerAttestation): KeyManagerPrivateKeys {
    const hashes = this.options.hashes?.();
    if (hashes) {
      const imageHash = peer.imageHash.toString('hex');
      if (!hashes[kind.list].has(imageHash)) {
        this.counters.refused += 1;
        throw new CocoonError('CCN_ERR_KEY_MANAGER_PEER_REFUSED', `unknown ${kind.role} hash ${imageHash}: not in the root contract's ${kind.listName}`);
      }
    }
    const keys = this.options.keys().map((key) => ({ _: 'keyManager.privateKey' as const, valid_until_utime: key.validUntil, private_key: key.privateKey }));
    if (kind.role === 'proxy') this.counters.served_to_proxies += 1;
    else this.counters.served_to_workers += 1;
    return { _: 'keyManager.privateKeys', keys };
  }
}

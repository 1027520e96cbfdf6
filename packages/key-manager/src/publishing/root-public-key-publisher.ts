/**
 * Publishes a public key on the root from the key manager's wallet (reference
 * KeyManagerRunner::generate_key): the body of root_add_public_key_signed (0x9e0e1821) signed with
 * the machine key — the root accepts it only when that key is its key_manager_public_key — with a
 * random query id, the excess returned to the wallet, sent with 0.4 TON.
 */
import { randomBytes } from 'node:crypto';
import type { Address } from '@ton/core';
import type { KeyPair } from '@ton/crypto';
import { ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON, buildSignedPublicKeyBody, type RunnerWallet } from '@cocoon/ton';
import type { Cell } from '@ton/core';
import type { PublicKeyPublisher, PublishedKey } from './public-key-publisher.ts';

export interface RootPublicKeyPublisherOptions {
  wallet: RunnerWallet;
  rootAddress: Address;
  machineKey: KeyPair;
  /** The root's registered public keys (hex), from the root watcher. */
  registered: () => ReadonlySet<string> | undefined;
  /** 64-bit query ids (default: random, as the reference). */
  queryId?: () => bigint;
}

/** The message body publishing `key`, signed with the machine key; excesses go to `returnExcessesTo`. */
export function publicationBody(key: PublishedKey, machineKey: KeyPair, returnExcessesTo: Address, queryId: bigint): Cell {
  return buildSignedPublicKeyBody(machineKey.secretKey, {
    publicKey: key.publicKey, keyType: key.keyType, expireAt: key.expireAt, queryId, sendExcessesTo: returnExcessesTo,
  });
}

export class RootPublicKeyPublisher implements PublicKeyPublisher {
  constructor(private readonly options: RootPublicKeyPublisherOptions) {}

  async publish(key: PublishedKey): Promise<void> {
    const { wallet, rootAddress, machineKey } = this.options;
    const queryId = this.options.queryId?.() ?? randomBytes(8).readBigUInt64LE(0);
    await wallet.sendMessages([{ to: rootAddress, value: ADD_PUBLIC_KEY_SIGNED_VALUE_NANOTON, body: publicationBody(key, machineKey, wallet.address, queryId) }]);
  }

  registered(): ReadonlySet<string> | undefined {
    return this.options.registered();
  }
}

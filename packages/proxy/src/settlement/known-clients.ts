/**
 * The client owners of one proxy instance: those with usage in its ledger plus those whose
 * client contract notified the proxy contract (deployed, topped up, registered) — the set
 * an old instance refunds when it closes (§6.7). Kept as a small JSON list in ledger meta.
 */
import { Address } from '@ton/core';
import type { Ledger } from '../ledger/index.ts';

const KNOWN_CLIENTS_KEY = 'known_clients';

async function seenClients(ledger: Ledger): Promise<string[]> {
  return JSON.parse(await ledger.getMeta(KNOWN_CLIENTS_KEY) ?? '[]') as string[];
}

/** Records a client owner seen on chain (idempotent). */
export async function rememberClient(ledger: Ledger, owner: Address): Promise<void> {
  const seen = await seenClients(ledger);
  if (seen.includes(owner.toRawString())) return;
  await ledger.setMeta(KNOWN_CLIENTS_KEY, JSON.stringify([...seen, owner.toRawString()]));
}

/** Every known client owner as a raw address, sorted. */
export async function knownClientOwners(ledger: Ledger): Promise<string[]> {
  const used = (await ledger.clients()).map((client) => Address.parse(client.owner).toRawString());
  return [...new Set([...await seenClients(ledger), ...used])].sort();
}

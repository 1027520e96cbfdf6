/**
 * A root `registered_proxies` entry read as the reference reads it (docs/protocol.md §1.2): the ASCII
 * text `"IP:worker_port IP:client_port"`, workers dialing the first address and clients the second; an
 * entry with one address uses it for both. `registeredProxyText` writes an entry the same way.
 */
import { CocoonError } from '@cocoon/protocol';

export interface RegisteredProxyAddresses {
  /** Where the proxy accepts workers (the entry's first address). */
  workerAddress: string;
  /** Where the proxy accepts clients (the second address, else the first). */
  clientAddress: string;
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

function checkedHostPort(text: string, entry: string): string {
  const match = HOST_PORT.exec(text);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `registered proxy ${JSON.stringify(entry)}: expected "host:worker_port host:client_port"`, { param: 'registered_proxies' });
  }
  return text;
}

/** The two addresses of a registered proxy entry; CCN_ERR_CONFIG_INVALID when it is not one or two host:port. */
export function parseRegisteredProxyAddress(entry: string): RegisteredProxyAddresses {
  const parts = entry.trim().split(/\s+/);
  if (parts.length < 1 || parts.length > 2 || parts[0] === '') {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `registered proxy ${JSON.stringify(entry)}: expected "host:worker_port host:client_port"`, { param: 'registered_proxies' });
  }
  const workerAddress = checkedHostPort(parts[0]!, entry);
  return { workerAddress, clientAddress: parts[1] === undefined ? workerAddress : checkedHostPort(parts[1], entry) };
}

/** The entry text for a proxy: `"worker_address client_address"`. */
export function registeredProxyText(addresses: RegisteredProxyAddresses): string {
  return `${addresses.workerAddress} ${addresses.clientAddress}`;
}

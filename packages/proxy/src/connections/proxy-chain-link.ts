/**
 * What the proxy's connections need from the chain: contract addresses for handshakes,
 * signed payments (§6.3) and long authorization (§3.1). `OffChainLink` serves a proxy run
 * without TON (dev only): placeholder addresses, empty payments, no long authorization.
 */
import { CocoonError, EMPTY_SIGNED_PAYMENT, type TlObject } from '@cocoon/protocol';

export interface ProxyChainLink {
  readonly onChain: boolean;
  clientContractAddress(owner: string): string;
  workerContractAddress(owner: string): string;
  signedClientPayment(owner: string): Promise<TlObject>;
  signedWorkerPayment(owner: string): Promise<TlObject>;
  /** Long authorization: resolves when the client's register transaction with `nonce` is seen. */
  waitForRegistration(owner: string, nonce: bigint, timeoutMs: number): Promise<void>;
}

export class OffChainLink implements ProxyChainLink {
  readonly onChain = false;

  constructor(private readonly proxyContractAddress: string) {}

  clientContractAddress(owner: string): string { return `client:${owner}:${this.proxyContractAddress}`; }
  workerContractAddress(owner: string): string { return `worker:${owner}:${this.proxyContractAddress}`; }
  async signedClientPayment(): Promise<TlObject> { return EMPTY_SIGNED_PAYMENT; }
  async signedWorkerPayment(): Promise<TlObject> { return EMPTY_SIGNED_PAYMENT; }
  async waitForRegistration(): Promise<void> {
    throw new CocoonError('CCN_ERR_AUTH_FAILED', 'long authorization needs the TON chain, which this proxy does not use');
  }
}

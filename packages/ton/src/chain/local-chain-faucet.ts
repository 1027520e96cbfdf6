/**
 * `LocalChainFaucet`: the `ChainFaucet` of the local `cocoon chain` process, an HTTP client
 * for its POST /cocoon/faucet endpoint (coins out of thin air; dev chains only).
 */
import { CocoonError } from '@cocoon/protocol';
import type { Address } from '@ton/core';
import type { ChainFaucet } from './chain.ts';

export interface LocalChainFaucetOptions {
  /** The local chain's base URL (`http://127.0.0.1:8081`) or its `/jsonRPC` endpoint. */
  url: string;
  timeoutMs?: number;
}

export class LocalChainFaucet implements ChainFaucet {
  private readonly faucetUrl: string;
  private readonly timeoutMs: number;

  constructor(options: LocalChainFaucetOptions) {
    const base = options.url.replace(/\/+$/, '').replace(/(\/api\/v2)?\/jsonRPC$/, '');
    this.faucetUrl = `${base}/cocoon/faucet`;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  async fund(address: Address, amountNanoton: bigint): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.faucetUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ address: address.toString(), amount: amountNanoton.toString() }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new CocoonError('CCN_ERR_TON_UNAVAILABLE', `local chain faucet at ${this.faucetUrl} unreachable: ${(error as Error).message}`, { cause: error });
    }
    const body = (await response.json().catch(() => undefined)) as { ok?: unknown; error?: unknown } | undefined;
    if (response.ok && body?.ok === true) return;
    const detail = typeof body?.error === 'string' ? body.error : `HTTP ${response.status}`;
    const code = response.status >= 500 && response.status !== 500 ? 'CCN_ERR_TON_UNAVAILABLE' : 'CCN_ERR_TON_TRANSACTION_FAILED';
    throw new CocoonError(code, `faucet refused to fund ${address.toString()}: ${detail}`);
  }
}

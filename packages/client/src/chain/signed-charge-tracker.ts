/**
 * Keeps the newest valid proxy-signed charge for one client contract (§15.2): every
 * `proxy.signedPayment` the proxy sends is verified (envelope op 0xbb63ff93, payload op and
 * query_id equal, payload address = own client contract, Ed25519 signature by the proxy key);
 * invalid ones are logged and ignored. Its tokens are `tokens_used_proxy_committed_to_blockchain`.
 */
import { Cell, type Address } from '@ton/core';
import { readSignedPayment, SignedPaymentOp } from '@cocoon/ton';
import { isTlObject } from '@cocoon/protocol';
import type { Logger, TlObject } from '@cocoon/protocol';

export type SignedChargeVerdict = 'accepted' | 'older' | 'empty' | 'rejected';

export interface SignedCharge {
  /** The envelope as the proxy sent it. */
  cell: Cell;
  newTokens: bigint;
}

export class SignedChargeTracker {
  private best: SignedCharge | undefined;

  constructor(
    private readonly proxyPublicKey: Buffer,
    private readonly clientContractAddress: Address,
    private readonly logger: Logger,
  ) {}

  get newest(): SignedCharge | undefined {
    return this.best;
  }

  /** Tokens of the newest valid signed charge (0 when none). */
  get tokens(): bigint {
    return this.best?.newTokens ?? 0n;
  }

  /** Verifies a `proxy.SignedPayment` and keeps it when it is valid and newer. */
  observe(payment: TlObject | undefined): SignedChargeVerdict {
    if (!isTlObject(payment, 'proxy.signedPayment')) return 'empty';
    try {
      const cells = Cell.fromBoc(payment.data);
      const cell = cells[0];
      if (!cell || cells.length !== 1) throw new Error('expected exactly one root cell');
      const read = readSignedPayment(cell, {
        publicKey: this.proxyPublicKey, op: SignedPaymentOp.clientCharge, expectedAddress: this.clientContractAddress,
      });
      if (this.best && read.newTokens <= this.best.newTokens) return 'older';
      this.best = { cell, newTokens: read.newTokens };
      return 'accepted';
    } catch (error) {
      this.logger.warn('ignoring invalid signed payment from the proxy', {
        client_contract: this.clientContractAddress.toString(), error: error instanceof Error ? error.message : String(error),
      });
      return 'rejected';
    }
  }
}

/**
 * Signed payments (§6.3). Until the TON issue lands the proxy has no chain to anchor
 * totals, so it only ever sends `proxy.signedPaymentEmpty` — exactly what the reference
 * sends before anything is committed to the blockchain.
 */
import type { ProxySignedPaymentEmpty } from '../tl/index.ts';

export const EMPTY_SIGNED_PAYMENT: Readonly<ProxySignedPaymentEmpty> = Object.freeze({ _: 'proxy.signedPaymentEmpty' });

/** Proxy-signed payments: signing, verification and repacking. */
export * from './signed-payment.ts';

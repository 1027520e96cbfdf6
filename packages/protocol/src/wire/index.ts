/** Helpers for the application messages carried in sessions. */
export * from './http-wire.ts';
export * from './model-name.ts';
export * from './network-params.ts';
export * from './network-params-source.ts';
export * from './signed-payment.ts';
export type { RunnerHandle } from './runner-handle.ts';
export { randomIdBytes } from './random-id-pool.ts';

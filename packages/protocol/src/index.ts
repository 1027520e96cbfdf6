/**
 * @cocoon/protocol — the shared base of every COCOON component: the TL schema and codec,
 * framing, proof of work, sessions, the error table, pricing, stats, config, logging and the
 * doors of the HTTP ports (admin token, Host/Origin/CORS/credential checks).
 */
export * from './errors/error-table.ts';
export * from './errors/peer-error-code.ts';
export * from './tl/index.ts';
export * from './framing/index.ts';
export * from './pow/index.ts';
export * from './session/index.ts';
export * from './pricing/index.ts';
export * from './stats/index.ts';
export * from './wire/index.ts';
export * from './config/index.ts';
export * from './logging/index.ts';
export * from './http-guard/index.ts';
export * from './stats-http/index.ts';
export * from './metrics/index.ts';
export * from './json/index.ts';
export * from './lifecycle/index.ts';
export * from './encryption/index.ts';
export { nodeEncryptionPrimitives, useNodeEncryptionPrimitives } from './encryption-node/node-encryption-primitives.ts';
export * from './e2e/index.ts';
export * from './tasks/task-prompt-templates.ts';
export { nodeE2ePrimitives, useNodeE2ePrimitives } from './encryption-node/node-e2e-primitives.ts';

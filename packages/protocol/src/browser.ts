/**
 * @cocoon/protocol/browser — the browser-safe part of the protocol package, for code that runs in
 * pages and browser bundles (packages/sdk/src, the attestation browser entry, the light client):
 * the error table, the TL codec with the generated message types, the end-to-end encryption to
 * attested workers (e2e), the byte helpers, model names and token pricing. Nothing reached from here
 * imports a Node built-in, zod or prom-client (packages/sdk/test/browser-bundle.test.ts bundles it for
 * the browser platform); the TL codec uses the global Buffer, which a browser bundle provides through
 * the npm `buffer` package (@cocoon/sdk/build injects it). In Node this entry loads the same module
 * files as the main index, so its classes (CocoonError, E2eRequestSealer, …) are the same ones.
 */
export * from './errors/error-table.ts';
export * from './errors/peer-error-code.ts';
export * from './tl/index.ts';
export * from './e2e/index.ts';
export { systemRandomBytes, toHex, toBase64, fromHexOrUndefined, fromBase64OrUndefined, isAllZero, concatenate } from './encryption/encryption-bytes.ts';
export type { RandomBytes } from './encryption/encryption-bytes.ts';
export { modelBaseName, modelHash } from './wire/model-name.ts';
export * from './pricing/index.ts';
// Types only (erased from bundles): the config modules that define them use zod and stay out of this entry.
export type { PeerPolicy } from './config/config-fields.ts';
export type { TeeKind } from './config/attestation-config-fields.ts';
// The summarize/translate prompt templates (the client's task routes and the SDK build the same messages).
export * from './tasks/task-prompt-templates.ts';

/**
 * @cocoon/test-support: test doubles and recorded reference data shared by the tests of several
 * packages, so that no test imports another package's test folder. Product code never imports it.
 */
export * from './reference-frames.ts';
export * from './scripted-reference-proxy.ts';
export * from './reference-9060ce5-peers.ts';
export * from './model-file-server.ts';
export * from './slow-stream-engine.ts';
export * from './run-child-script.ts';
export * from './chromium-executable.ts';
export * from './static-page-server.ts';
export * from './prometheus-text.ts';
export * from './tls-frame-interposer.ts';
export * from './simulated-worker-fleet.ts';
export * from './seeded-random.ts';
export * from './chaos-invariants.ts';

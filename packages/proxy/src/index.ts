/** @cocoon/proxy — the proxy runner: routing, billing, ledger, and client/worker connections. */
export { startProxyRunner, type ProxyRunnerDeps } from './proxy-runner.ts';
export * from './config/index.ts';
export * from './routing/index.ts';
export * from './billing/index.ts';
export * from './ledger/index.ts';

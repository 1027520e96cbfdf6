/** @cocoon/client — the client runner and its OpenAI-compatible HTTP edge. */
export { startClientRunner, type ClientRunnerDeps } from './client-runner.ts';
export * from './config/index.ts';
export * from './http/index.ts';
export { ProtocolInferenceGateway } from './gateway/protocol-inference-gateway.ts';

/** Key manager runner configuration. */
export { keyManagerConfigSchema, type KeyManagerConfig, type KeyManagerConfigInput } from './key-manager-config.ts';

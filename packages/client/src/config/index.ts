/** Client runner configuration. */
export { clientConfigSchema, type ClientConfig, type ClientConfigInput } from './client-config.ts';

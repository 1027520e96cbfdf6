/** Proxy runner configuration. */
export {
  proxyConfigSchema,
  proxyDevClientSchema,
  DEFAULT_PROXY_DEV_CLIENTS,
  type ProxyConfig,
  type ProxyConfigInput,
  type ProxyDevClient,
} from './proxy-config.ts';
export { marketConfigFields, marketSettingsOfConfig } from './market-config-fields.ts';

/** Runner configuration: the strict layered loader and shared field schemas (§8.4). */
export { loadConfig, configSchemaShape, type ConfigSources } from './load-config.ts';
export {
  configFieldRegistry,
  secretField,
  securitySensitive,
  securitySensitiveList,
  getConfigFieldMeta,
  isSecretConfigKey,
  type ConfigFieldMeta,
} from './config-field-registry.ts';
export {
  portSchema,
  listenPortSchema,
  hostPortSchema,
  PEER_POLICY_ORDER,
  peerPolicyField,
  nanotonSchema,
  tonAddressSchema,
  sha256HexSchema,
  httpAccessHashField,
  httpGuardConfigFields,
  httpOriginSchema,
  httpHostNameSchema,
  type PeerPolicy,
} from './config-fields.ts';
export { envNameForKey, flagNameForKey } from './config-error.ts';
export { DEV_CLIENT_OWNER_ADDRESS, DEV_PROXY_OWNER_ADDRESS, DEV_WORKER_OWNER_ADDRESS, EMPTY_SECRET_SHA256 } from './dev-addresses.ts';
export { tonConfigFields } from './ton-config-fields.ts';
export { checkProxyTargets, proxyTargetConfigFields } from './proxy-target-config-fields.ts';
export { DEFAULT_PCCS_URL, TEE_KINDS, attestationTrustFields, teeField, type TeeKind } from './attestation-config-fields.ts';

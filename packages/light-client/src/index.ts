/**
 * @cocoon/light-client — the COCOON light client: a chat page shaped as a Telegram Mini App that
 * verifies attestation and seals prompts in the browser (page/), and `buildLightClient`, which builds
 * it into a directory a client runner serves at /app/ (config app_dir), with its trust config.
 */
export { buildLightClient, type BuildLightClientOptions, type LightClientBuild } from './build-light-client.ts';
export { parseLightClientConfig, type LightClientConfig } from './light-client-config.ts';

/** The key manager client shared by the proxy and worker runners. */
export {
  KeyManagerClient, type KeyManagerClientOptions, type KeyManagerClientState, type KeyManagerClientTimers, type KeyManagerKeySink, type KeyManagerLocation,
} from './key-manager-client.ts';

/**
 * The key manager's RPC port: PoW + attested TLS 1.3 (listenSecure, peers verified under
 * `peer_policy`), then a framed CocoonSession per peer whose queries go to the
 * PrivateKeyService. Sessions are closed when the listener closes.
 */
import { CocoonSession, type Logger } from '@cocoon/protocol';
import { listenSecure, type PeerVerifier, type SecureIdentitySource, type SecureServer } from '@cocoon/attestation';
import type { PrivateKeyService } from './private-key-service.ts';

export interface KeyManagerListenerOptions {
  host: string;
  port: number;
  identity: SecureIdentitySource;
  verifier: PeerVerifier;
  powDifficulty: number;
  service: PrivateKeyService;
  logger: Logger;
}

export interface KeyManagerListener {
  port: number;
  close(): Promise<void>;
}

export async function listenForKeyRequests(options: KeyManagerListenerOptions): Promise<KeyManagerListener> {
  const { service, logger } = options;
  const sessions = new Set<CocoonSession>();
  const server: SecureServer = await listenSecure({
    host: options.host, port: options.port, identity: options.identity, verifier: options.verifier, powDifficulty: options.powDifficulty,
    onRejected: (error, remote) => logger.warn('key request connection rejected', { remote, error: error.message }),
    onConnection: (socket, peer) => {
      const session = new CocoonSession(socket, { role: 'listener', maxFramePayloadBytes: 64 * 1024 });
      sessions.add(session);
      session.on('close', () => sessions.delete(session));
      session.on('message', (message) => logger.debug('ignored message on the key manager port', { message: message._ }));
      session.on('query', (query, reply) => {
        try {
          reply.answer(service.answer(query, peer));
          logger.debug('private keys served', { query: query._, image_hash: peer.imageHash.toString('hex') });
        } catch (error) {
          logger.warn('private key request refused', { query: query._, image_hash: peer.imageHash.toString('hex'), error: (error as Error).message });
          reply.fail(error);
        }
      });
      session.open().catch(() => undefined); // a failed opening closes the session
    },
  });
  return {
    port: server.port,
    close: async () => {
      const closing = server.close();
      for (const session of sessions) session.close();
      await closing;
    },
  };
}

/**
 * Reads exactly `length` bytes from a plain socket before TLS takes it over; any extra bytes are
 * pushed back (unshift) so the TLS layer sees them, and the socket is left paused.
 */
import type net from 'node:net';
import { CocoonError } from '@cocoon/protocol';

export function readExactly(socket: net.Socket, length: number, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < length) return;
      cleanup();
      socket.pause();
      const all = chunks.length === 1 ? chunk : Buffer.concat(chunks, received);
      if (received > length) socket.unshift(all.subarray(length));
      resolve(all.subarray(0, length));
    };
    const onEnd = (): void => {
      cleanup();
      reject(new CocoonError('CCN_ERR_SESSION_CLOSED', `connection closed while waiting for the ${what} (${received}/${length} bytes)`));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new CocoonError('CCN_ERR_SESSION_CLOSED', `connection failed while waiting for the ${what}: ${error.message}`, { cause: error }));
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
  });
}

/** Test support: two CocoonSessions (dialer and listener) over a real loopback TCP connection. */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { CocoonSession } from '../../src/session/index.ts';
import type { CocoonSessionOptions } from '../../src/session/index.ts';

export interface SessionPair {
  dialer: CocoonSession;
  listener: CocoonSession;
  /** The raw dialer socket, for writing malformed bytes. */
  dialerSocket: net.Socket;
  close(): Promise<void>;
}

type SideOptions = Omit<CocoonSessionOptions, 'role'>;

export async function connectedSockets(): Promise<{ client: net.Socket; server: net.Socket; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', resolve));
  const serverSide = await accepted;
  return {
    client,
    server: serverSide,
    close: () => new Promise<void>((resolve) => {
      client.destroy();
      serverSide.destroy();
      server.close(() => resolve());
    }),
  };
}

export async function sessionPair(dialerOptions: SideOptions = {}, listenerOptions: SideOptions = {}, open = true): Promise<SessionPair> {
  const sockets = await connectedSockets();
  const dialer = new CocoonSession(sockets.client, { role: 'dialer', ...dialerOptions });
  const listener = new CocoonSession(sockets.server, { role: 'listener', ...listenerOptions });
  if (open) await Promise.all([dialer.open(), listener.open()]);
  return {
    dialer,
    listener,
    dialerSocket: sockets.client,
    close: async () => {
      dialer.close();
      listener.close();
      await sockets.close();
    },
  };
}

export function nextClose(session: CocoonSession): Promise<string | undefined> {
  return new Promise((resolve) => session.once('close', (error) => resolve(error?.code)));
}

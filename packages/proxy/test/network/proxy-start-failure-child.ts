/**
 * Test support, run as a child process (`node --import tsx`): starts a proxy whose stats port
 * (http_port) is already taken by a server of its own, prints one JSON line with the start-up
 * error, closes that server, and then has nothing left to do — so it exits by itself unless the
 * failed start-up left something open (a listener, a socket, a timer).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@cocoon/protocol';
import { proxyConfigSchema, startProxyRunner } from '../../src/index.ts';

const blocker = net.createServer();
await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
const config = proxyConfigSchema.parse({ client_port: 0, worker_port: 0, http_port: (blocker.address() as AddressInfo).port, pow_difficulty: 2 });
try {
  await startProxyRunner(config, { logger: createLogger('proxy', { level: 'error' }) });
  process.stdout.write(`${JSON.stringify({ started: true })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ rejected: (error as Error).message })}\n`);
}
blocker.close();

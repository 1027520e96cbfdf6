/**
 * Test support, run as a child process (`node --import tsx`): starts a worker on the engine whose
 * URL comes in argv[2] with its stats port (http_port) already taken by a server of its own and
 * its admin token in the directory argv[3], prints one JSON line with the start-up error, closes
 * that server, and then has nothing left to do — so it exits by itself unless the failed
 * start-up left something open (a listener, a socket, a timer).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createLogger } from '@cocoon/protocol';
import { startWorkerRunner, workerConfigSchema } from '../src/index.ts';

const blocker = net.createServer();
await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
const config = workerConfigSchema.parse({
  engine_url: process.argv[2], proxy_address: '127.0.0.1:9', http_port: (blocker.address() as AddressInfo).port,
  admin_token_file: join(process.argv[3] ?? '.', 'admin.token'),
});
try {
  await startWorkerRunner(config, { logger: createLogger('worker', { level: 'error' }), healthIntervalMs: 10 });
  process.stdout.write(`${JSON.stringify({ started: true })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ rejected: (error as Error).message })}\n`);
}
blocker.close();

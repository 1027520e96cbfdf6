/**
 * Test support, run as a child process (`node --import tsx`): starts a client (off chain) whose
 * HTTP port is already taken by a server of its own, with its admin token in the directory
 * argv[2], prints one JSON line with the start-up error, closes that server, and then has nothing
 * left to do — so it exits by itself unless the failed start-up left something open.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createLogger } from '@cocoon/protocol';
import { clientConfigSchema, startClientRunner } from '../src/index.ts';

const blocker = net.createServer();
await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
const config = clientConfigSchema.parse({
  proxy_address: '127.0.0.1:9', http_port: (blocker.address() as AddressInfo).port, admin_token_file: join(process.argv[2] ?? '.', 'admin.token'),
});
try {
  await startClientRunner(config, { logger: createLogger('client', { level: 'error' }) });
  process.stdout.write(`${JSON.stringify({ started: true })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ rejected: (error as Error).message })}\n`);
}
blocker.close();

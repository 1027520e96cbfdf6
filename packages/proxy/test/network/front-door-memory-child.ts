/**
 * Test support, run as a child process (`node --expose-gc --import tsx`): a proxy whose memory
 * the front-door memory test measures. Config overrides come as JSON in argv[2]; it prints one
 * JSON line with its ports, then answers each stdin line "rss" with a JSON line of
 * process.memoryUsage() taken after a full garbage collection.
 */
import { createInterface } from 'node:readline';
import { createLogger } from '@cocoon/protocol';
import { proxyConfigSchema, startProxyRunner } from '../../src/index.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const config = proxyConfigSchema.parse({ client_port: 0, worker_port: 0, http_port: 0, pow_difficulty: 2, ...JSON.parse(process.argv[2] ?? '{}') });
const handle = await startProxyRunner(config, { logger: createLogger('proxy', { level: 'error' }) });
process.stdout.write(`${JSON.stringify(handle.readyInfo)}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'rss') return;
  gc();
  gc();
  process.stdout.write(`${JSON.stringify(process.memoryUsage())}\n`);
});
process.stdin.once('end', () => {
  void handle.close().then(() => process.exit(0));
});

/**
 * CLI entry of the TEST ENGINE (deterministic OpenAI-compatible server, not a model).
 * Flags: --port (default 8000) --host (default 127.0.0.1) --chunks --chunk-bytes
 * --chunk-delay-ms --models a,b. Prints one JSON line {"event":"ready","role":"test-engine",…}.
 */
import { parseArgs } from 'node:util';
import { startTestEngine } from './test-engine-server.ts';
import type { TestEngineOptions } from './test-engine-server.ts';

function integerFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative integer, got '${value}'`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8000' },
      host: { type: 'string', default: '127.0.0.1' },
      chunks: { type: 'string' },
      'chunk-bytes': { type: 'string' },
      'chunk-delay-ms': { type: 'string' },
      'response-delay-ms': { type: 'string' },
      models: { type: 'string' },
    },
  });
  const options: TestEngineOptions = {
    host: values.host,
    port: integerFlag(values.port, 'port'),
    chunkCount: integerFlag(values.chunks, 'chunks'),
    chunkBytes: integerFlag(values['chunk-bytes'], 'chunk-bytes'),
    chunkDelayMs: integerFlag(values['chunk-delay-ms'], 'chunk-delay-ms'),
    responseDelayMs: integerFlag(values['response-delay-ms'], 'response-delay-ms'),
    models: values.models?.split(',').filter((model) => model.length > 0),
  };
  const engine = await startTestEngine(options);
  process.stdout.write(JSON.stringify({ event: 'ready', role: 'test-engine', url: engine.url, port: engine.port }) + '\n');
  const stop = (): void => {
    engine.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ event: 'error', role: 'test-engine', message: String(error) })}\n`);
  process.exit(1);
});

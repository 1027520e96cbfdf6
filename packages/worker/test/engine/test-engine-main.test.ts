/** Tests of the TEST ENGINE CLI entry: flags and the ready line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/engine/test-engine-main.ts', import.meta.url));

test('prints a ready line and serves benchmark-mode chunks', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--host', '127.0.0.1', '--chunks', '3', '--chunk-bytes', '8'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve) => lines.once('line', resolve));
    const ready = JSON.parse(first);
    assert.equal(ready.event, 'ready');
    assert.equal(ready.role, 'test-engine');
    assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${ready.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'test/tiny-chat', messages: [], stream: true }),
    });
    const text = await response.text();
    assert.equal(text.split('"content":"00000000"').length - 1, 3);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
});

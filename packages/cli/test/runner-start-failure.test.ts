/** A runner that cannot start (its port is taken) says why and exits instead of hanging. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { COCOON_BIN_PATH } from '../src/index.ts';

test('cocoon client on a busy port exits 1 with the reason', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  try {
    const result = spawnSync(process.execPath, [COCOON_BIN_PATH, 'client', '--http-port', String(port), '--proxy-address', '127.0.0.1:9'], {
      encoding: 'utf8', timeout: 30_000,
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /failed to start: .*EADDRINUSE/);
    assert.doesNotMatch(result.stdout, /"event":"ready"/);
  } finally {
    blocker.close();
  }
});

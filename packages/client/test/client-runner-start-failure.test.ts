/**
 * A client whose HTTP server cannot start (its port is taken) releases what the earlier steps
 * opened: on chain the client chain (root watcher, automation, chain client) is closed once and
 * the proxy is never dialled; off chain a client process that failed to start exits by itself
 * (nothing keeps its event loop alive).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@cocoon/protocol';
import { runChildScript } from '@cocoon/test-support';
import { clientConfigSchema, startClientRunner } from '../src/index.ts';
import { createClientChainFixture } from './chain/client-chain-fixture.ts';

const CHILD = fileURLToPath(new URL('./client-start-failure-child.ts', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'cocoon-client-start-failure-'));
after(() => rmSync(directory, { recursive: true, force: true }));

async function listening(onConnection: (socket: net.Socket) => void = () => undefined): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('on chain, HTTP port taken: the start fails with EADDRINUSE, the client chain is closed once, the proxy is not dialled', async () => {
  const fixture = await createClientChainFixture();
  const closeChain = fixture.chain.close.bind(fixture.chain);
  let chainCloses = 0;
  fixture.chain.close = async () => { chainCloses += 1; await closeChain(); };
  let dialled = 0;
  const proxy = await listening((socket) => { dialled += 1; socket.destroy(); });
  const blocker = await listening();
  try {
    const config = clientConfigSchema.parse({
      ton_endpoint: 'http://127.0.0.1:9/jsonRPC', root_contract_address: fixture.rootAddress.toString(),
      node_wallet_key_file: join(directory, 'wallet.key'), secret_string: 's3cret', root_refresh_interval_ms: 3_600_000,
      proxy_address: `127.0.0.1:${proxy.port}`, http_port: blocker.port, admin_token_file: join(directory, 'on-chain', 'admin.token'),
    });
    await assert.rejects(startClientRunner(config, { logger: createLogger('client', { level: 'error' }), chain: fixture.chain, now: fixture.context.now }), /EADDRINUSE/);
    assert.equal(chainCloses, 1, 'the client chain opened by the first step is closed');
    assert.equal(dialled, 0, 'the proxy connections never started');
  } finally {
    await blocker.close();
    await proxy.close();
  }
});

test('off chain, HTTP port taken: a client process whose start failed exits by itself', async () => {
  const { code, stdout: output } = await runChildScript(CHILD, [join(directory, 'child')]);
  assert.equal(code, 0, `the child did not exit by itself (output: ${output})`);
  assert.match((JSON.parse(output.trim()) as { rejected?: string }).rejected ?? '', /EADDRINUSE/);
});

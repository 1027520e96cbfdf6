/**
 * Starts the HTTP edge on 127.0.0.1 with a FakeInferenceGateway and a fixed clock, for tests.
 */
import { startClientHttpServer } from '../../src/http/index.ts';
import type { ClientHttpServer, ClientHttpServerOptions } from '../../src/http/index.ts';
import { FakeInferenceGateway } from './fake-inference-gateway.ts';

export const FIXED_NOW_MS = 1_700_000_000_123;

export interface TestServer {
  server: ClientHttpServer;
  gateway: FakeInferenceGateway;
  url: string;
}

export async function startTestServer(overrides: Partial<ClientHttpServerOptions> = {}): Promise<TestServer> {
  const gateway = new FakeInferenceGateway();
  const server = await startClientHttpServer({
    host: '127.0.0.1',
    port: 0,
    gateway,
    stats: { jsonStats: () => ({ stats: { queries: [3, 0, 0, 0, 0, 0, 0] }, status: { enabled: true, note: '<b>x</b>' } }) },
    now: () => FIXED_NOW_MS,
    ...overrides,
  });
  return { server, gateway, url: server.url };
}

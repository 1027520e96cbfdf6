/** Runs the engine conformance suite against the TEST ENGINE through OpenAiHttpEngine. */
import { OpenAiHttpEngine, startTestEngine, TEST_ENGINE_DEFAULT_MODELS } from '../../src/engine/index.ts';
import { runEngineConformance } from './engine-conformance.ts';

runEngineConformance('TEST ENGINE via OpenAiHttpEngine', async () => {
  const server = await startTestEngine({ chunkDelayMs: 2 });
  const engine = new OpenAiHttpEngine({ baseUrl: server.url, connections: 8 });
  return {
    engine,
    model: TEST_ENGINE_DEFAULT_MODELS[0] ?? 'test/tiny-chat',
    supportsCompletions: true,
    close: async () => {
      await engine.close();
      await server.close();
    },
  };
});

/** Runs the engine conformance suite against OpenAiHttpEngine → a recorded vLLM-style server. */
import { OpenAiHttpEngine } from '../../src/engine/index.ts';
import { runEngineConformance } from './engine-conformance.ts';
import { startVllmRecordedServer, VLLM_MODEL } from './vllm-recorded-server.ts';

runEngineConformance('OpenAiHttpEngine → recorded vLLM', async () => {
  const server = await startVllmRecordedServer();
  const engine = new OpenAiHttpEngine({ baseUrl: server.url, connections: 8 });
  return {
    engine,
    model: VLLM_MODEL,
    supportsCompletions: true,
    activeGenerations: () => server.openStreams,
    close: async () => {
      await engine.close();
      await server.close();
    },
  };
});

import { ProxySessionDouble, ScriptedE2eWorker, jsonAnswer, startE2eTestClient, BASE_MODEL } from './e2e-client-fixture.ts';
const worker = await ScriptedE2eWorker.create();
const proxy = new ProxySessionDouble(worker);
const client = await startE2eTestClient(proxy);
proxy.plainAnswer = undefined;
const run = async (e2e: boolean) => {
  const t = performance.now();
  const r = await fetch(`${client.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...(e2e ? { 'x-cocoon-e2e': 'require' } : {}) }, body: JSON.stringify({ model: BASE_MODEL, messages: [{ role: 'user', content: 'x'.repeat(1800) }] }) });
  await r.text();
  return performance.now() - t;
};
proxy.script = jsonAnswer('y'.repeat(500));
for (let i = 0; i < 10; i++) await run(true);
const times: number[] = [];
for (let i = 0; i < 60; i++) times.push(await run(true));
times.sort((a, b) => a - b);
console.log('runner-sealed p50', times[30]!.toFixed(2), 'ms p90', times[54]!.toFixed(2));
await client.close();

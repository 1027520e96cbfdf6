/**
 * Writes a tiny fake "cocoon <role>" child script for the orchestrator tests. Its
 * behaviour per child name comes from the FAKE_PLAN env JSON:
 * ready (default) | exit-early | silent | stubborn.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type FakeChildBehaviour = 'ready' | 'exit-early' | 'silent' | 'stubborn';

const SCRIPT = `
const [name, role, ...args] = process.argv.slice(2);
const plan = JSON.parse(process.env.FAKE_PLAN || '{}')[name] || 'ready';
process.stderr.write('pid=' + process.pid + ' dev-child=' + process.env.COCOON_EXIT_WITH_PARENT + '\\n');
process.on('SIGTERM', () => {
  if (plan === 'stubborn') { process.stderr.write('ignoring SIGTERM\\n'); return; }
  process.stderr.write('got SIGTERM\\n');
  process.exit(0);
});
setInterval(() => {}, 1000);
if (plan === 'exit-early') {
  process.stderr.write('boom: bad config\\n');
  process.exit(3);
} else if (plan !== 'silent') {
  const info = { event: 'ready', role, name, args };
  if (role === 'test-engine') info.url = 'http://127.0.0.1:' + args[args.indexOf('--port') + 1];
  process.stdout.write('{not json at all\\n');
  process.stdout.write(JSON.stringify(info) + '\\n');
  process.stdout.write('after ready\\n');
}
`;

export function writeFakeChildScript(directory: string): string {
  const path = join(directory, 'fake-child.mjs');
  writeFileSync(path, SCRIPT);
  return path;
}

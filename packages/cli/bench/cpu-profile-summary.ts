/**
 * Profiling helper for the benchmark: summarises `.cpuprofile` files (as written by
 * `npm run bench -- --cpu-prof-dir DIR`) into the top functions by self time and by
 * inclusive time, and the busiest source files.
 * Usage: `node --import tsx packages/cli/bench/cpu-profile-summary.ts FILE… [--top 25] [--last-ms N]`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const shortUrl = (url: string): string => relative(process.cwd(), url.startsWith('file://') ? fileURLToPath(url.replace(/\?.*$/, '')) : url);
const sourceLines = new Map<string, string[] | undefined>();

/**
 * tsx runs TypeScript as one generated line, so profile line numbers are useless for .ts
 * files: find the function's definition in the source instead (first plausible match).
 */
function sourceLine(url: string, functionName: string): number | undefined {
  if (!url.startsWith('file://') || !url.includes('.ts') || functionName === '') return undefined;
  const path = fileURLToPath(url.replace(/\?.*$/, ''));
  if (!sourceLines.has(path)) sourceLines.set(path, existsSync(path) ? readFileSync(path, 'utf8').split('\n') : undefined);
  const name = functionName.replace(/^.*\./, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const definition = new RegExp(`(function\\*?\\s+${name}\\b|\\b${name}\\s*(=|:)\\s*(async\\s*)?(\\(|function)|^\\s*(static\\s+|private\\s+|public\\s+|protected\\s+|async\\s+|get\\s+|set\\s+|\\*)*${name}\\s*(<[^>]*>)?\\()`);
  const index = sourceLines.get(path)?.findIndex((line) => definition.test(line)) ?? -1;
  return index === -1 ? undefined : index + 1;
}

const label = (node: ProfileNode): string => {
  const frame = node.callFrame;
  const line = sourceLine(frame.url, frame.functionName) ?? frame.lineNumber + 1;
  const where = frame.url === '' ? '' : ` ${shortUrl(frame.url)}:${line}`;
  return `${frame.functionName || '(anonymous)'}${where}`;
};

/** `lastMs`: only the samples of the profile's last `lastMs` milliseconds (e.g. the final load phase). */
function summarize(path: string, top: number, lastMs: number | undefined): void {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  if (lastMs !== undefined) {
    let at = profile.startTime;
    const times = profile.timeDeltas.map((delta) => (at += delta));
    const from = profile.endTime - lastMs * 1000;
    const keep = times.map((time) => time >= from);
    profile.samples = profile.samples.filter((_, index) => keep[index]);
    profile.timeDeltas = profile.timeDeltas.filter((_, index) => keep[index]);
  }
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    const name = label(node);
    if (node.callFrame.functionName === '(idle)') idle += us;
    self.set(name, (self.get(name) ?? 0) + us);
    const file = node.callFrame.url === '' ? '(native/vm)' : shortUrl(node.callFrame.url);
    files.set(file, (files.get(file) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const ancestor = byId.get(at);
      if (!ancestor) break;
      const ancestorName = label(ancestor);
      if (seen.has(ancestorName)) continue;
      seen.add(ancestorName);
      inclusive.set(ancestorName, (inclusive.get(ancestorName) ?? 0) + us);
    }
  }
  const busy = total - idle;
  const print = (title: string, map: Map<string, number>): void => {
    console.log(`  ${title}`);
    const rows = [...map.entries()].filter(([name]) => !name.startsWith('(idle)') && !name.startsWith('(root)')).sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [name, us] of rows) console.log(`    ${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / Math.max(busy, 1)).toFixed(1).padStart(5)} %  ${name}`);
  };
  console.log(`${path}: ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms busy`);
  print('self time by function', self);
  print('self time by file', files);
  print('inclusive time by function', inclusive);
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, 'last-ms': { type: 'string' } } });
const lastMs = values['last-ms'] === undefined ? undefined : Number(values['last-ms']);
for (const path of positionals) summarize(path, Number(values.top), lastMs);

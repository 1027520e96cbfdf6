/**
 * Test helper: loads the shared reference material (golden frames, Appendix A constructor IDs)
 * from `../shared` next to the repository root, wherever the tests are started from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface GoldenFrame {
  dir: 'c2s' | 's2c';
  seqno: number;
  outer: string;
  inner: string | null;
  note: string;
  size: number;
  hex: string;
}

function sharedFile(relative: string): string {
  const candidates = [
    fileURLToPath(new URL(`../../../../../shared/${relative}`, import.meta.url)),
    resolve(process.cwd(), '../shared', relative),
    resolve(process.cwd(), 'shared', relative),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`shared reference file not found: ${relative} (looked in ${candidates.join(', ')})`);
  return found;
}

export function loadGoldenStreams(): Record<string, GoldenFrame[]> {
  const data = JSON.parse(readFileSync(sharedFile('data/reference-frames.json'), 'utf8')) as { streams: Record<string, GoldenFrame[]> };
  return data.streams;
}

/** `name → id` pairs from the code block of Appendix A of the protocol description. */
export function loadAppendixAIds(): Map<string, number> {
  const text = readFileSync(sharedFile('reference/cocoon-protocol.md'), 'utf8');
  const start = text.indexOf('## Appendix A');
  const block = text.slice(text.indexOf('```', start) + 3, text.indexOf('```', text.indexOf('```', start) + 3));
  const ids = new Map<string, number>();
  for (const match of block.matchAll(/([A-Za-z][\w.]*) #([0-9a-f]{8})/g)) {
    ids.set(match[1] ?? '', Number.parseInt(match[2] ?? '', 16));
  }
  return ids;
}

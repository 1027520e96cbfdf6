/**
 * The golden frames captured from the reference implementation (fixtures/reference-frames.json;
 * provenance in fixtures/README.md): 256 framed session packets of the client↔proxy and
 * worker↔proxy conversations, used by codec, replay and interop tests across packages.
 */
import { readFileSync } from 'node:fs';

export interface GoldenFrame {
  dir: 'c2s' | 's2c';
  seqno: number;
  outer: string;
  inner: string | null;
  note: string;
  size: number;
  hex: string;
}

let streams: Record<string, GoldenFrame[]> | undefined;

/** Every recorded stream by name (e.g. `client_proxy`), frames in capture order. Parsed once. */
export function loadGoldenStreams(): Record<string, GoldenFrame[]> {
  streams ??= (JSON.parse(readFileSync(new URL('../fixtures/reference-frames.json', import.meta.url), 'utf8')) as { streams: Record<string, GoldenFrame[]> }).streams;
  return streams;
}

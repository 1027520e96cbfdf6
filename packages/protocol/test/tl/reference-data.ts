/**
 * Test helper: loads the reference material recorded in `test/fixtures` (the reference's constructor IDs;
 * the golden frames live in @cocoon/test-support, shared with other packages' tests); see its README.md.
 */
import { readFileSync } from 'node:fs';

export { loadGoldenStreams, type GoldenFrame } from '@cocoon/test-support';

const fixture = (name: string): URL => new URL(`../fixtures/${name}`, import.meta.url);

/** `name → id` pairs of the reference's compiled schema (docs/protocol.md Appendix A). */
export function loadReferenceConstructorIds(): Map<string, number> {
  const data = JSON.parse(readFileSync(fixture('reference-constructor-ids.json'), 'utf8')) as { constructors: Record<string, string> };
  return new Map(Object.entries(data.constructors).map(([name, hex]) => [name, Number.parseInt(hex, 16)]));
}

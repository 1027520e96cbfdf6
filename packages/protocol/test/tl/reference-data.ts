/**
 * Test helper: loads the reference material recorded in `test/fixtures` (the reference's constructor IDs;
 * the golden frames live in @cocoon/test-support, shared with other packages' tests); see its README.md.
 */
import { readFileSync } from 'node:fs';

export { loadGoldenStreams, type GoldenFrame } from '@cocoon/test-support';

const fixture = (name: string): URL => new URL(`../fixtures/${name}`, import.meta.url);

/**
 * `name → id` pairs of the reference's schema (docs/protocol.md Appendix A): the compiled b75d444 table,
 * with the constructors 9060ce5 added or renumbered laid over it.
 */
export function loadReferenceConstructorIds(): Map<string, number> {
  const data = JSON.parse(readFileSync(fixture('reference-constructor-ids.json'), 'utf8')) as {
    constructors: Record<string, string>;
    changes_9060ce5: { constructors: Record<string, string> };
  };
  const merged = { ...data.constructors, ...data.changes_9060ce5.constructors };
  return new Map(Object.entries(merged).map(([name, hex]) => [name, Number.parseInt(hex, 16)]));
}

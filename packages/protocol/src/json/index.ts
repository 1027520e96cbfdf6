/** Strict JSON input checks shared by the HTTP edges (depth, value count, duplicate keys). */
export {
  DEFAULT_JSON_STRUCTURE_LIMITS,
  MAX_QUOTED_KEY_CHARS,
  describeJsonStructureProblem,
  findJsonStructureProblem,
  jsonStructureError,
  parseCheckedJson,
  truncateKey,
} from './json-structure-checker.ts';
export type { JsonStructureLimits, JsonStructureProblem } from './json-structure-checker.ts';

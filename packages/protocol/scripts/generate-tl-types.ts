/**
 * Writes src/tl/generated/cocoon-api-types.ts from schema/cocoon-api.tl (`npm run generate:tl`).
 * With `--check` it writes nothing and exits 1 when the committed file is stale.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTlTypes } from './render-tl-types.ts';

const schemaPath = fileURLToPath(new URL('../schema/cocoon-api.tl', import.meta.url));
const outputPath = fileURLToPath(new URL('../src/tl/generated/cocoon-api-types.ts', import.meta.url));

const rendered = renderTlTypes(readFileSync(schemaPath, 'utf8'));
const current = existsSync(outputPath) ? readFileSync(outputPath, 'utf8') : undefined;
if (process.argv.includes('--check')) {
  if (current !== rendered) {
    process.stderr.write(`${outputPath} is stale: run npm run generate:tl\n`);
    process.exit(1);
  }
  process.stdout.write(`${outputPath} is up to date\n`);
} else if (current === rendered) {
  process.stdout.write(`${outputPath} is already up to date\n`);
} else {
  mkdirSync(dirname(outputPath), { recursive: true });
  writeFileSync(outputPath, rendered);
  process.stdout.write(`wrote ${outputPath} (${rendered.split('\n').length - 1} lines)\n`);
}

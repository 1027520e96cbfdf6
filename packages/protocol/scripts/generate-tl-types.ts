/**
 * Writes the generated TL modules from schema/cocoon-api.tl (`npm run generate:tl`):
 * src/tl/generated/cocoon-api-types.ts (the TypeScript types of every message) and
 * src/tl/generated/cocoon-api-schema.ts (the schema text the codec compiles at load).
 * With `--check` it writes nothing and exits 1 when a committed file is stale.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTlTypes } from './render-tl-types.ts';
import { renderTlSchemaModule } from './render-tl-schema-module.ts';

const schemaPath = fileURLToPath(new URL('../schema/cocoon-api.tl', import.meta.url));
const schemaText = readFileSync(schemaPath, 'utf8');
const outputs = [
  { path: fileURLToPath(new URL('../src/tl/generated/cocoon-api-types.ts', import.meta.url)), text: renderTlTypes(schemaText) },
  { path: fileURLToPath(new URL('../src/tl/generated/cocoon-api-schema.ts', import.meta.url)), text: renderTlSchemaModule(schemaText) },
];

const check = process.argv.includes('--check');
let stale = false;
for (const { path, text } of outputs) {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (check) {
    if (current !== text) {
      process.stderr.write(`${path} is stale: run npm run generate:tl\n`);
      stale = true;
    } else {
      process.stdout.write(`${path} is up to date\n`);
    }
  } else if (current === text) {
    process.stdout.write(`${path} is already up to date\n`);
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    process.stdout.write(`wrote ${path} (${text.split('\n').length - 1} lines)\n`);
  }
}
if (stale) process.exit(1);

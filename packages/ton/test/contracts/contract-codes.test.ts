// The TypeScript tables of contract opcodes and exit codes equal the Tolk sources they mirror:
// every OP_*/ERR_* constant, and every `struct (0x…) Name` prefix, has exactly the TS value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContractExitCode, ContractOp, contractExitCodeName } from '@cocoon/ton';

const contractsDir = fileURLToPath(new URL('../../contracts/', import.meta.url));
const camel = (constant: string): string => constant.toLowerCase().replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

function tolkSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'compiled' ? [] : tolkSources(path);
    return name.endsWith('.tolk') ? [readFileSync(path, 'utf8')] : [];
  });
}

function constants(text: string, prefix: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const match of text.matchAll(new RegExp(`^const ${prefix}_([A-Z0-9_]+) = (0x[0-9a-fA-F]+|\\d+)`, 'gm'))) found.set(camel(match[1]!), Number(match[2]));
  return found;
}

test('ContractOp equals the OP_* constants of opcodes.tolk, one for one', () => {
  const tolk = constants(readFileSync(join(contractsDir, 'common/opcodes.tolk'), 'utf8'), 'OP');
  assert.ok(tolk.size >= 40, `parsed ${tolk.size} opcodes`);
  assert.deepEqual(new Map(Object.entries(ContractOp)), tolk);
});

test('every struct opcode prefix in the contracts is a known opcode', () => {
  const known = new Set<number>(Object.values(ContractOp));
  let checked = 0;
  for (const source of tolkSources(contractsDir)) {
    for (const match of source.matchAll(/^struct \((0x[0-9a-fA-F]{8})\) (\w+)/gm)) {
      assert.ok(known.has(Number(match[1])), `struct ${match[2]} has opcode ${match[1]} missing from ContractOp`);
      checked++;
    }
  }
  assert.ok(checked >= 40, `checked ${checked} structs`);
});

test('ContractExitCode equals the ERR_* constants of errors.tolk, and names resolve back', () => {
  const tolk = constants(readFileSync(join(contractsDir, 'common/errors.tolk'), 'utf8'), 'ERR');
  assert.deepEqual(new Map(Object.entries(ContractExitCode)), tolk);
  assert.equal(new Set(tolk.values()).size, tolk.size, 'exit codes are distinct');
  assert.equal(contractExitCodeName(ContractExitCode.accessDenied), 'accessDenied');
  assert.equal(contractExitCodeName(9), undefined);
});

/**
 * Compiles every Tolk contract and writes `contracts/compiled/<name>.json`.
 * Usage: node --import tsx packages/ton/scripts/compile-contracts.ts [name ...]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_NAMES, CONTRACTS_DIRECTORY, compileContract, type ContractName } from '../src/contracts/contract-compiler.ts';

const requested = process.argv.slice(2) as ContractName[];
const names = requested.length > 0 ? requested : [...CONTRACT_NAMES];
for (const name of names) {
  if (!CONTRACT_NAMES.includes(name)) throw new Error(`unknown contract ${name}; known: ${CONTRACT_NAMES.join(', ')}`);
  const compiled = await compileContract(name);
  writeFileSync(join(CONTRACTS_DIRECTORY, 'compiled', `${name}.json`), `${JSON.stringify(compiled, null, 2)}\n`);
  console.log(`${name}: code hash ${compiled.codeHashHex} (${Buffer.from(compiled.codeBoc64, 'base64').length} B BOC)`);
}

/**
 * Compiles the Tolk contracts in `packages/ton/contracts/` with @ton/tolk-js (no blueprint),
 * and reads the compiled artifacts committed under `contracts/compiled/` (what runners use,
 * so every node derives the same addresses without compiling at start-up).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cell } from '@ton/core';
import { CocoonError } from '@cocoon/protocol';

export const CONTRACT_NAMES = ['root', 'proxy', 'client', 'worker', 'wallet'] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export const CONTRACTS_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'contracts');

/** What `contracts/compiled/<name>.json` holds. */
export interface CompiledContract {
  name: ContractName;
  codeBoc64: string;
  codeHashHex: string;
  tolkVersion: string;
  /** SHA-256 over every .tolk source the build read, to spot stale artifacts. */
  sourcesSha256: string;
}

/** Entry file of each contract. */
export function contractEntryFile(name: ContractName): string {
  return `cocoon-${name}.tolk`;
}

/** Compiles one contract from source (about 1–2 s: WASM start-up). */
export async function compileContract(name: ContractName): Promise<CompiledContract> {
  const { runTolkCompiler } = await import('@ton/tolk-js');
  const sources = createHash('sha256');
  const result = await runTolkCompiler({
    entrypointFileName: contractEntryFile(name),
    fsReadCallback: (path: string) => {
      const text = readFileSync(join(CONTRACTS_DIRECTORY, path), 'utf8');
      sources.update(path).update('\0').update(text).update('\0');
      return text;
    },
  });
  if (result.status !== 'ok') {
    throw new CocoonError('CCN_ERR_INTERNAL', `Tolk compilation of ${name} failed: ${result.message}`);
  }
  return {
    name,
    codeBoc64: result.codeBoc64,
    codeHashHex: result.codeHashHex.toLowerCase(),
    tolkVersion: result.tolkVersion,
    sourcesSha256: sources.digest('hex'),
  };
}

const cache = new Map<ContractName, Cell>();

/** The committed compiled code of a contract. */
export function loadContractCode(name: ContractName): Cell {
  const cached = cache.get(name);
  if (cached) return cached;
  const path = join(CONTRACTS_DIRECTORY, 'compiled', `${name}.json`);
  let compiled: CompiledContract;
  try {
    compiled = JSON.parse(readFileSync(path, 'utf8')) as CompiledContract;
  } catch (error) {
    throw new CocoonError('CCN_ERR_INTERNAL', `no compiled ${name} contract at ${path}: run npm run build:contracts`, { cause: error });
  }
  const code = Cell.fromBase64(compiled.codeBoc64);
  cache.set(name, code);
  return code;
}

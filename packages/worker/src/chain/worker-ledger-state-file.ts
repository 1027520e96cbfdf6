/**
 * The worker's durable per-proxy-contract ledger (§3.2, §6.6): the newest valid signed payout,
 * the token totals the proxy reported, and the tokens already cashed out on the worker
 * contract. One small JSON file per proxy contract, written atomically (temp file, fsync,
 * rename, directory fsync) with 0600 permissions, so a crash never leaves a torn record and a
 * restarted worker can still detect a proxy that lost (rolled back) its state.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Address } from '@ton/core';
import { CocoonError } from '@cocoon/protocol';

export interface WorkerLedgerState {
  /** Raw (`0:hex`) address of the proxy contract. */
  proxyContractAddress: string;
  /** Raw address of this worker's contract at that proxy. */
  workerContractAddress: string;
  /** BOC (hex) of the newest valid signed payout (op 0xa040ad28), or null before the first one. */
  signedPayoutBoc: string | null;
  /** Tokens in `signedPayoutBoc` (0 without one). */
  tokensCommittedToBlockchain: bigint;
  tokensCommittedToDb: bigint;
  maxTokens: bigint;
  /** Tokens the worker contract has been paid for (its `tokens`). */
  cashedOutTokens: bigint;
}

const FILE_VERSION = 1;
const TOKEN_FIELDS = ['tokensCommittedToBlockchain', 'tokensCommittedToDb', 'maxTokens', 'cashedOutTokens'] as const;

export function emptyWorkerLedgerState(proxyContract: Address, workerContract: Address): WorkerLedgerState {
  return {
    proxyContractAddress: proxyContract.toRawString(),
    workerContractAddress: workerContract.toRawString(),
    signedPayoutBoc: null,
    tokensCommittedToBlockchain: 0n,
    tokensCommittedToDb: 0n,
    maxTokens: 0n,
    cashedOutTokens: 0n,
  };
}

export class WorkerLedgerStateFile {
  constructor(readonly directory: string) {}

  pathFor(proxyContract: Address): string {
    return join(this.directory, `worker-proxy-${proxyContract.workChain}-${proxyContract.hash.toString('hex')}.json`);
  }

  /** The stored state for this proxy contract, or undefined if none; CCN_ERR_LEDGER_CORRUPT on a damaged file. */
  load(proxyContract: Address): WorkerLedgerState | undefined {
    const path = this.pathFor(proxyContract);
    if (!existsSync(path)) return undefined;
    try {
      const record = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      if (record.version !== FILE_VERSION || record.proxy_contract_address !== proxyContract.toRawString()) throw new Error('version or proxy contract differs');
      const boc = record.signed_payout_boc;
      if (boc !== null && (typeof boc !== 'string' || !/^[0-9a-f]+$/.test(boc))) throw new Error('bad signed_payout_boc');
      const state: WorkerLedgerState = {
        ...emptyWorkerLedgerState(proxyContract, proxyContract),
        workerContractAddress: String(record.worker_contract_address),
        signedPayoutBoc: boc,
      };
      for (const field of TOKEN_FIELDS) {
        const text = record[snakeCase(field)];
        if (typeof text !== 'string' || !/^\d+$/.test(text)) throw new Error(`bad ${snakeCase(field)}`);
        state[field] = BigInt(text);
      }
      return state;
    } catch (error) {
      throw new CocoonError('CCN_ERR_LEDGER_CORRUPT', `worker ledger file ${path} is damaged: ${(error as Error).message}`, { cause: error, param: path });
    }
  }

  /** Writes the state atomically: temp file (0600) + fsync + rename + directory fsync. */
  save(state: WorkerLedgerState): void {
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    const record: Record<string, unknown> = {
      version: FILE_VERSION,
      proxy_contract_address: state.proxyContractAddress,
      worker_contract_address: state.workerContractAddress,
      signed_payout_boc: state.signedPayoutBoc,
    };
    for (const field of TOKEN_FIELDS) record[snakeCase(field)] = state[field].toString();
    const path = join(this.directory, this.fileNameOf(state.proxyContractAddress));
    const temporary = `${path}.tmp`;
    const descriptor = openSync(temporary, 'w', 0o600);
    try {
      writeSync(descriptor, `${JSON.stringify(record, null, 2)}\n`);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    chmodSync(temporary, 0o600);
    renameSync(temporary, path);
    const directory = openSync(this.directory, 'r');
    try {
      fsyncSync(directory);
    } finally {
      closeSync(directory);
    }
  }

  private fileNameOf(rawAddress: string): string {
    const [workChain, hash] = rawAddress.split(':');
    return `worker-proxy-${workChain}-${hash}.json`;
  }
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * Durable JSON state file of the local chain process: written to a temp file, fsynced,
 * renamed over the old one and the directory fsynced, so a crash leaves either the old
 * or the new state, never a torn one.
 */
import { CocoonError } from '@cocoon/protocol';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export const CHAIN_STATE_FILE_NAME = 'chain-state.json';

let temporaryCounter = 0;

export async function writeFileDurably(filePath: string, contents: string): Promise<void> {
  const directory = path.dirname(filePath);
  await mkdir(directory, { recursive: true });
  const temporaryPath = `${filePath}.tmp-${process.pid}-${temporaryCounter++}`;
  try {
    const handle = await open(temporaryPath, 'w', 0o600);
    try {
      await handle.writeFile(contents, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, filePath);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
  const directoryHandle = await open(directory, 'r');
  try {
    await directoryHandle.sync();
  } finally {
    await directoryHandle.close();
  }
}

/** The parsed JSON in `filePath`, or undefined if there is none yet; a damaged file is CCN_ERR_LEDGER_CORRUPT. */
export async function readJsonStateFile(filePath: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CocoonError('CCN_ERR_LEDGER_CORRUPT', `chain state file ${filePath} is not valid JSON; move it away to start a fresh chain`, { cause: error });
  }
}

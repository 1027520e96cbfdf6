/**
 * The local chain's durable state file: JSON written atomically with mode 0600 (no temporary
 * files left behind, directories created), read back; a missing file is "no state yet", a damaged
 * one CCN_ERR_LEDGER_CORRUPT naming the file, other read errors pass through.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isCocoonError } from '@cocoon/protocol';
import { readJsonStateFile, writeFileDurably } from '../../src/chain/chain-state-file.ts';

async function temporaryDirectory(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'cocoon-state-file-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

describe('chain state file', () => {
  test('writes create missing directories, a 0600 file and leave no temporary files; rewrites replace', async (t) => {
    const directory = await temporaryDirectory(t);
    const file = path.join(directory, 'nested', 'deeper', 'chain-state.json');
    await writeFileDurably(file, JSON.stringify({ version: 1, now: 5 }));
    assert.deepEqual(await readJsonStateFile(file), { version: 1, now: 5 });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    await writeFileDurably(file, JSON.stringify({ version: 1, now: 6 }));
    assert.deepEqual(await readJsonStateFile(file), { version: 1, now: 6 });
    assert.deepEqual(await readdir(path.dirname(file)), ['chain-state.json']);
  });

  test('concurrent writes each leave a complete file', async (t) => {
    const directory = await temporaryDirectory(t);
    const file = path.join(directory, 'state.json');
    const bodies = Array.from({ length: 8 }, (_, index) => JSON.stringify({ index, padding: 'x'.repeat(10_000 * (index + 1)) }));
    await Promise.all(bodies.map((body) => writeFileDurably(file, body)));
    assert.ok(bodies.includes(await readFile(file, 'utf8')), 'the file holds one whole write');
    assert.deepEqual(await readdir(directory), ['state.json']);
  });

  test('a failed write removes its temporary file and keeps the old state', async (t) => {
    const directory = await temporaryDirectory(t);
    const file = path.join(directory, 'state.json');
    await mkdir(file); // a directory where the file should go: the rename fails
    await assert.rejects(writeFileDurably(file, '{"new":true}'), (error: NodeJS.ErrnoException) => ['EISDIR', 'ENOTEMPTY', 'EEXIST', 'EPERM'].includes(error.code ?? ''));
    assert.deepEqual(await readdir(directory), ['state.json']);
    assert.equal((await stat(file)).isDirectory(), true);
  });

  test('no file yet reads as undefined', async (t) => {
    const directory = await temporaryDirectory(t);
    assert.equal(await readJsonStateFile(path.join(directory, 'missing.json')), undefined);
    assert.equal(await readJsonStateFile(path.join(directory, 'no', 'such', 'dir.json')), undefined);
  });

  for (const [name, contents] of [['a torn write', '{"version":1,"snap'], ['an empty file', ''], ['binary garbage', '\u0000\u0001\u0002']] as const) {
    test(`${name} is CCN_ERR_LEDGER_CORRUPT naming the file`, async (t) => {
      const directory = await temporaryDirectory(t);
      const file = path.join(directory, 'chain-state.json');
      await writeFile(file, contents);
      await assert.rejects(readJsonStateFile(file), (error: unknown) =>
        isCocoonError(error) && error.code === 'CCN_ERR_LEDGER_CORRUPT' && error.message.includes(file) && /move it away/.test(error.message));
    });
  }

  test('other read errors are not mistaken for a missing or damaged file', async (t) => {
    const directory = await temporaryDirectory(t);
    await assert.rejects(readJsonStateFile(directory), (error: NodeJS.ErrnoException) => error.code === 'EISDIR');
  });
});

/**
 * Guard: the repository stands on its own. No file under packages/ or scripts/ may reach outside
 * the repository into a sibling `shared/` folder (reference notes, recorded data): what tests
 * need lives in each package's test/fixtures, and the protocol is described in docs/protocol.md.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const scannedFolders = ['packages', 'scripts'];

/** A parent-relative path into the sibling folder, or its data or reference subfolder (escaped so this file does not match itself). */
const outsidePath = /\.\.\/shared\b|\bshared\/(?:data|reference)\b/;

/** Every file under `folder`, skipping installed dependencies and dot-folders (local state such as .cocoon). */
function listFiles(folder: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(folder, name);
    if (statSync(path).isDirectory()) files.push(...listFiles(path));
    else files.push(path);
  }
  return files;
}

/** `path:line: text` for every line of a text file that points outside the repository. */
function findOutsidePaths(path: string, content: Buffer): string[] {
  if (content.includes(0)) return [];
  return content.toString('utf8').split('\n').flatMap((line, index) =>
    outsidePath.test(line) ? [`${relative(repositoryRoot, path)}:${index + 1}: ${line.trim()}`] : []);
}

describe('the repository is self-contained', () => {
  test('the detector catches the ways a path can leave the repository, and nothing else', () => {
    const shared = ['sha', 'red'].join(''); // spelled apart so this file passes its own scan
    const caught = [
      `new URL('../../../../../${shared}/data/reference-frames.json', import.meta.url)`,
      `resolve(process.cwd(), '../${shared}', relative)`,
      `see \`${shared}/reference/cocoon-protocol.md\``,
    ];
    for (const line of caught) assert.deepEqual(findOutsidePaths('x.ts', Buffer.from(line)), [`x.ts:1: ${line}`]);
    const harmless = ['one shared quote verifier', "new URL('../fixtures/reference-frames.json', import.meta.url)", 'sharedQuoteVerifier()'];
    for (const line of harmless) assert.deepEqual(findOutsidePaths('x.ts', Buffer.from(line)), []);
  });

  test('no file under packages/ or scripts/ points into the shared folder beside the repository', () => {
    const files = scannedFolders.flatMap((folder) => listFiles(join(repositoryRoot, folder)));
    assert.ok(files.some((path) => path.endsWith(join('fixtures', 'reference-frames.json'))), 'the scan covers the fixtures');
    const offenders = files.flatMap((path) => findOutsidePaths(path, readFileSync(path)));
    assert.deepEqual(offenders, [], `files reaching outside the repository:\n${offenders.join('\n')}`);
  });
});

// The simulated runner image of a packages/ directory: MRTD over every package's src/**.ts (packages
// without src/ skipped), RTMR3 over the role's static config, and the image hash the root lists.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RUNNER_PACKAGES_DIRECTORY,
  computeCodeBundleHash,
  computeImageHash,
  measureRunnerImage,
  measureSimulatedRunner,
  measureSimulatedRunnerImage,
  simulatedRunnerStaticConfig,
} from '../../src/index.ts';

describe('measureSimulatedRunnerImage', () => {
  let packages: string;
  const write = async (relative: string, text: string): Promise<void> => {
    await mkdir(join(packages, relative, '..'), { recursive: true });
    await writeFile(join(packages, relative), text);
  };

  before(async () => {
    packages = await mkdtemp(join(tmpdir(), 'cocoon-packages-'));
    await write('alpha/src/index.ts', 'export const alpha = 1;\n');
    await write('alpha/src/deep/util.ts', 'export const util = 2;\n');
    await write('alpha/test/alpha.test.ts', 'not measured\n');
    await write('beta/index.ts', 'no src/: not a runner package\n');
    await write('gamma/src/main.ts', 'export const gamma = 3;\n');
    await write('gamma/src/readme.md', 'not code\n');
    await write('notes.txt', 'a file beside the packages\n');
  });
  after(() => rm(packages, { recursive: true, force: true }));

  test('measures the src/ .ts files of packages that have src/, with paths relative to packages/', async () => {
    const image = await measureSimulatedRunnerImage({ role: 'proxy' }, { packagesDirectory: packages });
    assert.equal(image.codeFiles, 3);
    const files = ['alpha/src/deep/util.ts', 'alpha/src/index.ts', 'gamma/src/main.ts'].map((file) => join(packages, file));
    assert.deepEqual(image.codeBundleHash, await computeCodeBundleHash(files, packages));
    const expected = await measureRunnerImage({ codeBundleHash: image.codeBundleHash, staticConfig: { role: 'proxy' } });
    assert.deepEqual(image.measurements, expected);
    assert.deepEqual(image.imageHash, computeImageHash({ ...expected, reportData: Buffer.alloc(64) }));
  });

  test('a change to a test file or a package without src/ leaves the image; a src change moves it', async () => {
    const before = await measureSimulatedRunnerImage({ role: 'proxy' }, { packagesDirectory: packages });
    await write('alpha/test/alpha.test.ts', 'changed\n');
    await write('beta/index.ts', 'changed\n');
    assert.deepEqual((await measureSimulatedRunnerImage({ role: 'proxy' }, { packagesDirectory: packages })).imageHash, before.imageHash);
    await write('gamma/src/main.ts', 'export const gamma = 4;\n');
    const after = await measureSimulatedRunnerImage({ role: 'proxy' }, { packagesDirectory: packages });
    assert.notDeepEqual(after.imageHash, before.imageHash);
    assert.notDeepEqual(after.measurements.mrTd, before.measurements.mrTd);
    assert.deepEqual(after.measurements.rtmr3, before.measurements.rtmr3);
  });

  test('proxy and worker images share MRTD and differ in RTMR3; debug differs again', async () => {
    const proxy = await measureSimulatedRunner('proxy', { packagesDirectory: packages });
    const worker = await measureSimulatedRunner('worker', { packagesDirectory: packages });
    assert.deepEqual(simulatedRunnerStaticConfig('worker'), { image: 'cocoon-worker', role: 'worker' });
    assert.deepEqual(proxy.measurements.mrTd, worker.measurements.mrTd);
    assert.notDeepEqual(proxy.measurements.rtmr3, worker.measurements.rtmr3);
    assert.notDeepEqual(proxy.imageHash, worker.imageHash);
    const debug = await measureSimulatedRunnerImage(simulatedRunnerStaticConfig('proxy'), { packagesDirectory: packages, debug: true });
    assert.notDeepEqual(debug.measurements.rtmr3, proxy.measurements.rtmr3);
    assert.deepEqual(debug.measurements.mrTd, proxy.measurements.mrTd);
  });

  test('a packages directory without any src/ is a config error', async () => {
    const empty = join(packages, 'beta');
    await assert.rejects(measureSimulatedRunnerImage({}, { packagesDirectory: empty }), { code: 'CCN_ERR_CONFIG_INVALID', message: /no files/ });
  });

  test('the default packages directory is this repository\'s packages/', () => {
    assert.ok(existsSync(join(RUNNER_PACKAGES_DIRECTORY, 'attestation', 'src', 'index.ts')));
    assert.ok(existsSync(join(RUNNER_PACKAGES_DIRECTORY, 'protocol', 'src')));
  });
});

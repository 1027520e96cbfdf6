// Simulated measurements: MRTD follows the runner code, RTMR3 follows the static config and debug flag (§7.1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeImageHash } from '../../src/verifier/image-hash.ts';
import {
  canonicalJson,
  computeCodeBundleHash,
  extendRtmr,
  measureRunnerImage,
  runnerCodeFiles,
  staticConfigHash,
  type TdxMeasurementRegisters,
} from '../../src/simulated/index.ts';

const CONFIG = { model: 'qwen', price: { prompt: 10, completion: 20 }, ports: [1, 2] };
const imageHash = (registers: TdxMeasurementRegisters): string => computeImageHash({ ...registers, reportData: Buffer.alloc(64, 7) }).toString('hex');

describe('measureRunnerImage', () => {
  let workspace: string;
  let packageRoot: string;

  before(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'cocoon-measure-'));
    packageRoot = join(workspace, 'one', 'worker');
    await mkdir(join(packageRoot, 'src', 'nested'), { recursive: true });
    await mkdir(join(packageRoot, 'src', 'node_modules'), { recursive: true });
    await writeFile(join(packageRoot, 'src', 'main.ts'), 'export const main = 1;\n');
    await writeFile(join(packageRoot, 'src', 'nested', 'helper.ts'), 'export const helper = 2;\n');
    await writeFile(join(packageRoot, 'src', 'notes.md'), 'not code\n');
    await writeFile(join(packageRoot, 'src', 'node_modules', 'dep.ts'), 'ignored\n');
    await writeFile(join(packageRoot, 'package.json'), '{}\n');
  });
  after(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  test('runnerCodeFiles lists the .ts files under src/, sorted, without node_modules', async () => {
    const files = await runnerCodeFiles([packageRoot]);
    assert.deepEqual(files, [join(packageRoot, 'src', 'main.ts'), join(packageRoot, 'src', 'nested', 'helper.ts')]);
  });

  test('registers: fixed RTMR0..2, zero config registers, RTMR3 = extend of the §7.1 events', async () => {
    const registers = await measureRunnerImage({ codeFiles: await runnerCodeFiles([packageRoot]), staticConfig: CONFIG });
    for (const register of [registers.mrConfigId, registers.mrOwner, registers.mrOwnerConfig]) assert.deepEqual(register, Buffer.alloc(48));
    const specHash = createHash('sha256').update(canonicalJson(CONFIG)).digest('hex');
    assert.equal(staticConfigHash(CONFIG), specHash);
    let expected = Buffer.alloc(48);
    for (const event of [`cocoon:spec.tree=${specHash}`, 'cocoon:tdx_inited']) {
      expected = createHash('sha384').update(expected).update(createHash('sha384').update(event).digest()).digest();
    }
    assert.deepEqual(registers.rtmr3, expected);
    const other = await measureRunnerImage({ codeBundleHash: Buffer.alloc(32, 1), staticConfig: {} });
    assert.deepEqual([other.rtmr0, other.rtmr1, other.rtmr2], [registers.rtmr0, registers.rtmr1, registers.rtmr2]);
    assert.notDeepEqual(registers.rtmr0, registers.rtmr1);
  });

  test('the debug flag adds cocoon:cocoon_debug before tdx_inited', async () => {
    const plain = await measureRunnerImage({ codeBundleHash: Buffer.alloc(32), staticConfig: CONFIG });
    const debug = await measureRunnerImage({ codeBundleHash: Buffer.alloc(32), staticConfig: CONFIG, debug: true });
    const expected = ['cocoon:spec.tree=' + staticConfigHash(CONFIG), 'cocoon:cocoon_debug', 'cocoon:tdx_inited']
      .reduce((rtmr: Buffer, event) => extendRtmr(rtmr, event), Buffer.alloc(48));
    assert.deepEqual(debug.rtmr3, expected);
    assert.notDeepEqual(plain.rtmr3, debug.rtmr3);
    assert.deepEqual(plain.mrTd, debug.mrTd);
  });

  test('changing one code file changes MRTD and the image hash, not RTMR3', async () => {
    const files = await runnerCodeFiles([packageRoot]);
    const before = await measureRunnerImage({ codeFiles: files, staticConfig: CONFIG });
    await writeFile(join(packageRoot, 'src', 'nested', 'helper.ts'), 'export const helper = 3;\n');
    const after = await measureRunnerImage({ codeFiles: files, staticConfig: CONFIG });
    await writeFile(join(packageRoot, 'src', 'nested', 'helper.ts'), 'export const helper = 2;\n');
    assert.notDeepEqual(before.mrTd, after.mrTd);
    assert.deepEqual(before.rtmr3, after.rtmr3);
    assert.notEqual(imageHash(before), imageHash(after));
  });

  test('changing one static-config value changes RTMR3 and the image hash; key order does not', async () => {
    const bundle = Buffer.alloc(32, 5);
    const base = await measureRunnerImage({ codeBundleHash: bundle, staticConfig: CONFIG });
    const reordered = await measureRunnerImage({ codeBundleHash: bundle, staticConfig: { ports: [1, 2], price: { completion: 20, prompt: 10 }, model: 'qwen' } });
    const changed = await measureRunnerImage({ codeBundleHash: bundle, staticConfig: { ...CONFIG, price: { prompt: 10, completion: 21 } } });
    assert.deepEqual(reordered.rtmr3, base.rtmr3);
    assert.notDeepEqual(changed.rtmr3, base.rtmr3);
    assert.deepEqual(changed.mrTd, base.mrTd);
    assert.notEqual(imageHash(changed), imageHash(base));
  });

  test('the code bundle hash depends on relative paths only, so a copy elsewhere measures the same', async () => {
    const copy = join(workspace, 'two', 'elsewhere', 'worker');
    await cp(packageRoot, copy, { recursive: true });
    const original = await runnerCodeFiles([packageRoot]);
    const copied = await runnerCodeFiles([copy]);
    assert.deepEqual(await computeCodeBundleHash(copied), await computeCodeBundleHash(original));
    const fromHash = await measureRunnerImage({ codeBundleHash: await computeCodeBundleHash(original), staticConfig: CONFIG });
    const fromFiles = await measureRunnerImage({ codeFiles: copied, staticConfig: CONFIG });
    assert.deepEqual(fromFiles.mrTd, fromHash.mrTd);
  });

  test('no code given is a config error', async () => {
    await assert.rejects(measureRunnerImage({ staticConfig: CONFIG }), { code: 'CCN_ERR_CONFIG_INVALID' });
    await assert.rejects(computeCodeBundleHash([]), { code: 'CCN_ERR_CONFIG_INVALID' });
  });
});

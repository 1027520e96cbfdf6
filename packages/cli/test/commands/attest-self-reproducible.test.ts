/**
 * The simulated image hash is reproducible: two clean copies of the same commit (`git archive
 * HEAD`) measure to the same hash as `cocoon attest self` reports for them; a changed runner
 * source file changes it, while tests and docs (not part of the image) do not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureSimulatedRunnerImage, simulatedRunnerStaticConfig } from '@cocoon/attestation';
import { runAttestCommand } from '../../src/commands/attest-command.ts';
import type { CliIo } from '../../src/cli-io.ts';

const REPOSITORY = new URL('../../../../', import.meta.url).pathname;

/** Extracts the committed packages/ of HEAD into `directory` (a clean copy: no untracked or ignored files). */
function cleanCopy(directory: string): string {
  mkdirSync(directory, { recursive: true });
  const archive = execFileSync('git', ['-C', REPOSITORY, 'archive', '--format=tar', 'HEAD', 'packages'], { maxBuffer: 512 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', directory], { input: archive });
  return join(directory, 'packages');
}

async function attestSelfJson(packagesDirectory: string, role: string): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const io: CliIo = { stdout: (line) => out.push(line), stderr: () => undefined, env: {} };
  assert.equal(await runAttestCommand(['self', '--role', role, '--json'], io, { packagesDirectory }), 0);
  return JSON.parse(out.join('\n')) as Record<string, unknown>;
}

describe('cocoon attest self: reproducible image hash', () => {
  const root = mkdtempSync(join(tmpdir(), 'cocoon-reproducible-'));
  let first: string;
  let second: string;
  before(() => {
    first = cleanCopy(join(root, 'first'));
    second = cleanCopy(join(root, 'second'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('two clean copies of HEAD give the same measurements and image hash, per role', async () => {
    for (const role of ['proxy', 'worker'] as const) {
      const one = await attestSelfJson(first, role);
      const two = await attestSelfJson(second, role);
      assert.match(String(one.image_hash), /^[0-9a-f]{64}$/);
      assert.deepEqual(two, one, `${role}: same code files, bundle hash, MRTD, RTMR3 and image hash`);
      const direct = await measureSimulatedRunnerImage(simulatedRunnerStaticConfig(role), { packagesDirectory: second });
      assert.equal(direct.imageHash.toString('hex'), one.image_hash);
    }
    const proxy = await attestSelfJson(first, 'proxy');
    const worker = await attestSelfJson(first, 'worker');
    assert.equal(proxy.mrtd, worker.mrtd, 'same code');
    assert.notEqual(proxy.image_hash, worker.image_hash, 'the role is in RTMR3');
  });

  test('a changed runner source file changes the hash; tests, docs and non-.ts files do not', async () => {
    const before = await attestSelfJson(second, 'worker');
    writeFileSync(join(second, 'worker', 'README-not-measured.md'), 'docs are not part of the image\n');
    appendFileSync(join(second, 'protocol', 'package.json'), '\n');
    mkdirSync(join(second, 'worker', 'test', 'extra'), { recursive: true });
    writeFileSync(join(second, 'worker', 'test', 'extra', 'more.test.ts'), '// tests are not part of the image\n');
    assert.equal((await attestSelfJson(second, 'worker')).image_hash, before.image_hash);

    appendFileSync(join(second, 'protocol', 'src', 'index.ts'), '\n// one more line\n');
    const changed = await attestSelfJson(second, 'worker');
    assert.notEqual(changed.image_hash, before.image_hash);
    assert.notEqual(changed.mrtd, before.mrtd);
    assert.equal(changed.rtmr3, before.rtmr3, 'the static config did not change');
    assert.notEqual(changed.image_hash, (await attestSelfJson(first, 'worker')).image_hash);
  });
});

/**
 * The worker's model switch (§3.2 `worker.changeModel`) with real scripts: the script gets the new
 * model as its one argument with no shell interpretation, success switches the model, a failing,
 * missing or slow script is refused with a clear error (a slow one is killed with what it started)
 * and the model stays; one switch at a time; the root's model check; the output never reaches the logs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CocoonError, createLogger } from '@cocoon/protocol';
import { WorkerModelSwitch, runModelSwitchScript } from '../../src/models/index.ts';

const OLD_MODEL = `org/old@r1:${'1'.repeat(64)}`;
/** `$(…)`, `;` and a backquote would run commands if a shell saw the name. */
const NEW_MODEL = `org/new$(touch\${IFS}pwned);\`id\`@r2:${'2'.repeat(64)}`;

let directory: string;
const lines: string[] = [];
const logger = createLogger('worker', { level: 'debug', write: (line) => lines.push(line) });

function script(name: string, body: string): string {
  const path = join(directory, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const refused = (code: string, pattern: RegExp) => (error: unknown): boolean =>
  error instanceof CocoonError && error.code === code && pattern.test(error.message);

before(() => { directory = mkdtempSync(join(tmpdir(), 'cocoon-model-switch-')); });
after(() => rmSync(directory, { recursive: true, force: true }));

describe('WorkerModelSwitch', () => {
  test('a succeeding script gets the literal model name and switches the model', async () => {
    const argumentFile = join(directory, 'argument');
    const models = new WorkerModelSwitch({
      model: OLD_MODEL, logger, timeoutMs: 10_000, now: () => 1234,
      script: script('ok.sh', `cd "${directory}"; printf '%s' "$1" > "${argumentFile}"; echo SECRET-SCRIPT-OUTPUT; echo SECRET-ERR >&2`),
    });
    const changed: string[] = [];
    models.onChanged((model) => changed.push(model));
    await models.change(NEW_MODEL);
    assert.equal(readFileSync(argumentFile, 'utf8'), NEW_MODEL);
    assert.equal(existsSync(join(directory, 'pwned')), false, 'no shell interpreted the name');
    assert.equal(models.current, NEW_MODEL);
    assert.equal(models.baseName, 'org/new$(touch${IFS}pwned);`id`');
    assert.deepEqual(changed, [NEW_MODEL]);
    assert.deepEqual({ ...models.status(), last: { ...models.status().last!, duration_ms: 0 } }, {
      script_configured: true, running: null, last: { model: NEW_MODEL, ok: true, exit_code: 0, timed_out: false, duration_ms: 0, finished_at: 1234 },
    });
    assert.ok(lines.some((line) => line.includes('model changed')));
    assert.ok(!lines.some((line) => line.includes('SECRET-')), 'the script output is not logged');
  });

  test('a failing script is refused with its exit code; the model stays', async () => {
    const models = new WorkerModelSwitch({ model: OLD_MODEL, logger, timeoutMs: 10_000, script: script('fail.sh', 'echo SECRET-FAIL-OUTPUT; exit 3') });
    await assert.rejects(models.change(NEW_MODEL), refused('CCN_ERR_WORKER_MODEL_CHANGE_FAILED', /^cannot change model: model change script failed \(exit code 3\)$/));
    assert.equal(models.current, OLD_MODEL);
    assert.equal(models.status().last?.ok, false);
    assert.equal(models.status().last?.exit_code, 3);
    assert.ok(!lines.some((line) => line.includes('SECRET-FAIL')));
  });

  test('a script that runs too long is killed with what it started, and refused', async () => {
    const childPidFile = join(directory, 'child.pid');
    const models = new WorkerModelSwitch({
      model: OLD_MODEL, logger, timeoutMs: 300,
      script: script('slow.sh', `sleep 30 & echo $! > "${childPidFile}"; wait`),
    });
    await assert.rejects(models.change(NEW_MODEL), refused('CCN_ERR_WORKER_MODEL_CHANGE_FAILED', /did not finish within 0 s/));
    assert.equal(models.current, OLD_MODEL);
    assert.equal(models.status().last?.timed_out, true);
    const childPid = Number(readFileSync(childPidFile, 'utf8'));
    const alive = (): boolean => { // a killed child may linger as a zombie until init reaps it: that counts as dead
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${childPid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    for (let attempt = 0; attempt < 100 && alive(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(alive(), false, 'the process group was killed');
  });

  test('without a script, with a bad name or a model the root does not allow: refused, nothing runs', async () => {
    const noScript = new WorkerModelSwitch({ model: OLD_MODEL, logger, timeoutMs: 1000 });
    await assert.rejects(noScript.change(NEW_MODEL), refused('CCN_ERR_WORKER_MODEL_CHANGE_FAILED', /no change_model_script in config/));
    let runs = 0;
    const counting = new WorkerModelSwitch({
      model: OLD_MODEL, logger, timeoutMs: 1000, script: '/bin/true',
      checkModel: (model) => { if (model !== OLD_MODEL) throw new Error('model not in the root model_hashes'); },
      run: async () => { runs += 1; throw new Error('not reached'); },
    });
    await assert.rejects(counting.change('no-hash'), refused('CCN_ERR_WORKER_MODEL_CHANGE_FAILED', /name@revision:hash/));
    await assert.rejects(counting.change(NEW_MODEL), refused('CCN_ERR_WORKER_MODEL_CHANGE_FAILED', /unknown model \(model not in the root model_hashes\)/));
    assert.equal(runs, 0);
  });

  test('a missing script is refused as not startable', async () => {
    const models = new WorkerModelSwitch({ model: OLD_MODEL, logger, timeoutMs: 1000, script: join(directory, 'missing.sh') });
    await assert.rejects(models.change(NEW_MODEL), refused('CCN_ERR_WORKER_MODEL_CHANGE_FAILED', /could not be started \(ENOENT\)/));
  });

  test('one switch at a time', async () => {
    const go = join(directory, 'go');
    const models = new WorkerModelSwitch({ model: OLD_MODEL, logger, timeoutMs: 10_000, script: script('wait.sh', `while [ ! -f "${go}" ]; do sleep 0.02; done`) });
    const first = models.change(NEW_MODEL);
    assert.equal(models.status().running, NEW_MODEL);
    await assert.rejects(models.change(OLD_MODEL), refused('CCN_ERR_WORKER_MODEL_CHANGE_BUSY', /a switch to .* is running/));
    writeFileSync(go, '');
    await first;
    assert.equal(models.current, NEW_MODEL);
  });
});

test('runModelSwitchScript keeps only the tail of a long output', async () => {
  const path = join(directory, 'loud.sh');
  writeFileSync(path, '#!/bin/sh\nhead -c 100000 /dev/zero | tr "\\0" a; printf END\n');
  chmodSync(path, 0o755);
  const result = await runModelSwitchScript({ script: path, model: OLD_MODEL, timeoutMs: 10_000, maxOutputBytes: 64 });
  assert.equal(result.ok, true);
  assert.equal(result.outputBytes, 100_003);
  assert.equal(result.outputTail.length, 64);
  assert.ok(result.outputTail.endsWith('END'));
});

test('runModelSwitchScript ends with the script even when a process it started keeps the output pipes open', async () => {
  const path = join(directory, 'background.sh');
  writeFileSync(path, '#!/bin/sh\nprintf started\nsleep 30 &\nexit 0\n');
  chmodSync(path, 0o755);
  const result = await runModelSwitchScript({ script: path, model: OLD_MODEL, timeoutMs: 10_000, pipeGraceMs: 100 });
  assert.equal(result.ok, true);
  assert.equal(result.outputTail, 'started');
  assert.ok(result.durationMs < 10_000, `${result.durationMs} ms`);
});

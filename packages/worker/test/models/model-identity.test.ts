/** Model identities: parsing, the root-contract hash of the full string, and file verification. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CocoonError, modelHash } from '@cocoon/protocol';
import { formatModelIdentity, modelIdentityHash, parseModelIdentity, verifyModelFile } from '../../src/models/index.ts';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('model identity', () => {
  let directory: string;
  let path: string;
  const content = Buffer.from('GGUF pretend model bytes '.repeat(1000));
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cocoon-identity-'));
    path = join(directory, 'model.gguf');
    await writeFile(path, content);
  });
  after(() => rm(directory, { recursive: true, force: true }));

  test('parses name@revision:sha256 (hash lower-cased) and formats it back', () => {
    const hash = 'AB'.repeat(32);
    const identity = parseModelIdentity(`Qwen/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q8_0@main:${hash}`);
    assert.deepEqual(identity, { name: 'Qwen/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q8_0', revision: 'main', sha256: hash.toLowerCase() });
    assert.equal(formatModelIdentity(identity), `Qwen/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q8_0@main:${hash.toLowerCase()}`);
    for (const bad of ['name', 'name@rev', `name@rev:${'a'.repeat(63)}`, `na me@rev:${'a'.repeat(64)}`, `a@b@c:${'a'.repeat(64)}`]) {
      assert.throws(() => parseModelIdentity(bad), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_CONFIG_INVALID' && error.param === 'model_identity', bad);
    }
  });

  test('the whitelisted hash is SHA-256 of the full string, as the protocol computes it', () => {
    const identity = `m@r:${'1'.repeat(64)}`;
    assert.equal(modelIdentityHash(identity), sha(identity));
    assert.equal(modelIdentityHash(parseModelIdentity(identity)), modelHash(identity).toString('hex'));
  });

  test('verifyModelFile accepts the matching file and names both hashes on a mismatch', async () => {
    const good = `m@local:${sha(content)}`;
    assert.equal((await verifyModelFile(path, good)).sha256, sha(content));
    const wrong = `m@local:${'0'.repeat(64)}`;
    await assert.rejects(verifyModelFile(path, wrong), (error: unknown) => {
      assert.ok(error instanceof CocoonError);
      assert.equal(error.code, 'CCN_ERR_MODEL_MISMATCH');
      assert.ok(error.message.includes('0'.repeat(64)) && error.message.includes(sha(content)), error.message);
      return true;
    });
    await assert.rejects(verifyModelFile(join(directory, 'missing.gguf'), good), (error: unknown) => error instanceof CocoonError && error.param === 'model_path');
  });
});

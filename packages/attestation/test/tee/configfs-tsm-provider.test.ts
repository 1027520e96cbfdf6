// ConfigfsTsmProvider against a temp-dir configfs whose file operations behave like the kernel's tsm report interface.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CertificateOid } from '../../src/certificate/certificate-oids.ts';
import { ConfigfsTsmProvider, createTeeProvider, type TsmFileSystem } from '../../src/tee/index.ts';

/** A minimal TDX v4 quote whose REPORTDATA (offset 568) is the given bytes. */
function fakeQuote(reportData: Buffer): Buffer {
  const quote = Buffer.alloc(48 + 584 + 4);
  quote.writeUInt16LE(4, 0);
  quote.writeUInt16LE(2, 2);
  quote.writeUInt32LE(0x81, 4);
  reportData.copy(quote, 568);
  return quote;
}

/**
 * Emulates drivers/virt/coco/tsm.c on a plain temp directory: mkdir creates the attribute files,
 * a write to inblob bumps generation, reading outblob yields a quote of the last inblob.
 */
class FakeKernelTsm implements TsmFileSystem {
  providerName = 'tdx_guest';
  /** Extra generation bumps by "another writer" on each outblob read, one entry per read. */
  racesPerRead: number[] = [];
  created: string[] = [];

  async assertDirectory(path: string): Promise<void> {
    await readdir(path);
  }
  async mkdir(path: string): Promise<void> {
    await mkdir(path);
    this.created.push(path);
    await writeFile(join(path, 'provider'), `${this.providerName}\n`);
    await writeFile(join(path, 'generation'), '0\n');
    await writeFile(join(path, 'inblob'), '');
    await writeFile(join(path, 'outblob'), '');
  }
  async rmdir(path: string): Promise<void> {
    await rm(path, { recursive: true });
  }
  async readFile(path: string): Promise<Buffer> {
    if (basename(path) === 'outblob') {
      const directory = dirname(path);
      const race = this.racesPerRead.shift() ?? 0;
      if (race > 0) await this.bumpGeneration(directory, race);
      await writeFile(path, fakeQuote(await readFile(join(directory, 'inblob'))));
    }
    return readFile(path);
  }
  async writeFile(path: string, data: Buffer): Promise<void> {
    if (basename(path) !== 'inblob') throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    await writeFile(path, data);
    await this.bumpGeneration(dirname(path), 1);
  }
  private async bumpGeneration(directory: string, by: number): Promise<void> {
    const generation = Number((await readFile(join(directory, 'generation'), 'utf8')).trim());
    await writeFile(join(directory, 'generation'), `${generation + by}\n`);
  }
}

const reportData = createHash('sha512').update('key').digest();

describe('ConfigfsTsmProvider', () => {
  let root: string;
  let kernel: FakeKernelTsm;
  const provider = (maxAttempts?: number): ConfigfsTsmProvider =>
    new ConfigfsTsmProvider({ reportRoot: root, fileSystem: kernel, ...(maxAttempts ? { maxAttempts } : {}) });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cocoon-tsm-'));
    kernel = new FakeKernelTsm();
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('happy path: the quote embeds our report data and the request directory is removed', async () => {
    const quote = await provider().getQuote(reportData);
    assert.deepEqual(quote.subarray(568, 632), reportData);
    assert.equal(kernel.created.length, 1);
    assert.equal(dirname(kernel.created[0]!), root);
    assert.deepEqual(await readdir(root), []);
  });

  test('certificateExtensions: critical TDX_QUOTE with REPORTDATA = SHA-512(key) and TDX_USER_CLAIMS = key', async () => {
    const publicKey = Buffer.alloc(32, 3);
    const [quote, claims] = await provider().certificateExtensions(publicKey);
    assert.equal(quote?.oid, CertificateOid.tdxQuote);
    assert.equal(quote?.critical, true);
    assert.deepEqual(quote?.value.subarray(568, 632), createHash('sha512').update(publicKey).digest());
    assert.deepEqual(claims, { oid: CertificateOid.tdxUserClaims, critical: true, value: publicKey });
  });

  test('a non-TDX provider (sev_guest) is refused and the directory still removed', async () => {
    kernel.providerName = 'sev_guest';
    await assert.rejects(provider().getQuote(reportData), { code: 'CCN_ERR_ATTEST_TEE_UNAVAILABLE', message: /sev_guest/ });
    assert.deepEqual(await readdir(root), []);
  });

  test('a racing writer (generation +2) is retried in a fresh directory, then succeeds', async () => {
    kernel.racesPerRead = [1, 0];
    const quote = await provider().getQuote(reportData);
    assert.deepEqual(quote.subarray(568, 632), reportData);
    assert.equal(kernel.created.length, 2);
    assert.deepEqual(await readdir(root), []);
  });

  test('racing on every attempt fails after maxAttempts', async () => {
    kernel.racesPerRead = [1, 1, 1, 1, 1];
    await assert.rejects(provider(4).getQuote(reportData), { code: 'CCN_ERR_ATTEST_TEE_UNAVAILABLE', message: /raced with another writer 4 times/ });
    assert.equal(kernel.created.length, 4);
    assert.deepEqual(await readdir(root), []);
  });

  test('an outblob for other report data is rejected as an invalid quote', async () => {
    const tampering: TsmFileSystem = {
      assertDirectory: (path) => kernel.assertDirectory(path),
      mkdir: (path) => kernel.mkdir(path),
      rmdir: (path) => kernel.rmdir(path),
      writeFile: (path, data) => kernel.writeFile(path, Buffer.alloc(data.length, 1)),
      readFile: (path) => kernel.readFile(path),
    };
    const tsm = new ConfigfsTsmProvider({ reportRoot: root, fileSystem: tampering });
    await assert.rejects(tsm.getQuote(reportData), { code: 'CCN_ERR_ATTEST_QUOTE_INVALID' });
    assert.deepEqual(await readdir(root), []);
  });

  test('a missing configfs root means this is not a TDX guest', async () => {
    const missing = join(root, 'no-such', 'report');
    const tsm = new ConfigfsTsmProvider({ reportRoot: missing });
    await assert.rejects(tsm.getQuote(reportData), {
      code: 'CCN_ERR_ATTEST_TEE_UNAVAILABLE',
      message: `no configfs-tsm at ${missing}: this machine is not a TDX guest (use tee simulated for a dev network)`,
    });
  });

  test('report data must be 64 bytes; maxAttempts must be positive', async () => {
    await assert.rejects(provider().getQuote(Buffer.alloc(63)), { code: 'CCN_ERR_ATTEST_TEE_UNAVAILABLE' });
    assert.throws(() => new ConfigfsTsmProvider({ maxAttempts: 0 }), { code: 'CCN_ERR_CONFIG_INVALID' });
  });
});

describe('createTeeProvider', () => {
  test('builds each known kind', () => {
    assert.equal(createTeeProvider('none').kind, 'none');
    assert.equal(createTeeProvider('fake_tdx').kind, 'fake_tdx');
    const tdx = createTeeProvider('tdx', { configfsTsm: { reportRoot: '/nowhere' } });
    assert.ok(tdx instanceof ConfigfsTsmProvider);
    assert.equal(tdx.reportRoot, '/nowhere');
  });

  test('unknown kinds and a simulated tee without authority are config errors', () => {
    assert.throws(() => createTeeProvider('sgx'), { code: 'CCN_ERR_CONFIG_INVALID', message: /unknown tee kind 'sgx'/ });
    assert.throws(() => createTeeProvider('simulated'), { code: 'CCN_ERR_CONFIG_INVALID', message: /authority/ });
  });
});

describe('ConfigfsTsmProvider failures of the kernel interface', () => {
  let root: string;
  let kernel: FakeKernelTsm;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cocoon-tsm-'));
    kernel = new FakeKernelTsm();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** The fake kernel with one operation replaced. */
  const withOverride = (override: Partial<TsmFileSystem>): ConfigfsTsmProvider => new ConfigfsTsmProvider({
    reportRoot: root,
    fileSystem: {
      assertDirectory: (path) => kernel.assertDirectory(path),
      mkdir: (path) => kernel.mkdir(path),
      rmdir: (path) => kernel.rmdir(path),
      readFile: (path) => kernel.readFile(path),
      writeFile: (path, data) => kernel.writeFile(path, data),
      ...override,
    },
  });
  const unavailable = (pattern: RegExp) => (error: unknown): boolean => {
    const cocoon = error as { code?: string; message: string; cause?: unknown };
    return cocoon.code === 'CCN_ERR_ATTEST_TEE_UNAVAILABLE' && pattern.test(cocoon.message) && cocoon.cause !== undefined;
  };

  test('the injected request name is the directory used and removed', async () => {
    const names: string[] = [];
    const tsm = new ConfigfsTsmProvider({ reportRoot: root, fileSystem: kernel, requestName: () => `req-${names.push('x')}` });
    await tsm.getQuote(reportData);
    await tsm.getQuote(reportData);
    assert.deepEqual(kernel.created, [join(root, 'req-1'), join(root, 'req-2')]);
    assert.deepEqual(await readdir(root), []);
  });

  test('a refused mkdir names the request directory', async () => {
    const tsm = withOverride({ mkdir: async () => { throw Object.assign(new Error('EACCES'), { code: 'EACCES' }); } });
    await assert.rejects(tsm.getQuote(reportData), unavailable(new RegExp(`^cannot create configfs-tsm request ${root}/`)));
  });

  test('an unreadable provider, inblob write or outblob read names the attribute; the directory is removed', async () => {
    const failing = (name: string) => async (path: string): Promise<Buffer> => {
      if (basename(path) === name) throw new Error('EIO');
      return kernel.readFile(path);
    };
    await assert.rejects(withOverride({ readFile: failing('provider') }).getQuote(reportData), unavailable(/^cannot read configfs-tsm provider in /));
    await assert.rejects(withOverride({ readFile: failing('outblob') }).getQuote(reportData), unavailable(/^cannot read configfs-tsm outblob in /));
    await assert.rejects(withOverride({ writeFile: async () => { throw new Error('EBUSY'); } }).getQuote(reportData), unavailable(/^cannot write configfs-tsm inblob in /));
    assert.deepEqual(await readdir(root), []);
  });

  test('a generation that is not a decimal number is refused', async () => {
    for (const generation of ['abc', '-1', '1.5', '', '99999999999999999999']) {
      const tsm = withOverride({
        readFile: async (path) => (basename(path) === 'generation' ? Buffer.from(`${generation}\n`) : kernel.readFile(path)),
      });
      await assert.rejects(tsm.getQuote(reportData), { code: 'CCN_ERR_ATTEST_TEE_UNAVAILABLE', message: `configfs-tsm generation is not a number: '${generation}'` });
    }
    assert.deepEqual(await readdir(root), []);
  });

  test('an outblob that is not a TDX quote is an invalid quote', async () => {
    const tsm = withOverride({ readFile: async (path) => (basename(path) === 'outblob' ? Buffer.alloc(700) : kernel.readFile(path)) });
    await assert.rejects(tsm.getQuote(reportData), { code: 'CCN_ERR_ATTEST_QUOTE_INVALID', message: /TEE type is 0x0/ });
  });

  test('a failing rmdir does not lose the quote', async () => {
    const quote = await withOverride({ rmdir: async () => { throw new Error('EBUSY'); } }).getQuote(reportData);
    assert.deepEqual(quote.subarray(568, 632), reportData);
  });

  test('a generation that went backwards counts as a race', async () => {
    const tsm = withOverride({
      readFile: async (path) => {
        if (basename(path) !== 'generation') return kernel.readFile(path);
        const text = (await kernel.readFile(path)).toString().trim();
        return Buffer.from(text === '0' ? '5\n' : '1\n');
      },
    });
    await assert.rejects(tsm.getQuote(reportData), { code: 'CCN_ERR_ATTEST_TEE_UNAVAILABLE', message: /raced with another writer 3 times \(generation 5 → 1\)/ });
  });
});

describe('ConfigfsTsmProvider on the real file system (no kernel behind it)', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cocoon-tsm-plain-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  test('a report root that is a file is not a TDX guest', async () => {
    const file = join(root, 'report');
    await writeFile(file, '');
    await assert.rejects(new ConfigfsTsmProvider({ reportRoot: file }).getQuote(reportData), { code: 'CCN_ERR_ATTEST_TEE_UNAVAILABLE', message: /^no configfs-tsm at / });
  });

  test('a plain directory gives a request directory without attributes: refused, and the directory removed', async () => {
    await assert.rejects(new ConfigfsTsmProvider({ reportRoot: root }).getQuote(reportData), { code: 'CCN_ERR_ATTEST_TEE_UNAVAILABLE', message: /^cannot read configfs-tsm provider in / });
    assert.deepEqual(await readdir(root), []);
  });
});

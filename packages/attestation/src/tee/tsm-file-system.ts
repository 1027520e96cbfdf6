/**
 * The few file operations the configfs-tsm provider needs, behind a port so tests can emulate the
 * kernel (a plain directory cannot generate `outblob` on read). Defaults to node:fs/promises.
 */
import { mkdir, readFile, rmdir, stat, writeFile } from 'node:fs/promises';

export interface TsmFileSystem {
  /** Resolves when the path exists and is a directory; rejects (ENOENT, …) otherwise. */
  assertDirectory(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  writeFile(path: string, data: Buffer): Promise<void>;
}

export const nodeTsmFileSystem: TsmFileSystem = {
  async assertDirectory(path) {
    const info = await stat(path);
    if (!info.isDirectory()) throw Object.assign(new Error(`${path} is not a directory`), { code: 'ENOTDIR' });
  },
  async mkdir(path) {
    await mkdir(path);
  },
  rmdir: (path) => rmdir(path),
  readFile: (path) => readFile(path),
  writeFile: (path, data) => writeFile(path, data),
};

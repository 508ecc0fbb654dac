// Writing the working copy during update, merge, resolve and revert: hg's
// repo.wwrite (a file with its exec bit, or a symlink), workingfilectx.remove
// (unlink, then the directories left empty), clearunknown (an empty
// directory in the way of a file), setflags, the `.orig` backups, and the
// `.hg` files these commands keep (`updatestate`, `branch`, `merge/`).
//
// The file-system side is the CheckoutFs interface (a Node implementation is
// in src/vfs/checkout-fs.ts), so this code stays pure. Paths are
// repo-relative latin1 strings of their bytes.

import type { FileStat } from '../dirstate/working-fs.js';

/** An OS error of a working-copy operation. */
export interface CheckoutError extends Error {
  code: string;
  /** The C library's strerror text. */
  strerror: string;
}

/** File operations on the working copy (repo-relative latin1 paths). */
export interface CheckoutFs {
  /** lstat; undefined when the path does not exist (ENOENT/ENOTDIR). */
  lstat(path: string): FileStat | undefined;
  /** Contents of a file (symlinks followed). */
  readFile(path: string): Uint8Array;
  readlink(path: string): Uint8Array;
  /** os.path.isdir (symlinks followed). */
  isDir(path: string): boolean;
  /**
   * vfs.write after util.unlink: the file is removed first (a hard link is
   * never written through), parent directories are created, new files get
   * 0o666 & ~umask.
   */
  writeFile(path: string, data: Uint8Array): void;
  /** vfs.symlink: any file at `path` removed, parent directories created. */
  symlink(target: Uint8Array, path: string): void;
  /** os.unlink. */
  unlink(path: string): void;
  /** os.removedirs from `dir` upwards while empty (never the root); errors stop it silently. */
  removeDirs(dir: string): void;
  /** os.rename. */
  rename(from: string, to: string): void;
  /** util.copyfile (mode kept, symlinks recreated). */
  copyFile(from: string, to: string): void;
  /** posix.setflags(path, l, x). */
  setFlags(path: string, link: boolean, exec: boolean): void;
  /** os.path.lexists. */
  lexists(path: string): boolean;
}

/** The `.hg` directory: small state files of these commands. */
export interface HgDirIo {
  read(name: string): Uint8Array | undefined;
  /** Plain write (parent directories created). */
  write(name: string, data: Uint8Array): void;
  /** Atomic replacement with hg's checkambig (the dirstate, `branch`). */
  writeAtomic(name: string, data: Uint8Array): void;
  /** Unlink, missing files ignored. */
  unlink(name: string): void;
  /** shutil.rmtree(path, ignore_errors=True). */
  removeTree(name: string): void;
}

/** hg's repo.wwrite: returns the length written. */
export function writeWorkingFile(fs: CheckoutFs, path: string, data: Uint8Array, flags: string): number {
  if (flags.includes('l')) {
    fs.symlink(data, path);
  } else {
    fs.writeFile(path, data);
    fs.setFlags(path, false, flags.includes('x'));
  }
  return data.length;
}

/** util.unlinkpath(f, ignoremissing, rmdir=True): the file, then its directories while they are empty. */
export function removeWorkingFile(fs: CheckoutFs, path: string, ignoreMissing: boolean): void {
  try {
    fs.unlink(path);
  } catch (e) {
    if (!(ignoreMissing && (e as CheckoutError).code === 'ENOENT')) throw e;
  }
  const slash = path.lastIndexOf('/');
  if (slash > 0) fs.removeDirs(path.slice(0, slash));
}

/** workingfilectx.clearunknown (without path-conflict checking): an empty directory where the file goes is removed. */
export function clearUnknown(fs: CheckoutFs, path: string): void {
  const st = fs.lstat(path);
  if (st !== undefined && (st.mode & 0o170000) === 0o040000) fs.removeDirs(path);
}

/** workingfilectx.data(): a symlink's target or the file's content. */
export function readWorkingData(fs: CheckoutFs, path: string): Uint8Array {
  const st = fs.lstat(path);
  if (st !== undefined && (st.mode & 0o170000) === 0o120000) return fs.readlink(path);
  return fs.readFile(path);
}

/** The flags of a working file ('l', 'x' or ''), '' when missing. */
export function workingFlags(fs: CheckoutFs, path: string): string {
  const st = fs.lstat(path);
  if (st === undefined) return '';
  if ((st.mode & 0o170000) === 0o120000) return 'l';
  return st.mode & 0o100 ? 'x' : '';
}

/** scmutil.backuppath without ui.origbackuppath: `<path>.orig`. */
export function backupPath(path: string): string {
  return path + '.orig';
}

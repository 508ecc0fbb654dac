// What the dirstate code needs from the file system, as two small
// interfaces, so that status and the dirstate file code stay pure (testable
// on fakes) and the Node implementation (node-fs.ts) is one swappable piece.
//
// Working-copy paths are repo-relative latin1 strings of their bytes ('' is
// the root), the convention of the matchers.

import type { Timestamp } from './dirstate-map.js';

export const KIND_FILE = 1;
export const KIND_DIR = 2;
export const KIND_SYMLINK = 3;
export const KIND_OTHER = 4;

/** A directory listing: parallel arrays of names (latin1) and KIND_* values. */
export interface DirEntries {
  names: string[];
  kinds: Uint8Array;
  /**
   * Optional lstat data gathered with the listing (a helper thread's walk):
   * mode, size and mtime seconds per entry; mode 0 when not known.
   */
  stats?: Float64Array;
}

/**
 * A helper that walks top-level directories on another thread while status
 * walks the others. Both take directories by claiming them: the helper from
 * the end of the list it was started with, status from the start, so the
 * work balances itself whatever the sizes and the load. For each directory
 * it walks, the helper lists every directory status would enter (not
 * ignored, unless ignored files are listed; not inside a nested repository)
 * with lstat data for its files and symlinks.
 */
export interface SubtreeWalker {
  /** Takes a top-level directory for the caller; false when the helper has it. */
  claim(dir: string): boolean;
  /** The helper's listings, once it has stopped (after the caller's own walk). */
  result(): Promise<Map<string, DirEntries | WorkingFsError>>;
  /** Releases the helper (a thread). */
  close(): void;
}

/** What status needs of an lstat. */
export interface FileStat {
  /** st_mode (type and permission bits). */
  mode: number;
  size: number;
  /** Whole seconds (floored). */
  mtimeSec: number;
  /** Nanoseconds, or 0 when the caller did not ask for them. */
  mtimeNsec: number;
}

/** A file-system error with its errno code and strerror text (hg prints the latter). */
export class WorkingFsError extends Error {
  constructor(
    readonly code: string,
    readonly strerror: string,
  ) {
    super(strerror);
  }
}

export interface WorkingFs {
  /** Entries of a directory. Throws WorkingFsError. */
  readdir(dir: string): DirEntries;
  /**
   * lstat of a path; undefined when it does not exist (ENOENT, ENOTDIR).
   * `exact`: the nanoseconds are wanted (otherwise mtimeNsec may be 0).
   * Other errors throw WorkingFsError.
   */
  lstat(path: string, exact?: boolean): FileStat | undefined;
  /**
   * Optional: an lstat for the entries of one directory (`dir`'s path
   * resolved once); same results as lstat(dir + '/' + name).
   */
  bindDir?(dir: string): (name: string) => FileStat | undefined;
  /** Contents of a file. Throws WorkingFsError. */
  readFile(path: string): Uint8Array;
  /** Target of a symlink. Throws WorkingFsError. */
  readlink(path: string): Uint8Array;
  /** os.path.isdir (symlinks followed, errors are false). */
  isDir(path: string): boolean;
  /**
   * Entry names in the order the file system returns them (readdir itself
   * sorts). Only used to order warnings as hg's traversal meets them.
   */
  readdirUnsorted?(dir: string): string[];
}

/** Identity of the dirstate file when read (hg's util.filestat: size, ctime and mtime seconds). */
export interface FileIdentity {
  size: number;
  ctimeSec: number;
  mtimeSec: number;
}

export function sameIdentity(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.size === b.size && a.ctimeSec === b.ctimeSec && a.mtimeSec === b.mtimeSec;
}

/** The `.hg` side: the dirstate file, the clock of the file system, the wlock. */
export interface DirstateStorage {
  /** `.hg/<name>` and its identity; undefined when missing. */
  read(name: string): { data: Uint8Array; identity: FileIdentity } | undefined;
  identity(name: string): FileIdentity | undefined;
  /**
   * Replaces `.hg/<name>` atomically (temporary file + rename) and, like
   * hg's atomictempfile with checkambig, advances its mtime by one second
   * when the new file's ctime equals the old one's.
   */
  writeAtomic(name: string, data: Uint8Array): void;
  /** Removes `.hg/<name>` if it exists (dirstate-v2's old data files). */
  remove?(name: string): void;
  /** hg's timestamp.get_fs_now: the mtime of a file created now in `.hg`; undefined when none can be created. */
  fsNow(): Timestamp | undefined;
  /** Takes the wlock without waiting (stale locks of dead processes are broken); undefined when held elsewhere. */
  tryLockWorkingCopy(): { release(): void } | undefined;
}

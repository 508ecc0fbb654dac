// The file-system interface the store and the repository use. Mercurial
// paths are bytes, so every method takes a Uint8Array path (passed to the
// file system without any string round trip) or a plain string (used as
// Node uses strings: UTF-8).
//
// A Vfs may have a base directory: relative paths are then resolved against
// it, as hg's vfs does (`vfs.join(path)` = base + '/' + path); an absolute
// path is used as given. Without a base, paths are used as given.
//
// Reads are synchronous on purpose: the read path (index, data, dirstate) is
// a handful of whole-file reads, and sync calls keep it simple and fast.

/** A path handed to a Vfs: raw bytes (preferred for repository paths) or a string. */
export type VfsPath = Uint8Array | string;

export interface VfsStat {
  /** Size in bytes (of the link itself for a symlink). */
  readonly size: number;
  /** st_mode: file type and permission bits. */
  readonly mode: number;
  /** Modification time, whole seconds since the epoch (floored). */
  readonly mtimeSec: number;
  /** Nanoseconds part of the modification time, 0..999_999_999. */
  readonly mtimeNsec: number;
  readonly isFile: boolean;
  readonly isDir: boolean;
  readonly isSymlink: boolean;
}

export type VfsEntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface VfsDirEntry {
  /** Entry name (bytes, no directory part). */
  readonly name: Uint8Array;
  /** Type of the entry itself (a symlink is reported as `symlink`, not followed). */
  readonly type: VfsEntryType;
}

export interface Vfs {
  /**
   * The full path of `parts` joined with `/` under the base (an absolute
   * part restarts the path, as os.path.join does; an empty part adds
   * nothing). The result is a string when the base and all parts are
   * strings, else bytes.
   */
  join(...parts: VfsPath[]): VfsPath;

  /** Whole file contents. Throws IoError (errno `ENOENT`, `EISDIR`, ...). */
  read(path: VfsPath): Uint8Array;

  /** Whole file contents, or undefined when the file does not exist (ENOENT/ENOTDIR); other errors throw. */
  tryRead(path: VfsPath): Uint8Array | undefined;

  /** True if the path exists (symlinks followed, any error means false: os.path.exists). */
  exists(path: VfsPath): boolean;

  /** True if the path is a directory (symlinks followed; os.path.isdir). */
  isDir(path: VfsPath): boolean;

  /** True if the path is a regular file (symlinks followed; os.path.isfile). */
  isFile(path: VfsPath): boolean;

  /** lstat: the entry itself (a symlink is not followed). Throws IoError. */
  stat(path: VfsPath): VfsStat;

  /** Like stat, but undefined when the path does not exist (ENOENT/ENOTDIR). */
  tryStat(path: VfsPath): VfsStat | undefined;

  /** Entries of a directory with their types, in the order the file system gives them (unsorted). Throws IoError. */
  readdir(path: VfsPath): VfsDirEntry[];
}

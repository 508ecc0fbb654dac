// The writing side of the vfs layer: appends (revlogs, journals), atomic
// replacement through a temporary file (hg's atomictempfile), truncation,
// renames, copies and hard links (transaction backups), and the primitives
// of hg's lock files (util.makelock / util.readlock).
//
// Everything is synchronous: a write path made of small sync calls keeps
// the ordering that crash safety depends on (journal entry before data)
// trivially true, and a pending SIGINT/SIGTERM is handled only between
// operations, never inside one.

import * as fs from 'node:fs';
import { nodeCrypto } from '../core/builtin.js';
import { IoError } from '../core/errors.js';
import { NodeVfs, toIoError } from './node-vfs.js';
import type { Vfs, VfsPath } from './vfs.js';

type FsPath = string | Buffer;

/** An open file being written (journal files): each write is one system call. */
export interface WriteHandle {
  /** Writes the chunks at the end of what was written so far. */
  write(data: Uint8Array | readonly Uint8Array[]): void;
  close(): void;
}

export interface WritableVfs extends Vfs {
  /** Appends to a file, creating it (and its parent directories) when missing. */
  append(path: VfsPath, data: Uint8Array | readonly Uint8Array[]): void;
  /** Creates or truncates a file and writes `data` (not atomic; parent directories created). */
  write(path: VfsPath, data: Uint8Array | readonly Uint8Array[]): void;
  /**
   * Replaces a file atomically: the content goes to a temporary file in the
   * same directory (`.<name>-<random>~`, the original's mode kept), which is
   * then renamed over the target. With `append`, the new content is the
   * current one followed by `data` (hg's atomictemp `ab` mode).
   */
  writeAtomic(path: VfsPath, data: Uint8Array | readonly Uint8Array[], opts?: { append?: boolean }): void;
  /** Opens a file for writing from its start (`truncate`, default) or its end. */
  open(path: VfsPath, mode: 'truncate' | 'append'): WriteHandle;
  /** Cuts a file to `length` bytes. */
  truncate(path: VfsPath, length: number): void;
  unlink(path: VfsPath): void;
  /** Unlinks; false when the file did not exist. */
  tryUnlink(path: VfsPath): boolean;
  rename(from: VfsPath, to: VfsPath): void;
  /** Copies a file (replacing `to`); with `hardlink`, links instead when the file system allows it. */
  copyFile(from: VfsPath, to: VfsPath, opts?: { hardlink?: boolean }): void;
  /** mkdir -p. */
  makeDirs(path: VfsPath): void;
  /**
   * hg's util.makelock: creates `path` atomically as a symlink to `info`
   * (or, where symlinks fail, an O_EXCL file holding it). Throws IoError with
   * errno `EEXIST` when it already exists.
   */
  makeLock(path: VfsPath, info: Uint8Array): void;
  /** hg's util.readlock: the symlink target or file content; undefined when missing. */
  readLock(path: VfsPath): Uint8Array | undefined;
}

const SLASH = 0x2f;

function toFsPath(p: VfsPath): FsPath {
  if (typeof p === 'string') return p;
  return Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
}

function chunksOf(data: Uint8Array | readonly Uint8Array[]): readonly Uint8Array[] {
  return data instanceof Uint8Array ? [data] : data;
}

function errnoOf(e: unknown): string | undefined {
  const c = (e as NodeJS.ErrnoException)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** Directory part of a path (without the trailing slash), or undefined when there is none. */
function dirnameOf(p: FsPath): FsPath | undefined {
  if (typeof p === 'string') {
    const i = p.lastIndexOf('/');
    return i <= 0 ? undefined : p.slice(0, i);
  }
  const i = p.lastIndexOf(SLASH);
  return i <= 0 ? undefined : p.subarray(0, i);
}

function basenameOf(p: FsPath): FsPath {
  if (typeof p === 'string') return p.slice(p.lastIndexOf('/') + 1);
  return p.subarray(p.lastIndexOf(SLASH) + 1);
}

function concatPath(...parts: FsPath[]): FsPath {
  if (parts.every((x) => typeof x === 'string')) return parts.join('');
  return Buffer.concat(parts.map((x) => (typeof x === 'string' ? Buffer.from(x, 'utf8') : x)));
}

function writeAll(fd: number, chunks: readonly Uint8Array[]): void {
  let pending = chunks.filter((c) => c.length > 0);
  while (pending.length > 0) {
    let n = fs.writevSync(fd, pending as Uint8Array[]);
    // short write: drop what was written, retry with the rest
    const rest: Uint8Array[] = [];
    for (const c of pending) {
      if (n >= c.length) n -= c.length;
      else {
        rest.push(n > 0 ? c.subarray(n) : c);
        n = 0;
      }
    }
    pending = rest;
  }
}

/** NodeVfs plus the write operations, over node:fs (synchronous). */
export class NodeWritableVfs extends NodeVfs implements WritableVfs {
  private fsPath(path: VfsPath): FsPath {
    return toFsPath(this.join(path));
  }

  private ensureParent(p: FsPath): void {
    const d = dirnameOf(p);
    if (d !== undefined && !fs.existsSync(d)) {
      try {
        fs.mkdirSync(d, { recursive: true });
      } catch (err) {
        throw toIoError('mkdir', d, err);
      }
    }
  }

  /**
   * hg's vfs breaks hard links before writing (local clones share store
   * files): a same-directory copy with the same mode is renamed over the
   * file, so writing never changes the repository sharing it.
   */
  private breakHardlink(p: FsPath): void {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(p, { throwIfNoEntry: false });
    } catch {
      return;
    }
    if (!st || st.nlink <= 1 || !st.isFile()) return;
    const name = typeof p === 'string' ? p : Buffer.from(p).toString('latin1');
    const slash = name.lastIndexOf('/');
    const tmpName = `${name.slice(0, slash + 1)}.${name.slice(slash + 1)}-${process.pid}-${Date.now().toString(36)}~`;
    const tmp = typeof p === 'string' ? tmpName : Buffer.from(tmpName, 'latin1');
    try {
      fs.copyFileSync(p, tmp);
      fs.chmodSync(tmp, st.mode & 0o7777);
      fs.renameSync(tmp, p);
    } catch (err) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // not created
      }
      throw toIoError('write', p, err);
    }
  }

  private openFd(p: FsPath, flags: string, op: string): number {
    if (flags !== 'r') this.breakHardlink(p);
    try {
      return fs.openSync(p, flags, 0o666);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT' && flags !== 'r') {
        this.ensureParent(p);
        try {
          return fs.openSync(p, flags, 0o666);
        } catch (err2) {
          throw toIoError(op, p, err2);
        }
      }
      throw toIoError(op, p, err);
    }
  }

  append(path: VfsPath, data: Uint8Array | readonly Uint8Array[]): void {
    const p = this.fsPath(path);
    const fd = this.openFd(p, 'a', 'append');
    try {
      writeAll(fd, chunksOf(data));
    } catch (err) {
      throw toIoError('write', p, err);
    } finally {
      fs.closeSync(fd);
    }
  }

  write(path: VfsPath, data: Uint8Array | readonly Uint8Array[]): void {
    const p = this.fsPath(path);
    const fd = this.openFd(p, 'w', 'write');
    try {
      writeAll(fd, chunksOf(data));
    } catch (err) {
      throw toIoError('write', p, err);
    } finally {
      fs.closeSync(fd);
    }
  }

  writeAtomic(path: VfsPath, data: Uint8Array | readonly Uint8Array[], opts: { append?: boolean } = {}): void {
    const p = this.fsPath(path);
    this.ensureParent(p);
    const dir = dirnameOf(p);
    const tmp = concatPath(
      dir === undefined ? '' : dir,
      dir === undefined ? '' : '/',
      '.',
      basenameOf(p),
      '-',
      nodeCrypto().randomBytes(6).toString('hex'),
      '~',
    );
    let mode: number | undefined;
    let old: Uint8Array | undefined;
    try {
      const st = fs.statSync(p);
      mode = st.mode & 0o7777;
      if (opts.append) old = fs.readFileSync(p);
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw toIoError('stat', p, err);
    }
    let fd: number;
    try {
      fd = fs.openSync(tmp, 'wx', mode ?? 0o666);
    } catch (err) {
      throw toIoError('write', tmp, err);
    }
    try {
      try {
        writeAll(fd, old ? [old, ...chunksOf(data)] : chunksOf(data));
        if (mode !== undefined) fs.fchmodSync(fd, mode);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, p);
    } catch (err) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // already gone
      }
      throw err instanceof IoError ? err : toIoError('write', p, err);
    }
  }

  open(path: VfsPath, mode: 'truncate' | 'append'): WriteHandle {
    const p = this.fsPath(path);
    let fd = this.openFd(p, mode === 'append' ? 'a' : 'w', 'open');
    return {
      write(data) {
        if (fd < 0) throw new IoError('write', String(p), 'write to a closed file');
        try {
          writeAll(fd, chunksOf(data));
        } catch (err) {
          throw toIoError('write', p, err);
        }
      },
      close() {
        if (fd >= 0) fs.closeSync(fd);
        fd = -1;
      },
    };
  }

  truncate(path: VfsPath, length: number): void {
    const p = this.fsPath(path);
    this.breakHardlink(p);
    try {
      fs.truncateSync(p, length);
    } catch (err) {
      throw toIoError('truncate', p, err);
    }
  }

  unlink(path: VfsPath): void {
    const p = this.fsPath(path);
    try {
      fs.unlinkSync(p);
    } catch (err) {
      throw toIoError('unlink', p, err);
    }
  }

  tryUnlink(path: VfsPath): boolean {
    const p = this.fsPath(path);
    try {
      fs.unlinkSync(p);
      return true;
    } catch (err) {
      const c = errnoOf(err);
      if (c === 'ENOENT' || c === 'ENOTDIR') return false;
      throw toIoError('unlink', p, err);
    }
  }

  rename(from: VfsPath, to: VfsPath): void {
    const a = this.fsPath(from);
    const b = this.fsPath(to);
    try {
      fs.renameSync(a, b);
    } catch (err) {
      throw toIoError('rename', a, err);
    }
  }

  copyFile(from: VfsPath, to: VfsPath, opts: { hardlink?: boolean } = {}): void {
    const a = this.fsPath(from);
    const b = this.fsPath(to);
    try {
      fs.unlinkSync(b);
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw toIoError('unlink', b, err);
    }
    this.ensureParent(b);
    if (opts.hardlink) {
      try {
        fs.linkSync(a, b);
        return;
      } catch {
        // fall back to a copy (cross-device, no link support...)
      }
    }
    try {
      fs.copyFileSync(a, b);
    } catch (err) {
      throw toIoError('copy', a, err);
    }
  }

  makeDirs(path: VfsPath): void {
    const p = this.fsPath(path);
    try {
      fs.mkdirSync(p, { recursive: true });
    } catch (err) {
      throw toIoError('mkdir', p, err);
    }
  }

  makeLock(path: VfsPath, info: Uint8Array): void {
    const p = this.fsPath(path);
    const target = Buffer.from(info.buffer, info.byteOffset, info.byteLength);
    try {
      fs.symlinkSync(target, p);
      return;
    } catch (err) {
      if (errnoOf(err) === 'EEXIST') throw toIoError('lock', p, err);
      // no symlinks here: fall back to an exclusive regular file
    }
    let fd: number;
    try {
      fd = fs.openSync(p, 'wx', 0o666);
    } catch (err) {
      throw toIoError('lock', p, err);
    }
    try {
      writeAll(fd, [info]);
    } finally {
      fs.closeSync(fd);
    }
  }

  readLock(path: VfsPath): Uint8Array | undefined {
    const p = this.fsPath(path);
    try {
      return fs.readlinkSync(p, { encoding: 'buffer' });
    } catch (err) {
      const c = errnoOf(err);
      if (c === 'ENOENT') return undefined;
      if (c !== 'EINVAL' && c !== 'ENOSYS') throw toIoError('readlink', p, err);
    }
    try {
      return fs.readFileSync(p);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return undefined;
      throw toIoError('read', p, err);
    }
  }
}

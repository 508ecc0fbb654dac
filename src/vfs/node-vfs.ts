// Vfs over node:fs, synchronous. Byte paths go to node:fs as Buffer views of
// the caller's bytes (no copy when there is no base directory, one small
// concatenation otherwise); file contents come back as the Buffer that
// readFileSync returns (a Uint8Array).

import * as fs from 'node:fs';
import { getSystemErrorMap } from 'node:util';
import { IoError } from '../core/errors.js';
import type { Vfs, VfsDirEntry, VfsEntryType, VfsPath, VfsStat } from './vfs.js';

type FsPath = string | Buffer;

const SLASH = 0x2f;
const NS_PER_S = 1_000_000_000n;

function asBuffer(p: Uint8Array): Buffer {
  return Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
}

function isAbsolute(p: VfsPath): boolean {
  return typeof p === 'string' ? p.charCodeAt(0) === SLASH : p[0] === SLASH;
}

function endsWithSlash(p: VfsPath): boolean {
  return typeof p === 'string' ? p.charCodeAt(p.length - 1) === SLASH : p[p.length - 1] === SLASH;
}

function toBytes(p: VfsPath): Buffer {
  return typeof p === 'string' ? Buffer.from(p, 'utf8') : asBuffer(p);
}

/** os.path.join over strings or bytes. */
function joinPaths(parts: readonly VfsPath[]): VfsPath {
  let allStrings = true;
  for (const p of parts) if (typeof p !== 'string') allStrings = false;
  if (allStrings) {
    let out = '';
    for (const p of parts as readonly string[]) {
      if (p.length === 0) continue;
      if (p.charCodeAt(0) === SLASH || out.length === 0) out = p;
      else out = out.charCodeAt(out.length - 1) === SLASH ? out + p : out + '/' + p;
    }
    return out;
  }
  // bytes: find the last absolute part, then concatenate from there
  let start = 0;
  for (let i = 0; i < parts.length; i++) if (parts[i]!.length > 0 && isAbsolute(parts[i]!)) start = i;
  const chunks: Buffer[] = [];
  let len = 0;
  let prev: VfsPath | undefined;
  for (let i = start; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.length === 0) continue;
    if (prev !== undefined && !endsWithSlash(prev)) {
      chunks.push(SLASH_BUF);
      len += 1;
    }
    const b = toBytes(p);
    chunks.push(b);
    len += b.length;
    prev = p;
  }
  if (chunks.length === 1) return chunks[0]!;
  return Buffer.concat(chunks, len);
}

const SLASH_BUF = Buffer.from('/');

function displayPath(p: FsPath): string {
  return typeof p === 'string' ? p : p.toString('utf8');
}

// strerror(3) texts (glibc) for the errors a vfs commonly meets, so messages
// read like hg's `abort: <strerror>: '<path>'`.
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  EIO: 'Input/output error',
  EBUSY: 'Device or resource busy',
  EXDEV: 'Invalid cross-device link',
  EINVAL: 'Invalid argument',
  EFBIG: 'File too large',
  EDQUOT: 'Disk quota exceeded',
};

let errorMap: Map<number, [string, string]> | undefined;

function strerror(code: string, errno: number | undefined): string | undefined {
  const known = STRERROR[code];
  if (known !== undefined) return known;
  if (errno === undefined) return undefined;
  errorMap ??= getSystemErrorMap();
  const e = errorMap.get(errno);
  if (e === undefined) return undefined;
  const msg = e[1];
  return msg.length > 0 ? msg[0]!.toUpperCase() + msg.slice(1) : undefined;
}

/** Wraps a node:fs error in an IoError (message: `<strerror>: '<path>'`). */
export function toIoError(op: string, path: FsPath, err: unknown): IoError {
  const shown = displayPath(path);
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const text = code !== undefined ? strerror(code, e.errno) : undefined;
  const message = text !== undefined ? `${text}: '${shown}'` : `${e?.message ?? String(err)}`;
  // system errors carry a numeric errno; Node's own ERR_* codes do not
  const errno = code !== undefined && typeof e.errno === 'number' ? code : undefined;
  return new IoError(op, shown, message, errno, { cause: err });
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function entryType(d: fs.Dirent<Buffer>): VfsEntryType {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  if (d.isSymbolicLink()) return 'symlink';
  return 'other';
}

function toStat(st: fs.BigIntStats): VfsStat {
  const ns = st.mtimeNs;
  let sec = ns / NS_PER_S;
  let nsec = ns % NS_PER_S;
  if (nsec < 0n) {
    // BigInt division truncates toward zero; floor for times before 1970
    nsec += NS_PER_S;
    sec -= 1n;
  }
  return {
    size: Number(st.size),
    mode: Number(st.mode),
    mtimeSec: Number(sec),
    mtimeNsec: Number(nsec),
    isFile: st.isFile(),
    isDir: st.isDirectory(),
    isSymlink: st.isSymbolicLink(),
  };
}

export class NodeVfs implements Vfs {
  /** Base directory, or undefined when paths are used as given. */
  readonly base: VfsPath | undefined;

  constructor(base?: VfsPath) {
    this.base = base === undefined || base.length === 0 ? undefined : base;
  }

  join(...parts: VfsPath[]): VfsPath {
    return this.base === undefined ? joinPaths(parts) : joinPaths([this.base, ...parts]);
  }

  /** The path handed to node:fs. */
  private resolve(path: VfsPath): FsPath {
    const base = this.base;
    if (base === undefined || (path.length > 0 && isAbsolute(path))) {
      return typeof path === 'string' ? path : asBuffer(path);
    }
    if (path.length === 0) return typeof base === 'string' ? base : asBuffer(base);
    const j = joinPaths([base, path]);
    return typeof j === 'string' ? j : asBuffer(j);
  }

  read(path: VfsPath): Uint8Array {
    const p = this.resolve(path);
    try {
      return fs.readFileSync(p);
    } catch (err) {
      throw toIoError('read', p, err);
    }
  }

  tryRead(path: VfsPath): Uint8Array | undefined {
    const p = this.resolve(path);
    try {
      return fs.readFileSync(p);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw toIoError('read', p, err);
    }
  }

  exists(path: VfsPath): boolean {
    return fs.existsSync(this.resolve(path));
  }

  isDir(path: VfsPath): boolean {
    try {
      const st = fs.statSync(this.resolve(path), { throwIfNoEntry: false });
      return st !== undefined && st.isDirectory();
    } catch {
      return false;
    }
  }

  isFile(path: VfsPath): boolean {
    try {
      const st = fs.statSync(this.resolve(path), { throwIfNoEntry: false });
      return st !== undefined && st.isFile();
    } catch {
      return false;
    }
  }

  stat(path: VfsPath): VfsStat {
    const p = this.resolve(path);
    try {
      return toStat(fs.lstatSync(p, { bigint: true }));
    } catch (err) {
      throw toIoError('stat', p, err);
    }
  }

  tryStat(path: VfsPath): VfsStat | undefined {
    const p = this.resolve(path);
    try {
      // throwIfNoEntry only covers ENOENT; ENOTDIR still throws
      const st = fs.lstatSync(p, { bigint: true, throwIfNoEntry: false });
      return st === undefined ? undefined : toStat(st);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw toIoError('stat', p, err);
    }
  }

  readdir(path: VfsPath): VfsDirEntry[] {
    const p = this.resolve(path);
    let ents: fs.Dirent<Buffer>[];
    try {
      ents = fs.readdirSync(p, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      throw toIoError('readdir', p, err);
    }
    const out: VfsDirEntry[] = new Array(ents.length);
    for (let i = 0; i < ents.length; i++) {
      const d = ents[i]!;
      out[i] = { name: d.name, type: entryType(d) };
    }
    return out;
  }
}

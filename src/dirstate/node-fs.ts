// The Node implementation of working-fs.ts: the working-copy side (readdir
// with file types, lstat, reads) and the `.hg` side (the dirstate file, the
// file system's clock, the wlock).
//
// This is the one module of src/dirstate that imports node:fs (the layering
// rule keeps node:fs in vfs/ and cli/): status performance depends on calls
// the generic Vfs does not offer (readdir returning latin1 names without a
// Buffer per entry, an lstat that skips BigInt stats), so the adapter lives
// next to its only user. It could move to src/vfs/ unchanged.
//
// Working-copy paths arrive as latin1 strings of their bytes: ASCII paths
// go to node:fs as strings, others as Buffers of their bytes, so any byte
// sequence is reachable.

import * as fs from 'node:fs';
import { getSystemErrorMap } from 'node:util';
import { LockHeldError } from '../core/errors.js';
import { Lock } from '../vfs/lock.js';
import { NodeWritableVfs } from '../vfs/atomic-write.js';
import type { Timestamp } from './dirstate-map.js';
import {
  KIND_DIR,
  KIND_FILE,
  KIND_OTHER,
  KIND_SYMLINK,
  WorkingFsError,
  type DirEntries,
  type DirstateStorage,
  type FileIdentity,
  type FileStat,
  type WorkingFs,
} from './working-fs.js';

type FsPath = string | Buffer;

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EIO: 'Input/output error',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  EINVAL: 'Invalid argument',
};

let errorMap: Map<number, [string, string]> | undefined;

function wrap(err: unknown): WorkingFsError {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : 'EIO';
  let text = STRERROR[code];
  if (text === undefined && typeof e?.errno === 'number') {
    errorMap ??= getSystemErrorMap();
    const m = errorMap.get(e.errno)?.[1];
    if (m) text = m[0]!.toUpperCase() + m.slice(1);
  }
  return new WorkingFsError(code, text ?? String(e?.message ?? err));
}

/** The strerror text hg prints for a node:fs error ("Is a directory"...). */
export function strerrorOf(err: unknown): string {
  return wrap(err).strerror;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

const NON_ASCII = /[^\x00-\x7f]/;

// fs.lstatSync builds a Stats object and four Dates per call, and
// fs.readdirSync a Dirent per entry: together about a third of the CPU time
// of a status. Node's fs binding, which those functions call, returns the
// raw values: lstat fills one shared Float64Array ([dev, mode, nlink, uid,
// gid, rdev, blksize, ino, size, blocks, atime s, ns, mtime s, ns, ...]) and
// readdir returns [names, types]. They are used only when the public
// functions call them with exactly the arguments used here (checked on their
// source text: a changed signature could crash the process) and give the
// same results on a probe; never under the permission model (the raw calls
// would bypass it) or --pending-deprecation (process.binding would warn), or
// with HGKIT_PLAIN_FS=1. Otherwise the public functions are used.
interface FastFs {
  lstat(p: FsPath): Float64Array | undefined;
  readdir(p: FsPath): [string[], number[]];
}
let fastFsCache: FastFs | null | undefined;

const LSTAT_CALL = /binding\.lstat\(\s*pathModule\.toNamespacedPath\(path\),\s*options\.bigint,\s*undefined,\s*options\.throwIfNoEntry,?\s*\)/;
const READDIR_CALL = /binding\.readdir\(\s*pathModule\.toNamespacedPath\(path\),\s*options\.encoding,\s*!!options\.withFileTypes,?\s*\)/;

function fastFs(): FastFs | null {
  if (fastFsCache !== undefined) return fastFsCache;
  fastFsCache = null;
  try {
    const env = process.env;
    if (
      env['HGKIT_PLAIN_FS'] === '1' ||
      process.execArgv.some((a) => a.includes('pending-deprecation') || a.includes('permission')) ||
      (env['NODE_OPTIONS'] ?? '').match(/pending-deprecation|permission/) ||
      env['NODE_PENDING_DEPRECATION'] === '1' ||
      (process as unknown as { permission?: unknown }).permission !== undefined
    ) {
      return null;
    }
    if (!LSTAT_CALL.test(fs.lstatSync.toString()) || !READDIR_CALL.test(fs.readdirSync.toString())) return null;
    const binding = (process as unknown as { binding?: (m: string) => unknown }).binding;
    if (typeof binding !== 'function') return null;
    const b = binding.call(process, 'fs') as { lstat?: (...a: unknown[]) => unknown; readdir?: (...a: unknown[]) => unknown };
    const lst = b.lstat;
    const rd = b.readdir;
    if (typeof lst !== 'function' || typeof rd !== 'function') return null;
    const probe = '/';
    const v = lst.call(b, probe, false, undefined, false);
    const st = fs.lstatSync(probe, { bigint: true });
    if (!(v instanceof Float64Array) || v.length < 14 || v[1] !== Number(st.mode) || v[7] !== Number(st.ino) || v[8] !== Number(st.size)) return null;
    if (v[12] !== Number(st.mtimeNs / 1_000_000_000n) || v[13] !== Number(st.mtimeNs % 1_000_000_000n)) return null;
    if (lst.call(b, '/nonexistent-hgkit-probe/x', false, undefined, false) !== undefined) return null;
    const r = rd.call(b, probe, 'latin1', true) as unknown;
    const names = fs.readdirSync(probe, { encoding: 'latin1' });
    if (!Array.isArray(r) || r.length !== 2 || !Array.isArray(r[0]) || !Array.isArray(r[1]) || r[0].length !== names.length) return null;
    for (let i = 0; i < names.length; i++) if (r[0][i] !== names[i]) return null;
    fastFsCache = {
      lstat: (p) => lst.call(b, p, false, undefined, false) as Float64Array | undefined,
      readdir: (p) => rd.call(b, p, 'latin1', true) as [string[], number[]],
    };
  } catch {
    fastFsCache = null;
  }
  return fastFsCache;
}

/** True when the raw fs binding is usable (see fastFs). */
export function fastFsAvailable(): boolean {
  return fastFs() !== null;
}

// libuv's dirent types
const UV_DIRENT_UNKNOWN = 0;
const UV_DIRENT_FILE = 1;
const UV_DIRENT_DIR = 2;
const UV_DIRENT_LINK = 3;


export class NodeWorkingFs implements WorkingFs {
  private readonly prefix: string;
  private readonly prefixBuf: Buffer;
  private readonly rootAscii: boolean;
  private readonly rootPath: FsPath;
  private readonly out: FileStat = { mode: 0, size: 0, mtimeSec: 0, mtimeNsec: 0 };
  private readonly fast = fastFs();

  /** `root`: the working-copy root as an OS path (a JS string). */
  constructor(readonly root: string) {
    const rootBytes = Buffer.from(root, 'utf8');
    this.rootAscii = !NON_ASCII.test(root);
    // as latin1 so that string concatenation with latin1 names stays byte-exact
    this.prefix = rootBytes.toString('latin1') + '/';
    this.prefixBuf = Buffer.concat([rootBytes, Buffer.from('/')]);
    this.rootPath = root;
  }

  /** The node:fs path of a repo-relative latin1 path. */
  fsPath(rel: string): FsPath {
    if (rel === '') return this.rootPath;
    if (this.rootAscii && !NON_ASCII.test(rel)) return this.prefix + rel;
    return Buffer.concat([this.prefixBuf, Buffer.from(rel, 'latin1')]);
  }

  readdir(dir: string): DirEntries {
    const fast = this.fast;
    if (fast !== null) {
      let r: [string[], number[]];
      try {
        r = fast.readdir(this.fsPath(dir));
      } catch (err) {
        throw wrap(err);
      }
      const [names, types] = r;
      const n = names.length;
      const kinds = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        let t = types[i]!;
        if (t === UV_DIRENT_UNKNOWN) {
          // the file system does not say: ask lstat, as Node's getDirents does
          const st = this.lstat(dir === '' ? names[i]! : dir + '/' + names[i]!);
          const k = st === undefined ? 0 : st.mode & 0o170000;
          t = k === 0o100000 ? UV_DIRENT_FILE : k === 0o040000 ? UV_DIRENT_DIR : k === 0o120000 ? UV_DIRENT_LINK : 4;
        }
        kinds[i] = t === UV_DIRENT_FILE ? KIND_FILE : t === UV_DIRENT_DIR ? KIND_DIR : t === UV_DIRENT_LINK ? KIND_SYMLINK : KIND_OTHER;
      }
      return { names, kinds };
    }
    let ents: fs.Dirent[];
    try {
      ents = fs.readdirSync(this.fsPath(dir), { withFileTypes: true, encoding: 'latin1' }) as unknown as fs.Dirent[];
    } catch (err) {
      throw wrap(err);
    }
    const n = ents.length;
    const names = new Array<string>(n);
    const kinds = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const d = ents[i]!;
      names[i] = d.name;
      kinds[i] = d.isFile() ? KIND_FILE : d.isDirectory() ? KIND_DIR : d.isSymbolicLink() ? KIND_SYMLINK : KIND_OTHER;
    }
    return { names, kinds };
  }

  /**
   * The returned object is reused by the next call: copy what you keep.
   * Without `exact`, one non-BigInt lstat gives whole seconds; the rare
   * mtimes whose millisecond float could have been rounded across a second
   * boundary are read again exactly.
   */
  lstat(path: string, exact = false): FileStat | undefined {
    const p = this.fsPath(path);
    const fast = this.fast;
    if (fast !== null) {
      let v: Float64Array | undefined;
      try {
        v = fast.lstat(p);
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw wrap(err);
      }
      if (v === undefined) return undefined;
      const out = this.out;
      out.mode = v[1]!;
      out.size = v[8]!;
      out.mtimeSec = v[12]!;
      out.mtimeNsec = exact ? v[13]! : 0;
      return out;
    }
    if (exact) return this.lstatExact(p);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(p, { throwIfNoEntry: false });
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw wrap(err);
    }
    if (st === undefined) return undefined;
    const ms = st.mtimeMs;
    const sec = Math.floor(ms / 1000);
    const frac = ms - sec * 1000;
    // sec*1000 + nsec/1e6 is exact to about 0.25 µs: within that of a second
    // boundary the second may be off by one, so ask for the exact value
    if (frac < 0.001 || frac > 999.999) return this.lstatExact(p);
    const out = this.out;
    out.mode = st.mode;
    out.size = st.size;
    out.mtimeSec = sec;
    out.mtimeNsec = 0;
    return out;
  }

  private lstatExact(p: FsPath): FileStat | undefined {
    let st: fs.BigIntStats | undefined;
    try {
      st = fs.lstatSync(p, { bigint: true, throwIfNoEntry: false });
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw wrap(err);
    }
    if (st === undefined) return undefined;
    const ns = st.mtimeNs;
    let sec = ns / 1_000_000_000n;
    let nsec = ns % 1_000_000_000n;
    if (nsec < 0n) {
      nsec += 1_000_000_000n;
      sec -= 1n;
    }
    const out = this.out;
    out.mode = Number(st.mode);
    out.size = Number(st.size);
    out.mtimeSec = Number(sec);
    out.mtimeNsec = Number(nsec);
    return out;
  }

  bindDir(dir: string): (name: string) => FileStat | undefined {
    const fast = this.fast;
    if (fast === null || !this.rootAscii || NON_ASCII.test(dir)) return (name) => this.lstat(dir === '' ? name : dir + '/' + name);
    const base = dir === '' ? this.prefix : this.prefix + dir + '/';
    const out = this.out;
    return (name) => {
      let v: Float64Array | undefined;
      try {
        v = fast.lstat(NON_ASCII.test(name) ? Buffer.from(base + name, 'latin1') : base + name);
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw wrap(err);
      }
      if (v === undefined) return undefined;
      out.mode = v[1]!;
      out.size = v[8]!;
      out.mtimeSec = v[12]!;
      out.mtimeNsec = 0;
      return out;
    };
  }

  readFile(path: string): Uint8Array {
    try {
      return fs.readFileSync(this.fsPath(path));
    } catch (err) {
      throw wrap(err);
    }
  }

  readlink(path: string): Uint8Array {
    try {
      return fs.readlinkSync(this.fsPath(path), { encoding: 'buffer' });
    } catch (err) {
      throw wrap(err);
    }
  }

  readdirUnsorted(dir: string): string[] {
    const names: string[] = [];
    try {
      const d = fs.opendirSync(this.fsPath(dir), { encoding: 'latin1' } as fs.OpenDirOptions);
      try {
        for (let e = d.readSync(); e !== null; e = d.readSync()) names.push(e.name);
      } finally {
        d.closeSync();
      }
    } catch {
      // unreadable: no order to give
    }
    return names;
  }

  isDir(path: string): boolean {
    try {
      const st = fs.statSync(this.fsPath(path), { throwIfNoEntry: false });
      return st !== undefined && st.isDirectory();
    } catch {
      return false;
    }
  }
}

function identityOf(st: fs.Stats): FileIdentity {
  return { size: st.size, ctimeSec: Math.floor(st.ctimeMs / 1000), mtimeSec: Math.floor(st.mtimeMs / 1000) };
}

function statIdentity(p: string): FileIdentity | undefined {
  // seconds from BigInt nanoseconds: exact (hg compares integer seconds)
  let st: fs.BigIntStats | undefined;
  try {
    st = fs.statSync(p, { bigint: true, throwIfNoEntry: false });
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  if (st === undefined) return undefined;
  const floorSec = (ns: bigint): number => {
    let s = ns / 1_000_000_000n;
    if (ns % 1_000_000_000n < 0n) s -= 1n;
    return Number(s);
  };
  return { size: Number(st.size), ctimeSec: floorSec(st.ctimeNs), mtimeSec: floorSec(st.mtimeNs) };
}

export class NodeDirstateStorage implements DirstateStorage {
  private readonly vfs: NodeWritableVfs;

  /**
   * `hgDir`: the `.hg` directory; `root`: the working copy (for the lock
   * description "working directory of <root>").
   */
  constructor(
    readonly hgDir: string,
    readonly root: string,
  ) {
    this.vfs = new NodeWritableVfs(hgDir);
  }

  private path(name: string): string {
    return this.hgDir + '/' + name;
  }

  read(name: string): { data: Uint8Array; identity: FileIdentity } | undefined {
    const p = this.path(name);
    let fd: number;
    try {
      fd = fs.openSync(p, 'r');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    try {
      const st = fs.fstatSync(fd);
      const data = fs.readFileSync(fd);
      // hg takes the identity by path (util.filestat.frompath) before reading
      return { data, identity: statIdentity(p) ?? identityOf(st) };
    } finally {
      fs.closeSync(fd);
    }
  }

  identity(name: string): FileIdentity | undefined {
    return statIdentity(this.path(name));
  }

  writeAtomic(name: string, data: Uint8Array): void {
    const p = this.path(name);
    const old = statIdentity(p);
    this.vfs.writeAtomic(name, data);
    if (old === undefined) return;
    const now = statIdentity(p);
    if (now !== undefined && now.ctimeSec === old.ctimeSec) {
      // hg's filestat.avoidambig: the same ctime second makes the change
      // invisible to a stat comparison; advance the mtime by one second
      const advanced = (old.mtimeSec + 1) & 0x7fffffff;
      try {
        fs.utimesSync(p, advanced, advanced);
      } catch {
        // no permission to change the times: hg ignores it too
      }
    }
  }

  remove(name: string): void {
    try {
      fs.unlinkSync(this.path(name));
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  fsNow(): Timestamp | undefined {
    const name = `${this.hgDir}/.tmp-hgkit-now-${process.pid}-${Math.random().toString(36).slice(2)}`;
    let fd: number;
    try {
      fd = fs.openSync(name, 'wx', 0o600);
    } catch {
      return undefined;
    }
    try {
      const st = fs.fstatSync(fd, { bigint: true });
      const ns = st.mtimeNs;
      return { sec: Number(ns / 1_000_000_000n) & 0x7fffffff, nsec: Number(ns % 1_000_000_000n), secondAmbiguous: false };
    } finally {
      fs.closeSync(fd);
      try {
        fs.unlinkSync(name);
      } catch {
        // gone already
      }
    }
  }

  tryLockWorkingCopy(): { release(): void } | undefined {
    try {
      return Lock.tryAcquire(this.vfs, 'wlock', { desc: `working directory of ${this.root}`, timeout: 0 });
    } catch (e) {
      if (e instanceof LockHeldError) return undefined;
      throw e;
    }
  }
}


// node:fs implementation of the working-copy and `.hg` operations of
// update/merge/resolve/revert (src/store/update.ts's CheckoutFs and HgDirIo).
// Paths are repo-relative latin1 strings of their bytes. Errors carry errno
// code, strerror, syscall and the absolute path, so that the CLI prints hg's
// `abort: <strerror>: '<path>'`.
import * as fs from 'node:fs';
import { getSystemErrorMap } from 'node:util';
import type { CheckoutFs, HgDirIo } from '../store/update.js';
import type { FileStat } from '../dirstate/working-fs.js';

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
  EPERM: 'Operation not permitted',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  EINVAL: 'Invalid argument',
  ELOOP: 'Too many levels of symbolic links',
};

let errorMap: Map<number, [string, string]> | undefined;

/** An OS error of a checkout operation. */
export class CheckoutFsError extends Error {
  constructor(
    readonly code: string,
    readonly strerror: string,
    readonly syscall: string,
    readonly path: string,
  ) {
    super(strerror);
  }
}

function strerror(e: NodeJS.ErrnoException): string {
  const code = e.code ?? '';
  let text = STRERROR[code];
  if (text === undefined && typeof e.errno === 'number') {
    errorMap ??= getSystemErrorMap();
    const m = errorMap.get(e.errno)?.[1];
    if (m) text = m[0]!.toUpperCase() + m.slice(1);
  }
  return text ?? e.message;
}

function wrap<T>(syscall: string, p: Buffer, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (typeof e?.code !== 'string') throw err;
    throw new CheckoutFsError(e.code, strerror(e), syscall, p.toString('utf8'));
  }
}

function umask(): number {
  try {
    const m = /^Umask:\s*([0-7]+)/m.exec(fs.readFileSync('/proc/self/status', 'latin1'));
    if (m) return parseInt(m[1]!, 8);
  } catch {
    // not Linux
  }
  return 0o022;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

export class NodeCheckoutFs implements CheckoutFs {
  private readonly rootBuf: Buffer;
  private umaskCache: number | undefined;

  constructor(readonly root: string) {
    this.rootBuf = Buffer.from(root, 'utf8');
  }

  abs(rel: string): Buffer {
    if (rel === '') return this.rootBuf;
    return Buffer.concat([this.rootBuf, Buffer.from('/'), Buffer.from(rel, 'latin1')]);
  }

  private get umask(): number {
    return (this.umaskCache ??= umask());
  }

  lstat(path: string): FileStat | undefined {
    const p = this.abs(path);
    let st: fs.BigIntStats | undefined;
    try {
      st = fs.lstatSync(p, { bigint: true, throwIfNoEntry: false });
    } catch (err) {
      const c = (err as NodeJS.ErrnoException).code;
      if (c === 'ENOENT' || c === 'ENOTDIR') return undefined;
      return wrap('lstat', p, () => {
        throw err;
      });
    }
    if (st === undefined) return undefined;
    return {
      mode: Number(st.mode),
      size: Number(st.size),
      mtimeSec: Number(st.mtimeNs / 1_000_000_000n),
      mtimeNsec: Number(st.mtimeNs % 1_000_000_000n),
    };
  }

  readFile(path: string): Uint8Array {
    const p = this.abs(path);
    return wrap('open', p, () => fs.readFileSync(p));
  }

  readlink(path: string): Uint8Array {
    const p = this.abs(path);
    return wrap('readlink', p, () => fs.readlinkSync(p, { encoding: 'buffer' }));
  }

  isDir(path: string): boolean {
    try {
      return fs.statSync(this.abs(path)).isDirectory();
    } catch {
      return false;
    }
  }

  private makeParents(path: string): void {
    const slash = path.lastIndexOf('/');
    if (slash <= 0) return;
    const d = this.abs(path.slice(0, slash));
    wrap('mkdir', d, () => fs.mkdirSync(d, { recursive: true }));
  }

  writeFile(path: string, data: Uint8Array): void {
    const p = this.abs(path);
    let existed = true;
    try {
      fs.unlinkSync(p);
    } catch (err) {
      const c = (err as NodeJS.ErrnoException).code;
      if (c === 'ENOENT') existed = false;
      else if (c === 'ENOTDIR') existed = false;
      else
        wrap('unlink', p, () => {
          throw err;
        });
    }
    if (!existed) this.makeParents(path);
    wrap('open', p, () => fs.writeFileSync(p, data, { mode: 0o666 }));
  }

  symlink(target: Uint8Array, path: string): void {
    const p = this.abs(path);
    try {
      fs.unlinkSync(p);
    } catch {
      // util.tryunlink
    }
    this.makeParents(path);
    wrap('symlink', p, () => fs.symlinkSync(Buffer.from(target.buffer, target.byteOffset, target.byteLength), p));
  }

  unlink(path: string): void {
    const p = this.abs(path);
    wrap('unlink', p, () => fs.unlinkSync(p));
  }

  removeDirs(dir: string): void {
    let d = dir;
    while (d !== '') {
      try {
        fs.rmdirSync(this.abs(d));
      } catch {
        return;
      }
      const slash = d.lastIndexOf('/');
      d = slash < 0 ? '' : d.slice(0, slash);
    }
  }

  rename(from: string, to: string): void {
    const a = this.abs(from);
    const b = this.abs(to);
    wrap('rename', a, () => fs.renameSync(a, b));
  }

  copyFile(from: string, to: string): void {
    const s = this.abs(from);
    const d = this.abs(to);
    try {
      fs.lstatSync(d);
      wrap('unlink', d, () => fs.unlinkSync(d));
    } catch (e) {
      if (e instanceof CheckoutFsError) throw e;
    }
    const st = wrap('lstat', s, () => fs.lstatSync(s));
    if (st.isSymbolicLink()) {
      const t = wrap('readlink', s, () => fs.readlinkSync(s, { encoding: 'buffer' }));
      wrap('symlink', d, () => fs.symlinkSync(t, d));
      return;
    }
    wrap('open', s, () => fs.copyFileSync(s, d));
    wrap('chmod', d, () => fs.chmodSync(d, st.mode & 0o7777));
  }

  setFlags(path: string, link: boolean, exec: boolean): void {
    const p = this.abs(path);
    const st = wrap('lstat', p, () => fs.lstatSync(p));
    let s = st.mode;
    if (link) {
      if ((s & S_IFMT) !== S_IFLNK) {
        const data = wrap('open', p, () => fs.readFileSync(p));
        wrap('unlink', p, () => fs.unlinkSync(p));
        try {
          fs.symlinkSync(data, p);
        } catch {
          wrap('open', p, () => fs.writeFileSync(p, data));
        }
      }
      return;
    }
    if ((s & S_IFMT) === S_IFLNK) {
      const data = wrap('readlink', p, () => fs.readlinkSync(p, { encoding: 'buffer' }));
      wrap('unlink', p, () => fs.unlinkSync(p));
      wrap('open', p, () => fs.writeFileSync(p, data));
      s = 0o666 & ~this.umask;
    }
    const sx = s & 0o100;
    if (st.nlink > 1 && exec !== (sx !== 0)) {
      const data = wrap('open', p, () => fs.readFileSync(p));
      wrap('unlink', p, () => fs.unlinkSync(p));
      wrap('open', p, () => fs.writeFileSync(p, data));
    }
    if (exec && !sx) wrap('chmod', p, () => fs.chmodSync(p, (s | (((s & 0o444) >> 2) & ~this.umask)) & 0o7777));
    else if (!exec && sx) wrap('chmod', p, () => fs.chmodSync(p, s & 0o666));
  }

  lexists(path: string): boolean {
    try {
      fs.lstatSync(this.abs(path));
      return true;
    } catch {
      return false;
    }
  }

  /** os.path.isdir on a real directory (not a symlink to one). */
  isRealDir(path: string): boolean {
    const st = this.lstat(path);
    return st !== undefined && (st.mode & S_IFMT) === S_IFDIR;
  }
}

/** The `.hg` directory's state files. */
export class NodeHgDirIo implements HgDirIo {
  /** `atomic`: hg's atomictempfile with checkambig (the dirstate storage's writeAtomic). */
  constructor(
    readonly hgDir: string,
    private readonly atomic: (name: string, data: Uint8Array) => void,
  ) {}

  private p(name: string): string {
    return this.hgDir + '/' + name;
  }

  read(name: string): Uint8Array | undefined {
    try {
      return fs.readFileSync(this.p(name));
    } catch (err) {
      const c = (err as NodeJS.ErrnoException).code;
      if (c === 'ENOENT' || c === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  write(name: string, data: Uint8Array): void {
    const p = this.p(name);
    const slash = p.lastIndexOf('/');
    fs.mkdirSync(p.slice(0, slash), { recursive: true });
    fs.writeFileSync(p, data);
  }

  writeAtomic(name: string, data: Uint8Array): void {
    this.atomic(name, data);
  }

  unlink(name: string): void {
    try {
      fs.unlinkSync(this.p(name));
    } catch {
      // missing
    }
  }

  removeTree(name: string): void {
    try {
      fs.rmSync(this.p(name), { recursive: true, force: true });
    } catch {
      // ignore_errors=True
    }
  }
}

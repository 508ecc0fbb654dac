// The command-line side of the tracking commands (add, addremove, forget,
// remove, copy, rename): the wlock, the dirstate read and (atomic) write,
// hg's pattern canonicalization (pathutil.canonpath with the repository's
// path auditor), the display of paths, and the Node implementation of the
// working-copy writes. The operations themselves are src/store/working-copy.ts.
import * as fs from 'node:fs';
import type { CommandContext } from './context.js';
import { configValue } from './config-args.js';
import { decodeUtf8, fromLatin1, latin1, utf8 } from '../core/bytes.js';
import { AbortError, ConfigError, InputError } from '../core/errors.js';
import type { Repository } from '../store/repo.js';
import { lockWorkingCopy } from '../store/transaction.js';
import {
  type CwdPaths,
  type Display,
  type TrackMatch,
  type WorkingCopy,
  type WorkingCopyWriter,
  pathTo,
  pyBytesRepr,
} from '../store/working-copy.js';
import { buildMatcher } from '../dirstate/matcher.js';
import { readDirstate, writeDirstate } from '../dirstate/dirstate-file.js';
import { NodeDirstateStorage, NodeWorkingFs, strerrorOf } from '../dirstate/node-fs.js';
import { lazyIgnore } from './working-ignore.js';

// ---------------------------------------------------------------------------
// Working-copy writes

/** An OS error of a working-copy write, shaped so that main.ts prints hg's `abort: <strerror>: '<path>'`. */
export class WorkingWriteError extends Error {
  constructor(
    readonly code: string,
    readonly strerror: string,
    readonly syscall: string,
    readonly path: string,
  ) {
    super(strerror);
  }
}

function wrapWrite<T>(syscall: string, abs: Buffer, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (typeof code !== 'string') throw e;
    throw new WorkingWriteError(code, strerrorOf(e), syscall, abs.toString('utf8'));
  }
}

/** WorkingCopyWriter over node:fs; paths are repo-relative latin1 strings of bytes. */
export class NodeWorkingWriter implements WorkingCopyWriter {
  private readonly rootBuf: Buffer;
  constructor(root: string) {
    this.rootBuf = Buffer.from(root, 'utf8');
  }

  abs(rel: string): Buffer {
    if (rel === '') return this.rootBuf;
    return Buffer.concat([this.rootBuf, Buffer.from('/'), Buffer.from(rel, 'latin1')]);
  }

  unlink(path: string): void {
    const p = this.abs(path);
    wrapWrite('unlink', p, () => fs.unlinkSync(p));
  }

  removeEmptyDirs(dir: string): void {
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

  mkdirs(dir: string): void {
    const p = this.abs(dir);
    wrapWrite('mkdir', p, () => fs.mkdirSync(p, { recursive: true }));
  }

  copyFile(src: string, dst: string, copyStat: boolean): void {
    const s = this.abs(src);
    const d = this.abs(dst);
    const st = wrapWrite('lstat', s, () => fs.lstatSync(s, { bigint: true }));
    if (st.isSymbolicLink()) {
      const target = wrapWrite('readlink', s, () => fs.readlinkSync(s, { encoding: 'buffer' }));
      wrapWrite('symlink', d, () => fs.symlinkSync(target, d));
      return;
    }
    wrapWrite('open', s, () => fs.copyFileSync(s, d));
    const mode = Number(st.mode & 0o7777n);
    if (copyStat) {
      // shutil.copystat: times (nanoseconds as far as a double carries them), then the mode
      const sec = (ns: bigint): number => Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
      wrapWrite('utime', d, () => fs.utimesSync(d, sec(st.atimeNs), sec(st.mtimeNs)));
    }
    wrapWrite('chmod', d, () => fs.chmodSync(d, mode));
  }

  exists(path: string): boolean {
    return fs.existsSync(this.abs(path));
  }

  lstatError(path: string): string | undefined {
    try {
      fs.lstatSync(this.abs(path));
      return undefined;
    } catch (e) {
      return strerrorOf(e);
    }
  }
}

// ---------------------------------------------------------------------------
// Paths: hg's pathutil.canonpath and pathauditor

/** posixpath.normpath over a latin1 string. */
export function normPath(path: string): string {
  if (path === '') return '.';
  let initial = path.startsWith('/') ? 1 : 0;
  if (initial && path.startsWith('//') && !path.startsWith('///')) initial = 2;
  const out: string[] = [];
  for (const comp of path.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (comp !== '..' || (!initial && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) out.push(comp);
    else if (out.length > 0) out.pop();
  }
  const p = '/'.repeat(initial) + out.join('/');
  return p || '.';
}

/** os.path.join for two or more latin1 parts. */
function osJoin(...parts: string[]): string {
  let out = parts[0]!;
  for (const p of parts.slice(1)) {
    if (p.startsWith('/')) out = p;
    else if (out === '' || out.endsWith('/')) out += p;
    else out += '/' + p;
  }
  return out;
}

function text(s: string): string {
  return decodeUtf8(fromLatin1(s));
}

function osPath(abs: string): Buffer {
  return Buffer.from(abs, 'latin1');
}

/** hg's pathauditor (with the file-system checks) for the repository at `root` (latin1). */
export class PathAuditor {
  private readonly audited = new Set<string>();
  private readonly auditedDirs = new Set<string>();
  constructor(private readonly root: string) {}

  audit(path: string): void {
    if (this.audited.has(path)) return;
    if (path.endsWith('/')) throw new InputError(`path ends in directory separator: ${text(path)}`);
    const parts = path.split('/');
    const lower = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    const first = lower(parts[0]!);
    if (first === '.hg' || first === '.hg.' || first === '' || parts.includes('..')) {
      throw new InputError(`path contains illegal component: ${text(path)}`);
    }
    if (path.includes('~')) {
      for (const p of parts) {
        const i = p.indexOf('~');
        if (i < 0) continue;
        const last = p.slice(i + 1);
        const head = p.slice(0, i).toUpperCase();
        if (/^[0-9]+$/.test(last) && (head === 'HG' || head === 'HG8B6C')) {
          throw new InputError(`path contains illegal component: ${text(path)}`);
        }
      }
    }
    if (lower(path).includes('.hg')) {
      const lparts = parts.map(lower);
      for (const p of ['.hg', '.hg.']) {
        if (lparts.slice(1).includes(p)) {
          const base = parts.slice(0, lparts.indexOf(p)).join('/');
          throw new InputError(`path '${text(path)}' is inside nested repository ${text(pyBytesRepr(base))}`);
        }
      }
    }
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (this.auditedDirs.has(prefix)) continue;
      const cur = osJoin(this.root, prefix);
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(osPath(cur));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EINVAL') throw e;
      }
      if (st !== undefined) {
        if (st.isSymbolicLink()) {
          throw new AbortError(`path ${text(pyBytesRepr(path))} traverses symbolic link ${text(pyBytesRepr(prefix))}`);
        }
        if (st.isDirectory() && isDir(osJoin(cur, '.hg'))) {
          throw new AbortError(`path '${text(path)}' is inside nested repo ${text(pyBytesRepr(prefix))}`);
        }
      }
      this.auditedDirs.add(prefix);
    }
    this.audited.add(path);
  }
}

function isDir(abs: string): boolean {
  try {
    return fs.statSync(osPath(abs)).isDirectory();
  } catch {
    return false;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    const sa = fs.statSync(osPath(a), { bigint: true });
    const sb = fs.statSync(osPath(b), { bigint: true });
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/**
 * hg's pathutil.canonpath(root, cwd, myname): the repo path (latin1) of a
 * command-line path. `root` is absolute, `cwd` is dirstate.getcwd() (''
 * at the root, relative inside, absolute outside); all latin1.
 */
export function canonPath(root: string, cwd: string, myname: string, auditor: PathAuditor): string {
  const rootSep = root.endsWith('/') ? root : root + '/';
  let name = myname;
  if (!name.startsWith('/')) name = osJoin(root, cwd, name);
  name = normPath(name);
  if (name !== rootSep && name.startsWith(rootSep)) {
    name = name.slice(rootSep.length);
    auditor.audit(name);
    return name;
  }
  if (name === root) return '';
  // is `name` the root (or under it) through a symlink?
  const relParts: string[] = [];
  for (;;) {
    if (sameFile(name, root)) {
      if (relParts.length === 0) return '';
      relParts.reverse();
      const r = osJoin(...relParts);
      auditor.audit(r);
      return r;
    }
    const slash = name.lastIndexOf('/');
    const dirname = slash < 0 ? '' : name.slice(0, slash) || '/';
    relParts.push(name.slice(slash + 1));
    if (dirname === name) break;
    name = dirname;
    if (name === '') break;
  }
  let hint: string | undefined;
  if (cwd !== root) {
    try {
      canonPath(root, root, myname, auditor);
      let relpath = pathTo(root, cwd, '');
      if (relpath.endsWith('/')) relpath = relpath.slice(0, -1);
      hint = `consider using '--cwd ${text(relpath)}'`;
    } catch (e) {
      if (!(e instanceof AbortError || e instanceof InputError)) throw e;
    }
  }
  throw new AbortError(`${text(myname)} not under root '${text(root)}'`, hint ? { hint } : undefined);
}

/** hg's dirstate.getcwd() (latin1). */
function repoCwd(root: string, cwd: string): string {
  if (cwd === root) return '';
  const rootSep = root.endsWith('/') ? root : root + '/';
  return cwd.startsWith(rootSep) ? cwd.slice(rootSep.length) : cwd;
}

// ---------------------------------------------------------------------------
// Patterns

const PATTERN_KINDS = new Set([
  're', 'glob', 'path', 'relglob', 'relpath', 'relre', 'rootglob', 'listfile', 'listfile0', 'set', 'include', 'subinclude', 'rootfilesin',
]);

function splitKind(pat: string, def: string): [string, string] {
  const i = pat.indexOf(':');
  if (i >= 0 && PATTERN_KINDS.has(pat.slice(0, i))) return [pat.slice(0, i), pat.slice(i + 1)];
  return [def, pat];
}

// ---------------------------------------------------------------------------
// The session

export interface TrackSession {
  repo: Repository;
  wc: WorkingCopy;
  /** hg's uipathfn with ui.relative-paths=legacy and legacyrelativevalue=True: relative to the cwd. */
  relDisplay: Display;
  /** uipathfn with legacyrelativevalue=False: repo-relative. */
  rootDisplay: Display;
  /** scmutil.match(repo[None], pats, opts) as a TrackMatch (command-line strings). */
  match(pats: readonly string[], include?: readonly string[], exclude?: readonly string[]): TrackMatch;
  /** Command-line paths relative to the cwd. */
  paths: CwdPaths;
  /** A command-line string as a latin1 string of its bytes. */
  arg(s: string): string;
}

/** util.sizetoint. */
function sizeToInt(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  const units: [string, number][] = [['kb', 1 << 10], ['mb', 1 << 20], ['gb', 1 << 30], ['b', 1]];
  for (const [u, mul] of units) {
    if (t.endsWith(u)) {
      const n = Number(t.slice(0, -u.length));
      return Number.isFinite(n) ? Math.trunc(n * mul) : undefined;
    }
  }
  const n = Number(t);
  return Number.isInteger(n) ? n : undefined;
}


/**
 * Runs `fn` on the working copy under the wlock: the dirstate is read after
 * the lock is taken and written (atomically) when it changed, also when
 * `fn` throws, as hg writes the dirstate when the wlock is released.
 */
export async function withWorkingCopy<T>(ctx: CommandContext, fn: (s: TrackSession) => T): Promise<T> {
  const { ui } = ctx;
  const repo = ctx.repo();
  const root = latin1(utf8(repo.root));
  const cwd = repoCwd(root, latin1(utf8(ctx.cwd)));
  const cwdAbs = latin1(utf8(ctx.cwd));

  const portable = (configValue(ctx.opts, 'ui.portablefilenames') ?? 'warn').toLowerCase();
  let portableFilenames: 'warn' | 'abort' | 'ignore';
  if (portable === 'abort') portableFilenames = 'abort';
  else if (portable === 'ignore' || ['false', 'no', 'off', '0', 'never'].includes(portable)) portableFilenames = 'ignore';
  else if (portable === 'warn' || ['true', 'yes', 'on', '1', 'always'].includes(portable)) portableFilenames = 'warn';
  else throw new ConfigError(`ui.portablefilenames value is invalid ('${portable}')`);
  const limitText = configValue(ctx.opts, 'ui.large-file-limit');
  const largeFileLimit = limitText === undefined ? 10_000_000 : sizeToInt(limitText);
  if (largeFileLimit === undefined) throw new ConfigError(`ui.large-file-limit is not a byte quantity ('${limitText}')`);

  const wlock = await lockWorkingCopy(repo, { onWarn: (m) => ui.warn(m) });
  try {
    const storage = new NodeDirstateStorage(repo.hgDir, repo.root);
    const loaded = readDirstate(storage, repo.requirements);
    const wfs = new NodeWorkingFs(repo.root);
    const writer = new NodeWorkingWriter(repo.root);
    const wc: WorkingCopy = {
      repo,
      map: loaded.map,
      fs: wfs,
      writer,
      ignore: lazyIgnore(repo.root, (m) => ui.warn(m)),
      root,
      cwd,
      report: {
        status: (m) => ui.status(fromLatin1(m)),
        warn: (m) => ui.warn(fromLatin1(m)),
      },
      verbose: ui.verbose,
      quiet: ui.quiet,
      largeFileLimit,
      portableFilenames,
      fsNow: () => storage.fsNow(),
    };
    const auditor = new PathAuditor(root);
    const canon = (p: string): string => canonPath(root, cwd, p, auditor);
    const osAbs = (p: string): string => (p.startsWith('/') ? p : osJoin(cwdAbs, p));
    const arg = (s: string): string => latin1(utf8(s));
    const canonPats = (pats: readonly string[], def: string): { pats: string[]; allRoot: boolean } => {
      let allRoot = true;
      const out = pats.map((raw) => {
        const [kind, pat] = splitKind(arg(raw), def);
        if (kind === 'relpath' || kind === 'glob') {
          const c = canon(pat);
          if (c !== '') allRoot = false;
          return (kind === 'relpath' ? 'path:' : 'rootglob:') + text(c);
        }
        allRoot = false;
        return raw;
      });
      return { pats: out, allRoot };
    };
    const session: TrackSession = {
      repo,
      wc,
      relDisplay: cwd === '' ? (p) => p : (p) => pathTo(root, cwd, p),
      rootDisplay: (p) => p,
      match(pats, include = [], exclude = []) {
        const main = canonPats(pats, 'relpath');
        const inc = canonPats(include, 'glob');
        const exc = canonPats(exclude, 'glob');
        const matcher = buildMatcher({ cwdRel: '', patterns: main.pats, include: inc.pats, exclude: exc.pats });
        // hg's match.files(): [] for an always-matcher (no patterns, or only the root)
        const always = (pats.length === 0 || main.allRoot) && include.length === 0 && exclude.length === 0;
        const files = always || pats.length === 0 ? [] : [...(matcher.walkRoots ?? [])];
        return { matcher, files };
      },
      paths: {
        canon,
        isDir: (p) => isDir(osAbs(p)),
        isLink: (p) => {
          try {
            return fs.lstatSync(osPath(osAbs(p))).isSymbolicLink();
          } catch {
            return false;
          }
        },
        lexists: (p) => {
          try {
            fs.lstatSync(osPath(osAbs(p)));
            return true;
          } catch {
            return false;
          }
        },
      },
      arg,
    };
    try {
      return fn(session);
    } finally {
      if (loaded.map.dirty) writeDirstate(storage, loaded);
    }
  } finally {
    wlock.release();
  }
}

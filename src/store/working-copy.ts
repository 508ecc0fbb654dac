// The working-copy tracking operations behind `add`, `addremove`, `forget`,
// `remove`, `copy` and `rename`, as hg 6.3 does them (cmdutil.add / forget /
// remove / copy, scmutil.addremove / dirstatecopy, workingctx.add / forget /
// copy, dirstate.walk, similar.findrenames), over the DirstateMap.
//
// Nothing here prints or touches the file system directly: messages go to
// `report` (hg's ui.status / ui.warn, text already formatted, paths shown
// with the caller's display function), reads go through the dirstate's
// WorkingFs, writes through a WorkingCopyWriter. The caller holds the wlock,
// reads the dirstate before and writes it after (also when an operation
// throws part-way: hg writes the dirstate when the wlock is released, so
// what was done before an abort stays done).
//
// Paths are repo-relative latin1 strings of their bytes ('' = the root), the
// convention of the dirstate code; messages are latin1 strings of bytes too.

import type { Manifest } from '../manifest/manifest.js';
import { bytesEqual, fromLatin1, latin1, utf8 } from '../core/bytes.js';
import { AbortError, InputError } from '../core/errors.js';
import { NULL_REV, type Rev, isNullNode } from '../core/node.js';
import { sha1 } from '../core/sha1.js';
import { LazyManifest } from '../manifest/lazy-manifest.js';
import { matchingBlocks } from '../revlog/bdiff.js';
import type { Repository } from './repo.js';
import { type DirstateMap, F_P1_TRACKED, F_P2_INFO, F_WC_TRACKED, type Timestamp } from '../dirstate/dirstate-map.js';
import { type IgnoreMatcher, dirIgnored } from '../dirstate/hgignore.js';
import type { Matcher } from '../dirstate/matcher.js';
import { type WorkingStatus, readWorkingFile, workingStatus } from '../dirstate/status.js';
import { KIND_DIR, KIND_FILE, KIND_SYMLINK, type FileStat, type WorkingFs, WorkingFsError } from '../dirstate/working-fs.js';
import { pyBytesRepr } from '../core/pyrepr.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

// ---------------------------------------------------------------------------
// What the operations are given

/** A file-system error of a write operation (errno code, strerror text). */
export interface WriteErrorLike {
  code: string;
  /** The C library's strerror text ("No such file or directory"). */
  strerror: string;
}

/** Writes to the working copy (repo-relative latin1 paths). Errors carry `code` and `strerror`. */
export interface WorkingCopyWriter {
  /** os.unlink. */
  unlink(path: string): void;
  /** os.removedirs(dir) errors ignored: removes `dir` and then its parents while they are empty (never the root). */
  removeEmptyDirs(dir: string): void;
  /** os.makedirs. */
  mkdirs(dir: string): void;
  /** hg's util.copyfile(src, dst, copystat): symlinks recreated, mode copied, times too with `copyStat`. */
  copyFile(src: string, dst: string, copyStat: boolean): void;
  /** os.path.exists (symlinks followed). */
  exists(path: string): boolean;
  /** strerror of a failing lstat of `path` (ENOTDIR's "Not a directory"...), or undefined when lstat works. */
  lstatError(path: string): string | undefined;
}

/** hg's ui.status / ui.warn. */
export interface TrackReport {
  status(msg: string): void;
  warn(msg: string): void;
}

export interface WorkingCopy {
  readonly repo: Repository;
  readonly map: DirstateMap;
  readonly fs: WorkingFs;
  readonly writer: WorkingCopyWriter;
  readonly ignore: IgnoreMatcher;
  /** The repository root (latin1 of its bytes). */
  readonly root: string;
  /** hg's dirstate.getcwd() (latin1): '' at the root, repo-relative inside, absolute outside. */
  readonly cwd: string;
  readonly report: TrackReport;
  readonly verbose?: boolean;
  readonly quiet?: boolean;
  /** ui.large-file-limit in bytes (0: no warning). Default 10 MB. */
  readonly largeFileLimit?: number;
  /** ui.portablefilenames. Default 'warn'. */
  readonly portableFilenames?: 'warn' | 'abort' | 'ignore';
  /** hg's timestamp.get_fs_now (the mtime boundary of a status). */
  fsNow(): Timestamp | undefined;
}

/** A command's matcher with hg's `match.files()` (explicit paths or pattern roots; [] for an always-matcher). */
export interface TrackMatch {
  matcher: Matcher;
  files: readonly string[];
}

/** How a path is shown in messages (hg's uipathfn). */
export type Display = (path: string) => string;

// ---------------------------------------------------------------------------
// Small helpers

/** hg's util.pathto(root, cwd, f) over latin1 strings: `f` seen from the cwd. */
export function pathTo(root: string, cwd: string, f: string): string {
  if (cwd === '') return f;
  let n2 = f;
  if (cwd.startsWith('/')) n2 = (root.endsWith('/') ? root : root + '/') + f;
  const a = splitPath(cwd);
  const b = n2.split('/');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const parts = [...new Array<string>(a.length - i).fill('..'), ...b.slice(i)];
  return parts.join('/') || '.';
}

/** util.splitpath: os.path split on '/' (an absolute path's first part is ''). */
function splitPath(p: string): string[] {
  return p.split('/');
}

/** The wc path shown relative to the cwd (hg's dirstate.pathto / repo.pathto). */
function rel(wc: WorkingCopy, f: string): string {
  return pathTo(wc.root, wc.cwd, f);
}


/** hg's procutil.shellquote (posix). */
export function shellQuote(s: string): string {
  if (s !== '' && !/[^a-zA-Z0-9._/+-]/.test(s)) return s;
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

const WIN_RESERVED_NAMES = new Set([
  'con', 'prn', 'aux', 'nul',
  'com1', 'com2', 'com3', 'com4', 'com5', 'com6', 'com7', 'com8', 'com9',
  'lpt1', 'lpt2', 'lpt3', 'lpt4', 'lpt5', 'lpt6', 'lpt7', 'lpt8', 'lpt9',
]);
const WIN_RESERVED_CHARS = ':*?"<>|';

/** codecs.escape_encode of one byte (hg's stringutil.escapestr). */
function escapeByte(c: number): string {
  if (c === 9) return '\\t';
  if (c === 10) return '\\n';
  if (c === 13) return '\\r';
  if (c === 0x5c) return '\\\\';
  if (c < 0x20 || c >= 0x7f) return '\\x' + c.toString(16).padStart(2, '0');
  return String.fromCharCode(c);
}

/** hg's util.checkwinfilename: why a path is not portable to Windows, or undefined. */
export function checkWinFilename(path: string): string | undefined {
  if (path.endsWith('\\')) return "filename ends with '\\', which is invalid on Windows";
  if (path.includes('\\/')) return "directory name ends with '\\', which is invalid on Windows";
  for (const n of path.replace(/\\/g, '/').split('/')) {
    if (!n) continue;
    for (let i = 0; i < n.length; i++) {
      const ch = n[i]!;
      if (WIN_RESERVED_CHARS.includes(ch)) return `filename contains '${ch}', which is reserved on Windows`;
      const c = n.charCodeAt(i);
      if (c <= 31) return `filename contains '${escapeByte(c)}', which is invalid on Windows`;
    }
    const base = n.split('.')[0]!;
    if (base && WIN_RESERVED_NAMES.has(asciiLower(base))) return `filename contains '${base}', which is reserved on Windows`;
    const t = n.slice(-1);
    if ((t === '.' || t === ' ') && n !== '.' && n !== '..') return `filename ends with '${t}', which is not allowed on Windows`;
  }
  return undefined;
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** hg's encoding.lower for one path (UTF-8 local encoding; ASCII folding when it does not decode). */
function localLower(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return asciiLower(s);
  try {
    const u = new TextDecoder('utf-8', { fatal: true }).decode(fromLatin1(s));
    const lu = u.toLowerCase();
    return lu === u ? s : latin1(utf8(lu));
  } catch {
    return asciiLower(s);
  }
}

/** Text of a latin1 path for an exception message (decoded as UTF-8, as the CLI prints messages). */
function text(s: string): string {
  return new TextDecoder().decode(fromLatin1(s));
}

/** scmutil.checkfilename. */
function checkFilename(f: string): void {
  if (f.includes('\r') || f.includes('\n')) {
    throw new InputError(`'\\n' and '\\r' disallowed in filenames: ${text(pyBytesRepr(f))}`);
  }
}

/** scmutil.checkportable: warn (or abort) for names Windows cannot hold. */
function checkPortable(wc: WorkingCopy, f: string): void {
  checkFilename(f);
  const mode = wc.portableFilenames ?? 'warn';
  if (mode === 'ignore') return;
  const msg = checkWinFilename(f);
  if (msg === undefined) return;
  const full = `${msg}: ${shellQuote(f)}`;
  if (mode === 'abort') throw new InputError(text(full));
  wc.report.warn(`warning: ${full}\n`);
}

/** scmutil.casecollisionauditor. */
class CaseCollisionAuditor {
  private readonly lowered = new Set<string>();
  private readonly seen = new Set<string>();
  constructor(
    private readonly wc: WorkingCopy,
    private readonly abort: boolean,
  ) {
    const map = wc.map;
    map.forEach((r) => this.lowered.add(localLower(map.rows.pathLatin1(r))));
  }

  check(f: string): void {
    if (this.seen.has(f)) return;
    const fl = localLower(f);
    if (this.lowered.has(fl) && this.wc.map.findRowLatin1(f) < 0) {
      const msg = `possible case-folding collision for ${f}`;
      if (this.abort) throw new AbortError(text(msg));
      this.wc.report.warn(`warning: ${msg}\n`);
    }
    this.lowered.add(fl);
    this.seen.add(f);
  }
}

function flagsOf(map: DirstateMap, f: string): number {
  const r = map.findRowLatin1(f);
  return r < 0 ? 0 : map.rows.flags[r]!;
}

function isTracked(fl: number): boolean {
  return (fl & F_WC_TRACKED) !== 0;
}

function isAdded(fl: number): boolean {
  return (fl & F_WC_TRACKED) !== 0 && (fl & (F_P1_TRACKED | F_P2_INFO)) === 0;
}

function isRemoved(fl: number): boolean {
  return (fl & F_WC_TRACKED) === 0 && (fl & (F_P1_TRACKED | F_P2_INFO)) !== 0;
}

function inDirstate(map: DirstateMap, f: string): boolean {
  return map.findRowLatin1(f) >= 0;
}

/** pathutil.finddirs without the root: parent directories, deepest first. */
function parentDirs(f: string): string[] {
  const out: string[] = [];
  let pos = f.lastIndexOf('/');
  while (pos !== -1) {
    out.push(f.slice(0, pos));
    pos = f.lastIndexOf('/', pos - 1);
  }
  return out;
}

/** pathutil.dirs(files): every parent directory, the root ('') included. */
function dirsOf(files: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const f of files) {
    for (const d of parentDirs(f)) out.add(d);
    out.add('');
  }
  return out;
}

function lstatCopy(wc: WorkingCopy, f: string): FileStat | undefined {
  try {
    const st = wc.fs.lstat(f, true);
    return st === undefined ? undefined : { ...st };
  } catch (e) {
    if (e instanceof WorkingFsError) return undefined;
    throw e;
  }
}

function lexists(wc: WorkingCopy, f: string): boolean {
  return lstatCopy(wc, f) !== undefined;
}

function isFileOrLink(mode: number): boolean {
  const k = mode & S_IFMT;
  return k === S_IFREG || k === S_IFLNK;
}

// ---------------------------------------------------------------------------
// dirstate operations with hg's checks (dirstate.set_tracked and friends)

/** dirstate._check_new_tracked_filename. */
function checkNewTracked(map: DirstateMap, f: string): void {
  checkFilename(f);
  if (map.hasTrackedDir(f)) throw new AbortError(`directory ${text(pyBytesRepr(f))} already in dirstate`);
  for (const d of parentDirs(f)) {
    if (map.hasTrackedDir(d)) break;
    const fl = flagsOf(map, d);
    if (fl !== 0 && !isRemoved(fl)) {
      throw new AbortError(`file ${text(pyBytesRepr(d))} in dirstate clashes with ${text(pyBytesRepr(f))}`);
    }
  }
}

/** dirstate.set_tracked: true when the file was not tracked before. */
export function setTracked(map: DirstateMap, f: string): boolean {
  if (!isTracked(flagsOf(map, f))) checkNewTracked(map, f);
  return map.setTracked(fromLatin1(f));
}

/** workingctx.add: the paths that could not be added. */
function wctxAdd(wc: WorkingCopy, names: readonly string[]): string[] {
  const rejected: string[] = [];
  const limit = wc.largeFileLimit ?? 10_000_000;
  for (const f of names) {
    checkPortable(wc, f);
    const st = lstatCopy(wc, f);
    if (st === undefined) {
      wc.report.warn(`${rel(wc, f)} does not exist!\n`);
      rejected.push(f);
      continue;
    }
    if (limit !== 0 && st.size > limit) {
      wc.report.warn(
        `${f}: up to ${Math.floor((3 * st.size) / 1000000)} MB of RAM may be required to manage this file\n` +
          `(use 'hg revert ${rel(wc, f)}' to cancel the pending addition)\n`,
      );
    }
    if (!isFileOrLink(st.mode)) {
      wc.report.warn(`${rel(wc, f)} not added: only files and symlinks supported currently\n`);
      rejected.push(f);
    } else if (!setTracked(wc.map, f)) {
      wc.report.warn(`${rel(wc, f)} already tracked!\n`);
    }
  }
  return rejected;
}

/** workingctx.forget: the paths that were not tracked. */
function wctxForget(wc: WorkingCopy, files: readonly string[]): string[] {
  const rejected: string[] = [];
  for (const f of files) {
    if (!wc.map.setUntracked(fromLatin1(f))) {
      wc.report.warn(`${rel(wc, f)} not tracked!\n`);
      rejected.push(f);
    }
  }
  return rejected;
}

/** workingctx.copy(source, dest): records dest as a copy of source. */
function wctxCopy(wc: WorkingCopy, source: string, dest: string): void {
  const st = lstatCopy(wc, dest);
  if (st === undefined) {
    wc.report.warn(`${rel(wc, dest)} does not exist!\n`);
    return;
  }
  if (!isFileOrLink(st.mode)) {
    wc.report.warn(`copy failed: ${rel(wc, dest)} is not a file or a symbolic link\n`);
    return;
  }
  setTracked(wc.map, dest);
  if (source !== dest) wc.map.setCopySource(fromLatin1(dest), fromLatin1(source));
}

// ---------------------------------------------------------------------------
// Manifests of the parents

const manifestCache = new WeakMap<DirstateMap, Map<number, Manifest>>();

function manifestOfRev(repo: Repository, map: DirstateMap, rev: Rev): Manifest {
  let cache = manifestCache.get(map);
  if (!cache) manifestCache.set(map, (cache = new Map()));
  let m = cache.get(rev);
  if (!m) {
    m = rev === NULL_REV ? LazyManifest.empty() : repo.manifestLog.get(repo.changelog.read(rev).manifest).read();
    cache.set(rev, m);
  }
  return m;
}

function parentRev(wc: WorkingCopy, which: 0 | 1): Rev {
  const node = wc.map.parents()[which];
  return isNullNode(node) ? NULL_REV : wc.repo.changelog.rev(node);
}

function p1Manifest(wc: WorkingCopy): Manifest {
  return manifestOfRev(wc.repo, wc.map, parentRev(wc, 0));
}

// ---------------------------------------------------------------------------
// dirstate.walk(match, unknown=True, ignored=False)

export type BadFn = (path: string, msg: string) => void;

function badType(mode: number): string {
  const t = mode & S_IFMT;
  const kind =
    t === 0o020000 ? 'character device' : t === 0o060000 ? 'block device' : t === 0o010000 ? 'fifo' : t === 0o140000 ? 'socket' : t === S_IFDIR ? 'directory' : 'unknown';
  return `unsupported file type (type is ${kind})`;
}

/**
 * hg's pathauditor.check for paths the walk did not reach: false when a
 * parent directory is a symlink or a nested repository, or the path has an
 * illegal component.
 */
class Auditor {
  private readonly okDirs = new Set<string>();
  constructor(private readonly fs: WorkingFs) {}

  check(path: string): boolean {
    const parts = path.split('/');
    const first = asciiLower(parts[0]!);
    if (first === '.hg' || first === '.hg.' || first === '' || parts.includes('..')) return false;
    for (let i = 1; i < parts.length; i++) {
      const p = asciiLower(parts[i]!);
      if (p === '.hg' || p === '.hg.') return false;
    }
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (this.okDirs.has(prefix)) continue;
      let st: FileStat | undefined;
      try {
        st = this.fs.lstat(prefix);
      } catch {
        st = undefined;
      }
      if (st !== undefined) {
        const k = st.mode & S_IFMT;
        if (k === S_IFLNK) return false;
        if (k === S_IFDIR && this.fs.isDir(prefix + '/.hg')) return false;
      }
      this.okDirs.add(prefix);
    }
    return true;
  }
}

/**
 * hg's dirstate.walk with unknown files and without ignored ones: every
 * matching path that is tracked (true when it is on disk as a file or
 * symlink, false when not) or an unknown file (true). Explicitly named
 * files are included even when ignored. `bad` gets hg's match.bad calls.
 */
export function walkWorkingCopy(wc: WorkingCopy, tm: TrackMatch, bad: BadFn, opts: { hgOrder?: boolean } = {}): Map<string, boolean> {
  const { map, fs, ignore } = wc;
  // hg reads the ignore files first (dirstate._ignore), aborting on a bad pattern
  void ignore.never;
  const m = tm.matcher;
  const always = m.always;
  const matches = (p: string): boolean => always || m.matches(p);
  const exact = !always && m.isExact;
  const anyPats = !always && !exact && !m.prefix;
  let skipStep3 = !always && !!m.prefix;

  // step 1: explicit paths
  const results = new Map<string, boolean>();
  results.set('.hg', false); // sentinel
  let files = [...new Set(tm.files)].sort();
  if (files.length === 0 || files.includes('')) files = [''];
  const work: string[] = [];
  let dirsNotFound = false;
  for (const nf of files) {
    if (results.has(nf)) continue;
    if (nf === '') {
      work.push('');
      continue;
    }
    let st: FileStat | undefined;
    let err: string | undefined;
    try {
      st = fs.lstat(nf);
    } catch (e) {
      if (!(e instanceof WorkingFsError)) throw e;
      err = e.strerror;
    }
    if (st !== undefined) {
      const kind = st.mode & S_IFMT;
      if (kind === S_IFDIR) {
        if (inDirstate(map, nf)) results.set(nf, false);
        work.push(nf);
      } else if (kind === S_IFREG || kind === S_IFLNK) {
        results.set(nf, true);
      } else {
        bad(nf, badType(st.mode));
        if (inDirstate(map, nf)) results.set(nf, false);
      }
    } else if (inDirstate(map, nf)) {
      results.set(nf, false);
    } else if (map.hasDir(nf)) {
      dirsNotFound = true;
    } else {
      bad(nf, err ?? wc.writer.lstatError(nf) ?? 'No such file or directory');
    }
  }
  if (anyPats) {
    for (const f of [...results.keys()]) if (f !== '.hg' && !m.matches(f)) results.delete(f);
  }

  // step 2: the directories
  skipStep3 = skipStep3 && work.length === 0 && !dirsNotFound;
  const roots = exact ? [] : work.filter((d) => !dirIgnored(ignore, d));
  for (const root of roots) {
    const stack = [root];
    while (stack.length > 0) {
      const nd = stack.pop()!;
      let visit: 'all' | 'this' | ReadonlySet<string> = 'all';
      if (!always && m.visitChildrenSet) {
        visit = m.visitChildrenSet(nd);
        if (typeof visit !== 'string' && visit.size === 0) continue;
      }
      const only = typeof visit === 'string' ? undefined : visit;
      let names: string[];
      let kinds: Uint8Array;
      try {
        ({ names, kinds } = fs.readdir(nd));
      } catch (e) {
        if (!(e instanceof WorkingFsError)) throw e;
        if (e.code !== 'EACCES' && e.code !== 'EPERM' && e.code !== 'ENOENT') throw e;
        bad(rel(wc, nd), e.strerror);
        continue;
      }
      if (nd !== '') {
        // osutil.listdir(skip='.hg'): a nested repository looks empty
        let nested = false;
        for (let i = 0; i < names.length; i++) if (names[i] === '.hg' && kinds[i] === KIND_DIR) nested = true;
        if (nested) continue;
      }
      // hg's C listdir gives the file system's order: the order of the
      // results (addremove adds files in it) follows it
      let order: number[] | undefined;
      if (opts.hgOrder && fs.readdirUnsorted) {
        const index = new Map<string, number>();
        names.forEach((n, i) => index.set(n, i));
        order = [];
        for (const n of fs.readdirUnsorted(nd)) {
          const i = index.get(n);
          if (i !== undefined) order.push(i);
        }
        if (order.length !== names.length) order = undefined;
      }
      for (let k = 0; k < names.length; k++) {
        const i = order ? order[k]! : k;
        const f = names[i]!;
        if (only && !only.has(f)) continue;
        const nf = nd === '' ? f : nd + '/' + f;
        if (results.has(nf)) continue;
        const kind = kinds[i]!;
        if (kind === KIND_DIR) {
          if (!ignore(nf)) stack.push(nf);
          if (inDirstate(map, nf) && matches(nf)) results.set(nf, false);
        } else if (kind === KIND_FILE || kind === KIND_SYMLINK) {
          if (inDirstate(map, nf)) {
            if (matches(nf)) results.set(nf, true);
          } else if (matches(nf) && !ignore(nf)) {
            results.set(nf, true);
          }
        } else if (inDirstate(map, nf) && matches(nf)) {
          results.set(nf, false);
        }
      }
    }
  }
  results.delete('.hg');

  // step 3: tracked files not seen yet (ignored, missing, under a symlink)
  if (!skipStep3 && !exact) {
    const auditor = new Auditor(fs);
    const visit: string[] = [];
    map.forEach((r) => {
      const f = map.rows.pathLatin1(r);
      if (!results.has(f) && matches(f)) visit.push(f);
    });
    for (const nf of visit) {
      if (auditor.check(nf)) {
        let st: FileStat | undefined;
        try {
          st = fs.lstat(nf);
        } catch {
          st = undefined;
        }
        results.set(nf, st !== undefined);
      } else results.set(nf, false);
    }
  }
  return results;
}

function sortedKeys(m: Map<string, unknown>): string[] {
  return [...m.keys()].sort();
}

// ---------------------------------------------------------------------------
// Status with hg's _poststatusfixup (the caller holds the wlock)

/**
 * repo.status(match, clean=...) of the working copy against p1, recording
 * the stat data of files found clean by content in the dirstate, as hg's
 * _poststatusfixup does.
 */
function statusWithFixups(wc: WorkingCopy, matcher: Matcher | undefined, listClean: boolean, bad?: BadFn): WorkingStatus {
  const st = workingStatus({
    map: wc.map,
    fs: wc.fs,
    matcher,
    ignore: wc.ignore,
    listClean,
    listUnknown: false,
    listIgnored: false,
    onBad: bad ? (p, msg, kind) => bad(kind === 'dir' ? rel(wc, p) : p, msg) : undefined,
    repo: wc.repo,
    p1: () => p1Manifest(wc),
    mtimeBoundary: wc.fsNow(),
  });
  for (const f of st.fixup) wc.map.setCleanRow(f.row, wc.map.rows.path(f.row), f.mode, f.size, f.mtime);
  return st;
}

// ---------------------------------------------------------------------------
// add

export interface AddOptions {
  dryRun?: boolean;
  /** How paths are shown (uipathfn). */
  display: Display;
}

/**
 * hg add (cmdutil.add): adds the matching unknown files, and the explicitly
 * named ones even when ignored. Returns hg's `bad` list: the command exits
 * with 1 when it is not empty.
 */
export function addFiles(wc: WorkingCopy, tm: TrackMatch, opts: AddOptions): string[] {
  const bad: string[] = [];
  const badFn: BadFn = (f, msg) => {
    bad.push(f);
    wc.report.warn(`${opts.display(f)}: ${msg}\n`);
  };
  const portable = wc.portableFilenames ?? 'warn';
  const cca = portable !== 'ignore' ? new CaseCollisionAuditor(wc, portable === 'abort') : undefined;
  const exactSet = new Set(tm.files);
  const names: string[] = [];
  const results = walkWorkingCopy(wc, tm, badFn);
  for (const f of sortedKeys(results)) {
    const exact = exactSet.has(f);
    if (exact || (!isTracked(flagsOf(wc.map, f)) && lexists(wc, f))) {
      cca?.check(f);
      names.push(f);
      if (wc.verbose || !exact) wc.report.status(`adding ${opts.display(f)}\n`);
    }
  }
  if (!opts.dryRun) {
    const rejected = wctxAdd(wc, names);
    for (const f of rejected) if (exactSet.has(f)) bad.push(f);
  }
  return bad;
}

// ---------------------------------------------------------------------------
// forget

export interface ForgetOptions {
  dryRun?: boolean;
  display: Display;
}

/** hg forget (cmdutil.forget): returns the `bad` list (exit 1 when not empty). */
export function forgetFiles(wc: WorkingCopy, tm: TrackMatch, opts: ForgetOptions): string[] {
  const bad: string[] = [];
  const badFn: BadFn = (f, msg) => {
    bad.push(f);
    wc.report.warn(`${opts.display(f)}: ${msg}\n`);
  };
  const st = statusWithFixups(wc, tm.matcher, true, badFn);
  const forget = [...st.modified, ...st.added, ...st.deleted, ...st.clean].sort();
  for (const f of tm.files) {
    if (!inDirstate(wc.map, f) && !wc.fs.isDir(f)) {
      if (wc.writer.exists(f)) wc.report.warn(`not removing ${opts.display(f)}: file is already untracked\n`);
      bad.push(f);
    }
  }
  const exactSet = new Set(tm.files);
  for (const f of forget) if (wc.verbose || !exactSet.has(f)) wc.report.status(`removing ${opts.display(f)}\n`);
  if (!opts.dryRun) {
    const rejected = wctxForget(wc, forget);
    for (const f of rejected) if (exactSet.has(f)) bad.push(f);
  }
  return bad;
}

// ---------------------------------------------------------------------------
// remove

export interface RemoveOptions {
  after?: boolean;
  force?: boolean;
  dryRun?: boolean;
  display: Display;
}

/** hg remove (cmdutil.remove): returns the exit code (0 or 1). */
export function removeFiles(wc: WorkingCopy, tm: TrackMatch, opts: RemoveOptions): number {
  const { report } = wc;
  const show = opts.display;
  let ret = 0;
  const st = statusWithFixups(wc, tm.matcher, true, (f, msg) => report.warn(`${show(f)}: ${msg}\n`));
  const { modified, added, deleted, clean } = st;
  const warnings: string[] = [];

  // workingctx.hasdir: a directory of p1's manifest with the working
  // changes (a full status, whose fixups hg records too)
  let full: WorkingStatus | undefined;
  const hasDir = (f: string): boolean => {
    full ??= statusWithFixups(wc, undefined, false);
    const gone = new Set(full.deleted);
    const prefix = f === '' ? '' : f + '/';
    let found = false;
    wc.map.forEachUnder(f, (r) => {
      if (found) return;
      const p = wc.map.rows.pathLatin1(r);
      if (!p.startsWith(prefix) || p === f) return;
      if ((wc.map.rows.flags[r]! & F_WC_TRACKED) !== 0 && !gone.has(p)) found = true;
    });
    return found;
  };

  const deletedDirs = dirsOf(deleted);
  const files = tm.files;
  for (const f of files) {
    const isdir = deletedDirs.has(f) || hasDir(f);
    if (inDirstate(wc.map, f) || isdir || f === '.') continue;
    if (wc.writer.exists(f)) {
      if (wc.fs.isDir(f)) warnings.push(`not removing ${show(f)}: no tracked files\n`);
      else warnings.push(`not removing ${show(f)}: file is untracked\n`);
    }
    // missing files will generate a warning elsewhere
    ret = 1;
  }

  const fileSet = new Set(files);
  let list: string[];
  if (opts.force) {
    list = [...modified, ...deleted, ...clean, ...added];
  } else if (opts.after) {
    list = [...deleted];
    for (const f of [...modified, ...added, ...clean]) {
      if (wc.verbose || fileSet.has(f)) warnings.push(`not removing ${show(f)}: file still exists\n`);
      ret = 1;
    }
  } else {
    list = [...deleted, ...clean];
    for (const f of modified) {
      warnings.push(`not removing ${show(f)}: file is modified (use -f to force removal)\n`);
      ret = 1;
    }
    for (const f of added) {
      warnings.push(`not removing ${show(f)}: file has been marked for add (use 'hg forget' to undo add)\n`);
      ret = 1;
    }
  }
  list.sort();
  for (const f of list) if (wc.verbose || !fileSet.has(f)) report.status(`removing ${show(f)}\n`);

  if (!opts.dryRun) {
    if (!opts.after) {
      const addedSet = new Set(added);
      for (const f of list) {
        if (addedSet.has(f)) continue; // added files are never unlinked
        unlinkPath(wc, f, true);
      }
    }
    wctxForget(wc, list);
  }
  for (const w of warnings) report.warn(w);
  return ret;
}

/** util.unlinkpath(f, ignoremissing, rmdir=True). */
function unlinkPath(wc: WorkingCopy, f: string, ignoreMissing: boolean): void {
  try {
    wc.writer.unlink(f);
  } catch (e) {
    if (!(ignoreMissing && (e as WriteErrorLike).code === 'ENOENT')) throw e;
  }
  const slash = f.lastIndexOf('/');
  if (slash > 0) wc.writer.removeEmptyDirs(f.slice(0, slash));
}

// ---------------------------------------------------------------------------
// addremove

export interface AddRemoveOptions {
  /** 0..100; 100 = exact renames only, 0 = no rename detection. */
  similarity: number;
  dryRun?: boolean;
  display: Display;
}

/** hg addremove (scmutil.addremove): returns the exit code. */
export function addRemove(wc: WorkingCopy, tm: TrackMatch, opts: AddRemoveOptions): number {
  const { report } = wc;
  const fileSet = new Set(tm.files);
  const rejected: string[] = [];
  const badFn: BadFn = (f, msg) => {
    if (fileSet.has(f)) report.warn(`${opts.display(f)}: ${msg}\n`);
    rejected.push(f);
  };
  // _interestingfiles
  const added: string[] = [];
  const unknown: string[] = [];
  const deleted: string[] = [];
  const removed: string[] = [];
  const forgotten: string[] = [];
  const auditor = new Auditor(wc.fs);
  // in the walk's order, as hg (the order files are added in shows in warnings)
  const results = walkWorkingCopy(wc, tm, badFn, { hgOrder: true });
  for (const [abs, present] of results) {
    const fl = flagsOf(wc.map, abs);
    const anyTracked = (fl & (F_WC_TRACKED | F_P1_TRACKED | F_P2_INFO)) !== 0;
    if (!anyTracked && auditor.check(abs)) unknown.push(abs);
    else if (!isRemoved(fl) && !present) deleted.push(abs);
    else if (isRemoved(fl) && present) forgotten.push(abs);
    else if (isRemoved(fl) && !present) removed.push(abs);
    else if (isAdded(fl)) added.push(abs);
  }

  const addSet = new Set([...unknown, ...forgotten]);
  const toPrint = [...new Set([...unknown, ...forgotten, ...deleted])].sort();
  for (const abs of toPrint) {
    if (wc.verbose || !fileSet.has(abs)) report.status(`${addSet.has(abs) ? 'adding' : 'removing'} ${opts.display(abs)}\n`);
  }

  const renames = new Map<string, string>();
  const similarity = opts.similarity / 100;
  if (similarity > 0) {
    for (const [old, nw, score] of findRenames(wc, [...added, ...unknown], [...removed, ...deleted], similarity)) {
      if (wc.verbose || !fileSet.has(old) || !fileSet.has(nw)) {
        report.status(`recording removal of ${opts.display(old)} as rename to ${opts.display(nw)} (${Math.trunc(score * 100)}% similar)\n`);
      }
      renames.set(nw, old);
    }
  }

  if (!opts.dryRun) {
    // _markchanges
    wctxForget(wc, deleted);
    wctxAdd(wc, [...unknown, ...forgotten]);
    for (const [nw, old] of renames) wctxCopy(wc, old, nw);
  }
  for (const f of rejected) if (fileSet.has(f)) return 1;
  return 0;
}

interface FileData {
  path: string;
  data: () => Uint8Array;
  size: number;
}

/** similar.findrenames: (old, new, score) triples. */
function findRenames(wc: WorkingCopy, added: string[], removed: string[], threshold: number): Array<[string, string, number]> {
  const out: Array<[string, string, number]> = [];
  const p1 = p1Manifest(wc);
  const repo = wc.repo;
  const once = (f: () => Uint8Array): (() => Uint8Array) => {
    let v: Uint8Array | undefined;
    return () => (v ??= f());
  };
  // working files (wctx[fp]): size from lstat, data from the file or link
  const addedFiles: FileData[] = [];
  for (const fp of [...added].sort()) {
    const st = lstatCopy(wc, fp);
    const size = st?.size ?? 0;
    if (size <= 0 || st === undefined) continue;
    const mode = st.mode;
    addedFiles.push({ path: fp, size, data: once(() => readWorkingFile(wc.fs, fp, mode)) });
  }
  // p1's revisions (pctx[fp])
  const removedFiles: FileData[] = [];
  for (const fp of [...removed].sort()) {
    const ent = p1.get(fromLatin1(fp));
    if (ent === undefined) continue;
    const fl = repo.file(fromLatin1(fp));
    const rev = fl.revlog.rev(ent.node.subarray(0, 20));
    const size = fl.size(rev);
    if (size <= 0) continue;
    removedFiles.push({ path: fp, size, data: once(() => fl.read(rev)) });
  }

  // exact matches
  const hashes = new Map<string, FileData[]>();
  for (const r of removedFiles) {
    const h = latin1(sha1(r.data()));
    const l = hashes.get(h);
    if (l) l.push(r);
    else hashes.set(h, [r]);
  }
  const matched = new Set<FileData>();
  for (const a of addedFiles) {
    const adata = a.data();
    const h = latin1(sha1(adata));
    for (const r of hashes.get(h) ?? []) {
      if (bytesEqual(adata, r.data())) {
        matched.add(a);
        out.push([r.path, a.path, 1.0]);
        break;
      }
    }
  }

  // similar files
  if (threshold < 1.0) {
    const rest = addedFiles.filter((a) => !matched.has(a));
    const copies = new Map<FileData, [FileData, number]>();
    for (const r of removedFiles) {
      let orig: { data: Uint8Array; lineEnds: Int32Array } | undefined;
      for (const a of rest) {
        const best = copies.get(a)?.[1] ?? threshold;
        orig ??= splitLines(r.data());
        const score = similarityScore(a.data(), orig);
        if (score > best) copies.set(a, [r, score]);
      }
    }
    for (const [dest, [source, score]] of copies) out.push([source.path, dest.path, score]);
  }
  return out;
}

/** mdiff.splitnewlines, as line end offsets. */
function splitLines(data: Uint8Array): { data: Uint8Array; lineEnds: Int32Array } {
  const ends: number[] = [];
  for (let i = 0; i < data.length; i++) if (data[i] === 10) ends.push(i + 1);
  if (data.length > 0 && data[data.length - 1] !== 10) ends.push(data.length);
  return { data, lineEnds: Int32Array.from(ends) };
}

/** similar._score: bytes of orig's lines in matching blocks, twice, over both lengths. */
function similarityScore(textData: Uint8Array, orig: { data: Uint8Array; lineEnds: Int32Array }): number {
  let equal = 0;
  const blocks = matchingBlocks(textData, orig.data);
  const ends = orig.lineEnds;
  for (let i = 0; i + 3 < blocks.length; i += 4) {
    const y1 = blocks[i + 2]!;
    const y2 = Math.min(blocks[i + 3]!, ends.length);
    if (y2 <= y1) continue;
    const start = y1 === 0 ? 0 : ends[y1 - 1]!;
    equal += ends[y2 - 1]! - start;
  }
  const lengths = textData.length + orig.data.length;
  return (equal * 2.0) / lengths;
}

// ---------------------------------------------------------------------------
// copy / rename

/** Command-line paths (latin1, relative to the cwd or absolute) as the OS sees them. */
export interface CwdPaths {
  /** pathutil.canonpath(root, cwd, p) with the repository's auditor; throws hg's aborts. */
  canon(p: string): string;
  /** os.path.isdir (symlinks followed). */
  isDir(p: string): boolean;
  /** os.path.islink. */
  isLink(p: string): boolean;
  /** os.path.lexists. */
  lexists(p: string): boolean;
}

export interface CopyOptions {
  /** SOURCE... DEST as given (latin1). */
  pats: string[];
  /** scmutil.match(ctx, [pat], opts): one source pattern with -I/-X. */
  matchFor(pat: string): TrackMatch;
  paths: CwdPaths;
  rename?: boolean;
  after?: boolean;
  force?: boolean;
  dryRun?: boolean;
  /** uipathfn (relative to the cwd). */
  display: Display;
}

const PATTERN_KINDS = new Set([
  're', 'glob', 'path', 'relglob', 'relpath', 'relre', 'rootglob', 'listfile', 'listfile0', 'set', 'include', 'subinclude', 'rootfilesin',
]);

/** match.patkind. */
export function patKind(pat: string): string | undefined {
  const i = pat.indexOf(':');
  if (i < 0) return undefined;
  const k = pat.slice(0, i);
  return PATTERN_KINDS.has(k) ? k : undefined;
}

/** os.path.join(a, b) (posix). */
function osJoin(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  if (a === '' || a.endsWith('/')) return a + b;
  return a + '/' + b;
}

/** os.path.split(p)[0] (posix). */
function osDirname(p: string): string {
  const i = p.lastIndexOf('/') + 1;
  let head = p.slice(0, i);
  if (head && head !== '/'.repeat(head.length)) head = head.replace(/\/+$/, '');
  return head;
}

function osBasename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/**
 * hg copy / rename (cmdutil.copy, working-copy form): returns true when
 * some file could not be copied (exit code 1).
 */
export function copyFiles(wc: WorkingCopy, opts: CopyOptions): boolean {
  const { report, map } = wc;
  const rename = !!opts.rename;
  const after = !!opts.after;
  const dryRun = !!opts.dryRun;
  const paths = opts.paths;
  const show = opts.display;
  const pats = [...opts.pats];
  if (pats.length === 0) throw new InputError('no source or destination specified');
  if (pats.length === 1) throw new InputError('no destination specified');
  const dest = pats.pop()!;
  const p1 = (): Manifest => p1Manifest(wc);
  const targets = new Map<string, string>();

  type Src = [abs: string, rel: string, exact: boolean];
  const walkPat = (pat: string): Src[] => {
    const srcs: Src[] = [];
    const tm = opts.matchFor(pat);
    const exactSet = new Set(tm.files);
    const results = walkWorkingCopy(wc, tm, (f, msg) => report.warn(`${show(f)}: ${msg}\n`));
    for (const abs of sortedKeys(results)) {
      const relp = show(abs);
      const exact = exactSet.has(abs);
      if (!isTracked(flagsOf(map, abs))) {
        if (p1().has(fromLatin1(abs))) {
          if (!after) {
            if (exact) report.warn(`${relp}: not copying - file has been marked for remove\n`);
            continue;
          }
        } else {
          if (exact) report.warn(`${relp}: not copying - file is not managed\n`);
          continue;
        }
      }
      srcs.push([abs, relp, exact]);
    }
    return srcs;
  };

  const destDirExists = paths.isDir(dest) && !paths.isLink(dest);
  if (!destDirExists) {
    if (pats.length > 1 || patKind(pats[0]!) !== undefined) {
      throw new InputError('with multiple sources, destination must be an existing directory');
    }
    if (dest.endsWith('/')) throw new InputError(`destination ${text(dest)} is not a directory`);
  }

  const targetPath = (pat: string, srcs: Src[]): ((p: string) => string) => {
    if (!after) {
      if (paths.isDir(pat)) {
        const absPfx = paths.canon(pat);
        let strip = destDirExists ? osDirname(absPfx).length : absPfx.length;
        if (strip) strip += 1;
        return (p) => osJoin(dest, p.slice(strip));
      }
      if (destDirExists) return (p) => osJoin(dest, osBasename(p));
      return () => dest;
    }
    if (patKind(pat) !== undefined) return (p) => osJoin(dest, osBasename(p));
    const absPfx = paths.canon(pat);
    if (absPfx.length < srcs[0]![0].length) {
      // a directory: does the target contain its last component or not?
      const evalPath = (strip: number): number => {
        let score = 0;
        for (const s of srcs) if (paths.lexists(osJoin(dest, s[0].slice(strip)))) score++;
        return score;
      };
      let strip = absPfx.length;
      if (strip) strip += 1;
      const lastPart = absPfx.slice(absPfx.lastIndexOf('/') + 1);
      if (paths.isDir(osJoin(dest, lastPart))) {
        const score = evalPath(strip);
        let strip1 = osDirname(absPfx).length;
        if (strip1) strip1 += 1;
        if (evalPath(strip1) > score) strip = strip1;
      }
      const s = strip;
      return (p) => osJoin(dest, p.slice(s));
    }
    if (destDirExists) return (p) => osJoin(dest, osBasename(p));
    return () => dest;
  };

  const copyList: Array<[(p: string) => string, Src[]]> = [];
  for (const pat of pats) {
    const srcs = walkPat(pat);
    if (srcs.length === 0) continue;
    copyList.push([targetPath(pat, srcs), srcs]);
  }
  if (copyList.length === 0) {
    throw new InputError('no files to copy', rename ? { hint: 'maybe you meant to use --after --at-rev=.' } : undefined);
  }

  const copyOne = (abssrc: string, relsrc: string, otarget: string, exact: boolean): boolean => {
    const abstarget = paths.canon(otarget);
    const reltarget = rel(wc, abstarget);
    const tfl = flagsOf(map, abstarget);
    const alreadyCommitted = isTracked(tfl) && !isAdded(tfl);
    checkPortable(wc, abstarget);

    const prevsrc = targets.get(abstarget);
    if (prevsrc !== undefined) {
      report.warn(`${reltarget}: not overwriting - ${rel(wc, abssrc)} collides with ${rel(wc, prevsrc)}\n`);
      return true;
    }
    const exists = lexists(wc, abstarget);
    if ((!after && exists) || (after && alreadyCommitted)) {
      if (!opts.force) {
        let msg: string;
        let hint: string;
        if (alreadyCommitted) {
          msg = `${reltarget}: not overwriting - file already committed\n`;
          if (looksLikeCopyInParent(wc, abssrc, abstarget)) {
            hint = rename
              ? "('hg rename --at-rev .' to record the rename in the parent of the working copy)\n"
              : "('hg copy --at-rev .' to record the copy in the parent of the working copy)\n";
          } else {
            const flags = after ? '--after --force' : '--force';
            hint = rename
              ? `('hg rename ${flags}' to replace the file by recording a rename)\n`
              : `('hg copy ${flags}' to replace the file by recording a copy)\n`;
          }
        } else {
          msg = `${reltarget}: not overwriting - file exists\n`;
          hint = rename ? "('hg rename --after' to record the rename)\n" : "('hg copy --after' to record the copy)\n";
        }
        report.warn(msg);
        report.warn(hint);
        return true;
      }
    }

    let srcExists = false;
    if (after) {
      if (!exists) {
        report.warn(`${relsrc}: not recording ${rename ? 'move' : 'copy'} - ${reltarget} does not exist\n`);
        return true;
      }
    } else if (!dryRun) {
      try {
        if (exists) wc.writer.unlink(abstarget);
        const slash = abstarget.lastIndexOf('/');
        const targetDir = slash < 0 ? '' : abstarget.slice(0, slash);
        if (targetDir !== '' && !wc.fs.isDir(targetDir)) wc.writer.mkdirs(targetDir);
        wc.writer.copyFile(abssrc, abstarget, rename);
        srcExists = true;
      } catch (e) {
        const err = e as WriteErrorLike;
        if (typeof err.code !== 'string' || typeof err.strerror !== 'string') throw e;
        if (err.code === 'ENOENT') {
          report.warn(`${relsrc}: deleted in working directory\n`);
          srcExists = false;
        } else {
          report.warn(`${relsrc}: cannot copy - ${err.strerror}\n`);
          return true;
        }
      }
    }

    if (wc.verbose || !exact) report.status(`${rename ? 'moving' : 'copying'} ${relsrc} to ${reltarget}\n`);
    targets.set(abstarget, abssrc);
    dirstateCopy(wc, abssrc, abstarget, dryRun);
    if (rename && !dryRun) {
      if (!after && srcExists) unlinkPath(wc, abssrc, false);
      wctxForget(wc, [abssrc]);
    }
    return false;
  };

  let errors = 0;
  for (const [tfn, srcs] of copyList) {
    for (const [abssrc, relsrc, exact] of srcs) if (copyOne(abssrc, relsrc, tfn(abssrc), exact)) errors++;
  }
  return errors !== 0;
}

/** Was the target added in p1 while the source existed in p1's parent (a copy not recorded)? */
function looksLikeCopyInParent(wc: WorkingCopy, abssrc: string, abstarget: string): boolean {
  const p1 = parentRev(wc, 0);
  if (!p1Manifest(wc).has(fromLatin1(abstarget))) return false;
  if (p1 === NULL_REV) return false;
  const parents = wc.repo.changelog.parentRevs(p1).filter((r) => r !== NULL_REV);
  const gps = parents.length > 0 ? parents : [NULL_REV as Rev];
  for (const gp of gps) {
    const m = manifestOfRev(wc.repo, wc.map, gp);
    if (m.has(fromLatin1(abssrc)) && !m.has(fromLatin1(abstarget))) return true;
  }
  return false;
}

/** scmutil.dirstatecopy: record the copy of src to dst in the dirstate. */
function dirstateCopy(wc: WorkingCopy, src: string, dst: string, dryRun: boolean): void {
  const map = wc.map;
  const origsrc = (() => {
    const s = map.copySource(fromLatin1(src));
    return s === undefined ? src : latin1(s);
  })();
  if (dst === origsrc) {
    // copying back a copy
    const fl = flagsOf(map, dst);
    if ((isAdded(fl) || !isTracked(fl)) && !dryRun) setTracked(map, dst);
    return;
  }
  if (isAdded(flagsOf(map, origsrc)) && origsrc === src) {
    if (!wc.quiet) {
      wc.report.warn(`${rel(wc, origsrc)} has not been committed yet, so no copy data will be stored for ${rel(wc, dst)}.\n`);
    }
    if (!isTracked(flagsOf(map, dst)) && !dryRun) wctxAdd(wc, [dst]);
  } else if (!dryRun) {
    wctxCopy(wc, origsrc, dst);
  }
}

/**
 * hg copy --forget / rename --forget (working copy): unmark the matching
 * destinations as copies. `display` is repo-relative (hg's default uipathfn).
 */
export function forgetCopies(wc: WorkingCopy, tm: TrackMatch, opts: { display: Display; walkDisplay: Display }): void {
  const map = wc.map;
  // workingctx.p1copies() + p2copies(): copies of added or modified files
  // whose source is in a parent (a full status, with its fixups)
  const st = statusWithFixups(wc, undefined, false);
  const changed = new Set([...st.added, ...st.modified]);
  const p1 = p1Manifest(wc);
  const p2 = manifestOfRev(wc.repo, map, parentRev(wc, 1));
  const current = new Set<string>();
  for (const [dst, src] of map.copies) {
    if (!changed.has(dst)) continue;
    if (p1.has(src) || p2.has(src)) current.add(dst);
  }
  const exactSet = new Set(tm.files);
  const results = walkWorkingCopy(wc, tm, (f, msg) => wc.report.warn(`${opts.walkDisplay(f)}: ${msg}\n`));
  for (const f of sortedKeys(results)) {
    if (current.has(f)) map.setCopySource(fromLatin1(f), undefined);
    else if (exactSet.has(f)) wc.report.warn(`${opts.display(f)}: not unmarking as copy - file is not marked as copied\n`);
  }
}

export { pyBytesRepr };

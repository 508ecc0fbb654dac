// Working-copy status, as hg 6.3 computes it without its Rust extension
// (dirstate.status/walk, workingctx._checklookup and _poststatusfixup), over
// the dirblocks of DirstateMap:
//
//  1. explicit paths of the matcher are lstat'ed (hg's _walkexplicit);
//  2. directories are read once each (readdir with file types) and merged,
//     in sorted order, with the directory's dirblock and its tracked
//     subdirectories: a file both listed and tracked is lstat'ed and
//     compared by size, exec bit and mtime; a listed file that is not
//     tracked is unknown or ignored; a tracked file or subtree that is not
//     listed is missing. Ignored directories are not entered, nested
//     repositories (a `.hg` directory inside) look empty, unreadable
//     directories are reported through onBad and skipped;
//  3. tracked files the walk did not settle (in ignored, unreadable or
//     pruned directories) are lstat'ed after a path audit, as hg does;
//     without unknown/ignored listing there is no walk at all and every
//     tracked file is lstat'ed (hg's statfiles).
//
// Files whose stat data cannot decide ("lookup": same size but another
// mtime, or no recorded mtime) are compared by content with the parent's
// filelog (checkLookup), and those found clean with an mtime safely in the
// past are returned as fixups, to be written back to the dirstate under the
// wlock (writeBackFixups) so that the next status is fast.
//
// Paths are repo-relative latin1 strings of their bytes. Lists come out
// sorted (byte order), like hg's.

import type { Manifest } from '../manifest/manifest.js';
import { bytesEqual, fromLatin1 } from '../core/bytes.js';
import { AbortError } from '../core/errors.js';
import type { Node, Rev } from '../core/node.js';
import { hashRevision } from '../core/sha1.js';
import { REVIDX_ISCENSORED } from '../revlog/constants.js';
import type { Repository } from '../store/repo.js';
import {
  type DirstateMap,
  F_HAS_COPY,
  F_P1_TRACKED,
  F_P2_INFO,
  F_WC_TRACKED,
  RANGE_MASK,
  type Timestamp,
} from './dirstate-map.js';
import { type IgnoreMatcher, dirIgnored } from './hgignore.js';
import type { Matcher } from './matcher.js';
import {
  KIND_DIR,
  KIND_FILE,
  KIND_OTHER,
  KIND_SYMLINK,
  type DirEntries,
  type DirstateStorage,
  type FileIdentity,
  type FileStat,
  type SubtreeWalker,
  type WorkingFs,
  WorkingFsError,
  sameIdentity,
} from './working-fs.js';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IXUSR = 0o100;

export interface StatusLists {
  modified: string[];
  added: string[];
  removed: string[];
  deleted: string[];
  unknown: string[];
  ignored: string[];
  clean: string[];
}

export function emptyStatus(): StatusLists {
  return { modified: [], added: [], removed: [], deleted: [], unknown: [], ignored: [], clean: [] };
}

export type BadKind = 'file' | 'dir';

export interface DirstateStatusOptions {
  map: DirstateMap;
  fs: WorkingFs;
  /** Undefined: every file. */
  matcher?: Matcher;
  ignore: IgnoreMatcher;
  listClean?: boolean;
  listUnknown?: boolean;
  listIgnored?: boolean;
  /**
   * hg's match.bad: an explicit path that cannot be found (`file`: the path
   * as named) or a directory that cannot be read (`dir`). Repo-relative.
   */
  onBad?: (path: string, message: string, kind: BadKind) => void;
  /** The file system keeps exec bits (hg's checkexec). Default true. */
  checkExec?: boolean;
}

export interface DirstateStatus extends StatusLists {
  /** Rows whose contents must be compared to decide (hg's "unsure"), in path order. */
  lookup: number[];
}

/** hg's unsupported-file-type message for an explicit path. */
function badType(mode: number): string {
  const t = mode & S_IFMT;
  const kind =
    t === 0o020000 ? 'character device' : t === 0o060000 ? 'block device' : t === 0o010000 ? 'fifo' : t === 0o140000 ? 'socket' : t === S_IFDIR ? 'directory' : 'unknown';
  return `unsupported file type (type is ${kind})`;
}

function isSorted(a: readonly string[]): boolean {
  for (let i = 1; i < a.length; i++) if (a[i - 1]! > a[i]!) return false;
  return true;
}

function sortList(a: string[]): void {
  if (!isSorted(a)) a.sort();
}

class Walker {
  private readonly map: DirstateMap;
  private readonly fs: WorkingFs;
  private readonly ignore: IgnoreMatcher;
  private readonly matchFn: ((p: string) => boolean) | undefined;
  private readonly visit: Matcher['visitChildrenSet'];
  private readonly listClean: boolean;
  private readonly listUnknown: boolean;
  private readonly listIgnored: boolean;
  private readonly checkExec: boolean;
  private readonly onBad: DirstateStatusOptions['onBad'];
  /** 1 once a row has been settled (hg: "in results"). */
  private seen: Uint8Array;
  /** Explicit paths settled in step 1 as files (the walk skips them). */
  private explicitFiles = new Set<string>();
  readonly out: DirstateStatus = { ...emptyStatus(), lookup: [] };
  /** Unreadable directories, reported after the walk in hg's order. */
  private dirBad: [string, string][] = [];
  /** A helper walking some top-level directories (claimed through it); theirs wait for resume(). */
  helper: SubtreeWalker | undefined;
  private deferred: [string, number, number, boolean][] = [];
  private prefetched: Map<string, DirEntries | WorkingFsError> | undefined;
  private matcher: Matcher | undefined;
  private exact = false;
  private skipStep3 = false;
  private walkRoots: string[] = [];

  constructor(o: DirstateStatusOptions) {
    this.map = o.map;
    this.fs = o.fs;
    this.ignore = o.ignore;
    const m = o.matcher;
    this.matchFn = m && !m.always ? (p) => m.matches(p) : undefined;
    this.visit = m && !m.always ? m.visitChildrenSet?.bind(m) : undefined;
    this.listClean = !!o.listClean;
    this.listUnknown = !!o.listUnknown;
    this.listIgnored = !!o.listIgnored;
    this.checkExec = o.checkExec ?? true;
    this.onBad = o.onBad;
    this.seen = new Uint8Array(this.map.rows.count);
  }

  // -------------------------------------------------------------------
  // classification (hg's dirstate.status loop)

  /** A tracked row with its lstat (undefined: not on disk as a file). */
  private classify(r: number, st: FileStat | undefined): void {
    const map = this.map;
    const f = map.rows.flags[r]!;
    const out = this.out;
    if (st === undefined && (f & F_WC_TRACKED) !== 0) {
      out.deleted.push(map.rows.pathLatin1(r));
    } else if ((f & F_WC_TRACKED) !== 0 && (f & F_P2_INFO) !== 0) {
      out.modified.push(map.rows.pathLatin1(r));
    } else if ((f & F_WC_TRACKED) !== 0 && (f & (F_P1_TRACKED | F_P2_INFO)) === 0) {
      out.added.push(map.rows.pathLatin1(r));
    } else if ((f & F_WC_TRACKED) === 0) {
      out.removed.push(map.rows.pathLatin1(r));
    } else {
      const s = st!;
      const size = map.v1Size(r);
      const mode = map.v1Mode(r);
      if (
        (size >= 0 && ((size !== s.size && size !== (s.size & RANGE_MASK)) || (((mode ^ s.mode) & S_IXUSR) !== 0 && this.checkExec))) ||
        (f & F_HAS_COPY) !== 0
      ) {
        if ((s.mode & S_IFMT) === S_IFLNK && size !== s.size) out.lookup.push(r);
        else out.modified.push(map.rows.pathLatin1(r));
      } else if (!map.mtimeLikelyEqual(r, s.mtimeSec, s.mtimeNsec)) {
        out.lookup.push(r);
      } else if (this.listClean) {
        out.clean.push(map.rows.pathLatin1(r));
      }
    }
  }

  /** A file that is not tracked (hg: not in dmap): unknown or ignored. */
  private untracked(path: string, dirIgn: boolean, isExact: boolean): void {
    if ((this.listIgnored || isExact) && (dirIgn || this.ignore(path))) {
      if (this.listIgnored) this.out.ignored.push(path);
    } else if (this.listUnknown) this.out.unknown.push(path);
  }

  private matches(path: string): boolean {
    return this.matchFn === undefined || this.matchFn(path);
  }

  // -------------------------------------------------------------------

  run(matcher: Matcher | undefined): DirstateStatus {
    this.begin(matcher);
    return this.finish();
  }

  /** Steps 1 and 2, except the deferred top-level directories. */
  begin(matcher: Matcher | undefined): void {
    this.matcher = matcher;
    const map = this.map;
    const traverse = this.listUnknown || this.listIgnored;
    const exact = !!matcher && !matcher.always && matcher.isExact;
    this.exact = exact;
    let files = matcher && !matcher.always ? [...new Set(matcher.walkRoots ?? [])].sort() : [];
    if (files.length === 0 || files.includes('')) files = [''];
    const anyPats = !!matcher && !matcher.always && !exact && !matcher.prefix;

    // step 1: explicit paths
    const dirRoots: string[] = [];
    let dirsNotFound = false;
    for (const f of files) {
      if (f === '') {
        dirRoots.push('');
        continue;
      }
      const row = map.findRowLatin1(f);
      let st: FileStat | undefined;
      let err: string | undefined;
      try {
        st = this.fs.lstat(f, true);
        if (st === undefined) err = 'No such file or directory';
      } catch (e) {
        if (!(e instanceof WorkingFsError)) throw e;
        err = e.strerror;
      }
      if (st !== undefined) {
        const kind = st.mode & S_IFMT;
        if (kind === S_IFDIR) {
          if (row >= 0) this.explicitResult(row, f, undefined, anyPats);
          dirRoots.push(f);
        } else if (kind === S_IFREG || kind === S_IFLNK) {
          this.explicitFiles.add(f);
          if (row >= 0) this.explicitResult(row, f, { ...st }, anyPats);
          else if (!anyPats || this.matches(f)) this.untracked(f, dirIgnored(this.ignore, f), true);
        } else {
          this.explicitFiles.add(f);
          this.onBad?.(f, badType(st.mode), 'file');
          if (row >= 0) this.explicitResult(row, f, undefined, anyPats);
        }
      } else if (row >= 0) {
        this.explicitResult(row, f, undefined, anyPats);
      } else if (map.hasDir(f)) {
        dirsNotFound = true;
      } else {
        // lstat of a missing path: hg reports its strerror
        this.onBad?.(f, err ?? 'No such file or directory', 'file');
      }
    }

    // step 2: the directories
    this.skipStep3 = !!matcher && !matcher.always && !!matcher.prefix && dirRoots.length === 0 && !dirsNotFound;
    if (traverse && !exact) {
      const roots = dedupeNested(dirRoots);
      this.walkRoots = roots;
      for (const d of roots) {
        const ign = dirIgnored(this.ignore, d);
        if (ign && !this.listIgnored) continue;
        const [s, e] = map.subtreeRange(d);
        this.walkDir(d, d === '' ? '' : d + '/', s, e, this.listIgnored && ign);
      }
    }
  }

  /** Walks the deferred directories with the helper's listings. */
  resume(prefetched: Map<string, DirEntries | WorkingFsError>): void {
    this.prefetched = prefetched;
    const todo = this.deferred;
    this.deferred = [];
    this.helper = undefined;
    for (const [d, s, e, ign] of todo) this.walkDir(d, d + '/', s, e, ign);
    this.prefetched = undefined;
  }

  /** Warnings, step 3 and the final sort. */
  finish(): DirstateStatus {
    const map = this.map;
    const matcher = this.matcher;
    const exact = this.exact;
    if (this.deferred.length > 0) this.resume(new Map());
    if (this.dirBad.length > 1) this.dirBad = hgTraversalOrder(this.dirBad, this.walkRoots, this.fs);
    for (const [d, msg] of this.dirBad) this.onBad?.(d, msg, 'dir');

    // step 3: tracked files not settled yet
    if (!this.skipStep3 && !exact) {
      const visitRow = (r: number): void => {
        if (this.seen[r]) return;
        this.seen[r] = 1;
        const p = map.rows.pathLatin1(r);
        if (!this.matches(p)) return;
        // hg audits the path only when listing unknown files (what it did
        // not walk is then ignored or under a symlink); otherwise statfiles
        this.classify(r, this.listUnknown ? this.auditedLstat(p) : this.statFile(p));
      };
      // any order will do (the lists are sorted at the end): block by block,
      // only under the directories where matching paths can be
      const blocks = map.dirBlocks;
      const within = matcher && !matcher.always && matcher.matchRoots ? matcher.matchRoots : [''];
      for (const d of within.includes('') ? [''] : dedupeNested(within)) {
        if (d !== '') {
          const r = map.findRowLatin1(d);
          if (r >= 0) visitRow(r);
        }
        const [s, e] = map.subtreeRange(d);
        for (let b = s; b < e; b++) for (const r of blocks[b]!.rows) visitRow(r);
      }
    }

    const o = this.out;
    for (const l of [o.modified, o.added, o.removed, o.deleted, o.unknown, o.ignored, o.clean]) sortList(l);
    // lookups come in walk order (path order) except those of step 3
    const { arena, pathOff, pathLen } = map.rows;
    const cmpRows = (a: number, b: number): number => {
      const as = pathOff[a]!;
      const bs = pathOff[b]!;
      const la = pathLen[a]!;
      const lb = pathLen[b]!;
      const n = la < lb ? la : lb;
      for (let i = 0; i < n; i++) {
        const d = arena[as + i]! - arena[bs + i]!;
        if (d !== 0) return d;
      }
      return la - lb;
    };
    const lk = o.lookup;
    for (let i = 1; i < lk.length; i++) {
      if (cmpRows(lk[i - 1]!, lk[i]!) > 0) {
        lk.sort(cmpRows);
        break;
      }
    }
    return o;
  }

  private explicitResult(row: number, f: string, st: FileStat | undefined, anyPats: boolean): void {
    this.seen[row] = 1;
    if (anyPats && !this.matches(f)) return;
    this.classify(row, st);
  }

  /** hg's util.statfiles: lstat, None unless a regular file or a symlink. */
  private statFile(p: string): FileStat | undefined {
    let st: FileStat | undefined;
    try {
      st = this.fs.lstat(p);
    } catch (e) {
      if (e instanceof WorkingFsError) return undefined;
      throw e;
    }
    if (st === undefined) return undefined;
    const k = st.mode & S_IFMT;
    return k === S_IFREG || k === S_IFLNK ? st : undefined;
  }

  private audited = new Map<string, boolean>();

  /** hg's pathauditor check (parents are real directories, not symlinks or nested repositories), then lstat. */
  private auditedLstat(p: string): FileStat | undefined {
    let pos = p.indexOf('/');
    while (pos !== -1) {
      const prefix = p.slice(0, pos);
      let ok = this.audited.get(prefix);
      if (ok === undefined) {
        ok = true;
        try {
          const st = this.fs.lstat(prefix);
          if (st !== undefined) {
            const k = st.mode & S_IFMT;
            if (k === S_IFLNK) ok = false;
            else if (k === S_IFDIR && this.fs.isDir(prefix + '/.hg')) ok = false;
          }
        } catch {
          ok = false;
        }
        this.audited.set(prefix, ok);
      }
      if (!ok) return undefined;
      pos = p.indexOf('/', pos + 1);
    }
    try {
      const st = this.fs.lstat(p, true);
      return st === undefined ? undefined : { ...st };
    } catch (e) {
      if (e instanceof WorkingFsError) return undefined;
      throw e;
    }
  }

  private readonly statBuf: FileStat = { mode: 0, size: 0, mtimeSec: 0, mtimeNsec: 0 };

  /** Marks the rows of blocks [s, e) as settled: not on disk (missing). */
  private missingBlocks(s: number, e: number): void {
    const blocks = this.map.dirBlocks;
    const rows = this.map.rows;
    for (let b = s; b < e; b++) {
      for (const r of blocks[b]!.rows) {
        if (this.seen[r]) continue;
        this.seen[r] = 1;
        if (this.matchFn !== undefined && !this.matchFn(rows.pathLatin1(r))) continue;
        this.classify(r, undefined);
      }
    }
  }

  /**
   * Reads directory `dir` (prefix = `dir/`, or '' for the root) and merges it
   * with the dirblocks of its subtree, blocks [bs, be).
   */
  private walkDir(dir: string, prefix: string, bs: number, be: number, dirIgn: boolean): void {
    if (this.helper !== undefined && prefix.indexOf('/') === prefix.length - 1 && !this.helper.claim(dir)) {
      this.deferred.push([dir, bs, be, dirIgn]);
      return;
    }
    let vis: 'all' | 'this' | ReadonlySet<string> = 'all';
    if (this.visit !== undefined) {
      vis = this.visit(dir);
      if (typeof vis !== 'string' && vis.size === 0) return;
    }
    let names: string[];
    let kinds: Uint8Array;
    let stats: Float64Array | undefined;
    try {
      const pre = this.prefetched?.get(dir);
      if (pre instanceof WorkingFsError) throw pre;
      ({ names, kinds, stats } = pre ?? this.fs.readdir(dir));
    } catch (e) {
      if (!(e instanceof WorkingFsError)) throw e;
      if (e.code !== 'EACCES' && e.code !== 'EPERM' && e.code !== 'ENOENT' && e.code !== 'ENOTDIR') throw e;
      this.dirBad.push([dir, e.strerror]);
      return;
    }
    // The entries to merge, in the order paths sort: a directory `x` sorts
    // as `x/`. readdir gives names in byte order, which is that order unless
    // a directory's name is a prefix of a sibling's (`x` vs `x.c`).
    const n0 = names.length;
    let sel: number[] | undefined;
    for (let i = 0; i < n0; i++) {
      const name = names[i]!;
      if (name.charCodeAt(0) === 0x2e && name === '.hg' && kinds[i] === KIND_DIR) {
        if (dir === '') {
          sel ??= range(i);
          continue; // the repository's own
        }
        // a nested repository: nothing in it is ours. Its tracked files are
        // missing when hg audits them (listing unknown files); otherwise
        // hg lstats them plainly (step 3)
        if (!this.listUnknown) return;
        sel = [];
        break;
      }
      if (typeof vis !== 'string' && !vis.has(name)) {
        sel ??= range(i);
        continue;
      }
      sel?.push(i);
    }
    const nE = sel ? sel.length : n0;
    let order = sel;
    for (let k = 1; k < nE; k++) {
      const a = order ? order[k - 1]! : k - 1;
      const b = order ? order[k]! : k;
      if (keyCmp(names[a]!, kinds[a] === KIND_DIR, names[b]!, kinds[b] === KIND_DIR) > 0) {
        order = order ? [...order] : range(n0);
        order.sort((x, y) => keyCmp(names[x]!, kinds[x] === KIND_DIR, names[y]!, kinds[y] === KIND_DIR));
        break;
      }
    }

    const map = this.map;
    const blocks = map.dirBlocks;
    const rows = map.rows;
    const { arena, baseOff, pathOff, pathLen } = rows;
    const own = bs < be && blocks[bs]!.key === prefix ? blocks[bs]!.rows : undefined;
    const ownRows = own ?? [];
    let j = own ? bs + 1 : bs;
    // the current tracked subdirectory group: blocks [j, gEnd) under prefix + gName + '/'
    let gName: string | undefined;
    let gEnd = j;
    const plen = prefix.length;
    const nextGroup = (): void => {
      if (j >= be) {
        gName = undefined;
        return;
      }
      const key = blocks[j]!.key;
      gName = key.slice(plen, key.indexOf('/', plen));
      gEnd = map.lowerBound(prefix + gName + '0');
      if (gEnd > be) gEnd = be;
    };
    nextGroup();

    const statIn = this.fs.bindDir?.(dir);
    const nR = ownRows.length;
    let ei = 0;
    let ri = 0;
    const hasExplicit = this.explicitFiles.size > 0;
    while (ei < nE || ri < nR || gName !== undefined) {
      const idx = ei < nE ? (order ? order[ei]! : ei) : -1;
      const r = ri < nR ? ownRows[ri]! : -1;
      // which comes first? rows and groups never tie; a missing side is "after"
      let takeE = false;
      let takeR = false;
      let takeG = false;
      if (idx >= 0) {
        const name = names[idx]!;
        const isDir = kinds[idx] === KIND_DIR;
        const cR = r >= 0 ? cmpEntryRow(name, isDir, arena, baseOff[r]!, pathOff[r]! + pathLen[r]!) : -1;
        const cG = gName !== undefined ? keyCmp(name, isDir, gName, true) : -1;
        if (cR <= 0 && cG <= 0) {
          takeE = true;
          takeR = r >= 0 && cR === 0;
          takeG = gName !== undefined && cG === 0;
        } else if (r >= 0 && cR > 0 && (gName === undefined || cmpEntryRow(gName, true, arena, baseOff[r]!, pathOff[r]! + pathLen[r]!) > 0)) {
          takeR = true;
        } else takeG = true;
      } else if (r >= 0 && (gName === undefined || cmpEntryRow(gName, true, arena, baseOff[r]!, pathOff[r]! + pathLen[r]!) > 0)) {
        takeR = true;
      } else takeG = true;

      if (takeE) {
        const name = names[idx]!;
        const kind = kinds[idx]!;
        if (kind === KIND_DIR) {
          const path = prefix + name;
          let childIgn = dirIgn;
          let enter = true;
          if (this.listIgnored) childIgn = dirIgn || this.ignore(path);
          else if (this.ignore(path)) enter = false;
          // not entered: its tracked files are left to step 3
          if (enter) this.walkDir(path, path + '/', j, takeG ? gEnd : j, childIgn);
        } else if (takeR) {
          if (!this.seen[r]) {
            this.seen[r] = 1;
            if (this.matchFn === undefined || this.matchFn(prefix + name)) {
              if (kind === KIND_OTHER) this.classify(r, undefined);
              else {
                let st: FileStat | undefined;
                const si = stats !== undefined ? idx * 3 : -1;
                if (si >= 0 && stats![si] !== 0) {
                  const s = this.statBuf;
                  s.mode = stats![si]!;
                  s.size = stats![si + 1]!;
                  s.mtimeSec = stats![si + 2]!;
                  s.mtimeNsec = 0;
                  st = s;
                } else {
                  try {
                    st = statIn !== undefined ? statIn(name) : this.fs.lstat(prefix + name);
                  } catch (e) {
                    if (!(e instanceof WorkingFsError)) throw e;
                    st = undefined;
                  }
                }
                this.classify(r, st);
              }
            }
          }
        } else if (kind === KIND_FILE || kind === KIND_SYMLINK) {
          const path = prefix + name;
          if (!(hasExplicit && this.explicitFiles.has(path)) && (this.matchFn === undefined || this.matchFn(path))) {
            if (this.listIgnored) this.untracked(path, dirIgn, false);
            else if (!this.ignore(path)) this.out.unknown.push(path);
          }
        }
        ei++;
        if (takeR) ri++;
        if (takeG) {
          j = gEnd;
          nextGroup();
        }
        continue;
      }
      if (takeR) {
        // tracked, not listed: missing (or removed)
        if (!this.seen[r]) {
          this.seen[r] = 1;
          if (this.matchFn === undefined || this.matchFn(rows.pathLatin1(r))) this.classify(r, undefined);
        }
        ri++;
        continue;
      }
      // a tracked subtree whose directory is not listed (gone, or not a
      // directory any more): missing, except that without unknown listing hg
      // lstats its files without an audit (through a symlink, say): step 3
      if (this.listUnknown) this.missingBlocks(j, gEnd);
      j = gEnd;
      nextGroup();
    }
  }
}

/**
 * Unreadable directories in the order hg's walk meets them: it pops
 * directories from a stack, pushing each directory's subdirectories in the
 * file system's order, so of two directories under a common parent, the
 * one whose branch comes later in that parent's listing comes first.
 */
function hgTraversalOrder(bad: [string, string][], roots: readonly string[], fs: WorkingFs): [string, string][] {
  const listings = new Map<string, Map<string, number>>();
  const rank = (dir: string, child: string): number => {
    let m = listings.get(dir);
    if (!m) {
      m = new Map();
      const names = fs.readdirUnsorted?.(dir) ?? [];
      names.forEach((n, i) => m!.set(n, i));
      listings.set(dir, m);
    }
    return m.get(child) ?? -1;
  };
  const rootOf = (d: string): number => roots.findIndex((r) => r === '' || d === r || d.startsWith(r + '/'));
  return [...bad].sort(([a], [b]) => {
    const ra = rootOf(a);
    const rb = rootOf(b);
    if (ra !== rb) return ra - rb;
    const pa = a.split('/');
    const pb = b.split('/');
    let i = 0;
    while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
    if (i === pa.length || i === pb.length) return pa.length - pb.length;
    const parent = pa.slice(0, i).join('/');
    return rank(parent, pb[i]!) - rank(parent, pa[i]!);
  });
}

/** [0, 1, ..., n - 1]. */
function range(n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** Compares the sort keys of two names, a directory's key being `name/`. */
function keyCmp(a: string, aDir: boolean, b: string, bDir: boolean): number {
  if (!aDir && !bDir) return a < b ? -1 : a > b ? 1 : 0;
  const la = a.length;
  const lb = b.length;
  const m = la < lb ? la : lb;
  for (let i = 0; i < m; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  const ca = la > m ? a.charCodeAt(m) : aDir ? 0x2f : -1;
  const cb = lb > m ? b.charCodeAt(m) : bDir ? 0x2f : -1;
  return ca - cb;
}

/** Compares an entry's key (`name`, or `name/` for a directory) with a base name's bytes b[bs, be). */
function cmpEntryRow(name: string, isDir: boolean, b: Uint8Array, bs: number, be: number): number {
  const n = name.length;
  const lb = be - bs;
  const m = n < lb ? n : lb;
  for (let i = 0; i < m; i++) {
    const d = name.charCodeAt(i) - b[bs + i]!;
    if (d !== 0) return d;
  }
  if (!isDir) return n - lb;
  // `name/` against a base name (which has no '/')
  return lb === n ? 1 : 0x2f - b[bs + n]!;
}

/** Sorted roots without those inside another root. */
function dedupeNested(roots: readonly string[]): string[] {
  const sorted = [...new Set(roots)].sort();
  if (sorted.includes('')) return [''];
  const out: string[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.startsWith(last + '/')) continue;
    out.push(r);
  }
  return out;
}

/** hg's dirstate.status: the walk and the stat-based classification. */
export function dirstateStatus(o: DirstateStatusOptions): DirstateStatus {
  return new Walker(o).run(o.matcher);
}

/** Below this many tracked files a helper thread costs more than it saves. */
export const PARALLEL_MIN_FILES = 20000;

/**
 * dirstateStatus with a helper thread walking some of the top-level
 * directories (see SubtreeWalker); the results are the same. The helper
 * must have been started with this walk's top-level directories: the
 * caller decides when it is worth it (large tree, no patterns).
 */
export async function dirstateStatusParallel(o: DirstateStatusOptions, helper: SubtreeWalker | undefined): Promise<DirstateStatus> {
  const walker = new Walker(o);
  if (helper === undefined) return walker.run(o.matcher);
  walker.helper = helper;
  walker.begin(o.matcher);
  const listings = await helper.result().catch(() => new Map<string, DirEntries | WorkingFsError>());
  walker.resume(listings);
  return walker.finish();
}

// ---------------------------------------------------------------------------
// Content comparison (hg's _checklookup and filectx.cmp)

/** File flags as hg's dirstate.flagfunc sees them on disk: 'l', 'x' or ''. */
export function diskFlags(mode: number): string {
  if ((mode & S_IFMT) === S_IFLNK) return 'l';
  return mode & S_IXUSR ? 'x' : '';
}

/** Python's repr() of a str, as hg's messages show paths with %r. */
function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + q;
}

/**
 * hg's working-copy vfs audit before opening a file: no parent directory
 * may be a symlink or a nested repository (AbortError, hg's messages).
 * Results are cached per directory.
 */
export class PathAuditor {
  private readonly ok = new Set<string>();
  constructor(private readonly fs: WorkingFs) {}

  check(path: string): void {
    let pos = path.indexOf('/');
    while (pos !== -1) {
      const prefix = path.slice(0, pos);
      if (!this.ok.has(prefix)) {
        let st: FileStat | undefined;
        try {
          st = this.fs.lstat(prefix);
        } catch (e) {
          if (!(e instanceof WorkingFsError) || e.code !== 'EINVAL') throw e;
        }
        if (st !== undefined) {
          const k = st.mode & S_IFMT;
          const show = (s: string): string => new TextDecoder().decode(fromLatin1(s));
          if (k === S_IFLNK) throw new AbortError(`path ${pyRepr(show(path))} traverses symbolic link ${pyRepr(show(prefix))}`);
          if (k === S_IFDIR && this.fs.isDir(prefix + '/.hg')) {
            throw new AbortError(`path '${show(path)}' is inside nested repo ${pyRepr(show(prefix))}`);
          }
        }
        this.ok.add(prefix);
      }
      pos = path.indexOf('/', pos + 1);
    }
  }
}

/**
 * The content of a working-copy file as hg reads it: symlinks by their
 * target, files through the audited vfs (see PathAuditor).
 */
export function readWorkingFile(fs: WorkingFs, path: string, mode: number, auditor?: PathAuditor): Uint8Array {
  if ((mode & S_IFMT) === S_IFLNK) return fs.readlink(path);
  auditor?.check(path);
  return fs.readFile(path);
}

/** A file revision of the store, compared with working-copy data as hg's filectx.cmp does. */
export class StoredFiles {
  constructor(private readonly repo: Repository) {}

  /**
   * basefilectx.cmp(working file): true if the stored revision `node` of
   * `path` differs from the working file (`wsize` from lstat, `data` read
   * only when sizes do not settle it). `flags` is the stored revision's.
   */
  differs(path: string, node: Node, flags: string, wsize: number, data: () => Uint8Array): boolean {
    const fl = this.repo.file(fromLatin1(path));
    const rev = fl.revlog.rev(node);
    const psize = this.size(fl, rev);
    if (psize - 4 === wsize) return !this.equivalent(fl, rev, node, data());
    if (psize === wsize || flags === 'l') return !this.equivalent(fl, rev, node, data());
    return true;
  }

  /** filelog.size: 0 when censored, the content size for renamed revisions, else the raw size. */
  private size(fl: ReturnType<Repository['file']>, rev: Rev): number {
    if (fl.revlog.flags(rev) & REVIDX_ISCENSORED) return 0;
    return fl.size(rev);
  }

  /** storageutil.filedataequivalent. */
  private equivalent(fl: ReturnType<Repository['file']>, rev: Rev, node: Node, data: Uint8Array): boolean {
    let text = data;
    if (data.length >= 2 && data[0] === 1 && data[1] === 10) {
      text = new Uint8Array(data.length + 4);
      text.set([1, 10, 1, 10]);
      text.set(data, 4);
    }
    const [p1, p2] = fl.revlog.parentRevs(rev);
    const pn1 = fl.revlog.node(p1);
    const pn2 = fl.revlog.node(p2);
    if (bytesEqual(hashRevision(text, pn1, pn2), node)) return true;
    if (fl.revlog.flags(rev) & REVIDX_ISCENSORED) return data.length === 0;
    if (fl.renamed(rev)) return bytesEqual(fl.read(rev), data);
    return false;
  }
}

/** What a lookup found clean with trustworthy stat data: hg's `fixup` entries. */
export interface Fixup {
  row: number;
  path: string;
  mode: number;
  size: number;
  mtime: Timestamp;
}

/**
 * hg's timestamp.reliable_mtime_of: the file's mtime, flagged
 * second-ambiguous when it is in the boundary's second but earlier; undefined
 * when it is too close to (or after, by less than a day) the boundary.
 */
export function reliableMtime(sec: number, nsec: number, boundary: Timestamp): Timestamp | undefined {
  const fs = sec & RANGE_MASK;
  const bs = boundary.sec;
  if (bs === fs) {
    if (nsec && boundary.nsec && nsec < boundary.nsec) return { sec: fs, nsec, secondAmbiguous: true };
    return undefined;
  }
  if (bs < fs && fs < 3600 * 24 + bs) return undefined;
  return { sec: fs, nsec, secondAmbiguous: false };
}

export interface LookupOptions {
  map: DirstateMap;
  fs: WorkingFs;
  /** The first parent's manifest (read on first use). */
  p1: () => Manifest;
  files: StoredFiles;
  /** hg's mtime_boundary (timestamp.get_fs_now at the start of status); undefined: no fixups. */
  mtimeBoundary: Timestamp | undefined;
}

export interface LookupResult {
  modified: string[];
  deleted: string[];
  clean: string[];
  fixup: Fixup[];
}

/** hg's workingctx._checklookup over rows in path order. */
export function checkLookup(rows: readonly number[], o: LookupOptions): LookupResult {
  const res: LookupResult = { modified: [], deleted: [], clean: [], fixup: [] };
  const store = o.map.rows;
  const p1 = rows.length > 0 ? o.p1() : undefined;
  const auditor = new PathAuditor(o.fs);
  for (const r of rows) {
    const path = store.pathLatin1(r);
    const pb = store.path(r);
    try {
      const ent = p1!.get(pb);
      if (ent === undefined) {
        res.modified.push(path);
        continue;
      }
      const st0 = o.fs.lstat(path, true);
      if (st0 === undefined) throw new WorkingFsError('ENOENT', 'No such file or directory');
      const st = { ...st0 };
      if (diskFlags(st.mode) !== ent.flags) {
        res.modified.push(path);
        continue;
      }
      if (o.files.differs(path, ent.node.subarray(0, 20), ent.flags, st.size, () => readWorkingFile(o.fs, path, st.mode, auditor))) {
        res.modified.push(path);
        continue;
      }
      if (o.mtimeBoundary === undefined) {
        res.clean.push(path);
        continue;
      }
      const mtime = reliableMtime(st.mtimeSec, st.mtimeNsec, o.mtimeBoundary);
      if (mtime !== undefined) res.fixup.push({ row: r, path, mode: st.mode, size: st.size, mtime });
      else res.clean.push(path);
    } catch (e) {
      if (e instanceof WorkingFsError) res.deleted.push(path);
      else throw e;
    }
  }
  return res;
}

/** Merges two sorted lists. */
export function mergeSorted(a: string[], b: readonly string[]): string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return [...b];
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i]! <= b[j]! ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

// ---------------------------------------------------------------------------
// The whole working-copy status

export interface WorkingStatusOptions extends DirstateStatusOptions {
  repo: Repository;
  /** The first parent's manifest (the null revision's is empty); only read when contents must be compared. */
  p1: () => Manifest;
  mtimeBoundary: Timestamp | undefined;
}

export interface WorkingStatus extends StatusLists {
  /** Clean files whose stat data should be recorded (hg's _poststatusfixup). */
  fixup: Fixup[];
}

/** hg's workingctx._dirstatestatus: status against the first parent, lookups settled. */
export function workingStatus(o: WorkingStatusOptions): WorkingStatus {
  return settleLookups(o, dirstateStatus(o));
}

/** workingStatus, walking part of a large tree on a helper thread. */
export async function workingStatusParallel(o: WorkingStatusOptions, helper: SubtreeWalker | undefined): Promise<WorkingStatus> {
  return settleLookups(o, await dirstateStatusParallel(o, helper));
}

function settleLookups(o: WorkingStatusOptions, st: DirstateStatus): WorkingStatus {
  const res: WorkingStatus = { ...st, fixup: [] };
  if (st.lookup.length > 0) {
    const lk = checkLookup(st.lookup, { map: o.map, fs: o.fs, p1: o.p1, files: new StoredFiles(o.repo), mtimeBoundary: o.mtimeBoundary });
    res.modified = mergeSorted(st.modified, lk.modified);
    res.deleted = mergeSorted(st.deleted, lk.deleted);
    if (o.listClean) {
      const cleanNow = lk.clean.concat(lk.fixup.map((f) => f.path)).sort();
      res.clean = mergeSorted(st.clean, cleanNow);
    }
    res.fixup = lk.fixup;
  }
  return res;
}

/**
 * hg's _poststatusfixup: records the fixups in the dirstate and writes it,
 * only if the wlock can be taken without waiting and `.hg/dirstate` is
 * still the file that was read. Returns true when written.
 */
export function writeBackFixups(
  storage: DirstateStorage,
  map: DirstateMap,
  identity: FileIdentity | undefined,
  fixup: readonly Fixup[],
  write: () => void,
): boolean {
  if (fixup.length === 0 && !map.dirty) return false;
  const lock = storage.tryLockWorkingCopy();
  if (lock === undefined) return false;
  try {
    if (!sameIdentity(storage.identity('dirstate'), identity)) return false;
    if (fixup.length === 0) return false;
    for (const f of fixup) map.setCleanRow(f.row, map.rows.path(f.row), f.mode, f.size, f.mtime);
    write();
    return true;
  } finally {
    lock.release();
  }
}

// ---------------------------------------------------------------------------
// Status of the working copy against another revision (hg's workingctx._buildstatus)

/** hg's nodeconstants.addednodeid / modifiednodeid (20 bytes each). */
export const ADDED_NODE_ID = fromLatin1('000000000000000added');
export const MODIFIED_NODE_ID = fromLatin1('000000000000modified');

export interface RevStatusInput {
  repo: Repository;
  fs: WorkingFs;
  /** The working copy's status against p1 (lists sorted). */
  wd: StatusLists;
  p1: Manifest;
  /** The other revision's manifest. */
  other: Manifest;
  matcher?: Matcher;
  listClean: boolean;
}

/**
 * The status of the working copy against another revision: p1's manifest
 * with the working changes applied, diffed with the other revision's;
 * files changed in the working copy are compared by content.
 */
export function statusAgainstRev(o: RevStatusInput): StatusLists {
  const { wd } = o;
  const match = o.matcher && !o.matcher.always ? (p: string) => o.matcher!.matches(p) : undefined;
  const mf2 = o.p1.copy();
  for (const [id, list] of [
    [ADDED_NODE_ID, wd.added],
    [MODIFIED_NODE_ID, wd.modified],
  ] as const) {
    for (const f of list) {
      let flags = '';
      try {
        const st = o.fs.lstat(f);
        if (st !== undefined) flags = diskFlags(st.mode);
      } catch {
        // hg: flags unchanged when the flag function fails
      }
      mf2.set(fromLatin1(f), id, flags);
    }
  }
  for (const f of [...wd.deleted, ...wd.removed]) {
    const b = fromLatin1(f);
    if (mf2.has(b)) mf2.delete(b);
  }

  const deleted = new Set(wd.deleted);
  const res: StatusLists = { modified: [], added: [], removed: [], deleted: wd.deleted, unknown: wd.unknown, ignored: wd.ignored, clean: [] };
  const files = new StoredFiles(o.repo);
  const auditor = new PathAuditor(o.fs);
  for (const d of o.other.diff(mf2, { clean: o.listClean })) {
    const fn = latin1Of(d.path);
    if (match && !match(fn)) continue;
    if (deleted.has(fn)) continue;
    if (d.left === null && d.right === null) {
      res.clean.push(fn);
      continue;
    }
    if (d.left === null) res.added.push(fn);
    else if (d.right === null) res.removed.push(fn);
    else if (d.left.flags !== d.right.flags) res.modified.push(fn);
    else if (!isWdirNode(d.right.node)) res.modified.push(fn);
    else {
      // the working file against the other revision's
      let different = true;
      try {
        const st0 = o.fs.lstat(fn, true);
        if (st0 !== undefined) {
          const st = { ...st0 };
          different = files.differs(fn, d.left.node.subarray(0, 20), d.left.flags, st.size, () => readWorkingFile(o.fs, fn, st.mode, auditor));
        }
      } catch (e) {
        if (!(e instanceof WorkingFsError)) throw e;
      }
      (different ? res.modified : res.clean).push(fn);
    }
  }
  if (res.removed.length > 0) {
    res.unknown = wd.unknown.filter((fn) => !o.other.has(fromLatin1(fn)) && (!match || match(fn)));
    res.ignored = wd.ignored.filter((fn) => !o.other.has(fromLatin1(fn)) && (!match || match(fn)));
    res.removed = res.removed.filter((fn) => !deleted.has(fn));
  }
  for (const l of [res.modified, res.added, res.removed, res.clean]) sortList(l);
  return res;
}

function isWdirNode(n: Uint8Array): boolean {
  return bytesEqual(n.subarray(0, 20), ADDED_NODE_ID) || bytesEqual(n.subarray(0, 20), MODIFIED_NODE_ID);
}

function latin1Of(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}


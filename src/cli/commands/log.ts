// hg log (commands.log + logcmdutil.makewalker): the initial revisions, the
// file filter (filelog linkrevs on the fast path, changed-files matching on
// the slow path, file ancestry with --follow), the option filters, --limit,
// then the default changeset display.
import type { CommandContext } from '../context.js';
import { optBool, optList, optString } from '../context.js';
import { AbortError, InputError, LookupError, StateError } from '../../core/errors.js';
import { bytesEqual, concatBytes, decodeUtf8, fromLatin1, latin1, utf8 } from '../../core/bytes.js';
import { NULL_REV, type Rev, shortHex } from '../../core/node.js';
import { revRange, revSymbol } from '../../store/revset.js';
import type { Repository } from '../../store/repo.js';
import type { Filelog } from '../../filelog/filelog.js';
import { buildMatcher, pathBytesPredicate } from '../../dirstate/matcher.js';
import { encodeDir } from '../../vfs/store-encoding.js';
import { ChangesetPrinter, changesetBranch, type CopyPair } from '../changeset-printer.js';
import { cwdRelative } from './util.js';
import { makeRelativeDisplay, repoPath } from '../paths.js';

/** hg's logcmdutil.getlimit. */
export function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^\s*([+-]?\d+(?:_\d+)*)\s*$/.exec(value);
  if (!m) throw new InputError('limit must be a positive integer');
  const n = Number(m[1]!.replace(/_/g, ''));
  if (n <= 0) throw new InputError('limit must be positive');
  return n;
}

function unsupported(ctx: CommandContext, opt: string, label = opt): void {
  const v = ctx.opts[opt];
  if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) return;
  throw new AbortError(`log ${label} is not supported by hgkit`);
}

export function run(ctx: CommandContext): number {
  const { ui, opts } = ctx;
  unsupported(ctx, 'template', '-T/--template');
  unsupported(ctx, 'style', '--style');
  unsupported(ctx, 'graph', '-G/--graph');
  unsupported(ctx, 'patch', '-p/--patch');
  unsupported(ctx, 'stat', '--stat');
  unsupported(ctx, 'date', '-d/--date');
  if (optList(opts, 'line-range').length) {
    if (!optBool(opts, 'follow')) throw new InputError('--line-range requires --follow');
    if (ctx.args.length) throw new InputError('FILE arguments are not compatible with --line-range option');
    throw new AbortError('log -L/--line-range is not supported by hgkit');
  }
  const repo = ctx.repo();
  const limit = parseLimit(optString(opts, 'limit'));
  const follow = optBool(opts, 'follow-first') ? 1 : optBool(opts, 'follow') ? 2 : 0;
  const revs = selectRevs(ctx, repo, follow, limit);

  const printer = new ChangesetPrinter(ui, repo);
  const getCopies = optBool(opts, 'copies') ? makeCopiesFn(repo) : undefined;
  for (const rev of revs) {
    printer.show(rev, getCopies ? getCopies(rev) : undefined);
  }
  return 0;
}

function selectRevs(ctx: CommandContext, repo: Repository, follow: number, limit: number | undefined): Rev[] {
  const { opts } = ctx;
  const cl = repo.changelog;
  const revspecs = optList(opts, 'rev');

  // _initialrevs
  let revs: Rev[];
  if (revspecs.length) revs = revRange(repo, revspecs);
  else if (follow) {
    const p = repo.workingParentRev();
    revs = p === NULL_REV ? [] : [p];
  } else {
    revs = [];
    for (let r = cl.length - 1; r >= 0; r--) revs.push(r);
  }
  if (!revs.length) return [];

  // _makematcher
  const match = buildMatcher({
    cwdRel: cwdRelative(repo.root, ctx.cwd),
    patterns: ctx.args.map((a) => canonPattern(repo, ctx.cwd, a)),
    include: optList(opts, 'include'),
    exclude: optList(opts, 'exclude'),
  });
  const removed = optBool(opts, 'removed');
  let slowpath = match.anyPats || (!match.always && removed);
  const files = match.files.map((f) => fromLatin1(f));
  if (!slowpath) {
    if (follow && revspecs.length) {
      const missing = new Set(match.files);
      let pending = [...match.files];
      for (const r of revs) {
        if (!pending.length) break;
        const mf = repo.manifestLog.get(cl.read(r).manifest).read();
        for (const f of pending) {
          if (mf.get(fromLatin1(f))) missing.delete(f);
          else if (manifestHasDir(mf, f)) {
            missing.delete(f);
            slowpath = true;
            pending = [...missing];
          }
        }
      }
      for (const f of match.files) {
        if (missing.has(f)) {
          throw new StateError(`cannot follow file not in any of the specified revisions: "${decodeLatin1Path(f)}"`);
        }
      }
    } else if (follow) {
      // hg checks the working copy (dirstate); hgkit uses its first parent's manifest.
      const wp = repo.workingParentRev();
      const mf = repo.manifestLog.get(cl.read(wp).manifest).read();
      for (const f of files) {
        if (!mf.get(f)) {
          if (repo.vfs.exists(repo.root + '/' + decodeUtf8(f))) {
            slowpath = true;
            continue;
          }
          throw new StateError(`cannot follow file not in parent revision: "${ui8(f)}"`);
        }
        if (repo.file(f).length === 0) throw new StateError(`cannot follow nonexistent file: "${ui8(f)}"`);
      }
    } else {
      for (const f of files) if (repo.file(f).length === 0) slowpath = true;
    }
    if (slowpath) {
      let keep = false;
      for (const f of files) {
        if (f.length === 0 || storeHasPath(repo, f)) {
          keep = true;
          break;
        }
      }
      // none of the paths is known to the store: the fast path finds nothing either way
      if (!keep) slowpath = false;
    }
  }

  // makewalker: follow
  if (follow) {
    if (slowpath || match.always) revs = revAncestors(repo, revs, follow === 1);
    else {
      const rel = makeRelativeDisplay(repo.root, ctx.cwd);
      const warn = (f: Uint8Array, rev: Rev): void =>
        ctx.ui.warn(concatBytes([utf8(rel(decodeUtf8(f))), utf8(`: no such file in rev ${shortHex(cl.node(rev))}\n`)]));
      revs = fileAncestors(repo, revs, files, follow === 1, warn);
    }
  }

  // _makerevset: filters, in hg's (sorted) option order
  const filters: ((r: Rev) => boolean)[] = [];
  const branches = [...optList(opts, 'branch'), ...optList(opts, 'only-branch')].map((b) => lookupBranch(repo, b));
  if (branches.length) {
    const set = new Set(branches);
    filters.push((r) => set.has(latin1(changesetBranch(cl.read(r)))));
  }
  const keywords = optList(opts, 'keyword');
  if (keywords.length) {
    const kws = keywords.map((k) => lower(utf8(k)));
    filters.push((r) => {
      const cs = cl.read(r);
      const texts = [...cs.files.map(lower), lower(ctx.ui.toLocal(cs.user)), lower(ctx.ui.toLocal(cs.description))];
      return kws.some((kw) => texts.some((t) => t.includes(kw)));
    });
  }
  if (optBool(opts, 'no-merges')) filters.push((r) => cl.parentRevs(r)[1] === NULL_REV);
  if (optBool(opts, 'only-merges')) filters.push((r) => cl.parentRevs(r)[1] !== NULL_REV);
  const prune = optList(opts, 'prune');
  if (prune.length) {
    const pruned = ancestorSet(repo, prune.map((p) => revSymbol(repo, p)));
    filters.push((r) => !pruned.has(r));
  }
  const users = optList(opts, 'user');
  if (users.length) {
    const us = users.map((u) => lower(utf8(u)));
    filters.push((r) => {
      const who = lower(ctx.ui.toLocal(cl.read(r).user));
      return us.some((u) => who.includes(u));
    });
  }
  if (slowpath) {
    const matches = pathBytesPredicate(match);
    filters.push((r) => cl.read(r).files.some(matches));
  } else if (!follow && files.length) {
    const linked = filelogRevs(repo, files);
    filters.push((r) => linked.has(r));
  }
  const bookmarks = optList(opts, 'bookmark');
  if (bookmarks.length) {
    const set = new Set<Rev>();
    for (const b of bookmarks) for (const r of bookmarkRevs(repo, b)) set.add(r);
    filters.push((r) => set.has(r));
  }

  const out: Rev[] = [];
  for (const r of revs) {
    if (limit !== undefined && out.length >= limit) break;
    if (filters.every((f) => f(r))) out.push(r);
  }
  return out;
}

const PATTERN_KIND = /^(re|glob|path|filepath|relglob|relpath|relre|rootglob|rootfilesin|listfile|listfile0|set|include|subinclude):/;

/** A plain FILE argument through hg's canonpath (absolute paths, paths outside the root). */
function canonPattern(repo: Repository, cwd: string, arg: string): string {
  if (PATTERN_KIND.test(arg)) return arg;
  return 'path:' + decodeUtf8(repoPath(repo.root, cwd, arg));
}

function ui8(b: Uint8Array): string {
  return decodeUtf8(b);
}

function decodeLatin1Path(s: string): string {
  return decodeUtf8(fromLatin1(s));
}

/** encoding.lower on metadata: Unicode lower case of the UTF-8 text. */
function lower(b: Uint8Array): string {
  return decodeUtf8(b).toLowerCase();
}

/** manifest.hasdir: some path of the manifest lies under `dir` (latin1 string of the bytes). */
function manifestHasDir(mf: { text(): Uint8Array }, dir: string): boolean {
  const text = Buffer.from(mf.text().buffer, mf.text().byteOffset, mf.text().byteLength);
  const prefix = Buffer.from(dir + '/', 'latin1');
  if (text.subarray(0, prefix.length).equals(prefix)) return true;
  return text.indexOf(Buffer.concat([Buffer.from([10]), prefix])) >= 0;
}

/** `path in repo.store`: a filelog, or a directory of filelogs. */
function storeHasPath(repo: Repository, path: Uint8Array): boolean {
  if (repo.file(path).length > 0) return true;
  const prefix = concatBytes([utf8('data/'), path, utf8('/')]);
  if (repo.layout.fncache) {
    const data = repo.readStoreFile('fncache');
    if (!data) return false;
    // fncache lines are encodedir()-ed: look for the encoded prefix at a line start (no per-line strings)
    const needle = encodeDir(prefix);
    const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
    for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + 1)) {
      if (at === 0 || buf[at - 1] === 10) return true;
    }
    return false;
  }
  return repo.vfs.isDir(repo.storeFilePath(prefix.subarray(0, prefix.length - 1)));
}

/** revset filelog(): the linkrevs of every revision of the files' filelogs. */
function filelogRevs(repo: Repository, files: readonly Uint8Array[]): Set<Rev> {
  const out = new Set<Rev>();
  for (const f of files) {
    const fl = repo.file(f);
    for (let i = 0; i < fl.length; i++) out.add(fl.linkRev(i));
  }
  return out;
}

/** repo.lookupbranch: a branch name, else the branch of the revision it names. */
function lookupBranch(repo: Repository, name: string): string {
  if (repo.names.branches().has(name)) return latin1(utf8(name));
  return latin1(changesetBranch(repo.changelog.read(revSymbol(repo, name))));
}

function ancestorSet(repo: Repository, revs: Iterable<Rev>): Set<Rev> {
  const seen = new Set<Rev>();
  const stack = [...revs].filter((r) => r !== NULL_REV);
  while (stack.length) {
    const r = stack.pop()!;
    if (seen.has(r)) continue;
    seen.add(r);
    for (const p of repo.changelog.parentRevs(r)) if (p !== NULL_REV && !seen.has(p)) stack.push(p);
  }
  return seen;
}

/** dagop.revancestors: the revisions and their ancestors, newest first. */
function revAncestors(repo: Repository, revs: readonly Rev[], followFirst: boolean): Rev[] {
  const cl = repo.changelog;
  const mark = new Set<Rev>();
  let max = -1;
  for (const r of revs) {
    if (r === NULL_REV) continue;
    mark.add(r);
    if (r > max) max = r;
  }
  const out: Rev[] = [];
  for (let r = max; r >= 0; r--) {
    if (!mark.has(r)) continue;
    out.push(r);
    const [p1, p2] = cl.parentRevs(r);
    if (p1 !== NULL_REV) mark.add(p1);
    if (!followFirst && p2 !== NULL_REV) mark.add(p2);
  }
  return out;
}

/** bookmark revspec: ancestors(bm) - ancestors(other heads) - ancestors(other bookmarks). */
function bookmarkRevs(repo: Repository, name: string): Set<Rev> {
  const bms = repo.names.bookmarks();
  const node = bms.get(name);
  if (!node) throw new LookupError(`bookmark '${name}' does not exist`);
  const cl = repo.changelog;
  const target = cl.rev(node);
  const others: Rev[] = [];
  for (const h of repo.branchHeadRevs({ closed: true })) if (h !== target) others.push(h);
  for (const [n, bn] of bms) if (n !== name) {
    const r = cl.rev(bn);
    if (r !== target) others.push(r);
  }
  const excluded = ancestorSet(repo, others);
  const out = new Set<Rev>();
  for (const r of ancestorSet(repo, [target])) if (!excluded.has(r)) out.add(r);
  return out;
}

// ---------------------------------------------------------------------------
// --follow FILE: file ancestry across copies (dagop.filectxancestors with
// hg's linkrev adjustment, context.py _adjustlinkrev).

interface FileCtx {
  path: Uint8Array;
  fl: Filelog;
  frev: number;
  rev: Rev;
}

function fileAncestors(
  repo: Repository,
  startRevs: readonly Rev[],
  files: readonly Uint8Array[],
  followFirst: boolean,
  bad: (f: Uint8Array, rev: Rev) => void,
): Rev[] {
  const cl = repo.changelog;
  const ml = repo.manifestLog;

  const fileNode = (rev: Rev, path: Uint8Array): Uint8Array | undefined =>
    ml.get(cl.read(rev).manifest).read().get(path)?.node.subarray(0, 20);

  /** _adjustlinkrev: the changeset that introduced this file node, seen from `src`. */
  const adjust = (path: Uint8Array, fl: Filelog, frev: number, src: Rev, inclusive: boolean): Rev => {
    const lkr = fl.linkRev(frev);
    if (src === lkr) return lkr;
    if (src < lkr) return lkr;
    const n = src - lkr + 1;
    const marked = new Uint8Array(n);
    const markParents = (r: Rev): void => {
      for (const p of cl.parentRevs(r)) if (p >= lkr) marked[p - lkr] = 1;
    };
    if (inclusive) marked[src - lkr] = 1;
    else markParents(src);
    // membership of lkr needs the full walk down to lkr; the walk also finds the answer
    const candidates: Rev[] = [];
    for (let r = src; r >= lkr; r--) {
      if (!marked[r - lkr]) continue;
      candidates.push(r);
      markParents(r);
    }
    if (marked[0]) return lkr;
    const fnode = fl.revlog.node(frev);
    for (const a of candidates) {
      const cs = cl.read(a);
      if (!cs.files.some((f) => bytesEqual(f, path))) continue;
      const n2 = ml.get(cs.manifest).read().get(path);
      if (n2 && bytesEqual(n2.node.subarray(0, 20), fnode)) return a;
    }
    return lkr;
  };

  const visit = new Map<Rev, Map<string, FileCtx>>();
  const heap: Rev[] = [];
  const add = (c: FileCtx): void => {
    let m = visit.get(c.rev);
    if (!m) {
      visit.set(c.rev, (m = new Map()));
      heap.push(c.rev);
    }
    m.set(latin1(c.path) + '\0' + c.frev, c);
  };

  for (const r of startRevs) {
    for (const f of files) {
      const node = fileNode(r, f);
      if (!node) {
        // changectx.walk reports explicit files that are neither a file nor a directory there
        if (!manifestHasDir(ml.get(cl.read(r).manifest).read(), latin1(f))) bad(f, r);
        continue;
      }
      const fl = repo.file(f);
      const frev = fl.revlog.rev(node);
      add({ path: f, fl, frev, rev: adjust(f, fl, frev, r, true) });
    }
  }

  const out: Rev[] = [];
  while (heap.length) {
    let bi = 0;
    for (let i = 1; i < heap.length; i++) if (heap[i]! > heap[bi]!) bi = i;
    const cur = heap[bi]!;
    heap[bi] = heap[heap.length - 1]!;
    heap.pop();
    const ctxs = visit.get(cur)!;
    visit.delete(cur);
    out.push(cur);
    for (const c of ctxs.values()) {
      const parents: { path: Uint8Array; fl: Filelog; frev: number }[] = [];
      for (const p of c.fl.parentRevs(c.frev)) if (p !== NULL_REV) parents.push({ path: c.path, fl: c.fl, frev: p });
      const ren = c.fl.renamed(c.frev);
      if (ren) {
        const rfl = repo.file(ren.path);
        const rrev = rfl.revlog.findRev(ren.node);
        if (rrev !== undefined) parents.unshift({ path: ren.path, fl: rfl, frev: rrev });
      }
      for (const p of followFirst ? parents.slice(0, 1) : parents) {
        add({ ...p, rev: adjust(p.path, p.fl, p.frev, c.rev, false) });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// -C/--copies: scmutil.getrenamedfn (filelog-based copies).

function makeCopiesFn(repo: Repository): (rev: Rev) => CopyPair[] {
  const cl = repo.changelog;
  const ml = repo.manifestLog;
  const cache = new Map<string, Map<Rev, Uint8Array | undefined>>();

  const getRenamed = (fn: Uint8Array, rev: Rev): Uint8Array | undefined => {
    const key = latin1(fn);
    let byLink = cache.get(key);
    const fl = repo.file(fn);
    if (!byLink) {
      byLink = new Map();
      for (let i = 0; i < fl.length; i++) byLink.set(fl.linkRev(i), fl.renamed(i)?.path);
      cache.set(key, byLink);
    }
    if (byLink.has(rev)) return byLink.get(rev);
    // filectx.copysource() for a revision whose linkrev points elsewhere
    const entry = ml.get(cl.read(rev).manifest).read().get(fn);
    if (!entry) return undefined;
    const fnode = entry.node.subarray(0, 20);
    const frev = fl.revlog.findRev(fnode);
    if (frev === undefined) return undefined;
    const ren = fl.renamed(frev);
    if (!ren) return undefined;
    const [p1, p2] = cl.parentRevs(rev);
    for (const p of p2 === NULL_REV ? [p1] : [p1, p2]) {
      const pe = ml.get(cl.read(p).manifest).read().get(fn);
      if (pe && bytesEqual(pe.node.subarray(0, 20), fnode)) return undefined;
    }
    return ren.path;
  };

  return (rev) => {
    const out: CopyPair[] = [];
    for (const f of cl.read(rev).files) {
      const src = getRenamed(f, rev);
      if (src) out.push([f, src]);
    }
    return out;
  };
}

// `hg status` for the working-copy forms: no --rev (working copy against its
// first parent) and one --rev (that revision against the working copy).
// Flags -m -a -r -d -u -i -c -A -n -0 -C; paths shown relative to the cwd
// when file arguments were given (ui.relative-paths=legacy), as hg does.
//
// The status of the working copy against its parent also records the stat
// data of files it found clean by content (hg's _poststatusfixup), when the
// wlock is free, so that the next status needs no content comparison.

import type { Manifest } from '../manifest/manifest.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { CommandContext } from './context.js';
import { optBool } from './context.js';
import { fromLatin1, latin1, utf8 } from '../core/bytes.js';
import { NULL_REV, type Rev, isNullNode } from '../core/node.js';
import { LazyManifest } from '../manifest/lazy-manifest.js';
import type { Repository } from '../store/repo.js';
import { ancestorRev, pathCopies } from '../store/copies.js';
import type { Matcher } from '../dirstate/matcher.js';
import { F_WC_TRACKED, type DirstateMap } from '../dirstate/dirstate-map.js';
import { readDirstate, writeDirstate } from '../dirstate/dirstate-file.js';
import type { IgnoreMatcher } from '../dirstate/hgignore.js';
import { NodeDirstateStorage, NodeWorkingFs } from '../dirstate/node-fs.js';
import {
  type BadKind,
  PARALLEL_MIN_FILES,
  type StatusLists,
  statusAgainstRev,
  workingStatusParallel,
  writeBackFixups,
} from '../dirstate/status.js';
import { KIND_DIR, type SubtreeWalker, WorkingFsError } from '../dirstate/working-fs.js';
import { lazyIgnore } from './working-ignore.js';

export interface WorkingStatusCliOptions {
  /** `--rev REV` (one revision): compare that revision with the working copy. */
  rev?: Rev;
}

const STATES = ['modified', 'added', 'removed', 'deleted', 'unknown', 'ignored', 'clean'] as const;
type State = (typeof STATES)[number];
const CHARS: Record<State, number> = {
  modified: 0x4d,
  added: 0x41,
  removed: 0x52,
  deleted: 0x21,
  unknown: 0x3f,
  ignored: 0x49,
  clean: 0x43,
};

/** hg's util.pathto(root, n1, n2) over latin1 strings: repo path n2 seen from n1 (cwd, repo-relative or absolute). */
function pathTo(root: string, n1: string, n2: string): string {
  if (n1 === '') return n2;
  if (n1.startsWith('/')) n2 = root + '/' + n2;
  const a = n1.split('/');
  const b = n2.split('/');
  // os.path.relpath-like walk from the ends reversed (hg pops common leading parts)
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...new Array<string>(a.length - i).fill('..'), ...b.slice(i)].join('/') || '.';
}

/** hg's dirstate.getcwd(): '' at the root, repo-relative inside, absolute outside (latin1). */
function repoCwd(root: string, cwd: string): string {
  if (cwd === root) return '';
  const rootSep = root.endsWith('/') ? root : root + '/';
  return cwd.startsWith(rootSep) ? cwd.slice(rootSep.length) : cwd;
}

/** Growable output buffer flushed in large writes. */
class Out {
  private buf = Buffer.allocUnsafe(1 << 16);
  private len = 0;
  constructor(private readonly sink: (b: Uint8Array) => void) {}
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n * 2);
  }
  byte(c: number): void {
    this.room(1);
    this.buf[this.len++] = c;
  }
  /** A latin1 string of bytes. */
  str(s: string): void {
    this.room(s.length);
    this.len += this.buf.write(s, this.len, 'latin1');
  }
  flush(): void {
    if (this.len) this.sink(Uint8Array.prototype.slice.call(this.buf, 0, this.len));
    this.len = 0;
  }
}

/**
 * Helper threads worth using for a status walk: one on a machine with two
 * or more cores that are not all busy already (load average), none
 * otherwise. HGKIT_STATUS_WORKERS overrides it.
 */
function statusThreads(env: NodeJS.ProcessEnv): number {
  const forced = env['HGKIT_STATUS_WORKERS'];
  if (forced !== undefined && forced !== '') return Math.max(0, Number(forced) | 0);
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  if (cpus < 2) return 0;
  return os.loadavg()[0]! <= cpus - 1 ? 1 : 0;
}


function manifestOf(repo: Repository, rev: Rev): Manifest {
  if (rev === NULL_REV) return LazyManifest.empty();
  return repo.manifestLog.get(repo.changelog.read(rev).manifest).read();
}

/** hg's _dirstatecopies: copies of tracked files (matching). */
function dirstateCopies(map: DirstateMap, match: ((p: string) => boolean) | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [dst, src] of map.copies) {
    const r = map.findRowLatin1(dst);
    if (r < 0 || (map.rows.flags[r]! & F_WC_TRACKED) === 0) continue;
    if (match && !match(dst)) continue;
    out.set(dst, latin1(src));
  }
  return out;
}

function chain(prefix: Map<string, string>, suffix: Map<string, string>): Map<string, string> {
  const result = new Map(prefix);
  for (const [k, v] of suffix) result.set(k, prefix.get(v) ?? v);
  return result;
}

/** hg's copies.pathcopies(repo[rev], wctx, match) for a revision other than p1. */
function copiesToWorkingCopy(
  repo: Repository,
  map: DirstateMap,
  rev: Rev,
  p1: Rev,
  other: Manifest,
  match: ((p: string) => boolean) | undefined,
): Map<string, string> {
  if (rev === NULL_REV) return new Map();
  const ds = dirstateCopies(map, match);
  const a = ancestorRev(repo, p1, rev);
  let copies: Map<string, string>;
  if (a === rev) {
    copies = chain(pathCopies(repo, rev, p1, { match }), ds);
  } else {
    // combined: both sides from their common ancestor
    const xCopies = a === NULL_REV ? new Map<string, string>() : pathCopies(repo, a, rev);
    const yCopies = chain(a === NULL_REV ? new Map<string, string>() : pathCopies(repo, a, p1, { match }), ds);
    for (const k of [...xCopies.keys()]) {
      if (yCopies.has(k) && xCopies.get(k) === yCopies.get(k)) {
        xCopies.delete(k);
        yCopies.delete(k);
      }
    }
    const reversed = new Map<string, string>();
    for (const k of [...xCopies.keys()].sort()) {
      const v = xCopies.get(k)!;
      if (match && !match(v)) continue;
      if (other.has(fromLatin1(v))) continue;
      reversed.set(v, k);
    }
    copies = chain(reversed, yCopies);
  }
  // _filter(x, y): sources in x, destinations in the working copy
  for (const [k, v] of [...copies]) {
    if (k === v || !other.has(fromLatin1(v))) {
      copies.delete(k);
      continue;
    }
    const r = map.findRowLatin1(k);
    if (r < 0 || (map.rows.flags[r]! & F_WC_TRACKED) === 0) copies.delete(k);
  }
  return copies;
}

/**
 * Prints hg's `status` of the working copy. `matcher` is built from the
 * file arguments and -I/-X (repo-rooted patterns); `opts.rev` is the one
 * --rev revision, if any.
 */
export async function runWorkingStatus(ctx: CommandContext, matcher: Matcher, opts: WorkingStatusCliOptions = {}): Promise<number> {
  const { ui } = ctx;
  const o = ctx.opts;
  const repo = ctx.repo();
  let show: State[] = STATES.filter((s) => optBool(o, s));
  if (optBool(o, 'all')) show.push(...(ui.quiet ? [...STATES.slice(0, 4), 'clean' as const] : STATES));
  if (show.length === 0) show = ui.quiet ? STATES.slice(0, 4) : STATES.slice(0, 5);
  const showSet = new Set(show);
  const ignore = lazyIgnore(repo.root, (m) => ui.warn(m));
  const wfs = new NodeWorkingFs(repo.root);
  const helper = await startHelper(ctx, repo, matcher, showSet, ignore, wfs);
  try {
    return await statusWithHelper(ctx, matcher, opts, ignore, wfs, helper, showSet);
  } finally {
    helper?.close();
  }
}

/**
 * For a large tree without patterns, a helper thread that starts walking
 * top-level directories at once, while this thread reads the dirstate.
 * (HGKIT_STATUS_PARALLEL_MIN sets the size threshold, for tests and tuning.)
 */
async function startHelper(
  ctx: CommandContext,
  repo: Repository,
  matcher: Matcher,
  showSet: ReadonlySet<State>,
  ignore: IgnoreMatcher,
  wfs: NodeWorkingFs,
): Promise<SubtreeWalker | undefined> {
  const listIgnored = showSet.has('ignored');
  if (!matcher.always || !(showSet.has('unknown') || listIgnored) || statusThreads(ctx.env) === 0) return undefined;
  if (repo.requirements.has('dirstate-v2')) return undefined;
  const minFiles = Number(ctx.env['HGKIT_STATUS_PARALLEL_MIN'] ?? PARALLEL_MIN_FILES);
  // about 40 bytes per entry of a v1 dirstate
  const size = fs.statSync(repo.hgDir + '/dirstate', { throwIfNoEntry: false })?.size ?? 0;
  if (size < minFiles * 40 || size === 0) return undefined;
  let tops: string[];
  try {
    // the ignore patterns first: an invalid one aborts before any thread starts
    if (!listIgnored && !ignore.never && !ignore.parallelSafe) return undefined;
    const root = wfs.readdir('');
    tops = root.names.filter((n, i) => root.kinds[i] === KIND_DIR && n !== '.hg' && (listIgnored || !ignore(n)));
  } catch (e) {
    if (e instanceof WorkingFsError) return undefined;
    throw e;
  }
  if (tops.length < 2) return undefined;
  // loaded only here: worker_threads costs a little to load
  const { NodeSubtreeWalker } = await import('../dirstate/node-parallel.js');
  const helper = new NodeSubtreeWalker(repo.root);
  helper.start(tops, { ignore: ignore.never ? null : ignore.source, listIgnored });
  return helper;
}

async function statusWithHelper(
  ctx: CommandContext,
  matcher: Matcher,
  opts: WorkingStatusCliOptions,
  ignore: IgnoreMatcher,
  wfs: NodeWorkingFs,
  helper: SubtreeWalker | undefined,
  showSet: ReadonlySet<State>,
): Promise<number> {
  const { ui } = ctx;
  const o = ctx.opts;
  const repo = ctx.repo();
  const end = optBool(o, 'print0') ? 0 : 10;
  const showCopies = (o['copies'] === true || optBool(o, 'all')) && !optBool(o, 'no-status');
  const rootL = latin1(utf8(repo.root));
  const cwd = repoCwd(rootL, latin1(utf8(ctx.cwd)));
  const match = matcher.always ? undefined : (p: string) => matcher.matches(p);

  const storage = new NodeDirstateStorage(repo.hgDir, repo.root);
  const loaded = readDirstate(storage, repo.requirements);
  const map = loaded.map;
  const mtimeBoundary = storage.fsNow();

  const [p1Node] = map.parents();
  let p1RevCache: Rev | undefined;
  const p1Rev = (): Rev => (p1RevCache ??= isNullNode(p1Node) ? NULL_REV : repo.changelog.rev(p1Node));
  let p1Cache: Manifest | undefined;
  const p1 = (): Manifest => (p1Cache ??= manifestOf(repo, p1Rev()));
  const againstOther = opts.rev !== undefined && opts.rev !== p1Rev();
  const other = againstOther ? manifestOf(repo, opts.rev!) : undefined;

  // hg's match.bad: scmutil's (paths relative to the cwd), or with --rev
  // workingctx._matchstatus's (silent for paths the other revision knows)
  const rel = (p: string): string => pathTo(rootL, cwd, p);
  const onBad = (path: string, msg: string, kind: BadKind): void => {
    const f = kind === 'dir' ? rel(path) : path;
    if (other && (other.has(fromLatin1(f)) || other.hasDir(fromLatin1(f)))) return;
    ui.warn(fromLatin1(`${rel(f)}: ${msg}\n`));
  };

  const ws = await workingStatusParallel({
    map,
    fs: wfs,
    matcher,
    ignore,
    listClean: showSet.has('clean'),
    listUnknown: showSet.has('unknown'),
    listIgnored: showSet.has('ignored'),
    onBad,
    repo,
    p1,
    mtimeBoundary,
  }, helper);
  writeBackFixups(storage, map, loaded.identity, ws.fixup, () => writeDirstate(storage, loaded));

  let st: StatusLists = ws;
  if (other) {
    st = statusAgainstRev({ repo, fs: wfs, wd: ws, p1: p1(), other, matcher, listClean: showSet.has('clean') });
  }

  let copies = new Map<string, string>();
  if (showCopies) {
    copies = other ? copiesToWorkingCopy(repo, map, opts.rev!, p1Rev(), other, match) : dirstateCopies(map, match);
  }

  const display = ctx.args.length > 0 && cwd !== '' ? rel : (p: string) => p;
  const showChar = !optBool(o, 'no-status');
  const out = new Out((b) => ui.write(b));
  for (const state of STATES) {
    if (!showSet.has(state)) continue;
    const ch = CHARS[state];
    for (const f of st[state]) {
      if (showChar) {
        out.byte(ch);
        out.byte(0x20);
      }
      out.str(display(f));
      out.byte(end);
      if (copies.size > 0) {
        const src = copies.get(f);
        if (src !== undefined) {
          out.byte(0x20);
          out.byte(0x20);
          out.str(display(src));
          out.byte(end);
        }
      }
    }
  }
  out.flush();
  return 0;
}

// hg diff: between two revisions (-r A -r B, one range, -c REV, --from/--to)
// or between a revision and the working copy (no -r, one -r, --from alone,
// --to alone), in hg's plain unified format or its git format (-g), with
// --stat, -U, -a, --nodates, --noprefix, -p, -w/-b/-B/-Z, --reverse, --root,
// file patterns and -I/-X. Output is byte-identical to hg 6.3.2's.

import type { Manifest } from '../../manifest/manifest.js';
import type { CommandContext } from '../context.js';
import { optBool, optList, optString } from '../context.js';
import { InputError } from '../../core/errors.js';
import { fromLatin1, latin1, utf8 } from '../../core/bytes.js';
import { NULL_REV, type Rev, isNullNode } from '../../core/node.js';
import { isPairSpec, revRange, revSingle } from '../../store/revset.js';
import { RevManifests, pathCopies } from '../../store/copies.js';
import { LazyManifest } from '../../manifest/lazy-manifest.js';
import { statusBetweenRevs } from '../../store/status-revs.js';
import type { Repository } from '../../store/repo.js';
import { buildMatcher, type Matcher } from '../../dirstate/matcher.js';
import { canonPath, pathTo, repoCwd, rootedPatterns } from '../pathutil.js';
import { readDirstate, writeDirstate, type LoadedDirstate } from '../../dirstate/dirstate-file.js';
import { NodeDirstateStorage, NodeWorkingFs } from '../../dirstate/node-fs.js';
import type { IgnoreMatcher } from '../../dirstate/hgignore.js';
import { type BadKind, type StatusLists, statusAgainstRev, workingStatus, writeBackFixups } from '../../dirstate/status.js';
import { DEFAULT_DIFF_OPTIONS, type DiffOptions } from '../../diff/mdiff.js';
import { type DiffChanges, type DiffCtx, diffChunks, tryDiff } from '../../diff/patch.js';
import { WorkingDiffCtx } from '../../diff/contexts.js';
import { revDiffCtx } from '../../diff/rev-diff.js';
import { type Side, pathCopiesWdir } from '../../diff/wdir-copies.js';
import { diffStat } from '../../diff/diffstat.js';
import { ByteSink } from '../../diff/sink.js';
import { datestr } from '../dates.js';

const WDIR = 'wdir' as const;

/** hg's scmutil.revpair (the working copy as the second side when one revision is given). */
function revPair(repo: Repository, revs: string[]): [Side, Side] {
  if (revs.length === 0) return [repo.workingParentRev(), WDIR];
  const l = revRange(repo, revs);
  if (l.length === 0) throw new InputError('empty revision range');
  const first = l[0]!;
  const second = l[l.length - 1]!;
  if (first === second && revs.length >= 2 && !revs.every((r) => revRange(repo, [r]).length > 0)) {
    throw new InputError('empty revision on one side of range');
  }
  if (first === second && revs.length === 1 && !isPairSpec(revs[0]!)) return [first, WDIR];
  return [first, second];
}

/** hg's logcmdutil.revsingle with default None: an empty spec is the working copy. */
function revOrWdir(repo: Repository, spec: string | undefined): Side {
  if (spec === undefined || spec === '') return WDIR;
  return revSingle(repo, spec);
}

/** hg's diffallopts from the command line (no configuration). */
function diffOptions(ctx: CommandContext): DiffOptions {
  const { opts } = ctx;
  const o: DiffOptions = { ...DEFAULT_DIFF_OPTIONS };
  const unified = optString(opts, 'unified');
  if (unified !== undefined && unified !== '') {
    const t = unified.trim();
    if (!/^[+-]?\d+$/.test(t)) throw new InputError(`diff context lines count must be an integer, not '${unified}'`);
    o.context = parseInt(t, 10);
  }
  o.text = optBool(opts, 'text');
  o.git = optBool(opts, 'git');
  o.nodates = optBool(opts, 'nodates');
  o.noprefix = optBool(opts, 'noprefix');
  o.showfunc = optBool(opts, 'show-function');
  o.ignorews = optBool(opts, 'ignore-all-space');
  o.ignorewsamount = optBool(opts, 'ignore-space-change');
  o.ignoreblanklines = optBool(opts, 'ignore-blank-lines');
  o.ignorewseol = optBool(opts, 'ignore-space-at-eol');
  // --binary / --no-binary
  const binary = opts['binary'];
  o.nobinary = binary === false;
  return o;
}

/** The --stat width: 80 under HGPLAIN, else hg's ui.termwidth() (COLUMNS, then the terminal, then 80). */
function termWidth(ctx: CommandContext): number {
  const env = ctx.env;
  if (env['HGPLAIN'] !== undefined || env['HGPLAINEXCEPT'] !== undefined) return 80;
  const columns = env['COLUMNS'];
  if (columns !== undefined && /^\s*[+-]?\d+\s*$/.test(columns)) return parseInt(columns, 10);
  for (const stream of [process.stderr, process.stdout]) {
    if (stream.isTTY && stream.columns > 0 && stream.rows > 0) return stream.columns;
  }
  return 80;
}

function manifestOf(mf: RevManifests, rev: Rev): Manifest {
  return rev === NULL_REV ? LazyManifest.empty() : mf.get(rev);
}

const NEVER_IGNORED: IgnoreMatcher = Object.assign(() => false, { never: true, source: '(?!)' });

/** The working copy's state, read once per command. */
class WorkingCopy {
  readonly storage: NodeDirstateStorage;
  readonly loaded: LoadedDirstate;
  readonly fs: NodeWorkingFs;
  readonly p1: Rev;

  constructor(readonly repo: Repository) {
    this.storage = new NodeDirstateStorage(repo.hgDir, repo.root);
    this.loaded = readDirstate(this.storage, repo.requirements);
    this.fs = new NodeWorkingFs(repo.root);
    const [p1] = this.loaded.map.parents();
    this.p1 = isNullNode(p1) ? NULL_REV : repo.changelog.rev(p1);
  }

  /** hg's workingctx status against p1 (and the dirstate fixups it records). */
  status(matcher: Matcher, mf: RevManifests, onBad: (path: string, msg: string, kind: BadKind) => void): StatusLists {
    const map = this.loaded.map;
    const ws = workingStatus({
      map,
      fs: this.fs,
      matcher,
      ignore: NEVER_IGNORED,
      listClean: false,
      listUnknown: false,
      listIgnored: false,
      onBad,
      repo: this.repo,
      p1: () => manifestOf(mf, this.p1),
      mtimeBoundary: this.storage.fsNow(),
    });
    writeBackFixups(this.storage, map, this.loaded.identity, ws.fixup, () => writeDirstate(this.storage, this.loaded));
    return ws;
  }
}

/** The status of `s2` relative to `s1` (hg's ctx1.status(ctx2)): modified, added, removed. */
function statusBetween(
  repo: Repository,
  s1: Side,
  s2: Side,
  matcher: Matcher,
  mf: RevManifests,
  wc: () => WorkingCopy,
  onBad: (path: string, msg: string, kind: BadKind, other: Manifest | undefined) => void,
): DiffChanges {
  const match = matcher.always ? undefined : (p: string) => matcher.matches(p);
  if (s1 !== WDIR && s2 !== WDIR) {
    const st = statusBetweenRevs(repo, s1, s2, { match, roots: matcher.matchRoots, visit: matcher.visitChildrenSet, manifests: mf });
    return { modified: st.modified.map((p) => latin1(p)), added: st.added.map((p) => latin1(p)), removed: st.removed.map((p) => latin1(p)) };
  }
  if (s1 === WDIR && s2 === WDIR) return { modified: [], added: [], removed: [] };
  const w = wc();
  const rev = s1 === WDIR ? (s2 as Rev) : s1;
  // workingctx._matchstatus: against another revision, paths it knows are not reported
  const other = rev !== w.p1 ? manifestOf(mf, rev) : undefined;
  let st = w.status(matcher, mf, (path, msg, kind) => onBad(path, msg, kind, other));
  if (other) {
    st = statusAgainstRev({
      repo,
      fs: w.fs,
      wd: st,
      p1: manifestOf(mf, w.p1),
      other,
      matcher,
      listClean: false,
    });
  }
  // the working copy on the left: added and removed swap
  if (s1 === WDIR) return { modified: st.modified, added: st.removed, removed: st.added };
  return { modified: st.modified, added: st.added, removed: st.removed };
}

export async function run(ctx: CommandContext): Promise<number> {
  const { ui, opts } = ctx;
  const revs = optList(opts, 'rev');
  const change = optString(opts, 'change');
  const fromRev = optString(opts, 'from');
  const toRev = optString(opts, 'to');
  if (revs.length > 0 && change) throw new InputError('cannot specify both --rev and --change');
  for (const o of ['from', 'to'] as const) {
    const v = o === 'from' ? fromRev : toRev;
    if (!v) continue;
    if (revs.length > 0) throw new InputError(`cannot specify both --${o} and --rev`);
    if (change) throw new InputError(`cannot specify both --${o} and --change`);
  }
  // -S/--subrepos: hgkit has no subrepositories to recurse into (as hg without .hgsub)
  const repo = ctx.repo();

  let s1: Side;
  let s2: Side;
  if (change) {
    s2 = revSingle(repo, change);
    s1 = s2 === NULL_REV ? NULL_REV : repo.changelog.parentRevs(s2)[0];
  } else if (fromRev || toRev) {
    s1 = revOrWdir(repo, fromRev);
    s2 = revOrWdir(repo, toRev);
  } else {
    [s1, s2] = revPair(repo, revs);
  }
  if (optBool(opts, 'reverse')) [s1, s2] = [s2, s1];

  const diffOpts = diffOptions(ctx);
  const stat = optBool(opts, 'stat');

  let wcCache: WorkingCopy | undefined;
  const wc = (): WorkingCopy => (wcCache ??= new WorkingCopy(repo));
  // hg's patch.diff: two null revisions mean the working copy's parent against null
  if (s1 === NULL_REV && s2 === NULL_REV) s1 = wc().p1;

  const root = latin1(utf8(repo.root));
  const cwdL = repoCwd(root, latin1(utf8(ctx.cwd)));
  const rel = (p: string): string => pathTo(root, cwdL, p);
  const matcher = buildMatcher({
    cwdRel: '',
    patterns: rootedPatterns(root, cwdL, ctx.args, 'relpath'),
    include: rootedPatterns(root, cwdL, optList(opts, 'include'), 'glob'),
    exclude: rootedPatterns(root, cwdL, optList(opts, 'exclude'), 'glob'),
  });

  // --root: only files below it, shown relative to it
  let relroot = '';
  const rootArg = optString(opts, 'root');
  if (rootArg) relroot = canonPath(root, cwdL, latin1(utf8(rootArg)));
  // (hg intersects the matcher with `path:<relroot>/`, and keeps only copies from inside it)
  let inRoot: ((p: string) => boolean) | undefined;
  let pathfn: ((p: string) => string) | undefined;
  if (relroot !== '') {
    const prefix = relroot + '/';
    for (const f of matcher.files) {
      if (!f.startsWith(prefix)) ui.warn(fromLatin1(`warning: ${rel(f)} not inside relative root ${rel(relroot)}\n`));
    }
    inRoot = (p: string): boolean => p.startsWith(prefix);
    pathfn = (p: string) => p.slice(prefix.length);
  }

  const mf = new RevManifests(repo);
  const onBad = (path: string, msg: string, kind: BadKind, other: Manifest | undefined): void => {
    // as status-working.ts reports them (hg's match.bad through uipathfn)
    const f = kind === 'dir' ? rel(path) : path;
    if (other && (other.has(fromLatin1(f)) || other.hasDir(fromLatin1(f)))) return;
    ui.warn(fromLatin1(`${rel(f)}: ${msg}\n`));
  };
  let changes = statusBetween(repo, s1, s2, matcher, mf, wc, onBad);
  if (inRoot) {
    const keep = inRoot;
    changes = { modified: changes.modified.filter(keep), added: changes.added.filter(keep), removed: changes.removed.filter(keep) };
  }

  let copies = new Map<string, string>();
  if (diffOpts.git) {
    let match = matcher.always ? undefined : (p: string) => matcher.matches(p);
    if (inRoot) {
      const keep = inRoot;
      const m = match;
      match = m ? (p: string) => keep(p) && m(p) : keep;
    }
    if (s1 === WDIR || s2 === WDIR) {
      const w = wc();
      copies = pathCopiesWdir({ repo, map: w.loaded.map, p1: w.p1, manifests: mf }, s1, s2, match);
    } else if (s1 !== s2 && s1 !== NULL_REV && s2 !== NULL_REV) {
      copies = pathCopies(repo, s1, s2, { match, manifests: mf });
    }
    if (inRoot) for (const [dst, src] of [...copies]) if (!inRoot(src)) copies.delete(dst);
  }

  const sideCtx = (s: Side): DiffCtx => {
    if (s === WDIR) {
      const now = Date.now() / 1000;
      const tz = new Date().getTimezoneOffset() * 60;
      return new WorkingDiffCtx(wc().fs, wc().loaded.map, datestr(Math.floor(now), tz), repo.root);
    }
    return revDiffCtx(repo, s, { formatDate: datestr, fullHashes: ui.debugFlag }, mf);
  };
  const ctx1 = sideCtx(s1);
  const ctx2 = sideCtx(s2);

  if (stat) {
    const statOpts: DiffOptions = { ...diffOpts, context: 0, noprefix: false };
    const sink = new ByteSink(1 << 16);
    for (const chunk of diffChunks(tryDiff(ctx1, ctx2, changes, copies, statOpts, { pathfn }))) sink.bytes(chunk);
    ui.write(fromLatin1(diffStat(sink.view(), termWidth(ctx), ui.encoding)));
    return 0;
  }
  for (const chunk of diffChunks(tryDiff(ctx1, ctx2, changes, copies, diffOpts, { pathfn }))) ui.write(chunk);
  return 0;
}


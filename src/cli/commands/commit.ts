// hg commit / ci: commands._docommit, cmdutil.commit, localrepo.commit's
// working-copy part (status, checkcommitpatterns, addremove for -A) and
// cmdutil.commitstatus, over the dirstate. The commit itself is
// src/store/commit.ts (commitWorkingCopy); this module is the adapter that
// gives it the working copy (WorkingCopy over DirstateMap + the file system).
import type { Manifest } from '../../manifest/manifest.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommandContext } from '../context.js';
import { optBool, optList, optString } from '../context.js';
import type { Ui } from '../ui.js';
import { AbortError, CanceledError, InputError, StateError } from '../../core/errors.js';
import { bytesEqual, concatBytes, decodeUtf8, fromLatin1, latin1, utf8 } from '../../core/bytes.js';
import { NULL_NODE, NULL_REV, type Node, type Rev, isNullNode, nodeHex, shortHex } from '../../core/node.js';
import type { Repository } from '../../store/repo.js';
import { lockStore, lockWorkingCopy } from '../../store/transaction.js';
import { parseDate, type HgDate } from '../../store/commit-date.js';
import {
  commitWorkingCopy,
  stripBytes,
  type CommitResult,
  type EditorRequest,
  type CommitWorkingCopy,
} from '../../store/commit.js';
import { SECRET } from '../../store/phases.js';
import { branchOf as changesetBranch, isClosed } from '../../changelog/changeset.js';
import type { ManifestFlag } from '../../manifest/lazy-manifest.js';
import { LazyManifest } from '../../manifest/lazy-manifest.js';
import { buildMatcher, type Matcher } from '../../dirstate/matcher.js';
import { type DirstateMap } from '../../dirstate/dirstate-map.js';
import { readDirstate, writeDirstate, type LoadedDirstate } from '../../dirstate/dirstate-file.js';
import { encodeDirstateV1 } from '../../dirstate/dirstate-v1.js';
import { NodeDirstateStorage, NodeWorkingFs, strerrorOf } from '../../dirstate/node-fs.js';
import { PathAuditor, diskFlags, readWorkingFile, workingStatus, type WorkingStatus } from '../../dirstate/status.js';
import { WorkingFsError } from '../../dirstate/working-fs.js';
import { pathTo, repoCwd, rootedPatterns } from '../pathutil.js';
import { NodeWorkingWriter } from '../track-cli.js';
import { addRemove as trackAddRemove, type WorkingCopy as TrackWorkingCopy } from '../../store/working-copy.js';
import { lazyIgnore } from '../working-ignore.js';

const DEFAULT = utf8('default');

// ---------------------------------------------------------------------------
// Small helpers shared with branch/branches/parents

/** The working copy's branch: `.hg/branch` stripped, `default` when absent or empty (UTF-8 bytes). */
export function workingBranch(repo: Repository): Uint8Array {
  const b = repo.readHgFile('branch');
  if (!b) return DEFAULT;
  const s = stripBytes(b);
  return s.length ? s : DEFAULT;
}

/** A changeset's branch (bytes). */
export function revBranch(repo: Repository, rev: Rev): Uint8Array {
  if (rev === NULL_REV) return DEFAULT;
  return changesetBranch(repo.changelog.read(rev));
}

/** hg's repo.branchheads(branch, closed): heads of a named branch, newest first. */
export function branchHeads(repo: Repository, branch: Uint8Array, closed = false): Rev[] {
  const bi = repo.names.branches().get(decodeUtf8(branch));
  if (!bi) return [];
  return bi.heads.filter((h) => closed || !bi.closed.has(h)).reverse();
}


/** Python's re-free `(?m)^HG:.*(\n|$)` removal: lines starting with `HG:` go, with their newline. */
function stripHgLines(text: string): string {
  let out = '';
  let s = 0;
  while (s <= text.length) {
    const nl = text.indexOf('\n', s);
    const e = nl < 0 ? text.length : nl + 1;
    const line = text.slice(s, e);
    if (!line.startsWith('HG:')) out += line;
    if (nl < 0) break;
    s = e;
  }
  return out;
}

const LINE_BELOW = /^HG: ------------------------ >8 ------------------------$/m;

/** hg's ui.geteditor (without a config layer: HGEDITOR, then $VISUAL/$EDITOR as hg's env config, then vi). */
function editorCommand(env: NodeJS.ProcessEnv): string {
  return env['HGEDITOR'] || env['VISUAL'] || env['EDITOR'] || 'vi';
}

/** procutil.explainexit. */
function explainExit(status: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by signal ${os.constants.signals[signal] ?? signal}`;
  return `exited with status ${status}`;
}

/** hg's cmdutil.buildcommittext. */
function buildCommitText(ui: Ui, req: EditorRequest): Uint8Array {
  const lines: Uint8Array[] = [];
  const hg = (s: string | Uint8Array): Uint8Array => concatBytes([utf8('HG: '), typeof s === 'string' ? utf8(s) : s]);
  if (req.text.length) lines.push(req.text);
  lines.push(new Uint8Array(0), new Uint8Array(0));
  lines.push(hg("Enter commit message.  Lines beginning with 'HG:' are removed."));
  lines.push(hg('Leave message empty to abort commit.'));
  lines.push(utf8('HG: --'));
  lines.push(hg(concatBytes([utf8('user: '), ui.toLocal(req.user)])));
  if (req.merge) lines.push(hg('branch merge'));
  lines.push(hg(concatBytes([utf8("branch '"), ui.toLocal(req.branch), utf8("'")])));
  for (const f of req.added) lines.push(hg(concatBytes([utf8('added '), f])));
  for (const f of req.modified) lines.push(hg(concatBytes([utf8('changed '), f])));
  for (const f of req.removed) lines.push(hg(concatBytes([utf8('removed '), f])));
  if (!req.added.length && !req.modified.length && !req.removed.length) lines.push(hg('no files changed'));
  lines.push(new Uint8Array(0));
  const parts: Uint8Array[] = [];
  lines.forEach((l, i) => {
    if (i) parts.push(utf8('\n'));
    parts.push(l);
  });
  return concatBytes(parts);
}

/** hg's commitforceeditor: ui.edit, then the HG: lines removed; "empty commit message" when nothing is left. */
async function runEditor(ctx: CommandContext, repo: Repository, req: EditorRequest): Promise<Uint8Array> {
  // loaded only when an editor runs: start-up of every commit stays smaller
  const { spawnSync } = await import('node:child_process');
  const committext = buildCommitText(ctx.ui, req);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hg-editor-'));
  const name = path.join(dir, 'msg.commit.hg.txt');
  try {
    fs.writeFileSync(name, committext);
    const editor = editorCommand(ctx.env);
    const env: NodeJS.ProcessEnv = { ...ctx.env, HGUSER: decodeUtf8(req.user), HGEDITFORM: req.merge ? 'commit.merge' : 'commit.normal' };
    ctx.ui.flush();
    const r = spawnSync('/bin/sh', ['-c', `${editor} "${name}"`], { cwd: repo.root, env, stdio: 'inherit' });
    if (r.error || r.status !== 0) {
      const first = editor.trim().split(/\s+/)[0] ?? editor;
      throw new CanceledError(`edit failed: ${first} ${explainExit(r.status, r.signal)}`);
    }
    let text = latin1(fs.readFileSync(name));
    const below = LINE_BELOW.exec(text);
    if (below) text = text.slice(0, below.index);
    text = stripHgLines(text);
    const bytes = fromLatin1(text);
    if (stripBytes(bytes).length === 0) throw new InputError('empty commit message');
    return bytes;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * hg's ui.username(): HGUSER, (ui.username: there is no config layer), EMAIL,
 * else `user@fqdn` (computed beforehand by fallbackUsername) with hg's warning.
 */
function username(ui: Ui, env: NodeJS.ProcessEnv, fallback: string | undefined): Uint8Array {
  const u = env['HGUSER'] ?? env['EMAIL'] ?? fallback;
  if (u !== undefined && u === fallback && env['HGUSER'] === undefined && env['EMAIL'] === undefined) {
    ui.warn(`no username found, using '${u}' instead\n`);
  }
  if (!u) throw new AbortError('no username supplied', { hint: "use 'hg config --edit' to set your username" });
  if (u.includes('\n')) throw new AbortError(`username ${JSON.stringify(u)} contains a newline\n`);
  return utf8(u);
}

/** procutil.getuser() + '@' + socket.getfqdn(). */
async function fallbackUsername(): Promise<string> {
  let user = process.env['LOGNAME'] || process.env['USER'] || process.env['LNAME'] || process.env['USERNAME'];
  if (!user) {
    try {
      user = os.userInfo().username;
    } catch {
      user = '';
    }
  }
  return `${user}@${await fqdn()}`;
}

/** socket.getfqdn(): the host name as the resolver names it (reverse lookup of its address). */
async function fqdn(): Promise<string> {
  const host = os.hostname();
  try {
    const dns = await import('node:dns');
    const lookup = (async () => {
      const { address } = await dns.promises.lookup(host);
      const { hostname } = await dns.promises.lookupService(address, 0);
      return hostname || host;
    })();
    // a resolver that does not answer must not hang the commit
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(host), 2000);
    });
    try {
      return await Promise.race([lookup, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } catch {
    return host;
  }
}


/** cmdutil.checkunfinished(repo, commit=True) for the states hg knows without extensions. */
export function checkUnfinished(repo: Repository): void {
  const has = (f: string): boolean => repo.vfs.exists(repo.hgDir + '/' + f);
  if (has('shelvedstate')) throw new StateError('unshelve already in progress', { hint: "use 'hg unshelve --continue' or 'hg unshelve --abort'" });
  if (has('graftstate')) throw new StateError('graft in progress', { hint: "use 'hg graft --continue' or 'hg graft --stop' to stop" });
  if (has('updatestate')) throw new StateError('last update was interrupted', { hint: "use 'hg update' to get a consistent checkout" });
}

/** cmdutil.logmessage: -m or -l (the file's lines joined with \n; `-` reads stdin). */
function logMessage(ctx: CommandContext): Uint8Array | undefined {
  const message = optString(ctx.opts, 'message');
  const logfile = optString(ctx.opts, 'logfile');
  if (message && logfile) throw new InputError('cannot specify both --message and --logfile');
  if (message) return utf8(message);
  if (!logfile) return message === undefined ? undefined : utf8(message);
  let data: Uint8Array;
  try {
    if (logfile === '-') return fs.readFileSync(0);
    data = fs.readFileSync(path.resolve(ctx.cwd, logfile));
  } catch (e) {
    throw new AbortError(`can't read commit message '${logfile}': ${strerrorOf(e)}`);
  }
  // b'\n'.join(data.splitlines())
  const s = latin1(data);
  const lines = s.split(/\r\n|\r|\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return fromLatin1(lines.join('\n'));
}

// ---------------------------------------------------------------------------
// The working copy as the commit sees it

interface Working {
  map: DirstateMap;
  loaded: LoadedDirstate;
  storage: NodeDirstateStorage;
  wfs: NodeWorkingFs;
  p1Manifest: () => Manifest;
}

function openWorking(repo: Repository): Working {
  const storage = new NodeDirstateStorage(repo.hgDir, repo.root);
  const loaded = readDirstate(storage, repo.requirements);
  const map = loaded.map;
  const wfs = new NodeWorkingFs(repo.root);
  let m1: Manifest | undefined;
  const p1Manifest = (): Manifest => {
    if (!m1) {
      const [p1] = map.parents();
      m1 = isNullNode(p1) ? LazyManifest.empty() : repo.manifestLog.get(repo.changelog.read(repo.changelog.rev(p1)).manifest).read();
    }
    return m1;
  };
  return { map, loaded, storage, wfs, p1Manifest };
}

interface StatusOpts {
  matcher: Matcher;
  unknown?: boolean;
  /** hg's match.bad for commit: explicit paths that do not exist abort. */
  onBad: (path: string, msg: string) => void;
}

function status(repo: Repository, w: Working, o: StatusOpts): WorkingStatus {
  return workingStatus({
    map: w.map,
    fs: w.wfs,
    matcher: o.matcher,
    ignore: lazyIgnore(repo.root, () => {}),
    listUnknown: !!o.unknown,
    onBad: (p, msg) => o.onBad(p, msg),
    repo,
    p1: w.p1Manifest,
    mtimeBoundary: w.storage.fsNow(),
  });
}

/** The CommitWorkingCopy commitWorkingCopy needs, over the dirstate and the files. */
function workingCopy(repo: Repository, w: Working, st: WorkingStatus, branch: Uint8Array): CommitWorkingCopy {
  const map = w.map;
  const auditor = new PathAuditor(w.wfs);
  const toBytes = (l: readonly string[]): Uint8Array[] => l.map(fromLatin1);
  const modified = toBytes(st.modified);
  const added = toBytes(st.added);
  const removed = toBytes(st.removed);
  const deleted = toBytes(st.deleted);
  const lstat = (p: Uint8Array): number | undefined => {
    const s = w.wfs.lstat(latin1(p));
    return s === undefined ? undefined : s.mode;
  };
  return {
    parents: map.parents() as [Node, Node],
    branch,
    modified,
    added,
    removed,
    deleted,
    data(p) {
      const f = latin1(p);
      const mode = lstat(p);
      if (mode === undefined) throw new AbortError(`No such file or directory: '${decodeUtf8(p)}'`);
      return readWorkingFile(w.wfs, f, mode, auditor);
    },
    flags(p) {
      try {
        const mode = lstat(p);
        return (mode === undefined ? '' : diskFlags(mode)) as ManifestFlag;
      } catch (e) {
        if (e instanceof WorkingFsError) return '';
        throw e;
      }
    },
    copySource: (p) => map.copySource(p),
    markCommitted(node: Node) {
      for (const f of [...modified, ...added]) map.resetState(f, { wcTracked: true, p1Tracked: true });
      for (const f of removed) map.resetState(f, {});
      map.setParents(node, NULL_NODE, map.inMerge);
    },
    // v1: one file, written by the transaction; other formats through their codec after it
    ...(w.loaded.format === 'v1' ? { serialize: () => encodeDirstateV1(map) } : { write: () => writeDirstate(w.storage, w.loaded) }),
  };
}

/** localrepo.checkcommitpatterns. */
function checkCommitPatterns(repo: Repository, w: Working, matcher: Matcher, st: WorkingStatus): void {
  if (!(matcher.isExact || matcher.prefix)) return;
  const matched = new Set([...st.modified, ...st.added, ...st.removed]);
  const deleted = new Set(st.deleted);
  const fail = (f: string, msg: string): never => {
    throw new InputError(`${decodeUtf8(fromLatin1(f))}: ${msg}`);
  };
  for (const f of matcher.files) {
    if (f === '' || f === '.' || matched.has(f)) continue;
    if (deleted.has(f)) fail(f, 'file not found!');
    if (w.wfs.isDir(f) || w.p1Manifest().hasDir(fromLatin1(f))) {
      const d = f + '/';
      let found = false;
      for (const mf of matched) {
        if (mf.startsWith(d)) {
          found = true;
          break;
        }
      }
      if (!found) fail(f, 'no match under directory!');
    } else if (!w.map.has(fromLatin1(f))) {
      fail(f, 'file not tracked!');
    }
  }
}

/**
 * scmutil.addremove for commit -A, with the tracking commands' implementation
 * (src/store/working-copy.ts) over this command's dirstate: unknown files
 * added, missing ones removed, hg's messages. False when an explicitly named
 * path was rejected.
 */
function addRemove(ctx: CommandContext, repo: Repository, w: Working, matcher: Matcher, root: string, cwd: string, explicit: boolean, show: (f: string) => string): boolean {
  const { ui } = ctx;
  const wc: TrackWorkingCopy = {
    repo,
    map: w.map,
    fs: w.wfs,
    writer: new NodeWorkingWriter(repo.root),
    ignore: lazyIgnore(repo.root, (m) => ui.warn(m)),
    root,
    cwd,
    report: {
      status: (m) => ui.status(fromLatin1(m)),
      warn: (m) => ui.warn(fromLatin1(m)),
    },
    verbose: ui.verbose,
    quiet: ui.quiet,
    fsNow: () => w.storage.fsNow(),
  };
  // hg's match.files(): nothing for an always-matcher, else the pattern roots
  const files = matcher.always || !explicit ? [] : [...(matcher.walkRoots ?? matcher.files)];
  return trackAddRemove(wc, { matcher, files }, { similarity: 0, display: show }) === 0;
}

// ---------------------------------------------------------------------------

/** The dirstate's parents from its first 40 bytes (v1; Repository.dirstateParents reads the whole file). */
function dirstateParents(repo: Repository): [Node, Node] {
  if (repo.requirements.has('dirstate-v2')) return repo.dirstateParents();
  let fd: number;
  try {
    fd = fs.openSync(path.join(repo.hgDir, 'dirstate'), 'r');
  } catch {
    return [NULL_NODE, NULL_NODE];
  }
  try {
    const buf = new Uint8Array(40);
    const n = fs.readSync(fd, buf, 0, 40, 0);
    if (n === 0) return [NULL_NODE, NULL_NODE];
    if (n < 40) throw new AbortError('working directory state appears damaged!');
    return [buf.slice(0, 20), buf.slice(20, 40)];
  } finally {
    fs.closeSync(fd);
  }
}

/** Is `rev` an open head of its own branch? (no child on the same branch, not closed) */
function isOpenBranchHead(repo: Repository, rev: Rev): boolean {
  if (rev === NULL_REV) return false;
  const cl = repo.changelog;
  const cs = cl.read(rev);
  if (isClosed(cs)) return false;
  const branch = changesetBranch(cs);
  for (let r = rev + 1; r < cl.length; r++) {
    const [a, b] = cl.parentRevs(r);
    if ((a === rev || b === rev) && bytesEqual(revBranch(repo, r), branch)) return false;
  }
  return true;
}

export async function run(ctx: CommandContext): Promise<number> {
  const { ui, opts } = ctx;
  for (const [name, label] of [
    ['amend', '--amend'],
    ['interactive', '--interactive'],
    ['subrepos', '--subrepos'],
  ] as const) {
    if (optBool(opts, name)) throw new AbortError(`commit ${label} is not supported by hgkit yet`);
  }
  const repo = ctx.repo();
  // hg's commit takes both locks before reading anything (commands.commit), so
  // that a commit that waited for another one sees the repository it left.
  const lockWarn = (m: string): void => ui.warn(m);
  const wlock = await lockWorkingCopy(repo, { onWarn: lockWarn });
  let lock: Awaited<ReturnType<typeof lockStore>>;
  try {
    lock = await lockStore(repo, { onWarn: lockWarn });
  } catch (e) {
    wlock.release();
    throw e;
  }
  try {
  checkUnfinished(repo);

  const cl = repo.changelog;
  const [dp1, dp2] = dirstateParents(repo);
  const p1Rev = isNullNode(dp1) ? NULL_REV : cl.rev(dp1);
  const branch = workingBranch(repo);
  const tipBefore = cl.length - 1;
  const closeBranch = optBool(opts, 'close-branch') || optBool(opts, 'force-close-branch');
  const root = latin1(utf8(repo.root));
  const cwdRel = repoCwd(root, latin1(utf8(ctx.cwd)));
  /** hg's uipathfn with relative paths: a repo path as seen from the cwd. */
  const rel = (f: string): string => pathTo(root, cwdRel, f);
  const pats = ctx.args;
  const include = optList(opts, 'include');
  const exclude = optList(opts, 'exclude');
  // scmutil.match: cwd-relative patterns rooted first (paths outside the repository abort)
  const makeMatcher = (): Matcher =>
    buildMatcher({
      cwdRel: '',
      patterns: rootedPatterns(root, cwdRel, pats, 'relpath'),
      include: rootedPatterns(root, cwdRel, include, 'glob'),
      exclude: rootedPatterns(root, cwdRel, exclude, 'glob'),
    });

  const extra = new Map<string, Uint8Array>();
  // bheads are needed only for --close-branch and "created new head"
  let bheadsCache: Rev[] | undefined;
  const bheads = (): Rev[] => (bheadsCache ??= branchHeads(repo, branch));
  if (closeBranch) {
    extra.set('close', utf8('1'));
    let heads: Rev[];
    if (p1Rev !== NULL_REV && isClosed(cl.read(p1Rev))) {
      const w = openWorking(repo);
      const st = status(repo, w, { matcher: makeMatcher(), onBad: (p, msg) => ui.warn(fromLatin1(`${p}: ${msg}\n`)) });
      if (st.modified.length || st.added.length || st.removed.length) heads = branchHeads(repo, branch, true);
      else throw new InputError('current revision is already a branch closing head');
    } else heads = bheads();
    if (heads.length === 0) throw new InputError(`branch "${decodeUtf8(branch)}" has no heads to close`);
    if (bytesEqual(branch, revBranch(repo, p1Rev)) && !heads.includes(p1Rev) && !optBool(opts, 'force-close-branch')) {
      throw new InputError('can only close branch heads', { hint: 'use --force-close-branch to close branch from a non-head changeset' });
    }
  }

  // cmdutil.commit
  const dateOpt = optString(opts, 'date');
  const date: HgDate | undefined = dateOpt ? parseDate(dateOpt) : undefined;
  const message = logMessage(ctx) ?? new Uint8Array(0);
  const matcher = makeMatcher();
  const userOpt = optString(opts, 'user');

  // "created new head" needs the heads as they were before the commit
  const parentRevs = [dp1, dp2].filter((p) => !isNullNode(p)).map((p) => cl.rev(p));
  const parentWasHead = parentRevs.some((r) => bytesEqual(revBranch(repo, r), branch) && isOpenBranchHead(repo, r));
  // ui.username's fallback needs a resolver lookup: done now, reported only if used
  let fallbackUser: string | undefined;
  if (!userOpt && ctx.env['HGUSER'] === undefined && ctx.env['EMAIL'] === undefined) fallbackUser = await fallbackUsername();

  let result: CommitResult | undefined;
  let deletedCount = 0;
  try {
    try {
      const w = openWorking(repo);
      if (optBool(opts, 'addremove')) {
        const relative = pats.length > 0 || include.length > 0 || exclude.length > 0;
        if (!addRemove(ctx, repo, w, matcher, root, cwdRel, pats.length > 0, relative ? rel : (f) => f)) {
          throw new AbortError('failed to mark all new/missing files as added/removed');
        }
      }
      const st = status(repo, w, {
        matcher,
        onBad: (p, msg) => {
          throw new InputError(`${decodeUtf8(fromLatin1(p))}: ${msg}`);
        },
      });
      for (const f of st.fixup) w.map.setCleanRow(f.row, w.map.rows.path(f.row), f.mode, f.size, f.mtime);
      checkCommitPatterns(repo, w, matcher, st);
      const wc = workingCopy(repo, w, st, branch);
      deletedCount = st.deleted.length;
      result = await commitWorkingCopy(repo, wc, {
        text: message,
        user: userOpt ? utf8(userOpt) : undefined,
        username: () => username(ui, ctx.env, fallbackUser),
        date,
        extra,
        phase: optBool(opts, 'secret') ? SECRET : undefined,
        partial: !matcher.always,
        forceEditor: optBool(opts, 'edit'),
        editor: (req) => runEditor(ctx, repo, req),
        messagePath: rel('.hg/last-message.txt'),
        removeTree: (p) => fs.rmSync(p, { recursive: true, force: true }),
        report: {
          note: (m) => ui.note(m),
          debug: (m) => ui.debug(m),
          warn: (m) => ui.warn(m),
          status: (m) => ui.write(m),
        },
      });
      if (!result && (w.map.dirty || st.fixup.length > 0)) {
        // nothing committed: keep what addremove and the status learnt (hg writes at wlock release)
        writeDirstate(w.storage, w.loaded);
      }
    } finally {
      lock.release();
    }
  } finally {
    wlock.release();
  }

  if (!result) {
    if (deletedCount) ui.status(`nothing changed (${deletedCount} missing files, see 'hg status')\n`);
    else ui.status('nothing changed\n');
    return 1;
  }
  commitStatus(ctx, repo, result, branch, tipBefore, closeBranch, parentRevs, parentWasHead);
  return 0;
  } finally {
    lock.release();
    wlock.release();
  }
}

/** cmdutil.commitstatus. */
function commitStatus(
  ctx: CommandContext,
  repo: Repository,
  result: CommitResult,
  branch: Uint8Array,
  tipBefore: Rev,
  closeBranch: boolean,
  parentRevs: readonly Rev[],
  parentWasHead: boolean,
): void {
  const { ui } = ctx;
  const cl = repo.changelog;
  if (cl.length - 1 === tipBefore) {
    ui.warn('warning: commit already existed in the repository!\n');
  } else if (!parentWasHead) {
    // "created new head": the branch had (open) heads and no parent was one of them;
    // the heads before the commit are the heads now, without the new changeset
    const heads = branchHeads(repo, branch).filter((r) => r !== result.rev);
    if (heads.length > 0) ui.status('created new head\n');
  }
  if (!closeBranch) {
    for (const r of parentRevs) {
      if (isClosed(cl.read(r)) && bytesEqual(revBranch(repo, r), branch)) ui.status(`reopening closed branch head ${r}\n`);
    }
  }
  if (ui.debugFlag) ui.write(`committed changeset ${result.rev}:${nodeHex(result.node)}\n`);
  else if (ui.verbose) ui.write(`committed changeset ${result.rev}:${shortHex(result.node)}\n`);
}


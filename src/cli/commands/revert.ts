// hg revert: commands.revert, cmdutil.revert and _performrevert — files
// brought back to their state in the working copy's parent or `-r REV`:
// "reverting", "adding", "removing", "undeleting", "forgetting" as hg
// classifies each file (status against the target and against the
// dirstate), `.orig` backups of local changes (`-C/--no-backup`), `-n`,
// `-a`, `-d DATE`, -I/-X. Copy records of files brought back are restored
// from the target's copies.
import type { Manifest } from '../../manifest/manifest.js';
import type { CommandContext } from '../context.js';
import { optBool, optList, optString } from '../context.js';
import { AbortError, InputError } from '../../core/errors.js';
import { decodeUtf8, fromLatin1, latin1 } from '../../core/bytes.js';
import { NULL_REV, type Rev, shortHex } from '../../core/node.js';
import { revSingle } from '../../store/revset.js';
import { lockWorkingCopy } from '../../store/transaction.js';
import { pathCopies } from '../../store/copies.js';
import { backupPath, readWorkingData, writeWorkingFile } from '../../store/update.js';
import { buildMatcher, type Matcher } from '../../dirstate/matcher.js';
import { type StatusLists, statusAgainstRev } from '../../dirstate/status.js';
import { LazyManifest } from '../../manifest/lazy-manifest.js';
import { type OpenedWorkingCopy, mergeUi, openWorkingCopy, workingCopyStatus } from '../merge-cli.js';
import { findDate } from '../merge-date.js';
import { cwdRelative } from './util.js';

/** hg's util.pathto for the cwd (relative display of revert's paths). */
function pathTo(cwdRel: string, f: string): string {
  if (cwdRel === '') return f;
  const a = cwdRel.split('/');
  const b = f.split('/');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...new Array<string>(a.length - i).fill('..'), ...b.slice(i)].join('/') || '.';
}

/** scmutil.matchfiles: exactly these files (latin1 paths). */
function matchFiles(files: Iterable<string>): Matcher {
  const list = [...files];
  if (list.length === 0) {
    const set = new Set<string>();
    return { matches: (p) => set.has(p), files: [], isExact: true, always: false, anyPats: false, walkRoots: [], matchRoots: [] };
  }
  return buildMatcher({ cwdRel: '', patterns: list.map((f) => 'filepath:' + decodeUtf8(fromLatin1(f))) });
}

function statusLists(s: StatusLists): string[][] {
  return [s.modified, s.added, s.removed, s.deleted, s.unknown, s.ignored, s.clean];
}

export async function run(ctx: CommandContext): Promise<number> {
  const { opts, args: pats } = ctx;
  const repo = ctx.repo();
  const ui = mergeUi(ctx);
  if (optBool(opts, 'interactive')) throw new AbortError('revert --interactive is not supported by hgkit');
  let rev = optString(opts, 'rev');
  const date = optString(opts, 'date');
  if (date) {
    if (rev) throw new InputError('cannot specify both --date and --rev');
    rev = String(findDate(ctx, repo, date));
  }
  const [dp1, dp2] = repo.dirstateParents();
  const hasP2 = !dp2.every((b) => b === 0);
  if (!rev && hasP2) throw new InputError('uncommitted merge with no revision specified', { hint: "use 'hg update' or see 'hg help revert'" });
  const target: Rev = revSingle(repo, rev);
  const include = optList(opts, 'include');
  const exclude = optList(opts, 'exclude');
  const all = optBool(opts, 'all');
  const cwdRel = cwdRelative(repo.root, ctx.cwd);
  const uipath = (f: string): string => pathTo(cwdRel, f);

  const wlock = await lockWorkingCopy(repo, { onWarn: (m) => ctx.ui.warn(m) });
  let w: OpenedWorkingCopy | undefined;
  try {
    w = openWorkingCopy(repo);
    const parent: Rev = dp1.every((b) => b === 0) ? NULL_REV : repo.changelog.rev(dp1);
    if (!(pats.length || include.length || exclude.length || all)) {
      const msg = 'no files or directories specified';
      if (hasP2) throw new InputError(msg, { hint: "uncommitted merge, use --all to discard all changes, or 'hg update -C .' to abort the merge" });
      const st = workingCopyStatus(w);
      const dirty = statusLists(st).some((l) => l.length > 0);
      let hint: string;
      if (target !== parent) {
        hint = dirty
          ? `uncommitted changes, use --all to discard all changes, or 'hg update ${target}' to update`
          : `use --all to revert all files, or 'hg update ${target}' to update`;
      } else if (dirty) hint = 'uncommitted changes, use --all to discard all changes';
      else hint = 'use --all to revert all files';
      throw new InputError(msg, { hint });
    }
    revert(ctx, w, ui, target, parent, hasP2 ? repo.changelog.rev(dp2) : NULL_REV, pats, include, exclude, uipath);
    w.save();
    return 0;
  } finally {
    try {
      w?.save();
    } finally {
      wlock.release();
    }
  }
}

type Ui = ReturnType<typeof mergeUi>;

function revert(
  ctx: CommandContext,
  w: OpenedWorkingCopy,
  ui: Ui,
  node: Rev,
  parentIn: Rev,
  p2: Rev,
  pats: string[],
  include: string[],
  exclude: string[],
  uipath: (f: string) => string,
): void {
  const repo = w.repo;
  const map = w.map;
  const dryRun = optBool(ctx.opts, 'dry-run');
  const noBackup = optBool(ctx.opts, 'no-backup');
  let parent = parentIn;
  if (node === p2) parent = p2;
  const mf = node === NULL_REV ? LazyManifest.empty() : w.mf.get(node);
  const pm = (r: Rev): Manifest => (r === NULL_REV ? LazyManifest.empty() : w.mf.get(r));
  const m = buildMatcher({ cwdRel: cwdRelative(repo.root, ctx.cwd), patterns: pats, include, exclude });
  const exact = new Set(m.always ? [] : m.files);
  const names = new Map<string, boolean>();
  let changes: StatusLists;
  const against = (wd: StatusLists, matcher: Matcher, listClean: boolean): StatusLists =>
    node === parentIn && parentIn !== p2
      ? wd
      : statusAgainstRev({ repo, fs: w.wfs, wd, p1: pm(parentIn), other: mf, matcher, listClean });
  if (!m.always) {
    // the working copy's walk (tracked and unknown files), silently
    const walked = workingCopyStatus(w, { matcher: m, unknown: true, clean: true });
    for (const l of statusLists(walked)) for (const f of l) names.set(f, exact.has(f));
    for (const f of exact) if (!names.has(f) && w.cfs.lexists(f) && !w.cfs.isDir(f)) names.set(f, true);
    // the target manifest's walk, reporting what is found nowhere
    const fset = new Set(m.files);
    for (const e of mf.entries()) {
      const f = latin1(e.path);
      fset.delete(f);
      if (m.matches(f) && !names.has(f)) names.set(f, exact.has(f));
    }
    fset.delete('');
    for (const f of [...fset].sort()) {
      if (mf.hasDir(fromLatin1(f))) continue;
      if (names.has(f)) continue;
      let under = false;
      for (const n of names.keys()) {
        if (n.startsWith(f + '/')) {
          under = true;
          break;
        }
      }
      if (!under) ui.warn(`${uipath(f)}: no such file in rev ${shortHex(repo.changelog.node(node))}\n`);
    }
    const mfiles = matchFiles(names.keys());
    const wd = workingCopyStatus(w, { matcher: mfiles, unknown: true, ignored: true, clean: true });
    changes = against(wd, mfiles, true);
  } else {
    const wd = workingCopyStatus(w);
    changes = against(wd, m, false);
    for (const l of statusLists(changes)) for (const f of l) names.set(f, false);
  }
  const mfiles = matchFiles(names.keys());

  let modified = new Set(changes.modified);
  let added = new Set(changes.added);
  let removed = new Set(changes.removed);
  const deletedAll = new Set(changes.deleted);
  const unknown = new Set([...changes.unknown, ...changes.ignored]);
  const clean = new Set(changes.clean);
  let modadded = new Set<string>();
  let dsmodified: Set<string>;
  let dsadded: Set<string>;
  let dsremoved: Set<string>;
  let localchanges: Set<string>;
  if (parent === node) {
    dsmodified = modified;
    dsadded = added;
    dsremoved = removed;
    localchanges = new Set([...dsmodified, ...dsadded]);
    modified = new Set();
    added = new Set();
    removed = new Set();
  } else {
    const ps = workingCopyStatus(w, { matcher: mfiles });
    dsmodified = new Set(ps.modified);
    dsadded = new Set(ps.added);
    dsremoved = new Set(ps.removed);
    localchanges = new Set([...dsmodified, ...dsadded]);
    for (const f of dsremoved) if (!removed.has(f)) clean.add(f);
    dsremoved = new Set([...dsremoved].filter((f) => removed.has(f)));
    removed = new Set([...removed].filter((f) => !dsremoved.has(f)));
    modadded = new Set([...added].filter((f) => dsmodified.has(f)));
    added = new Set([...added].filter((f) => !modadded.has(f)));
    const dm = new Set([...dsmodified].filter((f) => modified.has(f)));
    for (const f of modified) if (dsadded.has(f)) dm.add(f);
    dsmodified = dm;
    modified = new Set([...modified].filter((f) => !dsmodified.has(f)));
    dsadded = added;
  }
  if (p2 !== NULL_REV) {
    const mergeadd = new Set([...dsmodified].filter((f) => !mf.has(fromLatin1(f))));
    for (const f of mergeadd) {
      dsadded.add(f);
      dsmodified.delete(f);
    }
  }
  for (const f of localchanges) {
    const src = map.copySource(fromLatin1(f));
    if (src !== undefined) {
      const s = latin1(src);
      if (!names.has(s) && map.get(src)?.removed) {
        dsremoved.add(s);
        names.set(s, true);
      }
    }
  }
  const deladded = new Set([...deletedAll].filter((f) => !mf.has(fromLatin1(f))));
  const deleted = new Set([...deletedAll].filter((f) => !deladded.has(f)));
  const added2 = new Set<string>();
  for (const f of dsadded) if (!map.get(fromLatin1(f))?.added) added2.add(f);
  for (const f of added2) dsadded.delete(f);
  for (const f of deladded) if (map.get(fromLatin1(f))?.added) dsadded.add(f);
  for (const f of dsadded) deladded.delete(f);
  added = added2;

  const removunk = new Set([...removed].filter((f) => w!.cfs.lexists(f)));
  for (const f of removunk) removed.delete(f);
  const dsremovunk = new Set([...dsremoved].filter((f) => w!.cfs.lexists(f)));
  for (const f of dsremovunk) dsremoved.delete(f);

  type Action = 'revert' | 'add' | 'remove' | 'drop' | 'forget' | 'undelete' | 'noop' | 'unknown';
  const msgs: Record<Action, string> = {
    revert: 'reverting %s\n',
    add: 'adding %s\n',
    remove: 'removing %s\n',
    drop: 'removing %s\n',
    forget: 'forgetting %s\n',
    undelete: 'undeleting %s\n',
    noop: 'no changes needed to %s\n',
    unknown: 'file not managed: %s\n',
  };
  const lists: Record<Action, string[] | null> = { revert: [], add: [], remove: [], drop: [], forget: [], undelete: [], noop: null, unknown: null };
  const BACKUP = 2;
  const CHECK = 1;
  const DISCARD = 0;
  const backup = noBackup ? DISCARD : BACKUP;
  const check = noBackup ? DISCARD : CHECK;
  const backupanddel: Action = noBackup ? 'remove' : 'drop';
  const disptable: [Set<string>, Action, number][] = [
    [modified, 'revert', DISCARD],
    [deleted, 'revert', DISCARD],
    [dsmodified, 'revert', backup],
    [added, 'remove', DISCARD],
    [dsadded, 'forget', DISCARD],
    [modadded, backupanddel, backup],
    [deladded, 'drop', DISCARD],
    [removed, 'add', DISCARD],
    [removunk, 'add', check],
    [dsremoved, 'undelete', DISCARD],
    [dsremovunk, 'undelete', check],
    [clean, 'noop', DISCARD],
    [unknown, 'unknown', DISCARD],
  ];
  const targetData = (f: string): Uint8Array => {
    const e = mf.get(fromLatin1(f))!;
    const fl = repo.file(fromLatin1(f));
    return fl.read(fl.revlog.rev(e.node.subarray(0, 20)));
  };
  const fmt = (msg: string, f: string): string => msg.replace('%s', uipath(f));
  for (const abs of [...names.keys()].sort()) {
    const isExact = names.get(abs)!;
    for (const [table, action, dobackup] of disptable) {
      if (!table.has(abs)) continue;
      const xlist = lists[action];
      if (xlist !== null) {
        xlist.push(abs);
        if (dobackup) {
          let doit = backup <= dobackup;
          if (!doit) {
            // wctx[abs].cmp(ctx[abs])
            doit = mf.get(fromLatin1(abs)) === undefined || !bytesEq(readWorkingData(w.cfs, abs), targetData(abs));
          }
          if (doit) {
            const bak = backupPath(abs);
            ui.note(`saving current version of ${uipath(abs)} as ${uipath(bak)}\n`);
            if (!dryRun) w.cfs.rename(abs, bak);
          }
        }
        if (dryRun && (ui.verbose || !isExact)) ui.status(fmt(msgs[action], abs));
      } else if (isExact) ui.warn(fmt(msgs[action], abs));
      break;
    }
  }
  if (dryRun) return;

  // _performrevert
  const prnt = (action: Action, f: string): void => {
    if (ui.verbose || !names.get(f)) ui.status(fmt(msgs[action], f));
  };
  const checkout = (f: string): void => {
    const e = mf.get(fromLatin1(f))!;
    writeWorkingFile(w.cfs, f, targetData(f), e.flags);
  };
  const resetCopy = p2 === NULL_REV;
  const normal = (f: string): void => {
    map.setTracked(fromLatin1(f));
    if (resetCopy) map.setCopySource(fromLatin1(f), undefined);
  };
  for (const f of lists.forget!) {
    prnt('forget', f);
    map.setUntracked(fromLatin1(f));
  }
  for (const f of lists.remove!) {
    prnt('remove', f);
    try {
      w.cfs.unlink(f);
      const slash = f.lastIndexOf('/');
      if (slash > 0) w.cfs.removeDirs(f.slice(0, slash));
    } catch {
      // OSError ignored
    }
    map.setUntracked(fromLatin1(f));
  }
  for (const f of lists.drop!) {
    prnt('drop', f);
    map.setUntracked(fromLatin1(f));
  }
  for (const f of lists.revert!) {
    prnt('revert', f);
    checkout(f);
    normal(f);
  }
  for (const f of lists.add!) {
    prnt('add', f);
    checkout(f);
    map.setTracked(fromLatin1(f));
  }
  for (const f of lists.undelete!) {
    prnt('undelete', f);
    checkout(f);
    normal(f);
  }
  const copied = parent === NULL_REV || node === NULL_REV ? new Map<string, string>() : pathCopies(repo, parent, node);
  for (const f of [...lists.add!, ...lists.undelete!, ...lists.revert!]) {
    const src = copied.get(f);
    if (src !== undefined) map.setCopySource(fromLatin1(f), fromLatin1(src));
  }
}

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Update and merge of the working copy, as hg 6.3's merge.py does them:
// manifestmerge (one action per file from the working copy's status
// manifest, the other revision's and the ancestor's, with the copies found
// by mergecopies), calculateupdates (unknown-file checks, bid merge over
// several ancestors, forgotten removed files, trivial conflicts),
// applyupdates (removes, gets, exec changes, directory renames, then the
// file merges through the merge state) and recordupdates (the dirstate),
// driven by _update with its checks ("outstanding uncommitted merge",
// "uncommitted changes", "nothing to merge"...).
//
// The caller holds the wlock, has read the dirstate and computed the
// working copy's status (WorkingContext), and writes the dirstate after.
// Paths and messages are latin1 strings of their bytes.

import type { Manifest } from '../manifest/manifest.js';
import { bytesEqual, fromLatin1, latin1, toHex, utf8 } from '../core/bytes.js';
import { AbortError, StateError } from '../core/errors.js';
import { NULL_NODE, NULL_REV, type Node, type Rev, nodeHex, shortHex } from '../core/node.js';
import { LazyManifest } from '../manifest/lazy-manifest.js';
import { branchOf } from '../changelog/changeset.js';
import { type DirstateMap, F_P1_TRACKED, F_P2_INFO, F_WC_TRACKED, type Timestamp } from '../dirstate/dirstate-map.js';
import { ADDED_NODE_ID, MODIFIED_NODE_ID } from '../dirstate/status.js';
import { RevManifests, commonAncestorsHeads } from './copies.js';
import { type BranchCopies, type MergeCopiesResult, emptyBranchCopies, mergeCopies } from './merge-copies.js';
import { MergeState, type MergeStateStorage } from './mergestate.js';
import {
  type DirstateAction,
  type FileMergeEnv,
  type MergeFileSide,
  type MergeUi,
  type ToolConfig,
  absentSide,
  resolveFile,
  storedSide,
  workingSide,
} from './filemerge.js';
import {
  type CheckoutError,
  type CheckoutFs,
  type HgDirIo,
  backupPath,
  clearUnknown,
  readWorkingData,
  removeWorkingFile,
  writeWorkingFile,
} from './update.js';
import type { Repository } from './repo.js';

export type { MergeUi } from './filemerge.js';

// ---------------------------------------------------------------------------
// Actions (mergestate.ACTION_*)

export type ActionKind = 'f' | 'r' | 'a' | 'g' | 'p' | 'pr' | 'am' | 'c' | 'dc' | 'cd' | 'm' | 'dg' | 'dm' | 'k' | 'ka' | 'kn' | 'e' | 'cm';

const NO_OP: ReadonlySet<ActionKind> = new Set(['k', 'ka', 'kn']);

/** Arguments of merge actions ('m', 'cd', 'dc'): (f1, f2, fa, move, anc). */
export interface MergeArgs {
  f1: string | null;
  f2: string | null;
  fa: string | null;
  move: boolean;
  anc: Node | null;
}

export type ActionArgs =
  | { kind: 'get'; flags: string; backup: boolean }
  | { kind: 'flags'; flags: string }
  | { kind: 'created-merge'; flags: string; anc: Node | null }
  | { kind: 'merge'; m: MergeArgs }
  | { kind: 'move'; f0: string; flags: string }
  | { kind: 'none' };

export interface FileAction {
  kind: ActionKind;
  args: ActionArgs;
  msg: string;
}

const NONE: ActionArgs = { kind: 'none' };

function argsKey(a: ActionArgs): string {
  return JSON.stringify(a, (_k, v) => (v instanceof Uint8Array ? toHex(v) : v));
}

/** merge.mergeresult. */
export class MergeResult {
  readonly fileMap = new Map<string, FileAction>();
  private readonly byKind = new Map<ActionKind, Map<string, FileAction>>();
  readonly commitInfo = new Map<string, Map<string, string>>();
  diverge = new Map<string, string[]>();
  renamedelete = new Map<string, string[]>();

  addFile(f: string, kind: ActionKind, args: ActionArgs, msg: string): void {
    const old = this.fileMap.get(f);
    if (old) this.byKind.get(old.kind)!.delete(f);
    const a = { kind, args, msg };
    this.fileMap.set(f, a);
    let m = this.byKind.get(kind);
    if (!m) this.byKind.set(kind, (m = new Map()));
    m.set(f, a);
  }

  getFile(f: string): FileAction | undefined {
    return this.fileMap.get(f);
  }

  removeFile(f: string): void {
    const a = this.fileMap.get(f);
    if (!a) return;
    this.fileMap.delete(f);
    this.byKind.get(a.kind)!.delete(f);
  }

  /** Files of the given kinds (hg's files(actions)), in insertion order per kind. */
  files(kinds?: readonly ActionKind[]): string[] {
    if (!kinds) return [...this.fileMap.keys()];
    const out: string[] = [];
    for (const k of kinds) for (const f of this.byKind.get(k)?.keys() ?? []) out.push(f);
    return out;
  }

  getActions(kinds: readonly ActionKind[], sort = false): [string, FileAction][] {
    const out: [string, FileAction][] = [];
    for (const k of kinds) {
      const m = this.byKind.get(k);
      if (!m) continue;
      const keys = sort ? [...m.keys()].sort() : [...m.keys()];
      for (const f of keys) out.push([f, m.get(f)!]);
    }
    return out;
  }

  len(kinds?: readonly ActionKind[]): number {
    if (!kinds) return this.fileMap.size;
    let n = 0;
    for (const k of kinds) n += this.byKind.get(k)?.size ?? 0;
    return n;
  }

  addCommitInfo(f: string, key: string, value: string): void {
    let m = this.commitInfo.get(f);
    if (!m) this.commitInfo.set(f, (m = new Map()));
    m.set(key, value);
  }

  /** mergeresult.hasconflicts. */
  hasConflicts(): boolean {
    for (const [k, m] of this.byKind) {
      if (k === 'g' || k === 'e' || k === 'r' || k === 'pr') continue;
      if (m.size > 0 && !NO_OP.has(k)) return true;
    }
    return false;
  }
}

// ---------------------------------------------------------------------------
// The working copy

/** The working copy as update/merge see it (hg's workingctx), status already computed. */
export interface WorkingContext {
  repo: Repository;
  map: DirstateMap;
  fs: CheckoutFs;
  hg: HgDirIo;
  p1: Rev;
  p2: Rev;
  /** Sorted lists (latin1 paths). */
  status: { modified: string[]; added: string[]; removed: string[]; deleted: string[] };
  /** The working copy's branch (UTF-8 bytes). */
  branch: Uint8Array;
  mf: RevManifests;
  /** hg's timestamp.get_fs_now (undefined when `.hg` is not writable). */
  fsNow(): Timestamp | undefined;
}

function manifestOf(mf: RevManifests, rev: Rev): Manifest {
  return rev === NULL_REV ? LazyManifest.empty() : mf.get(rev);
}

const statusManifests = new WeakMap<WorkingContext, Manifest>();

/** workingctx._buildstatusmanifest. */
export function statusManifest(wc: WorkingContext): Manifest {
  let m = statusManifests.get(wc);
  if (m) return m;
  m = manifestOf(wc.mf, wc.p1).copy();
  for (const [id, list] of [
    [ADDED_NODE_ID, wc.status.added],
    [MODIFIED_NODE_ID, wc.status.modified],
  ] as const) {
    for (const f of list) {
      let flags = '';
      try {
        const st = wc.fs.lstat(f);
        if (st !== undefined) flags = (st.mode & 0o170000) === 0o120000 ? 'l' : st.mode & 0o100 ? 'x' : '';
      } catch {
        flags = '';
      }
      m.set(fromLatin1(f), id, flags);
    }
  }
  for (const f of [...wc.status.deleted, ...wc.status.removed]) {
    const p = fromLatin1(f);
    if (m.has(p)) m.delete(p);
  }
  statusManifests.set(wc, m);
  return m;
}

/** workingctx.files() non-empty or deleted files. */
function wcChanged(wc: WorkingContext): boolean {
  const s = wc.status;
  return s.modified.length + s.added.length + s.removed.length + s.deleted.length > 0;
}

function revBranch(repo: Repository, rev: Rev): Uint8Array {
  return rev === NULL_REV ? utf8('default') : branchOf(repo.changelog.read(rev));
}

/** workingctx.dirty(missing, merge, branch). */
export function wcDirty(wc: WorkingContext, missing: boolean, merge = true, branch = true): boolean {
  const s = wc.status;
  return (
    (merge && wc.p2 !== NULL_REV) ||
    (branch && !bytesEqual(wc.branch, revBranch(wc.repo, wc.p1))) ||
    s.modified.length > 0 ||
    s.added.length > 0 ||
    s.removed.length > 0 ||
    (missing && s.deleted.length > 0)
  );
}

function nodeEq(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  for (let i = 0; i < 20; i++) if (a[i] !== b[i]) return false;
  return true;
}

function revNode(repo: Repository, rev: Rev): Node {
  return rev === NULL_REV ? NULL_NODE : repo.changelog.node(rev);
}

// ---------------------------------------------------------------------------
// manifestmerge

/** The ancestor of a merge: a changeset, or the working copy itself (update -C). */
export type Ancestor = { rev: Rev } | { working: true };

function isWorkingAnc(a: Ancestor): a is { working: true } {
  return 'working' in a;
}

function ancNode(wc: WorkingContext, a: Ancestor): Node | null {
  return isWorkingAnc(a) ? null : revNode(wc.repo, a.rev);
}

function ancStr(wc: WorkingContext, a: Ancestor): string {
  return isWorkingAnc(a) ? shortHex(revNode(wc.repo, wc.p1)) + '+' : shortHex(revNode(wc.repo, a.rev));
}

interface ManifestMergeOptions {
  branchmerge: boolean;
  force: boolean;
  acceptremote: boolean;
  followcopies: boolean;
  forcefulldiff?: boolean;
}

/** merge.manifestmerge. */
function manifestMerge(wc: WorkingContext, p2: Rev, pa: Ancestor, o: ManifestMergeOptions, ui: MergeUi): MergeResult {
  const repo = wc.repo;
  const mresult = new MergeResult();
  let bc1: BranchCopies = emptyBranchCopies();
  let bc2: BranchCopies = emptyBranchCopies();
  let diverge = new Map<string, string[]>();
  const m1 = statusManifest(wc);
  if (o.followcopies && !isWorkingAnc(pa)) {
    const dsCopies = new Map<string, string>();
    for (const [k, v] of wc.map.copies) {
      const it = wc.map.get(fromLatin1(k));
      if (it && it.tracked) dsCopies.set(k, latin1(v));
    }
    const r: MergeCopiesResult = mergeCopies(
      repo,
      {
        p1: wc.p1,
        manifest: m1,
        dirstateCopies: dsCopies,
        tracked: (p) => wc.map.get(fromLatin1(p))?.tracked ?? false,
      },
      p2,
      pa.rev,
      wc.mf,
      ui.debugFlag ? (m) => ui.debug(m) : undefined,
    );
    bc1 = r.side1;
    bc2 = r.side2;
    diverge = r.diverge;
  }
  ui.note('resolving manifests\n');
  const py = (b: boolean): string => (b ? 'True' : 'False');
  ui.debug(` branchmerge: ${py(o.branchmerge)}, force: ${py(o.force)}, partial: False\n`);
  ui.debug(` ancestor: ${ancStr(wc, pa)}, local: ${shortHex(revNode(repo, wc.p1))}+, remote: ${shortHex(revNode(repo, p2))}\n`);

  const m2 = manifestOf(wc.mf, p2);
  const ma = isWorkingAnc(pa) ? m1 : manifestOf(wc.mf, pa.rev);
  const paNode = ancNode(wc, pa);
  const copied1 = new Set([...bc1.copy.values(), ...bc1.movewithdir.values()]);
  const copied2 = new Set([...bc2.copy.values(), ...bc2.movewithdir.values()]);

  // the m2-vs-ma optimization: only files that changed on the other side matter
  let relevant: Set<string> | undefined;
  const paIsSide = isWorkingAnc(pa) || pa.rev === p2 || pa.rev === wc.p1 || (wc.p2 !== NULL_REV && pa.rev === wc.p2);
  if (!paIsSide && !o.forcefulldiff) {
    relevant = new Set<string>();
    for (const d of ma.diff(m2)) relevant.add(latin1(d.path));
    for (const [k, v] of bc1.copy) if (relevant.has(v)) relevant.add(k);
    for (const k of bc1.movewithdir.keys()) relevant.add(k);
  }

  const addedId = ADDED_NODE_ID;
  for (const d of m1.diff(m2)) {
    const f = latin1(d.path);
    if (relevant && !relevant.has(f)) continue;
    const n1 = d.left?.node;
    const fl1 = d.left?.flags ?? '';
    const n2 = d.right?.node;
    const fl2 = d.right?.flags ?? '';
    const aEnt = ma.get(d.path);
    if (n1 && n2) {
      if (!aEnt) {
        const fa = bc1.copy.get(f) ?? bc2.copy.get(f);
        if (fa !== undefined) mresult.addFile(f, 'm', margs(f, f, fa, false, paNode), `both renamed from ${fa}`);
        else mresult.addFile(f, 'm', margs(f, f, null, false, paNode), 'both created');
      } else if (bc1.copy.has(f)) {
        const fa = bc1.copy.get(f)!;
        mresult.addFile(f, 'm', margs(f, fa, fa, false, paNode), `local replaced from ${fa}`);
      } else if (bc2.copy.has(f)) {
        const fa = bc2.copy.get(f)!;
        mresult.addFile(f, 'm', margs(fa, f, fa, false, paNode), `other replaced from ${fa}`);
      } else {
        const a = aEnt.node;
        const fla = aEnt.flags;
        const nol = !(fl1 + fl2 + fla).includes('l');
        if (nodeEq(n2, a) && fl2 === fla) {
          mresult.addFile(f, 'k', NONE, 'remote unchanged');
        } else if (nodeEq(n1, a) && fl1 === fla) {
          if (nodeEq(n1, n2)) mresult.addFile(f, 'e', { kind: 'flags', flags: fl2 }, 'update permissions');
          else {
            mresult.addFile(f, 'g', { kind: 'get', flags: fl2, backup: false }, 'remote is newer');
            if (o.branchmerge) mresult.addCommitInfo(f, 'filenode-source', 'other');
          }
        } else if (nol && nodeEq(n2, a)) {
          mresult.addFile(f, 'e', { kind: 'flags', flags: fl2 }, 'update permissions');
        } else if (nol && nodeEq(n1, a)) {
          mresult.addFile(f, 'g', { kind: 'get', flags: fl1, backup: false }, 'remote is newer');
          if (o.branchmerge) mresult.addCommitInfo(f, 'filenode-source', 'other');
        } else {
          mresult.addFile(f, 'm', margs(f, f, f, false, paNode), 'versions differ');
        }
      }
    } else if (n1) {
      if (copied2.has(f)) {
        // handled on the m2 side
      } else if (bc1.movewithdir.has(f)) {
        const f2 = bc1.movewithdir.get(f)!;
        if (m2.has(fromLatin1(f2))) mresult.addFile(f2, 'm', margs(f, f2, null, true, paNode), 'remote directory rename, both created');
        else mresult.addFile(f2, 'dm', { kind: 'move', f0: f, flags: fl1 }, `remote directory rename - move from ${f}`);
      } else if (bc1.copy.has(f)) {
        const f2 = bc1.copy.get(f)!;
        mresult.addFile(f, 'm', margs(f, f2, f2, false, paNode), `local copied/moved from ${f2}`);
      } else if (aEnt) {
        if (!nodeEq(n1, aEnt.node)) {
          if (o.acceptremote) mresult.addFile(f, 'r', NONE, 'remote delete');
          else {
            mresult.addFile(f, 'cd', { kind: 'merge', m: { f1: f, f2: null, fa: f, move: false, anc: paNode } }, 'prompt changed/deleted');
            if (o.branchmerge) mresult.addCommitInfo(f, 'merge-removal-candidate', 'yes');
          }
        } else if (nodeEq(n1, addedId)) {
          mresult.addFile(f, 'f', NONE, 'remote deleted');
        } else {
          mresult.addFile(f, 'r', NONE, 'other deleted');
          if (o.branchmerge) mresult.addCommitInfo(f, 'merge-removal-candidate', 'yes');
        }
      } else {
        mresult.addFile(f, 'kn', NONE, 'ancestor missing, remote missing');
      }
    } else if (n2) {
      if (copied1.has(f)) {
        // handled on the m1 side
      } else if (bc2.movewithdir.has(f)) {
        const f2 = bc2.movewithdir.get(f)!;
        if (m1.has(fromLatin1(f2))) mresult.addFile(f2, 'm', margs(f2, f, null, false, paNode), 'local directory rename, both created');
        else mresult.addFile(f2, 'dg', { kind: 'move', f0: f, flags: fl2 }, `local directory rename - get from ${f}`);
      } else if (bc2.copy.has(f)) {
        const f2 = bc2.copy.get(f)!;
        if (m2.has(fromLatin1(f2))) mresult.addFile(f, 'm', margs(f2, f, f2, false, paNode), `remote copied from ${f2}`);
        else mresult.addFile(f, 'm', margs(f2, f, f2, true, paNode), `remote moved from ${f2}`);
      } else if (!aEnt) {
        if (!o.force || !o.branchmerge) mresult.addFile(f, 'c', { kind: 'flags', flags: fl2 }, 'remote created');
        else mresult.addFile(f, 'cm', { kind: 'created-merge', flags: fl2, anc: paNode }, 'remote created, get or merge');
      } else if (!nodeEq(n2, aEnt.node)) {
        let df: string | undefined;
        for (const [dsrc, ddst] of bc1.dirmove) {
          if (f.startsWith(dsrc)) {
            df = ddst + f.slice(dsrc.length);
            break;
          }
        }
        if (df !== undefined && m1.has(fromLatin1(df))) {
          mresult.addFile(df, 'm', margs(df, f, f, false, paNode), `local directory rename - respect move from ${f}`);
        } else if (o.acceptremote) {
          mresult.addFile(f, 'c', { kind: 'flags', flags: fl2 }, 'remote recreating');
        } else {
          mresult.addFile(f, 'dc', { kind: 'merge', m: { f1: null, f2: f, fa: f, move: false, anc: paNode } }, 'prompt deleted/changed');
          if (o.branchmerge) mresult.addCommitInfo(f, 'merge-removal-candidate', 'yes');
        }
      } else {
        mresult.addFile(f, 'ka', NONE, 'local not present, remote unchanged');
        if (o.branchmerge) mresult.addCommitInfo(f, 'merge-removal-candidate', 'yes');
      }
    }
  }
  const renamedelete = new Map(bc1.renamedelete);
  for (const [k, v] of bc2.renamedelete) renamedelete.set(k, v);
  mresult.diverge = diverge;
  mresult.renamedelete = renamedelete;
  return mresult;
}

function margs(f1: string | null, f2: string | null, fa: string | null, move: boolean, anc: Node | null): ActionArgs {
  return { kind: 'merge', m: { f1, f2, fa, move, anc } };
}

// ---------------------------------------------------------------------------
// calculateupdates

/** Is a working-copy path a file or symlink that the dirstate does not know? */
function unknownFileOrLink(wc: WorkingContext, f: string): boolean {
  let st;
  try {
    st = wc.fs.lstat(f);
  } catch {
    return false;
  }
  if (st === undefined) return false;
  const k = st.mode & 0o170000;
  if (k !== 0o100000 && k !== 0o120000) return false;
  return !wc.map.has(fromLatin1(f));
}

/** mctx[f2].cmp(wctx[f]): does the other revision's f2 differ from the working file f? */
function storedDiffersFromWorking(wc: WorkingContext, m2: Manifest, f2: string, f: string): boolean {
  const ent = m2.get(fromLatin1(f2))!;
  const fl = wc.repo.file(fromLatin1(f2));
  const rev = fl.revlog.rev(ent.node.subarray(0, 20));
  const data = readWorkingData(wc.fs, f);
  const psize = fl.size(rev);
  if (psize - 4 === data.length || psize === data.length || ent.flags === 'l') return !bytesEqual(fl.read(rev), data);
  return true;
}

/** merge._checkunknownfiles with merge.checkunknown = merge.checkignored = abort. */
function checkUnknownFiles(wc: WorkingContext, p2: Rev, force: boolean, mresult: MergeResult, ui: MergeUi): void {
  const m2 = manifestOf(wc.mf, p2);
  const fileconflicts = new Set<string>();
  if (!force) {
    for (const f of mresult.files(['c', 'dc'])) {
      if (unknownFileOrLink(wc, f) && storedDiffersFromWorking(wc, m2, f, f)) fileconflicts.add(f);
    }
    for (const [f, a] of mresult.getActions(['dg'])) {
      const f0 = (a.args as { f0: string }).f0;
      if (unknownFileOrLink(wc, f) && storedDiffersFromWorking(wc, m2, f0, f)) fileconflicts.add(f);
    }
    const abort = [...fileconflicts].sort();
    for (const f of abort) ui.warn(`${f}: untracked file differs\n`);
    if (abort.length) throw new StateError('untracked files in working directory differ from files in requested revision');
  } else {
    for (const [f, a] of mresult.getActions(['cm'])) {
      const args = a.args as { flags: string; anc: Node | null };
      const different = unknownFileOrLink(wc, f) && storedDiffersFromWorking(wc, m2, f, f);
      if (!different) mresult.addFile(f, 'g', { kind: 'get', flags: args.flags, backup: false }, 'remote created');
      else mresult.addFile(f, 'm', margs(f, f, null, false, args.anc), 'remote differs from untracked local');
    }
  }
  for (const [f, a] of mresult.getActions(['c'])) {
    const flags = (a.args as { flags: string }).flags;
    mresult.addFile(f, 'g', { kind: 'get', flags, backup: fileconflicts.has(f) }, a.msg);
  }
}

/** merge._forgetremoved. */
function forgetRemoved(wc: WorkingContext, p2: Rev, branchmerge: boolean, mresult: MergeResult): void {
  const m2 = manifestOf(wc.mf, p2);
  const kind: ActionKind = branchmerge ? 'r' : 'f';
  for (const f of wc.status.deleted) if (!m2.has(fromLatin1(f))) mresult.addFile(f, kind, NONE, 'forget deleted');
  if (!branchmerge) {
    for (const f of wc.status.removed) if (!m2.has(fromLatin1(f))) mresult.addFile(f, 'f', NONE, 'forget removed');
  }
}

/** merge._resolvetrivial. */
function resolveTrivial(wc: WorkingContext, p2: Rev, anc: Ancestor, mresult: MergeResult): void {
  if (isWorkingAnc(anc)) return;
  const ma = manifestOf(wc.mf, anc.rev);
  const m2 = manifestOf(wc.mf, p2);
  for (const f of mresult.files(['cd'])) {
    const ae = ma.get(fromLatin1(f));
    if (ae && !storedDiffersFromWorking(wc, ma, f, f)) mresult.addFile(f, 'r', NONE, 'prompt same');
  }
  for (const f of mresult.files(['dc'])) {
    const ae = ma.get(fromLatin1(f));
    if (!ae) continue;
    const e2 = m2.get(fromLatin1(f))!;
    // mctx[f].cmp(ancestor[f]) between two stored revisions
    const fl = wc.repo.file(fromLatin1(f));
    const r2 = fl.revlog.rev(e2.node.subarray(0, 20));
    const ra = fl.revlog.rev(ae.node.subarray(0, 20));
    let differs: boolean;
    if (fl.size(r2) === fl.size(ra) || e2.flags === 'l') differs = !bytesEqual(fl.read(r2), fl.read(ra));
    else differs = true;
    if (!differs) mresult.removeFile(f);
  }
}

interface CalculateOptions extends ManifestMergeOptions {
  mergeforce: boolean;
}

/** merge.calculateupdates. */
function calculateUpdates(wc: WorkingContext, p2: Rev, ancestors: Ancestor[], o: CalculateOptions, ui: MergeUi): MergeResult {
  let mresult: MergeResult;
  if (ancestors.length === 1) {
    mresult = manifestMerge(wc, p2, ancestors[0]!, o, ui);
    checkUnknownFiles(wc, p2, o.force, mresult, ui);
  } else {
    const repo = wc.repo;
    ui.note(
      `note: merging ${shortHex(revNode(repo, wc.p1))}+ and ${shortHex(revNode(repo, p2))} using bids from ancestors ${ancestors.map((a) => ancStr(wc, a)).join(' and ')}\n`,
    );
    const fbids = new Map<string, Map<ActionKind, FileAction[]>>();
    mresult = new MergeResult();
    let diverge: Map<string, string[]> | undefined;
    let renamedelete: Map<string, string[]> | undefined;
    for (const anc of ancestors) {
      ui.note(`\ncalculating bids for ancestor ${ancStr(wc, anc)}\n`);
      const m1 = manifestMerge(wc, p2, anc, { ...o, forcefulldiff: true }, ui);
      checkUnknownFiles(wc, p2, o.force, m1, ui);
      if (diverge === undefined || m1.diverge.size < diverge.size) diverge = m1.diverge;
      if (renamedelete === undefined || renamedelete.size < m1.renamedelete.size) renamedelete = m1.renamedelete;
      for (const [f, info] of m1.commitInfo) mresult.commitInfo.set(f, info);
      for (const f of [...m1.fileMap.keys()].sort()) {
        const a = m1.fileMap.get(f)!;
        ui.debug(` ${f}: ${a.msg} -> ${a.kind}\n`);
        let d = fbids.get(f);
        if (!d) fbids.set(f, (d = new Map()));
        const l = d.get(a.kind);
        if (l) l.push(a);
        else d.set(a.kind, [a]);
      }
    }
    ui.note(`\nauction for merging merge bids (${ancestors.length} ancestors)\n`);
    const same = (x: FileAction, y: FileAction): boolean => x.kind === y.kind && x.msg === y.msg && argsKey(x.args) === argsKey(y.args);
    for (const f of [...fbids.keys()].sort()) {
      const bids = fbids.get(f)!;
      const kinds = [...bids.keys()].sort();
      if (ui.debugFlag) {
        ui.debug(` list of bids for ${f}:\n`);
        for (const m of kinds) for (const a of bids.get(m)!) ui.debug(`   ${a.msg} -> ${m}\n`);
      }
      const put = (a: FileAction): void => mresult.addFile(f, a.kind, a.args, a.msg);
      if (bids.size === 1) {
        const [m, l] = [...bids][0]!;
        if (l.slice(1).every((a) => same(a, l[0]!))) {
          ui.note(` ${f}: consensus for ${m}\n`);
          put(l[0]!);
          continue;
        }
      }
      if (bids.has('k')) {
        ui.note(` ${f}: picking 'keep' action\n`);
        put(bids.get('k')![0]!);
        continue;
      }
      if (bids.has('ka')) {
        ui.note(` ${f}: picking 'keep absent' action\n`);
        put(bids.get('ka')![0]!);
        continue;
      }
      if (bids.has('cd') && bids.has('kn')) {
        ui.note(` ${f}: picking 'changed/deleted' action\n`);
        put(bids.get('cd')![0]!);
        continue;
      }
      if (bids.has('kn')) {
        ui.note(` ${f}: picking 'keep new' action\n`);
        put(bids.get('kn')![0]!);
        continue;
      }
      if (bids.has('dc') && bids.has('g')) {
        ui.note(` ${f}: picking 'delete/changed' action\n`);
        put(bids.get('dc')![0]!);
        continue;
      }
      if (bids.has('g')) {
        const gs = bids.get('g')!;
        if (gs.slice(1).every((a) => same(a, gs[0]!))) {
          ui.note(` ${f}: picking 'get' action\n`);
          put(gs[0]!);
          continue;
        }
      }
      ui.note(` ${f}: multiple bids for merge action:\n`);
      for (const m of kinds) for (const a of bids.get(m)!) ui.note(`  ${a.msg} -> ${m}\n`);
      const [m, l] = [...bids][0]!;
      ui.warn(` ${f}: ambiguous merge - picked ${m} action\n`);
      put(l[0]!);
    }
    ui.note('end of auction\n\n');
    mresult.diverge = diverge ?? new Map();
    mresult.renamedelete = renamedelete ?? new Map();
  }
  forgetRemoved(wc, p2, o.branchmerge, mresult);
  resolveTrivial(wc, p2, ancestors[0]!, mresult);
  return mresult;
}

// ---------------------------------------------------------------------------
// applyupdates

export interface UpdateStats {
  updated: number;
  merged: number;
  removed: number;
  unresolved: number;
}

/** (mode, size, mtime) of a file just written (batchget's filedata). */
type FileData = { mode: number; size: number; mtime?: Timestamp } | null;

export interface MergeDeps {
  ui: MergeUi;
  tools: ToolConfig;
  mergeStorage: MergeStateStorage;
  /** hg's uipathfn. */
  uiPath(path: string): string;
}

function fileMergeEnv(wc: WorkingContext, deps: MergeDeps): FileMergeEnv {
  const byNode = new Map<string, Manifest>();
  return {
    repo: wc.repo,
    ui: deps.ui,
    fs: wc.fs,
    tools: deps.tools,
    uiPath: deps.uiPath,
    p1Node: revNode(wc.repo, wc.p1),
    manifestOf: (node) => {
      const k = latin1(node);
      let m = byNode.get(k);
      if (!m) {
        const rev = wc.repo.changelog.rev(node);
        m = manifestOf(wc.mf, rev);
        byNode.set(k, m);
      }
      return m;
    },
  };
}

function readStored(repo: Repository, path: string, node: Uint8Array): Uint8Array {
  const fl = repo.file(fromLatin1(path));
  return fl.read(fl.revlog.rev(node.subarray(0, 20)));
}

/** merge.applyupdates. */
function applyUpdates(
  wc: WorkingContext,
  mresult: MergeResult,
  p2: Rev,
  wantfiledata: boolean,
  labels: string[] | undefined,
  deps: MergeDeps,
): { stats: UpdateStats; filedata: Map<string, FileData>; extra: Map<DirstateAction, string[]> } {
  const { ui } = deps;
  const repo = wc.repo;
  const fs = wc.fs;
  const m2 = manifestOf(wc.mf, p2);
  const p2Node = revNode(repo, p2);
  const ms = MergeState.clean(deps.mergeStorage);
  ms.start(revNode(repo, wc.p1), p2Node, labels);
  for (const [f, op] of mresult.commitInfo) ms.addCommitInfo(f, op);

  // removes
  const removes = mresult.getActions(['r'], true);
  for (const [f, a] of removes) {
    ui.debug(` ${f}: ${a.msg} -> r\n`);
    if (ui.verbose) ui.note(`removing ${f}\n`);
    try {
      removeWorkingFile(fs, f, true);
    } catch (e) {
      const err = e as CheckoutError;
      if (typeof err?.code !== 'string') throw e;
      ui.warn(`update failed to remove ${f}: ${err.strerror}!\n`);
    }
  }
  let removed = removes.length;

  // gets
  const filedata = new Map<string, FileData>();
  for (const [f, a] of mresult.getActions(['g'], true)) {
    ui.debug(` ${f}: ${a.msg} -> g\n`);
    if (ui.verbose) ui.note(`getting ${f}\n`);
    const { flags, backup } = a.args as { flags: string; backup: boolean };
    if (backup) {
      let conflicting = f;
      if (!fs.lexists(f)) {
        const parts = f.split('/');
        for (let i = parts.length - 1; i > 0; i--) {
          const p = parts.slice(0, i).join('/');
          const st = fs.lstat(p);
          if (st && ((st.mode & 0o170000) === 0o100000 || (st.mode & 0o170000) === 0o120000)) {
            conflicting = p;
            break;
          }
        }
      }
      if (fs.lexists(conflicting)) fs.rename(conflicting, backupPath(conflicting));
    }
    clearUnknown(fs, f);
    const ent = m2.get(fromLatin1(f))!;
    const data = readStored(repo, f, ent.node);
    const size = writeWorkingFile(fs, f, data, flags);
    if (wantfiledata) {
      const st = fs.lstat(f)!;
      filedata.set(f, { mode: st.mode, size, mtime: { sec: st.mtimeSec & 0x7fffffff, nsec: st.mtimeNsec, secondAmbiguous: false } });
    }
  }

  for (const [f, a] of mresult.getActions(['f'], true)) ui.debug(` ${f}: ${a.msg} -> f\n`);
  for (const [f, a] of mresult.getActions(['a'], true)) ui.debug(` ${f}: ${a.msg} -> a\n`);
  for (const [f, a] of mresult.getActions(['am'], true)) ui.debug(` ${f}: ${a.msg} -> am\n`);
  for (const k of ['k', 'ka', 'kn'] as const) for (const [f, a] of mresult.getActions([k], true)) ui.debug(` ${f}: ${a.msg} -> ${k}\n`);

  // directory rename, move local
  for (const [f, a] of mresult.getActions(['dm'], true)) {
    ui.debug(` ${f}: ${a.msg} -> dm\n`);
    const { f0, flags } = a.args as { f0: string; flags: string };
    ui.note(`moving ${f0} to ${f}\n`);
    writeWorkingFile(fs, f, readWorkingData(fs, f0), flags);
    removeWorkingFile(fs, f0, false);
  }
  // local directory rename, get
  for (const [f, a] of mresult.getActions(['dg'], true)) {
    ui.debug(` ${f}: ${a.msg} -> dg\n`);
    const { f0, flags } = a.args as { f0: string; flags: string };
    ui.note(`getting ${f0} to ${f}\n`);
    writeWorkingFile(fs, f, readStored(repo, f0, m2.get(fromLatin1(f0))!.node), flags);
  }
  // exec
  for (const [f, a] of mresult.getActions(['e'], true)) {
    ui.debug(` ${f}: ${a.msg} -> e\n`);
    const { flags } = a.args as { flags: string };
    fs.setFlags(f, flags.includes('l'), flags.includes('x'));
  }

  // merges: record them all first
  const env = fileMergeEnv(wc, deps);
  const mergeActions = mresult.getActions(['cd', 'dc', 'm'], true);
  const moves: string[] = [];
  const actxOf = (anc: Node | null): { node: Node; m: Manifest } => {
    if (anc === null) return { node: revNode(repo, wc.p1), m: statusManifest(wc) };
    return { node: anc, m: env.manifestOf(anc) };
  };
  const wcRepr = shortHex(revNode(repo, wc.p1)) + '+';
  for (const [f, a] of mergeActions) {
    const { f1, f2, fa, move, anc } = (a.args as { m: MergeArgs }).m;
    let fcl: MergeFileSide;
    if (f1 === null) fcl = absentSide(fa!, revNode(repo, wc.p1), true, wcRepr);
    else {
      ui.debug(` preserving ${f1} for resolve of ${f}\n`);
      fcl = workingSide(env, f1);
    }
    let fco: MergeFileSide;
    if (f2 === null) fco = absentSide(fa!, p2Node, false, shortHex(p2Node));
    else fco = storedSide(env, f2, m2.get(fromLatin1(f2))!.node, p2Node);
    const actx = actxOf(anc);
    let ancPath: string;
    let ancFileNode: Uint8Array;
    let ancChange: Node;
    const ae = fa !== null ? actx.m.get(fromLatin1(fa)) : undefined;
    if (fa !== null && ae) {
      ancPath = fa;
      ancFileNode = ae.node.subarray(0, 20);
      ancChange = actx.node;
    } else {
      // repo.filectx(f1, fileid=nullrev): the null revision
      ancPath = f1 ?? fa ?? f;
      ancFileNode = NULL_NODE;
      ancChange = NULL_NODE;
    }
    ms.add({
      dest: f,
      localPath: fcl.path,
      localFlags: fcl.flags(),
      localData: fcl.absent ? undefined : fcl.data(),
      ancestorPath: ancPath,
      ancestorFileNode: ancFileNode,
      ancestorChangeNode: ancChange,
      otherPath: fco.path,
      otherFileNode: fco.absent ? NULL_NODE : fco.fileNode!,
    });
    if (f1 !== f && move && f1 !== null) moves.push(f1);
  }
  for (const f of moves) {
    if (fs.lexists(f)) {
      ui.debug(`removing ${f}\n`);
      removeWorkingFile(fs, f, false);
    }
  }
  let updated = mresult.len(['g', 'e', 'dg', 'dm']);

  const results = new Map<string, { ret: number | undefined; action: DirstateAction | undefined }>();
  const localM = manifestOf(wc.mf, wc.p1);
  try {
    for (const [f, a] of mergeActions) {
      ui.debug(` ${f}: ${a.msg} -> m\n`);
      ms.addCommitInfo(f, { merged: 'yes' });
      results.set(f, resolveFile(env, ms, f, (p) => localM.has(fromLatin1(p))));
    }
  } finally {
    ms.commit();
  }
  const unresolved = ms.unresolvedCount();
  let merged = 0;
  const extra = new Map<DirstateAction, string[]>();
  for (const [f, r] of results) {
    if (r.ret === undefined) updated++;
    else if (r.ret === 0) {
      if (r.action === 'r') removed++;
      else merged++;
    }
    if (r.action !== undefined) {
      let l = extra.get(r.action);
      if (!l) extra.set(r.action, (l = []));
      l.push(f);
    }
  }
  return { stats: { updated, merged, removed, unresolved }, filedata, extra };
}

// ---------------------------------------------------------------------------
// recordupdates

const KIND_OF_EXTRA: Record<DirstateAction, ActionKind> = { r: 'r', f: 'f', a: 'a', am: 'am', g: 'g' };

/** mergestate.recordupdates. `filedata` is undefined for merges and resolve. */
export function recordUpdates(map: DirstateMap, mresult: MergeResult, branchmerge: boolean, filedata: Map<string, FileData> | undefined): void {
  const p = (f: string): Uint8Array => fromLatin1(f);
  for (const [f] of mresult.getActions(['r'])) {
    map.resetState(p(f), { p1Tracked: branchmerge, wcTracked: false });
  }
  for (const [f] of mresult.getActions(['f'])) map.resetState(p(f), { p1Tracked: false, wcTracked: false });
  for (const [f, a] of mresult.getActions(['pr'])) {
    const { f0, origf0 } = a.args as unknown as { f0: string; origf0: string };
    map.resetState(p(f), { p1Tracked: false, wcTracked: true });
    map.setCopySource(p(f), p(origf0));
    if (f0 === origf0) map.resetState(p(f0), { p1Tracked: true, wcTracked: false });
    else map.resetState(p(f0), { p1Tracked: false, wcTracked: false });
  }
  for (const [f] of mresult.getActions(['a'])) map.resetState(p(f), { p1Tracked: false, wcTracked: true });
  for (const [f] of mresult.getActions(['am'])) {
    if (branchmerge) map.resetState(p(f), { p1Tracked: true, wcTracked: true, hasMeaningfulMtime: false });
    else map.resetState(p(f), { p1Tracked: false, wcTracked: true });
  }
  for (const [f] of mresult.getActions(['e'])) map.resetState(p(f), { p1Tracked: true, wcTracked: true, hasMeaningfulMtime: false });
  for (const [f] of mresult.getActions(['g'])) {
    if (branchmerge) {
      const old = map.get(p(f));
      // any_tracked and not added
      const p1Tracked = old !== undefined && (old.flags & (F_WC_TRACKED | F_P1_TRACKED | F_P2_INFO)) !== 0 && !old.added;
      map.resetState(p(f), { p1Tracked, wcTracked: true, p2Info: true });
    } else {
      const fd = filedata?.get(f);
      map.resetState(p(f), {
        p1Tracked: true,
        wcTracked: true,
        parentFileData: fd ? { mode: fd.mode, size: fd.size, mtime: fd.mtime } : undefined,
      });
    }
  }
  for (const [f, a] of mresult.getActions(['m'])) {
    const { f1, f2, move } = (a.args as { m: MergeArgs }).m;
    if (branchmerge) {
      map.resetState(p(f), { p1Tracked: f1 === f, wcTracked: true, p2Info: true });
      if (f1 !== f2) {
        if (move && f1 !== null) map.resetState(p(f1), { p1Tracked: true, wcTracked: false });
        if (f1 !== f && f1 !== null) map.setCopySource(p(f), p(f1));
        else if (f2 !== null) map.setCopySource(p(f), p(f2));
      }
    } else {
      if (f2 === f) map.resetState(p(f), { p1Tracked: true, wcTracked: true, hasMeaningfulMtime: false });
      if (move && f1 !== null) map.resetState(p(f1), { p1Tracked: false, wcTracked: false });
    }
  }
  for (const [f, a] of mresult.getActions(['dm'])) {
    const { f0 } = a.args as { f0: string };
    if (branchmerge) {
      map.resetState(p(f), { p1Tracked: false, wcTracked: true });
      map.resetState(p(f0), { p1Tracked: true, wcTracked: false });
      map.setCopySource(p(f), p(f0));
    } else {
      map.resetState(p(f), { p1Tracked: true, wcTracked: true });
      map.resetState(p(f0), { p1Tracked: false, wcTracked: false });
    }
  }
  for (const [f, a] of mresult.getActions(['dg'])) {
    const { f0 } = a.args as { f0: string };
    if (branchmerge) {
      map.resetState(p(f), { p1Tracked: false, wcTracked: true });
      map.setCopySource(p(f), p(f0));
    } else map.resetState(p(f), { p1Tracked: true, wcTracked: true });
  }
}

/** An action list from the merge state's results (ms.actions()), for recordUpdates. */
export function resultFromExtra(extra: Map<DirstateAction, string[]>): MergeResult {
  const r = new MergeResult();
  for (const [k, files] of extra) for (const f of files) r.addFile(f, KIND_OF_EXTRA[k], k === 'g' ? { kind: 'get', flags: '', backup: false } : NONE, 'merge result');
  return r;
}

/** workingctx.setparents: the dirstate parents, with hg's copy-record adjustments. */
export function setWorkingParents(wc: WorkingContext, p1: Rev, p2: Rev): void {
  const map = wc.map;
  const oldP2 = map.parents()[1];
  const fold = !oldP2.every((b) => b === 0) && p2 === NULL_REV;
  const copies = map.setParents(revNode(wc.repo, p1), revNode(wc.repo, p2), fold);
  const pm = manifestOf(wc.mf, p1);
  for (const [f, src] of copies) {
    if (!pm.has(fromLatin1(f)) && pm.has(src)) map.setCopySource(fromLatin1(f), src);
  }
  if (p2 === NULL_REV) {
    for (const f of [...map.copies.keys()].sort()) {
      const s = map.copies.get(f)!;
      if (!pm.has(fromLatin1(f)) && !pm.has(s)) map.setCopySource(fromLatin1(f), undefined);
    }
  }
}

// ---------------------------------------------------------------------------
// _update

export type UpdateCheck = 'abort' | 'none' | 'linear' | 'noconflict';

export interface UpdateOptions {
  /** The revision to update to or merge with. */
  node: Rev;
  branchmerge: boolean;
  force: boolean;
  mergeancestor?: boolean;
  labels?: string[];
  mergeforce?: boolean;
  updatecheck?: UpdateCheck;
  /** An explicit ancestor. */
  ancestor?: Rev;
}

/** Sorted heads of the common ancestors of two revisions (hg's commonancestorsheads, sorted by node). */
function mergeAncestors(repo: Repository, a: Rev, b: Rev): Rev[] {
  const cl = repo.changelog;
  const heads = commonAncestorsHeads((r) => cl.parentRevs(r), a, b);
  if (heads.length === 0) return [NULL_REV];
  return heads.sort((x, y) => {
    const nx = cl.node(x);
    const ny = cl.node(y);
    for (let i = 0; i < 20; i++) if (nx[i] !== ny[i]) return nx[i]! - ny[i]!;
    return 0;
  });
}

/**
 * merge._update: update (branchmerge false) or merge (true) the working
 * copy with revision `o.node`. Changes the working copy, the merge state,
 * `.hg/updatestate`, `.hg/branch` and the dirstate map (which the caller
 * writes).
 */
export function mergeUpdate(wc: WorkingContext, o: UpdateOptions, deps: MergeDeps): UpdateStats {
  const { ui } = deps;
  const repo = wc.repo;
  const branchmerge = o.branchmerge;
  const force = o.force;
  let updatecheck = o.updatecheck;
  if (!branchmerge && !force && updatecheck === undefined) updatecheck = 'linear';
  const p1 = wc.p1;
  const p2 = o.node;
  let pas: Ancestor[] = o.ancestor !== undefined ? [{ rev: o.ancestor }] : mergeAncestors(repo, p1, p2).map((rev) => ({ rev }));
  const pasIs = (r: Rev): boolean => pas.length === 1 && !isWorkingAnc(pas[0]!) && pas[0].rev === r;

  const overwrite = force && !branchmerge;
  if (!overwrite) {
    if (wc.p2 !== NULL_REV) throw new StateError('outstanding uncommitted merge');
    const ms = MergeState.read(deps.mergeStorage, () => nodeHex(revNode(repo, wc.p2 !== NULL_REV ? wc.p2 : wc.p1)));
    if (ms.unresolvedCount() > 0) throw new StateError('outstanding merge conflicts', { hint: "use 'hg resolve' to resolve" });
  }
  if (branchmerge) {
    if (pasIs(p2)) throw new AbortError('merging with a working directory ancestor has no effect');
    else if (pasIs(p1)) {
      if (!o.mergeancestor && bytesEqual(wc.branch, revBranch(repo, p2))) {
        throw new AbortError('nothing to merge', { hint: "use 'hg update' or check 'hg heads'" });
      }
    }
    if (!force && wcChanged(wc)) throw new StateError('uncommitted changes', { hint: "use 'hg status' to list changes" });
  } else if (!overwrite) {
    if (p1 === p2) return { updated: 0, merged: 0, removed: 0, unresolved: 0 };
    if (updatecheck === 'linear' && !(pasIs(p1) || pasIs(p2))) {
      if (wcDirty(wc, true)) {
        throw new AbortError('uncommitted changes', { hint: 'commit or update --clean to discard changes' });
      }
    }
  }
  if (overwrite) pas = [{ working: true }];
  else if (!branchmerge) pas = [{ rev: p1 }];

  let followcopies = true;
  if (overwrite) followcopies = false;
  else if (!isWorkingAnc(pas[0]!) && pas[0]!.rev === NULL_REV) followcopies = false;
  if (!branchmerge && !wcDirty(wc, true)) followcopies = false;

  const mresult = calculateUpdates(
    wc,
    p2,
    pas,
    { branchmerge, force, acceptremote: !!o.mergeancestor, followcopies, mergeforce: !!o.mergeforce },
    ui,
  );
  if (updatecheck === 'noconflict' && mresult.hasConflicts()) {
    throw new StateError('conflicting changes', { hint: 'commit or update --clean to discard changes' });
  }

  for (const f of [...mresult.diverge.keys()].sort()) {
    ui.warn(`note: possible conflict - ${f} was renamed multiple times to:\n`);
    for (const nf of [...mresult.diverge.get(f)!].sort()) ui.warn(` ${nf}\n`);
  }
  for (const f of [...mresult.renamedelete.keys()].sort()) {
    ui.warn(`note: possible conflict - ${f} was deleted and renamed to:\n`);
    for (const nf of [...mresult.renamedelete.get(f)!].sort()) ui.warn(` ${nf}\n`);
  }

  // apply
  let fp1 = p1;
  let fp2 = p2;
  if (!branchmerge) {
    fp1 = p2;
    fp2 = NULL_REV;
  }
  wc.hg.write('updatestate', fromLatin1(nodeHex(revNode(repo, p2))));
  // merge._advertisefsmonitor (no fsmonitor, no Rust: hg's threshold is 50000 files)
  if (p1 === NULL_REV && mresult.len(['g']) >= 50000) {
    ui.warn(
      '(warning: large working directory being used without fsmonitor enabled; enable fsmonitor to improve performance; see "hg help -e fsmonitor")\n',
    );
  }
  const wantfiledata = !branchmerge;
  const { stats, filedata, extra } = applyUpdates(wc, mresult, p2, wantfiledata, o.labels, deps);

  for (const [k, files] of extra) {
    const kind = KIND_OF_EXTRA[k];
    for (const f of files) {
      mresult.addFile(f, kind, kind === 'g' ? { kind: 'get', flags: '', backup: false } : NONE, 'merge result');
      if (kind === 'g' && wantfiledata) filedata.set(f, null);
    }
  }
  let fdata: Map<string, FileData> | undefined = filedata;
  if (filedata.size > 0) {
    const now = wc.fsNow();
    if (now === undefined) fdata = undefined;
    else {
      for (const [f, m] of filedata) {
        if (m && m.mtime && m.mtime.sec >= now.sec) filedata.set(f, { mode: m.mode, size: m.size });
      }
    }
  }
  setWorkingParents(wc, fp1, fp2);
  recordUpdates(wc.map, mresult, branchmerge, fdata);
  wc.hg.unlink('updatestate');
  if (!branchmerge) {
    const b = revBranch(repo, p2);
    wc.hg.writeAtomic('branch', new Uint8Array([...b, 0x0a]));
  }
  return stats;
}

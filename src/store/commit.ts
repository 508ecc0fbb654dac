// Committing: hg 6.3.2's localrepo.commit (after status) and commit.commitctx
// (mercurial/localrepo.py, commit.py, context.py, changelog.py, phases.py,
// bookmarks.py, mergestate.py), writing what hg writes so that the same
// operations give the same changeset, manifest and file nodes.
//
// - File revisions (commit._filecommit): copy metadata `copy`/`copyrev` with
//   p1 null (copyrev from p1's manifest, or p2's for a copy from the other
//   merge side); a null first parent swapped with the second; in merges the
//   merge state's `filenode-source`/`merged` records, else an ancestor parent
//   dropped; no new revision when the text equals the first parent's (and
//   there is no second parent and no metadata): the old node is reused, and a
//   flag-only change still lists the file as touched. Texts starting with
//   `\1\n` get an empty metadata header.
// - The manifest: p1's manifest with the committed files set and the removed
//   ones deleted, written with hg's fast delta against p1 (passed to the
//   revlog writer as the delta to reuse), so the cost follows the number of
//   changes, not the manifest's size. p1's manifest node is reused when no
//   file changed, as hg does.
// - The changelog text (formats.md §3): hex manifest, user, `time tz` and
//   the sorted, escaped extras (no `branch` for default), the sorted touched
//   files (removed ones included; in a merge, only the files that really
//   changed), a blank line, the description with trailing whitespace and
//   leading/trailing blank lines stripped. Written last.
// - Phases: a new changeset is draft (or secret); a root is added to
//   `store/phaseroots` when its parents are of a lower phase.
// - The active bookmark moves to the new changeset when it was on a parent.
// - The working copy (an interface, see CommitWorkingCopy; the CLI implements it
//   over the dirstate): committed files become clean with unknown stat data,
//   removed ones are dropped, copies cleared, the parents set; the dirstate is
//   written when the transaction closes.
// - `.hg/last-message.txt` is written before the transaction (kept if it
//   fails, as hg does); the merge state (`.hg/merge`) is removed after it; the
//   new manifest goes to hg's manifest full-text cache. hg's branch, tags and
//   rev-branch caches are not written: they record the tip they were computed
//   for, and hg extends them over appended changesets.
// - Revlogs shared with another repository through hard links (a local
//   `hg clone`) are unshared by the writable vfs before any write, as hg's does.
//
// Everything happens in one transaction ("commit"), under the wlock and the
// store lock (held by the caller).

import type { Manifest } from '../manifest/manifest.js';
import { AbortError, InputError, StateError, StorageError, UnsupportedFeatureError } from '../core/errors.js';
import { bytesEqual, compareBytes, concatBytes, fromLatin1, latin1, toHex, utf8 } from '../core/bytes.js';
import { NULL_NODE, NULL_REV, type Node, type Rev, isNullNode, nodeKey } from '../core/node.js';
import { hashRevision } from '../core/sha1.js';
import { REVIDX_ISCENSORED } from '../revlog/constants.js';
import { bdiff } from '../revlog/bdiff.js';
import type { Revlog } from '../revlog/revlog.js';
import { LazyManifest, type ManifestChange, type ManifestFlag } from '../manifest/lazy-manifest.js';
import { TreeManifest } from '../manifest/tree-manifest.js';
import { FLAT_NODES_FILE, FlatHashTreeStorage } from '../manifest/flat-hash-tree-storage.js';
import { writeFlatHashManifest } from './flat-hash-commit.js';
import { RepoWriters } from './repo-writers.js';
import { writeTreeManifest } from '../manifest/tree-write.js';
import type { Filelog } from '../filelog/filelog.js';
import { branchOf as changesetBranch, isClosed } from '../changelog/changeset.js';
import { DRAFT, PhaseCache, parsePhaseRoots } from './phases.js';
import type { Repository } from './repo.js';
import { openRepoTransaction, repoVfsMap, resolveTxPath, type Transaction } from './transaction.js';
import { formatHgDate, makeDate, type HgDate } from './commit-date.js';
import { pyBytesRepr } from '../core/pyrepr.js';
import { commonAncestorHeads } from './ancestry.js';

// ---------------------------------------------------------------------------
// Texts

const NL = 0x0a;
const EMPTY = new Uint8Array(0);
const DEFAULT_BRANCH = utf8('default');

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Python's bytes.strip(). */
export function stripBytes(b: Uint8Array): Uint8Array {
  let s = 0;
  let e = b.length;
  while (s < e && isSpace(b[s]!)) s++;
  while (e > s && isSpace(b[e - 1]!)) e--;
  return b.subarray(s, e);
}

/**
 * hg's changelog.stripdesc: every line right-stripped (lines as Python's
 * bytes.splitlines cuts them: at \n, \r and \r\n), joined with \n, then
 * leading and trailing newlines removed.
 */
export function stripDescription(desc: Uint8Array): Uint8Array {
  const lines: Uint8Array[] = [];
  let s = 0;
  const n = desc.length;
  while (s < n) {
    let e = s;
    while (e < n && desc[e] !== 0x0a && desc[e] !== 0x0d) e++;
    let le = e;
    while (le > s && isSpace(desc[le - 1]!)) le--;
    lines.push(desc.subarray(s, le));
    if (e < n && desc[e] === 0x0d && e + 1 < n && desc[e + 1] === 0x0a) e++;
    s = e + 1;
  }
  const parts: Uint8Array[] = [];
  lines.forEach((l, i) => {
    if (i) parts.push(Uint8Array.of(NL));
    parts.push(l);
  });
  const joined = concatBytes(parts);
  let a = 0;
  let b = joined.length;
  while (a < b && joined[a] === NL) a++;
  while (b > a && joined[b - 1] === NL) b--;
  return joined.subarray(a, b);
}

/** hg's changelog._string_escape: `\` `\n` `\r` `\0` escaped. */
function stringEscape(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const c of b) {
    if (c === 0x5c) out.push(0x5c, 0x5c);
    else if (c === 0x0a) out.push(0x5c, 0x6e);
    else if (c === 0x0d) out.push(0x5c, 0x72);
    else if (c === 0) out.push(0x5c, 0x30);
    else out.push(c);
  }
  return Uint8Array.from(out);
}

/** hg's changelog.encodeextra: `key:value` items sorted by key, escaped, joined by NUL. */
export function encodeExtra(extra: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const keys = [...extra.keys()].sort((a, b) => compareBytes(fromLatin1(a), fromLatin1(b)));
  const parts: Uint8Array[] = [];
  keys.forEach((k, i) => {
    if (i) parts.push(Uint8Array.of(0));
    parts.push(stringEscape(concatBytes([fromLatin1(k), utf8(':'), extra.get(k)!])));
  });
  return concatBytes(parts);
}


export interface ChangesetFields {
  manifest: Node;
  user: Uint8Array;
  date: HgDate;
  /** Extras as given: `branch` is dropped when it is `default` or empty. */
  extra: ReadonlyMap<string, Uint8Array>;
  /** Touched files, any order (sorted here). */
  files: readonly Uint8Array[];
  /** Description as given (stripped here, as hg's changelog.add does). */
  description: Uint8Array;
}

/**
 * hg's changelog.add text: checks the user (stripped, non-empty, no newline)
 * and reserved branch names with hg's messages (StorageError).
 */
export function encodeChangeset(f: ChangesetFields): Uint8Array {
  const user = stripBytes(f.user);
  if (user.length === 0) throw new StorageError('empty username');
  if (user.includes(NL)) throw new StorageError(`username ${pyBytesRepr(user)} contains a newline`);
  const extra = new Map(f.extra);
  const branch = extra.get('branch');
  if (branch !== undefined) {
    if (branch.length === 0 || bytesEqual(branch, DEFAULT_BRANCH)) extra.delete('branch');
    else if (['.', 'null', 'tip'].includes(latin1(branch))) throw new StorageError(`the name '${latin1(branch)}' is reserved`);
  }
  let dateLine = utf8(formatHgDate(f.date));
  if (extra.size > 0) dateLine = concatBytes([dateLine, utf8(' '), encodeExtra(extra)]);
  const files = [...f.files].sort(compareBytes);
  const parts: Uint8Array[] = [utf8(toHex(f.manifest)), Uint8Array.of(NL), user, Uint8Array.of(NL), dateLine, Uint8Array.of(NL)];
  for (const file of files) parts.push(file, Uint8Array.of(NL));
  parts.push(Uint8Array.of(NL), stripDescription(f.description));
  return concatBytes(parts);
}

/** storageutil.packmeta: `\1\n` + sorted `key: value\n` lines + `\1\n` + text. */
export function packFileMeta(meta: ReadonlyMap<string, Uint8Array>, text: Uint8Array): Uint8Array {
  const keys = [...meta.keys()].sort();
  const parts: Uint8Array[] = [Uint8Array.of(1, NL)];
  for (const k of keys) parts.push(fromLatin1(k), utf8(': '), meta.get(k)!, Uint8Array.of(NL));
  parts.push(Uint8Array.of(1, NL), text);
  return concatBytes(parts);
}

// ---------------------------------------------------------------------------
// Merge state (.hg/merge/state2, .hg/merge/state), as mergestate.read does

/** The part of hg's merge state a commit needs. */
export interface MergeState {
  /** hg's mergestate.active(): a merge was started (local node recorded) or files are recorded. */
  readonly active: boolean;
  /** Files still unresolved (`u` and `pu` records). */
  readonly unresolvedCount: number;
  /** Commit-time extras of a file (`filenode-source`, `merged`, ...). */
  extras(path: Uint8Array): ReadonlyMap<string, Uint8Array> | undefined;
}

const EMPTY_MERGE_STATE: MergeState = { active: false, unresolvedCount: 0, extras: () => undefined };

type MergeRecord = [type: string, data: Uint8Array];

function splitBytes(b: Uint8Array, sep: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === sep) {
      out.push(b.subarray(s, i));
      s = i + 1;
    }
  }
  out.push(b.subarray(s));
  return out;
}

function joinBytes(parts: readonly Uint8Array[], sep: number): Uint8Array {
  const out: Uint8Array[] = [];
  parts.forEach((p, i) => {
    if (i) out.push(Uint8Array.of(sep));
    out.push(p);
  });
  return concatBytes(out);
}

function readMergeRecordsV2(data: Uint8Array | undefined): MergeRecord[] {
  const out: MergeRecord[] = [];
  if (!data) return out;
  const dv = new DataView(data.buffer, data.byteOffset, data.length);
  let off = 0;
  while (off < data.length) {
    let type = String.fromCharCode(data[off]!);
    off++;
    if (off + 4 > data.length) break;
    const len = dv.getUint32(off);
    off += 4;
    let rec = data.subarray(off, off + len);
    off += len;
    if (type === 't') {
      type = String.fromCharCode(rec[0]!);
      rec = rec.subarray(1);
    }
    out.push([type, rec]);
  }
  return out;
}

function readMergeRecordsV1(data: Uint8Array | undefined): MergeRecord[] {
  const out: MergeRecord[] = [];
  if (!data) return out;
  let s = 0;
  while (s < data.length) {
    const nl = data.indexOf(NL, s);
    const end = nl < 0 ? data.length : nl + 1;
    // hg keeps `line[:-1]`: the line without its last character (the newline)
    out.push([out.length === 0 ? 'L' : 'F', data.subarray(s, end - 1)]);
    s = end;
  }
  return out;
}

/** mergestate._droponode: the record without its second-to-last field. */
function dropONode(data: Uint8Array): Uint8Array {
  const bits = splitBytes(data, 0);
  return joinBytes([...bits.slice(0, -2), ...bits.slice(-1)], 0);
}

/** Reads the merge state hg (or hgkit) left in `.hg/merge`. */
export function readMergeState(repo: Repository): MergeState {
  const v1 = readMergeRecordsV1(repo.readHgFile('merge/state'));
  const v2 = readMergeRecordsV2(repo.readHgFile('merge/state2'));
  let records = v2;
  if (v1.length > 0) {
    const oldv2 = new Set<string>();
    for (const [t, d] of v2) {
      if (t === 'L') oldv2.add('L' + latin1(d));
      else if (t === 'F') oldv2.add('F' + latin1(dropONode(d)));
    }
    if (!v1.every(([t, d]) => oldv2.has(t + latin1(d)))) {
      // v1 is newer: use it (the "other" side is not known from it)
      records = v1.map(([t, d]) => {
        if (t !== 'F') return [t, d];
        const bits = splitBytes(d, 0);
        bits.splice(bits.length - 2, 0, EMPTY);
        return [t, joinBytes(bits, 0)];
      });
    }
  }
  if (records.length === 0) return EMPTY_MERGE_STATE;
  let local = false;
  const state = new Map<string, string>();
  const extras = new Map<string, Map<string, Uint8Array>>();
  const extrasOf = (f: string): Map<string, Uint8Array> => {
    let m = extras.get(f);
    if (!m) extras.set(f, (m = new Map()));
    return m;
  };
  const unsupported: string[] = [];
  for (const [type, rec] of records) {
    if (type === 'L') local = rec.length > 0;
    else if (type === 'O' || type === 'm' || type === 'l') continue;
    else if (type === 'F' || type === 'C' || type === 'P' || type === 'D' || type === 'R') {
      const bits = splitBytes(rec, 0);
      const f = latin1(bits[0]!);
      const st = bits[1] ? latin1(bits[1]) : '';
      if (st === 'o') extrasOf(f).set('filenode-source', utf8('other'));
      else state.set(f, st);
    } else if (type === 'f') {
      const z = rec.indexOf(0);
      const f = latin1(z < 0 ? rec : rec.subarray(0, z));
      const m = new Map<string, Uint8Array>();
      if (z >= 0) {
        const parts = splitBytes(rec.subarray(z + 1), 0);
        for (let i = 0; i + 1 < parts.length; i += 2) m.set(latin1(parts[i]!), parts[i + 1]!);
      }
      extras.set(f, m);
    } else if (type.toLowerCase() !== type) {
      unsupported.push(type);
    }
  }
  if (unsupported.length > 0) {
    throw new AbortError(`unsupported merge state records: ${[...new Set(unsupported)].sort().join(', ')}`, {
      hint: 'see https://mercurial-scm.org/wiki/MergeStateRecords for more information',
    });
  }
  let unresolved = 0;
  for (const st of state.values()) if (st === 'u' || st === 'pu') unresolved++;
  return {
    active: local || state.size > 0,
    unresolvedCount: unresolved,
    extras: (p) => extras.get(latin1(p)),
  };
}

/**
 * mergestate.reset(): removes `.hg/merge` (outside the transaction, as hg).
 * The store layer has no directory removal: `removeTree` (an absolute
 * path) is the caller's; without it only the files are removed.
 */
export function resetMergeState(repo: Repository, removeTree?: (path: string) => void): void {
  const dir = repo.hgDir + '/merge';
  if (!repo.vfs.isDir(dir)) return;
  if (removeTree) {
    removeTree(dir);
    return;
  }
  const map = repoVfsMap(repo);
  for (const e of repo.vfs.readdir(dir)) {
    if (e.type !== 'dir') map.vfs.tryUnlink(concatBytes([utf8(dir + '/'), e.name]));
  }
}

// ---------------------------------------------------------------------------
// commitctx

/** The working-copy side of one file (hg's workingfilectx). */
export interface CommitFileSource {
  /** fctx.data(): the file's content (a symlink's target). */
  data(path: Uint8Array): Uint8Array;
  /** fctx.flags(): '' | 'x' | 'l'. */
  flags(path: Uint8Array): ManifestFlag;
  /** The dirstate's copy source of the file. */
  copySource(path: Uint8Array): Uint8Array | undefined;
}

/** Messages a commit reports (hg's ui.note / ui.debug / ui.warn), newline-terminated. */
export interface CommitReporter {
  note?(message: Uint8Array | string): void;
  debug?(message: Uint8Array | string): void;
  warn?(message: Uint8Array | string): void;
  /** Regular output (hg's ui.write / ui.status). */
  status?(message: Uint8Array | string): void;
}

/** What commitctx needs: hg's committable context. */
export interface CommitInput extends CommitFileSource {
  /** Changeset parents (p2 NULL_NODE when not a merge). */
  parents: readonly [Node, Node];
  modified: readonly Uint8Array[];
  added: readonly Uint8Array[];
  removed: readonly Uint8Array[];
  user: Uint8Array;
  date: HgDate;
  description: Uint8Array;
  /** Changeset extras (latin1 keys): `branch` (UTF-8), `close`... */
  extra: ReadonlyMap<string, Uint8Array>;
  /** Phase of the new changeset (default draft). */
  phase?: number;
}

export interface CommitResult {
  node: Node;
  rev: Rev;
  manifest: Node;
  /** The changelog's files list (sorted). */
  files: Uint8Array[];
  /** False when the changeset already existed (nothing was written). */
  added: boolean;
  /** The new manifest's full text (when one was written), for the full-text cache. */
  manifestTexts: [Node, Uint8Array][];
}

function isNull(n: Node): boolean {
  return isNullNode(n);
}

function key(b: Uint8Array): string {
  return latin1(b);
}

/** Is filelog revision `a` an ancestor of (or equal to) `b`? */
function filelogIsAncestor(revlog: Revlog, a: Rev, b: Rev): boolean {
  if (a === b) return true;
  if (a > b || a === NULL_REV) return a === NULL_REV;
  const seen = new Set<Rev>();
  const stack = [b];
  while (stack.length) {
    const r = stack.pop()!;
    if (r === a) return true;
    if (r < a || seen.has(r)) continue;
    seen.add(r);
    for (const p of revlog.parentRevs(r)) if (p !== NULL_REV && p >= a) stack.push(p);
  }
  return false;
}

/** storageutil.filedataequivalent: does the stored revision `node` hold exactly `data`? */
function fileDataEquivalent(fl: Filelog, node: Node, data: Uint8Array): boolean {
  const rev = fl.revlog.rev(node);
  const text = data.length >= 2 && data[0] === 1 && data[1] === NL ? concatBytes([Uint8Array.of(1, NL, 1, NL), data]) : data;
  const [p1, p2] = fl.revlog.parentRevs(rev);
  if (bytesEqual(hashRevision(text, fl.revlog.node(p1), fl.revlog.node(p2)), node)) return true;
  if (fl.revlog.flags(rev) & REVIDX_ISCENSORED) return data.length === 0;
  if (fl.renamed(rev)) return bytesEqual(fl.read(rev), data);
  return false;
}

/** Revisions and nodes of a changelog revision's parents and manifest. */
function manifestOf(repo: Repository, rev: Rev): { node: Node; m: Manifest } {
  if (rev === NULL_REV) return { node: NULL_NODE, m: repo.manifestLog.empty() };
  const node = repo.changelog.read(rev).manifest;
  return { node, m: repo.manifestLog.get(node).read() };
}


function sameEntry(a: { node: Uint8Array; flags: string } | undefined, b: { node: Uint8Array; flags: string } | undefined): boolean {
  return !!a && !!b && a.flags === b.flags && bytesEqual(a.node.subarray(0, 20), b.node.subarray(0, 20));
}

type Touched = 'added' | 'modified' | 'merged' | undefined;

/**
 * hg's commit.commitctx: file revisions, the manifest, the changelog entry
 * and the new changeset's phase, in the open transaction `tr` (the caller
 * holds the locks). Returns the new changeset.
 */
export function commitCtx(
  repo: Repository,
  tr: Transaction,
  input: CommitInput,
  opts: { mergeState?: MergeState; report?: CommitReporter } = {},
): CommitResult {
  const report = opts.report ?? {};
  const ms = opts.mergeState ?? EMPTY_MERGE_STATE;
  const cl = repo.changelog;
  const [p1, p2] = input.parents;
  const p1Rev = isNull(p1) ? NULL_REV : cl.rev(p1);
  const p2Rev = isNull(p2) ? NULL_REV : cl.rev(p2);
  const writers = new RepoWriters(repo);
  const linkRev = cl.length;
  const touched = new Map<string, Uint8Array>();

  const ctxFiles = [...input.modified, ...input.added, ...input.removed].sort(compareBytes);
  const mp1 = manifestOf(repo, p1Rev);
  const manifestTexts: [Node, Uint8Array][] = [];
  let mn: Node;
  if (ctxFiles.length === 0) {
    report.debug?.('reusing manifest from p1 (no file change)\n');
    mn = mp1.node;
  } else {
    const mp2 = manifestOf(repo, p2Rev);
    const m1 = mp1.m;
    const m2 = mp2.m;
    const m = m1.copy();
    const allFiles = [...input.modified, ...input.added].sort(compareBytes);
    const addedPaths: Uint8Array[] = [];
    report.note?.('committing files:\n');
    for (const f of allFiles) {
      report.note?.(concatBytes([f, Uint8Array.of(NL)]));
      const flags = input.flags(f);
      const { node, touched: t } = fileCommit(repo, writers, tr, input, f, flags, m1, m2, linkRev, ms, report);
      addedPaths.push(f);
      m.set(f, node, flags);
      if (t) touched.set(key(f), f);
    }
    // update manifest
    const removed = input.removed.filter((f) => m1.has(f) || m2.has(f));
    const drop = removed.filter((f) => m.has(f)).sort(compareBytes);
    for (const f of drop) m.delete(f);
    if (p2Rev === NULL_REV) {
      for (const f of removed) touched.set(key(f), f);
    } else {
      // metadata.get_removal_filter: absences that come from a parent are not removals
      let mas: Manifest[] | undefined;
      const ancestors = (): Manifest[] =>
        (mas ??= commonAncestorHeads(repo.changelog, p1Rev, p2Rev).map((r) => manifestOf(repo, r).m));
      const fromParent = (f: Uint8Array): boolean => {
        const e1 = m1.get(f);
        if (e1) return !m2.has(f) && ancestors().every((ma) => sameEntry(ma.get(f), e1));
        const e2 = m2.get(f);
        if (e2) return ancestors().every((ma) => sameEntry(ma.get(f), e2));
        return true;
      };
      for (const f of removed) if (!fromParent(f)) touched.set(key(f), f);
    }
    const written = commitManifest(repo, writers, tr, linkRev, { m, m1, m2, mn1: mp1.node, mn2: mp2.node, mrev1: p1Rev === NULL_REV ? NULL_REV : repo.manifestLog.storage.rev(mp1.node) }, [...touched.values()], ctxFiles, addedPaths, drop, report);
    mn = written.node;
    if (written.text) manifestTexts.push([mn, written.text]);
  }

  const files = [...touched.values()].sort(compareBytes);
  report.note?.('committing changelog\n');
  const text = encodeChangeset({ manifest: mn, user: input.user, date: input.date, extra: input.extra, files, description: input.description });
  const added = writers.changelog().addRevision(tr, text, linkRev, p1, p2);
  const rev = added.rev;

  // phases.registernew (unless recommitting an existing public changeset)
  const target = input.phase ?? DRAFT;
  const wasPublic = !added.added && PhaseCache.load(repo).phase(rev) === 0;
  if (target > 0 && !wasPublic) registerNewPhase(repo, tr, target, rev);
  return { node: added.node, rev, manifest: mn, files, added: added.added, manifestTexts };
}

/** hg's commit._filecommit. */
function fileCommit(
  repo: Repository,
  writers: RepoWriters,
  tr: Transaction,
  src: CommitFileSource,
  fname: Uint8Array,
  flags: ManifestFlag,
  m1: Manifest,
  m2: Manifest,
  linkRev: Rev,
  ms: MergeState,
  report: CommitReporter,
): { node: Node; touched: Touched } {
  let fparent1: Node = m1.get(fname)?.node.subarray(0, 20) ?? NULL_NODE;
  let fparent2: Node = m2.get(fname)?.node.subarray(0, 20) ?? NULL_NODE;
  let touched: Touched;
  if (isNull(fparent1) && isNull(fparent2)) touched = 'added';

  const fl = repo.file(fname);
  const w = writers.filelog(fname);
  const meta = new Map<string, Uint8Array>();
  const cfname = src.copySource(fname);
  if (cfname && !bytesEqual(cfname, fname)) {
    let cnode = m1.get(cfname)?.node.subarray(0, 20);
    let newfparent = fparent2;
    if (m2.size > 0) {
      // branch merge: copied on the remote side?
      if (isNull(fparent2) || cnode === undefined) {
        const e2 = m2.get(cfname);
        if (e2) {
          cnode = e2.node.subarray(0, 20);
          newfparent = fparent1;
        }
      }
    }
    if (cnode) {
      report.debug?.(concatBytes([utf8(' '), fname, utf8(': copy '), cfname, utf8(`:${toHex(cnode)}\n`)]));
      meta.set('copy', cfname);
      meta.set('copyrev', utf8(toHex(cnode)));
      fparent1 = NULL_NODE;
      fparent2 = newfparent;
    } else {
      report.warn?.(concatBytes([utf8("warning: can't find ancestor for '"), fname, utf8("' copied from '"), cfname, utf8("'!\n")]));
    }
  } else if (isNull(fparent1)) {
    fparent1 = fparent2;
    fparent2 = NULL_NODE;
  } else if (!isNull(fparent2)) {
    const ex = ms.active ? ms.extras(fname) : undefined;
    const source = ex?.get('filenode-source');
    const merged = ex?.get('merged');
    if (ms.active && source !== undefined && latin1(source) === 'other') {
      fparent1 = fparent2;
      fparent2 = NULL_NODE;
    } else if (ms.active && !(merged !== undefined && latin1(merged) === 'yes')) {
      fparent2 = NULL_NODE;
    } else {
      const r1 = fl.revlog.rev(fparent1);
      const r2 = fl.revlog.rev(fparent2);
      if (filelogIsAncestor(fl.revlog, r1, r2)) {
        fparent1 = fparent2;
        fparent2 = NULL_NODE;
      } else if (filelogIsAncestor(fl.revlog, r2, r1)) {
        fparent2 = NULL_NODE;
      }
    }
  }

  const text = src.data(fname);
  let fnode: Node;
  if (!isNull(fparent2) || isNull(fparent1) || meta.size > 0 || !fileDataEquivalent(fl, fparent1, text)) {
    if (touched === undefined) touched = isNull(fparent2) ? 'modified' : 'merged';
    const raw = meta.size > 0 || (text.length >= 2 && text[0] === 1 && text[1] === NL) ? packFileMeta(meta, text) : text;
    fnode = w.addRevision(tr, raw, linkRev, fparent1, fparent2).node;
  } else if (m1.has(fname) && m1.flags(fname) !== flags) {
    touched = 'modified';
    fnode = fparent1;
  } else {
    fnode = fparent1;
  }
  return { node: fnode, touched };
}

interface ManifestParts {
  m: Manifest;
  m1: Manifest;
  m2: Manifest;
  mn1: Node;
  mn2: Node;
  mrev1: Rev;
}

/** hg's commit._commit_manifest with manifestrevlog.add's fast delta. */
function commitManifest(
  repo: Repository,
  writers: RepoWriters,
  tr: Transaction,
  linkRev: Rev,
  parts: ManifestParts,
  files: readonly Uint8Array[],
  ctxFiles: readonly Uint8Array[],
  added: readonly Uint8Array[],
  drop: readonly Uint8Array[],
  report: CommitReporter,
): { node: Node; text?: Uint8Array } {
  const { m, m1, mn1, mn2 } = parts;
  let differs = false;
  if (files.length === 0) {
    // no file changed for the changelog: keep p1's manifest unless it differs
    for (const f of ctxFiles) {
      const a = m1.get(f);
      const b = m.get(f);
      if (!a !== !b || (a && b && !sameEntry(a, b))) {
        differs = true;
        break;
      }
    }
    if (differs) report.debug?.('not reusing manifest (no file change in changelog, but manifest differs)\n');
  }
  if (files.length === 0 && !differs) {
    report.debug?.('reusing manifest from p1 (listed files actually unchanged)\n');
    return { node: mn1 };
  }
  report.note?.('committing manifest\n');
  for (const f of added) {
    if (f.includes(NL) || f.includes(0x0d)) throw new StorageError(`'\\n' and '\\r' disallowed in filenames: ${pyBytesRepr(f)}`);
  }
  if (m instanceof TreeManifest) {
    // hg's manifestrevlog._addtree: each edited directory into its own revlog
    const node = writeTreeManifest(m, parts.m1 as TreeManifest, parts.m2 as TreeManifest, (dir) => {
      const w = writers.manifest(dir);
      return (text, p1, p2) => w.addRevision(tr, text, linkRev, p1, p2).node;
    });
    return { node };
  }
  if (!(m instanceof LazyManifest)) throw new UnsupportedFeatureError('hgkit can only commit flat or tree manifests');
  // heapq.merge of (added, False) and (removed, True), both sorted
  const a = [...added].sort(compareBytes);
  const changes: ManifestChange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < drop.length) {
    if (j >= drop.length || (i < a.length && compareBytes(a[i]!, drop[j]!) <= 0)) changes.push([a[i++]!, false]);
    else changes.push([drop[j++]!, true]);
  }
  const storage = repo.manifestLog.storage;
  if (storage instanceof FlatHashTreeStorage) {
    const text = isNull(mn1) ? m.text() : m.fastDelta(m1.text(), changes).text;
    const all: ManifestChange[] = isNull(mn1) ? [...m.keys()].map((p) => [p, false] as const) : changes;
    const node = writeFlatHashManifest({
      storage, tr, linkRev, m, text, p1: mn1, p2: mn2, changes: all,
      writer: (dir) => writers.manifest(dir),
      appendFlatNode: (n) => writers.appendStoreFile(tr, FLAT_NODES_FILE, n),
    });
    return { node };
  }
  const mw = writers.manifest();
  if (isNull(mn1)) {
    const text = m.text();
    return { node: mw.addRevision(tr, text, linkRev, mn1, mn2).node, text };
  }
  // hg switches to a bdiff of the whole texts from 1,000 changes on
  // (FASTDELTA_TEXTDIFF_THRESHOLD): the same bdiff gives the same delta bytes
  const { text, delta } = m.fastDelta(m1.text(), changes, { textDiff: bdiff });
  return { node: mw.addRevision(tr, text, linkRev, mn1, mn2, { cachedDelta: { base: parts.mrev1, delta } }).node, text };
}

// ---------------------------------------------------------------------------
// The manifest full-text cache

/**
 * hg's manifestfulltextcache (`.hg/wcache/manifestfulltextcache`, entries
 * `node(20) size(u32 BE) text`, least recently used first), rewritten after a
 * commit with the new manifest, the one the next commit, status or diff of
 * the working copy reads. (hg's own commit keeps up to 4 entries, p1's and the
 * new one last; fewer entries only make the cache smaller, and rewriting 4
 * full manifests per commit would cost more than the reads they save.) hg
 * trusts these texts: this is the text the commit hashed itself. Written
 * after the transaction, as hg writes it when the wlock is released.
 */
export function updateManifestCache(repo: Repository, entries: readonly [Node, Uint8Array][]): void {
  const file = repo.hgDir + '/wcache/manifestfulltextcache';
  const parts: Uint8Array[] = [];
  for (const [node, text] of entries) {
    const size = new Uint8Array(4);
    new DataView(size.buffer).setUint32(0, text.length);
    parts.push(node, size, text);
  }
  try {
    repoVfsMap(repo).vfs.writeAtomic(file, parts);
  } catch {
    // a cache: hg ignores write errors too
  }
}

// ---------------------------------------------------------------------------
// Phases

const ALL_PHASES = [0, 1, 2, 32, 96];

/** phases.registernew: the new revision gets `target` unless its parents already give it that phase. */
export function registerNewPhase(repo: Repository, tr: Transaction, target: number, rev: Rev): void {
  const cl = repo.changelog;
  const raw = parsePhaseRoots(repo.readStoreFile('phaseroots'));
  // filterunknown: roots of unknown nodes are forgotten
  const roots = raw.filter((r) => cl.findRev(r.node) !== undefined && r.node.length === 20);
  const cache = new PhaseCache(cl, roots);
  const [p1, p2] = cl.parentRevs(rev);
  let current = 0;
  for (const p of [p1, p2]) if (p !== NULL_REV) current = Math.max(current, cache.phase(p));
  if (current >= target) return;
  if (roots.some((r) => r.phase === target && bytesEqual(r.node, cl.node(rev)))) return;
  roots.push({ phase: target, node: cl.node(rev) });
  const byPhase = new Map<number, Map<string, Node>>();
  for (const r of roots) {
    let m = byPhase.get(r.phase);
    if (!m) byPhase.set(r.phase, (m = new Map()));
    m.set(nodeKey(r.node), r.node);
  }
  const lines: string[] = [];
  const order = [...ALL_PHASES, ...[...byPhase.keys()].filter((p) => !ALL_PHASES.includes(p)).sort((x, y) => x - y)];
  for (const phase of order) {
    const m = byPhase.get(phase);
    if (!m) continue;
    for (const n of [...m.values()].sort(compareBytes)) lines.push(`${phase} ${toHex(n)}\n`);
  }
  const data = utf8(lines.join(''));
  tr.addFileGenerator('phase', ['phaseroots'], () => [data], { location: '' });
}

// ---------------------------------------------------------------------------
// Bookmarks

interface BookmarkEntry {
  name: Uint8Array;
  node: Node;
}

function parseBookmarks(data: Uint8Array | undefined): BookmarkEntry[] {
  const out: BookmarkEntry[] = [];
  if (!data) return out;
  for (let line of splitBytes(data, NL)) {
    if (line.length && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    const sp = line.indexOf(0x20);
    if (sp !== 40) continue;
    const hex = latin1(line.subarray(0, 40));
    if (!/^[0-9a-fA-F]{40}$/.test(hex)) continue;
    const node = new Uint8Array(20);
    for (let i = 0; i < 20; i++) node[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    out.push({ name: line.subarray(41), node });
  }
  return out;
}

/**
 * bookmarks.update: when the active bookmark is on one of the parents, it
 * moves to the new changeset (and divergent `name@x` copies on its
 * ancestors are deleted). Written with the transaction.
 */
export function updateActiveBookmark(repo: Repository, tr: Transaction, parents: readonly Node[], node: Node): boolean {
  const activeRaw = repo.readHgFile('bookmarks.current');
  if (!activeRaw || activeRaw.length === 0) return false;
  const inStore = repo.requirements.has('bookmarksinstore');
  const data = inStore ? repo.readStoreFile('bookmarks') : repo.readHgFile('bookmarks');
  const cl = repo.changelog;
  const marks = parseBookmarks(data).filter((b) => cl.findRev(b.node) !== undefined);
  const active = activeRaw;
  const cur = marks.find((b) => bytesEqual(b.name, active));
  if (!cur) return false;
  const isParent = (n: Node): boolean => parents.some((p) => !isNull(p) && bytesEqual(p, n));
  if (!isParent(cur.node)) return false;
  const base = (n: Uint8Array): string => {
    const s = latin1(n);
    const at = s.indexOf('@');
    return at < 0 ? s : s.slice(0, at);
  };
  // deletefrom: nodes of same-base bookmarks that are ancestors of the new changeset
  const newRev = cl.rev(node);
  const anc = new Set<Rev>();
  const stack = [...cl.parentRevs(newRev)];
  while (stack.length) {
    const r = stack.pop()!;
    if (r === NULL_REV || anc.has(r)) continue;
    anc.add(r);
    stack.push(...cl.parentRevs(r));
  }
  const activeBase = base(active);
  const deleteFrom = new Set(marks.filter((b) => base(b.name) === activeBase && (anc.has(cl.rev(b.node)) || bytesEqual(b.node, node))).map((b) => nodeKey(b.node)));
  const out: BookmarkEntry[] = [];
  for (const b of marks) {
    const s = latin1(b.name);
    if (bytesEqual(b.name, active)) out.push({ name: b.name, node });
    else if (base(b.name) === activeBase && s !== '@' && s.includes('@') && deleteFrom.has(nodeKey(b.node))) continue;
    else out.push(b);
  }
  out.sort((x, y) => compareBytes(x.name, y.name));
  const text = concatBytes(out.flatMap((b) => [utf8(toHex(b.node)), utf8(' '), b.name, Uint8Array.of(NL)]));
  tr.addFileGenerator('bookmarks', ['bookmarks'], () => [text], { location: inStore ? '' : 'plain' });
  return true;
}

// ---------------------------------------------------------------------------
// localrepo.commit

/** The working copy being committed (hg's workingcommitctx over the dirstate). */
export interface CommitWorkingCopy extends CommitFileSource {
  /** The dirstate parents (p2 NULL_NODE outside a merge). */
  readonly parents: readonly [Node, Node];
  /** The working copy's branch (`.hg/branch`, UTF-8; `default` when absent). */
  readonly branch: Uint8Array;
  /** Status restricted to the files being committed. */
  readonly modified: readonly Uint8Array[];
  readonly added: readonly Uint8Array[];
  readonly removed: readonly Uint8Array[];
  readonly deleted: readonly Uint8Array[];
  /** hg's workingctx.markcommitted: the dirstate, in memory, after the commit of `node`. */
  markCommitted(node: Node): void;
  /**
   * The dirstate file's new content, written when the transaction closes
   * (backed up, restored if it aborts). Formats that are not one file (a
   * dirstate-v2 docket and its data file) give `write` instead.
   */
  serialize?(): Uint8Array;
  /** Writes the dirstate itself; called right after the transaction closed (when `serialize` is absent). */
  write?(): void;
}

/** What an editor gets (hg's buildcommittext inputs). */
export interface EditorRequest {
  text: Uint8Array;
  user: Uint8Array;
  branch: Uint8Array;
  merge: boolean;
  modified: readonly Uint8Array[];
  added: readonly Uint8Array[];
  removed: readonly Uint8Array[];
  extra: ReadonlyMap<string, Uint8Array>;
}

export interface CommitWorkingCopyOptions {
  /** The message as given (-m/-l); empty: the editor is asked. */
  text: Uint8Array;
  /** -u; undefined or empty: `username()` (hg's ui.username). */
  user?: Uint8Array;
  username?: () => Uint8Array;
  date?: HgDate;
  /** Extras (`close`...); `branch` defaults to the working copy's. */
  extra?: ReadonlyMap<string, Uint8Array>;
  phase?: number;
  /** The matcher is not `always` (files or -I/-X given). */
  partial?: boolean;
  /** -e: always run the editor. */
  forceEditor?: boolean;
  /** Runs the editor (hg's ui.edit + HG: line removal); throws to abort. */
  editor?: (req: EditorRequest) => Uint8Array | Promise<Uint8Array>;
  report?: CommitReporter;
  /** `.hg/last-message.txt` as hg names it to the user (relative to the cwd). */
  messagePath?: string;
  /** Removes a directory tree (the merge state's `.hg/merge`); see resetMergeState. */
  removeTree?: (path: string) => void;
}

/**
 * hg's localrepo.commit once the status is known: the merge checks, the
 * "nothing changed" case (undefined), the editor, `.hg/last-message.txt`,
 * then one "commit" transaction with commitctx, the bookmark, the dirstate
 * and the merge state. The caller holds the wlock and the store lock.
 */
export async function commitWorkingCopy(repo: Repository, wc: CommitWorkingCopy, opts: CommitWorkingCopyOptions): Promise<CommitResult | undefined> {
  const report = opts.report ?? {};
  const [p1, p2] = wc.parents;
  const merge = !isNull(p2);
  if (merge && opts.partial) throw new AbortError('cannot partially commit a merge (do not specify files or patterns)');
  const ms = readMergeState(repo);
  if (ms.unresolvedCount > 0) throw new StateError("unresolved merge conflicts (see 'hg help resolve')");

  const extra = new Map(opts.extra ?? []);
  if (!extra.get('branch')?.length) extra.set('branch', wc.branch.length ? wc.branch : DEFAULT_BRANCH);
  const branch = extra.get('branch')!;
  const cl = repo.changelog;
  const p1Rev = isNull(p1) ? NULL_REV : cl.rev(p1);
  const p1Branch = p1Rev === NULL_REV ? DEFAULT_BRANCH : changesetBranch(cl.read(p1Rev));
  const nfiles = wc.modified.length + wc.added.length + wc.removed.length;
  if (!(merge || !bytesEqual(branch, p1Branch) || extra.has('close') || nfiles > 0)) {
    report.debug?.('nothing to commit, clearing merge state\n');
    resetMergeState(repo, opts.removeTree);
    return undefined;
  }
  if (merge && wc.deleted.length > 0) throw new AbortError('cannot commit merge with missing files');

  let userCache: Uint8Array | undefined;
  const user = (): Uint8Array => (userCache ??= opts.user && opts.user.length ? opts.user : opts.username ? opts.username() : EMPTY);
  let text = opts.text;
  if (opts.editor && (opts.forceEditor || text.length === 0)) {
    text = await opts.editor({
      text,
      user: user(),
      branch,
      merge,
      modified: wc.modified,
      added: wc.added,
      removed: wc.removed,
      extra,
    });
  } else if (text.length === 0) {
    throw new InputError('empty commit message');
  }
  const edited = !bytesEqual(text, opts.text);
  // savecommitmessage: kept in case the transaction is rolled back
  const map = repoVfsMap(repo);
  map.vfs.write(resolveTxPath(map, 'plain', 'last-message.txt'), text);

  const date = opts.date ?? makeDate();
  let result: CommitResult;
  try {
    const tr = openRepoTransaction(repo, 'commit', { report: (m) => report.warn?.(m) });
    try {
      result = commitCtx(
        repo,
        tr,
        {
          parents: [p1, p2],
          modified: wc.modified,
          added: wc.added,
          removed: wc.removed,
          user: user(),
          date,
          description: text,
          extra,
          phase: opts.phase,
          data: (p) => wc.data(p),
          flags: (p) => wc.flags(p),
          copySource: (p) => wc.copySource(p),
        },
        { mergeState: ms, report },
      );
      updateActiveBookmark(repo, tr, [p1, p2], result.node);
      wc.markCommitted(result.node);
      const serialize = wc.serialize?.bind(wc);
      if (serialize) tr.addFileGenerator('dirstate', ['dirstate'], () => [serialize()], { location: 'plain', postFinalize: true });
      tr.close();
      if (!serialize) wc.write?.();
    } finally {
      tr.release();
    }
  } catch (e) {
    if (edited) {
      const path = opts.messagePath ?? '.hg/last-message.txt';
      report.status?.(`note: commit message saved in ${path}\n`);
      report.status?.(`note: use 'hg commit --logfile ${path} --edit' to reuse it\n`);
    }
    throw e;
  }
  resetMergeState(repo, opts.removeTree);
  if (result.manifestTexts.length) updateManifestCache(repo, result.manifestTexts);
  return result;
}

/** Is `rev` closing its branch (`close` extra)? */
export function closesBranch(repo: Repository, rev: Rev): boolean {
  return rev !== NULL_REV && isClosed(repo.changelog.read(rev));
}


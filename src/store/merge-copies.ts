// hg's copies.mergecopies (the full copy-tracing algorithm, the default):
// copies and renames made on each side of a merge since the merge base, the
// ones that matter to the merge (a file renamed on one side and changed on
// the other), divergent renames, renames of files deleted on the other side,
// and directory renames with the files that must follow them.
//
// Side 1 is the working copy (its first parent plus the dirstate's copy
// records), side 2 a changeset. Paths are latin1 strings of their bytes.

import type { Manifest } from '../manifest/manifest.js';
import { fromLatin1, latin1 } from '../core/bytes.js';
import { NULL_REV, type Rev } from '../core/node.js';
import { type FileRev, RevManifests, ancestorRev, chain, compareNodes, fileParents, fileRev, pathCopies } from './copies.js';
import type { Repository } from './repo.js';

/** copies.branch_copies. */
export interface BranchCopies {
  /** destination -> source. */
  copy: Map<string, string>;
  /** source -> destinations (deleted on this side, renamed on the other). */
  renamedelete: Map<string, string[]>;
  /** source dir/ -> destination dir/. */
  dirmove: Map<string, string>;
  /** file -> where it moves with its directory. */
  movewithdir: Map<string, string>;
}

export function emptyBranchCopies(): BranchCopies {
  return { copy: new Map(), renamedelete: new Map(), dirmove: new Map(), movewithdir: new Map() };
}

/** The working copy as mergecopies sees it. */
export interface WorkingCopySide {
  p1: Rev;
  /** The status manifest (p1's with added/modified ids, without removed/deleted files). */
  manifest: Manifest;
  /** The dirstate's copy records of tracked files (dest -> source). */
  dirstateCopies: Map<string, string>;
  /** Is the path tracked in the dirstate (workingctx.__contains__)? */
  tracked(path: string): boolean;
}

export interface MergeCopiesResult {
  side1: BranchCopies;
  side2: BranchCopies;
  /** source -> destinations renamed divergently. */
  diverge: Map<string, string[]>;
}

function has(m: Manifest, f: string): boolean {
  return m.get(fromLatin1(f)) !== undefined;
}

function nodeOf(m: Manifest, f: string): Uint8Array | undefined {
  return m.get(fromLatin1(f))?.node;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  const n = Math.min(a.length, 20);
  if (Math.min(b.length, 20) !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}


// ---------------------------------------------------------------------------
// File ancestry (filectx.ancestors) for copies._related





function* fileAncestors(repo: Repository, start: FileRev): Generator<FileRev> {
  const visit = new Map<string, FileRev>();
  let c = start;
  for (;;) {
    for (const p of fileParents(repo, c)) visit.set(p.linkRev + ':' + latin1(p.node), p);
    if (visit.size === 0) return;
    let bestKey = '';
    let best: FileRev | undefined;
    for (const [k, v] of visit) {
      if (!best || v.linkRev > best.linkRev || (v.linkRev === best.linkRev && compareNodes(v.node, best.node) > 0)) {
        best = v;
        bestKey = k;
      }
    }
    visit.delete(bestKey);
    c = best!;
    yield c;
  }
}

function sameFileRev(a: FileRev, b: FileRev): boolean {
  return a.path === b.path && sameBytes(a.node, b.node);
}

/** copies._related: do two file revisions have a common ancestor? */
function related(repo: Repository, f1: FileRev, f2: FileRev): boolean {
  if (sameFileRev(f1, f2)) return true;
  const g1 = fileAncestors(repo, f1);
  const g2 = fileAncestors(repo, f2);
  for (;;) {
    if (f1.linkRev > f2.linkRev) {
      const n = g1.next();
      if (n.done) return false;
      f1 = n.value;
    } else if (f2.linkRev > f1.linkRev) {
      const n = g2.next();
      if (n.done) return false;
      f2 = n.value;
    } else return sameFileRev(f1, f2);
  }
}

// ---------------------------------------------------------------------------

/** copies.pathcopies(base, wctx). */
function pathCopiesToWorking(repo: Repository, mf: RevManifests, base: Rev, wc: WorkingCopySide): Map<string, string> {
  if (base === NULL_REV) return new Map();
  if (base === wc.p1) return new Map(wc.dirstateCopies);
  const a = ancestorRev(repo, wc.p1, base);
  let copies: Map<string, string>;
  if (a === base) {
    copies = chain(pathCopies(repo, base, wc.p1, { manifests: mf }), wc.dirstateCopies);
  } else {
    // combined: x = base, y = wctx, from their common ancestor a
    const xCopies = a === NULL_REV ? new Map<string, string>() : pathCopies(repo, a, base, { manifests: mf });
    const yCopies = chain(a === NULL_REV ? new Map() : pathCopies(repo, a, wc.p1, { manifests: mf }), wc.dirstateCopies);
    for (const k of [...xCopies.keys()]) {
      if (yCopies.has(k) && xCopies.get(k) === yCopies.get(k)) {
        xCopies.delete(k);
        yCopies.delete(k);
      }
    }
    // _reverse_renames(x_copies, x): renames back from base
    const back = new Map<string, string>();
    for (const k of [...xCopies.keys()].sort()) {
      const v = xCopies.get(k)!;
      if (mf.has(base, v)) continue;
      back.set(v, k);
    }
    copies = chain(back, yCopies);
  }
  // _filter(base, wctx, copies)
  for (const [k, v] of [...copies]) {
    if (k === v || !mf.has(base, v) || !wc.tracked(k)) copies.delete(k);
  }
  return copies;
}

/** copies._checksinglesidecopies. */
function checkSingleSideCopies(
  repo: Repository,
  src: string,
  dsts1: string[],
  m1: Manifest,
  m2: Manifest,
  mb: Manifest,
  c2FileNode: (f: string) => Uint8Array | undefined,
  copy: Map<string, string>,
  renamedelete: Map<string, string[]>,
): void {
  if (!has(m2, src)) {
    if (!has(m1, src)) renamedelete.set(src, dsts1);
    return;
  }
  if (!has(mb, src)) return;
  const nb = nodeOf(mb, src)!;
  const n2 = nodeOf(m2, src)!;
  if (!sameBytes(nb, n2)) {
    const c2node = c2FileNode(src);
    // _related(c2[src], base[src])
    if (c2node !== undefined && !related(repo, fileRev(repo, src, c2node), fileRev(repo, src, nb))) return;
  }
  if (!sameBytes(nb, n2) || mb.flags(fromLatin1(src)) !== m2.flags(fromLatin1(src))) {
    for (const dst of dsts1) copy.set(dst, src);
  }
}

/** pathutil.dirname. */
function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

function hasDir(m: Manifest, d: string): boolean {
  if (d === '') return m.size > 0;
  return m.hasDir(fromLatin1(d));
}

/** copies._dir_renames. */
function dirRenames(
  m: Manifest,
  copy: Map<string, string>,
  fullcopy: Map<string, string>,
  addedFiles: () => string[],
  debug?: (msg: string) => void,
): [Map<string, string>, Map<string, string>] {
  const invalid = new Set<string>();
  let dirmove = new Map<string, string>();
  for (const [dst, src] of fullcopy) {
    const dsrc = dirname(src);
    const ddst = dirname(dst);
    if (invalid.has(dsrc)) continue;
    else if (hasDir(m, dsrc) && hasDir(m, ddst)) invalid.add(dsrc);
    else if (dirmove.has(dsrc) && dirmove.get(dsrc) !== ddst) invalid.add(dsrc);
    else dirmove.set(dsrc, ddst);
  }
  for (const i of invalid) dirmove.delete(i);
  if (dirmove.size === 0) return [new Map(), new Map()];
  dirmove = new Map([...dirmove].map(([k, v]) => [k + '/', v + '/']));
  for (const [d, t] of dirmove) debug?.(`   discovered dir src: '${d}' -> dst: '${t}'\n`);
  const childrenFirst = [...dirmove.keys()].sort().reverse();
  const movewithdir = new Map<string, string>();
  for (const f of addedFiles()) {
    if (fullcopy.has(f)) continue;
    for (const d of childrenFirst) {
      if (f.startsWith(d)) {
        const df = dirmove.get(d)! + f.slice(d.length);
        if (!copy.has(df)) {
          movewithdir.set(f, df);
          debug?.(`   pending file src: '${f}' -> dst: '${df}'\n`);
        }
        break;
      }
    }
  }
  return [dirmove, movewithdir];
}

/** Files of `m` not in `base` (manifest.filesnotin). */
function filesNotIn(m: Manifest, base: Manifest): Set<string> {
  const out = new Set<string>();
  for (const e of m.entries()) if (!base.has(e.path)) out.add(latin1(e.path));
  return out;
}

/**
 * copies.mergecopies(repo, wctx, c2, base) with the default full copy
 * tracing. `m2`/`mb` are c2's and base's manifests.
 */
export function mergeCopies(
  repo: Repository,
  wc: WorkingCopySide,
  c2: Rev,
  base: Rev,
  mf: RevManifests,
  debug?: (msg: string) => void,
): MergeCopiesResult {
  const none = (): MergeCopiesResult => ({ side1: emptyBranchCopies(), side2: emptyBranchCopies(), diverge: new Map() });
  if (c2 === NULL_REV) return none();
  const m1 = wc.manifest;
  const m2 = mf.get(c2);
  const mb = base === NULL_REV ? undefined : mf.get(base);
  const copies1 = pathCopiesToWorking(repo, mf, base, wc);
  const copies2 = base === NULL_REV ? new Map<string, string>() : pathCopies(repo, base, c2, { manifests: mf });
  if (copies1.size === 0 && copies2.size === 0) return none();
  const mbm = mb!;

  const inv1 = new Map<string, string[]>();
  const inv2 = new Map<string, string[]>();
  for (const [dst, src] of copies1) (inv1.get(src) ?? inv1.set(src, []).get(src)!).push(dst);
  for (const [dst, src] of copies2) (inv2.get(src) ?? inv2.set(src, []).get(src)!).push(dst);

  const copy1 = new Map<string, string>();
  const copy2 = new Map<string, string>();
  const diverge = new Map<string, string[]>();
  const renamedelete1 = new Map<string, string[]>();
  const renamedelete2 = new Map<string, string[]>();
  const allSources = new Set([...inv1.keys(), ...inv2.keys()]);
  for (const src of allSources) {
    const dsts1 = inv1.get(src);
    const dsts2 = inv2.get(src);
    if (dsts1 && dsts2) {
      if (!has(m1, src) && !has(m2, src)) {
        const s1 = new Set(dsts1);
        const both = dsts2.filter((d) => s1.has(d));
        if (both.length > 0) {
          for (const dst of new Set(both)) {
            copy1.set(dst, src);
            copy2.set(dst, src);
          }
        } else diverge.set(src, [...new Set([...dsts1, ...dsts2])].sort());
      } else if (has(m1, src) && has(m2, src)) {
        const s1 = new Set(dsts1);
        for (const dst of new Set(dsts2)) {
          if (s1.has(dst)) {
            copy1.set(dst, src);
            copy2.set(dst, src);
          }
        }
      }
    } else if (dsts1) {
      checkSingleSideCopies(repo, src, dsts1, m1, m2, mbm, (f) => nodeOf(m2, f), copy1, renamedelete1);
    } else if (dsts2) {
      // c1 is the working copy: its file revision of src is p1's (a working file is never "related" by node)
      checkSingleSideCopies(repo, src, dsts2, m2, m1, mbm, (f) => (wc.p1 === NULL_REV ? undefined : mf.node(wc.p1, f)), copy2, renamedelete2);
    }
  }

  let cache: [string[], string[]] | undefined;
  const added = (idx: 0 | 1): string[] => {
    if (!cache) {
      const a1 = filesNotIn(m1, mbm);
      const a2 = filesNotIn(m2, mbm);
      cache = [[...a1].filter((f) => !a2.has(f)).sort(), [...a2].filter((f) => !a1.has(f)).sort()];
    }
    return cache[idx];
  };
  if (debug) {
    const u1 = added(0);
    const u2 = added(1);
    if (u1.length) debug(`  unmatched files in local:\n   ${u1.join('\n   ')}\n`);
    if (u2.length) debug(`  unmatched files in other:\n   ${u2.join('\n   ')}\n`);
    const divergeSet = new Set([...diverge.values()].flat());
    const rdSet = new Set([...renamedelete1.values(), ...renamedelete2.values()].flat());
    debug('  all copies found (* = to merge, ! = divergent, % = renamed and deleted):\n');
    for (const [side, copies] of [
      ['local', copies1],
      ['remote', copies2],
    ] as const) {
      if (copies.size === 0) continue;
      debug(`   on ${side} side:\n`);
      for (const f of [...copies.keys()].sort()) {
        let note = '';
        if (copy1.has(f) || copy2.has(f)) note += '*';
        if (divergeSet.has(f)) note += '!';
        if (rdSet.has(f)) note += '%';
        debug(`    src: '${copies.get(f)}' -> dst: '${f}' ${note}\n`);
      }
    }
  }
  debug?.('  checking for directory renames\n');
  const [dirmove1, movewithdir2] = dirRenames(m1, copy1, copies1, () => added(1), debug);
  const [dirmove2, movewithdir1] = dirRenames(m2, copy2, copies2, () => added(0), debug);
  return {
    side1: { copy: copy1, renamedelete: renamedelete1, dirmove: dirmove1, movewithdir: movewithdir1 },
    side2: { copy: copy2, renamedelete: renamedelete2, dirmove: dirmove2, movewithdir: movewithdir2 },
    diverge,
  };
}

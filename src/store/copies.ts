// Copies and renames between two revisions, as hg's copies.pathcopies finds
// them with filelog copy metadata (the default, non-changeset-centric mode):
//
//  - forward (x is an ancestor of y): every file of y missing from x is
//    traced back through its file ancestors (copy sources included) to a
//    file revision present in x;
//  - backward (y is an ancestor of x): forward copies from y to x, reversed,
//    keeping only renames (the source no longer exists in x);
//  - otherwise both sides from their common ancestor, chained;
//
// and finally the invalid pairs (source missing from x, destination missing
// from y, a file copied onto itself) are dropped.
//
// Paths are latin1 strings of their bytes (map keys); a copies map is
// destination -> source.
import type { Manifest } from '../manifest/manifest.js';
import { fromLatin1, latin1 } from '../core/bytes.js';
import { NULL_REV, type Node, type Rev, nodeKey } from '../core/node.js';
import { DiffKind, diffManifestTexts } from '../manifest/manifest-diff.js';
import type { Filelog } from '../filelog/filelog.js';
import type { Repository } from './repo.js';

export type PathPredicate = (latin1Path: string) => boolean;

/** Manifests of changesets, read once per command (lowest revision first, for delta reuse). */
export class RevManifests {
  private readonly cache = new Map<Rev, Manifest>();

  constructor(readonly repo: Repository) {}

  get(rev: Rev): Manifest {
    let m = this.cache.get(rev);
    if (!m) {
      m = this.repo.manifestLog.get(this.repo.changelog.read(rev).manifest).read();
      this.cache.set(rev, m);
    }
    return m;
  }

  /** Reads the given revisions' manifests in increasing revision order. */
  preload(revs: readonly Rev[]): void {
    for (const r of [...revs].sort((a, b) => a - b)) this.get(r);
  }

  text(rev: Rev): Uint8Array {
    return rev === NULL_REV ? EMPTY : this.get(rev).text();
  }

  has(rev: Rev, path: string): boolean {
    return rev !== NULL_REV && this.get(rev).get(fromLatin1(path)) !== undefined;
  }

  node(rev: Rev, path: string): Node | undefined {
    return rev === NULL_REV ? undefined : this.get(rev).get(fromLatin1(path))?.node;
  }
}

const EMPTY = new Uint8Array(0);

function sameNode(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.length < 20) return false;
  for (let i = 0; i < 20; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Changelog ancestry (hg's ancestor.commonancestorsheads / ancestors)

type ParentFn = (rev: Rev) => readonly [Rev, Rev];

/** heads(::a and ::b) */
export function commonAncestorsHeads(parents: ParentFn, a: Rev, b: Rev): Rev[] {
  if (a === NULL_REV || b === NULL_REV) return [];
  if (a === b) return [a];
  const nodes = [a, b];
  const allSeen = 3;
  const poison = 4;
  const seen = new Uint8Array(Math.max(a, b) + 1);
  seen[a] = 1;
  seen[b] = 2;
  const gca: Rev[] = [];
  let interesting = 2;
  for (let v = seen.length - 1; v >= 0 && interesting > 0; v--) {
    let sv = seen[v]!;
    if (!sv) continue;
    if (sv < poison) {
      interesting--;
      if (sv === allSeen) {
        gca.push(v);
        sv |= poison;
        if (nodes.includes(v)) return [v];
      }
    }
    const ps = parents(v);
    if (sv < poison) {
      for (const p of ps) {
        if (p === NULL_REV) continue;
        const sp = seen[p]!;
        if (sp === 0) {
          seen[p] = sv;
          interesting++;
        } else if (sp !== sv) seen[p] = sp | sv;
      }
    } else {
      for (const p of ps) {
        if (p === NULL_REV) continue;
        const sp = seen[p]!;
        if (sp && sp < poison) interesting--;
        seen[p] = sv;
      }
    }
  }
  return gca;
}

/** The common ancestors heads that are furthest from a root (hg's ancestor.ancestors' `deepest`). */
function deepest(parents: ParentFn, nodes: Rev[]): Rev[] {
  // Rare path (criss-cross merges): bit sets as BigInt keep it exact for any number of heads.
  const sorted = [...nodes].sort((x, y) => x - y);
  const count = sorted[sorted.length - 1]! + 1;
  const depth = new Int32Array(count);
  const seen: bigint[] = new Array<bigint>(count).fill(0n);
  const interesting = new Map<bigint, number>();
  const mapping: [bigint, Rev][] = [];
  sorted.forEach((n, i) => {
    depth[n] = 1;
    const bit = 1n << BigInt(i);
    seen[n] = bit;
    interesting.set(bit, 1);
    mapping.push([bit, n]);
  });
  const dec = (k: bigint): void => {
    const c = interesting.get(k)! - 1;
    if (c === 0) interesting.delete(k);
    else interesting.set(k, c);
  };
  for (let v = count - 1; v >= 0 && interesting.size > 1; v--) {
    const dv = depth[v]!;
    if (dv === 0) continue;
    const sv = seen[v]!;
    for (const p of parents(v)) {
      if (p === NULL_REV) continue;
      const dp = depth[p]!;
      const sp = seen[p]!;
      if (dp <= dv) {
        depth[p] = dv + 1;
        if (sp !== sv) {
          interesting.set(sv, (interesting.get(sv) ?? 0) + 1);
          seen[p] = sv;
          if (sp) dec(sp);
        }
      } else if (dv === dp - 1) {
        const nsp = sp | sv;
        if (nsp === sp) continue;
        seen[p] = nsp;
        interesting.set(nsp, (interesting.get(nsp) ?? 0) + 1);
        dec(sp);
      }
    }
    dec(sv);
  }
  if (interesting.size !== 1) return [];
  let k = 0n;
  for (const i of interesting.keys()) k |= i;
  return mapping.filter(([bit]) => (k & bit) !== 0n).map(([, n]) => n);
}

/**
 * hg's changectx.ancestor: the single common ancestor head when there is
 * one, else the deepest heads with the smallest node as tie-break (the
 * default merge.preferancestor=* names no revision).
 */
export function ancestorRev(repo: Repository, a: Rev, b: Rev): Rev {
  const cl = repo.changelog;
  const parents: ParentFn = (r) => cl.parentRevs(r);
  const heads = commonAncestorsHeads(parents, a, b);
  if (heads.length === 0) return NULL_REV;
  if (heads.length === 1) return heads[0]!;
  const best = deepest(parents, heads);
  if (best.length === 0) return NULL_REV;
  let win = best[0]!;
  for (const r of best) if (compareNodes(cl.node(r), cl.node(win)) < 0) win = r;
  return win;
}

/** Bytewise order of two nodes (the first 20 bytes). */
export function compareNodes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 20; i++) {
    const d = a[i]! - b[i]!;
    if (d) return d;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// File ancestry (hg's filectx.ancestors, following copy sources)

export interface FileRev {
  path: string;
  fl: Filelog;
  rev: Rev;
  node: Node;
  linkRev: Rev;
}

/** A file revision by path (latin1) and node (a manifest's 21st byte is dropped). */
export function fileRev(repo: Repository, path: string, node: Uint8Array, fl?: Filelog): FileRev {
  const f = fl ?? repo.file(fromLatin1(path));
  const n = node.subarray(0, 20);
  const rev = f.revlog.rev(n);
  return { path, fl: f, rev, node: n, linkRev: f.linkRev(rev) };
}

/** filectx.parents(): the copy source first (when recorded), then the non-null filelog parents. */
export function fileParents(repo: Repository, c: FileRev): FileRev[] {
  const out: FileRev[] = [];
  const [p1, p2] = c.fl.parentRevs(c.rev);
  for (const p of [p1, p2]) {
    if (p === NULL_REV) continue;
    out.push({ path: c.path, fl: c.fl, rev: p, node: c.fl.revlog.node(p), linkRev: c.fl.linkRev(p) });
  }
  const copied = c.fl.renamed(c.rev);
  if (copied) out.unshift(fileRev(repo, latin1(copied.path), copied.node));
  return out;
}

/**
 * hg's _tracefile: walks the file's ancestors, highest (linkrev, filenode)
 * first, and returns the first path whose revision is in `am` or `baseRev`'s
 * manifest.
 */
function traceFile(repo: Repository, mf: RevManifests, start: FileRev, am: Rev, base: Rev): string | undefined {
  const visit = new Map<string, FileRev>();
  let c = start;
  for (;;) {
    for (const p of fileParents(repo, c)) visit.set(p.linkRev + ':' + nodeKey(p.node), p);
    if (visit.size === 0) return undefined;
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
    if (sameNode(mf.node(am, c.path), c.node)) return c.path;
    if (base !== am && sameNode(mf.node(base, c.path), c.node)) return c.path;
  }
}

// ---------------------------------------------------------------------------
// pathcopies

/** Files of b that are not in a (and match), in path order. */
function forwardMissing(
  repo: Repository,
  mf: RevManifests,
  a: Rev,
  b: Rev,
  match: PathPredicate | undefined,
  known?: readonly string[],
): readonly string[] {
  let out: readonly string[];
  if (known) out = known;
  else {
    const found: string[] = [];
    diffManifestTexts(mf.text(a), mf.text(b), (kind, text, s, z) => {
      if (kind !== DiffKind.Added) return;
      const p = latin1(text, s, z);
      if (!match || match(p)) found.push(p);
    });
    out = found;
  }
  const [p1, p2] = repo.changelog.parentRevs(b);
  if (p1 === a && p2 === NULL_REV) {
    // hg looks only at the files the changeset lists (its fast path for a
    // commit against its parent); a file new in b but not listed is not traced.
    const files = new Set(repo.changelog.read(b).files.map((f) => latin1(f)));
    out = out.filter((f) => files.has(f));
  }
  return out;
}

/** hg's _committedforwardcopies: {dst@b: src@a} for an ancestor a of b. */
function forwardCopies(
  repo: Repository,
  mf: RevManifests,
  a: Rev,
  b: Rev,
  base: Rev,
  match: PathPredicate | undefined,
  missing?: readonly string[],
): Map<string, string> {
  const cm = new Map<string, string>();
  // Nothing can be found in an empty manifest.
  if (a === NULL_REV && base === NULL_REV) return cm;
  const files = forwardMissing(repo, mf, a, b, match, missing);
  for (const f of files) {
    const node = mf.node(b, f);
    if (!node) continue;
    const found = traceFile(repo, mf, fileRev(repo, f, node), a, base);
    if (found !== undefined) cm.set(f, found);
  }
  return cm;
}

/** hg's _reverse_renames: copies to `dst` turned into renames from it. */
function reverseRenames(mf: RevManifests, copies: Map<string, string>, dst: Rev, match: PathPredicate | undefined): Map<string, string> {
  const r = new Map<string, string>();
  for (const k of [...copies.keys()].sort()) {
    const v = copies.get(k)!;
    if (match && !match(v)) continue;
    if (mf.has(dst, v)) continue;
    r.set(v, k);
  }
  return r;
}

/** copies._chain. */
export function chain(prefix: Map<string, string>, suffix: Map<string, string>): Map<string, string> {
  const result = new Map(prefix);
  for (const [k, v] of suffix) result.set(k, prefix.get(v) ?? v);
  return result;
}

function filterCopies(mf: RevManifests, src: Rev, dst: Rev, t: Map<string, string>): void {
  for (const [k, v] of [...t]) {
    if (k === v || !mf.has(src, v) || !mf.has(dst, k)) t.delete(k);
  }
}

export interface PathCopiesOptions {
  /** Only destinations (sources, for renames found backwards) matching this. */
  match?: PathPredicate;
  /** Manifest cache to share with the caller. */
  manifests?: RevManifests;
  /**
   * When already known: the matching files of y missing from x, in path
   * order (the status' added list). Used only when x is an ancestor of y.
   */
  addedInY?: readonly string[];
}

/** hg's copies.pathcopies(x, y, match): {dst@y: src@x}. */
export function pathCopies(repo: Repository, x: Rev, y: Rev, opts: PathCopiesOptions = {}): Map<string, string> {
  if (x === y || x === NULL_REV || y === NULL_REV) return new Map();
  const mf = opts.manifests ?? new RevManifests(repo);
  const match = opts.match;
  const a = ancestorRev(repo, y, x);
  let copies: Map<string, string>;
  if (a === x) {
    copies = forwardCopies(repo, mf, x, y, x, match, opts.addedInY);
  } else if (a === y) {
    copies = reverseRenames(mf, forwardCopies(repo, mf, y, x, y, undefined), x, match);
  } else {
    const base = a !== NULL_REV ? x : a;
    const xCopies = forwardCopies(repo, mf, a, x, a, undefined);
    const yCopies = forwardCopies(repo, mf, a, y, base, match);
    for (const k of [...xCopies.keys()]) {
      if (yCopies.has(k) && xCopies.get(k) === yCopies.get(k)) {
        xCopies.delete(k);
        yCopies.delete(k);
      }
    }
    copies = chain(reverseRenames(mf, xCopies, x, match), yCopies);
  }
  filterCopies(mf, x, y, copies);
  return copies;
}

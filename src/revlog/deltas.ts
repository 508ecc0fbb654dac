// Delta base selection when appending a revision, with the rules of hg 6.3.2
// (mercurial/revlogutils/deltas.py), so that hgkit's revlogs have the chain
// shapes hg would give them:
//
// - Candidates come in groups, best first: the parents (both at once, keeping
//   the smaller delta), then for sparse-revlog the snapshots of the parents'
//   chains (deepest level first, with their existing child snapshots), then
//   the full snapshots since the parents' chain base; without sparse-revlog,
//   the previous revision. A non-generaldelta revlog only ever deltas against
//   the previous revision (its chain is base..rev). A revlog that stores no
//   delta chains (the changelog) always stores full texts.
// - A candidate is skipped or rejected when the delta is larger than the
//   text, when the chain's compressed size would exceed twice the text, when
//   the chain would be longer than maxChainLen (1000 with sparse-revlog),
//   without sparse-revlog when the read span exceeds 4 × the text, and for
//   intermediate snapshots when the delta exceeds text >> depth or the base
//   snapshot's own size.
// - With sparse-revlog, a good snapshot base is then refined: down its chain
//   and up to its child snapshots, keeping the smallest delta.
// - No candidate passes: a full snapshot.
//
// Deltas handed in by the caller (`cachedDelta`, e.g. the manifest's fast
// delta against p1) are reused when their base is the candidate, which is
// what keeps a commit's cost independent of the manifest's size.

import { NULL_REV, type Rev } from '../core/node.js';
import type { ChunkParts } from '../compress/engine.js';
import { bdiff, replaceDelta } from './bdiff.js';
import { REVIDX_EXTSTORED, REVIDX_ISCENSORED } from './constants.js';

/** hg's LIMIT_DELTA2TEXT: the chain's compressed size may be at most twice the text. */
const LIMIT_DELTA2TEXT = 2;
/** hg's LIMIT_BASE2TEXT (sparse): bases 500× smaller than the text are not tried. */
const LIMIT_BASE2TEXT = 500;
/** Flags whose raw text differs from the text: never delta bases. */
const RAWTEXT_CHANGING_FLAGS = REVIDX_ISCENSORED | REVIDX_EXTSTORED;

/** hg's SPARSE_REVLOG_MAX_CHAIN_LENGTH. */
export const SPARSE_REVLOG_MAX_CHAIN_LENGTH = 1000;

/** The index data and texts delta selection reads (a Revlog fits). */
export interface DeltaSource {
  readonly length: number;
  readonly generalDelta: boolean;
  /** The index's base field. */
  baseRev(rev: Rev): Rev;
  compressedLength(rev: Rev): number;
  rawSize(rev: Rev): number;
  start(rev: Rev): number;
  flags(rev: Rev): number;
  /** Parent revisions as stored. */
  parentRevs(rev: Rev): [Rev, Rev];
  /** Raw text of a revision (no hash check). */
  rawText(rev: Rev): Uint8Array;
}

export interface DeltaConfig {
  /** False for the changelog: every revision is a full text. */
  storeDeltaChains: boolean;
  /** sparse-revlog requirement. */
  sparse: boolean;
  /** format.maxchainlen; undefined or 0: unlimited. */
  maxChainLen?: number;
  /** experimental.maxdeltachainspan (default -1: 4 × text size). */
  maxDeltaChainSpan?: number;
  /** storage.revlog.optimize-delta-parent-choice (default true): try both parents at once. */
  deltaBothParents?: boolean;
  /** storage.revlog.reuse-external-delta (default true): reuse a given delta when its base is tried. */
  lazyDelta?: boolean;
  /**
   * storage.revlog.reuse-external-delta-parent: try a given delta's base first,
   * and keep it when good. Default true, as hg's (`not format.generaldelta`,
   * which is false by default).
   */
  lazyDeltaBase?: boolean;
  /** Expected best compression ratio (manifests: 3), used to skip hopeless snapshot bases. */
  upperBoundComp?: number;
  /** The revlog is censorable (filelogs): censored bases get full-replacement deltas. */
  censorable?: boolean;
}

/** A revision about to be stored. */
export interface RevisionInfo {
  text: Uint8Array;
  p1: Rev;
  p2: Rev;
  flags: number;
  /** A delta of `text` against revision `base`, if the caller has one. */
  cachedDelta?: { base: Rev; delta: Uint8Array };
}

/** The chosen storage of a revision (hg's _deltainfo). */
export interface DeltaInfo {
  /** Bytes read to rebuild the revision, from its chain base's start. */
  distance: number;
  /** Stored chunk length. */
  deltaLen: number;
  chunk: ChunkParts;
  /** The index base field: the delta parent (generaldelta), the chain base (legacy), or the revision itself (full text). */
  base: Rev;
  chainBase: Rev;
  chainLen: number;
  compressedDeltaLen: number;
  /** Snapshot depth when the revision is a snapshot (0: full), else undefined. */
  snapshotDepth: number | undefined;
}

/**
 * Chooses how to store new revisions of one revlog. Keeps per-revision caches
 * (chain info, snapshot status): revisions never change once written; call
 * reset() if the revlog was truncated.
 */
export class DeltaComputer {
  private chainInfoCache = new Map<Rev, [number, number]>();
  private chainBaseCache = new Map<Rev, Rev>();
  private snapshotCache = new Map<Rev, boolean>();

  constructor(
    private readonly src: DeltaSource,
    private readonly cfg: DeltaConfig,
    private readonly compress: (data: Uint8Array) => ChunkParts,
  ) {}

  reset(): void {
    this.chainInfoCache = new Map();
    this.chainBaseCache = new Map();
    this.snapshotCache = new Map();
  }

  private length(rev: Rev): number {
    return this.src.compressedLength(rev);
  }

  private end(rev: Rev): number {
    return rev < 0 ? 0 : this.src.start(rev) + this.src.compressedLength(rev);
  }

  deltaParent(rev: Rev): Rev {
    const base = this.src.baseRev(rev);
    if (base === rev) return NULL_REV;
    return this.src.generalDelta ? base : rev - 1;
  }

  chainBase(rev: Rev): Rev {
    const cached = this.chainBaseCache.get(rev);
    if (cached !== undefined) return cached;
    let r = rev;
    let base = this.src.baseRev(r);
    while (base !== r) {
      r = base;
      base = this.src.baseRev(r);
    }
    this.chainBaseCache.set(rev, base);
    return base;
  }

  /** [number of deltas in the chain, compressed size of the chain including its base]. */
  chainInfo(rev: Rev): [number, number] {
    const cached = this.chainInfoCache.get(rev);
    if (cached) return cached;
    const gd = this.src.generalDelta;
    let r = rev;
    let clen = 0;
    let size = 0;
    let hit = false;
    while (r !== this.src.baseRev(r)) {
      clen++;
      size += this.length(r);
      r = gd ? this.src.baseRev(r) : r - 1;
      const c = this.chainInfoCache.get(r);
      if (c) {
        clen += c[0];
        size += c[1];
        hit = true;
        break;
      }
    }
    if (!hit) size += this.length(r);
    const res: [number, number] = [clen, size];
    this.chainInfoCache.set(rev, res);
    return res;
  }

  /** Revisions whose chunks rebuild `rev`, chain base first. */
  deltaChain(rev: Rev): Rev[] {
    const chain: Rev[] = [];
    const gd = this.src.generalDelta;
    let r = rev;
    while (r !== this.src.baseRev(r)) {
      chain.push(r);
      r = gd ? this.src.baseRev(r) : r - 1;
    }
    chain.push(r);
    return chain.reverse();
  }

  /**
   * hg's issnapshot. Without sparse-revlog: full texts only. With it, also
   * intermediate snapshots: deltas against a snapshot that is neither parent
   * (parents with empty deltas are looked through).
   */
  isSnapshot(rev: Rev): boolean {
    if (!this.cfg.sparse) return rev === NULL_REV || this.deltaParent(rev) === NULL_REV;
    const seen: Rev[] = [];
    let result = false;
    let r = rev;
    for (;;) {
      if (r < 0) {
        result = r === NULL_REV;
        break;
      }
      const cached = this.snapshotCache.get(r);
      if (cached !== undefined) {
        result = cached;
        break;
      }
      seen.push(r);
      let base = this.src.baseRev(r);
      if (base === r) base = NULL_REV;
      if (base === NULL_REV) {
        result = true;
        break;
      }
      let [p1, p2] = this.src.parentRevs(r);
      while (p1 >= 0 && this.length(p1) === 0) {
        const b = this.src.baseRev(p1);
        if (b === p1) break;
        p1 = b;
      }
      while (p2 >= 0 && this.length(p2) === 0) {
        const b = this.src.baseRev(p2);
        if (b === p2) break;
        p2 = b;
      }
      if (base === p1 || base === p2) {
        result = false;
        break;
      }
      r = base;
    }
    for (const s of seen) this.snapshotCache.set(s, result);
    return result;
  }

  snapshotDepth(rev: Rev): number {
    return this.deltaChain(rev).length - 1;
  }

  /** Snapshots from startRev on, grouped by their delta parent (hg's _findsnapshots). */
  private findSnapshots(cache: Map<Rev, Rev[]>, startRev: Rev): void {
    for (let r = Math.max(0, startRev); r < this.src.length; r++) {
      if (this.isSnapshot(r)) listOf(cache, this.deltaParent(r)).push(r);
    }
  }

  /** The storage of a new revision (to be appended as revision `src.length`). */
  find(info: RevisionInfo): DeltaInfo {
    const target = this.src.length;
    const textLen = info.text.length;
    if (textLen === 0 || info.flags & RAWTEXT_CHANGING_FLAGS) return this.fullSnapshot(info, target);
    const groups = this.candidateGroups(textLen, info.p1, info.p2, info.cachedDelta);
    let cands = groups.next().value;
    let best: DeltaInfo | undefined;
    while (cands) {
      const nominated: DeltaInfo[] = best ? [best] : [];
      for (const c of cands) {
        if (c >= target) continue;
        const d = this.buildDeltaInfo(info, c);
        if (d && this.isGood(d, textLen)) nominated.push(d);
      }
      if (nominated.length > 0) {
        best = nominated[0]!;
        for (const d of nominated) if (d.deltaLen < best.deltaLen) best = d;
      }
      cands = groups.next(best ? best.base : null).value;
    }
    return best ?? this.fullSnapshot(info, target);
  }

  private fullSnapshot(info: RevisionInfo, target: Rev): DeltaInfo {
    const chunk = this.compress(info.text);
    const len = chunk.header.length + chunk.data.length;
    return {
      distance: len,
      deltaLen: len,
      chunk,
      base: target,
      chainBase: target,
      chainLen: 1,
      compressedDeltaLen: len,
      snapshotDepth: 0,
    };
  }

  private buildDeltaInfo(info: RevisionInfo, base: Rev): DeltaInfo | undefined {
    const cfg = this.cfg;
    const chainBase = this.chainBase(base);
    const deltaBase = this.src.generalDelta ? base : chainBase;
    let snapshotDepth: number | undefined;
    if (cfg.sparse && deltaBase === NULL_REV) snapshotDepth = 0;
    else if (cfg.sparse && this.isSnapshot(deltaBase)) {
      if (deltaBase !== info.p1 && deltaBase !== info.p2) snapshotDepth = this.deltaChain(deltaBase).length;
    }
    let delta: Uint8Array | undefined;
    if (info.cachedDelta) {
      let cur = info.cachedDelta.base;
      while (cur !== NULL_REV && cur !== base && this.length(cur) === 0) cur = this.deltaParent(cur);
      if ((cfg.lazyDelta ?? true) && cur === base) delta = info.cachedDelta.delta;
    }
    if (delta === undefined) {
      if (cfg.censorable && this.src.flags(base) & REVIDX_ISCENSORED) {
        delta = replaceDelta(this.src.rawSize(base), info.text);
      } else {
        delta = bdiff(this.src.rawText(base), info.text);
      }
    }
    const textLen = info.text.length;
    if (cfg.upperBoundComp !== undefined && snapshotDepth) {
      const lowest = Math.floor(delta.length / cfg.upperBoundComp);
      const limit = Math.floor(textLen / 2 ** snapshotDepth);
      if (limit < lowest) return undefined;
      if (this.length(base) < lowest) return undefined;
    }
    const chunk = this.compress(delta);
    const deltaLen = chunk.header.length + chunk.data.length;
    const offset = this.end(this.src.length - 1);
    const distance = deltaLen + offset - this.src.start(chainBase);
    const [clen, csize] = this.chainInfo(base);
    return {
      distance,
      deltaLen,
      chunk,
      base: deltaBase,
      chainBase,
      chainLen: clen + 1,
      compressedDeltaLen: csize + deltaLen,
      snapshotDepth,
    };
  }

  /** hg's isgooddeltainfo. */
  private isGood(d: DeltaInfo, textLen: number): boolean {
    const cfg = this.cfg;
    let maxDist = cfg.maxDeltaChainSpan ?? -1;
    if (!maxDist) maxDist = d.distance;
    maxDist = Math.max(maxDist, textLen * 4);
    if (!cfg.sparse && maxDist < d.distance) return false;
    if (textLen < d.deltaLen) return false;
    if (textLen * LIMIT_DELTA2TEXT < d.compressedDeltaLen) return false;
    if (cfg.maxChainLen && cfg.maxChainLen < d.chainLen) return false;
    if (d.snapshotDepth !== undefined && Math.floor(textLen / 2 ** d.snapshotDepth) < d.deltaLen) return false;
    if (d.snapshotDepth && this.length(d.base) < d.deltaLen) return false;
    return true;
  }

  /** hg's _candidategroups: filtered groups; receives the current best base after each group. */
  private *candidateGroups(
    textLen: number,
    p1: Rev,
    p2: Rev,
    cachedDelta: RevisionInfo['cachedDelta'],
  ): Generator<Rev[] | null, void, Rev | null | undefined> {
    const cfg = this.cfg;
    if (!(this.src.length && cfg.storeDeltaChains)) {
      yield null;
      return;
    }
    const gd = this.src.generalDelta;
    const sparse = cfg.sparse;
    const deltasLimit = textLen * LIMIT_DELTA2TEXT;
    const tested = new Set<Rev>([NULL_REV]);
    const candidates = this.refinedGroups(p1, p2, cachedDelta);
    let good: Rev | null = null;
    let first = true;
    for (;;) {
      const step = first ? candidates.next() : candidates.next(good);
      first = false;
      const tentative = step.done ? null : step.value;
      if (!tentative) break;
      const group: Rev[] = [];
      for (let rev of tentative) {
        // look through empty deltas (they add nothing to a chain)
        while (gd && !(rev === NULL_REV || tested.has(rev) || this.length(rev))) {
          tested.add(rev);
          rev = this.deltaParent(rev);
        }
        if (rev === NULL_REV) continue;
        if (tested.has(rev)) continue;
        tested.add(rev);
        if (deltasLimit < this.length(rev)) continue;
        if (sparse && this.src.rawSize(rev) < Math.floor(textLen / LIMIT_BASE2TEXT)) continue;
        if (this.src.flags(rev) & RAWTEXT_CHANGING_FLAGS) continue;
        const [chainLen, chainSize] = this.chainInfo(rev);
        if (cfg.maxChainLen && chainLen >= cfg.maxChainLen) continue;
        if (deltasLimit < chainSize) continue;
        if (sparse && cfg.upperBoundComp !== undefined) {
          if (rev !== p1 && rev !== p2 && rev !== NULL_REV && this.isSnapshot(rev)) {
            const depth = this.snapshotDepth(rev);
            const distance = Math.max(textLen - this.src.rawSize(rev), 0);
            const lowest = Math.floor(distance / cfg.upperBoundComp);
            if (Math.floor(textLen / 2 ** depth) < lowest) continue;
            if (this.length(rev) < lowest) continue;
          }
        }
        group.push(rev);
      }
      if (group.length > 0) {
        const got = yield group;
        good = got ?? null;
      }
    }
    yield null;
  }

  /** hg's _refinedgroups. */
  private *refinedGroups(
    p1: Rev,
    p2: Rev,
    cachedDelta: RevisionInfo['cachedDelta'],
  ): Generator<Rev[] | null, void, Rev | null | undefined> {
    let good: Rev | null | undefined = null;
    if (cachedDelta && this.src.generalDelta && (this.cfg.lazyDeltaBase ?? true)) {
      good = yield [cachedDelta.base];
      if (good !== null && good !== undefined) {
        yield null;
        return;
      }
    }
    const snapshots = new Map<Rev, Rev[]>();
    const raw = this.rawGroups(p1, p2, snapshots);
    for (let step = raw.next(); !step.done; step = raw.next()) {
      good = yield step.value;
      if (good !== null && good !== undefined) break;
    }
    if (!this.cfg.sparse) {
      yield null;
      return;
    }
    if (good !== null && good !== undefined && good !== p1 && good !== p2 && this.isSnapshot(good)) {
      // refine down: the snapshot's own bases
      let previous: Rev | null | undefined = null;
      while (previous !== good) {
        previous = good;
        const base = this.deltaParent(good!);
        if (base === NULL_REV) break;
        good = yield [base];
      }
      // refine up: snapshots built on the current best
      if (snapshots.size === 0) this.findSnapshots(snapshots, good! + 1);
      previous = null;
      while (good !== previous) {
        previous = good;
        const children = listOf(snapshots, good!).slice().sort((a, b) => a - b);
        good = yield children;
      }
    }
    yield null;
  }

  /** hg's _rawgroups: candidate groups in order of expected quality. */
  private *rawGroups(p1: Rev, p2: Rev, snapshots: Map<Rev, Rev[]>): Generator<Rev[], void, unknown> {
    const gd = this.src.generalDelta;
    const sparse = gd && this.cfg.sparse;
    const prev = this.src.length - 1;
    let parents: Rev[] = [];
    if (gd) {
      parents = [p1, p2].filter((p) => p !== NULL_REV);
      if (!(this.cfg.deltaBothParents ?? true) && parents.length === 2) {
        parents.sort((a, b) => a - b);
        yield [parents[1]!];
        yield [parents[0]!];
      } else if (parents.length > 0) {
        yield parents;
      }
    }
    if (sparse && parents.length > 0) {
      // snapshots in the parents' chains, by depth
      const parentsSnaps = new Map<number, Set<Rev>>();
      const chains = parents.map((p) => this.deltaChain(p));
      for (const chain of chains) {
        for (let idx = 0; idx < chain.length; idx++) {
          const s = chain[idx]!;
          if (!this.isSnapshot(s)) break;
          setOf(parentsSnaps, idx).add(s);
        }
      }
      const snapFloor = Math.min(...setOf(parentsSnaps, 0)) + 1;
      this.findSnapshots(snapshots, snapFloor);
      // the highest revision outside the parents' chains may bring a better snapshot chain
      const allRevs = new Set<Rev>();
      for (const chain of chains) for (const r of chain) allRevs.add(r);
      let other: Rev | undefined;
      for (let r = prev; r >= snapFloor; r--) {
        if (!allRevs.has(r)) {
          other = r;
          break;
        }
      }
      if (other !== undefined) {
        const maxDepth = Math.max(...parentsSnaps.keys());
        const chain = this.deltaChain(other);
        for (let idx = 0; idx < chain.length; idx++) {
          const s = chain[idx]!;
          if (s < snapFloor) continue;
          if (maxDepth < idx) break;
          if (!this.isSnapshot(s)) break;
          setOf(parentsSnaps, idx).add(s);
        }
      }
      // deepest level first: existing child snapshots, then the level's snapshots
      let floor: Rev | undefined;
      const levels = [...parentsSnaps.entries()].sort((a, b) => b[0] - a[0]);
      for (const [, snaps] of levels) {
        let siblings = new Set<Rev>();
        for (const s of snaps) for (const c of listOf(snapshots, s)) siblings.add(c);
        if (floor !== undefined) {
          const f = floor;
          siblings = new Set([...siblings].filter((r) => f < r));
        }
        yield [...siblings].sort((a, b) => a - b);
        yield [...snaps].sort((a, b) => a - b);
        floor = Math.min(...snaps);
      }
      // full snapshots since the floor
      yield listOf(snapshots, NULL_REV).slice();
    }
    if (!sparse) yield [prev];
  }
}

function listOf(m: Map<Rev, Rev[]>, k: Rev): Rev[] {
  let l = m.get(k);
  if (!l) {
    l = [];
    m.set(k, l);
  }
  return l;
}

function setOf(m: Map<number, Set<Rev>>, k: number): Set<Rev> {
  let s = m.get(k);
  if (!s) {
    s = new Set();
    m.set(k, s);
  }
  return s;
}

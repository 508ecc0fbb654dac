// hg's copies.pathcopies(x, y, match) when x or y is the working copy:
// committed copies (store/copies.ts) chained with the dirstate's copy
// records, with hg's forward / backward / combined cases and _filter.
//
// A side is a revision number or 'wdir'. Paths are latin1 strings.

import type { Manifest } from '../manifest/manifest.js';
import { fromLatin1, latin1 } from '../core/bytes.js';
import { NULL_REV, type Rev } from '../core/node.js';
import type { Repository } from '../store/repo.js';
import { type PathPredicate, RevManifests, ancestorRev, pathCopies } from '../store/copies.js';
import { F_WC_TRACKED, type DirstateMap } from '../dirstate/dirstate-map.js';

export type Side = Rev | 'wdir';

/** hg's _dirstatecopies: copy records of tracked (and matching) files. */
export function dirstateCopies(map: DirstateMap, match: PathPredicate | undefined): Map<string, string> {
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

export interface WdirCopiesInput {
  repo: Repository;
  map: DirstateMap;
  /** The working copy's first parent. */
  p1: Rev;
  manifests?: RevManifests;
}

/** copies.pathcopies(x, y, match) with either side possibly the working copy. */
export function pathCopiesWdir(inp: WdirCopiesInput, x: Side, y: Side, match: PathPredicate | undefined): Map<string, string> {
  const { repo, map, p1 } = inp;
  const mf = inp.manifests ?? new RevManifests(repo);
  if (x === y || x === NULL_REV || y === NULL_REV) return new Map();
  if (x !== 'wdir' && y !== 'wdir') return pathCopies(repo, x, y, { match, manifests: mf });
  if (y === 'wdir' && x === p1) return dirstateCopies(map, match);

  const tracked = (path: string): boolean => {
    const r = map.findRowLatin1(path);
    return r >= 0 && (map.rows.flags[r]! & F_WC_TRACKED) !== 0;
  };
  const manifest = (r: Rev): Manifest | undefined => (r === NULL_REV ? undefined : mf.get(r));
  const contains = (side: Side, path: string): boolean =>
    side === 'wdir' ? tracked(path) : (manifest(side)?.get(fromLatin1(path)) !== undefined);
  const asRev = (side: Side): Rev => (side === 'wdir' ? p1 : side);

  // _forwardcopies(a, b): committed copies from a to b (or to b's parent, then the dirstate's)
  const forward = (a: Rev, b: Side, m: PathPredicate | undefined): Map<string, string> => {
    const committed = (to: Rev): Map<string, string> =>
      a === NULL_REV || a === to ? new Map() : pathCopies(repo, a, to, { match: m, manifests: mf });
    if (b === 'wdir') return chain(committed(p1), dirstateCopies(map, m));
    return committed(b);
  };
  // _reverse_renames(copies, dst, match)
  const reverseRenames = (copies: Map<string, string>, dst: Side, m: PathPredicate | undefined): Map<string, string> => {
    const r = new Map<string, string>();
    for (const k of [...copies.keys()].sort()) {
      const v = copies.get(k)!;
      if (m && !m(v)) continue;
      if (contains(dst, v)) continue;
      r.set(v, k);
    }
    return r;
  };

  const a = ancestorRev(repo, asRev(y), asRev(x));
  let copies: Map<string, string>;
  if (x !== 'wdir' && a === x) {
    copies = forward(x, y, match);
  } else if (y !== 'wdir' && a === y) {
    copies = reverseRenames(forward(y, x, undefined), x, match);
  } else {
    const xCopies = forward(a, x, undefined);
    const yCopies = forward(a, y, match);
    for (const k of [...xCopies.keys()]) {
      if (yCopies.has(k) && xCopies.get(k) === yCopies.get(k)) {
        xCopies.delete(k);
        yCopies.delete(k);
      }
    }
    copies = chain(reverseRenames(xCopies, x, match), yCopies);
  }
  // _filter(x, y, copies)
  for (const [k, v] of [...copies]) {
    if (k === v || !contains(x, v) || !contains(y, k)) copies.delete(k);
  }
  return copies;
}

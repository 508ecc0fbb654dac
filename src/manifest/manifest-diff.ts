// Differences between two flat manifest texts in one linear merge walk over
// the raw bytes. Runs of identical bytes are skipped with native memcmp
// (Buffer.compare) in growing blocks; only the lines around a difference are
// parsed, and the 40-hex node + flag bytes of equal paths are compared as
// bytes, never decoded. Lines are `path\0<40 hex>[flag]\n`, sorted by path
// bytes, so the merge order is the byte order of paths.

/** What happened to a path between manifest `a` and manifest `b`. */
export const DiffKind = {
  /** In `a` only. The reported line is in `a`. */
  Removed: 0,
  /** In `b` only. The reported line is in `b`. */
  Added: 1,
  /** In both with a different node or flag. The reported line is in `b`. */
  Modified: 2,
  /** In both, same node and flag (reported only with `clean`). The reported line is in `a`. */
  Clean: 3,
} as const;
export type DiffKind = (typeof DiffKind)[keyof typeof DiffKind];

/**
 * Receives one difference: the path is `text[start, nul)`, the hex node
 * `text[nul + 1, nul + 41)`, the flag (if any) `text[nul + 41]`, and
 * `text[end]` is the line's newline (or the end of the text).
 */
export type ManifestDiffCallback = (kind: DiffKind, text: Uint8Array, start: number, nul: number, end: number) => void;

export interface ManifestDiffOptions {
  /** Also report unchanged paths (DiffKind.Clean). */
  clean?: boolean;
}

const MIN_BLOCK = 256;
const MAX_BLOCK = 1 << 16;

// Node's Buffer#compare is a native memcmp over views (no copy); it is the
// only fast way to compare long byte ranges. Elsewhere (no Buffer), a plain
// loop does the same job.
type Comparable = Uint8Array & { compare?: Buffer['compare'] };
const HAS_BUFFER = typeof Buffer === 'function';

function asComparable(u: Uint8Array): Comparable {
  if (!HAS_BUFFER || Buffer.isBuffer(u)) return u;
  return Buffer.from(u.buffer, u.byteOffset, u.length);
}

/**
 * Length of the common prefix of a[pa, pa + n) and b[pb, pb + n): native
 * block compares, bisected down to a short byte scan inside a differing block.
 */
function commonLength(a: Comparable, pa: number, b: Comparable, pb: number, n: number): number {
  let done = 0;
  if (!a.compare) {
    while (done < n && a[pa + done] === b[pb + done]) done++;
    return done;
  }
  let block = MIN_BLOCK;
  while (done < n) {
    let len = Math.min(block, n - done);
    if (a.compare(b, pb + done, pb + done + len, pa + done, pa + done + len) === 0) {
      done += len;
      if (block < MAX_BLOCK) block <<= 1;
      continue;
    }
    // The first difference is inside this block: bisect.
    while (len > 32) {
      const half = len >> 1;
      if (a.compare(b, pb + done, pb + done + half, pa + done, pa + done + half) === 0) {
        done += half;
        len -= half;
      } else len = half;
    }
    const end = done + len;
    while (done < end && a[pa + done] === b[pb + done]) done++;
    return done;
  }
  return n;
}

/** Compares a[s1, e1) with b[s2, e2) in byte order (memcmp then length). */
function comparePaths(a: Comparable, s1: number, e1: number, b: Comparable, s2: number, e2: number): number {
  if (a.compare) return a.compare(b, s2, e2, s1, e1);
  const l1 = e1 - s1;
  const l2 = e2 - s2;
  const n = l1 < l2 ? l1 : l2;
  for (let i = 0; i < n; i++) {
    const d = a[s1 + i]! - b[s2 + i]!;
    if (d !== 0) return d;
  }
  return l1 - l2;
}

function lineEnd(text: Uint8Array, nul: number): number {
  const e = text.indexOf(10, nul + 41);
  return e < 0 ? text.length : e;
}

function nulOf(text: Uint8Array, start: number): number {
  const z = text.indexOf(0, start);
  return z < 0 ? text.length : z;
}

/** Reports every line of text[from, to) (whole lines) with `kind`. */
function reportAll(kind: DiffKind, text: Uint8Array, from: number, to: number, cb: ManifestDiffCallback): void {
  let s = from;
  while (s < to) {
    const z = nulOf(text, s);
    if (z >= to) return;
    const e = lineEnd(text, z);
    cb(kind, text, s, z, e);
    s = e + 1;
  }
}

/**
 * Walks manifest texts `a` and `b` once, in path order, and reports removed,
 * added and modified paths (and clean ones when asked). No allocation per
 * line; the callback gets offsets into the texts.
 */
export function diffManifestTexts(
  a: Uint8Array,
  b: Uint8Array,
  cb: ManifestDiffCallback,
  opts: ManifestDiffOptions = {},
): void {
  const clean = opts.clean === true;
  const ba = asComparable(a);
  const bb = asComparable(b);
  const na = a.length;
  const nb = b.length;
  let pa = 0;
  let pb = 0;
  while (pa < na && pb < nb) {
    // Skip the identical run starting at these two line starts.
    const common = commonLength(ba, pa, bb, pb, Math.min(na - pa, nb - pb));
    if (common > 0) {
      // Whole lines inside the common run are identical in both texts.
      const lastNl = a.lastIndexOf(10, pa + common - 1);
      if (lastNl >= pa) {
        const adv = lastNl + 1 - pa;
        if (clean) reportAll(DiffKind.Clean, a, pa, pa + adv, cb);
        pa += adv;
        pb += adv;
      }
      if (pa >= na || pb >= nb) break;
    }
    // One merge step on the two lines starting at pa and pb.
    const za = nulOf(a, pa);
    const zb = nulOf(b, pb);
    const ea = lineEnd(a, za);
    const eb = lineEnd(b, zb);
    const c = comparePaths(ba, pa, za, bb, pb, zb);
    if (c === 0) {
      const same = comparePaths(ba, za, ea, bb, zb, eb) === 0;
      if (!same) cb(DiffKind.Modified, b, pb, zb, eb);
      else if (clean) cb(DiffKind.Clean, a, pa, za, ea);
      pa = ea + 1;
      pb = eb + 1;
    } else if (c < 0) {
      cb(DiffKind.Removed, a, pa, za, ea);
      pa = ea + 1;
    } else {
      cb(DiffKind.Added, b, pb, zb, eb);
      pb = eb + 1;
    }
  }
  if (pa < na) reportAll(DiffKind.Removed, a, pa, na, cb);
  if (pb < nb) reportAll(DiffKind.Added, b, pb, nb, cb);
}

// Three-way line merge, as hg 6.3's simplemerge.py (Merge3Text and its
// renderers) decides it: the sync regions are where the base's matching
// blocks against both sides (hg's bdiff.blocks, here revlog/bdiff.ts's
// matchingBlocks) intersect; between two sync regions a side that equals
// the base loses, equal sides are "same", and two different changes are a
// conflict. Conflicts are rendered with hg's markers: `:merge` trims the
// lines both sides agree on at the start and end of a conflict
// (render_minimized), `:merge3` adds the base section, `:union`, `:local` and
// `:other` resolve conflicts without markers.
//
// Lines are kept as offsets into the three texts (no per-line objects); the
// result is assembled from views of the inputs.

import { concatBytes } from '../core/bytes.js';
import { matchingBlocks } from '../revlog/bdiff.js';

/** A text split into lines: line i is text[starts[i], starts[i+1]); count = starts.length - 1. */
interface Lines {
  text: Uint8Array;
  starts: Int32Array;
}

const NL = 0x0a;
const CR = 0x0d;

/** mdiff.splitnewlines: lines ending with '\n' (kept), the last one possibly without. */
function splitLines(text: Uint8Array): Lines {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text[i] === NL) n++;
  const last = text.length > 0 && text[text.length - 1] !== NL ? 1 : 0;
  const starts = new Int32Array(n + last + 1);
  let k = 1;
  for (let i = 0; i < text.length; i++) if (text[i] === NL) starts[k++] = i + 1;
  starts[n + last] = text.length;
  return { text, starts };
}

function lineCount(l: Lines): number {
  return l.starts.length - 1;
}

function lineEq(x: Lines, i: number, y: Lines, j: number): boolean {
  const xs = x.starts[i]!;
  const xe = x.starts[i + 1]!;
  const ys = y.starts[j]!;
  const ye = y.starts[j + 1]!;
  if (xe - xs !== ye - ys) return false;
  const xt = x.text;
  const yt = y.text;
  for (let k = 0; k < xe - xs; k++) if (xt[xs + k] !== yt[ys + k]) return false;
  return true;
}

/** compare_range: x[xs:xe] == y[ys:ye] line by line. */
function rangeEq(x: Lines, xs: number, xe: number, y: Lines, ys: number, ye: number): boolean {
  if (xe - xs !== ye - ys) return false;
  for (let k = 0; k < xe - xs; k++) if (!lineEq(x, xs + k, y, ys + k)) return false;
  return true;
}

/** One region of the merge (hg's merge_regions tuples). */
export type MergeRegion =
  | { kind: 'unchanged'; start: number; end: number }
  | { kind: 'a' | 'same'; start: number; end: number }
  | { kind: 'b'; start: number; end: number }
  | { kind: 'conflict'; zs: number; ze: number; as: number; ae: number; bs: number; be: number };

/** hg's Merge3Text over (base, a = local, b = other). */
export class Merge3Text {
  readonly base: Lines;
  readonly a: Lines;
  readonly b: Lines;

  constructor(base: Uint8Array, a: Uint8Array, b: Uint8Array) {
    this.base = splitLines(base);
    this.a = splitLines(a);
    this.b = splitLines(b);
  }

  /** find_sync_regions: [zs, ze, as, ae, bs, be] tuples, ending with the empty region at the ends. */
  syncRegions(): number[][] {
    const am = matchingBlocks(this.base.text, this.a.text);
    const bm = matchingBlocks(this.base.text, this.b.text);
    const sl: number[][] = [];
    let ia = 0;
    let ib = 0;
    while (ia < am.length && ib < bm.length) {
      // get_matching_blocks: (base start, side start, length)
      const abase = am[ia]!;
      const amatch = am[ia + 2]!;
      const alen = am[ia + 1]! - abase;
      const bbase = bm[ib]!;
      const bmatch = bm[ib + 2]!;
      const blen = bm[ib + 1]! - bbase;
      const sa = Math.max(abase, bbase);
      const sb = Math.min(abase + alen, bbase + blen);
      if (sa < sb) {
        const asub = amatch + (sa - abase);
        const bsub = bmatch + (sa - bbase);
        sl.push([sa, sb, asub, asub + sb - sa, bsub, bsub + sb - sa]);
      }
      if (abase + alen < bbase + blen) ia += 4;
      else ib += 4;
    }
    const zl = lineCount(this.base);
    const al = lineCount(this.a);
    const bl = lineCount(this.b);
    sl.push([zl, zl, al, al, bl, bl]);
    return sl;
  }

  /** merge_regions. */
  regions(): MergeRegion[] {
    const out: MergeRegion[] = [];
    let iz = 0;
    let ia = 0;
    let ib = 0;
    for (const [zmatch, zend, amatch, aend, bmatch, bend] of this.syncRegions() as [number, number, number, number, number, number][]) {
      const matchlen = zend - zmatch;
      const lenA = amatch - ia;
      const lenB = bmatch - ib;
      if (lenA || lenB) {
        const equalA = rangeEq(this.a, ia, amatch, this.base, iz, zmatch);
        const equalB = rangeEq(this.b, ib, bmatch, this.base, iz, zmatch);
        const same = rangeEq(this.a, ia, amatch, this.b, ib, bmatch);
        if (same) out.push({ kind: 'same', start: ia, end: amatch });
        else if (equalA && !equalB) out.push({ kind: 'b', start: ib, end: bmatch });
        else if (equalB && !equalA) out.push({ kind: 'a', start: ia, end: amatch });
        else if (!equalA && !equalB) out.push({ kind: 'conflict', zs: iz, ze: zmatch, as: ia, ae: amatch, bs: ib, be: bmatch });
        else throw new Error("can't handle a=b=base but unmatched");
        ia = amatch;
        ib = bmatch;
      }
      iz = zmatch;
      if (matchlen > 0) {
        out.push({ kind: 'unchanged', start: zmatch, end: zend });
        iz = zend;
        ia = aend;
        ib = bend;
      }
    }
    return out;
  }
}

/** Pieces of the output: views into the inputs and marker lines. */
class Out {
  readonly parts: Uint8Array[] = [];
  lines(l: Lines, s: number, e: number): void {
    if (e > s) this.parts.push(l.text.subarray(l.starts[s]!, l.starts[e]!));
  }
  bytes(b: Uint8Array): void {
    this.parts.push(b);
  }
  result(): Uint8Array {
    return concatBytes(this.parts);
  }
}

/** _detect_newline: the newline of the local side's first line. */
function detectNewline(m3: Merge3Text): Uint8Array {
  const a = m3.a;
  if (lineCount(a) > 0) {
    const e = a.starts[1]!;
    const t = a.text;
    if (e >= 2 && t[e - 2] === CR && t[e - 1] === NL) return Uint8Array.of(CR, NL);
    if (e >= 1 && t[e - 1] === CR) return Uint8Array.of(CR);
  }
  return Uint8Array.of(NL);
}

const enc = new TextEncoder();

function marker(m: string, name: Uint8Array | undefined, nl: Uint8Array): Uint8Array {
  const head = enc.encode(m);
  if (!name || name.length === 0) return concatBytes([head, nl]);
  return concatBytes([head, Uint8Array.of(0x20), name, nl]);
}

export type MergeMode = 'merge' | 'merge3' | 'union' | 'local' | 'other';

export interface MergeLabels {
  local?: Uint8Array;
  other?: Uint8Array;
  base?: Uint8Array;
}

export interface SimpleMergeResult {
  text: Uint8Array;
  conflicts: boolean;
}

/** render_minimized (`:merge`). */
function renderMinimized(m3: Merge3Text, nameA: Uint8Array | undefined, nameB: Uint8Array | undefined): SimpleMergeResult {
  const nl = detectNewline(m3);
  const start = marker('<<<<<<<', nameA, nl);
  const mid = marker('=======', undefined, nl);
  const end = marker('>>>>>>>', nameB, nl);
  const out = new Out();
  let conflicts = false;
  for (const r of m3.regions()) {
    switch (r.kind) {
      case 'unchanged':
        out.lines(m3.base, r.start, r.end);
        break;
      case 'a':
      case 'same':
        out.lines(m3.a, r.start, r.end);
        break;
      case 'b':
        out.lines(m3.b, r.start, r.end);
        break;
      case 'conflict': {
        conflicts = true;
        // _minimize: lines both sides agree on at the start and the end
        const alen = r.ae - r.as;
        const blen = r.be - r.bs;
        let s = 0;
        while (s < alen && s < blen && lineEq(m3.a, r.as + s, m3.b, r.bs + s)) s++;
        let e = 0;
        while (e < alen && e < blen && lineEq(m3.a, r.ae - 1 - e, m3.b, r.be - 1 - e)) e++;
        out.lines(m3.a, r.as, r.as + s);
        out.bytes(start);
        // python slices: a[s : alen - e] (empty when s > alen - e)
        out.lines(m3.a, r.as + s, Math.max(r.as + s, r.ae - e));
        out.bytes(mid);
        out.lines(m3.b, r.bs + s, Math.max(r.bs + s, r.be - e));
        out.bytes(end);
        out.lines(m3.a, r.ae - e, r.ae);
        break;
      }
    }
  }
  return { text: out.result(), conflicts };
}

/** render_merge3 (`:merge3`). */
function renderMerge3(m3: Merge3Text, nameA: Uint8Array | undefined, nameB: Uint8Array | undefined, nameBase: Uint8Array | undefined): SimpleMergeResult {
  const nl = detectNewline(m3);
  const out = new Out();
  let conflicts = false;
  // hg concatenates b'<<<<<<< ' + name even when the name is None (it never is there)
  const m = (s: string, name: Uint8Array | undefined): Uint8Array => concatBytes([enc.encode(s + ' '), name ?? new Uint8Array(0), nl]);
  for (const r of m3.regions()) {
    if (r.kind === 'conflict') {
      conflicts = true;
      out.bytes(m('<<<<<<<', nameA));
      out.lines(m3.a, r.as, r.ae);
      out.bytes(m('|||||||', nameBase));
      out.lines(m3.base, r.zs, r.ze);
      out.bytes(concatBytes([enc.encode('======='), nl]));
      out.lines(m3.b, r.bs, r.be);
      out.bytes(m('>>>>>>>', nameB));
    } else if (r.kind === 'unchanged') out.lines(m3.base, r.start, r.end);
    else if (r.kind === 'b') out.lines(m3.b, r.start, r.end);
    else out.lines(m3.a, r.start, r.end);
  }
  return { text: out.result(), conflicts };
}

/** _resolve: conflicts replaced by the chosen sides' lines. */
function renderResolved(m3: Merge3Text, sides: readonly ('a' | 'b')[]): SimpleMergeResult {
  const out = new Out();
  for (const r of m3.regions()) {
    if (r.kind === 'conflict') {
      for (const s of sides) {
        if (s === 'a') out.lines(m3.a, r.as, r.ae);
        else out.lines(m3.b, r.bs, r.be);
      }
    } else if (r.kind === 'unchanged') out.lines(m3.base, r.start, r.end);
    else if (r.kind === 'b') out.lines(m3.b, r.start, r.end);
    else out.lines(m3.a, r.start, r.end);
  }
  return { text: out.result(), conflicts: false };
}

/**
 * stringutil.ellipsis(label, 72) for a UTF-8 label: labels longer than 72
 * characters are cut to 69 and end with "...".
 */
function ellipsis(label: Uint8Array, max: number): Uint8Array {
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(label);
  } catch {
    if (label.length <= max) return label;
    return concatBytes([label.subarray(0, max - 3), enc.encode('...')]);
  }
  const chars = [...s];
  if (chars.length <= max) return label;
  return enc.encode(chars.slice(0, max - 3).join('') + '...');
}

/**
 * _format_labels for the basic marker style (labels without detail), or
 * with details (`label: detail`, the labels padded to the same width).
 */
export function formatLabels(labels: readonly (string | undefined)[], details?: readonly (Uint8Array | undefined)[]): (Uint8Array | undefined)[] {
  const pad = Math.max(...labels.map((l) => (l ? l.length : 0)));
  return labels.map((l, i) => {
    if (!l) return undefined;
    const d = details?.[i];
    const label = d && d.length ? concatBytes([enc.encode((l + ':').padEnd(pad + 1) + ' '), d]) : enc.encode(l);
    return ellipsis(label, 80 - 8);
  });
}

/** True when hg's stringutil.binary says so: a NUL byte in the text. */
export function isBinary(text: Uint8Array): boolean {
  return text.indexOf(0) >= 0;
}

/**
 * simplemerge.simplemerge(local, base, other, mode) on texts already checked
 * not to be binary. Labels are the formatted marker names (formatLabels).
 */
export function simpleMerge(base: Uint8Array, local: Uint8Array, other: Uint8Array, mode: MergeMode = 'merge', labels: MergeLabels = {}): SimpleMergeResult {
  const m3 = new Merge3Text(base, local, other);
  switch (mode) {
    case 'union':
      return renderResolved(m3, ['a', 'b']);
    case 'local':
      return renderResolved(m3, ['a']);
    case 'other':
      return renderResolved(m3, ['b']);
    case 'merge3':
      return renderMerge3(m3, labels.local, labels.other, labels.base);
    default:
      return renderMinimized(m3, labels.local, labels.other);
  }
}

/** filemerge.hasconflictmarkers: a line of 7 identical marker characters, alone or followed by a space. */
export function hasConflictMarkers(data: Uint8Array): boolean {
  let s = 0;
  while (s < data.length) {
    let e = data.indexOf(NL, s);
    if (e < 0) e = data.length;
    const c = data[s]!;
    if (c === 0x3c || c === 0x3e || c === 0x3d || c === 0x2b || c === 0x7c || c === 0x2d) {
      let k = 1;
      while (k < 7 && s + k < e && data[s + k] === c) k++;
      // `( .*)$` with re.MULTILINE: a space and anything up to the line end
      if (k === 7 && s + 7 < e && data[s + 7] === 0x20) return true;
    }
    s = e + 1;
  }
  return false;
}

// LazyManifest: a flat manifest (`path \0 hex40 flags \n`, sorted by path)
// kept as its text plus one Int32 per line, in the manner of Mercurial's C
// `lazymanifest` (mercurial/cext/manifest.c): nothing is decoded until asked,
// lookups binary-search the line index, edits go to a side buffer and are
// serialised only when the text is asked for. Full API in docs/manifest.md.
//
// Representation
//   _text   the manifest bytes this object was built from (never modified)
//   _idx    one slot per line, in path order: v >= 0 is the line's start in
//           _text, v < 0 is a line at offset ~v of _extra (set() lines)
//   _meta   per slot, only once needed: bit 8 = deleted (the slot stays so
//           binary search keeps working, as in the C type), bits 0-7 = the
//           21st node byte (0 = none)
//   _extra  lines written by set(), in the same format as the text
// Invariant: two consecutive slots that both point into _text are adjacent
// lines of _text. text() relies on it to copy whole runs of untouched lines.
//
// Copy-on-write: copy() and iterators share _idx/_meta/_extra and set
// _shared; the next mutation of either side clones them first. _text is
// immutable, so sharing it is always safe.

import { ManifestError } from '../core/errors.js';
import { buildLineIndex } from './lazy-manifest-parse.js';
import { wasmMismatch } from './lazy-manifest-wasm.js';
import type { ManifestMatcher } from './matcher.js';
import type { Manifest } from './manifest.js';

export type { ManifestMatcher } from './matcher.js';

/** A manifest flag: '' (regular file), 'x' (executable), 'l' (symlink), 't' (tree-manifest directory). */
export type ManifestFlag = '' | 'x' | 'l' | 't';

/** What get() returns: the file node (20 bytes, or 21 if a 21st byte was set) and its flag. */
export interface ManifestEntryValue {
  node: Uint8Array;
  flags: string;
}

/** What entries() yields. `path` is a view into the manifest's buffers: do not modify it. */
export interface ManifestEntry {
  path: Uint8Array;
  node: Uint8Array;
  flags: string;
}

/**
 * One path of a diff. `left` is this manifest's side, `right` the other's;
 * null where the path is absent on that side. With `{clean: true}` paths that
 * are identical on both sides are listed too, with `left` and `right` both
 * null (the C type's `None`).
 */
export interface ManifestDiffEntry {
  path: Uint8Array;
  left: ManifestEntryValue | null;
  right: ManifestEntryValue | null;
}

/** `[path, removed]`: one changed path for fastDelta, sorted by path. */
export type ManifestChange = readonly [path: Uint8Array, removed: boolean];

export interface FastDeltaOptions {
  /**
   * hg's manifestdict.fastdelta switches to `mdiff.textdiff(base, newtext)`
   * (bdiff) at FASTDELTA_TEXTDIFF_THRESHOLD changes or more. Pass the bdiff
   * implementation to get byte-identical deltas there too; without it the
   * list-based delta (always valid, but not hg's bytes) is used.
   */
  textDiff?: (base: Uint8Array, text: Uint8Array) => Uint8Array;
}

export interface FastDeltaResult {
  /** The new manifest text (base with the changes applied). */
  text: Uint8Array;
  /** An mpatch delta from base to text (`>lll` start, end, length + data hunks). */
  delta: Uint8Array;
}

/**
 * forEachRaw callback: the line is `buf[lineStart .. pathEnd)` (path), `\0`,
 * 40 hex digits at `buf[pathEnd+1 .. pathEnd+41)`, then the flag byte if
 * `flag` is non-zero (0x78 'x', 0x6c 'l', 0x74 't'), then `\n`.
 * `suffix` is the 21st node byte or 0. Return `false` to stop early.
 */
export type RawLineCallback = (
  buf: Uint8Array,
  lineStart: number,
  pathEnd: number,
  flag: number,
  suffix: number,
) => void | boolean;

/** Same value as hg's manifest.FASTDELTA_TEXTDIFF_THRESHOLD. */
export const FASTDELTA_TEXTDIFF_THRESHOLD = 1000;

const EMPTY = new Uint8Array(0);
const DELETED = 0x100;
const FLAG_X = 0x78;
const FLAG_L = 0x6c;
const FLAG_T = 0x74;
const NL = 10;

const HEXCHARS = new Uint8Array(16);
for (let i = 0; i < 16; i++) HEXCHARS[i] = '0123456789abcdef'.charCodeAt(i);

// Large outputs (text(), filterCopy, fastDelta) are written in full right
// away, so they need no zero-filling: Node's Buffer.allocUnsafeSlow skips it.
// A plain Uint8Array view of its memory is returned; without Buffer (e.g. in
// a browser) this is new Uint8Array.
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(n: number): Uint8Array } }).Buffer;
function allocBytes(n: number): Uint8Array {
  if (NodeBuffer === undefined || n < 4096) return new Uint8Array(n);
  const b = NodeBuffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/** A view of buf[start, end) (cheaper than subarray, which goes through @@species). */
function view(buf: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + start, end - start);
}

function flagString(b: number): string {
  return b === FLAG_X ? 'x' : b === FLAG_L ? 'l' : b === FLAG_T ? 't' : '';
}

function isFlagByte(b: number): boolean {
  return b === FLAG_X || b === FLAG_L || b === FLAG_T;
}

/** Offset of the `\0` of the line at `off` (lines are validated, so it exists). */
function nulAt(buf: Uint8Array, off: number): number {
  while (buf[off] !== 0) off++;
  return off;
}

/** Offset just past the `\n` of the line whose `\0` is at `z`. */
function endFromNul(buf: Uint8Array, z: number): number {
  return buf[z + 41] === NL ? z + 42 : z + 43;
}

function decodeNode(dv: DataView, hex: number, suffix: number): Uint8Array {
  const out = new Uint8Array(suffix !== 0 ? 21 : 20);
  // 4 hex digits per load, no table: a digit's value is (c & 15) + 9 * (c >> 6)
  for (let k = 0; k < 20; k += 2) {
    const w = dv.getInt32(hex + 2 * k, true);
    const v = (w & 0x0f0f0f0f) + 9 * ((w >>> 6) & 0x01010101);
    const x = ((v & 0x000f000f) << 4) | ((v >>> 8) & 0x000f000f);
    out[k] = x;
    out[k + 1] = x >>> 16;
  }
  if (suffix !== 0) out[20] = suffix;
  return out;
}

function describe(path: Uint8Array): string {
  let s = '';
  for (let i = 0; i < path.length && i < 300; i++) {
    const c = path[i]!;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

/** Number of equal leading bytes of a[ap..] and b[bp..], at most `len`. */
function mismatch(a: Uint8Array, da: DataView, ap: number, b: Uint8Array, db: DataView, bp: number, len: number): number {
  let k = 0;
  const lim = len - 16;
  while (
    k <= lim &&
    da.getInt32(ap + k, true) === db.getInt32(bp + k, true) &&
    da.getInt32(ap + k + 4, true) === db.getInt32(bp + k + 4, true) &&
    da.getInt32(ap + k + 8, true) === db.getInt32(bp + k + 8, true) &&
    da.getInt32(ap + k + 12, true) === db.getInt32(bp + k + 12, true)
  ) {
    k += 16;
  }
  while (k < len && a[ap + k] === b[bp + k]) k++;
  return k;
}

/** mismatch() for long runs: a JS probe, then the SIMD kernel when available. */
function bulkMismatch(a: Uint8Array, da: DataView, ap: number, b: Uint8Array, db: DataView, bp: number, len: number): number {
  const probe = len < 512 ? len : 512;
  const m = mismatch(a, da, ap, b, db, bp, probe);
  if (m < probe || probe === len) return m;
  if (len < 64 * 1024) return probe + mismatch(a, da, ap + probe, b, db, bp + probe, len - probe);
  const w = wasmMismatch(a, ap + probe, b, bp + probe, len - probe);
  return probe + (w ?? mismatch(a, da, ap + probe, b, db, bp + probe, len - probe));
}

function dataView(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

const EMPTY_DV = new DataView(new ArrayBuffer(0));

// Frozen state captured by iterators and forEachRaw.
interface Snapshot {
  text: Uint8Array;
  idx: Int32Array;
  n: number;
  meta: Uint16Array | null;
  extra: Uint8Array;
  tdv: DataView;
  edv: DataView;
  // text.buffer/byteOffset, extra.buffer/byteOffset (reading .buffer costs more than a view)
  tab: ArrayBufferLike;
  tbo: number;
  eab: ArrayBufferLike;
  ebo: number;
}

export class LazyManifest implements Manifest {
  private _text: Uint8Array;
  private _idx: Int32Array | null = null;
  private _n = 0;
  private _live = 0;
  private _meta: Uint16Array | null = null;
  private _extra: Uint8Array = EMPTY;
  private _extraLen = 0;
  private _dirty = false;
  private _shared = false;
  // DataViews of _text / _extra (node decoding, bulk compares), made on demand
  private _tdv: DataView | null = null;
  private _edv: DataView | null = null;

  /**
   * Wraps `text` (not copied; do not modify it afterwards). Validation happens
   * on first use. A Buffer (or other subclass) is wrapped in a plain
   * Uint8Array view of the same memory, so hot loops see one array type.
   */
  constructor(text: Uint8Array) {
    this._text =
      Object.getPrototypeOf(text) === Uint8Array.prototype ? text : new Uint8Array(text.buffer, text.byteOffset, text.length);
  }

  static empty(): LazyManifest {
    return new LazyManifest(EMPTY);
  }

  // --- index ------------------------------------------------------------------

  private index(): Int32Array {
    let idx = this._idx;
    if (idx === null) {
      const r = buildLineIndex(this._text);
      idx = r.idx;
      this._idx = idx;
      this._n = r.n;
      this._live = r.n;
    }
    return idx;
  }

  /** Makes _idx/_meta/_extra private to this object before a mutation. */
  private unshare(): void {
    if (!this._shared) return;
    this._shared = false;
    const n = this._n;
    const idx = new Int32Array(n + (n >> 3) + 16);
    idx.set(this._idx!.subarray(0, n));
    this._idx = idx;
    if (this._meta !== null) {
      const meta = new Uint16Array(idx.length);
      meta.set(this._meta.subarray(0, n));
      this._meta = meta;
    }
    if (this._extraLen > 0) this._extra = this._extra.slice(0, Math.max(256, this._extraLen * 2));
    else this._extra = EMPTY;
    this._edv = null;
  }

  /**
   * The current state, for a walk over it. `share` (the default) protects the
   * walk from later edits of this object (iterators, user callbacks); walks
   * that finish before returning control pass false.
   */
  private snapshot(share = true): Snapshot {
    const idx = this.index();
    if (share) this._shared = true;
    const text = this._text;
    const extra = this._extra;
    return {
      text,
      idx,
      n: this._n,
      meta: this._meta,
      extra,
      tdv: this.tdv(),
      edv: this.edv(),
      tab: text.buffer,
      tbo: text.byteOffset,
      eab: extra.buffer,
      ebo: extra.byteOffset,
    };
  }

  private tdv(): DataView {
    return (this._tdv ??= dataView(this._text));
  }

  private edv(): DataView {
    return (this._edv ??= this._extra.length === 0 ? EMPTY_DV : dataView(this._extra));
  }

  /**
   * Binary search over the slots (deleted ones included). Returns the slot
   * index if the path is there, else ~(insertion point).
   */
  private search(key: Uint8Array): number {
    const idx = this.index();
    const text = this._text;
    const extra = this._extra;
    const klen = key.length;
    let lo = 0;
    let hi = this._n - 1;
    // lcp of key with the path just below lo / just above hi: every path in
    // between shares min(lcpLo, lcpHi) leading bytes with the key, so the
    // comparison starts there. (Measured: comparing 4 bytes at a time or a
    // branch-free search are both slower here; loading the next two probes
    // early gained nothing measurable.)
    let lcpLo = 0;
    let lcpHi = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = idx[mid]!;
      const buf = v >= 0 ? text : extra;
      const off = v >= 0 ? v : ~v;
      let j = lcpLo < lcpHi ? lcpLo : lcpHi;
      let cmp: number;
      for (;;) {
        const c = buf[off + j]!;
        if (j === klen) {
          cmp = c === 0 ? 0 : -1;
          break;
        }
        if (c === 0) {
          cmp = 1;
          break;
        }
        cmp = key[j]! - c;
        if (cmp !== 0) break;
        j++;
      }
      if (cmp === 0) return mid;
      if (cmp < 0) {
        hi = mid - 1;
        lcpHi = j;
      } else {
        lo = mid + 1;
        lcpLo = j;
      }
    }
    return ~lo;
  }

  private isDeleted(i: number): boolean {
    const meta = this._meta;
    return meta !== null && (meta[i]! & DELETED) !== 0;
  }

  // --- reading -------------------------------------------------------------------

  /** Number of paths. */
  get size(): number {
    this.index();
    return this._live;
  }

  /** The node and flag of `path`, or undefined. */
  get(path: Uint8Array): ManifestEntryValue | undefined {
    const i = this.search(path);
    if (i < 0 || this.isDeleted(i)) return undefined;
    const v = this._idx![i]!;
    const z = (v >= 0 ? v : ~v) + path.length;
    const suffix = this._meta !== null ? this._meta[i]! & 0xff : 0;
    if (v >= 0) return valueAt(this._text, this.tdv(), z, suffix);
    return valueAt(this._extra, this.edv(), z, suffix);
  }

  has(path: Uint8Array): boolean {
    const i = this.search(path);
    return i >= 0 && !this.isDeleted(i);
  }

  /** The flag of `path`, '' if it is absent (hg's manifestdict.flags). */
  flags(path: Uint8Array): string {
    const i = this.search(path);
    if (i < 0 || this.isDeleted(i)) return '';
    const v = this._idx![i]!;
    const buf = v >= 0 ? this._text : this._extra;
    const fl = buf[(v >= 0 ? v : ~v) + path.length + 41]!;
    return fl === NL ? '' : flagString(fl);
  }

  /**
   * Calls `cb` for every line in path order with offsets into the underlying
   * buffer (see RawLineCallback): no allocation per entry. Mutations made by
   * the callback are not seen by this walk.
   */
  forEachRaw(cb: RawLineCallback): void {
    eachLine(this.snapshot(), cb);
  }

  /** Paths in order (views into the manifest's buffers). Later mutations are not seen. */
  keys(): IterableIterator<Uint8Array> {
    const snap = this.snapshot();
    return new KeyIterator(snap, 0, snap.n);
  }

  /** Entries in path order. Later mutations are not seen. */
  entries(): IterableIterator<ManifestEntry> {
    return new EntryIterator(this.snapshot());
  }

  [Symbol.iterator](): IterableIterator<ManifestEntry> {
    return this.entries();
  }

  // --- writing ----------------------------------------------------------------------

  /**
   * Sets `path` to `node` and `flags`. `node` is 20 bytes; a 21st byte is kept
   * with the entry (returned by get(), compared by diff(), never written to
   * text()), a 22nd is dropped, as by Mercurial's C lazymanifest.
   */
  set(path: Uint8Array, node: Uint8Array, flags: string): void {
    const plen = path.length;
    if (plen === 0) throw new ManifestError('manifest path must not be empty');
    for (let k = 0; k < plen; k++) {
      const c = path[k]!;
      if (c === 0 || c === NL) throw new ManifestError(`'\\0' and '\\n' disallowed in manifest paths: ${describe(path)}`);
    }
    if (node.length < 20 || node.length > 22) {
      throw new ManifestError(`manifest node must be 20 bytes (21 or 22 allowed), got ${node.length}`);
    }
    let fl = 0;
    if (flags.length !== 0) {
      fl = flags.length === 1 ? flags.charCodeAt(0) : 0;
      if (!isFlagByte(fl)) throw new ManifestError(`invalid manifest flag: ${JSON.stringify(flags)}`);
    }
    const suffix = node.length > 20 ? node[20]! : 0;
    const lineLen = plen + 42 + (fl !== 0 ? 1 : 0);

    let i = this.search(path);
    if (i >= 0) {
      // Unchanged value: nothing to do (keeps text() free).
      const v = this._idx![i]!;
      const buf = v >= 0 ? this._text : this._extra;
      const off = v >= 0 ? v : ~v;
      const m = this._meta !== null ? this._meta[i]! : 0;
      if ((m & DELETED) === 0 && (m & 0xff) === suffix && sameLine(buf, off + plen, node, fl)) return;
    }
    this.unshare();
    // Write the line to _extra (in place if it replaces a same-size extra line).
    let off: number;
    const old = i >= 0 ? this._idx![i]! : 0;
    if (i >= 0 && old < 0 && endFromNul(this._extra, ~old + plen) - ~old === lineLen) {
      off = ~old;
    } else {
      off = this._extraLen;
      if (off + lineLen > this._extra.length) {
        const next = new Uint8Array(Math.max(256, (off + lineLen) * 2));
        next.set(this._extra.subarray(0, off));
        this._extra = next;
        this._edv = null;
      }
      this._extraLen = off + lineLen;
    }
    const ex = this._extra;
    ex.set(path, off);
    let p = off + plen;
    ex[p++] = 0;
    for (let k = 0; k < 20; k++) {
      const b = node[k]!;
      ex[p++] = HEXCHARS[b >> 4]!;
      ex[p++] = HEXCHARS[b & 15]!;
    }
    if (fl !== 0) ex[p++] = fl;
    ex[p] = NL;

    if (i >= 0) {
      this._idx![i] = ~off;
      if (this._meta !== null) {
        if ((this._meta[i]! & DELETED) !== 0) this._live++;
        this._meta[i] = suffix;
      } else if (suffix !== 0) {
        this.ensureMeta()[i] = suffix;
      }
    } else {
      i = ~i;
      const n = this._n;
      let idx = this._idx!;
      if (n === idx.length) {
        const next = new Int32Array(n + (n >> 1) + 16);
        next.set(idx);
        idx = this._idx = next;
        if (this._meta !== null) {
          const meta = new Uint16Array(next.length);
          meta.set(this._meta);
          this._meta = meta;
        }
      }
      idx.copyWithin(i + 1, i, n);
      idx[i] = ~off;
      if (this._meta !== null) {
        this._meta.copyWithin(i + 1, i, n);
        this._meta[i] = suffix;
      }
      this._n = n + 1;
      if (this._meta === null && suffix !== 0) this.ensureMeta()[i] = suffix;
      this._live++;
    }
    this._dirty = true;
  }

  /** Removes `path`; ManifestError if it is not there. */
  delete(path: Uint8Array): void {
    const i = this.search(path);
    if (i < 0 || this.isDeleted(i)) {
      throw new ManifestError(`Tried to delete nonexistent manifest entry: ${describe(path)}`);
    }
    this.unshare();
    this.ensureMeta()[i] |= DELETED;
    this._live--;
    this._dirty = true;
  }

  private ensureMeta(): Uint16Array {
    if (this._meta === null) this._meta = new Uint16Array(this._idx!.length);
    return this._meta;
  }

  // --- copies ---------------------------------------------------------------------

  /** A copy sharing the text and index (copy-on-write): O(1). */
  copy(): LazyManifest {
    const idx = this.index();
    const c = new LazyManifest(this._text);
    c._idx = idx;
    c._n = this._n;
    c._live = this._live;
    c._meta = this._meta;
    c._extra = this._extra;
    c._extraLen = this._extraLen;
    c._dirty = this._dirty;
    c._shared = true;
    this._shared = true;
    return c;
  }

  /**
   * A new manifest with the entries whose path satisfies `pred` (called once
   * per path, in order). The result has its own compact text.
   */
  filterCopy(pred: (path: Uint8Array) => boolean): LazyManifest {
    this.index();
    return this.select(0, this._n, pred);
  }

  /** The entries selected by `matcher` (hg's manifestdict._matches). */
  matches(matcher: ManifestMatcher): LazyManifest {
    if (matcher.always === true) return this.copy();
    const ranges = this.matcherRanges(matcher);
    if (ranges === null) return this.filterCopy(matcher);
    const parts: LazyManifest[] = [];
    for (let r = 0; r < ranges.length; r += 2) parts.push(this.select(ranges[r]!, ranges[r + 1]!, matcher));
    if (parts.length === 1) return parts[0]!;
    return LazyManifest.concat(parts);
  }

  /** Paths selected by `matcher`, in order (hg's manifestdict.walk without bad-file reports). */
  walk(matcher: ManifestMatcher): IterableIterator<Uint8Array> {
    const snap = this.snapshot();
    if (matcher.always === true) return new KeyIterator(snap, 0, snap.n);
    return walkOf(snap, this.matcherRanges(matcher) ?? [0, snap.n], matcher);
  }

  /** Slot ranges [from, to) covering the matcher's prefixes, or null for all. */
  private matcherRanges(matcher: ManifestMatcher): number[] | null {
    const prefixes = matcher.prefixes;
    if (prefixes === undefined) return null;
    if (prefixes.some((p) => p.length === 0)) return null;
    const sorted = prefixes.slice().sort(compare);
    const ranges: number[] = [];
    let last: Uint8Array | null = null;
    for (const p of sorted) {
      if (last !== null && startsWithBytes(p, last)) continue; // covered by a shorter prefix
      last = p;
      const from = this.lowerBound(p);
      const to = this.prefixEnd(p, from);
      if (to > from) ranges.push(from, to);
    }
    return ranges;
  }

  private lowerBound(key: Uint8Array): number {
    const i = this.search(key);
    return i >= 0 ? i : ~i;
  }

  /** First slot at or after `from` whose path does not start with `prefix`. */
  private prefixEnd(prefix: Uint8Array, from: number): number {
    // Smallest byte string greater than every string starting with prefix.
    let k = prefix.length;
    while (k > 0 && prefix[k - 1] === 0xff) k--;
    if (k === 0) return this._n;
    const bound = prefix.slice(0, k);
    bound[k - 1]!++;
    return Math.max(from, this.lowerBound(bound));
  }

  /** A compact manifest of the live slots in [from, to) that satisfy pred. */
  private select(from: number, to: number, pred: (path: Uint8Array) => boolean): LazyManifest {
    const idx = this.index();
    this._shared = true; // pred might edit this manifest while we read it
    const text = this._text;
    const extra = this._extra;
    const meta = this._meta;
    const n = this._n;
    const tlen = text.length;
    // Pass 1: choose lines, record them as segments [buf, start, end) and the
    // output index; consecutive text lines merge into one segment.
    const newIdx = new Int32Array(Math.max(16, to - from));
    let newMeta: Uint16Array | null = null;
    let count = 0;
    let outLen = 0;
    const segBuf: Uint8Array[] = [];
    const segStart: number[] = [];
    const segEnd: number[] = [];
    let runStart = -1;
    let runEnd = -1;
    const flush = (): void => {
      if (runStart >= 0) {
        segBuf.push(text);
        segStart.push(runStart);
        segEnd.push(runEnd);
        runStart = -1;
      }
    };
    for (let i = from; i < to; i++) {
      let suffix = 0;
      if (meta !== null) {
        const m = meta[i]!;
        if ((m & DELETED) !== 0) continue;
        suffix = m & 0xff;
      }
      const v = idx[i]!;
      if (v >= 0) {
        const nx = i + 1 < n ? idx[i + 1]! : -1;
        const z = nx >= 0 || i + 1 === n ? -1 : nulAt(text, v);
        const end = nx >= 0 ? nx : i + 1 === n ? tlen : endFromNul(text, z);
        const pathEnd = z >= 0 ? z : end - 42 - (isFlagByte(text[end - 2]!) ? 1 : 0);
        if (!pred(view(text, v, pathEnd))) continue;
        if (runStart >= 0 && runEnd === v) {
          runEnd = end;
        } else {
          flush();
          runStart = v;
          runEnd = end;
        }
        newIdx[count] = outLen;
        outLen += end - v;
      } else {
        const off = ~v;
        const z = nulAt(extra, off);
        if (!pred(view(extra, off, z))) continue;
        flush();
        const end = endFromNul(extra, z);
        segBuf.push(extra);
        segStart.push(off);
        segEnd.push(end);
        newIdx[count] = outLen;
        outLen += end - off;
      }
      if (suffix !== 0) {
        if (newMeta === null) newMeta = new Uint16Array(newIdx.length);
        newMeta[count] = suffix;
      }
      count++;
    }
    flush();
    const out = allocBytes(outLen);
    let p = 0;
    for (let s = 0; s < segBuf.length; s++) {
      out.set(segBuf[s]!.subarray(segStart[s]!, segEnd[s]!), p);
      p += segEnd[s]! - segStart[s]!;
    }
    const m = new LazyManifest(out);
    m._idx = newIdx;
    m._n = count;
    m._live = count;
    m._meta = newMeta;
    return m;
  }

  /** Concatenation of manifests whose path ranges are ordered and disjoint. */
  private static concat(parts: LazyManifest[]): LazyManifest {
    let len = 0;
    let n = 0;
    for (const p of parts) {
      len += p._text.length;
      n += p._n;
    }
    const out = allocBytes(len);
    const idx = new Int32Array(Math.max(16, n));
    let meta: Uint16Array | null = null;
    let off = 0;
    let k = 0;
    for (const p of parts) {
      out.set(p._text, off);
      for (let i = 0; i < p._n; i++) {
        idx[k] = p._idx![i]! + off;
        if (p._meta !== null && p._meta[i] !== 0) {
          if (meta === null) meta = new Uint16Array(idx.length);
          meta[k] = p._meta[i]!;
        }
        k++;
      }
      off += p._text.length;
    }
    const m = new LazyManifest(out);
    m._idx = idx;
    m._n = n;
    m._live = n;
    m._meta = meta;
    return m;
  }

  // --- directories -----------------------------------------------------------------

  /** True if some path lies under directory `dir` (no trailing '/'); '' is true for a non-empty manifest. */
  hasDir(dir: Uint8Array): boolean {
    this.index();
    if (dir.length === 0) return this._live > 0;
    const key = new Uint8Array(dir.length + 1);
    key.set(dir);
    key[dir.length] = 0x2f;
    const idx = this._idx!;
    for (let i = this.lowerBound(key); i < this._n; i++) {
      if (this.isDeleted(i)) continue;
      const v = idx[i]!;
      const buf = v >= 0 ? this._text : this._extra;
      const off = v >= 0 ? v : ~v;
      for (let k = 0; k <= dir.length; k++) if (buf[off + k] !== key[k]) return false;
      return true;
    }
    return false;
  }

  /**
   * Every directory that contains a path, without trailing '/', sorted
   * bytewise; the root '' comes first when the manifest is not empty (as in
   * hg's pathutil.dirs). Views into the manifest's buffers.
   */
  dirs(): Uint8Array[] {
    const out: Uint8Array[] = [];
    let prevBuf: Uint8Array | null = null;
    let prevStart = 0;
    let prevEnd = 0;
    eachLine(this.snapshot(false), (buf, start, pathEnd) => {
      if (prevBuf === null) out.push(EMPTY);
      // Directories that end before the common prefix were seen with prev.
      let l = 0;
      if (prevBuf !== null) {
        const max = Math.min(pathEnd - start, prevEnd - prevStart);
        while (l < max && buf[start + l] === prevBuf[prevStart + l]) l++;
      }
      for (let k = start + l; k < pathEnd; k++) if (buf[k] === 0x2f) out.push(view(buf, start, k));
      prevBuf = buf;
      prevStart = start;
      prevEnd = pathEnd;
    });
    out.sort(compare);
    return out;
  }

  // --- diff ----------------------------------------------------------------------------

  /**
   * The paths whose node, flag or 21st byte differ between this manifest
   * (left) and `other` (right), in path order (and, with `clean`, the equal
   * ones too). Same answer as the C lazymanifest's diff().
   */
  diff(otherManifest: Manifest, opts: { clean?: boolean } = {}): ManifestDiffEntry[] {
    const other = otherManifest.flat();
    const clean = opts.clean === true;
    const a = this.snapshot(false);
    const b = other.snapshot(false);
    const out: ManifestDiffEntry[] = [];
    if (
      !this._dirty &&
      !other._dirty &&
      a.meta === null &&
      b.meta === null &&
      a.text !== b.text
    ) {
      diffCleanTexts(a, b, clean, out);
    } else {
      diffSlots(a, b, clean, out);
    }
    return out;
  }

  /** Manifest interface: a flat manifest is its own flat view. */
  flat(): LazyManifest {
    return this;
  }

  // --- text ----------------------------------------------------------------------------

  /** The manifest text: the original buffer while nothing changed, else rebuilt once. */
  text(): Uint8Array {
    if (this._dirty) this.compact();
    return this._text;
  }

  private compact(): void {
    const idx = this._idx!;
    const n = this._n;
    const meta = this._meta;
    const text = this._text;
    const extra = this._extra;
    const tlen = text.length;
    const live = this._live;
    const newIdx = new Int32Array(live + (live >> 4) + 16);
    let newMeta: Uint16Array | null = null;
    // segments to copy: [kind(0 text, 1 extra), start, end] triples
    const segs: number[] = [];
    let outLen = 0;
    let k = 0;
    let runStart = -1;
    let runEnd = -1;
    for (let i = 0; i < n; i++) {
      let suffix = 0;
      if (meta !== null) {
        const m = meta[i]!;
        if ((m & DELETED) !== 0) continue;
        suffix = m & 0xff;
      }
      const v = idx[i]!;
      if (v >= 0) {
        const nx = i + 1 < n ? idx[i + 1]! : -1;
        const end = nx >= 0 ? nx : i + 1 === n ? tlen : endFromNul(text, nulAt(text, v));
        if (runStart >= 0 && runEnd === v) {
          runEnd = end;
        } else {
          if (runStart >= 0) segs.push(0, runStart, runEnd);
          runStart = v;
          runEnd = end;
        }
        newIdx[k] = outLen;
        outLen += end - v;
      } else {
        if (runStart >= 0) {
          segs.push(0, runStart, runEnd);
          runStart = -1;
        }
        const off = ~v;
        const end = endFromNul(extra, nulAt(extra, off));
        segs.push(1, off, end);
        newIdx[k] = outLen;
        outLen += end - off;
      }
      if (suffix !== 0) {
        if (newMeta === null) newMeta = new Uint16Array(newIdx.length);
        newMeta[k] = suffix;
      }
      k++;
    }
    if (runStart >= 0) segs.push(0, runStart, runEnd);
    const out = allocBytes(outLen);
    let p = 0;
    for (let s = 0; s < segs.length; s += 3) {
      const buf = segs[s] === 0 ? text : extra;
      const st = segs[s + 1]!;
      const en = segs[s + 2]!;
      out.set(buf.subarray(st, en), p);
      p += en - st;
    }
    this._text = out;
    this._tdv = null;
    this._idx = newIdx;
    this._n = live;
    this._meta = newMeta;
    this._extra = EMPTY;
    this._edv = null;
    this._extraLen = 0;
    this._dirty = false;
    this._shared = false;
  }

  // --- fastDelta -------------------------------------------------------------------------

  /**
   * hg's manifestdict.fastdelta: `base` is the text of the manifest this one
   * was derived from, `changes` the changed paths, sorted, each with
   * `removed` true if the path was deleted. Returns the new text and the
   * delta from `base`, byte for byte what hg computes; the cost is in
   * proportion to the number of changes (plus one copy of the text).
   */
  fastDelta(base: Uint8Array, changes: Iterable<ManifestChange>, opts: FastDeltaOptions = {}): FastDeltaResult {
    const list = Array.isArray(changes) ? (changes as ManifestChange[]) : Array.from(changes);
    if (list.length >= FASTDELTA_TEXTDIFF_THRESHOLD && opts.textDiff !== undefined) {
      const text = this.text();
      return { text, delta: opts.textDiff(base, text) };
    }
    const hunks: { start: number; end: number; lines: Uint8Array[]; size: number }[] = [];
    let cur: { start: number; end: number; lines: Uint8Array[]; size: number } | null = null;
    let start = 0;
    for (const [path, removed] of list) {
      const r = msearch(base, path, start);
      start = r[0];
      const end = r[1];
      let line: Uint8Array;
      if (!removed) {
        line = this.lineOf(path);
      } else {
        if (start === end) throw new ManifestError(`failed to remove ${describe(path)} from manifest`);
        line = EMPTY;
      }
      if (cur !== null && cur.start <= start && cur.end >= start) {
        if (cur.end < end) cur.end = end;
        if (line.length > 0) {
          cur.lines.push(line);
          cur.size += line.length;
        }
      } else {
        if (cur !== null) hunks.push(cur);
        cur = { start, end, lines: [line], size: line.length };
      }
    }
    if (cur !== null) hunks.push(cur);

    let textLen = 0;
    let deltaLen = 0;
    let at = 0;
    for (const h of hunks) {
      if (h.start > at) textLen += h.start - at;
      textLen += h.size;
      at = h.end;
      deltaLen += 12 + h.size;
    }
    if (at < base.length) textLen += base.length - at;
    const text = allocBytes(textLen);
    const delta = new Uint8Array(deltaLen);
    const dv = new DataView(delta.buffer);
    let tp = 0;
    let dp = 0;
    let pos = 0;
    for (const h of hunks) {
      // hg's _addlistdelta: base[pos:start] + content, pos = end
      if (h.start > pos) {
        text.set(base.subarray(pos, h.start), tp);
        tp += h.start - pos;
      }
      dv.setInt32(dp, h.start);
      dv.setInt32(dp + 4, h.end);
      dv.setInt32(dp + 8, h.size);
      dp += 12;
      for (const l of h.lines) {
        text.set(l, tp);
        tp += l.length;
        delta.set(l, dp);
        dp += l.length;
      }
      pos = h.end;
    }
    if (pos < base.length) text.set(base.subarray(pos), tp);
    return { text, delta };
  }

  /** The line hg's fastdelta writes for `path`: path \0 lowercase hex40 flags \n. */
  private lineOf(path: Uint8Array): Uint8Array {
    const i = this.search(path);
    if (i < 0 || this.isDeleted(i)) throw new ManifestError(`fastDelta: ${describe(path)} is not in the manifest`);
    const v = this._idx![i]!;
    const buf = v >= 0 ? this._text : this._extra;
    const off = v >= 0 ? v : ~v;
    const z = off + path.length;
    const end = endFromNul(buf, z);
    const line = buf.slice(off, end);
    for (let k = path.length + 1; k < path.length + 41; k++) line[k]! |= 0x20; // hg writes lowercase hex
    return line;
  }
}

/** Does the line whose `\0` is at z hold exactly `node` (first 20 bytes) and flag byte `fl`? */
function sameLine(buf: Uint8Array, z: number, node: Uint8Array, fl: number): boolean {
  const end = buf[z + 41];
  if (fl === 0 ? end !== NL : end !== fl) return false;
  for (let k = 0; k < 20; k++) {
    const b = node[k]!;
    if (buf[z + 1 + 2 * k] !== HEXCHARS[b >> 4] || buf[z + 2 + 2 * k] !== HEXCHARS[b & 15]) return false;
  }
  return true;
}

function compare(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function startsWithBytes(a: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > a.length) return false;
  for (let i = 0; i < prefix.length; i++) if (a[i] !== prefix[i]) return false;
  return true;
}

// --- iteration helpers ----------------------------------------------------------

function eachLine(snap: Snapshot, cb: RawLineCallback): void {
  const { text, idx, n, meta, extra } = snap;
  const tlen = text.length;
  for (let i = 0; i < n; i++) {
    let suffix = 0;
    if (meta !== null) {
      const m = meta[i]!;
      if ((m & DELETED) !== 0) continue;
      suffix = m & 0xff;
    }
    const v = idx[i]!;
    let buf: Uint8Array;
    let start: number;
    let end: number;
    if (v >= 0) {
      buf = text;
      start = v;
      const nx = i + 1 < n ? idx[i + 1]! : -1;
      end = nx >= 0 ? nx : i + 1 === n ? tlen : endFromNul(text, nulAt(text, v));
    } else {
      buf = extra;
      start = ~v;
      end = endFromNul(extra, nulAt(extra, start));
    }
    const fl = buf[end - 2]!;
    const flag = isFlagByte(fl) ? fl : 0;
    if (cb(buf, start, end - 42 - (flag !== 0 ? 1 : 0), flag, suffix) === false) return;
  }
}

/** Offset of the `\0` of live slot i of a snapshot (no scan for unedited lines). */
function pathEndOf(s: Snapshot, i: number): number {
  const v = s.idx[i]!;
  if (v < 0) return nulAt(s.extra, ~v);
  const text = s.text;
  const nx = i + 1 < s.n ? s.idx[i + 1]! : -1;
  if (nx >= 0 || i + 1 === s.n) {
    const end = nx >= 0 ? nx : text.length;
    return end - 42 - (isFlagByte(text[end - 2]!) ? 1 : 0);
  }
  return nulAt(text, v);
}

// Hand-written iterators: several times cheaper per step than generators.
const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

class KeyIterator implements IterableIterator<Uint8Array> {
  private i: number;
  constructor(
    private readonly s: Snapshot,
    from: number,
    private readonly to: number,
  ) {
    this.i = from;
  }

  next(): IteratorResult<Uint8Array> {
    const s = this.s;
    const meta = s.meta;
    let i = this.i;
    if (meta !== null) while (i < this.to && (meta[i]! & DELETED) !== 0) i++;
    if (i >= this.to) {
      this.i = i;
      return DONE;
    }
    this.i = i + 1;
    const v = s.idx[i]!;
    const z = pathEndOf(s, i);
    const path = v >= 0 ? new Uint8Array(s.tab, s.tbo + v, z - v) : new Uint8Array(s.eab, s.ebo + ~v, z - ~v);
    return { value: path, done: false };
  }

  [Symbol.iterator](): IterableIterator<Uint8Array> {
    return this;
  }
}

class EntryIterator implements IterableIterator<ManifestEntry> {
  private i = 0;
  constructor(private readonly s: Snapshot) {}

  next(): IteratorResult<ManifestEntry> {
    const s = this.s;
    const meta = s.meta;
    let i = this.i;
    let suffix = 0;
    if (meta !== null) {
      while (i < s.n && (meta[i]! & DELETED) !== 0) i++;
      if (i < s.n) suffix = meta[i]! & 0xff;
    }
    if (i >= s.n) {
      this.i = i;
      return DONE;
    }
    this.i = i + 1;
    const v = s.idx[i]!;
    const z = pathEndOf(s, i);
    let buf: Uint8Array;
    let dv: DataView;
    if (v >= 0) {
      buf = s.text;
      dv = s.tdv;
    } else {
      buf = s.extra;
      dv = s.edv;
    }
    const fl = buf[z + 41]!;
    const path = v >= 0 ? new Uint8Array(s.tab, s.tbo + v, z - v) : new Uint8Array(s.eab, s.ebo + ~v, z - ~v);
    return {
      value: { path, node: decodeNode(dv, z + 1, suffix), flags: fl === NL ? '' : flagString(fl) },
      done: false,
    };
  }

  [Symbol.iterator](): IterableIterator<ManifestEntry> {
    return this;
  }
}

function* walkOf(s: Snapshot, ranges: number[], matcher: ManifestMatcher): IterableIterator<Uint8Array> {
  for (let r = 0; r < ranges.length; r += 2) {
    const it = new KeyIterator(s, ranges[r]!, ranges[r + 1]!);
    for (let x = it.next(); x.done !== true; x = it.next()) if (matcher(x.value)) yield x.value;
  }
}

// --- diff helpers -------------------------------------------------------------------

function valueAt(buf: Uint8Array, dv: DataView, z: number, suffix: number): ManifestEntryValue {
  const fl = buf[z + 41]!;
  return { node: decodeNode(dv, z + 1, suffix), flags: fl === NL ? '' : flagString(fl) };
}

/** Slot-by-slot walk: works for any state (edits, deletions, 21st bytes, shared text). */
function diffSlots(a: Snapshot, b: Snapshot, clean: boolean, out: ManifestDiffEntry[]): void {
  const { idx: ia, n: na, meta: ma, text: ta, extra: ea, tdv: tda, edv: eda } = a;
  const { idx: ib, n: nb, meta: mb, text: tb, extra: eb, tdv: tdb, edv: edb } = b;
  const sameText = ta === tb;
  let i = 0;
  let j = 0;
  for (;;) {
    if (i < na && ma !== null && (ma[i]! & DELETED) !== 0) {
      i++;
      continue;
    }
    if (j < nb && mb !== null && (mb[j]! & DELETED) !== 0) {
      j++;
      continue;
    }
    if (i >= na && j >= nb) break;
    const sa = i < na && ma !== null ? ma[i]! & 0xff : 0;
    const sb = j < nb && mb !== null ? mb[j]! & 0xff : 0;
    if (j >= nb) {
      const v = ia[i]!;
      const buf = v >= 0 ? ta : ea;
      const off = v >= 0 ? v : ~v;
      const z = nulAt(buf, off);
      out.push({ path: view(buf, off, z), left: valueAt(buf, v >= 0 ? tda : eda, z, sa), right: null });
      i++;
      continue;
    }
    if (i >= na) {
      const v = ib[j]!;
      const buf = v >= 0 ? tb : eb;
      const off = v >= 0 ? v : ~v;
      const z = nulAt(buf, off);
      out.push({ path: view(buf, off, z), left: null, right: valueAt(buf, v >= 0 ? tdb : edb, z, sb) });
      j++;
      continue;
    }
    const va = ia[i]!;
    const vb = ib[j]!;
    if (sameText && va >= 0 && va === vb) {
      // The very same line of the shared text: equal unless the 21st bytes differ.
      if (sa !== sb) {
        const z = nulAt(ta, va);
        out.push({ path: view(ta, va, z), left: valueAt(ta, tda, z, sa), right: valueAt(ta, tda, z, sb) });
      } else if (clean) {
        out.push({ path: view(ta, va, nulAt(ta, va)), left: null, right: null });
      }
      i++;
      j++;
      continue;
    }
    const bufA = va >= 0 ? ta : ea;
    const offA = va >= 0 ? va : ~va;
    const bufB = vb >= 0 ? tb : eb;
    const offB = vb >= 0 ? vb : ~vb;
    let k = 0;
    let ca: number;
    let cb: number;
    for (;;) {
      ca = bufA[offA + k]!;
      cb = bufB[offB + k]!;
      if (ca !== cb || ca === 0) break;
      k++;
    }
    if (ca === cb) {
      // same path: compare node and flag (and the 21st byte)
      const za = offA + k;
      const zb = offB + k;
      let same = sa === sb;
      if (same) {
        for (let q = 1; q <= 42; q++) {
          const x = bufA[za + q]!;
          if (x !== bufB[zb + q]) {
            same = false;
            break;
          }
          if (x === NL) break;
        }
      }
      if (!same) {
        out.push({
          path: view(bufA, offA, za),
          left: valueAt(bufA, va >= 0 ? tda : eda, za, sa),
          right: valueAt(bufB, vb >= 0 ? tdb : edb, zb, sb),
        });
      } else if (clean) {
        out.push({ path: view(bufA, offA, za), left: null, right: null });
      }
      i++;
      j++;
    } else if (ca < cb) {
      const z = nulAt(bufA, offA + k);
      out.push({ path: view(bufA, offA, z), left: valueAt(bufA, va >= 0 ? tda : eda, z, sa), right: null });
      i++;
    } else {
      const z = nulAt(bufB, offB + k);
      out.push({ path: view(bufB, offB, z), left: null, right: valueAt(bufB, vb >= 0 ? tdb : edb, z, sb) });
      j++;
    }
  }
}

/** Last slot in [lo, hi) whose start is <= pos (idx ascending, idx[lo] <= pos). */
function slotAt(idx: Int32Array, lo: number, hi: number, pos: number): number {
  // gallop, then binary search
  let step = 1;
  let l = lo;
  let h = lo + 1;
  while (h < hi && idx[h]! <= pos) {
    l = h;
    step *= 2;
    h = l + step;
  }
  if (h > hi) h = hi;
  while (h - l > 1) {
    const m = (l + h) >>> 1;
    if (idx[m]! <= pos) l = m;
    else h = m;
  }
  return l;
}

/**
 * Two unedited manifests over different buffers: compare the texts in bulk
 * from the current pair of lines to the first differing byte, skip every line
 * before it, and only look at the pair of lines that holds the difference.
 */
function diffCleanTexts(a: Snapshot, b: Snapshot, clean: boolean, out: ManifestDiffEntry[]): void {
  const { idx: ia, n: na, text: ta, tdv: da } = a;
  const { idx: ib, n: nb, text: tb, tdv: db } = b;
  const la = ta.length;
  const lb = tb.length;
  let i = 0;
  let j = 0;
  while (i < na && j < nb) {
    const pa = ia[i]!;
    const pb = ib[j]!;
    const room = Math.min(la - pa, lb - pb);
    const m = bulkMismatch(ta, da, pa, tb, db, pb, room);
    // lines entirely inside the equal run are equal
    let i2: number;
    let j2: number;
    if (m === room) {
      // one side ends inside the equal run: all its remaining lines are equal
      if (la - pa === room) {
        i2 = na;
        j2 = j + (na - i);
      } else {
        j2 = nb;
        i2 = i + (nb - j);
      }
    } else {
      i2 = slotAt(ia, i, na, pa + m);
      j2 = slotAt(ib, j, nb, pb + m);
    }
    if (clean) {
      for (let q = i; q < i2; q++) {
        const st = ia[q]!;
        out.push({ path: view(ta, st, pathEndOf(a, q)), left: null, right: null });
      }
    }
    i = i2;
    j = j2;
    if (i >= na || j >= nb) break;
    // lines i and j differ somewhere
    const offA = ia[i]!;
    const offB = ib[j]!;
    let k = 0;
    let ca: number;
    let cb: number;
    for (;;) {
      ca = ta[offA + k]!;
      cb = tb[offB + k]!;
      if (ca !== cb || ca === 0) break;
      k++;
    }
    if (ca === cb) {
      const z = offA + k;
      out.push({ path: view(ta, offA, z), left: valueAt(ta, da, z, 0), right: valueAt(tb, db, offB + k, 0) });
      i++;
      j++;
    } else if (ca < cb) {
      const z = nulAt(ta, offA + k);
      out.push({ path: view(ta, offA, z), left: valueAt(ta, da, z, 0), right: null });
      i++;
    } else {
      const z = nulAt(tb, offB + k);
      out.push({ path: view(tb, offB, z), left: null, right: valueAt(tb, db, z, 0) });
      j++;
    }
  }
  for (; i < na; i++) {
    const st = ia[i]!;
    const z = pathEndOf(a, i);
    out.push({ path: view(ta, st, z), left: valueAt(ta, da, z, 0), right: null });
  }
  for (; j < nb; j++) {
    const st = ib[j]!;
    const z = pathEndOf(b, j);
    out.push({ path: view(tb, st, z), left: null, right: valueAt(tb, db, z, 0) });
  }
}

// --- hg's _msearch ---------------------------------------------------------------------

/**
 * Where `s` is in manifest text `m` (searching from offset lo), as hg's
 * manifest._msearch: [start, end) of its line, or [p, p] with p the sorted
 * insertion point.
 */
function msearch(m: Uint8Array, s: Uint8Array, lo: number): [number, number] {
  if (s.length === 0) return [lo, lo];
  const lenm = m.length;
  let hi = lenm;
  const advance = (i: number, c: number): number => {
    while (i < lenm && m[i] !== c) i++;
    return i;
  };
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    let start = mid;
    while (start > 0 && m[start - 1] !== NL) start--;
    const end = advance(start, 0);
    if (compare(m.subarray(start, end), s) < 0) {
      lo = advance(end + 40, NL) + 1;
    } else {
      hi = start;
    }
  }
  const end = advance(lo, 0);
  if (compare(m.subarray(lo, end), s) === 0) {
    return [lo, advance(end + 40, NL) + 1];
  }
  return [lo, lo];
}

// Binary deltas (hg's mpatch). A delta is a sequence of hunks
// `start:u32 end:u32 len:u32 data[len]`, each replacing base[start:end].
// A chain of deltas is folded into one fragment list over the original
// buffers (base and deltas) and materialised once, so a long chain costs
// O(total fragments + size), not O(chain length × text size). Fragments live
// in typed arrays: no object per fragment.
import { StorageError } from '../core/errors.js';

function corrupt(): never {
  throw new StorageError('patch cannot be decoded');
}

/** A text as fragments: (buffer id, start, end) in three parallel typed arrays. */
class Fragments {
  buf: Int32Array;
  start: Int32Array;
  end: Int32Array;
  n = 0;
  total = 0;

  constructor(capacity: number) {
    this.buf = new Int32Array(capacity);
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
  }

  reset(): void {
    this.n = 0;
    this.total = 0;
  }

  push(b: number, s: number, e: number): void {
    if (e <= s) return;
    const n = this.n;
    if (n > 0 && this.buf[n - 1] === b && this.end[n - 1] === s) {
      this.end[n - 1] = e;
    } else {
      if (n === this.buf.length) this.grow();
      this.buf[n] = b;
      this.start[n] = s;
      this.end[n] = e;
      this.n = n + 1;
    }
    this.total += e - s;
  }

  private grow(): void {
    const cap = this.buf.length * 2;
    const nb = new Int32Array(cap);
    nb.set(this.buf);
    const ns = new Int32Array(cap);
    ns.set(this.start);
    const ne = new Int32Array(cap);
    ne.set(this.end);
    this.buf = nb;
    this.start = ns;
    this.end = ne;
  }
}

/** Applies one delta (buffer id `did`) to `src`, writing the result into `out`. */
function applyDelta(src: Fragments, delta: Uint8Array, did: number, out: Fragments): void {
  out.reset();
  const dv = new DataView(delta.buffer, delta.byteOffset, delta.length);
  let fi = 0; // fragment index in src
  let fs = src.n > 0 ? src.start[0]! : 0; // current read position inside fragment fi
  let pos = 0; // logical position in the src text
  const total = src.total;

  const advance = (upto: number, copy: boolean): void => {
    while (pos < upto) {
      const fe = src.end[fi]!;
      const take = Math.min(fe - fs, upto - pos);
      if (copy) out.push(src.buf[fi]!, fs, fs + take);
      pos += take;
      fs += take;
      if (fs === fe) {
        fi++;
        fs = fi < src.n ? src.start[fi]! : 0;
      }
    }
  };

  let p = 0;
  let last = 0;
  const dlen = delta.length;
  while (p < dlen) {
    if (p + 12 > dlen) corrupt();
    const start = dv.getInt32(p);
    const end = dv.getInt32(p + 4);
    const len = dv.getInt32(p + 8);
    p += 12;
    if (start < last || start > end || end > total || len < 0 || p + len > dlen) corrupt();
    advance(start, true);
    advance(end, false);
    out.push(did, p, p + len);
    p += len;
    last = end;
  }
  advance(total, true);
}

/** Applies `deltas` in order to `base`. */
export function patches(base: Uint8Array, deltas: readonly Uint8Array[]): Uint8Array {
  if (deltas.length === 0) return base;
  const bufs: Uint8Array[] = [base, ...deltas];
  let a = new Fragments(256);
  let b = new Fragments(256);
  a.push(0, 0, base.length);
  for (let i = 0; i < deltas.length; i++) {
    const d = deltas[i]!;
    if (d.length === 0) continue;
    applyDelta(a, d, i + 1, b);
    const t = a;
    a = b;
    b = t;
  }
  if (a.n === 1 && a.buf[0] === 0 && a.start[0] === 0 && a.end[0] === base.length) return base;
  const out = new Uint8Array(a.total);
  let o = 0;
  for (let i = 0; i < a.n; i++) {
    const s = a.start[i]!;
    const e = a.end[i]!;
    const src = bufs[a.buf[i]!]!;
    if (e - s < 64) {
      for (let k = s; k < e; k++) out[o++] = src[k]!;
    } else {
      out.set(src.subarray(s, e), o);
      o += e - s;
    }
  }
  return out;
}

/** Length of the text that results from applying `delta` to a text of `baseLength` bytes. */
export function patchedSize(baseLength: number, delta: Uint8Array): number {
  const dv = new DataView(delta.buffer, delta.byteOffset, delta.length);
  let size = baseLength;
  let p = 0;
  while (p < delta.length) {
    if (p + 12 > delta.length) corrupt();
    const start = dv.getInt32(p);
    const end = dv.getInt32(p + 4);
    const len = dv.getInt32(p + 8);
    size += start - end + len;
    p += 12 + len;
  }
  if (p !== delta.length) corrupt();
  return size;
}

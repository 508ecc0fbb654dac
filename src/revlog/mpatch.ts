// Binary deltas (hg's mpatch). A delta is a sequence of hunks
// `start:u32 end:u32 len:u32 data[len]`, each replacing base[start:end].
// A chain of deltas is folded into one fragment list over the original
// buffers and materialised once, so a long chain costs O(total hunks + size),
// not O(chain length × text size).
import { StorageError } from '../core/errors.js';

function corrupt(): never {
  throw new StorageError('patch cannot be decoded');
}

/** A text as a list of (buffer, start, end) fragments. */
class Fragments {
  bufs: Uint8Array[] = [];
  starts: number[] = [];
  ends: number[] = [];
  total = 0;

  push(buf: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    // Merge with the previous fragment when contiguous in the same buffer.
    const n = this.bufs.length;
    if (n > 0 && this.bufs[n - 1] === buf && this.ends[n - 1] === start) {
      this.ends[n - 1] = end;
    } else {
      this.bufs.push(buf);
      this.starts.push(start);
      this.ends.push(end);
    }
    this.total += end - start;
  }
}

function applyToFragments(src: Fragments, delta: Uint8Array): Fragments {
  const out = new Fragments();
  const dv = new DataView(delta.buffer, delta.byteOffset, delta.length);
  let fi = 0; // fragment index in src
  let fo = 0; // offset within that fragment
  let pos = 0; // logical position in src text

  // Copy src[pos, upto) into out, advancing the cursor.
  const copyTo = (upto: number): void => {
    while (pos < upto) {
      const fs = src.starts[fi]! + fo;
      const fe = src.ends[fi]!;
      const take = Math.min(fe - fs, upto - pos);
      out.push(src.bufs[fi]!, fs, fs + take);
      pos += take;
      if (fs + take === fe) {
        fi++;
        fo = 0;
      } else fo += take;
    }
  };
  const skipTo = (upto: number): void => {
    while (pos < upto) {
      const fs = src.starts[fi]! + fo;
      const fe = src.ends[fi]!;
      const take = Math.min(fe - fs, upto - pos);
      pos += take;
      if (fs + take === fe) {
        fi++;
        fo = 0;
      } else fo += take;
    }
  };

  let p = 0;
  let last = 0;
  while (p < delta.length) {
    if (p + 12 > delta.length) corrupt();
    const start = dv.getInt32(p);
    const end = dv.getInt32(p + 4);
    const len = dv.getInt32(p + 8);
    p += 12;
    if (start < last || start > end || end > src.total || len < 0 || p + len > delta.length) corrupt();
    copyTo(start);
    skipTo(end);
    out.push(delta, p, p + len);
    p += len;
    last = end;
  }
  copyTo(src.total);
  return out;
}

/** Applies `deltas` in order to `base`. */
export function patches(base: Uint8Array, deltas: readonly Uint8Array[]): Uint8Array {
  if (deltas.length === 0) return base;
  let frags = new Fragments();
  frags.push(base, 0, base.length);
  for (const d of deltas) {
    if (d.length === 0) continue;
    frags = applyToFragments(frags, d);
  }
  if (frags.bufs.length === 1 && frags.bufs[0] === base && frags.starts[0] === 0 && frags.ends[0] === base.length) {
    return base;
  }
  const out = new Uint8Array(frags.total);
  let o = 0;
  for (let i = 0; i < frags.bufs.length; i++) {
    const s = frags.starts[i]!;
    const e = frags.ends[i]!;
    out.set(frags.bufs[i]!.subarray(s, e), o);
    o += e - s;
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

// Line-based binary diff producing mpatch-format deltas, with the matching
// strategy of hg's bdiff (so deltas come out the same size, and the matching
// blocks can serve `diff` output):
//
// 1. Both texts are cut into lines (a line ends after `\n`; the last one may
//    lack it), each line getting a 32-bit hash. Lines are kept as offsets in
//    typed arrays: no per-line objects or strings.
// 2. Lines are grouped into equivalence classes through an open-addressing
//    table built over the new text. A class that occurs too often in the new
//    text (blank lines, braces...) is left out of the candidate chains
//    ("popular" lines), which keeps the search near linear.
// 3. The longest run of equal lines in a region is found (preferring, among
//    equal lengths, runs near the region's middle), then the regions before
//    and after it are searched the same way.
// 4. Each gap between matches is pushed as far towards the end as equal lines
//    allow, then every gap becomes one hunk `start end len data`.
//
// Deltas never influence node hashes, so matching hg byte for byte is not a
// requirement; the test suite still compares the blocks with hg's.
/** Lines of a text: `starts[i]..starts[i+1]` is line i; `starts[count]` is the end. */
interface Lines {
  count: number;
  starts: Int32Array;
  hashes: Int32Array;
}

const NL = 0x0a;

function splitLines(text: Uint8Array, from: number): Lines {
  const end = text.length;
  let count = 0;
  for (let p = text.indexOf(NL, from); p !== -1; p = text.indexOf(NL, p + 1)) count++;
  const lastNl = count > 0 ? text.lastIndexOf(NL) : from - 1;
  if (lastNl + 1 < end) count++; // unterminated last line
  const starts = new Int32Array(count + 1);
  const hashes = new Int32Array(count);
  let line = 0;
  let h = 0x811c9dc5 | 0;
  starts[0] = from;
  for (let p = from; p < end; p++) {
    const c = text[p]!;
    h = Math.imul(h ^ c, 0x01000193);
    if (c === NL) {
      hashes[line] = h;
      line++;
      starts[line] = p + 1;
      h = 0x811c9dc5 | 0;
    }
  }
  if (line < count) {
    hashes[line] = h;
    starts[count] = end;
  }
  return { count, starts, hashes };
}

function sameLine(ta: Uint8Array, la: Lines, i: number, tb: Uint8Array, lb: Lines, j: number): boolean {
  if (la.hashes[i] !== lb.hashes[j]) return false;
  let p = la.starts[i]!;
  const pe = la.starts[i + 1]!;
  let q = lb.starts[j]!;
  if (pe - p !== lb.starts[j + 1]! - q) return false;
  for (; p < pe; p++, q++) if (ta[p] !== tb[q]) return false;
  return true;
}

/** Per-line state of one diff computation. */
class Matcher {
  /** Equivalence class of each line (a table slot); equal classes mean equal lines. */
  readonly aClass: Int32Array;
  readonly bClass: Int32Array;
  /** Last line of b equal to each a line (-1: none, or too popular); chains go down from there. */
  readonly aFirst: Int32Array;
  /** Previous line of b in the same class (-1 at the end of the chain). */
  readonly bNext: Int32Array;
  /** For each b line j: the a line it was last matched with, and the run length ending there. */
  readonly posA: Int32Array;
  readonly posLen: Int32Array;
  /** Output of longestMatch. */
  mi = 0;
  mj = 0;

  constructor(
    readonly ta: Uint8Array,
    readonly a: Lines,
    readonly tb: Uint8Array,
    readonly b: Lines,
  ) {
    const an = a.count;
    const bn = b.count;
    this.aClass = new Int32Array(an);
    this.bClass = new Int32Array(bn);
    this.aFirst = new Int32Array(an);
    this.bNext = new Int32Array(bn);
    this.posA = new Int32Array(bn).fill(-1);
    this.posLen = new Int32Array(bn);
    let size = 1;
    while (size < bn + 1) size *= 2;
    size *= 4;
    const mask = size - 1;
    const head = new Int32Array(size).fill(-1);
    const count = new Int32Array(size);
    // Walk b forwards: each class chain then lists its lines from the last one down.
    for (let j = 0; j < bn; j++) {
      let s = b.hashes[j]! & mask;
      while (head[s] !== -1 && !sameLine(tb, b, j, tb, b, head[s]!)) s = (s + 1) & mask;
      this.bNext[j] = head[s]!;
      this.bClass[j] = s;
      head[s] = j;
      count[s]!++;
    }
    const popular = bn >= 31000 ? Math.trunc(bn / 1000) : Math.trunc(1000000 / (bn + 1));
    for (let i = 0; i < an; i++) {
      let s = a.hashes[i]! & mask;
      while (head[s] !== -1 && !sameLine(ta, a, i, tb, b, head[s]!)) s = (s + 1) & mask;
      // A line absent from b lands on an empty slot: a class no b line has.
      this.aClass[i] = s;
      this.aFirst[i] = count[s]! <= popular ? head[s]! : -1;
    }
  }

  /** The longest run of equal lines in a[a1,a2) × b[b1,b2): its length; start in mi/mj. */
  longestMatch(a1: number, a2: number, b1: number, b2: number): number {
    const { aClass, bClass, aFirst, bNext, posA, posLen } = this;
    let mi = a1;
    let mj = b1;
    let mk = 0;
    // Bound the work on huge regions: search only the last 30000 lines of a.
    if (a2 - a1 > 30000) a1 = a2 - 30000;
    const half = Math.trunc((a1 + a2 - 1) / 2);
    const bhalf = Math.trunc((b1 + b2 - 1) / 2);
    for (let i = a1; i < a2; i++) {
      let j = aFirst[i]!;
      while (j >= b2) j = bNext[j]!;
      for (; j >= b1; j = bNext[j]!) {
        // Length of the run of equal lines ending at (i, j).
        let k = 1;
        for (; j - k >= b1 && i - k >= a1; k++) {
          if (posA[j - k] === i - k) {
            k += posLen[j - k]!;
            break;
          }
          if (aClass[i - k] !== bClass[j - k]) break;
        }
        // A run recorded by an earlier search may reach outside this region.
        if (k > i - a1 + 1) k = i - a1 + 1;
        if (k > j - b1 + 1) k = j - b1 + 1;
        posA[j] = i;
        posLen[j] = k;
        if (k > mk) {
          mi = i;
          mj = j;
          mk = k;
        } else if (k === mk) {
          // equal length: prefer runs nearer the middle, to balance the recursion
          if (i > mi && i <= half && j > b1) {
            mi = i;
            mj = j;
          } else if (i === mi && (mj > bhalf || i === a1)) {
            mj = j;
          }
        }
      }
    }
    if (mk > 0) {
      mi = mi - mk + 1;
      mj = mj - mk + 1;
    }
    // Popular lines are not in the chains: extend the run over any that follow.
    while (mi + mk < a2 && mj + mk < b2 && aClass[mi + mk] === bClass[mj + mk]) mk++;
    this.mi = mi;
    this.mj = mj;
    return mk;
  }

  /**
   * Matching blocks as `[a1, a2, b1, b2]` quadruples (line numbers), in order,
   * ending with the sentinel `[an, an, bn, bn]`.
   */
  blocks(): number[] {
    const an = this.a.count;
    const bn = this.b.count;
    const out: number[] = [];
    // Explicit stack (no recursion depth limit): region entries [a1, a2, b1, b2],
    // or block entries [-1, a1, b1, k] emitted when popped.
    const stack: number[] = [0, an, 0, bn];
    while (stack.length > 0) {
      const b2 = stack.pop()!;
      const b1 = stack.pop()!;
      const a2 = stack.pop()!;
      const a1 = stack.pop()!;
      if (a1 === -1) {
        // a block: [-1, i, j, k]
        out.push(a2, a2 + b2, b1, b1 + b2);
        continue;
      }
      const k = this.longestMatch(a1, a2, b1, b2);
      if (k === 0) continue;
      const i = this.mi;
      const j = this.mj;
      // processed in reverse push order: left region, the block, right region
      stack.push(i + k, a2, j + k, b2);
      stack.push(-1, i, j, k);
      stack.push(a1, i, b1, j);
    }
    out.push(an, an, bn, bn);
    // Slide each insertion or deletion as far down as equal lines allow.
    const { aClass, bClass } = this;
    for (let c = 0; c + 4 < out.length; c += 4) {
      const n = c + 4;
      if (out[c + 1] === out[n] || out[c + 3] === out[n + 2]) {
        while (
          out[c + 1]! < an &&
          out[c + 3]! < bn &&
          out[n]! < out[n + 1]! &&
          out[n + 2]! < out[n + 3]! &&
          aClass[out[c + 1]!] === bClass[out[c + 3]!]
        ) {
          out[c + 1]!++;
          out[c + 3]!++;
          out[n]!++;
          out[n + 2]!++;
        }
      }
    }
    return out;
  }
}

/** Length of the common prefix of two byte arrays (native comparisons of growing blocks, then bytes). */
function commonPrefixLength(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let p = 0;
  let block = 256;
  for (;;) {
    if (p + block <= n && Buffer.compare(a.subarray(p, p + block), b.subarray(p, p + block)) === 0) {
      p += block;
      if (block < 65536) block *= 2;
    } else if (block > 32) block >>= 1;
    else break;
  }
  while (p < n && a[p] === b[p]) p++;
  return p;
}

/**
 * hg's `bdiff.blocks(a, b)`: the matching line blocks of two texts as
 * `[a1, a2, b1, b2]` quadruples (a[a1:a2] equals b[b1:b2]), in order, the
 * last one being the sentinel `[len(a lines), ..., len(b lines), ...]`.
 */
export function matchingBlocks(a: Uint8Array, b: Uint8Array): Int32Array {
  const la = splitLines(a, 0);
  const lb = splitLines(b, 0);
  return Int32Array.from(new Matcher(a, la, b, lb).blocks());
}

/**
 * A binary delta (mpatch format) turning `a` into `b`: hunks
 * `start:u32 end:u32 len:u32 data[len]`, replacing a[start:end] by data.
 * Equal texts give an empty delta.
 */
export function bdiff(a: Uint8Array, b: Uint8Array): Uint8Array {
  // Skip the common prefix of whole lines.
  const same = commonPrefixLength(a, b);
  const common = same === 0 ? 0 : a.lastIndexOf(NL, same - 1) + 1;
  const la = splitLines(a, common);
  const lb = splitLines(b, common);
  const blocks = new Matcher(a, la, b, lb).blocks();
  // Size the output, then fill it.
  let size = 0;
  let pa = 0;
  let pb = 0;
  for (let c = 0; c < blocks.length; c += 4) {
    const a1 = blocks[c]!;
    const b1 = blocks[c + 2]!;
    if (a1 !== pa || b1 !== pb) size += 12 + lb.starts[b1]! - lb.starts[pb]!;
    pa = blocks[c + 1]!;
    pb = blocks[c + 3]!;
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let o = 0;
  pa = 0;
  pb = 0;
  for (let c = 0; c < blocks.length; c += 4) {
    const a1 = blocks[c]!;
    const b1 = blocks[c + 2]!;
    if (a1 !== pa || b1 !== pb) {
      const ds = lb.starts[pb]!;
      const de = lb.starts[b1]!;
      dv.setUint32(o, la.starts[pa]!);
      dv.setUint32(o + 4, la.starts[a1]!);
      dv.setUint32(o + 8, de - ds);
      out.set(b.subarray(ds, de), o + 12);
      o += 12 + de - ds;
    }
    pa = blocks[c + 1]!;
    pb = blocks[c + 3]!;
  }
  return out;
}

/** A delta replacing the whole of a `baseLength`-byte text by `text` (hg's replacediffheader + text). */
export function replaceDelta(baseLength: number, text: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + text.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0);
  dv.setUint32(4, baseLength);
  dv.setUint32(8, text.length);
  out.set(text, 12);
  return out;
}

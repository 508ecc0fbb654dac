// zlib-format compression that produces, byte for byte, what zlib 1.2.x
// (`zlib.compress(data)` in hg's Python: level 6, 32 KiB window, memLevel 8,
// default strategy, the whole input at once with Z_FINISH) produces.
//
// hg's `GIT binary patch` literals are zlib streams; Node's bundled zlib is a
// fork with another match finder (its output inflates the same but differs in
// bytes), so `hg diff --git` output can only be reproduced with the reference
// algorithm: the lazy-matching deflate ("deflate_slow") with hash chains over
// a sliding window, blocks of at most 16383 symbols, and for each block the
// choice between stored, fixed-Huffman and dynamic-Huffman encoding, with
// zlib's tree construction (heap order, depth tie-break, bit-length overflow
// fix-up) and zlib's window and hash-table maintenance (including the zeroed
// bytes past the input that the match finder may read).

const W_BITS = 15;
const W_SIZE = 1 << W_BITS;
const W_MASK = W_SIZE - 1;
const WINDOW_SIZE = 2 * W_SIZE;
const HASH_BITS = 15; // memLevel 8 + 7
const HASH_SIZE = 1 << HASH_BITS;
const HASH_MASK = HASH_SIZE - 1;
const HASH_SHIFT = Math.trunc((HASH_BITS + 3 - 1) / 3);
const LIT_BUFSIZE = 1 << 14; // 1 << (memLevel + 6)
const SYM_END = (LIT_BUFSIZE - 1) * 3;

const MIN_MATCH = 3;
const MAX_MATCH = 258;
const MIN_LOOKAHEAD = MAX_MATCH + MIN_MATCH + 1;
const MAX_DIST = W_SIZE - MIN_LOOKAHEAD;
const WIN_INIT = MAX_MATCH;
const TOO_FAR = 4096;

// level 6
const GOOD_MATCH = 8;
const MAX_LAZY = 16;
const NICE_MATCH = 128;
const MAX_CHAIN = 128;

const LENGTH_CODES = 29;
const LITERALS = 256;
const L_CODES = LITERALS + 1 + LENGTH_CODES;
const D_CODES = 30;
const BL_CODES = 19;
const HEAP_SIZE = 2 * L_CODES + 1;
const MAX_BITS = 15;
const MAX_BL_BITS = 7;
const END_BLOCK = 256;
const REP_3_6 = 16;
const REPZ_3_10 = 17;
const REPZ_11_138 = 18;
const STORED_BLOCK = 0;
const STATIC_TREES = 1;
const DYN_TREES = 2;

const EXTRA_LBITS = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const EXTRA_DBITS = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const EXTRA_BLBITS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7];
const BL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

// ---------------------------------------------------------------------------
// Static tables (zlib's tr_static_init)

const lengthCode = new Uint8Array(MAX_MATCH - MIN_MATCH + 1);
const distCode = new Uint8Array(512);
const baseLength = new Int32Array(LENGTH_CODES);
const baseDist = new Int32Array(D_CODES);
const staticLCode = new Uint16Array(L_CODES + 2);
const staticLLen = new Uint16Array(L_CODES + 2);
const staticDCode = new Uint16Array(D_CODES);
const staticDLen = new Uint16Array(D_CODES);

function biReverse(code: number, len: number): number {
  let res = 0;
  do {
    res |= code & 1;
    code >>>= 1;
    res <<= 1;
  } while (--len > 0);
  return res >>> 1;
}

/** zlib's gen_codes: canonical codes (bit-reversed) from the lengths. */
function genCodes(codes: Uint16Array, lens: Uint16Array, maxCode: number, blCount: Uint16Array): void {
  const nextCode = new Uint16Array(MAX_BITS + 1);
  let code = 0;
  for (let bits = 1; bits <= MAX_BITS; bits++) {
    code = (code + blCount[bits - 1]!) << 1;
    nextCode[bits] = code;
  }
  for (let n = 0; n <= maxCode; n++) {
    const len = lens[n]!;
    if (len === 0) continue;
    codes[n] = biReverse(nextCode[len]!++, len);
  }
}

{
  let length = 0;
  let code: number;
  for (code = 0; code < LENGTH_CODES - 1; code++) {
    baseLength[code] = length;
    for (let n = 0; n < 1 << EXTRA_LBITS[code]!; n++) lengthCode[length++] = code;
  }
  lengthCode[length - 1] = code;
  let dist = 0;
  for (code = 0; code < 16; code++) {
    baseDist[code] = dist;
    for (let n = 0; n < 1 << EXTRA_DBITS[code]!; n++) distCode[dist++] = code;
  }
  dist >>= 7;
  for (; code < D_CODES; code++) {
    baseDist[code] = dist << 7;
    for (let n = 0; n < 1 << (EXTRA_DBITS[code]! - 7); n++) distCode[256 + dist++] = code;
  }
  const blCount = new Uint16Array(MAX_BITS + 1);
  let n = 0;
  while (n <= 143) (staticLLen[n++] = 8), blCount[8]!++;
  while (n <= 255) (staticLLen[n++] = 9), blCount[9]!++;
  while (n <= 279) (staticLLen[n++] = 7), blCount[7]!++;
  while (n <= 287) (staticLLen[n++] = 8), blCount[8]!++;
  genCodes(staticLCode, staticLLen, L_CODES + 1, blCount);
  for (n = 0; n < D_CODES; n++) {
    staticDLen[n] = 5;
    staticDCode[n] = biReverse(n, 5);
  }
}

function dCode(dist: number): number {
  return dist < 256 ? distCode[dist]! : distCode[256 + (dist >>> 7)]!;
}

// ---------------------------------------------------------------------------
// Huffman trees. zlib's ct_data is two unions: freq/code and dad/len; they
// share storage here too (fc and dl), since the algorithm relies on it.

interface Tree {
  fc: Uint16Array;
  dl: Uint16Array;
  maxCode: number;
  /** static tree (lengths) or null */
  sLen: Uint16Array | null;
  extra: readonly number[];
  extraBase: number;
  elems: number;
  maxLength: number;
}

function newTree(size: number, sLen: Uint16Array | null, extra: readonly number[], extraBase: number, elems: number, maxLength: number): Tree {
  return { fc: new Uint16Array(size), dl: new Uint16Array(size), maxCode: 0, sLen, extra, extraBase, elems, maxLength };
}

/** Growable output. */
class Output {
  buf: Uint8Array;
  len = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(Math.max(64, size));
  }
  room(n: number): void {
    if (this.len + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
  }
  byte(b: number): void {
    if (this.len === this.buf.length) this.room(1);
    this.buf[this.len++] = b;
  }
}

class Deflater {
  readonly window = new Uint8Array(WINDOW_SIZE);
  readonly prev = new Uint16Array(W_SIZE);
  readonly head = new Uint16Array(HASH_SIZE);
  insH = 0;
  strstart = 0;
  blockStart = 0;
  lookahead = 0;
  insert = 0;
  matchLength = MIN_MATCH - 1;
  prevLength = MIN_MATCH - 1;
  matchAvailable = false;
  matchStart = 0;
  prevMatch = 0;
  highWater = 0;

  // input
  private inPos = 0;
  private adlerA = 1;
  private adlerB = 0;

  // trees
  readonly lTree = newTree(HEAP_SIZE, staticLLen, EXTRA_LBITS, LITERALS + 1, L_CODES, MAX_BITS);
  readonly dTree = newTree(2 * D_CODES + 1, staticDLen, EXTRA_DBITS, 0, D_CODES, MAX_BITS);
  readonly blTree = newTree(2 * BL_CODES + 1, null, EXTRA_BLBITS, 0, BL_CODES, MAX_BL_BITS);
  readonly blCount = new Uint16Array(MAX_BITS + 1);
  readonly heap = new Int32Array(2 * L_CODES + 1);
  heapLen = 0;
  heapMax = 0;
  readonly depth = new Uint8Array(2 * L_CODES + 1);
  readonly symBuf = new Uint8Array(LIT_BUFSIZE * 3);
  symNext = 0;
  optLen = 0;
  staticLen = 0;

  // bit output
  biBuf = 0;
  biValid = 0;
  readonly out: Output;

  constructor(readonly input: Uint8Array) {
    this.out = new Output((input.length >>> 1) + 64);
    this.initBlock();
  }

  // --- bits -----------------------------------------------------------------

  private putShort(w: number): void {
    const o = this.out;
    o.room(2);
    o.buf[o.len++] = w & 0xff;
    o.buf[o.len++] = (w >>> 8) & 0xff;
  }

  private sendBits(value: number, length: number): void {
    if (this.biValid > 16 - length) {
      this.biBuf = (this.biBuf | (value << this.biValid)) & 0xffff;
      this.putShort(this.biBuf);
      this.biBuf = (value & 0xffff) >>> (16 - this.biValid);
      this.biValid += length - 16;
    } else {
      this.biBuf = (this.biBuf | (value << this.biValid)) & 0xffff;
      this.biValid += length;
    }
  }

  private biWindup(): void {
    if (this.biValid > 8) this.putShort(this.biBuf);
    else if (this.biValid > 0) this.out.byte(this.biBuf & 0xff);
    this.biBuf = 0;
    this.biValid = 0;
  }

  // --- trees ----------------------------------------------------------------

  private initBlock(): void {
    for (let n = 0; n < L_CODES; n++) this.lTree.fc[n] = 0;
    for (let n = 0; n < D_CODES; n++) this.dTree.fc[n] = 0;
    for (let n = 0; n < BL_CODES; n++) this.blTree.fc[n] = 0;
    this.lTree.fc[END_BLOCK] = 1;
    this.optLen = 0;
    this.staticLen = 0;
    this.symNext = 0;
  }

  private smaller(fc: Uint16Array, n: number, m: number): boolean {
    return fc[n]! < fc[m]! || (fc[n] === fc[m] && this.depth[n]! <= this.depth[m]!);
  }

  private pqdownheap(fc: Uint16Array, k: number): void {
    const heap = this.heap;
    const v = heap[k]!;
    let j = k << 1;
    while (j <= this.heapLen) {
      if (j < this.heapLen && this.smaller(fc, heap[j + 1]!, heap[j]!)) j++;
      if (this.smaller(fc, v, heap[j]!)) break;
      heap[k] = heap[j]!;
      k = j;
      j <<= 1;
    }
    heap[k] = v;
  }

  private genBitlen(t: Tree): void {
    const { fc, dl, maxCode, sLen, extra, extraBase, maxLength } = t;
    const heap = this.heap;
    const blCount = this.blCount;
    let overflow = 0;
    blCount.fill(0);
    dl[heap[this.heapMax]!] = 0;
    let h: number;
    for (h = this.heapMax + 1; h < HEAP_SIZE; h++) {
      const n = heap[h]!;
      let bits = dl[dl[n]!]! + 1;
      if (bits > maxLength) {
        bits = maxLength;
        overflow++;
      }
      dl[n] = bits;
      if (n > maxCode) continue;
      blCount[bits]!++;
      let xbits = 0;
      if (n >= extraBase) xbits = extra[n - extraBase]!;
      const f = fc[n]!;
      this.optLen += f * (bits + xbits);
      if (sLen) this.staticLen += f * (sLen[n]! + xbits);
    }
    if (overflow === 0) return;
    do {
      let bits = maxLength - 1;
      while (blCount[bits] === 0) bits--;
      blCount[bits]!--;
      blCount[bits + 1]! += 2;
      blCount[maxLength]!--;
      overflow -= 2;
    } while (overflow > 0);
    for (let bits = maxLength; bits !== 0; bits--) {
      let n = blCount[bits]!;
      while (n !== 0) {
        const m = heap[--h]!;
        if (m > maxCode) continue;
        if (dl[m] !== bits) {
          this.optLen += (bits - dl[m]!) * fc[m]!;
          dl[m] = bits;
        }
        n--;
      }
    }
  }

  private buildTree(t: Tree): void {
    const { fc, dl, sLen, elems } = t;
    const heap = this.heap;
    const depth = this.depth;
    let maxCode = -1;
    this.heapLen = 0;
    this.heapMax = HEAP_SIZE;
    for (let n = 0; n < elems; n++) {
      if (fc[n] !== 0) {
        heap[++this.heapLen] = maxCode = n;
        depth[n] = 0;
      } else dl[n] = 0;
    }
    while (this.heapLen < 2) {
      const node = (heap[++this.heapLen] = maxCode < 2 ? ++maxCode : 0);
      fc[node] = 1;
      depth[node] = 0;
      this.optLen--;
      if (sLen) this.staticLen -= sLen[node]!;
    }
    t.maxCode = maxCode;
    for (let n = this.heapLen >> 1; n >= 1; n--) this.pqdownheap(fc, n);
    let node = elems;
    do {
      // pqremove
      const n = heap[1]!;
      heap[1] = heap[this.heapLen--]!;
      this.pqdownheap(fc, 1);
      const m = heap[1]!;
      heap[--this.heapMax] = n;
      heap[--this.heapMax] = m;
      fc[node] = (fc[n]! + fc[m]!) & 0xffff;
      depth[node] = (depth[n]! >= depth[m]! ? depth[n]! : depth[m]!) + 1;
      dl[n] = dl[m] = node;
      heap[1] = node++;
      this.pqdownheap(fc, 1);
    } while (this.heapLen >= 2);
    heap[--this.heapMax] = heap[1]!;
    this.genBitlen(t);
    genCodes(fc, dl, maxCode, this.blCount);
  }

  private scanTree(t: Tree, maxCode: number): void {
    const dl = t.dl;
    const bl = this.blTree.fc;
    let prevlen = -1;
    let nextlen = dl[0]!;
    let count = 0;
    let maxCount = 7;
    let minCount = 4;
    if (nextlen === 0) {
      maxCount = 138;
      minCount = 3;
    }
    dl[maxCode + 1] = 0xffff;
    for (let n = 0; n <= maxCode; n++) {
      const curlen = nextlen;
      nextlen = dl[n + 1]!;
      if (++count < maxCount && curlen === nextlen) continue;
      else if (count < minCount) bl[curlen]! += count;
      else if (curlen !== 0) {
        if (curlen !== prevlen) bl[curlen]!++;
        bl[REP_3_6]!++;
      } else if (count <= 10) bl[REPZ_3_10]!++;
      else bl[REPZ_11_138]!++;
      count = 0;
      prevlen = curlen;
      if (nextlen === 0) {
        maxCount = 138;
        minCount = 3;
      } else if (curlen === nextlen) {
        maxCount = 6;
        minCount = 3;
      } else {
        maxCount = 7;
        minCount = 4;
      }
    }
  }

  private sendCode(c: number, codes: Uint16Array, lens: Uint16Array): void {
    this.sendBits(codes[c]!, lens[c]!);
  }

  private sendTree(t: Tree, maxCode: number): void {
    const dl = t.dl;
    const blc = this.blTree.fc;
    const bll = this.blTree.dl;
    let prevlen = -1;
    let nextlen = dl[0]!;
    let count = 0;
    let maxCount = 7;
    let minCount = 4;
    if (nextlen === 0) {
      maxCount = 138;
      minCount = 3;
    }
    for (let n = 0; n <= maxCode; n++) {
      const curlen = nextlen;
      nextlen = dl[n + 1]!;
      if (++count < maxCount && curlen === nextlen) continue;
      else if (count < minCount) {
        do this.sendCode(curlen, blc, bll);
        while (--count !== 0);
      } else if (curlen !== 0) {
        if (curlen !== prevlen) {
          this.sendCode(curlen, blc, bll);
          count--;
        }
        this.sendCode(REP_3_6, blc, bll);
        this.sendBits(count - 3, 2);
      } else if (count <= 10) {
        this.sendCode(REPZ_3_10, blc, bll);
        this.sendBits(count - 3, 3);
      } else {
        this.sendCode(REPZ_11_138, blc, bll);
        this.sendBits(count - 11, 7);
      }
      count = 0;
      prevlen = curlen;
      if (nextlen === 0) {
        maxCount = 138;
        minCount = 3;
      } else if (curlen === nextlen) {
        maxCount = 6;
        minCount = 3;
      } else {
        maxCount = 7;
        minCount = 4;
      }
    }
  }

  private buildBlTree(): number {
    this.scanTree(this.lTree, this.lTree.maxCode);
    this.scanTree(this.dTree, this.dTree.maxCode);
    this.buildTree(this.blTree);
    let maxBlindex: number;
    for (maxBlindex = BL_CODES - 1; maxBlindex >= 3; maxBlindex--) {
      if (this.blTree.dl[BL_ORDER[maxBlindex]!] !== 0) break;
    }
    this.optLen += 3 * (maxBlindex + 1) + 5 + 5 + 4;
    return maxBlindex;
  }

  private sendAllTrees(lcodes: number, dcodes: number, blcodes: number): void {
    this.sendBits(lcodes - 257, 5);
    this.sendBits(dcodes - 1, 5);
    this.sendBits(blcodes - 4, 4);
    for (let rank = 0; rank < blcodes; rank++) this.sendBits(this.blTree.dl[BL_ORDER[rank]!]!, 3);
    this.sendTree(this.lTree, lcodes - 1);
    this.sendTree(this.dTree, dcodes - 1);
  }

  private compressBlock(lc: Uint16Array, ll: Uint16Array, dc: Uint16Array, dlen: Uint16Array): void {
    const sym = this.symBuf;
    let sx = 0;
    if (this.symNext !== 0) {
      do {
        let dist = sym[sx]! | (sym[sx + 1]! << 8);
        let c = sym[sx + 2]!;
        sx += 3;
        if (dist === 0) this.sendCode(c, lc, ll);
        else {
          let code = lengthCode[c]!;
          this.sendCode(code + LITERALS + 1, lc, ll);
          let extra = EXTRA_LBITS[code]!;
          if (extra !== 0) {
            c -= baseLength[code]!;
            this.sendBits(c, extra);
          }
          dist--;
          code = dCode(dist);
          this.sendCode(code, dc, dlen);
          extra = EXTRA_DBITS[code]!;
          if (extra !== 0) {
            dist -= baseDist[code]!;
            this.sendBits(dist, extra);
          }
        }
      } while (sx < this.symNext);
    }
    this.sendCode(END_BLOCK, lc, ll);
  }

  private storedBlock(bufStart: number, storedLen: number, last: number): void {
    this.sendBits((STORED_BLOCK << 1) + last, 3);
    this.biWindup();
    this.putShort(storedLen & 0xffff);
    this.putShort(~storedLen & 0xffff);
    const o = this.out;
    o.room(storedLen);
    o.buf.set(this.window.subarray(bufStart, bufStart + storedLen), o.len);
    o.len += storedLen;
  }

  /** zlib's _tr_flush_block; bufStart < 0: the block's bytes are no longer in the window. */
  private flushBlock(bufStart: number, storedLen: number, last: number): void {
    this.buildTree(this.lTree);
    this.buildTree(this.dTree);
    const maxBlindex = this.buildBlTree();
    let optLenb = Math.floor((this.optLen + 3 + 7) / 8);
    const staticLenb = Math.floor((this.staticLen + 3 + 7) / 8);
    if (staticLenb <= optLenb) optLenb = staticLenb;
    if (storedLen + 4 <= optLenb && bufStart >= 0) {
      this.storedBlock(bufStart, storedLen, last);
    } else if (staticLenb === optLenb) {
      this.sendBits((STATIC_TREES << 1) + last, 3);
      this.compressBlock(staticLCode, staticLLen, staticDCode, staticDLen);
    } else {
      this.sendBits((DYN_TREES << 1) + last, 3);
      this.sendAllTrees(this.lTree.maxCode + 1, this.dTree.maxCode + 1, maxBlindex + 1);
      this.compressBlock(this.lTree.fc, this.lTree.dl, this.dTree.fc, this.dTree.dl);
    }
    this.initBlock();
    if (last) this.biWindup();
  }

  private flushBlockOnly(last: number): void {
    this.flushBlock(this.blockStart >= 0 ? this.blockStart : -1, this.strstart - this.blockStart, last);
    this.blockStart = this.strstart;
  }

  private tallyLit(c: number): boolean {
    const sym = this.symBuf;
    sym[this.symNext++] = 0;
    sym[this.symNext++] = 0;
    sym[this.symNext++] = c;
    this.lTree.fc[c]!++;
    return this.symNext === SYM_END;
  }

  private tallyDist(dist: number, len: number): boolean {
    const sym = this.symBuf;
    sym[this.symNext++] = dist & 0xff;
    sym[this.symNext++] = (dist >>> 8) & 0xff;
    sym[this.symNext++] = len;
    dist--;
    this.lTree.fc[lengthCode[len]! + LITERALS + 1]!++;
    this.dTree.fc[dCode(dist)]!++;
    return this.symNext === SYM_END;
  }

  // --- matching -------------------------------------------------------------

  private insertString(str: number): number {
    this.insH = ((this.insH << HASH_SHIFT) ^ this.window[str + MIN_MATCH - 1]!) & HASH_MASK;
    const h = this.head[this.insH]!;
    this.prev[str & W_MASK] = h;
    this.head[this.insH] = str;
    return h;
  }

  private slideHash(): void {
    const head = this.head;
    for (let n = 0; n < HASH_SIZE; n++) {
      const m = head[n]!;
      head[n] = m >= W_SIZE ? m - W_SIZE : 0;
    }
    const prev = this.prev;
    for (let n = 0; n < W_SIZE; n++) {
      const m = prev[n]!;
      prev[n] = m >= W_SIZE ? m - W_SIZE : 0;
    }
  }

  private readBuf(at: number, size: number): number {
    const input = this.input;
    let len = input.length - this.inPos;
    if (len > size) len = size;
    if (len === 0) return 0;
    const chunk = input.subarray(this.inPos, this.inPos + len);
    this.window.set(chunk, at);
    this.inPos += len;
    // adler32
    let a = this.adlerA;
    let b = this.adlerB;
    let i = 0;
    while (i < len) {
      const n = Math.min(len - i, 3800);
      for (const end = i + n; i < end; i++) {
        a += chunk[i]!;
        b += a;
      }
      a %= 65521;
      b %= 65521;
    }
    this.adlerA = a;
    this.adlerB = b;
    return len;
  }

  private fillWindow(): void {
    const window = this.window;
    do {
      let more = WINDOW_SIZE - this.lookahead - this.strstart;
      if (this.strstart >= W_SIZE + MAX_DIST) {
        window.copyWithin(0, W_SIZE, W_SIZE + W_SIZE - more);
        this.matchStart -= W_SIZE;
        this.strstart -= W_SIZE;
        this.blockStart -= W_SIZE;
        if (this.insert > this.strstart) this.insert = this.strstart;
        this.slideHash();
        more += W_SIZE;
      }
      if (this.inPos >= this.input.length) break;
      const n = this.readBuf(this.strstart + this.lookahead, more);
      this.lookahead += n;
      if (this.lookahead + this.insert >= MIN_MATCH) {
        let str = this.strstart - this.insert;
        this.insH = window[str]!;
        this.insH = ((this.insH << HASH_SHIFT) ^ window[str + 1]!) & HASH_MASK;
        while (this.insert) {
          this.insH = ((this.insH << HASH_SHIFT) ^ window[str + MIN_MATCH - 1]!) & HASH_MASK;
          this.prev[str & W_MASK] = this.head[this.insH]!;
          this.head[this.insH] = str;
          str++;
          this.insert--;
          if (this.lookahead + this.insert < MIN_MATCH) break;
        }
      }
    } while (this.lookahead < MIN_LOOKAHEAD && this.inPos < this.input.length);

    if (this.highWater < WINDOW_SIZE) {
      const curr = this.strstart + this.lookahead;
      if (this.highWater < curr) {
        let init = WINDOW_SIZE - curr;
        if (init > WIN_INIT) init = WIN_INIT;
        window.fill(0, curr, curr + init);
        this.highWater = curr + init;
      } else if (this.highWater < curr + WIN_INIT) {
        let init = curr + WIN_INIT - this.highWater;
        if (init > WINDOW_SIZE - this.highWater) init = WINDOW_SIZE - this.highWater;
        window.fill(0, this.highWater, this.highWater + init);
        this.highWater += init;
      }
    }
  }

  private longestMatch(curMatch: number): number {
    const window = this.window;
    const prev = this.prev;
    let chainLength = MAX_CHAIN;
    const scan = this.strstart;
    let bestLen = this.prevLength;
    let niceMatch = NICE_MATCH;
    const limit = this.strstart > MAX_DIST ? this.strstart - MAX_DIST : 0;
    const strend = this.strstart + MAX_MATCH;
    let scanEnd1 = window[scan + bestLen - 1]!;
    let scanEnd = window[scan + bestLen]!;
    if (this.prevLength >= GOOD_MATCH) chainLength >>>= 2;
    if (niceMatch > this.lookahead) niceMatch = this.lookahead;
    do {
      let match = curMatch;
      if (
        window[match + bestLen] !== scanEnd ||
        window[match + bestLen - 1] !== scanEnd1 ||
        window[match] !== window[scan] ||
        window[++match] !== window[scan + 1]
      ) {
        continue;
      }
      // scan[2] == match[2] is implied by the hash
      let s = scan + 2;
      match++;
      // compare up to strend, 8 bytes per check of the end as zlib does
      while (
        window[++s] === window[++match] &&
        window[++s] === window[++match] &&
        window[++s] === window[++match] &&
        window[++s] === window[++match] &&
        window[++s] === window[++match] &&
        window[++s] === window[++match] &&
        window[++s] === window[++match] &&
        window[++s] === window[++match] &&
        s < strend
      );
      const len = MAX_MATCH - (strend - s);
      if (len > bestLen) {
        this.matchStart = curMatch;
        bestLen = len;
        if (len >= niceMatch) break;
        scanEnd1 = window[scan + bestLen - 1]!;
        scanEnd = window[scan + bestLen]!;
      }
    } while ((curMatch = prev[curMatch & W_MASK]!) > limit && --chainLength !== 0);
    return bestLen <= this.lookahead ? bestLen : this.lookahead;
  }

  /** zlib's deflate_slow with Z_FINISH, run to the end. */
  run(): void {
    for (;;) {
      if (this.lookahead < MIN_LOOKAHEAD) {
        this.fillWindow();
        if (this.lookahead === 0) break;
      }
      let hashHead = 0;
      if (this.lookahead >= MIN_MATCH) hashHead = this.insertString(this.strstart);
      this.prevLength = this.matchLength;
      this.prevMatch = this.matchStart;
      this.matchLength = MIN_MATCH - 1;
      if (hashHead !== 0 && this.prevLength < MAX_LAZY && this.strstart - hashHead <= MAX_DIST) {
        this.matchLength = this.longestMatch(hashHead);
        if (this.matchLength <= 5 && this.matchLength === MIN_MATCH && this.strstart - this.matchStart > TOO_FAR) {
          this.matchLength = MIN_MATCH - 1;
        }
      }
      if (this.prevLength >= MIN_MATCH && this.matchLength <= this.prevLength) {
        const maxInsert = this.strstart + this.lookahead - MIN_MATCH;
        const bflush = this.tallyDist(this.strstart - 1 - this.prevMatch, this.prevLength - MIN_MATCH);
        this.lookahead -= this.prevLength - 1;
        this.prevLength -= 2;
        do {
          if (++this.strstart <= maxInsert) this.insertString(this.strstart);
        } while (--this.prevLength !== 0);
        this.matchAvailable = false;
        this.matchLength = MIN_MATCH - 1;
        this.strstart++;
        if (bflush) this.flushBlockOnly(0);
      } else if (this.matchAvailable) {
        if (this.tallyLit(this.window[this.strstart - 1]!)) this.flushBlockOnly(0);
        this.strstart++;
        this.lookahead--;
      } else {
        this.matchAvailable = true;
        this.strstart++;
        this.lookahead--;
      }
    }
    if (this.matchAvailable) {
      this.tallyLit(this.window[this.strstart - 1]!);
      this.matchAvailable = false;
    }
    this.insert = this.strstart < MIN_MATCH - 1 ? this.strstart : MIN_MATCH - 1;
    this.flushBlockOnly(1);
  }

  adler(): number {
    return ((this.adlerB << 16) | this.adlerA) >>> 0;
  }
}

/** `zlib.compress(data)` as CPython with zlib 1.2.x computes it (level 6). */
export function zlibCompress(data: Uint8Array): Uint8Array {
  const d = new Deflater(data);
  d.out.byte(0x78);
  d.out.byte(0x9c);
  d.run();
  const adler = d.adler();
  d.out.byte(adler >>> 24);
  d.out.byte((adler >>> 16) & 0xff);
  d.out.byte((adler >>> 8) & 0xff);
  d.out.byte(adler & 0xff);
  return d.out.buf.slice(0, d.out.len);
}

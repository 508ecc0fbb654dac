// The line-index kernel of LazyManifest as a tiny WebAssembly SIMD module.
//
// Why: building the line index must look at every byte of every path (to find
// the `\0`, and to check that each path sorts after the previous one) and at
// every node byte (to check the hex). Plain JavaScript reads one or four bytes
// per step; Mercurial's C parser uses memchr/strcmp, which read 16-32 bytes per
// step. This kernel reads 16 bytes per step with wasm SIMD and so parses faster
// than the C type (numbers in docs/benchmarks.md).
//
// The module is assembled here from opcodes (no toolchain, no binary blob).
// WebAssembly memory cannot alias the caller's buffer, so the driver
// (lazy-manifest-parse.ts) copies the text through a fixed scratch window in
// chunks of CHUNK bytes; the chunk stays in cache and the copy costs ~1 ms per
// 20 MB.
//
// Kernel contract, `parse(len, s, prev, final, base, out, res) -> count`:
//   scratch[0, len) holds text bytes, scratch[len, len+64) is zero padding;
//   `s` is the offset of the first line to parse, `prev` the offset of the line
//   before it (already checked) or -1. For every complete line it checks the
//   order against the previous line, finds the `\0`, checks the node field
//   (40 hex digits, optional flag x/l/t, then `\n`) and stores `base + start`
//   as an i32 at out[count++]. It stops at the end of the data, at a line that
//   is not complete inside the window (code INCOMPLETE), or at the first error.
//   res[0] = offset of the line where it stopped, res[1] = code, res[2] = prev.

export const K_OK = 0;
export const K_INCOMPLETE = 1;
export const K_UNSORTED = 2;
export const K_DUPLICATE = 3;
export const K_NO_NUL = 4;
export const K_EMPTY_PATH = 5;
export const K_BAD_LENGTH = 6;
export const K_BAD_HEX = 7;

// --- a minimal assembler ----------------------------------------------------

function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

class Asm {
  readonly code: number[] = [];
  private readonly labels: (string | null)[] = [];

  private depth(label: string): number {
    const i = this.labels.lastIndexOf(label);
    if (i < 0) throw new Error(`wasm asm: unknown label ${label}`);
    return this.labels.length - 1 - i;
  }
  block(label: string): this {
    this.labels.push(label);
    this.code.push(0x02, 0x40);
    return this;
  }
  loop(label: string): this {
    this.labels.push(label);
    this.code.push(0x03, 0x40);
    return this;
  }
  if(): this {
    this.labels.push(null);
    this.code.push(0x04, 0x40);
    return this;
  }
  end(): this {
    this.labels.pop();
    this.code.push(0x0b);
    return this;
  }
  br(label: string): this {
    this.code.push(0x0c);
    uleb(this.depth(label), this.code);
    return this;
  }
  brIf(label: string): this {
    this.code.push(0x0d);
    uleb(this.depth(label), this.code);
    return this;
  }
  get(i: number): this {
    this.code.push(0x20);
    uleb(i, this.code);
    return this;
  }
  set(i: number): this {
    this.code.push(0x21);
    uleb(i, this.code);
    return this;
  }
  tee(i: number): this {
    this.code.push(0x22);
    uleb(i, this.code);
    return this;
  }
  i32(v: number): this {
    this.code.push(0x41);
    sleb(v | 0, this.code);
    return this;
  }
  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  simd(op: number): this {
    this.code.push(0xfd);
    uleb(op, this.code);
    return this;
  }
  load8(): this {
    return this.op(0x2d, 0x00, 0x00);
  }
  store32(): this {
    return this.op(0x36, 0x02, 0x00);
  }
  v128load(): this {
    return this.op(0xfd, 0x00, 0x00, 0x00);
  }
  splat8(v: number): this {
    this.code.push(0xfd, 0x0c);
    for (let i = 0; i < 16; i++) this.code.push(v & 0xff);
    return this;
  }
}

// i32 ops
const ADD = 0x6a;
const SUB = 0x6b;
const MUL = 0x6c;
const AND = 0x71;
const OR = 0x72;
const EQ = 0x46;
const NE = 0x47;
const LT_S = 0x48;
const LT_U = 0x49;
const GE_S = 0x4e;
const CTZ = 0x68;
const SHL = 0x74;
const SELECT = 0x1b;
const RETURN = 0x0f;
const EQZ = 0x45;
// simd ops
const I8_EQ = 0x23;
const I8_NE = 0x24;
const V_OR = 0x50;
const I8_SUB_SAT_U = 0x73;
const I8_MIN_U = 0x77;
const V_ANY_TRUE = 0x53;
const I8_BITMASK = 0x64;
const I8_SUB = 0x71;

function buildParse(): number[] {
  // params
  const LEN = 0, S = 1, PREV = 2, FINAL = 3, BASE = 4, OUT = 5, RES = 6;
  // i32 locals
  const K = 7, NEM = 8, ZC = 9, T = 10, D = 11, Z = 12, E = 13, CNT = 14, C = 15, CODE = 16;
  // v128 locals
  const A = 17, A2 = 18;

  const a = new Asm();
  // exit(code): CODE = code; br exit
  const fail = (code: number): void => {
    a.i32(code).set(CODE).br('exit');
  };
  // terminator mask of v128 local `v`: bitmask(v == 0 | v == '\n')
  const termMask = (v: number): void => {
    a.get(v).splat8(0).simd(I8_EQ);
    a.get(v).splat8(10).simd(I8_EQ);
    a.simd(V_OR).simd(I8_BITMASK);
  };
  // non-hex lanes of the 16 bytes at z + off are non-zero:
  // min(sat(v - '0' - 9), sat((v | 0x20) - 'a' - 5))
  const hexBad = (off: number): void => {
    a.get(Z).i32(off).op(ADD).v128load().tee(A);
    a.splat8(0x30).simd(I8_SUB).splat8(9).simd(I8_SUB_SAT_U);
    a.get(A).splat8(0x20).simd(V_OR).splat8(0x61).simd(I8_SUB).splat8(5).simd(I8_SUB_SAT_U);
    a.simd(I8_MIN_U);
  };

  a.i32(0).set(CNT);
  a.block('exit');
  a.loop('line');
  // end of data?
  a.get(S).get(LEN).op(GE_S).if().i32(K_OK).set(CODE).br('exit').end();
  // K walks the current path, D the previous one, 32 bytes per step.
  a.get(S).set(K);
  a.block('found');
  a.block('scan');
  a.get(PREV).i32(0).op(LT_S).brIf('scan');
  a.get(PREV).set(D);
  a.loop('cmp');
  a.get(K).v128load().set(A);
  a.get(K).i32(16).op(ADD).v128load().set(A2);
  a.get(A).get(D).v128load().simd(I8_NE).simd(I8_BITMASK);
  a.get(A2).get(D).i32(16).op(ADD).v128load().simd(I8_NE).simd(I8_BITMASK).i32(16).op(SHL).op(OR).set(NEM);
  termMask(A);
  termMask(A2);
  a.i32(16).op(SHL).op(OR).tee(ZC);
  a.get(NEM).op(OR).op(EQZ).if();
  a.get(K).i32(32).op(ADD).set(K);
  a.get(D).i32(32).op(ADD).set(D);
  a.br('cmp');
  a.end();
  a.end(); // loop cmp
  a.get(ZC).op(CTZ).set(T);
  // a terminator before the first difference: the same path again (or the window end)
  a.get(T).get(NEM).op(CTZ).tee(E).op(LT_U).if();
  a.get(K).get(T).op(ADD).get(LEN).op(GE_S).if();
  fail(K_INCOMPLETE);
  a.end();
  fail(K_DUPLICATE);
  a.end();
  // the first differing byte decides the order (past the window end: incomplete)
  a.get(K).get(E).op(ADD).tee(C).load8();
  a.get(D).get(E).op(ADD).load8();
  a.op(LT_U).if();
  a.get(C).get(LEN).op(GE_S).if();
  fail(K_INCOMPLETE);
  a.end();
  fail(K_UNSORTED);
  a.end();
  a.get(ZC).if();
  a.get(K).get(T).op(ADD).set(Z).br('found');
  a.end();
  a.get(K).i32(32).op(ADD).set(K);
  a.end(); // block scan: find the first terminator at or after K
  a.loop('scanl');
  a.get(K).v128load().set(A);
  a.get(K).i32(16).op(ADD).v128load().set(A2);
  termMask(A);
  termMask(A2);
  a.i32(16).op(SHL).op(OR).tee(ZC).if();
  a.get(K).get(ZC).op(CTZ).op(ADD).set(Z).br('found');
  a.end();
  a.get(K).i32(32).op(ADD).set(K).br('scanl');
  a.end(); // loop scanl
  a.end(); // block found
  // z: first '\0' or '\n' of the line (a z in the zero padding fails the
  // e >= len test below)
  a.get(Z).load8().i32(10).op(EQ).if();
  fail(K_NO_NUL);
  a.end();
  a.get(Z).get(S).op(EQ).if();
  fail(K_EMPTY_PATH);
  a.end();
  a.get(Z).i32(41).op(ADD).tee(E).get(LEN).op(GE_S).if();
  fail(K_INCOMPLETE);
  a.end();
  a.get(E).load8().tee(C).i32(10).op(NE).if();
  a.get(C).i32(0x78).op(EQ).get(C).i32(0x6c).op(EQ).op(OR).get(C).i32(0x74).op(EQ).op(OR).op(EQZ).if();
  fail(K_BAD_LENGTH);
  a.end();
  a.get(E).i32(1).op(ADD).tee(E).get(LEN).op(GE_S).if();
  fail(K_INCOMPLETE);
  a.end();
  a.get(E).load8().i32(10).op(NE).if();
  fail(K_BAD_LENGTH);
  a.end();
  a.end();
  // 40 hex digits at z+1 .. z+40 (three overlapping 16-byte loads)
  hexBad(1);
  hexBad(17);
  a.simd(V_OR);
  hexBad(25);
  a.simd(V_OR).simd(V_ANY_TRUE).if();
  fail(K_BAD_HEX);
  a.end();
  // record the line
  a.get(OUT).get(CNT).i32(4).op(MUL).op(ADD).get(BASE).get(S).op(ADD).store32();
  a.get(CNT).i32(1).op(ADD).set(CNT);
  a.get(S).set(PREV);
  a.get(E).i32(1).op(ADD).set(S);
  a.br('line');
  a.end(); // loop line
  a.end(); // block exit
  // results
  a.get(RES).get(S).store32();
  a.get(RES).i32(4).op(ADD).get(CODE).store32();
  a.get(RES).i32(8).op(ADD).get(PREV).store32();
  a.get(CNT);
  a.op(0x0b); // end of function body

  const body: number[] = [];
  // locals: 10 x i32, 2 x v128 (A, A2)
  uleb(2, body);
  uleb(10, body);
  body.push(0x7f);
  uleb(2, body);
  body.push(0x7b);
  body.push(...a.code);
  return body;
}

// `cmp(a, b, len) -> k`: the first k < len with mem[a+k] != mem[b+k], or len.
// Reads up to 63 bytes past len (the caller leaves room there).
function buildCmp(): number[] {
  const A = 0, B = 1, LEN = 2; // params
  const K = 3, M = 4; // i32 locals
  const V0 = 5, V1 = 6, V2 = 7, V3 = 8; // v128 locals
  const a = new Asm();
  const ne = (off: number, v: number): void => {
    a.get(A).get(K).op(ADD).i32(off).op(ADD).v128load();
    a.get(B).get(K).op(ADD).i32(off).op(ADD).v128load();
    a.simd(I8_NE).set(v);
  };
  const found = (base: number, lo: number, hi: number): void => {
    // M = bitmask(lo) | bitmask(hi) << 16; if M: return min(k + base + ctz(M), len)
    a.get(lo).simd(I8_BITMASK).get(hi).simd(I8_BITMASK).i32(16).op(SHL).op(OR).tee(M).if();
    a.get(K).i32(base).op(ADD).get(M).op(CTZ).op(ADD).tee(M).get(LEN).get(M).get(LEN).op(LT_U).op(SELECT).op(RETURN);
    a.end();
  };
  a.i32(0).set(K);
  a.block('exit');
  a.loop('blocks');
  a.get(K).get(LEN).op(GE_S).brIf('exit');
  ne(0, V0);
  ne(16, V1);
  ne(32, V2);
  ne(48, V3);
  a.get(V0).get(V1).simd(V_OR).get(V2).get(V3).simd(V_OR).simd(V_OR).simd(V_ANY_TRUE).if();
  found(0, V0, V1);
  found(32, V2, V3);
  a.end();
  a.get(K).i32(64).op(ADD).set(K).br('blocks');
  a.end();
  a.end();
  a.get(LEN);
  a.op(0x0b);
  const body: number[] = [];
  uleb(2, body);
  uleb(2, body);
  body.push(0x7f);
  uleb(4, body);
  body.push(0x7b);
  body.push(...a.code);
  return body;
}

function buildModule(): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, content: number[]): void => {
    out.push(id);
    uleb(content.length, out);
    out.push(...content);
  };
  // types: 0 = (i32 x 7) -> i32 (parse), 1 = (i32 x 3) -> i32 (cmp)
  section(1, [2, 0x60, 7, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f, 0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7f]);
  section(3, [2, 0, 1]);
  section(5, [1, 0x00, 1]); // one memory, min 1 page, no max
  const name = (s: string): number[] => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];
  section(7, [3, ...name('parse'), 0x00, 0, ...name('cmp'), 0x00, 1, ...name('mem'), 0x02, 0]);
  const code: number[] = [2];
  for (const body of [buildParse(), buildCmp()]) {
    uleb(body.length, code);
    code.push(...body);
  }
  section(10, code);
  return new Uint8Array(out);
}

// The few WebAssembly declarations needed here (lib.dom is not in this project).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

export interface ParseKernel {
  readonly parse: (len: number, s: number, prev: number, final: number, base: number, out: number, res: number) => number;
  readonly cmp: (a: number, b: number, len: number) => number;
  readonly memory: WasmMemory;
}

let kernel: ParseKernel | null | undefined;
let disabled = false;

/** Test hook: false makes wasmKernel() return null, so the plain JS paths run. */
export function setWasmEnabled(on: boolean): void {
  disabled = !on;
}

/** The SIMD kernel, or null where WebAssembly SIMD is unavailable (e.g. `--jitless`). */
export function wasmKernel(): ParseKernel | null {
  if (disabled) return null;
  if (kernel !== undefined) return kernel;
  try {
    const mod = new WebAssembly.Module(buildModule());
    const inst = new WebAssembly.Instance(mod, {});
    const ex = inst.exports as { parse: ParseKernel['parse']; cmp: ParseKernel['cmp']; mem: WasmMemory };
    kernel = { parse: ex.parse, cmp: ex.cmp, memory: ex.mem };
  } catch {
    kernel = null;
  }
  return kernel;
}

const CMP_WINDOW = 32 * 1024;
let cmpMem: Uint8Array | null = null;

/**
 * Number of equal leading bytes of a[ap..] and b[bp..], at most len, using the
 * SIMD kernel through two scratch windows; null if wasm is unavailable.
 */
export function wasmMismatch(a: Uint8Array, ap: number, b: Uint8Array, bp: number, len: number): number | null {
  const k = wasmKernel();
  if (k === null) return null;
  const need = 2 * (CMP_WINDOW + 64);
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  if (cmpMem === null || cmpMem.buffer !== k.memory.buffer) cmpMem = new Uint8Array(k.memory.buffer);
  const mem = cmpMem;
  const bOff = CMP_WINDOW + 64;
  let done = 0;
  while (done < len) {
    const w = Math.min(len - done, CMP_WINDOW);
    mem.set(a.subarray(ap + done, ap + done + w), 0);
    mem.set(b.subarray(bp + done, bp + done + w), bOff);
    const r = k.cmp(0, bOff, w);
    if (r < w) return done + r;
    done += w;
  }
  return len;
}

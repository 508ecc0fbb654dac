// Building the line index of a flat manifest text: one Int32 per line (its
// start offset), after checking everything an eager parser checks: sorted and
// unique paths, a non-empty path, a `\0`, a node of exactly 40 hex digits, an
// optional flag (x, l, t) and a final newline. Two interchangeable kernels do
// the work: the WebAssembly SIMD one (lazy-manifest-wasm.ts) and a plain
// JavaScript one used where wasm is unavailable; both report the same errors.

import { ManifestError } from '../core/errors.js';
import {
  K_BAD_HEX,
  K_BAD_LENGTH,
  K_DUPLICATE,
  K_EMPTY_PATH,
  K_INCOMPLETE,
  K_NO_NUL,
  K_OK,
  K_UNSORTED,
  setWasmEnabled,
  wasmKernel,
} from './lazy-manifest-wasm.js';

export interface LineIndex {
  /** Line starts; `idx.length` may exceed `n` (spare room for inserts). */
  idx: Int32Array;
  n: number;
}

/** Shortest possible line: one path byte, `\0`, 40 hex digits, `\n`. */
const MIN_LINE = 43;
const PAD = 64;

/** Test hook: 'js' forces the plain JavaScript kernels (parse and diff), 'auto' uses wasm when available. */
export function setParseKernel(kind: 'js' | 'auto'): void {
  setWasmEnabled(kind !== 'js');
}

/** Which kernel buildLineIndex will use. */
export function parseKernelName(): 'wasm' | 'js' {
  return wasmKernel() !== null ? 'wasm' : 'js';
}

function describePath(text: Uint8Array, s: number): string {
  let e = s;
  while (e < text.length && e - s < 200 && text[e] !== 0 && text[e] !== 10) e++;
  let str = '';
  for (let i = s; i < e; i++) {
    const c = text[i]!;
    str += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return str;
}

function parseError(code: number, text: Uint8Array, lineStart: number, lineNo: number): ManifestError {
  const where = `line ${lineNo}, "${describePath(text, lineStart)}"`;
  switch (code) {
    case K_UNSORTED:
      return new ManifestError(`Manifest lines not in sorted order (${where})`);
    case K_DUPLICATE:
      return new ManifestError(`Manifest lines not in sorted order: duplicate path (${where})`);
    case K_NO_NUL:
      return new ManifestError(`Manifest line without a \\0 separator (${where})`);
    case K_EMPTY_PATH:
      return new ManifestError(`Manifest had an entry with a zero-length filename (line ${lineNo})`);
    case K_BAD_LENGTH:
      return new ManifestError(`Invalid node length in manifest (${where}): expected 40 hex digits`);
    case K_BAD_HEX:
      return new ManifestError(`Invalid node in manifest (${where}): not 40 hex digits`);
    default:
      return new ManifestError(`Unknown problem parsing manifest (${where})`);
  }
}

/** Turns a kernel's INCOMPLETE at the end of the text into the right error. */
function endError(text: Uint8Array, lineStart: number, lineNo: number): ManifestError {
  if (text[text.length - 1] !== 10) return new ManifestError('Manifest did not end in a newline.');
  return parseError(K_BAD_LENGTH, text, lineStart, lineNo);
}

function grow(idx: Int32Array, n: number, need: number): Int32Array {
  if (n + need <= idx.length) return idx;
  const next = new Int32Array(Math.max(n + need, Math.ceil(idx.length * 1.5) + 16));
  next.set(idx.subarray(0, n));
  return next;
}

/** Trims a large over-allocation so the index stays near 4 bytes per line. */
function fit(idx: Int32Array, n: number): Int32Array {
  if (idx.length <= n + (n >> 2) + 64) return idx;
  const out = new Int32Array(n + (n >> 4) + 16);
  out.set(idx.subarray(0, n));
  return out;
}

const SMALL_TEXT = 64 * 1024;

/** Builds the line index of `text`, or throws ManifestError. */
export function buildLineIndex(text: Uint8Array): LineIndex {
  if (text.length === 0) return { idx: new Int32Array(16), n: 0 };
  // Small texts (tree-manifest directories, small repositories): plain JS is
  // as quick and spares a short command the WebAssembly compile.
  if (text.length < SMALL_TEXT) return parseJs(text);
  const k = wasmKernel();
  return k === null ? parseJs(text) : parseWasm(text, k);
}

// --- wasm driver ---------------------------------------------------------------

let windowSize = 256 * 1024;

// An index is filled completely up to n before it is read, so it needs no
// zero-filling (see allocBytes in lazy-manifest.ts).
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(n: number): Uint8Array } }).Buffer;
function allocInt32(n: number): Int32Array {
  if (NodeBuffer === undefined || n < 1024) return new Int32Array(n);
  const b = NodeBuffer.allocUnsafeSlow(n * 4);
  return new Int32Array(b.buffer, b.byteOffset, n);
}

function parseWasm(text: Uint8Array, k: NonNullable<ReturnType<typeof wasmKernel>>): LineIndex {
  const len = text.length;
  let idx: Int32Array | null = null;
  let n = 0;
  let lineStart = 0;
  let prevStart = -1;
  let mem: Uint8Array | null = null;
  let i32: Int32Array | null = null;
  for (;;) {
    const res = windowSize + PAD;
    const out = res + 64;
    const needBytes = out + ((windowSize / MIN_LINE) | 0) * 4 + 64;
    if (k.memory.buffer.byteLength < needBytes) {
      k.memory.grow(Math.ceil((needBytes - k.memory.buffer.byteLength) / 65536));
    }
    if (mem === null || mem.buffer !== k.memory.buffer) {
      mem = new Uint8Array(k.memory.buffer);
      i32 = new Int32Array(k.memory.buffer);
    }
    const chunkStart = prevStart >= 0 ? prevStart : lineStart;
    const dataLen = Math.min(len - chunkStart, windowSize);
    const final = chunkStart + dataLen === len;
    mem.set(text.subarray(chunkStart, chunkStart + dataLen), 0);
    mem.fill(0, dataLen, dataLen + PAD);
    const first = lineStart - chunkStart;
    const got = k.parse(dataLen, first, prevStart >= 0 ? 0 : -1, final ? 1 : 0, chunkStart, out, res);
    const stopRel = i32![res >> 2]!;
    if (idx === null) {
      // Size the index from the average line length of the first window.
      const est = got > 0 ? Math.ceil(((got * len) / Math.max(1, stopRel - first)) * 1.05) + 64 : 16;
      idx = allocInt32(Math.max(est, got + 16));
    } else if (n + got > idx.length) {
      const next = allocInt32(Math.ceil(idx.length * 1.25) + got + 64);
      next.set(idx.subarray(0, n));
      idx = next;
    }
    idx.set(i32!.subarray(out >> 2, (out >> 2) + got), n);
    n += got;
    const stop = chunkStart + stopRel;
    const code = i32![(res >> 2) + 1]!;
    const prevRel = i32![(res >> 2) + 2]!;
    if (code === K_OK) {
      if (final) break;
    } else if (code !== K_INCOMPLETE) {
      throw parseError(code, text, stop, n + 1);
    } else if (final) {
      throw endError(text, stop, n + 1);
    }
    if (got === 0) {
      // One line (plus the previous one) does not fit in the window: widen it.
      windowSize *= 2;
      continue;
    }
    lineStart = stop;
    prevStart = prevRel >= 0 ? chunkStart + prevRel : -1;
  }
  return { idx: fit(idx ?? new Int32Array(16), n), n };
}

// --- plain JavaScript kernel -----------------------------------------------------

const HEXVAL = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEXVAL[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEXVAL[97 + i] = 10 + i;
  HEXVAL[65 + i] = 10 + i;
}

function parseJs(text: Uint8Array): LineIndex {
  const len = text.length;
  let idx: Int32Array = new Int32Array(Math.min(((len / MIN_LINE) | 0) + 16, ((len / 64) | 0) + 1024));
  let n = 0;
  let s = 0;
  let prev = -1;
  while (s < len) {
    let p = s;
    if (prev >= 0) {
      let q = prev;
      for (;;) {
        if (p >= len) throw endError(text, s, n + 1);
        const c = text[p]!;
        const d = text[q]!;
        if (c === d) {
          if (c === 0) throw parseError(K_DUPLICATE, text, s, n + 1);
          p++;
          q++;
          continue;
        }
        if (c < d) throw parseError(K_UNSORTED, text, s, n + 1);
        break;
      }
    }
    for (;;) {
      if (p >= len) throw endError(text, s, n + 1);
      const c = text[p]!;
      if (c === 0 || c === 10) break;
      p++;
    }
    if (text[p] === 10) throw parseError(K_NO_NUL, text, s, n + 1);
    if (p === s) throw parseError(K_EMPTY_PATH, text, s, n + 1);
    let e = p + 41;
    if (e >= len) throw endError(text, s, n + 1);
    const c = text[e]!;
    if (c !== 10) {
      if (c !== 0x78 && c !== 0x6c && c !== 0x74) throw parseError(K_BAD_LENGTH, text, s, n + 1);
      e++;
      if (e >= len) throw endError(text, s, n + 1);
      if (text[e] !== 10) throw parseError(K_BAD_LENGTH, text, s, n + 1);
    }
    for (let i = p + 1; i <= p + 40; i++) {
      if (HEXVAL[text[i]!]! < 0) throw parseError(K_BAD_HEX, text, s, n + 1);
    }
    if (n === idx.length) idx = grow(idx, n, 1);
    idx[n++] = s;
    prev = s;
    s = e + 1;
  }
  return { idx: fit(idx, n), n };
}

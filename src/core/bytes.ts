// Byte helpers. Everything binary stays a Uint8Array view; strings appear only
// at the edges (CLI output, user input).

const HEX = '0123456789abcdef';
const HEX_PAIRS: string[] = [];
for (let i = 0; i < 256; i++) HEX_PAIRS.push(HEX[i >> 4]! + HEX[i & 15]!);

/** Value of an ASCII hex digit, or -1. Accepts upper and lower case. */
export function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX_PAIRS[bytes[i]!];
  return s;
}

/** Parses an even-length hex string; returns undefined if it is not hex. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(hex.charCodeAt(2 * i));
    const lo = hexDigit(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Decodes 2*n hex bytes (ASCII) at `off` of `src` into n binary bytes; undefined if not hex. */
export function hexBytesToBin(src: Uint8Array, off: number, n: number): Uint8Array | undefined {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const hi = hexDigit(src[off + 2 * i]!);
    const lo = hexDigit(src[off + 2 * i + 1]!);
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Writes the lowercase ASCII hex of `bin` into `dst` at `off`. */
export function writeHex(dst: Uint8Array, off: number, bin: Uint8Array): void {
  for (let i = 0; i < bin.length; i++) {
    const b = bin[i]!;
    dst[off + 2 * i] = HEX.charCodeAt(b >> 4);
    dst[off + 2 * i + 1] = HEX.charCodeAt(b & 15);
  }
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** memcmp order. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function startsWith(a: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > a.length) return false;
  for (let i = 0; i < prefix.length; i++) if (a[i] !== prefix[i]) return false;
  return true;
}

export function indexOfByte(a: Uint8Array, byte: number, from = 0, end = a.length): number {
  const i = a.indexOf(byte, from);
  return i < 0 || i >= end ? -1 : i;
}

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** UTF-8 encode (for metadata and user input; never for file contents). */
export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** UTF-8 decode with replacement (for display of metadata). */
export function decodeUtf8(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

/** Latin-1 decode: one char per byte, lossless; used for byte-preserving keys. */
export function latin1(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  const CHUNK = 8192;
  for (let i = start; i < end; i += CHUNK) {
    s += String.fromCharCode.apply(null, b.subarray(i, Math.min(end, i + CHUNK)) as unknown as number[]);
  }
  return s;
}

export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

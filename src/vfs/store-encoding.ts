// Store path encoding: how hg turns an unencoded store path such as
// `data/Dir/File.txt.i` or `meta/dir/00manifest.i` into a file name under
// `.hg/store/` (or `.hg/` for store-less repositories).
//
// Four layouts exist, selected by the repository requirements
// (localrepo.makestore in hg 6.3.2):
//
//   requirements                      | store dir    | encoding
//   ----------------------------------+--------------+---------------------------------------------
//   store + fncache + dotencode       | .hg/store/   | encodedir, filename encoding, aux + dot
//                                     |              | encoding, hashed `dh/` form above 120 bytes
//                                     |              | (C parsers.pathencode)
//   store + fncache                   | .hg/store/   | same without the leading dot/space rule
//                                     |              | (store._hybridencode(path, False))
//   store                             | .hg/store/   | encodedir + filename encoding, no length
//                                     |              | limit (store.encodefilename)
//   (none)                            | .hg/         | encodedir only (store.basicstore)
//
// Every path opened through the store goes through the encoder, including
// top-level names (`00changelog.i`, `phaseroots`, ...), which the encoders
// leave unchanged.
//
// Differences between hg's C and Python encoders only exist for NUL bytes
// (never valid in hg paths) and for an empty directory component inside a
// path long enough to be hashed without dotencode (the Python encoder crashes
// there; we do what the C encoder does). One quirk we keep: without
// dotencode, the hashed form takes the basename's extension as Python's
// os.path.splitext does, so a basename made only of leading dots plus one
// more segment (e.g. `..i`) keeps no extension. Not mirrored: the C encoder
// refuses ("string too long") hashed paths of about 5465 bytes or more.

import { sha1 } from '../core/sha1.js';
import { concatBytes, fromLatin1 } from '../core/bytes.js';

/** The store flavour of a repository (from its requirements). */
export interface StoreLayout {
  /** `store` requirement: revlogs live under `.hg/store/` and names are filename-encoded. */
  readonly store: boolean;
  /** `fncache` requirement: aux/hybrid (hashed) encoding and a `fncache` file. Needs `store`. */
  readonly fncache: boolean;
  /** `dotencode` requirement: leading `.`/space of each component is escaped. Needs `fncache`. */
  readonly dotencode: boolean;
}

/** The layout `hg init` creates by default (store + fncache + dotencode). */
export const DEFAULT_STORE_LAYOUT: StoreLayout = Object.freeze({ store: true, fncache: true, dotencode: true });

/**
 * The layout hg uses for a requirement set, as localrepo.makestore does:
 * `fncache` only counts with `store`, `dotencode` only with `fncache`.
 */
export function storeLayoutFromRequirements(requirements: Iterable<string>): StoreLayout {
  const set = requirements instanceof Set ? (requirements as Set<string>) : new Set(requirements);
  const store = set.has('store');
  const fncache = store && set.has('fncache');
  const dotencode = fncache && set.has('dotencode');
  return { store, fncache, dotencode };
}

/** Directory (relative to `.hg/`) holding the store: `store` or `` (store-less repositories). */
export function storeDirName(layout: StoreLayout): string {
  return layout.store ? 'store' : '';
}

// ---------------------------------------------------------------------------
// constants

const SLASH = 0x2f;
const DOT = 0x2e;
const SPACE = 0x20;
const UNDERSCORE = 0x5f;
const TILDE = 0x7e;

/** hg's _maxstorepathlen. */
export const MAX_STORE_PATH_LEN = 120;
const DIR_PREFIX_LEN = 8;
const MAX_SHORT_DIRS_LEN = 8 * (DIR_PREFIX_LEN + 1) - 4; // 68
const HEX = '0123456789abcdef';

const DATA_PREFIX = fromLatin1('data/');
const META_PREFIX = fromLatin1('meta/');
const MANIFEST_RADIX = fromLatin1('00manifest');

/** Bytes hg escapes as `~xx`: 0..31, 126..255 and `\ : * ? " < > |`. */
const RESERVED = new Uint8Array(256);
for (let c = 0; c < 32; c++) RESERVED[c] = 1;
for (let c = 126; c < 256; c++) RESERVED[c] = 1;
for (const ch of '\\:*?"<>|') RESERVED[ch.charCodeAt(0)] = 1;

const enum Mode {
  /** store.encodefilename: A-Z -> _a-_z, `_` -> `__`. */
  Filename = 0,
  /** store.lowerencode (hashed form): A-Z -> a-z, `_` kept. */
  Lower = 1,
  /** bytes copied as they are (aux rules only) */
  Identity = 2,
}

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

function lowerAscii(c: number): number {
  return isUpper(c) ? c + 32 : c;
}

function writeEscape(out: Uint8Array, o: number, c: number): number {
  out[o] = TILDE;
  out[o + 1] = HEX.charCodeAt(c >> 4);
  out[o + 2] = HEX.charCodeAt(c & 15);
  return o + 3;
}

function writeByte(out: Uint8Array, o: number, c: number, mode: Mode): number {
  if (mode === Mode.Identity) {
    out[o] = c;
    return o + 1;
  }
  if (RESERVED[c]) return writeEscape(out, o, c);
  if (mode === Mode.Filename) {
    if (isUpper(c)) {
      out[o] = UNDERSCORE;
      out[o + 1] = c + 32;
      return o + 2;
    }
    if (c === UNDERSCORE) {
      out[o] = UNDERSCORE;
      out[o + 1] = UNDERSCORE;
      return o + 2;
    }
  } else if (isUpper(c)) {
    out[o] = c + 32;
    return o + 1;
  }
  out[o] = c;
  return o + 1;
}

function matchLower(src: Uint8Array, at: number, word: string, lower: boolean): boolean {
  for (let k = 0; k < word.length; k++) {
    const c = src[at + k]!;
    if ((lower ? lowerAscii(c) : c) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * Length of the Windows-reserved basename (`aux`, `con`, `prn`, `nul`: 3,
 * `com1`..`lpt9`: 4) starting the component src[start, end), or 0. The name
 * must be the whole component or be followed by a `.`. In Lower mode the
 * comparison is on lowercased bytes (the hashed form lowercases first).
 */
function reservedNameLen(src: Uint8Array, start: number, end: number, lower: boolean): number {
  const len = end - start;
  if (len >= 3 && (len === 3 || src[start + 3] === DOT)) {
    if (
      matchLower(src, start, 'aux', lower) ||
      matchLower(src, start, 'con', lower) ||
      matchLower(src, start, 'prn', lower) ||
      matchLower(src, start, 'nul', lower)
    ) {
      return 3;
    }
  }
  if (len >= 4 && (len === 4 || src[start + 4] === DOT)) {
    const d = src[start + 3]!;
    if (d >= 0x31 && d <= 0x39 && (matchLower(src, start, 'com', lower) || matchLower(src, start, 'lpt', lower))) {
      return 4;
    }
  }
  return 0;
}

/**
 * Encodes src[from, end) (already dir-encoded) byte by byte with `mode`, and,
 * when `aux`, applies store._auxencode to every `/`-separated component.
 */
function encodeBytes(src: Uint8Array, from: number, mode: Mode, aux: boolean, dotencode: boolean): Uint8Array {
  const end = src.length;
  // Every source byte becomes at most 3 output bytes, aux rules included.
  const out = new Uint8Array((end - from) * 3);
  let o = 0;
  let i = from;
  const lower = mode === Mode.Lower;
  while (i <= end) {
    let compEnd = src.indexOf(SLASH, i);
    if (compEnd < 0) compEnd = end;
    if (compEnd > i) {
      if (!aux) {
        for (let k = i; k < compEnd; k++) o = writeByte(out, o, src[k]!, mode);
      } else {
        const first = src[i]!;
        const last = src[compEnd - 1]!;
        let k = i;
        let leadingEncoded = false;
        if (dotencode && (first === DOT || first === SPACE)) {
          o = writeEscape(out, o, first);
          k++;
          leadingEncoded = true;
        } else {
          const rl = reservedNameLen(src, i, compEnd, lower);
          if (rl !== 0) {
            // first two bytes are lowercase ASCII letters; the third is escaped
            out[o++] = lowerAscii(src[i]!);
            out[o++] = lowerAscii(src[i + 1]!);
            o = writeEscape(out, o, lowerAscii(src[i + 2]!));
            k = i + 3;
          }
        }
        // A trailing `.`/space is escaped, unless it was the single byte
        // already escaped as a leading one.
        const trailing = (last === DOT || last === SPACE) && !(leadingEncoded && compEnd - i === 1);
        const stop = trailing ? compEnd - 1 : compEnd;
        for (; k < stop; k++) o = writeByte(out, o, src[k]!, mode);
        if (trailing && k < compEnd) o = writeEscape(out, o, last);
      }
    }
    if (compEnd < end) out[o++] = SLASH;
    i = compEnd + 1;
  }
  return out.subarray(0, o);
}

// ---------------------------------------------------------------------------
// encodedir / decodedir

/**
 * store.encodedir: `.hg/` -> `.hg.hg/`, `.i/` -> `.i.hg/`, `.d/` -> `.d.hg/`
 * (so a directory never collides with a revlog file). Returns `path` itself
 * when nothing changes.
 */
export function encodeDir(path: Uint8Array): Uint8Array {
  const n = path.length;
  let extra = 0;
  for (let i = path.indexOf(DOT); i >= 0 && i < n; i = path.indexOf(DOT, i + 1)) {
    if (dirSuffixLen(path, i) !== 0) extra += 3;
  }
  if (extra === 0) return path;
  const out = new Uint8Array(n + extra);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = path[i]!;
    if (c === DOT) {
      const l = dirSuffixLen(path, i);
      if (l !== 0) {
        // copy `.hg` / `.i` / `.d`, insert `.hg`, then the slash follows
        for (let k = 0; k < l; k++) out[o++] = path[i + k]!;
        out[o++] = DOT;
        out[o++] = 0x68;
        out[o++] = 0x67;
        i += l - 1;
        continue;
      }
    }
    out[o++] = c;
  }
  return out;
}

/** If path[i] = '.' starts `.hg/`, `.i/` or `.d/`, the length before the slash (3 or 2), else 0. */
function dirSuffixLen(path: Uint8Array, i: number): number {
  const a = path[i + 1];
  if ((a === 0x69 || a === 0x64) && path[i + 2] === SLASH) return 2;
  if (a === 0x68 && path[i + 2] === 0x67 && path[i + 3] === SLASH) return 3;
  return 0;
}

/** store.decodedir, the inverse of encodeDir. Returns `path` itself when nothing changes. */
export function decodeDir(path: Uint8Array): Uint8Array {
  // Python: if b'.hg/' not in path: return path; then replace
  // `.d.hg/`->`.d/`, `.i.hg/`->`.i/`, `.hg.hg/`->`.hg/` in that order.
  if (indexOfSeq(path, HG_SLASH, 0) < 0) return path;
  let p = replaceAll(path, fromLatin1('.d.hg/'), fromLatin1('.d/'));
  p = replaceAll(p, fromLatin1('.i.hg/'), fromLatin1('.i/'));
  p = replaceAll(p, fromLatin1('.hg.hg/'), HG_SLASH);
  return p;
}

const HG_SLASH = fromLatin1('.hg/');

function indexOfSeq(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  const last = hay.length - needle.length;
  for (let i = hay.indexOf(first, from); i >= 0 && i <= last; i = hay.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

/** Python bytes.replace semantics (left to right, non-overlapping). */
function replaceAll(src: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  let i = indexOfSeq(src, from, 0);
  if (i < 0) return src;
  const parts: Uint8Array[] = [];
  let start = 0;
  while (i >= 0) {
    parts.push(src.subarray(start, i), to);
    start = i + from.length;
    i = indexOfSeq(src, from, start);
  }
  parts.push(src.subarray(start));
  return concatBytes(parts);
}

// ---------------------------------------------------------------------------
// encoders

/** store.encodefilename: encodedir then the reversible filename encoding (store-only layout). */
export function encodeFilename(path: Uint8Array): Uint8Array {
  return encodeBytes(encodeDir(path), 0, Mode.Filename, false, false);
}

/** store.lowerencode: A-Z lowercased, reserved bytes as `~xx`. */
export function lowerEncode(path: Uint8Array): Uint8Array {
  return encodeBytes(path, 0, Mode.Lower, false, false);
}

/**
 * store._auxencode for a whole `/`-separated path whose components are
 * already filename-encoded or lowercased (hg only calls it on those).
 */
export function auxEncode(path: Uint8Array, dotencode: boolean): Uint8Array {
  return encodeBytes(path, 0, Mode.Identity, true, dotencode);
}

/** store._hashencode on an already dir-encoded path (the `dh/` form). */
function hashEncode(dired: Uint8Array, dotencode: boolean): Uint8Array {
  const digest = sha1(dired);
  // skip the 5-byte `data/` or `meta/` prefix
  const auxed = encodeBytes(dired, Math.min(5, dired.length), Mode.Lower, true, dotencode);
  const len = auxed.length;
  const lastSlash = auxed.lastIndexOf(SLASH);
  const baseStart = lastSlash + 1;

  // extension, as os.path.splitext(basename): from the last dot, unless the
  // basename has only dots before it
  let extStart = len;
  const lastDot = auxed.lastIndexOf(DOT);
  if (lastDot > lastSlash) {
    let k = baseStart;
    while (k < lastDot && auxed[k] === DOT) k++;
    if (k < lastDot) extStart = lastDot;
  }
  const extLen = len - extStart;

  // directory prefixes: up to 8 bytes of each directory, while the joined
  // length stays <= 68 (the C pathencode algorithm, equal to Python's for
  // non-empty components)
  const out = new Uint8Array(MAX_STORE_PATH_LEN + extLen + 3);
  out[0] = 0x64; // d
  out[1] = 0x68; // h
  out[2] = SLASH;
  let o = 3;
  for (let i = 0, p = 0; i < lastSlash; i++, p++) {
    const c = auxed[i]!;
    if (c === SLASH) {
      const d = out[o - 1]!;
      if (d === DOT || d === SPACE) out[o - 1] = UNDERSCORE;
      if (o > MAX_SHORT_DIRS_LEN + 3) break;
      out[o++] = SLASH;
      p = -1;
    } else if (p < DIR_PREFIX_LEN) {
      out[o++] = c;
    }
  }
  if (o > MAX_SHORT_DIRS_LEN + 3) {
    do o--;
    while (o > 0 && out[o] !== SLASH);
  }
  if (o > 3) {
    if (lastSlash > 0) {
      const d = out[o - 1]!;
      if (d === DOT || d === SPACE) out[o - 1] = UNDERSCORE;
    }
    out[o++] = SLASH;
  }

  const slop = MAX_STORE_PATH_LEN - (o + 40 + extLen);
  if (slop > 0) {
    const take = Math.min(slop, len - baseStart);
    out.set(auxed.subarray(baseStart, baseStart + take), o);
    o += take;
  }
  for (let i = 0; i < 20; i++) {
    out[o++] = HEX.charCodeAt(digest[i]! >> 4);
    out[o++] = HEX.charCodeAt(digest[i]! & 15);
  }
  out.set(auxed.subarray(extStart), o);
  o += extLen;
  return out.subarray(0, o);
}

/**
 * store._hybridencode(path, dotencode) (and, for dotencode, the C
 * parsers.pathencode hg actually uses): reversible encoding when the result
 * is at most 120 bytes, else the hashed `dh/` form.
 */
export function hybridEncode(path: Uint8Array, dotencode: boolean): Uint8Array {
  const dired = encodeDir(path);
  if (path.length <= MAX_STORE_PATH_LEN) {
    const res = encodeBytes(dired, 0, Mode.Filename, true, dotencode);
    if (res.length <= MAX_STORE_PATH_LEN) return res;
  }
  return hashEncode(dired, dotencode);
}

/**
 * The on-disk name, relative to the store directory (`.hg/store/`, or `.hg/`
 * when `!layout.store`), of the unencoded store path `path` (e.g.
 * `data/foo.i`, `meta/dir/00manifest.i`, `00changelog.i`).
 */
export function encodeStorePath(path: Uint8Array, layout: StoreLayout): Uint8Array {
  if (!layout.store) return encodeDir(path);
  if (!layout.fncache) return encodeFilename(path);
  return hybridEncode(path, layout.dotencode);
}

/** True if encodeStorePath gave a hashed (`dh/`), non-reversible name. */
export function isHashedStoreName(encoded: Uint8Array): boolean {
  return encoded.length >= 3 && encoded[0] === 0x64 && encoded[1] === 0x68 && encoded[2] === SLASH;
}

// ---------------------------------------------------------------------------
// radixes (store paths without the `.i`/`.d` suffix)

/** `data/<filePath>`: the filelog radix of a tracked file (add `.i` / `.d`). */
export function filelogPath(filePath: Uint8Array): Uint8Array {
  return concatBytes([DATA_PREFIX, filePath]);
}

/**
 * The manifest revlog radix of a tree-manifest directory: `00manifest` for
 * the root (`dir` empty), else `meta/<dir>/00manifest` (`dir` with or
 * without its trailing slash). Add `.i` / `.d`.
 */
export function manifestRadix(dir: Uint8Array): Uint8Array {
  if (dir.length === 0) return MANIFEST_RADIX;
  if (dir[dir.length - 1] === SLASH) return concatBytes([META_PREFIX, dir, MANIFEST_RADIX]);
  return concatBytes([META_PREFIX, dir, fromLatin1('/'), MANIFEST_RADIX]);
}

// ---------------------------------------------------------------------------
// decoding

function hexVal(c: number): number {
  // lowercase only: hg writes `~%02x`
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * store.decodefilename: the inverse of encodeFilename (store-only layout).
 * Returns undefined where hg raises "undecodable revlog name": an escape that
 * encodeFilename never produces (`~xx` of a non-reserved byte, `_` not
 * followed by a lowercase letter or `_`, raw uppercase or bytes >= 0x7f,
 * ...).
 */
export function decodeFilename(encoded: Uint8Array): Uint8Array | undefined {
  const out = decodeEscapes(encoded, true);
  return out === undefined ? undefined : decodeDir(out);
}

function decodeEscapes(s: Uint8Array, strict: boolean): Uint8Array | undefined {
  const n = s.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < n; ) {
    const c = s[i]!;
    if (c === UNDERSCORE) {
      const d = s[i + 1];
      if (d === undefined) return undefined;
      if (d === UNDERSCORE) out[o++] = UNDERSCORE;
      else if (d >= 0x61 && d <= 0x7a) out[o++] = d - 32;
      else return undefined;
      i += 2;
    } else if (c === TILDE) {
      if (i + 2 >= n) return undefined;
      const hi = hexVal(s[i + 1]!);
      const lo = hexVal(s[i + 2]!);
      if (hi < 0 || lo < 0) return undefined;
      const b = (hi << 4) | lo;
      if (strict && !RESERVED[b]) return undefined;
      out[o++] = b;
      i += 3;
    } else {
      if (RESERVED[c] || isUpper(c)) return undefined;
      out[o++] = c;
      i++;
    }
  }
  return out.subarray(0, o);
}

/**
 * Inverse of encodeStorePath for names hg can decode: returns the unencoded
 * store path, or undefined for hashed (`dh/`) names and for names that
 * encodeStorePath cannot have produced. Exact: the result always re-encodes
 * to `encoded`.
 *
 * - no store: decodedir;
 * - store only: store.decodefilename (undefined where hg says "undecodable");
 * - fncache layouts: filename escapes plus the aux/dot escapes (`~78` in
 *   `au~78`, `~2e`), which hg itself never decodes (it lists fncache stores
 *   from the fncache file), but which are reversible for non-hashed names.
 */
export function decodeStorePath(encoded: Uint8Array, layout: StoreLayout): Uint8Array | undefined {
  let decoded: Uint8Array | undefined;
  if (!layout.store) decoded = decodeDir(encoded);
  else if (!layout.fncache) decoded = decodeFilename(encoded);
  else {
    if (isHashedStoreName(encoded)) return undefined;
    const raw = decodeEscapes(encoded, false);
    decoded = raw === undefined ? undefined : decodeDir(raw);
  }
  if (decoded === undefined) return undefined;
  // Guard against names the encoder never produces (e.g. `.hg.hg.hg/` chains
  // or non-canonical escapes): only accept exact round trips.
  const back = encodeStorePath(decoded, layout);
  if (back.length !== encoded.length) return undefined;
  for (let i = 0; i < back.length; i++) if (back[i] !== encoded[i]) return undefined;
  return decoded;
}

// Repository verification: the checks of hg 6.3.2's `hg verify`
// (mercurial/verify.py and what it calls: revlog.verifyintegrity,
// revlog.checksize, store.datafiles, storageutil.filerevisioncopied),
// reimplemented over the revlog index and data bytes.
//
// The library prints nothing. Problems are reported, in hg's order, through
// `onEvent`; the CLI formats them exactly as hg does:
//   status  -> "checking changesets"              (hg: ui.status, stdout)
//   error   -> " <path>@<linkrev|?>: <message>"   (hg: verifier._err, stderr; counted)
//   warning -> "<message>"                        (hg: verifier._warn, stderr; counted)
//   notice  -> "<message>"                        (hg: ui.warn, stderr; not counted)
// Messages are byte strings: one JS char per byte (latin1), because they
// embed repository paths, which are bytes. `verifyEventText` gives hg's line.
//
// Speed: every filelog is read once, directly from its index (and data)
// bytes; each file node is matched once against the nodes the manifests
// list for that path (collected from manifest deltas, as hg does, into flat
// pools keyed by path bytes rather than per-entry objects); store files are
// taken from the fncache and only stat()ed when nothing else tells their
// size. The per-file storage checks (read, decompress, hash: most of the
// time) are a pure function, checkFileIntegrity, which the caller may run in
// helper threads (IntegrityHelpers); the verifier consumes their results in
// hg's order.

import * as nodeCrypto from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { HgError, StorageError } from '../core/errors.js';
import { fromLatin1, toHex } from '../core/bytes.js';
import { NULL_REV, type Node, type Rev } from '../core/node.js';
import { decompressChunk } from '../compress/engine.js';
import { zstdDecompressWasm } from '../compress/zstd.js';
import { patches } from '../revlog/mpatch.js';
import { Revlog } from '../revlog/revlog.js';
import { REVIDX_ELLIPSIS, REVIDX_EXTSTORED, REVIDX_KNOWN_FLAGS, REVLOGV0 } from '../revlog/constants.js';
import { parseChangeset } from '../changelog/changeset.js';
import { FlatHashTreeStorage } from '../manifest/flat-hash-tree-storage.js';
import { readFncache } from '../vfs/fncache.js';
import { decodeDir, decodeFilename, encodeStorePath, type StoreLayout } from '../vfs/store-encoding.js';
import type { Vfs } from '../vfs/vfs.js';

// ---------------------------------------------------------------------------
// Public API

export type VerifyEvent =
  | { type: 'status'; message: string }
  | { type: 'error'; linkrev: Rev | undefined; message: string; path: string | undefined }
  | { type: 'warning'; message: string }
  | { type: 'notice'; message: string };

export interface VerifyOptions {
  /** hg's `--full`: also read every full manifest text. */
  full?: boolean;
  /** hg's ui.verbose: enables the verbose-only checks (copy source in the parents) and messages. */
  verbose?: boolean;
  onEvent?: (event: VerifyEvent) => void;
  /** Optional helper threads for the file checks (see IntegrityHelpers). */
  helpers?: IntegrityHelpers;
  /** Use helpers only from this many files on (default 2048). */
  helperMinFiles?: number;
  /** hg's censor.policy: `abort` (default) reports censored file data as an error. */
  censorPolicy?: string;
}

export interface VerifyResult {
  changesets: number;
  /** File revisions checked ("changes"). */
  fileRevisions: number;
  files: number;
  errors: number;
  warnings: number;
  /** A "not in fncache" warning was given (hg then hints at debugrebuildfncache). */
  fncacheWarned: boolean;
  /** Lowest changeset named by an error, if any. */
  firstDamagedRev: Rev | undefined;
}

/** What verify needs from a repository (Repository satisfies it). */
export interface VerifyRepo {
  readonly storeDir: string;
  readonly layout: StoreLayout;
  readonly vfs: Vfs;
  readonly requirements: ReadonlySet<string>;
  readonly manifestLog?: { get(node: Node): { find(path: Uint8Array): unknown } };
}

/** hg's text for an event (without the final newline). */
export function verifyEventText(ev: VerifyEvent): string {
  if (ev.type === 'error') {
    const lr = ev.linkrev === undefined ? '?' : String(ev.linkrev);
    return ev.path ? ` ${ev.path}@${lr}: ${ev.message}` : ` ${lr}: ${ev.message}`;
  }
  return ev.message;
}

export const HINT_FNCACHE = 'hint: run "hg debugrebuildfncache" to recover from corrupt fncache';

/** Runs every check of `hg verify` on `repo`. Throws (like hg aborts) only when the changelog or manifest index cannot be opened, or the fncache is corrupt. */
export function verifyRepository(repo: VerifyRepo, opts: VerifyOptions = {}): VerifyResult {
  return new Verifier(repo, opts).run();
}

// ---------------------------------------------------------------------------
// Small helpers

const NULL_NODE_BYTES = new Uint8Array(20);
const ENTRY = 64;
const EMPTY = new Uint8Array(0);

function short(node: Uint8Array, off = 0): string {
  return toHex(node, off, off + 6);
}

function isNull(b: Uint8Array, off = 0): boolean {
  for (let i = 0; i < 20; i++) if (b[off + i] !== 0) return false;
  return true;
}

function nodesEqual(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  for (let i = 0; i < 20; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

function compareNodes(a: Uint8Array, ao: number, b: Uint8Array, bo: number): number {
  for (let i = 0; i < 20; i++) {
    const d = a[ao + i]! - b[bo + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

// Buffer's native latin1 decoder is several times faster than any JS loop
// for the many short path keys built here (it accepts any Uint8Array).
const latin1Slice: ((this: Uint8Array, start: number, end: number) => string) | undefined =
  typeof Buffer === 'function'
    ? (Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, s: number, e: number) => string }).latin1Slice
    : undefined;

/** One JS char per byte. */
function bstr(b: Uint8Array, start = 0, end = b.length): string {
  if (latin1Slice) return latin1Slice.call(b, start, end);
  let s = '';
  for (let i = start; i < end; i += 8192) {
    s += String.fromCharCode.apply(null, b.subarray(i, Math.min(end, i + 8192)) as unknown as number[]);
  }
  return s;
}

/** Python's repr() of a bytes object (for errno messages naming a path). */
function bytesRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = 'b' + q;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c === q.charCodeAt(0)) out += '\\' + q;
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += s[i];
  }
  return out + q;
}

/** hg's verify._normpath: collapse repeated slashes. */
function normPath(f: string): string {
  while (f.includes('//')) f = f.replaceAll('//', '/');
  return f;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** A hex digit's value, 0 for anything else (hg's C manifest parser). */
function hexNib(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return 0;
}

/** Error message of a thrown value, as a byte string. */
function errText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Node of a parent rev with hg's index semantics: -1 is null, anything else out of range throws. */
function parentNode(rl: Revlog, p: Rev): Uint8Array {
  if (p === NULL_REV) return NULL_NODE_BYTES;
  if (p < 0 || p >= rl.length) throw new RevlogIndexError();
  return rl.node(p);
}

class RevlogIndexError extends Error {
  constructor() {
    super('revlog index out of range');
  }
}

class CensoredError extends Error {}

/**
 * True when every store layout leaves the unencoded store path `key` as it is
 * (a sufficient condition, checked cheaply): lowercase letters, digits and
 * `-./+,=@` only, at most 120 bytes, no empty component, no component starting
 * or ending with a dot, no Windows-reserved base name (aux, con, prn, nul,
 * com1-9, lpt1-9), and nothing encodedir changes (`.i/`, `.d/`, `.hg/`).
 * Anything else goes through encodeStorePath.
 */
export function isIdentityStorePath(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > 120) return false;
  let compStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? key.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      const len = i - compStart;
      if (len === 0) return false;
      if (key.charCodeAt(compStart) === 0x2e || key.charCodeAt(i - 1) === 0x2e) return false;
      // Windows-reserved base name: the part before the first dot
      let base = key.indexOf('.', compStart);
      if (base < 0 || base > i) base = i;
      const bl = base - compStart;
      if (bl === 3 || bl === 4) {
        const w = key.slice(compStart, compStart + 3);
        if (bl === 3 && (w === 'aux' || w === 'con' || w === 'prn' || w === 'nul')) return false;
        if (bl === 4 && (w === 'com' || w === 'lpt')) {
          const d = key.charCodeAt(compStart + 3);
          if (d >= 0x31 && d <= 0x39) return false;
        }
      }
      if (i < n) {
        // a directory named *.i, *.d or *.hg gets `.hg` appended by encodedir
        const e1 = key.charCodeAt(i - 1);
        if (len >= 2 && key.charCodeAt(i - 2) === 0x2e && (e1 === 0x69 || e1 === 0x64)) return false;
        if (len >= 3 && key.endsWith('.hg', i)) return false;
      }
      compStart = i + 1;
      continue;
    }
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) continue;
    if (c === 0x2d || c === 0x2e || c === 0x2b || c === 0x2c || c === 0x3d || c === 0x40) continue;
    return false;
  }
  return true;
}

/** hg's revlog_type() suffixes. */
const REVLOG_MAIN = ['.i', 'i.tmpcensored'];
const REVLOG_OTHER = ['.idx', '.d', '.dat', '.n', '.nd', '.sda', 'd.tmpcensored'];
function isRevlogFileName(name: string): boolean {
  for (const s of REVLOG_MAIN) if (name.endsWith(s)) return true;
  for (const s of REVLOG_OTHER) if (name.endsWith(s)) return true;
  return false;
}

// ---------------------------------------------------------------------------
// Reading revisions with hg's semantics (revlog._revisiondata / _rawtext /
// _chunks / checkhash), including its error messages.

const READ_CACHE = 65536;

class RevReader {
  readonly rl: Revlog;
  private readonly index: Uint8Array;
  private dataLoaded = false;
  private data: Uint8Array | undefined;
  private cacheRev: Rev = NULL_REV;
  private cacheText: Uint8Array | undefined;

  constructor(
    readonly name: string,
    index: Uint8Array,
    private readonly dataPath: () => Uint8Array,
    private readonly vfs: Vfs,
    private readonly censorable: boolean,
  ) {
    this.index = index;
    this.rl = new Revlog(name, { index, readData: () => undefined });
  }

  /** Size of the `.i` file (-1: missing), when the opener knows it. */
  indexSize = -1;
  /** Decode every zstd frame with the WebAssembly build (worth its start-up on many files). */
  wasmZstd = false;

  get length(): number {
    return this.rl.length;
  }

  /** The `.d` file bytes, undefined when missing (read once). */
  dataBytes(): Uint8Array | undefined {
    if (!this.dataLoaded) {
      this.dataLoaded = true;
      this.data = this.vfs.tryRead(this.dataPath());
    }
    return this.data;
  }

  /** revlog.checksize(): [data length off, index extra bytes]. */
  checkSize(): [number, number] {
    const rl = this.rl;
    const n = rl.length;
    if (rl.inline) {
      let dataBytes = 0;
      for (let r = 0; r < n; r++) dataBytes += Math.max(0, rl.compressedLength(r));
      return [0, this.index.length - n * ENTRY - dataBytes];
    }
    let dd = 0;
    const d = this.dataBytes();
    if (d !== undefined) {
      const expected = n > 0 ? Math.max(0, rl.start(n - 1) + rl.compressedLength(n - 1)) : 0;
      dd = d.length - expected;
    }
    const entrySize = rl.version === REVLOGV0 ? 76 : ENTRY;
    const di = this.index.length - Math.floor(this.index.length / entrySize) * entrySize;
    return [dd, di];
  }

  /** Node of a parent rev (index semantics: -1 is null; anything else out of range throws). */
  parentNode(p: Rev): Uint8Array {
    return parentNode(this.rl, p);
  }

  private chain(rev: Rev): { chain: Rev[]; stopped: boolean } {
    const rl = this.rl;
    const len = rl.length;
    const gd = rl.generalDelta;
    const stop = this.cacheText ? this.cacheRev : -2;
    const chain: Rev[] = [];
    const baseOf = (r: Rev): Rev => {
      const b = rl.baseRev(r);
      if (b > r) throw new StorageError(`corrupted revlog, revision base above revision: ${r}, ${b}`);
      if (b < -1) throw new StorageError(`corrupted revlog, revision base out of range: ${r}, ${b}`);
      return b;
    };
    let it = rev;
    let base = baseOf(it);
    while (it !== base && it !== stop) {
      chain.push(it);
      it = gd ? base : it - 1;
      if (it < 0) break;
      if (it >= len) throw new StorageError('revision outside index');
      base = baseOf(it);
    }
    let stopped = false;
    if (it === stop) stopped = true;
    else {
      if (it < 0) throw new StorageError(`corrupted revlog, revision base out of range: ${rev}, ${it}`);
      chain.push(it);
    }
    chain.reverse();
    return { chain, stopped };
  }

  /** `sizeHint`: the decompressed size when known (a full text's raw size). */
  private decompress(chunk: Uint8Array, sizeHint?: number): Uint8Array {
    if (chunk.length === 0) return chunk;
    const t = chunk[0]!;
    if (t === 0x75) return chunk.subarray(1);
    if (t === 0) return chunk;
    if (t === 0x78) {
      try {
        return decompressChunk(chunk);
      } catch {
        throw new StorageError(`revlog decompress error: ${zlibErrorText(chunk)}`);
      }
    }
    if (t === 0x28) {
      if (this.wasmZstd) {
        try {
          const out = zstdDecompressWasm(chunk, sizeHint !== undefined && sizeHint > 0 ? sizeHint : undefined);
          if (out !== undefined) return out;
        } catch {
          // fall through: the JS decoder's verdict gives the message
        }
      }
      try {
        return decompressChunk(chunk, sizeHint !== undefined && sizeHint > 0 ? sizeHint : undefined);
      } catch (e) {
        throw zstdError(chunk, errText(e));
      }
    }
    throw new StorageError(`unknown compression type ${t.toString(16).padStart(2, '0')}`);
  }

  /**
   * Decompressed chunks of `revs` (hg's _chunks: one segment read, then
   * views). `fullFirst`: the first chunk is a full text.
   */
  private chunks(revs: Rev[], fullFirst = false): Uint8Array[] {
    const rl = this.rl;
    const out: Uint8Array[] = new Array(revs.length);
    const hint = (k: number): number | undefined => (k === 0 && fullFirst ? rl.rawSize(revs[0]!) : undefined);
    if (rl.inline) {
      for (let k = 0; k < revs.length; k++) out[k] = this.decompress(rl.rawChunk(revs[k]!), hint(k));
      return out;
    }
    const first = revs[0]!;
    let last = first;
    for (let k = revs.length - 1; k >= 0; k--) {
      if (rl.compressedLength(revs[k]!) !== 0) {
        last = revs[k]!;
        break;
      }
    }
    const offset = rl.start(first);
    const length = rl.start(last) + rl.compressedLength(last) - offset;
    const data = this.dataBytes();
    if (data === undefined) {
      throw new StorageError(`[Errno 2] No such file or directory: ${bytesRepr(bstr(this.dataPath()))}`);
    }
    if (offset + length > data.length && length > 0) {
      const realOffset = offset - (offset % READ_CACHE);
      const realLength = Math.floor((offset + length + READ_CACHE) / READ_CACHE) * READ_CACHE - realOffset;
      const got = Math.max(0, Math.min(realLength, data.length - realOffset)) - (offset - realOffset);
      throw new StorageError(
        `partial read of revlog ${this.name}.d; expected ${length} bytes from offset ${offset}, got ${got}`,
      );
    }
    for (let k = 0; k < revs.length; k++) {
      const r = revs[k]!;
      const s = rl.start(r);
      out[k] = this.decompress(data.subarray(s, s + rl.compressedLength(r)), hint(k));
    }
    return out;
  }

  /**
   * revlog.revision(rev): reconstruct, process flags, check the hash.
   * Throws with hg's messages; CensoredError for censored data.
   */
  revision(rev: Rev): Uint8Array {
    const rl = this.rl;
    if (rev === this.cacheRev && this.cacheText) return this.cacheText;
    if (isNull(rl.node(rev))) return EMPTY;
    const { chain, stopped } = this.chain(rev);
    const base = stopped ? this.cacheText! : undefined;
    this.cacheRev = NULL_REV;
    this.cacheText = undefined;
    let bins: Uint8Array[];
    try {
      bins = this.chunks(chain, !stopped);
    } catch (e) {
      if (e instanceof TruncatedChunkError) throw new StorageError(`integrity check failed on ${this.name}:${rev}`);
      throw e;
    }
    let text: Uint8Array;
    if (base === undefined) {
      text = bins.length === 1 ? bins[0]! : bins.length === 2 ? applyOneDelta(bins[0]!, bins[1]!) : patches(bins[0]!, bins.slice(1));
    } else {
      text = bins.length === 0 ? base : bins.length === 1 ? applyOneDelta(base, bins[0]!) : patches(base, bins);
    }
    const flags = rl.flags(rev);
    if (flags !== 0) {
      if (flags & ~REVIDX_KNOWN_FLAGS) {
        throw new StorageError(`incompatible revision flag '0x${(flags & ~REVIDX_KNOWN_FLAGS).toString(16)}'`);
      }
      if (flags & REVIDX_ELLIPSIS) throw new StorageError(`missing processor for flag '0x${REVIDX_ELLIPSIS.toString(16)}'`);
      if (flags & REVIDX_EXTSTORED) throw new StorageError(`missing processor for flag '0x${REVIDX_EXTSTORED.toString(16)}'`);
    }
    const [p1, p2] = rl.parentRevs(rev);
    const n1 = this.parentNode(p1);
    const n2 = this.parentNode(p2);
    if (!this.hashMatches(text, n1, n2, rl.node(rev))) {
      if (this.censorable && isCensoredText(text)) throw new CensoredError('censored');
      throw new StorageError(`integrity check failed on ${this.name}:${rev}`);
    }
    this.cacheRev = rev;
    this.cacheText = text;
    return text;
  }

  private hashMatches(text: Uint8Array, p1: Uint8Array, p2: Uint8Array, node: Uint8Array): boolean {
    return revisionHashEquals(text, p1, p2, node);
  }

  /** The decompressed stored chunk of one revision (hg's _chunk: its own segment). */
  chunk(rev: Rev): Uint8Array {
    return this.chunks([rev])[0]!;
  }
}

/**
 * python-zstandard's texts for what fzstd reports. A frame cut short is no
 * error there (its decompressobj returns what it could), so the revision then
 * fails its hash check instead: TruncatedChunkError.
 */
function zstdError(chunk: Uint8Array, message: string): Error {
  if (!(chunk[0] === 0x28 && chunk[1] === 0xb5 && chunk[2] === 0x2f && chunk[3] === 0xfd)) {
    return new StorageError('revlog decompress error: zstd decompressor error: Unknown frame descriptor');
  }
  if (message.includes('unexpected EOF')) return new TruncatedChunkError();
  return new StorageError('revlog decompress error: zstd decompressor error: Corrupted block detected');
}

class TruncatedChunkError extends Error {
  constructor() {
    super("zstd frame truncated");
  }
}

// sha1(min(p1,p2) + max(p1,p2) + text) == node. Small texts are hashed in one
// shot from a scratch buffer (crypto.hash, Node >= 20.12): no Hash object.
const oneShotHash = (nodeCrypto as unknown as { hash?: (alg: string, data: Uint8Array, enc: 'buffer') => Uint8Array })
  .hash;
let hashScratch = new Uint8Array(1 << 16);

function revisionHashEquals(text: Uint8Array, p1: Uint8Array, p2: Uint8Array, node: Uint8Array): boolean {
  const [a, b] = compareNodes(p1, 0, p2, 0) <= 0 ? [p1, p2] : [p2, p1];
  let d: Uint8Array;
  if (oneShotHash && text.length <= 1 << 20) {
    const need = 40 + text.length;
    if (need > hashScratch.length) hashScratch = new Uint8Array(Math.max(need, hashScratch.length * 2));
    hashScratch.set(a, 0);
    hashScratch.set(b, 20);
    hashScratch.set(text, 40);
    d = oneShotHash('sha1', hashScratch.subarray(0, need), 'buffer');
  } else {
    d = nodeCrypto.createHash('sha1').update(a).update(b).update(text).digest();
  }
  return nodesEqual(d, 0, node, 0);
}

function zlibErrorText(chunk: Uint8Array): string {
  try {
    inflateSync(chunk);
    return 'Error -3 while decompressing data';
  } catch (e) {
    const err = e as { errno?: number; code?: string; message?: string };
    const errno = typeof err.errno === 'number' ? err.errno : -3;
    if (errno === -5 || err.code === 'Z_BUF_ERROR') return 'Error -5 while decompressing data: incomplete or truncated stream';
    return `Error ${errno} while decompressing data: ${err.message ?? ''}`;
  }
}

// ---------------------------------------------------------------------------
// Filelog metadata (storageutil.parsemeta), with Python's exception texts

interface MetaResult {
  /** Exception text when parsing failed. */
  error?: string;
  copy?: Uint8Array;
  copyrev?: Uint8Array;
  censored?: boolean;
}

function parseMeta(text: Uint8Array): MetaResult | undefined {
  if (text.length < 2 || text[0] !== 1 || text[1] !== 10) return undefined;
  let end = -1;
  for (let i = 2; i + 1 < text.length; i++) {
    if (text[i] === 1 && text[i + 1] === 10) {
      end = i;
      break;
    }
  }
  if (end < 0) return { error: "'NoneType' object has no attribute 'start'" };
  const res: MetaResult = {};
  // bytes.splitlines(): \n, \r, \r\n
  let s = 2;
  while (s < end) {
    let e = s;
    while (e < end && text[e] !== 10 && text[e] !== 13) e++;
    let sep = -1;
    for (let i = s; i + 1 < e; i++) {
      if (text[i] === 0x3a && text[i + 1] === 0x20) {
        sep = i;
        break;
      }
    }
    if (sep < 0) return { error: 'not enough values to unpack (expected 2, got 1)' };
    const key = bstr(text, s, sep);
    const val = text.subarray(sep + 2, e);
    if (key === 'copy') res.copy = val;
    else if (key === 'copyrev') res.copyrev = val;
    else if (key === 'censored') res.censored = true;
    if (e < end && text[e] === 13 && text[e + 1] === 10) e++;
    s = e + 1;
  }
  return res;
}

function isCensoredText(text: Uint8Array): boolean {
  const m = parseMeta(text);
  return !!m && !m.error && !!m.censored;
}

/** binascii.unhexlify with Python's error texts. */
function unhexlify(hex: Uint8Array): Uint8Array | string {
  if (hex.length % 2 !== 0) return 'Odd-length string';
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const a = hexVal(hex[2 * i]!);
    const b = hexVal(hex[2 * i + 1]!);
    if (a < 0 || b < 0) return 'Non-hexadecimal digit found';
    out[i] = (a << 4) | b;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Flat manifest text checks (the C lazymanifest's find_lines and nodeof)

class ManifestParseError extends Error {}

/** Validates a manifest (or manifest delta) text as hg's lazymanifest constructor does. */
function checkManifestLines(text: Uint8Array): void {
  const n = text.length;
  let prev = -1;
  let pos = 0;
  while (pos < n) {
    if (text[pos] === 0) throw new ManifestParseError('Manifest had an entry with a zero-length filename.');
    const nl = text.indexOf(10, pos);
    if (nl < 0) throw new ManifestParseError('Manifest did not end in a newline.');
    if (nl - pos < 42) throw new ManifestParseError('Manifest had implausibly-short line.');
    if (prev >= 0) {
      // strcmp(prev, cur) >= 0 means not sorted (names end at their NUL)
      let i = 0;
      for (;;) {
        const a = text[prev + i] ?? 0;
        const b = text[pos + i] ?? 0;
        if (a !== b) {
          if (a > b) throw new ManifestParseError('Manifest lines not in sorted order.');
          break;
        }
        if (a === 0) throw new ManifestParseError('Manifest lines not in sorted order.');
        i++;
      }
    }
    prev = pos;
    pos = nl + 1;
  }
}

/**
 * Calls `cb(pathStart, pathEnd, hexStart, flag)` per line, checking each as
 * the C nodeof() does (flag: 0 or the char code of l, t or x). Assumes
 * checkManifestLines passed.
 */
function forEachManifestEntry(
  text: Uint8Array,
  cb: (pathStart: number, pathEnd: number, hexStart: number, flag: number) => void,
): void {
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    const nl = text.indexOf(10, pos);
    let z = text.indexOf(0, pos);
    if (z < 0 || z > nl) z = nl; // no NUL in the line: the whole line is the "path"
    const lineLen = nl + 1 - pos;
    const llen = z - pos;
    if (llen + 1 + 40 + 1 > lineLen) throw new ManifestParseError('manifest line too short');
    let hlen = lineLen - llen - 2;
    const last = text[pos + llen + hlen]!;
    let flag = 0;
    if (last === 0x6c || last === 0x74 || last === 0x78) {
      flag = last;
      hlen--;
    }
    if (hlen !== 40) throw new ManifestParseError('invalid node length in manifest');
    // A non-hex digit makes hg's C unhexlify set an exception it never
    // raises: the digit counts as 0 and parsing goes on. So does this.
    cb(pos, z, z + 1, flag);
    pos = nl + 1;
  }
}

/**
 * mpatch for the common one-delta case (most file revisions): the output is
 * sized first, then filled, with no intermediate fragment list. Same checks
 * and error as the general patches().
 */
function applyOneDelta(base: Uint8Array, delta: Uint8Array): Uint8Array {
  const n = delta.length;
  if (n === 0) return base;
  const dv = new DataView(delta.buffer, delta.byteOffset, n);
  let size = 0;
  let last = 0;
  for (let p = 0; p < n; ) {
    if (p + 12 > n) throw new StorageError('patch cannot be decoded');
    const start = dv.getInt32(p);
    const end = dv.getInt32(p + 4);
    const len = dv.getInt32(p + 8);
    p += 12;
    if (start < last || start > end || end > base.length || len < 0 || p + len > n) {
      throw new StorageError('patch cannot be decoded');
    }
    size += start - last + len;
    last = end;
    p += len;
  }
  size += base.length - last;
  const out = new Uint8Array(size);
  let o = 0;
  last = 0;
  for (let p = 0; p < n; ) {
    const start = dv.getInt32(p);
    const end = dv.getInt32(p + 4);
    const len = dv.getInt32(p + 8);
    p += 12;
    if (start > last) {
      out.set(base.subarray(last, start), o);
      o += start - last;
    }
    if (len > 0) {
      out.set(delta.subarray(p, p + len), o);
      o += len;
    }
    last = end;
    p += len;
  }
  if (last < base.length) out.set(base.subarray(last), o);
  return out;
}

const DEV_NULL = fromLatin1('/dev/null');
function isDevNull(text: Uint8Array, at: number): boolean {
  for (let i = 0; i < 9; i++) if (text[at + i] !== DEV_NULL[i]) return false;
  return true;
}

/** mdiff.patchtext: the concatenated data of a delta's hunks. */
function patchText(delta: Uint8Array): Uint8Array {
  const dv = new DataView(delta.buffer, delta.byteOffset, delta.length);
  const parts: Uint8Array[] = [];
  let total = 0;
  let p = 0;
  while (p < delta.length) {
    if (p + 12 > delta.length) throw new Error('unpack requires a buffer of 12 bytes');
    const len = dv.getInt32(p + 8);
    if (len < 0) throw new Error('unpack requires a buffer of 12 bytes');
    const part = delta.subarray(p + 12, p + 12 + len);
    parts.push(part);
    total += part.length;
    p += 12 + len;
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const part of parts) {
    out.set(part, o);
    o += part.length;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Per-path state in flat pools, one Map lookup per path and phase:
//   filelinkrevs: { path -> [changelog revs listing it] }
//   filenodes:    { path -> { filenode -> first manifest linkrev } }

const NO_LR = -1;
const NO_LINKREVS: readonly Rev[] = [];
const EMPTY_CHUNK: FileIntegrity[] = [];
/** From this many files on, the WebAssembly zstd decoder pays for its start-up. */
const WASM_ZSTD_MIN_FILES = 1000;

function growInt32(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

class PathTable {
  /** The path of each id (latin1), made once per distinct path. */
  readonly keys: string[] = [];
  // byte-keyed open-addressing table: paths are looked up straight from the
  // changeset and manifest texts, without making a string per line
  private keyBytes = new Uint8Array(1 << 16);
  private keyUsed = 0;
  private keyStart: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private keyLen: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private keyHash: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private slots: Int32Array<ArrayBuffer> = new Int32Array(4096); // id + 1, 0 = empty
  // per path
  lrHead: Int32Array<ArrayBuffer> = new Int32Array(1024).fill(-1);
  lrTail: Int32Array<ArrayBuffer> = new Int32Array(1024).fill(-1);
  fnHead: Int32Array<ArrayBuffer> = new Int32Array(1024).fill(-1);
  // linkrev list entries
  lrRev: Int32Array<ArrayBuffer> = new Int32Array(1024);
  lrNext: Int32Array<ArrayBuffer> = new Int32Array(1024);
  lrCount = 0;
  // filenode entries
  nodes = new Uint8Array(20 * 1024);
  fnLr: Int32Array<ArrayBuffer> = new Int32Array(1024);
  fnNext: Int32Array<ArrayBuffer> = new Int32Array(1024);
  fnDead = new Uint8Array(1024);
  fnCount = 0;

  get size(): number {
    return this.keys.length;
  }

  /** Id of the path text[s..e), added if new. Paths with `//` are normalised first. */
  idOf(text: Uint8Array, s: number, e: number): number {
    return this.lookup(text, s, e, true);
  }

  /** Id of the path text[s..e) (normalised as idOf does), -1 when unknown. */
  find(text: Uint8Array, s: number, e: number): number {
    return this.lookup(text, s, e, false);
  }

  private lookup(text: Uint8Array, s: number, e: number, insert: boolean): number {
    for (let i = s + 1; i < e; i++) {
      if (text[i] === 0x2f && text[i - 1] === 0x2f) {
        const norm = fromLatin1(normPath(bstr(text, s, e)));
        return this.lookup(norm, 0, norm.length, insert);
      }
    }
    let h = 0x811c9dc5 | 0;
    for (let i = s; i < e; i++) h = Math.imul(h ^ text[i]!, 0x01000193);
    const slots = this.slots;
    const mask = slots.length - 1;
    const len = e - s;
    const kb = this.keyBytes;
    for (let at = h & mask; ; at = (at + 1) & mask) {
      const v = slots[at]!;
      if (v === 0) break;
      const id = v - 1;
      if (this.keyHash[id] !== h || this.keyLen[id] !== len) continue;
      const ks = this.keyStart[id]!;
      let same = true;
      for (let i = 0; i < len; i++) {
        if (kb[ks + i] !== text[s + i]) {
          same = false;
          break;
        }
      }
      if (same) return id;
    }
    return insert ? this.add(text, s, e, h) : -1;
  }

  /** Id of a path given as a latin1 string. */
  id(key: string): number {
    const b = fromLatin1(key);
    return this.idOf(b, 0, b.length);
  }

  private add(text: Uint8Array, s: number, e: number, h: number): number {
    const id = this.keys.length;
    const len = e - s;
    if (this.keyUsed + len > this.keyBytes.length) {
      const kb = new Uint8Array(Math.max(this.keyBytes.length * 2, this.keyUsed + len));
      kb.set(this.keyBytes.subarray(0, this.keyUsed));
      this.keyBytes = kb;
    }
    if (id === this.keyStart.length) {
      this.keyStart = growInt32(this.keyStart);
      this.keyLen = growInt32(this.keyLen);
      this.keyHash = growInt32(this.keyHash);
      const n = id * 2;
      const grow = (a: Int32Array): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(n).fill(-1);
        b.set(a);
        return b;
      };
      this.lrHead = grow(this.lrHead);
      this.lrTail = grow(this.lrTail);
      this.fnHead = grow(this.fnHead);
    }
    this.keyBytes.set(text.subarray(s, e), this.keyUsed);
    this.keyStart[id] = this.keyUsed;
    this.keyLen[id] = len;
    this.keyHash[id] = h;
    this.keyUsed += len;
    this.keys.push(bstr(text, s, e));
    if ((id + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    this.place(id);
    return id;
  }

  private place(id: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let at = this.keyHash[id]! & mask;
    while (slots[at] !== 0) at = (at + 1) & mask;
    slots[at] = id + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let id = 0; id < this.keys.length; id++) this.place(id);
  }

  addLinkrev(id: number, rev: Rev): void {
    if (this.lrCount === this.lrRev.length) {
      this.lrRev = growInt32(this.lrRev);
      this.lrNext = growInt32(this.lrNext);
    }
    const e = this.lrCount++;
    this.lrRev[e] = rev;
    this.lrNext[e] = -1;
    const tail = this.lrTail[id]!;
    if (tail < 0) this.lrHead[id] = e;
    else this.lrNext[tail] = e;
    this.lrTail[id] = e;
  }

  linkrevs(id: number): Rev[] {
    const out: Rev[] = [];
    for (let e = this.lrHead[id]!; e >= 0; e = this.lrNext[e]!) out.push(this.lrRev[e]!);
    return out;
  }

  /** filenodes.setdefault(path, {}).setdefault(node from hex at text[hex..], lr) */
  addNodeHex(id: number, text: Uint8Array, hex: number, lr: number): void {
    if (this.fnCount === this.fnLr.length) {
      const nodes = new Uint8Array(this.nodes.length * 2);
      nodes.set(this.nodes);
      this.nodes = nodes;
      this.fnLr = growInt32(this.fnLr);
      this.fnNext = growInt32(this.fnNext);
      const dead = new Uint8Array(this.fnDead.length * 2);
      dead.set(this.fnDead);
      this.fnDead = dead;
    }
    const e = this.fnCount;
    const nodes = this.nodes;
    const o = e * 20;
    for (let i = 0; i < 20; i++) nodes[o + i] = (hexNib(text[hex + 2 * i]!) << 4) | hexNib(text[hex + 2 * i + 1]!);
    const head = this.fnHead[id]!;
    for (let x = head; x >= 0; x = this.fnNext[x]!) if (nodesEqual(nodes, x * 20, nodes, o)) return;
    this.fnNext[e] = head;
    this.fnHead[id] = e;
    this.fnLr[e] = lr;
    this.fnDead[e] = 0;
    this.fnCount++;
  }

  /** Live filenode entry of `node` for path `id`, or -1. */
  findNode(id: number, node: Uint8Array): number {
    for (let e = this.fnHead[id]!; e >= 0; e = this.fnNext[e]!) {
      if (!this.fnDead[e] && nodesEqual(this.nodes, e * 20, node, 0)) return e;
    }
    return -1;
  }

  node(e: number): Uint8Array {
    return this.nodes.subarray(e * 20, e * 20 + 20);
  }

  /** Path ids in byte order of their keys (ids come mostly presorted: manifests and file lists are sorted). */
  sortedIds(): Int32Array {
    const keys = this.keys;
    const n = keys.length;
    const order: number[] = new Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => {
      const x = keys[a]!;
      const y = keys[b]!;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return Int32Array.from(order);
  }
}

// ---------------------------------------------------------------------------
// Store access (paths are unencoded store paths as latin1 strings)

export class StoreAccess {
  private readonly dirBytes: Uint8Array;
  private readonly dirString: string;

  constructor(
    readonly vfs: Vfs,
    storeDir: string,
    readonly layout: StoreLayout,
  ) {
    this.dirString = storeDir.endsWith('/') ? storeDir : storeDir + '/';
    this.dirBytes = new TextEncoder().encode(this.dirString);
  }

  /** Absolute path bytes of a store file. */
  absPath(key: string): Uint8Array {
    const dir = this.dirBytes;
    const enc = isIdentityStorePath(key) ? fromLatin1(key) : encodeStorePath(fromLatin1(key), this.layout);
    const out = new Uint8Array(dir.length + enc.length);
    out.set(dir);
    out.set(enc, dir.length);
    return out;
  }

  /** Absolute path of a store file, as a string when that is exact (ASCII names), else bytes. */
  private fsPath(key: string): Uint8Array | string {
    return isIdentityStorePath(key) ? this.dirString + key : this.absPath(key);
  }

  read(key: string): Uint8Array | undefined {
    return this.vfs.tryRead(this.fsPath(key));
  }

  /** Size (-1: missing) of a store file. */
  size(key: string): number {
    const st = this.vfs.tryStat(this.fsPath(key));
    return st === undefined ? -1 : st.size;
  }

  /** Path under the store dir (a file that is not a revlog: fncache, journal). */
  plain(name: string): Uint8Array {
    return concatPath(this.dirBytes, name);
  }

  /** Opens a revlog by radix; the index is read now, the data file when needed. */
  openRevlog(radix: string, displayName: string, censorable: boolean): RevReader {
    return this.openRevlogWith(radix, displayName, censorable, this.read(radix + '.i'));
  }

  /** Opens a revlog over index bytes already read (undefined: the `.i` file is missing). */
  openRevlogWith(radix: string, displayName: string, censorable: boolean, index: Uint8Array | undefined): RevReader {
    const reader = new RevReader(displayName, index ?? EMPTY, () => this.absPath(radix + '.d'), this.vfs, censorable);
    reader.indexSize = index === undefined ? -1 : index.length;
    return reader;
  }
}

// ---------------------------------------------------------------------------
// One filelog's storage checks (revlog.verifyintegrity, plus the copy
// metadata the rename check needs). Pure: runs in the verifier or in a
// helper thread, whose results come back through encodeIntegrityChunk.

export interface IntegrityProblem {
  /** Revision concerned; -1 for a file-level error (reported with the file's first linkrev). */
  rev: number;
  message: string;
  /** A counted warning rather than an error. */
  warning?: boolean;
}

export interface CopyMeta {
  /** Exception text when the metadata header is malformed. */
  error?: string;
  copy?: Uint8Array;
  copyrev?: Uint8Array;
}

export interface FileIntegrity {
  /** The `.i` bytes; undefined when the file is missing. */
  index: Uint8Array | undefined;
  /** Size of the `.d` file: -1 missing, -2 not looked at (inline revlog). */
  dataSize: number;
  /** The revlog cannot be opened: hg's "broken revlog!" message. */
  broken?: string;
  problems?: IntegrityProblem[];
  /** Revisions whose content could not be read (hg's skipread). */
  skip?: number[];
  /** Copy metadata of revisions stored with a null p1. */
  renames?: [number, CopyMeta][];
}

/** What the file checks need to know about the repository and the configuration. */
export interface IntegrityParams {
  /** The changelog's revlog version: filelogs in another one are warned about. */
  expectedVersion: number;
  /** censor.policy=abort (hg's default): censored data is an error. */
  errorOnCensored: boolean;
  /** Decode zstd frames with the WebAssembly build (large repositories). */
  wasmZstd?: boolean;
}

/** Checks the filelog of `path` (unencoded, latin1). */
export function checkFileIntegrity(store: StoreAccess, path: string, params: IntegrityParams): FileIntegrity {
  const expectedVersion = params.expectedVersion;
  const radix = 'data/' + path;
  const index = store.read(radix + '.i');
  let r: RevReader;
  try {
    r = store.openRevlogWith(radix, radix, true, index);
  } catch (e) {
    return { index, dataSize: -2, broken: errText(e) };
  }
  r.wasmZstd = !!params.wasmZstd;
  const rl = r.rl;
  const res: FileIntegrity = { index, dataSize: -2 };
  if (!rl.inline) {
    const d = r.dataBytes();
    res.dataSize = d === undefined ? -1 : d.length;
  }
  const n = rl.length;
  const [dd, di] = r.checkSize();
  if (dd) (res.problems ??= []).push({ rev: -1, message: `data length off by ${dd} bytes` });
  if (di) (res.problems ??= []).push({ rev: -1, message: `index contains ${di} extra bytes` });
  if (rl.version !== expectedVersion) {
    (res.problems ??= []).push({
      rev: -1,
      warning: true,
      message: `warning: '${radix}' uses revlog format ${rl.version}; expected ${expectedVersion}`,
    });
  }
  for (let i = 0; i < n; i++) {
    let text: Uint8Array;
    try {
      text = r.revision(i);
    } catch (e) {
      if (e instanceof CensoredError) {
        // an error under censor.policy=abort, the default; otherwise only the
        // rename check trips over it (for revisions with a null p1)
        if (params.errorOnCensored) {
          (res.problems ??= []).push({ rev: i, message: 'censored file data' });
          (res.skip ??= []).push(i);
        } else if (rl.parentRevs(i)[0] === NULL_REV) {
          (res.renames ??= []).push([i, { error: `${radix}:${short(rl.node(i))}` }]);
        }
        continue;
      }
      (res.problems ??= []).push({ rev: i, message: `unpacking ${short(rl.node(i))}: ${errText(e)}` });
      (res.skip ??= []).push(i);
      continue;
    }
    const l1 = rl.rawSize(i);
    if (l1 !== text.length) (res.problems ??= []).push({ rev: i, message: `unpacked size is ${text.length}, ${l1} expected` });
    if (text.length >= 2 && text[0] === 1 && text[1] === 10 && rl.parentRevs(i)[0] === NULL_REV) {
      const meta = parseMeta(text);
      if (meta && (meta.error || (meta.copy && meta.copyrev))) {
        (res.renames ??= []).push([i, { error: meta.error, copy: meta.copy, copyrev: meta.copyrev }]);
      }
    }
  }
  return res;
}

/** A chunk of FileIntegrity results in a form that crosses threads cheaply (one transferable blob). */
export interface IntegrityChunkMessage {
  blob: Uint8Array;
  /** Per file: index offset in blob, index length (-1: missing), data size, extras slot (-1: none). */
  ints: Int32Array;
  extras: Omit<FileIntegrity, 'index' | 'dataSize'>[];
}

export function encodeIntegrityChunk(results: readonly FileIntegrity[]): IntegrityChunkMessage {
  let total = 0;
  for (const r of results) if (r.index) total += r.index.length;
  const blob = new Uint8Array(total);
  const ints = new Int32Array(results.length * 4);
  const extras: Omit<FileIntegrity, 'index' | 'dataSize'>[] = [];
  let off = 0;
  for (let k = 0; k < results.length; k++) {
    const r = results[k]!;
    ints[4 * k] = off;
    if (r.index) {
      blob.set(r.index, off);
      ints[4 * k + 1] = r.index.length;
      off += r.index.length;
    } else ints[4 * k + 1] = -1;
    ints[4 * k + 2] = r.dataSize;
    ints[4 * k + 3] = -1;
    if (r.broken !== undefined || r.problems || r.skip || r.renames) {
      ints[4 * k + 3] = extras.length;
      extras.push({
        broken: r.broken,
        problems: r.problems,
        skip: r.skip,
        // copy the metadata out of the revision text: a view would drag its whole buffer along
        renames: r.renames?.map(([rev, m]) => [rev, { error: m.error, copy: m.copy?.slice(), copyrev: m.copyrev?.slice() }]),
      });
    }
  }
  return { blob, ints, extras };
}

export function decodeIntegrityChunk(msg: IntegrityChunkMessage): FileIntegrity[] {
  const { blob, ints, extras } = msg;
  const n = ints.length / 4;
  const out: FileIntegrity[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const off = ints[4 * k]!;
    const len = ints[4 * k + 1]!;
    const r: FileIntegrity = { index: len < 0 ? undefined : blob.subarray(off, off + len), dataSize: ints[4 * k + 2]! };
    const x = ints[4 * k + 3]!;
    if (x >= 0) Object.assign(r, extras[x]);
    out[k] = r;
  }
  return out;
}

/**
 * Helper threads for the file checks (the CLI provides them). Files are
 * split in chunks of `chunkSize`; helpers claim chunks from the front, the
 * verifier from the back, so both stay busy until they meet.
 */
export interface IntegrityHelpers {
  readonly chunkSize: number;
  /** Hands over the work: the files (unencoded paths) and how to check them. */
  begin(files: readonly string[], params: IntegrityParams): void;
  /** Claims the last chunk nobody has claimed yet for the caller; -1 when none is left. */
  claimLast(): number;
  /**
   * Finished chunks from the helpers. With `wait`, blocks until at least one
   * arrives; returns undefined when the helpers are gone for good (their
   * unfinished chunks are then done by the caller).
   */
  receive(wait: boolean): { chunk: number; results: FileIntegrity[] }[] | undefined;
  end(): void;
}

// ---------------------------------------------------------------------------
// The verifier

/** The store files hg would list (unencoded paths, sizes unknown yet), as byte ranges of one buffer. */
interface StoreFiles {
  buf: Uint8Array;
  starts: number[];
  ends: number[];
  undecodable: string[];
}

const FNCACHE_HG = fromLatin1('.hg/');

/**
 * Lines of a fncache file, when hg's reading of it is plain: final newline,
 * no empty line, no `\r`, nothing for decodedir to do. Otherwise undefined
 * (the general reader then gives hg's errors and decoding).
 */
function plainFncacheLines(data: Uint8Array): { starts: number[]; ends: number[] } | undefined {
  const n = data.length;
  if (n === 0) return { starts: [], ends: [] };
  if (data[n - 1] !== 10 || data[0] === 10 || data.indexOf(13) >= 0) return undefined;
  for (let at = data.indexOf(FNCACHE_HG[0]!); at >= 0; at = data.indexOf(FNCACHE_HG[0]!, at + 1)) {
    if (data[at + 1] === FNCACHE_HG[1] && data[at + 2] === FNCACHE_HG[2] && data[at + 3] === FNCACHE_HG[3]) return undefined;
  }
  const starts: number[] = [];
  const ends: number[] = [];
  let s = 0;
  while (s < n) {
    const e = data.indexOf(10, s);
    if (e === s) return undefined;
    starts.push(s);
    ends.push(e);
    s = e + 1;
  }
  return { starts, ends };
}

function revlogSuffix(buf: Uint8Array, s: number, e: number): boolean {
  if (e - s >= 2 && buf[e - 2] === 0x2e && (buf[e - 1] === 0x69 || buf[e - 1] === 0x64)) return true;
  return isRevlogFileName(bstr(buf, Math.max(s, e - 14), e));
}

class Verifier {
  private readonly vfs: Vfs;
  private readonly store: StoreAccess;
  private readonly layout: StoreLayout;
  private readonly helpers: IntegrityHelpers | undefined;
  private readonly helperMinFiles: number;
  private readonly errorOnCensored: boolean;
  private readonly emit: (ev: VerifyEvent) => void;
  private readonly full: boolean;
  private readonly verbose: boolean;

  private errors = 0;
  private warnings = 0;
  private firstBad: Rev | undefined;
  private fncacheWarned = false;
  private refersmf = false;

  private cl!: RevReader;
  private mf!: RevReader;
  private havecl = false;
  private havemf = false;
  private revlogv1 = true;
  private clVersion = 1;
  /** Manifest node of each changeset (undefined when unreadable). */
  private clManifests: (Uint8Array | undefined)[] = [];
  /** Known sizes of store files (-1: missing), by unencoded key. */
  private readonly sizes = new Map<string, number>();
  private storeFilesCache: StoreFiles | undefined;

  constructor(
    private readonly repo: VerifyRepo,
    opts: VerifyOptions,
  ) {
    this.vfs = repo.vfs;
    this.layout = repo.layout;
    this.store = new StoreAccess(repo.vfs, repo.storeDir, repo.layout);
    this.helpers = opts.helpers;
    this.helperMinFiles = opts.helperMinFiles ?? 2048;
    this.errorOnCensored = (opts.censorPolicy ?? 'abort') === 'abort';
    this.emit = opts.onEvent ?? (() => undefined);
    this.full = !!opts.full;
    this.verbose = !!opts.verbose;
  }

  // -- reporting

  private status(message: string): void {
    this.emit({ type: 'status', message });
  }

  private warn(message: string): void {
    this.warnings++;
    this.emit({ type: 'warning', message });
  }

  private err(linkrev: Rev | null | undefined, message: string, path?: string): void {
    let lr: Rev | undefined;
    if (linkrev !== null && linkrev !== undefined) {
      lr = linkrev;
      if (this.firstBad === undefined || linkrev < this.firstBad) this.firstBad = linkrev;
    }
    this.errors++;
    this.emit({ type: 'error', linkrev: lr, message, path: path ? path : undefined });
  }

  private exc(linkrev: Rev | null | undefined, message: string, e: unknown, path?: string): void {
    if (e !== null && typeof e === 'object' && !(e instanceof HgError) && !(e instanceof StorageError)) {
      const ne = e as NodeJS.ErrnoException;
      if (typeof ne.code === 'string' && ne.syscall) throw e; // an I/O failure of ours, not a finding
    }
    this.err(linkrev, `${message}: ${errText(e)}`, path);
  }

  // -- store access

  private sizeOf(key: string): number {
    let s = this.sizes.get(key);
    if (s === undefined) {
      s = this.store.size(key);
      this.sizes.set(key, s);
    }
    return s;
  }

  private openRevlog(radix: string, displayName: string, censorable: boolean): RevReader {
    return this.store.openRevlog(radix, displayName, censorable);
  }

  /** store.datafiles(): unencoded names, with sizes left to sizeOf(). */
  private storeFiles(): StoreFiles {
    if (this.storeFilesCache) return this.storeFilesCache;
    const names: string[] = [];
    const undecodable: string[] = [];
    const layout = this.layout;
    if (layout.fncache) {
      const data = this.vfs.tryRead(this.store.plain('fncache'));
      const plain = data === undefined ? { starts: [], ends: [] } : plainFncacheLines(data);
      if (data !== undefined && plain !== undefined) {
        const starts: number[] = [];
        const ends: number[] = [];
        for (let k = 0; k < plain.starts.length; k++) {
          if (!revlogSuffix(data, plain.starts[k]!, plain.ends[k]!)) continue;
          starts.push(plain.starts[k]!);
          ends.push(plain.ends[k]!);
        }
        this.storeFilesCache = { buf: data, starts, ends, undecodable };
        return this.storeFilesCache;
      }
      // hg's reading, with its errors (no final newline, empty line: abort)
      for (const e of readFncache(this.vfs, {}, this.store.plain('fncache'))) if (isRevlogFileName(e)) names.push(e);
    } else {
      for (const top of ['data', 'meta']) {
        const walked: string[] = [];
        this.walk(top, walked);
        for (const raw of walked) {
          const n = bstr(decodeDir(fromLatin1(raw)));
          if (!layout.store) {
            names.push(n);
            continue;
          }
          const dec = decodeFilename(fromLatin1(n));
          if (dec === undefined) undecodable.push(n);
          else names.push(bstr(dec));
        }
      }
      // hg sorts the walk; the order of names does not matter, undecodable names are reported in order
      undecodable.sort();
    }
    const buf = fromLatin1(names.join(''));
    const starts: number[] = [];
    const ends: number[] = [];
    let o = 0;
    for (const nm of names) {
      starts.push(o);
      o += nm.length;
      ends.push(o);
    }
    this.storeFilesCache = { buf, starts, ends, undecodable };
    return this.storeFilesCache;
  }

  /** basicstore._walk: regular revlog files under `rel` (store-relative, raw names). */
  private walk(rel: string, out: string[]): void {
    const visit: string[] = [rel];
    while (visit.length > 0) {
      const p = visit.pop()!;
      let ents;
      try {
        ents = this.vfs.readdir(this.store.plain(p));
      } catch {
        continue;
      }
      for (const ent of ents) {
        const name = bstr(ent.name);
        const fp = p + '/' + name;
        if (ent.type === 'file') {
          if (isRevlogFileName(name)) {
            out.push(fp);
            // the walk knows the file exists; its size is looked up lazily under the decoded name
          }
        } else if (ent.type === 'dir') visit.push(fp);
      }
    }
  }

  // -- main

  run(): VerifyResult {
    // Opening the changelog and manifest: a corrupt index aborts, as in hg.
    this.cl = this.openRevlog('00changelog', '00changelog', false);
    this.mf = this.openRevlog('00manifest', '00manifest', false);
    this.havecl = this.cl.length > 0;
    this.havemf = this.mf.length > 0;
    this.clVersion = this.cl.rl.version;
    this.revlogv1 = this.clVersion !== REVLOGV0;

    if (this.vfs.exists(this.store.plain('journal'))) {
      this.emit({ type: 'notice', message: 'abandoned transaction found - run hg recover' });
    }
    if (this.verbose || !this.revlogv1) {
      this.status(`repository uses revlog format ${this.revlogv1 ? 1 : 0}`);
    }

    const paths = new PathTable();
    const mflinkrevs = this.verifyChangelog(paths);
    this.verifyManifest(mflinkrevs, '', paths);
    const files = this.crossCheck(paths);
    const revisions = this.verifyFiles(files, paths);

    return {
      changesets: this.cl.length,
      fileRevisions: revisions,
      files: files.length,
      errors: this.errors,
      warnings: this.warnings,
      fncacheWarned: this.fncacheWarned,
      firstDamagedRev: this.firstBad,
    };
  }

  /** verifier._checkrevlog */
  private checkRevlog(r: RevReader, name: string, linkrev: Rev): void {
    if (r.length === 0 && (this.havecl || this.havemf)) {
      this.err(linkrev, `empty or missing ${name}`);
      return;
    }
    const [dd, di] = r.checkSize();
    if (dd) this.err(null, `data length off by ${dd} bytes`, name);
    if (di) this.err(null, `index contains ${di} extra bytes`, name);
    if (r.rl.version !== REVLOGV0) {
      if (!this.revlogv1) this.warn(`warning: \`${name}' uses revlog format 1`);
    } else if (this.revlogv1) {
      this.warn(`warning: \`${name}' uses revlog format 0`);
    }
  }

  /**
   * verifier._checkentry. `seen` answers whether a node appeared at a lower
   * rev. Returns the linkrev, or null when it cannot be trusted.
   */
  private checkEntry(rl: Revlog, i: Rev, linkrevs: readonly (Rev | null)[], label: string, seen: SeenNodes): Rev | null {
    const node = rl.node(i);
    let lr: Rev | null = rl.linkRev(i);
    if (lr < 0 || (this.havecl && !linkrevs.includes(lr))) {
      const what = lr < 0 || lr >= this.cl.length ? 'nonexistent' : 'unexpected';
      this.err(null, `rev ${i} points to ${what} changeset ${lr}`, label);
      if (linkrevs.length > 0) {
        // hg means to filter the candidates down to the real ones, but its
        // loop runs over the emptied list: with several candidates, none is shown
        const shown = label && linkrevs.length > 1 ? [] : linkrevs;
        this.warn(` (expected ${shown.map((x) => (x === null ? 'None' : String(x))).join(' ')})`);
      }
      lr = null;
    }
    const [p1, p2] = rl.parentRevs(i);
    try {
      const n1 = parentNode(rl, p1);
      const n2 = parentNode(rl, p2);
      if (p1 !== NULL_REV && !seen.hasParent(p1, i)) this.err(lr, `unknown parent 1 ${short(n1)} of ${short(node)}`, label);
      if (p2 !== NULL_REV && !seen.hasParent(p2, i)) this.err(lr, `unknown parent 2 ${short(n2)} of ${short(node)}`, label);
    } catch (e) {
      this.exc(lr, `checking parents of ${short(node)}`, e, label);
    }
    const dup = seen.duplicateOf(i);
    if (dup >= 0) this.err(lr, `duplicate revision ${i} (${dup})`, label);
    return lr;
  }

  // -- changelog

  private verifyChangelog(paths: PathTable): Map<string, Rev[]> {
    this.status('checking changesets');
    const cl = this.cl;
    const mflinkrevs = new Map<string, Rev[]>();
    this.checkRevlog(cl, 'changelog', 0);
    const seen = new SeenNodes(cl.rl);
    const n = cl.length;
    this.clManifests = new Array(n);
    for (let i = 0; i < n; i++) {
      const node = cl.rl.node(i);
      this.checkEntry(cl.rl, i, [i], 'changelog', seen);
      try {
        const cs = parseChangeset(cl.revision(i));
        this.clManifests[i] = cs.manifest;
        if (!isNull(cs.manifest)) {
          const k = bstr(this.storedManifestNode(cs.manifest));
          const l = mflinkrevs.get(k);
          if (l) l.push(i);
          else mflinkrevs.set(k, [i]);
          this.refersmf = true;
        }
        for (const f of cs.files) paths.addLinkrev(paths.idOf(f, 0, f.length), i);
      } catch (e) {
        if (e instanceof CensoredError) e = new StorageError('censored node');
        this.refersmf = true;
        this.exc(i, `unpacking changeset ${short(node)}`, e);
      }
    }
    return mflinkrevs;
  }

  /** Flat-hash tree storage: changesets name flat nodes, 00manifest holds the trees (flat-hash-tree-storage.ts). */
  private storedManifestNode(flatNode: Node): Node {
    const st = (this.repo.manifestLog as { storage?: unknown } | undefined)?.storage;
    if (!(st instanceof FlatHashTreeStorage)) return flatNode;
    try {
      return st.findRev(flatNode) === undefined ? flatNode : st.treeNodeOf(flatNode);
    } catch {
      return flatNode;
    }
  }

  // -- manifests

  private manifestReader(dir: string): RevReader {
    if (dir === '') return this.mf;
    const radix = 'meta/' + dir + '00manifest';
    return this.openRevlog(radix, radix, false);
  }

  /** The manifest delta text hg's readdelta(shallow=True) parses: patchtext(revdiff(deltaparent, rev)). */
  private readDeltaText(r: RevReader, rev: Rev): Uint8Array {
    const dp = r.rl.deltaParent(rev);
    if (dp === NULL_REV) return r.revision(rev);
    return patchText(r.chunk(rev));
  }

  private verifyManifest(
    mflinkrevs: Map<string, (Rev | null)[]>,
    dir: string,
    paths: PathTable,
    storefiles?: Set<string>,
  ): void {
    const mf = this.manifestReader(dir);
    if (!dir) this.status('checking manifests');
    const subdirnodes = new Map<string, Map<string, (Rev | null)[]>>();
    let label = 'manifest';
    if (dir) {
      label = dir;
      const radix = 'meta/' + dir + '00manifest';
      storefiles?.delete(radix + '.i');
      if (!mf.rl.inline || mf.length === 0) {
        if (!mf.rl.inline) storefiles?.delete(radix + '.d');
      }
    }
    if (this.refersmf) this.checkRevlog(mf, label, 0);
    const seen = new SeenNodes(mf.rl);
    const n = mf.length;
    // A tree manifest's read() only sets up lazy loading: --full reads nothing there.
    const full = this.full && !this.repo.requirements.has('treemanifest');
    for (let i = 0; i < n; i++) {
      const node = mf.rl.node(i);
      const key = bstr(node);
      const lr = this.checkEntry(mf.rl, i, mflinkrevs.get(key) ?? [], label, seen);
      if (mflinkrevs.has(key)) mflinkrevs.delete(key);
      else if (dir) this.err(lr, `${short(node)} not in parent-directory manifest`, label);
      else this.err(lr, `${short(node)} not in changesets`, label);

      try {
        const text = this.readDeltaText(mf, i);
        checkManifestLines(text);
        const lrv = lr === null ? NO_LR : lr;
        const dirBytes = fromLatin1(dir);
        let scratch = new Uint8Array(256);
        forEachManifestEntry(text, (ps, pe, hex, flag) => {
          if (pe - ps === 9 && isDevNull(text, ps)) return;
          if (flag !== 0x74) {
            if (dirBytes.length === 0) {
              paths.addNodeHex(paths.idOf(text, ps, pe), text, hex, lrv);
            } else {
              const n = dirBytes.length + pe - ps;
              if (n > scratch.length) scratch = new Uint8Array(n * 2);
              scratch.set(dirBytes);
              scratch.set(text.subarray(ps, pe), dirBytes.length);
              paths.addNodeHex(paths.idOf(scratch, 0, n), text, hex, lrv);
            }
            return;
          }
          let f = bstr(text, ps, pe);
          if (f.includes('//')) f = normPath(f);
          const fullpath = dir + f;
          {
            const sk = fullpath + '/';
            let sdn = subdirnodes.get(sk);
            if (!sdn) subdirnodes.set(sk, (sdn = new Map()));
            const nk = bstr(hexToNode(text, hex));
            const l = sdn.get(nk);
            if (l) l.push(lr);
            else sdn.set(nk, [lr]);
          }
        });
      } catch (e) {
        this.exc(lr, `reading delta ${short(node)}`, e instanceof CensoredError ? new StorageError('censored node') : e, label);
      }
      if (full) {
        try {
          checkManifestLines(mf.revision(i));
        } catch (e) {
          this.exc(lr, `reading full manifest ${short(node)}`, e, label);
        }
      }
    }

    if (this.havemf) {
      const pairs: [Rev | null, string][] = [];
      for (const [m, cs] of mflinkrevs) for (const c of cs) pairs.push([c, m]);
      pairs.sort((a, b) => (a[0] ?? -1) - (b[0] ?? -1) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      for (const [c, m] of pairs) {
        const sm = short(fromLatin1(m));
        if (dir) this.err(c, `parent-directory manifest refers to unknown revision ${sm}`, label);
        else this.err(c, `changeset refers to unknown revision ${sm}`, label);
      }
    }

    let subStorefiles = storefiles;
    if (!dir && subdirnodes.size > 0) {
      this.status('checking directory manifests');
      subStorefiles = new Set();
      const sf = this.storeFiles();
      for (let k = 0; k < sf.starts.length; k++) {
        const f = bstr(sf.buf, sf.starts[k]!, sf.ends[k]!);
        if (!f.startsWith('meta/')) continue;
        const size = this.sizeOf(f);
        if (size < 0) continue;
        if (size > 0 || !this.revlogv1) subStorefiles.add(normPath(f));
      }
      for (const u of sf.undecodable) this.err(null, `cannot decode filename '${u}'`);
    }
    for (const [subdir, linkrevs] of subdirnodes) {
      this.verifyManifest(linkrevs, subdir, paths, subStorefiles);
    }
    if (!dir && subdirnodes.size > 0 && subStorefiles) {
      for (const f of [...subStorefiles].sort()) this.warn(`warning: orphan data file '${f}'`);
    }
  }

  // -- crosscheck

  private crossCheck(paths: PathTable): Int32Array {
    this.status('crosschecking files in changesets and manifests');
    // sorted(set(filenodes) | set(filelinkrevs))
    const all = paths.sortedIds();
    const keys = paths.keys;
    if (this.havemf) {
      for (const id of all) {
        const lr = paths.lrHead[id]!;
        if (lr >= 0 && paths.fnHead[id]! < 0) this.err(paths.lrRev[lr], 'in changeset but not in manifest', keys[id]);
      }
    }
    if (this.havecl) {
      for (const id of all) {
        const head = paths.fnHead[id]!;
        if (head < 0 || paths.lrHead[id]! >= 0) continue;
        let lr: Rev | null = null;
        try {
          const r = this.openFilelogQuiet(keys[id]!);
          let min = Infinity;
          for (let e = head; e >= 0; e = paths.fnNext[e]!) {
            const rev = r.rl.findRev(paths.node(e));
            if (rev === undefined || rev < 0) throw new Error('lookup');
            min = Math.min(min, r.rl.linkRev(rev));
          }
          lr = min === Infinity ? null : min;
        } catch {
          lr = null;
        }
        this.err(lr, 'in manifest but not in changeset', keys[id]);
      }
    }
    return all;
  }

  /** A filelog for lookups (no size bookkeeping). */
  private openFilelogQuiet(f: string): RevReader {
    const radix = 'data/' + f;
    return new RevReader(radix, this.store.read(radix + '.i') ?? EMPTY, () => this.store.absPath(radix + '.d'), this.vfs, true);
  }

  // -- files

  private verifyFiles(files: Int32Array, paths: PathTable): number {
    this.status('checking files');
    const sf = this.storeFiles();
    for (const u of sf.undecodable) this.err(null, `cannot decode filename '${u}'`);
    // hg's storefiles, split: `data/<path>.i|.d` of paths seen in changesets
    // or manifests as flags per path id, any other `data/` entry by name
    const listedI = new Uint8Array(paths.size);
    const listedD = new Uint8Array(paths.size);
    const storefiles = new Set<string>();
    {
      const { buf, starts, ends } = sf;
      for (let k = 0; k < starts.length; k++) {
        const s0 = starts[k]!;
        const e0 = ends[k]!;
        if (!(e0 - s0 > 5 && buf[s0] === 0x64 && buf[s0 + 1] === 0x61 && buf[s0 + 2] === 0x74 && buf[s0 + 3] === 0x61 && buf[s0 + 4] === 0x2f)) continue;
        const ext = e0 - s0 > 7 && buf[e0 - 2] === 0x2e ? buf[e0 - 1] : 0;
        if (ext === 0x69 || ext === 0x64) {
          const id = paths.find(buf, s0 + 5, e0 - 2);
          if (id >= 0) {
            (ext === 0x69 ? listedI : listedD)[id] = 1;
            continue;
          }
        }
        storefiles.add(normPath(bstr(buf, s0, e0)));
      }
    }
    const revlogv1 = this.revlogv1;
    // hg's storefiles holds the listed files that exist, non-empty unless revlog v0
    const listed = (size: number): boolean => size > 0 || (size === 0 && !revlogv1);
    const havemf = this.havemf;
    let revisions = 0;
    const keys = paths.keys;
    const nfiles = files.length;
    const params: IntegrityParams = {
      expectedVersion: this.clVersion,
      errorOnCensored: this.errorOnCensored,
      wasmZstd: nfiles >= WASM_ZSTD_MIN_FILES,
    };

    // The storage checks, possibly shared with helper threads, chunk by chunk.
    const helpers = this.helpers && nfiles >= this.helperMinFiles ? this.helpers : undefined;
    const chunkSize = helpers ? Math.max(1, helpers.chunkSize) : nfiles || 1;
    const nchunks = Math.ceil(nfiles / chunkSize);
    const chunks: (FileIntegrity[] | undefined)[] = new Array(nchunks);
    const computeChunk = (c: number): FileIntegrity[] => {
      const out: FileIntegrity[] = [];
      const end = Math.min(nfiles, (c + 1) * chunkSize);
      for (let k = c * chunkSize; k < end; k++) out.push(checkFileIntegrity(this.store, keys[files[k]!]!, params));
      return out;
    };
    let helping = !!helpers;
    if (helpers) {
      const names: string[] = new Array(nfiles);
      for (let k = 0; k < nfiles; k++) names[k] = keys[files[k]!]!;
      helpers.begin(names, params);
    }
    const integrityOf = (k: number): FileIntegrity => {
      const c = Math.floor(k / chunkSize);
      while (chunks[c] === undefined) {
        if (!helping) {
          chunks[c] = computeChunk(c);
          break;
        }
        const got = helpers!.receive(false);
        if (got === undefined) {
          helping = false;
          continue;
        }
        for (const g of got) chunks[g.chunk] = g.results;
        if (chunks[c] !== undefined) break;
        const mine = helpers!.claimLast();
        if (mine >= 0) {
          chunks[mine] = computeChunk(mine);
          continue;
        }
        // everything is claimed and chunk c is a helper's: wait for it
        const waited = helpers!.receive(true);
        if (waited === undefined) helping = false;
        else for (const g of waited) chunks[g.chunk] = g.results;
      }
      const res = chunks[c]![k - c * chunkSize]!;
      if (k % chunkSize === chunkSize - 1 || k === nfiles - 1) chunks[c] = EMPTY_CHUNK; // done with it: let it go
      return res;
    };

    try {
      for (let k = 0; k < nfiles; k++) {
        const id = files[k]!;
        const integ = integrityOf(k);
        const f = keys[id]!;
        const lrh = paths.lrHead[id]!;
        const linkrevs = lrh < 0 ? NO_LINKREVS : paths.lrNext[lrh]! < 0 ? [paths.lrRev[lrh]!] : paths.linkrevs(id);
        const lr0: Rev | null = lrh >= 0 ? paths.lrRev[lrh]! : null;
        if (integ.broken !== undefined) {
          this.err(lr0, `broken revlog! (${integ.broken})`, f);
          continue;
        }
        const radix = 'data/' + f;
        const rl = new Revlog(radix, { index: integ.index ?? EMPTY, readData: () => undefined });
        // fl.files(): the index, and the data file unless inline
        const iKey = radix + '.i';
        if (listed(integ.index === undefined ? -1 : integ.index.length) && listedI[id]) listedI[id] = 0;
        else this.fncacheWarn(iKey);
        if (!rl.inline) {
          if (listed(integ.dataSize) && listedD[id]) listedD[id] = 0;
          else this.fncacheWarn(radix + '.d');
        }

        const n = rl.length;
        if (n === 0 && (this.havecl || havemf)) {
          this.err(lr0, `empty or missing ${f}`);
        } else if (integ.problems) {
          for (const p of integ.problems) {
            if (p.warning) this.warn(p.message);
            else this.err(p.rev < 0 ? lr0 : rl.linkRev(p.rev), p.message, f);
          }
        }

        const head = paths.fnHead[id]!;
        const seen = new SeenNodes(rl);
        const skip = integ.skip;
        const renames = integ.renames;
        for (let i = 0; i < n; i++) {
          revisions++;
          const lr = this.checkEntry(rl, i, linkrevs, f, seen);
          if (head >= 0) {
            const e = paths.findNode(id, rl.node(i));
            if (e < 0) {
              if (havemf) this.err(lr, `${short(rl.node(i))} not in manifests`, f);
            } else {
              paths.fnDead[e] = 1;
            }
          }
          if (renames === undefined || (skip !== undefined && skip.includes(i))) continue;
          for (const [rev, meta] of renames) if (rev === i) this.checkRename(f, i, rl, lr, meta);
        }

        if (head >= 0) {
          const left: number[] = [];
          for (let e = head; e >= 0; e = paths.fnNext[e]!) if (!paths.fnDead[e]) left.push(e);
          if (left.length > 0) {
            left.sort((a, b) => paths.fnLr[a]! - paths.fnLr[b]! || compareNodes(paths.nodes, a * 20, paths.nodes, b * 20));
            for (const e of left) {
              const lr = paths.fnLr[e]!;
              this.err(lr === NO_LR ? null : lr, `manifest refers to unknown revision ${short(paths.node(e))}`, f);
            }
          }
        }
      }
    } finally {
      helpers?.end();
    }

    for (let id = 0; id < listedI.length; id++) {
      if (listedI[id]) storefiles.add('data/' + keys[id] + '.i');
      if (listedD[id]) storefiles.add('data/' + keys[id] + '.d');
    }
    const orphans: string[] = [];
    for (const k of storefiles) {
      const size = this.sizeOf(k);
      if (size < 0 || (size === 0 && revlogv1)) continue;
      orphans.push(normPath(k));
    }
    orphans.sort();
    for (const o of orphans) this.warn(`warning: orphan data file '${o}'`);
    return revisions;
  }

  private fncacheWarn(key: string): void {
    this.warn(` warning: revlog '${key}' not in fncache!`);
    this.fncacheWarned = true;
  }

  /** The rename part of verifier._verifyfiles. */
  private checkRename(f: string, i: Rev, rl: Revlog, lr: Rev | null, meta: CopyMeta): void {
    const node = rl.node(i);
    try {
      if (meta.error) throw new Error(meta.error);
      const copy = meta.copy!;
      const copyrev = unhexlify(meta.copyrev!);
      if (typeof copyrev === 'string') throw new Error(copyrev);
      const src = bstr(copy);
      if (lr !== null && this.verbose) {
        if (!this.copySourceInParents(lr, copy)) {
          const cnode = this.cl.rl.node(lr);
          this.warn(`warning: copy source of '${f}' not in parents of ${short(cnode)}`);
        }
      }
      const srcPath = src.startsWith('/') ? src.slice(1) : src;
      const fl2 = this.openFilelogQuiet(srcPath);
      if (fl2.length === 0) {
        this.err(lr, `empty or missing copy source revlog ${src}:${short(copyrev)}`, f);
      } else if (copyrev.length === 20 && isNull(copyrev)) {
        // hg formats this note with %s of an int (or None), which Python's bytes formatting refuses
        throw new Error(
          `%b requires a bytes-like object, or an object that implements __bytes__, not '${lr === null ? 'NoneType' : 'int'}'`,
        );
      } else {
        const rev = copyrev.length === 20 ? fl2.rl.findRev(copyrev) : undefined;
        if (rev === undefined) {
          const name = copyrev.length === 20 ? toHex(copyrev) : bstr(copyrev);
          throw new Error(`data/${srcPath}@${name}: no node`);
        }
      }
    } catch (e) {
      this.exc(lr, `checking rename of ${short(node)}`, e, f);
    }
  }

  /** `any(path in pctx for pctx in repo[lr].parents())` */
  private copySourceInParents(lr: Rev, path: Uint8Array): boolean {
    const [p1, p2] = this.cl.rl.parentRevs(lr);
    const parents = p2 === NULL_REV ? [p1] : p1 === NULL_REV ? [p2, p1] : [p1, p2];
    for (const p of parents) {
      if (p === NULL_REV) continue;
      const m = this.clManifests[p];
      if (!m || isNull(m)) continue;
      if (this.manifestHas(m, path)) return true;
    }
    return false;
  }

  private manifestHas(mnode: Uint8Array, path: Uint8Array): boolean {
    const ml = this.repo.manifestLog;
    if (ml) return ml.get(mnode).find(path) !== undefined;
    const rev = this.mf.rl.findRev(mnode);
    if (rev === undefined) throw new Error(`00manifest@${toHex(mnode)}: no node`);
    const text = this.mf.revision(rev);
    let found = false;
    forEachManifestEntry(text, (ps, pe) => {
      if (!found && pe - ps === path.length && nodesEqualLen(text, ps, path, pe - ps)) found = true;
    });
    return found;
  }
}

function nodesEqualLen(a: Uint8Array, ao: number, b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ao + i] !== b[i]) return false;
  return true;
}

function hexToNode(text: Uint8Array, hex: number): Uint8Array {
  const out = new Uint8Array(20);
  for (let i = 0; i < 20; i++) out[i] = (hexNib(text[hex + 2 * i]!) << 4) | hexNib(text[hex + 2 * i + 1]!);
  return out;
}

function concatPath(dir: Uint8Array, name: string): Uint8Array {
  const n = new TextEncoder().encode(name);
  const out = new Uint8Array(dir.length + n.length);
  out.set(dir);
  out.set(n, dir.length);
  return out;
}

/**
 * The `seen` dict of _checkentry: nodes of the revisions checked so far.
 * Nodes are compared in place in the index; a map is only built for long
 * revlogs.
 */
class SeenNodes {
  private map: Map<string, Rev> | undefined;
  private mapUpTo = 0;

  constructor(private readonly rl: Revlog) {}

  /** Is node(p) the node of some rev < i? */
  hasParent(p: Rev, i: Rev): boolean {
    if (p >= 0 && p < i) return true;
    return this.latestBefore(this.rl.node(p), i) >= 0;
  }

  /** The latest rev < i whose node equals node(i), or -1. */
  duplicateOf(i: Rev): Rev {
    return this.latestBefore(this.rl.node(i), i);
  }

  private latestBefore(node: Uint8Array, i: Rev): Rev {
    const rl = this.rl;
    if (i <= 64) {
      for (let j = i - 1; j >= 0; j--) if (nodesEqual(rl.node(j), 0, node, 0)) return j;
      return -1;
    }
    if (!this.map || this.mapUpTo > i) {
      this.map = new Map();
      this.mapUpTo = 0;
    }
    while (this.mapUpTo < i) {
      this.map.set(bstr(rl.node(this.mapUpTo)), this.mapUpTo);
      this.mapUpTo++;
    }
    return this.map.get(bstr(node)) ?? -1;
  }
}

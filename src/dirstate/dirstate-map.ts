// The in-memory dirstate, organised as "dirblocks" (the Bazaar dirstate
// design): one block per directory holding that directory's files, sorted by
// base name, and the blocks kept sorted by their key (`dir/`, '' for the
// root). Because the keys sort byte-wise, every directory's subtree is one
// contiguous run of blocks found with one binary search; adding a file only
// touches its own directory's block.
//
// Rows (one per file) are packed data, not objects: parallel typed arrays for
// the flags, mode, size and mtime, and offsets into a byte arena holding the
// paths. The arena starts as the bytes of the dirstate file itself (rows of a
// freshly read v1 dirstate point into it; nothing is copied) and grows when
// files are added.
//
// The entry model is hg 6.3's DirstateItem (mercurial/pure/parsers.py): three
// tracking bits (working copy, p1, p2-info), optional mode+size, optional
// mtime (seconds, nanoseconds, "second ambiguous"), and the optional fallback
// exec/symlink bits of dirstate-v2. The v1 `state`/`mode`/`size`/`mtime`
// columns (with their special values -1 and -2) are projections of it, so one
// structure serves both on-disk formats.
//
// Paths are repo-relative bytes (HgPath). Strings appear only for directory
// keys (latin1 strings of the bytes, so that JS string order is byte order).

import { NULL_NODE, type Node } from '../core/node.js';

export type HgPath = Uint8Array;

// Row flag bits. The low 13 are dirstate-v2's node flags (same values), the
// rest are private to the in-memory map.
export const F_WC_TRACKED = 1 << 0;
export const F_P1_TRACKED = 1 << 1;
export const F_P2_INFO = 1 << 2;
export const F_MODE_EXEC_PERM = 1 << 3;
export const F_MODE_IS_SYMLINK = 1 << 4;
export const F_HAS_FALLBACK_EXEC = 1 << 5;
export const F_FALLBACK_EXEC = 1 << 6;
export const F_HAS_FALLBACK_SYMLINK = 1 << 7;
export const F_FALLBACK_SYMLINK = 1 << 8;
export const F_EXPECTED_STATE_IS_MODIFIED = 1 << 9;
export const F_HAS_MODE_AND_SIZE = 1 << 10;
export const F_HAS_MTIME = 1 << 11;
export const F_MTIME_SECOND_AMBIGUOUS = 1 << 12;
/** Private: the path has a copy source in the copy map. */
export const F_HAS_COPY = 1 << 16;
/** Private: the row is in use (cleared when an entry is dropped). */
export const F_LIVE = 1 << 17;

const ANY_TRACKED = F_WC_TRACKED | F_P1_TRACKED | F_P2_INFO;

/** hg's `_rangemask`: sizes and mtimes are stored modulo 2**31. */
export const RANGE_MASK = 0x7fffffff;
/** v1 `size` for a file taken from the second merge parent. */
export const SIZE_FROM_P2 = -2;
/** v1 `size` for an entry that must be looked at (added, merged, unknown size). */
export const SIZE_NONNORMAL = -1;
/** v1 `mtime` meaning "no trustworthy mtime": compare contents. */
export const AMBIGUOUS_TIME = -1;

/** A modification time as hg's dirstateutils.timestamp: seconds (mod 2**31), nanoseconds (0 = unknown), second-ambiguous. */
export interface Timestamp {
  sec: number;
  nsec: number;
  secondAmbiguous: boolean;
}

/** Mode, size and (optionally) mtime of a file as last seen clean (hg's `parentfiledata`). */
export interface ParentFileData {
  mode: number;
  size: number;
  mtime?: Timestamp;
}

export type V1State = 'n' | 'a' | 'r' | 'm';

/** A snapshot of one entry (convenience API; the hot paths read the row arrays). */
export interface DirstateItem {
  readonly state: V1State;
  /** v1 projections, special values included. */
  readonly mode: number;
  readonly size: number;
  readonly mtime: number;
  readonly tracked: boolean;
  readonly p1Tracked: boolean;
  /** hg's `p2_info` property: tracked and involved in the merge. */
  readonly p2Info: boolean;
  readonly added: boolean;
  readonly removed: boolean;
  readonly maybeClean: boolean;
  readonly flags: number;
}

export interface ResetStateOptions {
  wcTracked?: boolean;
  p1Tracked?: boolean;
  p2Info?: boolean;
  /** false: keep mode/size but not the mtime (hg's `possibly_dirty`). Default true. */
  hasMeaningfulMtime?: boolean;
  parentFileData?: ParentFileData;
}

/**
 * The packed rows. The arrays are replaced when they grow: read them again
 * after any mutation of the map (the status walker reads them once).
 */
export class RowStore {
  count = 0;
  flags: Uint32Array;
  mode: Int32Array;
  size: Int32Array;
  mtimeSec: Int32Array;
  mtimeNsec: Int32Array;
  /** Path of the row: arena[pathOff, pathOff + pathLen). */
  pathOff: Int32Array;
  pathLen: Int32Array;
  /** Offset of the base name in the arena (>= pathOff). */
  baseOff: Int32Array;
  arena: Uint8Array;
  /** Bytes of the arena in use (appends go after it). */
  arenaUsed: number;
  /** True while `arena` is a buffer the map does not own (the dirstate file's bytes). */
  private arenaBorrowed: boolean;

  constructor(capacity: number, arena?: Uint8Array) {
    const cap = Math.max(16, capacity);
    this.flags = new Uint32Array(cap);
    this.mode = new Int32Array(cap);
    this.size = new Int32Array(cap);
    this.mtimeSec = new Int32Array(cap);
    this.mtimeNsec = new Int32Array(cap);
    this.pathOff = new Int32Array(cap);
    this.pathLen = new Int32Array(cap);
    this.baseOff = new Int32Array(cap);
    this.arena = arena ?? new Uint8Array(1024);
    this.arenaUsed = arena ? arena.length : 0;
    this.arenaBorrowed = arena !== undefined;
  }

  /** A new row whose path is arena[off, off + len); returns its id. */
  addRow(off: number, len: number, baseOff: number): number {
    if (this.count === this.flags.length) this.grow(this.count * 2);
    const r = this.count++;
    this.flags[r] = F_LIVE;
    this.mode[r] = 0;
    this.size[r] = 0;
    this.mtimeSec[r] = 0;
    this.mtimeNsec[r] = 0;
    this.pathOff[r] = off;
    this.pathLen[r] = len;
    this.baseOff[r] = baseOff;
    return r;
  }

  /** Copies bytes into the arena; returns their offset. */
  appendBytes(b: Uint8Array): number {
    const need = this.arenaUsed + b.length;
    if (this.arenaBorrowed || need > this.arena.length) {
      const next = new Uint8Array(Math.max(need * 2, 1024));
      next.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = next;
      this.arenaBorrowed = false;
    }
    const off = this.arenaUsed;
    this.arena.set(b, off);
    this.arenaUsed = need;
    return off;
  }

  private grow(cap: number): void {
    const g32 = <T extends Int32Array | Uint32Array>(a: T): T => {
      const n = new (a.constructor as { new (n: number): T })(cap);
      n.set(a);
      return n;
    };
    this.flags = g32(this.flags);
    this.mode = g32(this.mode);
    this.size = g32(this.size);
    this.mtimeSec = g32(this.mtimeSec);
    this.mtimeNsec = g32(this.mtimeNsec);
    this.pathOff = g32(this.pathOff);
    this.pathLen = g32(this.pathLen);
    this.baseOff = g32(this.baseOff);
  }

  path(r: number): Uint8Array {
    const o = this.pathOff[r]!;
    return this.arena.subarray(o, o + this.pathLen[r]!);
  }

  /** The path as a latin1 string of its bytes. */
  pathLatin1(r: number): string {
    return latin1Of(this.arena, this.pathOff[r]!, this.pathOff[r]! + this.pathLen[r]!);
  }

  baseLatin1(r: number): string {
    return latin1Of(this.arena, this.baseOff[r]!, this.pathOff[r]! + this.pathLen[r]!);
  }
}

/** One directory's files: the row ids, sorted by base name bytes. */
export interface DirBlock {
  /** `dir/` as a latin1 string ('' for the repository root). */
  readonly key: string;
  /** Row ids sorted by base name. */
  rows: number[];
  /** Rows of this block that are tracked in the working copy. */
  tracked: number;
}

const HAS_BUFFER = typeof Buffer === 'function';

/** A latin1 string of b[s, e): one native call for long runs. */
export function latin1Of(b: Uint8Array, s: number, e: number): string {
  const n = e - s;
  if (n <= 0) return '';
  if (n < 24) {
    let out = '';
    for (let i = s; i < e; i++) out += String.fromCharCode(b[i]!);
    return out;
  }
  if (HAS_BUFFER) return Buffer.from(b.buffer, b.byteOffset + s, n).toString('latin1');
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]!);
  return out;
}

/** Byte-wise comparison of a[as, ae) and b[bs, be). */
function cmpRange(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const n = la < lb ? la : lb;
  for (let i = 0; i < n; i++) {
    const d = a[as + i]! - b[bs + i]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

/** Compares a latin1 string with bytes b[bs, be) in byte order. */
export function cmpStrBytes(s: string, b: Uint8Array, bs: number, be: number): number {
  const lb = be - bs;
  const n = s.length < lb ? s.length : lb;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - b[bs + i]!;
    if (d !== 0) return d;
  }
  return s.length - lb;
}

function lastSlash(b: Uint8Array, s: number, e: number): number {
  for (let i = e - 1; i >= s; i--) if (b[i] === 0x2f) return i;
  return -1;
}

/** The block key of a directory given as a latin1 string ('' = root). */
function dirKey(dir: string): string {
  return dir === '' ? '' : dir + '/';
}

/** The first key that cannot start with `key` (for a subtree's end): `dir/` -> `dir0`. */
function keyUpper(key: string): string {
  return key.slice(0, -1) + '0';
}

export class DirstateMap {
  readonly rows: RowStore;
  /** Copy sources by destination (latin1 path string). */
  readonly copies = new Map<string, Uint8Array>();
  private p1: Node = NULL_NODE;
  private p2: Node = NULL_NODE;
  /** Blocks sorted by key. */
  private blocks: DirBlock[] = [];
  private byKey = new Map<string, DirBlock>();
  private live = 0;
  /** Set by every mutation; cleared by the writer (hg's `_dirty`). */
  dirty = false;

  constructor(rows?: RowStore) {
    this.rows = rows ?? new RowStore(16);
  }

  static empty(): DirstateMap {
    return new DirstateMap();
  }

  // ---------------------------------------------------------------------
  // Bulk building (used by the on-disk readers)

  /**
   * Builds the blocks from rows already in the store (each row's path set).
   * Linear apart from sorting: rows in path order (what hgkit writes, and
   * what hg writes after a checkout) need no sort at all.
   */
  static fromRows(rows: RowStore, parents: [Node, Node]): DirstateMap {
    const m = new DirstateMap(rows);
    m.p1 = parents[0];
    m.p2 = parents[1];
    const arena = rows.arena;
    const { pathOff, baseOff, flags } = rows;
    let prevBlock: DirBlock | undefined;
    let prevDirOff = -1;
    let prevDirLen = -1;
    const created: DirBlock[] = [];
    for (let r = 0; r < rows.count; r++) {
      if ((flags[r]! & F_LIVE) === 0) continue;
      const off = pathOff[r]!;
      const dirLen = baseOff[r]! - off - (baseOff[r]! > off ? 1 : 0);
      let block: DirBlock;
      if (
        prevBlock !== undefined &&
        dirLen === prevDirLen &&
        (dirLen === 0 || cmpRange(arena, off, off + dirLen, arena, prevDirOff, prevDirOff + dirLen) === 0)
      ) {
        block = prevBlock;
      } else {
        const key = dirLen === 0 ? '' : latin1Of(arena, off, off + dirLen + 1);
        let b = m.byKey.get(key);
        if (b === undefined) {
          b = { key, rows: [], tracked: 0 };
          m.byKey.set(key, b);
          created.push(b);
        }
        block = b;
        prevBlock = b;
        prevDirOff = off;
        prevDirLen = dirLen;
      }
      block.rows.push(r);
      if (flags[r]! & F_WC_TRACKED) block.tracked++;
      m.live++;
    }
    // sort blocks by key (skip when already in order)
    let sorted = true;
    for (let i = 1; i < created.length; i++) {
      if (created[i - 1]!.key >= created[i]!.key) {
        sorted = false;
        break;
      }
    }
    if (!sorted) created.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    m.blocks = created;
    for (const b of created) m.sortBlock(b);
    return m;
  }

  /**
   * A map from rows already grouped into blocks by the reader (one block
   * per directory, any order; rows in any order within a block).
   */
  static fromBlocks(
    rows: RowStore,
    parents: [Node, Node],
    blocks: DirBlock[],
    byKey: Map<string, DirBlock>,
    live: number,
    /** When given: the only blocks whose rows may be out of order. */
    unsorted?: ReadonlySet<DirBlock>,
  ): DirstateMap {
    const m = new DirstateMap(rows);
    m.p1 = parents[0];
    m.p2 = parents[1];
    m.byKey = byKey;
    m.live = live;
    let sorted = true;
    for (let i = 1; i < blocks.length; i++) {
      if (blocks[i - 1]!.key >= blocks[i]!.key) {
        sorted = false;
        break;
      }
    }
    if (!sorted) blocks.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    m.blocks = blocks;
    if (unsorted) for (const b of unsorted) m.sortBlock(b);
    else for (const b of blocks) m.sortBlock(b);
    return m;
  }

  /** Sorts a block's rows by base name, dropping duplicate paths (the last row wins, like a dict). */
  private sortBlock(b: DirBlock): void {
    const { arena, baseOff, pathOff, pathLen } = this.rows;
    const rows = b.rows;
    let inOrder = true;
    for (let i = 1; i < rows.length; i++) {
      const x = rows[i - 1]!;
      const y = rows[i]!;
      if (cmpRange(arena, baseOff[x]!, pathOff[x]! + pathLen[x]!, arena, baseOff[y]!, pathOff[y]! + pathLen[y]!) >= 0) {
        inOrder = false;
        break;
      }
    }
    if (inOrder) return;
    // stable sort, so that for duplicates the later row comes last
    rows.sort((x, y) => {
      const c = cmpRange(arena, baseOff[x]!, pathOff[x]! + pathLen[x]!, arena, baseOff[y]!, pathOff[y]! + pathLen[y]!);
      return c !== 0 ? c : x - y;
    });
    const out: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const next = rows[i + 1];
      if (
        next !== undefined &&
        cmpRange(arena, baseOff[r]!, pathOff[r]! + pathLen[r]!, arena, baseOff[next]!, pathOff[next]! + pathLen[next]!) === 0
      ) {
        // duplicate path: an earlier row is superseded
        if (this.rows.flags[r]! & F_WC_TRACKED) b.tracked--;
        this.rows.flags[r] = 0;
        this.live--;
        continue;
      }
      out.push(r);
    }
    b.rows = out;
  }

  // ---------------------------------------------------------------------
  // Parents

  parents(): [Node, Node] {
    return [this.p1, this.p2];
  }

  /**
   * hg's dirstatemap.setparents. With `foldP2` (leaving a merge), the merge
   * data of tracked p2 entries is dropped and their copy sources returned.
   */
  setParents(p1: Node, p2: Node = NULL_NODE, foldP2 = false): Map<string, Uint8Array> {
    this.p1 = p1;
    this.p2 = p2;
    this.dirty = true;
    const copies = new Map<string, Uint8Array>();
    if (foldP2) {
      const f = this.rows.flags;
      for (const b of this.blocks) {
        for (const r of b.rows) {
          const fl = f[r]!;
          if ((fl & F_WC_TRACKED) !== 0 && (fl & F_P2_INFO) !== 0) {
            const key = this.rows.pathLatin1(r);
            const src = this.copies.get(key);
            if (src !== undefined) {
              copies.set(key, src);
              this.copies.delete(key);
              f[r] = f[r]! & ~F_HAS_COPY;
            }
            f[r] = f[r]! & ~(F_P2_INFO | F_HAS_MODE_AND_SIZE | F_HAS_MTIME | F_MTIME_SECOND_AMBIGUOUS);
          }
        }
      }
    }
    return copies;
  }

  /** True while a merge is in progress (p2 is not null). */
  get inMerge(): boolean {
    for (let i = 0; i < this.p2.length; i++) if (this.p2[i] !== 0) return true;
    return false;
  }

  // ---------------------------------------------------------------------
  // Lookup

  /** Number of entries. */
  get size(): number {
    return this.live;
  }

  /** Blocks in key order (read-only view for walkers; do not mutate). */
  get dirBlocks(): readonly DirBlock[] {
    return this.blocks;
  }

  /** The block of a directory (latin1, '' = root), if it has entries. */
  block(dir: string): DirBlock | undefined {
    return this.byKey.get(dirKey(dir));
  }

  /** First block index whose key is >= key. */
  lowerBound(key: string): number {
    const bl = this.blocks;
    let lo = 0;
    let hi = bl.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bl[mid]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The blocks of a directory's subtree (the directory's own block included)
   * as an index range [start, end) of `dirBlocks`: one binary search each end.
   */
  subtreeRange(dir: string): [number, number] {
    if (dir === '') return [0, this.blocks.length];
    const key = dir + '/';
    return [this.lowerBound(key), this.lowerBound(keyUpper(key))];
  }

  /** Row index of a path, or -1. */
  findRow(path: HgPath): number {
    const slash = lastSlash(path, 0, path.length);
    const key = slash < 0 ? '' : latin1Of(path, 0, slash + 1);
    const b = this.byKey.get(key);
    if (b === undefined) return -1;
    const i = this.searchBlock(b, path, slash + 1);
    return i >= 0 ? b.rows[i]! : -1;
  }

  /** Binary search of a base name (path[baseStart..]) in a block: index, or -(insertion point) - 1. */
  private searchBlock(b: DirBlock, path: Uint8Array, baseStart: number): number {
    const { arena, baseOff, pathOff, pathLen } = this.rows;
    const rows = b.rows;
    let lo = 0;
    let hi = rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = rows[mid]!;
      const c = cmpRange(arena, baseOff[r]!, pathOff[r]! + pathLen[r]!, path, baseStart, path.length);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  /** Binary search of a base name given as a latin1 string in a block (index, or -(insertion point) - 1). */
  searchBlockLatin1(b: DirBlock, base: string): number {
    const { arena, baseOff, pathOff, pathLen } = this.rows;
    const rows = b.rows;
    let lo = 0;
    let hi = rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = rows[mid]!;
      const c = -cmpStrBytes(base, arena, baseOff[r]!, pathOff[r]! + pathLen[r]!);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  /** Row of a path given as a latin1 string, or -1. */
  findRowLatin1(path: string): number {
    const slash = path.lastIndexOf('/');
    const b = this.byKey.get(slash < 0 ? '' : path.slice(0, slash + 1));
    if (b === undefined) return -1;
    const i = this.searchBlockLatin1(b, slash < 0 ? path : path.slice(slash + 1));
    return i >= 0 ? b.rows[i]! : -1;
  }

  has(path: HgPath): boolean {
    return this.findRow(path) >= 0;
  }

  get(path: HgPath): DirstateItem | undefined {
    const r = this.findRow(path);
    return r < 0 ? undefined : this.item(r);
  }

  /** A snapshot of a row. */
  item(r: number): DirstateItem {
    const f = this.rows.flags[r]!;
    return {
      state: this.v1State(r),
      mode: this.v1Mode(r),
      size: this.v1Size(r),
      mtime: this.v1Mtime(r),
      tracked: (f & F_WC_TRACKED) !== 0,
      p1Tracked: (f & F_P1_TRACKED) !== 0,
      p2Info: (f & F_WC_TRACKED) !== 0 && (f & F_P2_INFO) !== 0,
      added: isAdded(f),
      removed: isRemoved(f),
      maybeClean: (f & F_WC_TRACKED) !== 0 && (f & F_P1_TRACKED) !== 0 && (f & F_P2_INFO) === 0,
      flags: f & 0xffff,
    };
  }

  // v1 projections (hg's DirstateItem._v1_state/_v1_mode/_v1_size/_v1_mtime)

  v1State(r: number): V1State {
    const f = this.rows.flags[r]!;
    if (isRemoved(f)) return 'r';
    if ((f & F_P1_TRACKED) !== 0 && (f & F_P2_INFO) !== 0) return 'm';
    if (isAdded(f)) return 'a';
    return 'n';
  }

  v1Mode(r: number): number {
    return this.rows.flags[r]! & F_HAS_MODE_AND_SIZE ? this.rows.mode[r]! : 0;
  }

  v1Size(r: number): number {
    const f = this.rows.flags[r]!;
    if (isRemoved(f) && (f & F_P1_TRACKED) !== 0 && (f & F_P2_INFO) !== 0) return SIZE_NONNORMAL;
    if (f & F_P2_INFO) return SIZE_FROM_P2;
    if (isRemoved(f)) return 0;
    if (isAdded(f)) return SIZE_NONNORMAL;
    if ((f & F_HAS_MODE_AND_SIZE) === 0) return SIZE_NONNORMAL;
    return this.rows.size[r]!;
  }

  v1Mtime(r: number): number {
    const f = this.rows.flags[r]!;
    if (isRemoved(f)) return 0;
    if ((f & F_HAS_MTIME) === 0) return AMBIGUOUS_TIME;
    if (f & F_P2_INFO) return AMBIGUOUS_TIME;
    if ((f & F_P1_TRACKED) === 0) return AMBIGUOUS_TIME;
    if (f & F_MTIME_SECOND_AMBIGUOUS) return AMBIGUOUS_TIME;
    return this.rows.mtimeSec[r]!;
  }

  /**
   * hg's DirstateItem.mtime_likely_equal_to: could the file's current mtime
   * be the one recorded? `nsec` 0 means "unknown sub-second part".
   */
  mtimeLikelyEqual(r: number, sec: number, nsec: number): boolean {
    const f = this.rows.flags[r]!;
    if ((f & F_HAS_MTIME) === 0) return false;
    if (this.rows.mtimeSec[r] !== (sec & RANGE_MASK)) return false;
    const own = this.rows.mtimeNsec[r]!;
    if (nsec === 0 || own === 0) return (f & F_MTIME_SECOND_AMBIGUOUS) === 0;
    return own === nsec;
  }

  // ---------------------------------------------------------------------
  // Iteration

  /** Calls cb(row) for every entry in path (byte) order. */
  forEach(cb: (row: number) => void): void {
    const n = this.blocks.length;
    let j = 0;
    while (j < n) j = this.walkBlock(j, cb);
  }

  /** Entries under a directory (latin1, '' = all), or the entry of that exact path, in path order. */
  forEachUnder(dir: string, cb: (row: number) => void): void {
    if (dir === '') return this.forEach(cb);
    const exact = this.findRowLatin1(dir);
    if (exact >= 0) cb(exact);
    const [start, end] = this.subtreeRange(dir);
    let j = start;
    while (j < end) j = this.walkBlock(j, cb);
  }

  /** Visits block i and the blocks of its subtree in path order; returns the index after the subtree. */
  private walkBlock(i: number, cb: (row: number) => void): number {
    const bl = this.blocks;
    const b = bl[i]!;
    const end = b.key === '' ? bl.length : this.lowerBound(keyUpper(b.key));
    const { arena, pathOff, pathLen } = this.rows;
    let j = i + 1;
    for (const r of b.rows) {
      const ps = pathOff[r]!;
      const pe = ps + pathLen[r]!;
      while (j < end && cmpStrBytes(bl[j]!.key, arena, ps, pe) < 0) j = this.walkBlock(j, cb);
      cb(r);
    }
    while (j < end) j = this.walkBlock(j, cb);
    return end;
  }

  /** All paths in path order (allocates; for tests and small tools). */
  paths(): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.forEach((r) => out.push(this.rows.path(r)));
    return out;
  }

  /** Does any entry (tracked or removed) live under `dir`? (hg's dirstatemap.hasdir) */
  hasDir(dir: string): boolean {
    if (dir === '') return this.live > 0;
    const [s, e] = this.subtreeRange(dir);
    return s < e;
  }

  /** Does any tracked (not removed) file live under `dir`? (hg's hastrackeddir) */
  hasTrackedDir(dir: string): boolean {
    const [s, e] = dir === '' ? [0, this.blocks.length] : this.subtreeRange(dir);
    for (let i = s; i < e; i++) if (this.blocks[i]!.tracked > 0) return true;
    return false;
  }

  /**
   * Paths of hg's old "non-normal set": entries whose v1 state is not `n`,
   * or whose v1 mtime is -1 (must be looked at by the next status).
   */
  nonNormalPaths(): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.forEach((r) => {
      if (this.v1State(r) !== 'n' || this.v1Mtime(r) === AMBIGUOUS_TIME) out.push(this.rows.path(r));
    });
    return out;
  }

  /** Paths of hg's old "other parent set": `n` entries with size -2 (taken from p2). */
  otherParentPaths(): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.forEach((r) => {
      if (this.v1State(r) === 'n' && this.v1Size(r) === SIZE_FROM_P2) out.push(this.rows.path(r));
    });
    return out;
  }

  // ---------------------------------------------------------------------
  // Copies

  copySource(path: HgPath): Uint8Array | undefined {
    if (this.copies.size === 0) return undefined;
    return this.copies.get(latin1Of(path, 0, path.length));
  }

  /** Copy source of a row (undefined when none): cheap when the row has no copy. */
  rowCopySource(r: number): Uint8Array | undefined {
    if ((this.rows.flags[r]! & F_HAS_COPY) === 0) return undefined;
    return this.copies.get(this.rows.pathLatin1(r));
  }

  /** hg's dirstate.copy(source, dest): record (or, with undefined, forget) dest's copy source. */
  setCopySource(dest: HgPath, source: HgPath | undefined): void {
    if (source !== undefined && bytesEq(source, dest)) return;
    this.dirty = true;
    const key = latin1Of(dest, 0, dest.length);
    const r = this.findRow(dest);
    if (source === undefined) {
      this.copies.delete(key);
      if (r >= 0) this.rows.flags[r] = this.rows.flags[r]! & ~F_HAS_COPY;
    } else {
      this.copies.set(key, Uint8Array.from(source));
      if (r >= 0) this.rows.flags[r] = this.rows.flags[r]! | F_HAS_COPY;
    }
  }

  private dropCopy(r: number): void {
    if (this.rows.flags[r]! & F_HAS_COPY) {
      this.copies.delete(this.rows.pathLatin1(r));
      this.rows.flags[r] = this.rows.flags[r]! & ~F_HAS_COPY;
    }
  }

  /** Used by the readers: records a copy for a row just built. */
  attachCopy(r: number, source: Uint8Array): void {
    this.copies.set(this.rows.pathLatin1(r), source);
    this.rows.flags[r] = this.rows.flags[r]! | F_HAS_COPY;
  }

  // ---------------------------------------------------------------------
  // Mutation (hg's dirstatemap API)

  /** Creates the row of a new path (in its directory's block). */
  private insertRow(path: HgPath): number {
    const slash = lastSlash(path, 0, path.length);
    const key = slash < 0 ? '' : latin1Of(path, 0, slash + 1);
    let b = this.byKey.get(key);
    if (b === undefined) {
      b = { key, rows: [], tracked: 0 };
      this.byKey.set(key, b);
      this.blocks.splice(this.lowerBound(key), 0, b);
    }
    const idx = this.searchBlock(b, path, slash + 1);
    if (idx >= 0) return b.rows[idx]!;
    const off = this.rows.appendBytes(path);
    const r = this.rows.addRow(off, path.length, off + slash + 1);
    b.rows.splice(-idx - 1, 0, r);
    this.live++;
    if (this.copies.size > 0 && this.copies.has(latin1Of(path, 0, path.length))) {
      this.rows.flags[r] = this.rows.flags[r]! | F_HAS_COPY;
    }
    return r;
  }

  /** Removes an entry (and its copy source). */
  private dropRow(path: HgPath): void {
    const slash = lastSlash(path, 0, path.length);
    const key = slash < 0 ? '' : latin1Of(path, 0, slash + 1);
    const b = this.byKey.get(key);
    if (b === undefined) return;
    const idx = this.searchBlock(b, path, slash + 1);
    if (idx < 0) return;
    const r = b.rows[idx]!;
    this.dropCopy(r);
    if (this.rows.flags[r]! & F_WC_TRACKED) b.tracked--;
    this.rows.flags[r] = 0;
    b.rows.splice(idx, 1);
    this.live--;
    if (b.rows.length === 0) {
      this.byKey.delete(key);
      this.blocks.splice(this.lowerBound(key), 1);
    }
  }

  /** Sets a row's flags, keeping the block's tracked count right. */
  private setFlags(r: number, path: HgPath, next: number): void {
    const prev = this.rows.flags[r]!;
    this.rows.flags[r] = next;
    if (((prev ^ next) & F_WC_TRACKED) !== 0) {
      const slash = lastSlash(path, 0, path.length);
      const b = this.byKey.get(slash < 0 ? '' : latin1Of(path, 0, slash + 1))!;
      b.tracked += next & F_WC_TRACKED ? 1 : -1;
    }
  }

  /**
   * hg's dirstatemap.reset_state: set an entry from scratch (update/merge).
   * Drops the entry when it is tracked nowhere.
   */
  resetState(path: HgPath, o: ResetStateOptions = {}): void {
    this.dirty = true;
    const r0 = this.findRow(path);
    if (r0 >= 0) this.dropCopy(r0);
    else if (this.copies.size > 0) this.copies.delete(latin1Of(path, 0, path.length));
    if (!(o.p1Tracked || o.p2Info || o.wcTracked)) {
      this.dropRow(path);
      return;
    }
    const r = r0 >= 0 ? r0 : this.insertRow(path);
    let f = F_LIVE;
    if (o.wcTracked) f |= F_WC_TRACKED;
    if (o.p1Tracked) f |= F_P1_TRACKED;
    if (o.p2Info) f |= F_P2_INFO;
    const pfd = o.parentFileData;
    if (pfd !== undefined) {
      f |= F_HAS_MODE_AND_SIZE;
      this.rows.mode[r] = pfd.mode;
      this.rows.size[r] = pfd.size;
      if (pfd.mtime !== undefined && o.hasMeaningfulMtime !== false) {
        f |= F_HAS_MTIME;
        if (pfd.mtime.secondAmbiguous) f |= F_MTIME_SECOND_AMBIGUOUS;
        this.rows.mtimeSec[r] = pfd.mtime.sec & RANGE_MASK;
        this.rows.mtimeNsec[r] = pfd.mtime.nsec;
      }
    }
    this.setFlags(r, path, f);
  }

  /** hg's set_tracked: returns true when the file was not tracked before. */
  setTracked(path: HgPath): boolean {
    this.dirty = true;
    let r = this.findRow(path);
    if (r < 0) {
      r = this.insertRow(path);
      this.setFlags(r, path, (this.rows.flags[r]! & F_HAS_COPY) | F_LIVE | F_WC_TRACKED);
      return true;
    }
    const f = this.rows.flags[r]!;
    // both branches forget the mtime (set_tracked / set_possibly_dirty)
    this.setFlags(r, path, (f | F_WC_TRACKED) & ~(F_HAS_MTIME | F_MTIME_SECOND_AMBIGUOUS));
    return (f & F_WC_TRACKED) === 0;
  }

  /** hg's set_untracked: returns true when there was an entry. */
  setUntracked(path: HgPath): boolean {
    const r = this.findRow(path);
    if (r < 0) return false;
    this.dirty = true;
    const f = this.rows.flags[r]!;
    if ((f & F_P2_INFO) === 0) this.dropCopy(r);
    const next = this.rows.flags[r]! & ~(F_WC_TRACKED | F_HAS_MODE_AND_SIZE | F_HAS_MTIME | F_MTIME_SECOND_AMBIGUOUS);
    this.setFlags(r, path, next);
    if ((next & ANY_TRACKED) === 0) this.dropRow(path);
    return true;
  }

  /** hg's set_clean (C DirstateItem semantics): the file on disk is known to be clean with this stat data. */
  setClean(path: HgPath, mode: number, size: number, mtime: Timestamp): void {
    const r = this.findRow(path);
    if (r < 0) throw new Error('set_clean of a path not in the dirstate');
    this.setCleanRow(r, path, mode, size, mtime);
  }

  /** setClean on a known row (the status write-back). */
  setCleanRow(r: number, path: HgPath, mode: number, size: number, mtime: Timestamp): void {
    this.dirty = true;
    const rows = this.rows;
    // as hg's C DirstateItem.set_clean: the flags start over (merge info
    // and fallback bits are dropped)
    let f = (rows.flags[r]! & (F_LIVE | F_HAS_COPY)) | F_WC_TRACKED | F_P1_TRACKED | F_HAS_MODE_AND_SIZE | F_HAS_MTIME;
    if (mtime.secondAmbiguous) f |= F_MTIME_SECOND_AMBIGUOUS;
    this.setFlags(r, path, f);
    rows.mode[r] = mode;
    rows.size[r] = size & RANGE_MASK;
    rows.mtimeSec[r] = mtime.sec & RANGE_MASK;
    rows.mtimeNsec[r] = mtime.nsec;
    this.dropCopy(r);
  }

  /** hg's set_possibly_dirty: the next status must look at the file. */
  setPossiblyDirty(path: HgPath): void {
    const r = this.findRow(path);
    if (r < 0) throw new Error('set_possibly_dirty of a path not in the dirstate');
    this.dirty = true;
    this.rows.flags[r] = this.rows.flags[r]! & ~(F_HAS_MTIME | F_MTIME_SECOND_AMBIGUOUS);
  }

  /** Removes every entry and copy and sets null parents (hg's clear). */
  clear(): void {
    for (const b of this.blocks) for (const r of b.rows) this.rows.flags[r] = 0;
    this.blocks = [];
    this.byKey.clear();
    this.copies.clear();
    this.live = 0;
    this.p1 = NULL_NODE;
    this.p2 = NULL_NODE;
    this.dirty = true;
  }

  /** Sets v1 fields directly (hg's DirstateItem.from_v1_data); used by tests and tools. */
  setV1(path: HgPath, state: V1State, mode: number, size: number, mtime: number): void {
    this.dirty = true;
    let r = this.findRow(path);
    if (r < 0) r = this.insertRow(path);
    const f = flagsFromV1(state, size, mtime) | (this.rows.flags[r]! & F_HAS_COPY) | F_LIVE;
    this.setFlags(r, path, f);
    this.rows.mode[r] = mode;
    this.rows.size[r] = size;
    this.rows.mtimeSec[r] = mtime;
    this.rows.mtimeNsec[r] = 0;
  }
}

export function isAdded(f: number): boolean {
  return (f & F_WC_TRACKED) !== 0 && (f & (F_P1_TRACKED | F_P2_INFO)) === 0;
}

export function isRemoved(f: number): boolean {
  return (f & F_WC_TRACKED) === 0 && (f & (F_P1_TRACKED | F_P2_INFO)) !== 0;
}

/**
 * The row flags of a v1 entry (hg's DirstateItem.from_v1_data); mode/size/
 * mtime columns are kept as read, and flagged meaningful where hg keeps them.
 */
export function flagsFromV1(state: V1State | number, size: number, mtime: number): number {
  const s = typeof state === 'number' ? state : state.charCodeAt(0);
  switch (s) {
    case 0x6d: // m
      return F_WC_TRACKED | F_P1_TRACKED | F_P2_INFO;
    case 0x61: // a
      return F_WC_TRACKED;
    case 0x72: // r
      if (size === SIZE_NONNORMAL) return F_P1_TRACKED | F_P2_INFO;
      if (size === SIZE_FROM_P2) return F_P2_INFO;
      return F_P1_TRACKED;
    case 0x6e: // n
      if (size === SIZE_FROM_P2) return F_WC_TRACKED | F_P2_INFO;
      if (size === SIZE_NONNORMAL) return F_WC_TRACKED | F_P1_TRACKED;
      if (mtime === AMBIGUOUS_TIME) return F_WC_TRACKED | F_P1_TRACKED | F_HAS_MODE_AND_SIZE;
      return F_WC_TRACKED | F_P1_TRACKED | F_HAS_MODE_AND_SIZE | F_HAS_MTIME;
    default:
      return -1;
  }
}

function bytesEq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}


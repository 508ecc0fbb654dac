// dirstate-v2 (requirement `dirstate-v2`; hg's mercurial/dirstateutils/v2.py
// and docket.py, helptext/internals/dirstate-v2.txt):
//
// `.hg/dirstate` is a docket:
//   "dirstate-v2\n" | p1 (32, zero-padded) | p2 (32) | tree metadata (44)
//   | data size u32 | uuid length u8 | uuid
// tree metadata:
//   root nodes start u32 | root nodes count u32 | nodes with entry u32
//   | nodes with copy source u32 | unreachable bytes u32 | unused (4)
//   | ignore patterns hash (20)
// `.hg/dirstate.<uuid>` holds the nodes (44 bytes each, big-endian):
//   path start u32 | path len u16 | base name start u16 | copy source start u32
//   | copy source len u16 | children start u32 | children count u32
//   | descendants with entry u32 | tracked descendants u32 | flags u16
//   | size i32 | mtime seconds i32 | mtime nanoseconds i32
// A node's children are contiguous and sorted by base name; paths are full
// paths (bytes anywhere in the data file). Only the first `data size` bytes
// of the data file count (hg appends).
//
// Reading maps the tree onto the dirblocks: every node's children that have
// an entry form the block of that node's path. Row paths point into the data
// file's buffer (nothing copied). The row flags are v2's flags, minus the
// mode bits (kept in `mode`, like hg's DirstateItem) and the directory bits.

import { StorageError } from '../core/errors.js';
import type { Node } from '../core/node.js';
import { NULL_NODE } from '../core/node.js';
import {
  type DirBlock,
  DirstateMap,
  F_FALLBACK_EXEC,
  F_FALLBACK_SYMLINK,
  F_HAS_FALLBACK_EXEC,
  F_HAS_FALLBACK_SYMLINK,
  F_HAS_MODE_AND_SIZE,
  F_HAS_MTIME,
  F_LIVE,
  F_MODE_EXEC_PERM,
  F_MODE_IS_SYMLINK,
  F_MTIME_SECOND_AMBIGUOUS,
  F_P1_TRACKED,
  F_P2_INFO,
  F_WC_TRACKED,
  F_EXPECTED_STATE_IS_MODIFIED,
  RowStore,
  latin1Of,
} from './dirstate-map.js';

export const V2_MARKER = 'dirstate-v2\n';
const MARKER_LEN = 12;
export const TREE_METADATA_SIZE = 44;
export const NODE_SIZE = 44;
/** Offset of the data size in the docket. */
const DOCKET_FIXED = MARKER_LEN + 32 + 32 + TREE_METADATA_SIZE; // 120
const DOCKET_HEADER = DOCKET_FIXED + 4 + 1; // 125

/** v2 node flag: a node without entry (a directory). */
export const V2_DIRECTORY = 1 << 13;

/** The v2 entry flags kept in the rows (the mode bits are stored in `mode`). */
const KEPT =
  F_WC_TRACKED |
  F_P1_TRACKED |
  F_P2_INFO |
  F_HAS_FALLBACK_EXEC |
  F_FALLBACK_EXEC |
  F_HAS_FALLBACK_SYMLINK |
  F_FALLBACK_SYMLINK |
  F_HAS_MODE_AND_SIZE |
  F_HAS_MTIME |
  F_MTIME_SECOND_AMBIGUOUS;

const ANY_TRACKED = F_WC_TRACKED | F_P1_TRACKED | F_P2_INFO;

const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

export interface DirstateDocket {
  parents: [Node, Node];
  treeMetadata: Uint8Array;
  dataSize: number;
  /** The data file's uuid (ASCII); undefined for an empty docket. */
  uuid: string | undefined;
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}
function i32(b: Uint8Array, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}
function u16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

/** Parses `.hg/dirstate` of a v2 repository. An empty file has null parents and no data file. */
export function parseDocket(data: Uint8Array): DirstateDocket {
  if (data.length === 0) {
    return { parents: [NULL_NODE, NULL_NODE], treeMetadata: new Uint8Array(0), dataSize: 0, uuid: undefined };
  }
  if (data.length < DOCKET_HEADER || latin1Of(data, 0, MARKER_LEN) !== V2_MARKER) {
    throw new StorageError('expected dirstate-v2 marker');
  }
  const uuidLen = data[DOCKET_FIXED + 4]!;
  if (data.length < DOCKET_HEADER + uuidLen) throw new StorageError('dirstate-v2 docket is truncated');
  return {
    parents: [data.slice(MARKER_LEN, MARKER_LEN + 20), data.slice(MARKER_LEN + 32, MARKER_LEN + 52)],
    treeMetadata: data.slice(MARKER_LEN + 64, DOCKET_FIXED),
    dataSize: u32(data, DOCKET_FIXED),
    uuid: latin1Of(data, DOCKET_HEADER, DOCKET_HEADER + uuidLen),
  };
}

export function encodeDocket(d: DirstateDocket): Uint8Array {
  const uuid = d.uuid ?? '';
  const out = new Uint8Array(DOCKET_HEADER + uuid.length);
  for (let i = 0; i < MARKER_LEN; i++) out[i] = V2_MARKER.charCodeAt(i);
  out.set(d.parents[0].subarray(0, 32), MARKER_LEN);
  out.set(d.parents[1].subarray(0, 32), MARKER_LEN + 32);
  out.set(d.treeMetadata.subarray(0, TREE_METADATA_SIZE), MARKER_LEN + 64);
  const dv = new DataView(out.buffer);
  dv.setUint32(DOCKET_FIXED, d.dataSize);
  out[DOCKET_FIXED + 4] = uuid.length;
  for (let i = 0; i < uuid.length; i++) out[DOCKET_HEADER + i] = uuid.charCodeAt(i);
  return out;
}

export function dataFileName(uuid: string): string {
  return `dirstate.${uuid}`;
}

/** hg's docket.make_uid: 4 random bytes as 8 hex digits. */
export function makeUid(): string {
  const b = new Uint8Array(4);
  globalThis.crypto.getRandomValues(b);
  let s = '';
  for (const x of b) s += (x < 16 ? '0' : '') + x.toString(16);
  return s;
}

/**
 * Builds the map from a docket and its data file (`data` may be longer than
 * the docket's data size; only that prefix is used).
 */
export function parseDirstateV2(docket: DirstateDocket, dataFile: Uint8Array | undefined): DirstateMap {
  if (docket.uuid === undefined) {
    const m = DirstateMap.empty();
    m.setParents(docket.parents[0], docket.parents[1]);
    m.dirty = false;
    return m;
  }
  if (dataFile === undefined) throw new StorageError(`dirstate-v2 data file ${dataFileName(docket.uuid)} is missing`);
  if (dataFile.length < docket.dataSize) throw new StorageError('dirstate-v2 data file is truncated');
  const data = dataFile.subarray(0, docket.dataSize);
  const meta = docket.treeMetadata;
  if (meta.length < TREE_METADATA_SIZE) throw new StorageError('dirstate-v2 tree metadata is truncated');
  const rootStart = u32(meta, 0);
  const rootCount = u32(meta, 4);
  const withEntry = u32(meta, 8);
  const rows = new RowStore(Math.min(withEntry, Math.floor(data.length / NODE_SIZE)), data);
  const { flags, mode, size, mtimeSec, mtimeNsec, pathOff, pathLen, baseOff } = rows;
  const byKey = new Map<string, DirBlock>();
  const blocks: DirBlock[] = [];
  let copies: number[] | undefined;
  let live = 0;
  const n = data.length;
  // explicit stack of (children start, count, block key) to visit
  const stack: Array<[number, number, string]> = [[rootStart, rootCount, '']];
  while (stack.length > 0) {
    const [start, count, key] = stack.pop()!;
    if (count === 0) continue;
    if (start + count * NODE_SIZE > n) throw new StorageError('dirstate-v2 node is out of bounds');
    let block: DirBlock | undefined;
    for (let i = 0; i < count; i++) {
      const p = start + i * NODE_SIZE;
      const ps = u32(data, p);
      const pl = u16(data, p + 4);
      const bs = u16(data, p + 6);
      if (ps + pl > n || bs > pl) throw new StorageError('dirstate-v2 path is out of bounds');
      const childStart = u32(data, p + 14);
      const childCount = u32(data, p + 18);
      if (childCount > 0) stack.push([childStart, childCount, latin1Of(data, ps, ps + pl) + '/']);
      let f = u16(data, p + 30);
      if ((f & ANY_TRACKED) === 0) continue;
      if (f & F_EXPECTED_STATE_IS_MODIFIED) f &= ~(F_HAS_MODE_AND_SIZE | F_HAS_MTIME);
      const r = rows.addRow(ps, pl, ps + bs);
      // addRow may have grown the arrays
      if (rows.flags !== flags) return reparseGrown(docket, dataFile);
      flags[r] = (f & KEPT) | F_LIVE;
      if (f & F_HAS_MODE_AND_SIZE) {
        mode[r] = (f & F_MODE_EXEC_PERM ? 0o755 : 0o644) | (f & F_MODE_IS_SYMLINK ? S_IFLNK : S_IFREG);
      }
      size[r] = i32(data, p + 32);
      mtimeSec[r] = i32(data, p + 36);
      mtimeNsec[r] = i32(data, p + 40);
      const cs = u32(data, p + 8);
      if (cs !== 0) {
        const cl = u16(data, p + 12);
        if (cs + cl > n) throw new StorageError('dirstate-v2 copy source is out of bounds');
        (copies ??= []).push(r, cs, cs + cl);
      }
      if (block === undefined) {
        block = byKey.get(key);
        if (block === undefined) {
          block = { key, rows: [], tracked: 0 };
          byKey.set(key, block);
          blocks.push(block);
        }
      }
      block.rows.push(r);
      if (f & F_WC_TRACKED) block.tracked++;
      live++;
    }
  }
  const map = DirstateMap.fromBlocks(rows, docket.parents, blocks, byKey, live);
  if (copies) {
    for (let i = 0; i < copies.length; i += 3) {
      const row = copies[i]!;
      if (rows.flags[row]! & F_LIVE) map.attachCopy(row, data.subarray(copies[i + 1]!, copies[i + 2]!));
    }
  }
  map.dirty = false;
  return map;
}

/** The tree metadata's entry count was too small (a damaged but readable docket): count the nodes first. */
function reparseGrown(docket: DirstateDocket, dataFile: Uint8Array): DirstateMap {
  const meta = docket.treeMetadata.slice();
  // the entry count is only a capacity hint: make it the node count bound
  new DataView(meta.buffer).setUint32(8, Math.floor(docket.dataSize / NODE_SIZE));
  return parseDirstateV2({ ...docket, treeMetadata: meta }, dataFile);
}

/** A growable output buffer. */
class Out {
  buf = new Uint8Array(1 << 16);
  len = 0;
  private dv = new DataView(this.buf.buffer);
  reserve(n: number): number {
    const need = this.len + n;
    if (need > this.buf.length) {
      const next = new Uint8Array(Math.max(need, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
      this.dv = new DataView(next.buffer);
    }
    const at = this.len;
    this.len = need;
    return at;
  }
  bytes(b: Uint8Array): number {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
    return at;
  }
  get view(): DataView {
    return this.dv;
  }
}

interface DirInfo {
  /** Directory path without the trailing slash (latin1). */
  path: string;
  /** Base names of direct subdirectories (latin1). */
  subdirs: string[];
  block: DirBlock | undefined;
}

interface Written {
  start: number;
  count: number;
  withEntry: number;
  tracked: number;
}

function fromLatin1Str(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/**
 * Serializes the map as a complete v2 data file; returns it with the tree
 * metadata for the docket. Children are written before their parent's node
 * array (like hg), each directory's children sorted by base name.
 */
export function encodeDirstateV2(map: DirstateMap): { data: Uint8Array; treeMetadata: Uint8Array } {
  const rows = map.rows;
  const { arena, flags, mode, size, mtimeSec, mtimeNsec, pathOff, pathLen, baseOff } = rows;
  // the directory tree: every non-empty block and its ancestors
  const dirs = new Map<string, DirInfo>();
  const root: DirInfo = { path: '', subdirs: [], block: undefined };
  dirs.set('', root);
  const ensure = (key: string): DirInfo => {
    let d = dirs.get(key);
    if (d !== undefined) return d;
    const path = key.slice(0, -1);
    const slash = path.lastIndexOf('/');
    const parentKey = slash < 0 ? '' : path.slice(0, slash + 1);
    const parent = ensure(parentKey);
    parent.subdirs.push(path.slice(slash + 1));
    d = { path, subdirs: [], block: undefined };
    dirs.set(key, d);
    return d;
  };
  for (const b of map.dirBlocks) {
    if (b.rows.length === 0) continue;
    ensure(b.key).block = b;
  }
  const out = new Out();
  let entries = 0;
  let withCopy = 0;

  const writeDir = (d: DirInfo): Written => {
    const files = d.block?.rows ?? [];
    const subs = d.subdirs;
    subs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // merge files (sorted by base name bytes) with subdirectories
    const kids: Array<{ row: number; sub: Written | undefined; subPath: string | undefined }> = [];
    let i = 0;
    let j = 0;
    while (i < files.length || j < subs.length) {
      let c: number;
      if (i >= files.length) c = 1;
      else if (j >= subs.length) c = -1;
      else {
        const r = files[i]!;
        const s = subs[j]!;
        const bs = baseOff[r]!;
        const be = pathOff[r]! + pathLen[r]!;
        const m = Math.min(be - bs, s.length);
        c = 0;
        for (let k = 0; k < m && c === 0; k++) c = arena[bs + k]! - s.charCodeAt(k);
        if (c === 0) c = be - bs - s.length;
      }
      if (c < 0) kids.push({ row: files[i++]!, sub: undefined, subPath: undefined });
      else {
        const sk = (d.path === '' ? '' : d.path + '/') + subs[j]! + '/';
        const w = writeDir(dirs.get(sk)!);
        const subPath = sk.slice(0, -1);
        if (c === 0) kids.push({ row: files[i++]!, sub: w, subPath });
        else kids.push({ row: -1, sub: w, subPath });
        j++;
      }
    }
    // paths (and copy sources), then the node array
    const nodes = new Uint8Array(kids.length * NODE_SIZE);
    const nv = new DataView(nodes.buffer);
    let withEntry = 0;
    let tracked = 0;
    for (let k = 0; k < kids.length; k++) {
      const { row, sub, subPath } = kids[k]!;
      const p = k * NODE_SIZE;
      let ps: number;
      let pl: number;
      let bstart: number;
      if (row >= 0) {
        pl = pathLen[row]!;
        ps = out.bytes(arena.subarray(pathOff[row]!, pathOff[row]! + pl));
        bstart = baseOff[row]! - pathOff[row]!;
      } else {
        const pb = fromLatin1Str(subPath!);
        pl = pb.length;
        ps = out.bytes(pb);
        bstart = subPath!.lastIndexOf('/') + 1;
      }
      if (pl > 0xffff) throw new StorageError('dirstate-v2: path too long');
      nv.setUint32(p, ps);
      nv.setUint16(p + 4, pl);
      nv.setUint16(p + 6, bstart);
      if (sub !== undefined) {
        nv.setUint32(p + 14, sub.start);
        nv.setUint32(p + 18, sub.count);
        nv.setUint32(p + 22, sub.withEntry);
        nv.setUint32(p + 26, sub.tracked);
        withEntry += sub.withEntry;
        tracked += sub.tracked;
      }
      if (row >= 0) {
        const src = map.rowCopySource(row);
        if (src !== undefined) {
          if (src.length > 0xffff) throw new StorageError('dirstate-v2: copy source too long');
          nv.setUint32(p + 8, out.bytes(src));
          nv.setUint16(p + 12, src.length);
          withCopy++;
        }
        const rf = flags[row]!;
        let f = rf & KEPT;
        if (rf & F_HAS_MODE_AND_SIZE) {
          const md = mode[row]!;
          if (md & 0o100) f |= F_MODE_EXEC_PERM;
          if ((md & 0o170000) === S_IFLNK) f |= F_MODE_IS_SYMLINK;
          nv.setInt32(p + 32, size[row]!);
        }
        if (rf & F_HAS_MTIME) {
          nv.setInt32(p + 36, mtimeSec[row]!);
          nv.setInt32(p + 40, mtimeNsec[row]!);
        }
        nv.setUint16(p + 30, f);
        entries++;
        withEntry++;
        if (rf & F_WC_TRACKED) tracked++;
      } else {
        nv.setUint16(p + 30, V2_DIRECTORY);
      }
    }
    const start = out.bytes(nodes);
    return { start, count: kids.length, withEntry, tracked };
  };

  const top = writeDir(root);
  const meta = new Uint8Array(TREE_METADATA_SIZE);
  const mv = new DataView(meta.buffer);
  if (top.count > 0) {
    mv.setUint32(0, top.start);
    mv.setUint32(4, top.count);
  }
  mv.setUint32(8, entries);
  mv.setUint32(12, withCopy);
  return { data: out.buf.subarray(0, out.len), treeMetadata: meta };
}

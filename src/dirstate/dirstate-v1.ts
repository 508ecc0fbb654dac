// `.hg/dirstate` version 1 (formats.md §7.1; hg's parsers.parse_dirstate and
// pack_dirstate):
//
//   p1 (20) | p2 (20) | entries*
//   entry: state u8 | mode i32 | size i32 | mtime i32 | namelen i32 | name
//
// all big-endian; `name` is `path` or `path\0copysource`. hg writes the
// entries in its dict's order; hgkit writes them in path order (hg does not
// care, and a sorted file lets the reader skip sorting).
//
// Reading builds the dirblocks directly over the file's bytes: each row's
// path is an offset into the buffer, nothing is copied.

import { StorageError } from '../core/errors.js';
import type { Node } from '../core/node.js';
import {
  AMBIGUOUS_TIME,
  type DirBlock,
  DirstateMap,
  F_HAS_MODE_AND_SIZE,
  F_HAS_MTIME,
  F_LIVE,
  F_P1_TRACKED,
  F_P2_INFO,
  F_WC_TRACKED,
  RowStore,
  SIZE_FROM_P2,
  SIZE_NONNORMAL,
  flagsFromV1,
  latin1Of,
} from './dirstate-map.js';

const HEADER = 40;
const ENTRY = 17;

/** hg's error for a dirstate shorter than its two parents. */
export const DAMAGED = 'working directory state appears damaged!';

/** Parses a v1 dirstate. An empty file is an empty dirstate with null parents. */
export function parseDirstateV1(data: Uint8Array): DirstateMap {
  if (data.length === 0) return DirstateMap.empty();
  if (data.length < HEADER) throw new StorageError(DAMAGED);
  const p1: Node = data.slice(0, 20);
  const p2: Node = data.slice(20, 40);
  // a first pass counts the entries so the row arrays are allocated once
  let count = 0;
  let pos = HEADER;
  const n = data.length;
  while (pos < n) {
    if (pos + ENTRY > n) throw new StorageError('too little data for dirstate entry');
    const len = ((data[pos + 13]! << 24) | (data[pos + 14]! << 16) | (data[pos + 15]! << 8) | data[pos + 16]!) >>> 0;
    pos += ENTRY + len;
    if (pos > n) throw new StorageError('overflow in dirstate');
    count++;
  }
  // one pass builds the rows and groups them into dirblocks: entries of one
  // directory usually follow each other, so the block of the previous entry
  // is tried first (a byte comparison of the directory part)
  const rows = new RowStore(count, data);
  const { flags, mode, size, mtimeSec, pathOff, pathLen, baseOff } = rows;
  const byKey = new Map<string, DirBlock>();
  const blocks: DirBlock[] = [];
  let copies: number[] | undefined;
  let cur: DirBlock | undefined;
  let curDir = -1;
  let curDirLen = -1;
  // blocks whose rows did not arrive in base-name order (sorted afterwards)
  const unsorted = new Set<DirBlock>();
  pos = HEADER;
  for (let r = 0; r < count; r++) {
    const st = data[pos]!;
    const sz = (data[pos + 5]! << 24) | (data[pos + 6]! << 16) | (data[pos + 7]! << 8) | data[pos + 8]!;
    const mt = (data[pos + 9]! << 24) | (data[pos + 10]! << 16) | (data[pos + 11]! << 8) | data[pos + 12]!;
    const len = ((data[pos + 13]! << 24) | (data[pos + 14]! << 16) | (data[pos + 15]! << 8) | data[pos + 16]!) >>> 0;
    const nameStart = pos + ENTRY;
    const nameEnd = nameStart + len;
    let pathEnd = nameEnd;
    let slash = -1;
    for (let i = nameStart; i < nameEnd; i++) {
      const c = data[i]!;
      if (c === 0x2f) slash = i;
      else if (c === 0) {
        pathEnd = i;
        break;
      }
    }
    // DirstateItem.from_v1_data
    let f: number;
    if (st === 0x6e) {
      f =
        sz === SIZE_FROM_P2
          ? F_WC_TRACKED | F_P2_INFO
          : sz === SIZE_NONNORMAL
            ? F_WC_TRACKED | F_P1_TRACKED
            : mt === AMBIGUOUS_TIME
              ? F_WC_TRACKED | F_P1_TRACKED | F_HAS_MODE_AND_SIZE
              : F_WC_TRACKED | F_P1_TRACKED | F_HAS_MODE_AND_SIZE | F_HAS_MTIME;
    } else {
      f = flagsFromV1(st, sz, mt);
      if (f < 0) throw new StorageError(`unknown dirstate state '${String.fromCharCode(st)}'`);
    }
    flags[r] = f | F_LIVE;
    mode[r] = (data[pos + 1]! << 24) | (data[pos + 2]! << 16) | (data[pos + 3]! << 8) | data[pos + 4]!;
    size[r] = sz;
    mtimeSec[r] = mt;
    pathOff[r] = nameStart;
    pathLen[r] = pathEnd - nameStart;
    baseOff[r] = slash < 0 ? nameStart : slash + 1;
    if (pathEnd < nameEnd) (copies ??= []).push(r, pathEnd + 1, nameEnd);
    // its block
    const dirLen = slash < 0 ? 0 : slash - nameStart;
    let same = cur !== undefined && dirLen === curDirLen;
    if (same) {
      for (let i = dirLen - 1; i >= 0; i--) {
        if (data[nameStart + i] !== data[curDir + i]) {
          same = false;
          break;
        }
      }
    }
    if (!same) {
      const key = dirLen === 0 ? '' : latin1Of(data, nameStart, nameStart + dirLen + 1);
      cur = byKey.get(key);
      if (cur === undefined) {
        cur = { key, rows: [], tracked: 0 };
        byKey.set(key, cur);
        blocks.push(cur);
      }
      curDir = nameStart;
      curDirLen = dirLen;
    }
    // in order after the block's last row?
    const brows = cur!.rows;
    if (brows.length > 0) {
      const last = brows[brows.length - 1]!;
      const ls = baseOff[last]!;
      const le = pathOff[last]! + pathLen[last]!;
      const ns = baseOff[r]!;
      const ll = le - ls;
      const nl = pathEnd - ns;
      const m = ll < nl ? ll : nl;
      let c = 0;
      for (let i = 0; i < m && c === 0; i++) c = data[ls + i]! - data[ns + i]!;
      if (c > 0 || (c === 0 && ll >= nl)) unsorted.add(cur!);
    }
    brows.push(r);
    if (f & F_WC_TRACKED) cur!.tracked++;
    pos = nameEnd;
  }
  rows.count = count;
  const map = DirstateMap.fromBlocks(rows, [p1, p2], blocks, byKey, count, unsorted);
  if (copies) {
    for (let i = 0; i < copies.length; i += 3) {
      const row = copies[i]!;
      if (rows.flags[row]! & F_LIVE) map.attachCopy(row, data.subarray(copies[i + 1]!, copies[i + 2]!));
    }
  }
  map.dirty = false;
  return map;
}

/** Serializes a dirstate in the v1 format (entries in path order). */
export function encodeDirstateV1(map: DirstateMap): Uint8Array {
  const rows = map.rows;
  const { pathLen } = rows;
  // size first
  let total = HEADER;
  map.forEach((r) => {
    total += ENTRY + pathLen[r]!;
    const src = map.rowCopySource(r);
    if (src !== undefined) total += 1 + src.length;
  });
  const out = new Uint8Array(total);
  const [p1, p2] = map.parents();
  out.set(p1.subarray(0, 20), 0);
  out.set(p2.subarray(0, 20), 20);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let pos = HEADER;
  const arena = rows.arena;
  map.forEach((r) => {
    const src = map.rowCopySource(r);
    const len = pathLen[r]!;
    const nameLen = src === undefined ? len : len + 1 + src.length;
    out[pos] = map.v1State(r).charCodeAt(0);
    dv.setInt32(pos + 1, map.v1Mode(r));
    dv.setInt32(pos + 5, map.v1Size(r));
    dv.setInt32(pos + 9, map.v1Mtime(r));
    dv.setInt32(pos + 13, nameLen);
    pos += ENTRY;
    const off = rows.pathOff[r]!;
    out.set(arena.subarray(off, off + len), pos);
    pos += len;
    if (src !== undefined) {
      out[pos++] = 0;
      out.set(src, pos);
      pos += src.length;
    }
  });
  return out;
}

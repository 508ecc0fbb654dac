// The merge state: `.hg/merge/state` (v1) and `.hg/merge/state2` (v2), and
// the local versions of files being merged (`.hg/merge/<sha1 of path>`), in
// hg 6.3's format (mergestate.py), so that hg and hgkit read each other's
// (`hg resolve -l`, `hg debugmergestate`, commit's extras).
//
// Records (v2: type byte, >I length, data; types other than L, O and F are
// written behind a `t` record): L local node (hex), O other node, F/C/P one
// file each (`path\0state\0localkey\0lfile\0afile\0anode\0ofile\0onode\0flags`,
// C when a side is absent, P for path conflicts), f extras of a file
// (`path\0k\0v\0k\0v`), l the labels. v1 has the local node then the F
// records without the other node.
//
// Paths, keys and values are latin1 strings of their bytes.

import { concatBytes, fromLatin1, latin1, toHex } from '../core/bytes.js';
import { AbortError } from '../core/errors.js';
import { type Node, nodeHex } from '../core/node.js';
import { sha1 } from '../core/sha1.js';

export const MERGE_RECORD_UNRESOLVED = 'u';
export const MERGE_RECORD_RESOLVED = 'r';
export const MERGE_RECORD_UNRESOLVED_PATH = 'pu';
export const MERGE_RECORD_RESOLVED_PATH = 'pr';
export const MERGE_RECORD_MERGED_OTHER = 'o';

export const NULL_HEX = '0000000000000000000000000000000000000000';

/** Where the merge state lives: `.hg/<name>` reads and writes. */
export interface MergeStateStorage {
  read(name: string): Uint8Array | undefined;
  write(name: string, data: Uint8Array): void;
  /** Removes `.hg/merge` and everything in it (errors ignored, as shutil.rmtree(..., True)). */
  removeMergeDir(): void;
}

type Rec = [type: string, data: string];

/** One file's entry: [state, localkey, lfile, afile, anode, ofile, onode, flags] (or [state, frename, forigin] for path conflicts). */
export type MergeEntry = string[];

function splitNul(s: string): string[] {
  return s.split('\0');
}

function dropONode(data: string): string {
  const bits = splitNul(data);
  return [...bits.slice(0, -2), ...bits.slice(-1)].join('\0');
}

function readV1(data: Uint8Array | undefined): Rec[] {
  const out: Rec[] = [];
  if (!data) return out;
  const s = latin1(data);
  // python file iteration: lines keep their '\n'; hg drops the last character
  let i = 0;
  let n = 0;
  while (i < s.length) {
    const e = s.indexOf('\n', i);
    const line = e < 0 ? s.slice(i) : s.slice(i, e + 1);
    out.push([n === 0 ? 'L' : 'F', line.slice(0, -1)]);
    n++;
    i += line.length;
  }
  return out;
}

function readV2(data: Uint8Array | undefined): Rec[] {
  const out: Rec[] = [];
  if (!data) return out;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let off = 0;
  while (off < data.length) {
    let type = String.fromCharCode(data[off]!);
    off++;
    const len = off + 4 <= data.length ? dv.getUint32(off) : 0;
    off += 4;
    let rec = latin1(data.subarray(off, Math.min(data.length, off + len)));
    off += len;
    if (type === 't') {
      type = rec.slice(0, 1);
      rec = rec.slice(1);
    }
    out.push([type, rec]);
  }
  return out;
}

/** hg's mergestate (the on-disk one). */
export class MergeState {
  private local: string | undefined;
  private other: string | undefined;
  labels: string[] | undefined;
  /** Insertion-ordered, as hg's dict. */
  readonly state = new Map<string, MergeEntry>();
  readonly extrasMap = new Map<string, Map<string, string>>();
  dirty = false;

  private constructor(private readonly storage: MergeStateStorage) {}

  /** mergestate.clean: a new, empty state; `.hg/merge` removed. */
  static clean(storage: MergeStateStorage): MergeState {
    storage.removeMergeDir();
    return new MergeState(storage);
  }

  /**
   * mergestate.read. `p2Hex` is the working copy's last parent (hg's
   * `repo[None].parents()[-1]`), used as the other side when only a v1
   * file is valid.
   */
  static read(storage: MergeStateStorage, p2Hex: () => string): MergeState {
    const ms = new MergeState(storage);
    const v1 = readV1(storage.read('merge/state'));
    const v2 = readV2(storage.read('merge/state2'));
    let records = v2;
    const oldv2 = new Set<string>();
    for (const [t, d] of v2) {
      if (t === 'L') oldv2.add('L' + d);
      else if (t === 'F') oldv2.add('F' + dropONode(d));
    }
    if (!v1.every(([t, d]) => oldv2.has(t + d))) {
      records = v1.map(([t, d]): Rec => {
        if (t !== 'F') return [t, d];
        const bits = splitNul(d);
        bits.splice(bits.length - 2, 0, '');
        return [t, bits.join('\0')];
      });
      records.push(['O', p2Hex()]);
    }
    const unsupported = new Set<string>();
    for (const [type, rec] of records) {
      if (type === 'L') ms.local = rec;
      else if (type === 'O') ms.other = rec;
      else if (type === 'm') continue;
      else if (type === 'F' || type === 'C' || type === 'P' || type === 'D' || type === 'R') {
        const bits = splitNul(rec);
        if (bits[1] === MERGE_RECORD_MERGED_OTHER) ms.extrasOf(bits[0]!).set('filenode-source', 'other');
        else ms.state.set(bits[0]!, bits.slice(1));
      } else if (type === 'f') {
        const z = rec.indexOf('\0');
        const name = z < 0 ? rec : rec.slice(0, z);
        const m = new Map<string, string>();
        if (z >= 0) {
          const parts = splitNul(rec.slice(z + 1));
          for (let i = 0; i + 1 < parts.length; i += 2) m.set(parts[i]!, parts[i + 1]!);
        }
        ms.extrasMap.set(name, m);
      } else if (type === 'l') {
        // python's split(b'\0', 2): at most three parts, the rest kept in the last
        const parts = rec.split('\0');
        const three = parts.length > 3 ? [parts[0]!, parts[1]!, parts.slice(2).join('\0')] : parts;
        ms.labels = three.filter((l) => l.length > 0);
      } else if (type.toLowerCase() !== type) unsupported.add(type);
    }
    if (unsupported.size > 0) {
      throw new AbortError(`unsupported merge state records: ${[...unsupported].sort().join(', ')}`, {
        hint: 'see https://mercurial-scm.org/wiki/MergeStateRecords for more information',
      });
    }
    return ms;
  }

  start(local: Node, other: Node, labels?: string[]): void {
    this.local = nodeHex(local);
    this.other = nodeHex(other);
    this.labels = labels;
  }

  /** Hex of the local node (L record). */
  get localHex(): string | undefined {
    return this.local;
  }

  get otherHex(): string | undefined {
    return this.other;
  }

  /** mergestate.active(). */
  active(): boolean {
    return !!this.local || this.state.size > 0;
  }

  extrasOf(f: string): Map<string, string> {
    let m = this.extrasMap.get(f);
    if (!m) this.extrasMap.set(f, (m = new Map()));
    return m;
  }

  addCommitInfo(f: string, data: Record<string, string> | Map<string, string>): void {
    const m = this.extrasOf(f);
    for (const [k, v] of data instanceof Map ? data : Object.entries(data)) m.set(k, v);
    this.dirty = true;
  }

  has(f: string): boolean {
    return this.state.has(f);
  }

  /** The state letter(s) of a file. */
  get(f: string): string | undefined {
    return this.state.get(f)?.[0];
  }

  /** Files in path order (hg's `for f in ms`). */
  files(): string[] {
    return [...this.state.keys()].sort();
  }

  mark(f: string, state: string): void {
    this.state.get(f)![0] = state;
    this.dirty = true;
  }

  unresolved(): string[] {
    const out: string[] = [];
    for (const [f, e] of this.state) if (e[0] === MERGE_RECORD_UNRESOLVED || e[0] === MERGE_RECORD_UNRESOLVED_PATH) out.push(f);
    return out;
  }

  unresolvedCount(): number {
    return this.unresolved().length;
  }

  /**
   * mergestate.add: records a file to merge and keeps the local version
   * (`localData`, undefined when the local side is absent) in `.hg/merge`.
   */
  add(o: {
    dest: string;
    localPath: string;
    localFlags: string;
    localData: Uint8Array | undefined;
    ancestorPath: string;
    ancestorFileNode: Uint8Array;
    ancestorChangeNode: Uint8Array;
    otherPath: string;
    otherFileNode: Uint8Array;
  }): void {
    let localkey: string;
    if (o.localData === undefined) localkey = NULL_HEX;
    else {
      localkey = localKey(o.localPath);
      this.storage.write('merge/' + localkey, o.localData);
    }
    this.state.set(o.dest, [
      MERGE_RECORD_UNRESOLVED,
      localkey,
      o.localPath,
      o.ancestorPath,
      toHex(o.ancestorFileNode.subarray(0, 20)),
      o.otherPath,
      toHex(o.otherFileNode.subarray(0, 20)),
      o.localFlags,
    ]);
    this.extrasOf(o.dest).set('ancestorlinknode', toHex(o.ancestorChangeNode));
    this.dirty = true;
  }

  addPathConflict(path: string, frename: string, forigin: string): void {
    this.state.set(path, [MERGE_RECORD_UNRESOLVED_PATH, frename, forigin]);
    this.dirty = true;
  }

  /** Removes a file's entry (a re-merge that found the sides identical). */
  drop(f: string): void {
    this.state.delete(f);
    this.dirty = true;
  }

  /** The saved local version of a file (`.hg/merge/<localkey>`). */
  readBackup(localkey: string): Uint8Array {
    const d = this.storage.read('merge/' + localkey);
    if (d === undefined) throw new AbortError(`merge state backup missing: .hg/merge/${localkey}`);
    return d;
  }

  /** _makerecords. */
  records(): Rec[] {
    const recs: Rec[] = [];
    recs.push(['L', this.local ?? '']);
    recs.push(['O', this.other ?? '']);
    for (const [f, v] of this.state) {
      if (v[0] === MERGE_RECORD_UNRESOLVED_PATH || v[0] === MERGE_RECORD_RESOLVED_PATH) recs.push(['P', [f, ...v].join('\0')]);
      else if (v[1] === NULL_HEX || v[6] === NULL_HEX) recs.push(['C', [f, ...v].join('\0')]);
      else recs.push(['F', [f, ...v].join('\0')]);
    }
    for (const f of [...this.extrasMap.keys()].sort()) {
      const ex = this.extrasMap.get(f)!;
      const raw = [...ex].map(([k, v]) => `${k}\0${v}`).join('\0');
      recs.push(['f', `${f}\0${raw}`]);
    }
    if (this.labels !== undefined) recs.push(['l', this.labels.join('\0')]);
    return recs;
  }

  /** mergestate.commit(): writes both files when something changed. */
  commit(): void {
    if (!this.dirty) return;
    const recs = this.records();
    // v1
    let v1 = (this.local ?? '') + '\n';
    for (const [t, d] of recs.slice(1)) if (t === 'F') v1 += dropONode(d) + '\n';
    this.storage.write('merge/state', fromLatin1(v1));
    // v2
    const parts: Uint8Array[] = [];
    for (let [key, data] of recs) {
      if (key !== 'L' && key !== 'O' && key !== 'F') {
        data = key + data;
        key = 't';
      }
      const head = new Uint8Array(5);
      head[0] = key.charCodeAt(0);
      new DataView(head.buffer).setUint32(1, data.length);
      parts.push(head, fromLatin1(data));
    }
    this.storage.write('merge/state2', concatBytes(parts));
    this.dirty = false;
  }

  /** mergestate.reset(). */
  reset(): void {
    this.storage.removeMergeDir();
  }
}

/** mergestate.getlocalkey: hex sha1 of the path. */
export function localKey(path: string): string {
  return toHex(sha1(fromLatin1(path)));
}

// Revlog v1 reader (and v0 for ancient repositories): the index is read
// through one DataView over the file bytes; chunks are views into the index
// (inline) or data file bytes, decompressed and patched only when a revision
// is asked for.
import { AmbiguousPrefixError, LookupError, StorageError } from '../core/errors.js';
import { bytesEqual, hexDigit, toHex } from '../core/bytes.js';
import { NULL_REV, type Node, type Rev, nodeKey } from '../core/node.js';
import { hashRevision } from '../core/sha1.js';
import { decompressChunk } from '../compress/engine.js';
import { patches } from './mpatch.js';
import {
  FLAG_GENERALDELTA,
  FLAG_INLINE_DATA,
  INDEX_ENTRY_SIZE,
  REVIDX_ISCENSORED,
  REVIDX_KNOWN_FLAGS,
  REVLOGV0,
  REVLOGV1,
} from './constants.js';

const V0_ENTRY_SIZE = 76;
const NULL_NODE_BYTES = new Uint8Array(20);

export interface RevlogFiles {
  /** Bytes of the `.i` file (empty when the revlog does not exist). */
  index: Uint8Array;
  /** Reads the `.d` file on first need; undefined when missing. */
  readData: () => Uint8Array | undefined;
}

export class Revlog {
  /** hg's display_id: the radix, e.g. `00changelog` or `data/foo`. */
  readonly name: string;
  // The fields below change only through refresh() (after writes).
  version: number;
  inline: boolean;
  generalDelta: boolean;
  length: number;

  private indexBytes: Uint8Array;
  private dv: DataView;
  private entrySize: number;
  /** Inline revlogs: byte position of each entry in the `.i` file. */
  private inlinePos: Float64Array | undefined;
  private readDataFile: () => Uint8Array | undefined;
  private dataBytes: Uint8Array | undefined;
  private nodeMap: Map<string, Rev> | undefined;
  private cacheRev: Rev = NULL_REV;
  private cacheText: Uint8Array | undefined;

  constructor(name: string, files: RevlogFiles) {
    this.name = name;
    const index = files.index;
    this.indexBytes = index;
    this.readDataFile = files.readData;
    this.dv = new DataView(index.buffer, index.byteOffset, index.length);
    if (index.length === 0) {
      this.version = REVLOGV1;
      this.inline = true;
      this.generalDelta = false;
      this.entrySize = INDEX_ENTRY_SIZE;
      this.length = 0;
      this.inlinePos = new Float64Array(0);
      return;
    }
    if (index.length < 4) throw new StorageError(`index ${name} is corrupted`);
    const header = this.dv.getUint32(0);
    const version = header & 0xffff;
    const flags = header & ~0xffff;
    this.version = version;
    if (version === REVLOGV1) {
      if (flags & ~(FLAG_INLINE_DATA | FLAG_GENERALDELTA)) {
        throw new StorageError(
          `unknown flags (0x${(flags >>> 16).toString(16).padStart(2, '0')}) in version ${version} revlog ${name}`,
        );
      }
      this.entrySize = INDEX_ENTRY_SIZE;
      this.inline = (flags & FLAG_INLINE_DATA) !== 0;
      this.generalDelta = (flags & FLAG_GENERALDELTA) !== 0;
    } else if (version === REVLOGV0 && flags === 0) {
      this.entrySize = V0_ENTRY_SIZE;
      this.inline = false;
      this.generalDelta = false;
    } else if (version === REVLOGV0) {
      throw new StorageError(`unknown flags (0x${(flags >>> 16).toString(16).padStart(2, '0')}) in version 0 revlog ${name}`);
    } else {
      throw new StorageError(`unknown version (${version}) in revlog ${name}`);
    }
    if (this.inline) {
      const pos: number[] = [];
      let p = 0;
      while (p < index.length) {
        if (p + INDEX_ENTRY_SIZE > index.length) throw new StorageError(`index ${name} is corrupted`);
        pos.push(p);
        const clen = this.dv.getInt32(p + 8);
        if (clen < 0) throw new StorageError(`index ${name} is corrupted`);
        p += INDEX_ENTRY_SIZE + clen;
      }
      if (p !== index.length) throw new StorageError(`index ${name} is corrupted`);
      this.inlinePos = Float64Array.from(pos);
      this.length = pos.length;
    } else {
      if (index.length % this.entrySize !== 0) throw new StorageError(`index ${name} is corrupted`);
      this.inlinePos = undefined;
      this.length = index.length / this.entrySize;
    }
  }

  private entry(rev: Rev): number {
    if (rev < 0 || rev >= this.length || !Number.isInteger(rev)) {
      throw new LookupError(`revlog index out of range: ${rev} in ${this.name}`);
    }
    return this.inlinePos ? this.inlinePos[rev]! : rev * this.entrySize;
  }

  /** Logical offset of the revision's chunk in the data stream. */
  start(rev: Rev): number {
    const e = this.entry(rev);
    if (this.version === REVLOGV0) return this.dv.getInt32(e);
    // entry 0 holds the version header in its offset bytes: its offset is 0 (as hg's index masks it)
    if (rev === 0) return 0;
    return this.dv.getUint16(e) * 0x100000000 + this.dv.getUint32(e + 2);
  }

  flags(rev: Rev): number {
    if (this.version === REVLOGV0) return 0;
    return this.dv.getUint16(this.entry(rev) + 6);
  }

  compressedLength(rev: Rev): number {
    return this.dv.getInt32(this.entry(rev) + (this.version === REVLOGV0 ? 4 : 8));
  }

  /** Length of the raw text, as stored in the index (-1 for v0, which does not record it). */
  rawSize(rev: Rev): number {
    if (this.version === REVLOGV0) return -1;
    return this.dv.getInt32(this.entry(rev) + 12);
  }

  /** The index's base field: delta parent (generaldelta) or start of the chain. */
  baseRev(rev: Rev): Rev {
    return this.dv.getInt32(this.entry(rev) + (this.version === REVLOGV0 ? 8 : 16));
  }

  linkRev(rev: Rev): Rev {
    return this.dv.getInt32(this.entry(rev) + (this.version === REVLOGV0 ? 12 : 20));
  }

  /** Parent revisions as stored (no swapping). */
  parentRevs(rev: Rev): [Rev, Rev] {
    const e = this.entry(rev);
    if (this.version === REVLOGV0) {
      return [this.rev(this.indexBytes.subarray(e + 16, e + 36)), this.rev(this.indexBytes.subarray(e + 36, e + 56))];
    }
    return [this.dv.getInt32(e + 24), this.dv.getInt32(e + 28)];
  }

  /** A view of the node's 20 bytes in the index. */
  node(rev: Rev): Node {
    if (rev === NULL_REV) return NULL_NODE_BYTES;
    const e = this.entry(rev);
    const off = this.version === REVLOGV0 ? 56 : 32;
    return this.indexBytes.subarray(e + off, e + off + 20);
  }

  parents(rev: Rev): [Node, Node] {
    const [p1, p2] = this.parentRevs(rev);
    return [this.node(p1), this.node(p2)];
  }

  /** The revision whose chunk this one is a delta against, or -1 for a full text. */
  deltaParent(rev: Rev): Rev {
    const base = this.baseRev(rev);
    if (base === rev) return NULL_REV;
    if (this.generalDelta) return base;
    return rev - 1;
  }

  private buildNodeMap(): Map<string, Rev> {
    if (!this.nodeMap) {
      const m = new Map<string, Rev>();
      const off = this.version === REVLOGV0 ? 56 : 32;
      for (let r = 0; r < this.length; r++) m.set(nodeKey(this.indexBytes, this.entry(r) + off), r);
      this.nodeMap = m;
    }
    return this.nodeMap;
  }

  /** Rev of a 20-byte node; the null node is -1; undefined when absent. */
  findRev(node: Node): Rev | undefined {
    if (node.length !== 20) return undefined;
    if (bytesEqual(node, NULL_NODE_BYTES)) return NULL_REV;
    return this.buildNodeMap().get(nodeKey(node));
  }

  rev(node: Node): Rev {
    const r = this.findRev(node);
    if (r === undefined) throw new LookupError(`${this.name}@${toHex(node)}: no node`);
    return r;
  }

  hasNode(node: Node): boolean {
    return this.findRev(node) !== undefined;
  }

  /**
   * Revisions whose hex node starts with `prefix` (lowercase hex, any length).
   * The null node matches too, as in hg.
   */
  matchPrefix(prefix: string): Rev[] {
    const digits: number[] = [];
    for (let i = 0; i < prefix.length; i++) {
      const d = hexDigit(prefix.charCodeAt(i));
      if (d < 0) return [];
      digits.push(d);
    }
    const out: Rev[] = [];
    const off = this.version === REVLOGV0 ? 56 : 32;
    const test = (bytes: Uint8Array, base: number): boolean => {
      for (let i = 0; i < digits.length; i++) {
        const b = bytes[base + (i >> 1)]!;
        const d = i & 1 ? b & 15 : b >> 4;
        if (d !== digits[i]) return false;
      }
      return true;
    };
    for (let r = 0; r < this.length; r++) if (test(this.indexBytes, this.entry(r) + off)) out.push(r);
    if (test(NULL_NODE_BYTES, 0)) out.push(NULL_REV);
    return out;
  }

  /** Unique revision for a hex prefix; undefined if none; throws when ambiguous. */
  lookupPrefix(prefix: string): Rev | undefined {
    const revs = this.matchPrefix(prefix);
    if (revs.length === 0) return undefined;
    if (revs.length > 1) throw new AmbiguousPrefixError(`${this.name}@${prefix}: ambiguous identifier`);
    return revs[0];
  }

  private data(): Uint8Array {
    if (this.dataBytes === undefined) {
      const d = this.readDataFile();
      this.dataBytes = d ?? new Uint8Array(0);
    }
    return this.dataBytes;
  }

  /** The stored chunk of a revision (maybe compressed): a view of the file bytes. */
  rawChunk(rev: Rev): Uint8Array {
    const len = this.compressedLength(rev);
    if (this.inlinePos) {
      const p = this.inlinePos[rev]! + INDEX_ENTRY_SIZE;
      return this.indexBytes.subarray(p, p + len);
    }
    const start = this.start(rev);
    const data = this.data();
    if (start + len > data.length) {
      const got = Math.max(0, data.length - start);
      throw new StorageError(
        `partial read of revlog ${this.name}.d; expected ${len} bytes from offset ${start}, got ${got}`,
      );
    }
    return data.subarray(start, start + len);
  }

  /** Decompressed chunk: a full text or a delta. */
  chunk(rev: Rev): Uint8Array {
    const full = this.baseRev(rev) === rev;
    return decompressChunk(this.rawChunk(rev), full ? this.rawSize(rev) : undefined);
  }

  /** The revisions whose chunks rebuild `rev`, base first; stops early at `stopRev`. */
  deltaChain(rev: Rev, stopRev: Rev = NULL_REV): { chain: Rev[]; stopped: boolean } {
    const chain: Rev[] = [];
    let r = rev;
    if (this.generalDelta) {
      for (;;) {
        if (r === stopRev) return { chain: chain.reverse(), stopped: true };
        chain.push(r);
        const base = this.baseRev(r);
        if (base === r || base === NULL_REV) break;
        if (base > r || base < 0) throw new StorageError(`index ${this.name} is corrupted`);
        r = base;
      }
    } else {
      const base = this.baseRev(rev);
      if (base > rev || base < 0) throw new StorageError(`index ${this.name} is corrupted`);
      for (r = rev; r >= base; r--) {
        if (r === stopRev) return { chain: chain.reverse(), stopped: true };
        chain.push(r);
      }
    }
    return { chain: chain.reverse(), stopped: false };
  }

  /** The stored ("raw") text of a revision, without integrity check. */
  rawText(rev: Rev): Uint8Array {
    if (rev === NULL_REV) return new Uint8Array(0);
    if (rev === this.cacheRev && this.cacheText) return this.cacheText;
    const { chain, stopped } = this.deltaChain(rev, this.cacheText ? this.cacheRev : NULL_REV);
    let base: Uint8Array;
    let deltaRevs: Rev[];
    if (stopped) {
      base = this.cacheText!;
      deltaRevs = chain;
    } else {
      base = this.chunk(chain[0]!);
      deltaRevs = chain.slice(1);
    }
    const text = patches(
      base,
      deltaRevs.map((r) => this.chunk(r)),
    );
    this.cacheRev = rev;
    this.cacheText = text;
    return text;
  }

  /** Checks the text against the node; throws hg's integrity error naming the revlog and rev. */
  checkHash(text: Uint8Array, rev: Rev): void {
    const [p1, p2] = this.parents(rev);
    if (!bytesEqual(hashRevision(text, p1, p2), this.node(rev))) {
      throw new StorageError(`integrity check failed on ${this.name}:${rev}`);
    }
  }

  /**
   * The full text of a revision, checked against its node and its recorded size.
   * Censored revisions throw unless `allowCensored` is set.
   */
  revision(rev: Rev, opts: { verify?: boolean; allowCensored?: boolean } = {}): Uint8Array {
    if (rev === NULL_REV) return new Uint8Array(0);
    const flags = this.flags(rev);
    if (flags & ~REVIDX_KNOWN_FLAGS) {
      throw new StorageError(`incompatible revision flag '0x${(flags & ~REVIDX_KNOWN_FLAGS).toString(16)}'`);
    }
    const text = this.rawText(rev);
    if (flags & REVIDX_ISCENSORED) {
      if (opts.allowCensored) return text;
      throw new StorageError(`censored node: ${toHex(this.node(rev))}`, { hint: 'set censor.policy to ignore errors' });
    }
    // Like hg, only the hash is checked: a wrong recorded size is verify's business.
    if (opts.verify !== false) this.checkHash(text, rev);
    return text;
  }

  /**
   * Points this revlog at new contents of its files, after revisions were
   * appended (RevlogWriter) or the files were truncated back (transaction
   * abort). When the revlog grew, its first revisions must be unchanged
   * (appends, or the inline-to-split conversion): the node map is extended
   * and the text cache kept. When it shrank, both are dropped.
   */
  refresh(files: RevlogFiles): void {
    const next = new Revlog(this.name, files);
    const oldLength = this.length;
    this.version = next.version;
    this.inline = next.inline;
    this.generalDelta = next.generalDelta;
    this.length = next.length;
    this.indexBytes = next.indexBytes;
    this.dv = next.dv;
    this.entrySize = next.entrySize;
    this.inlinePos = next.inlinePos;
    this.readDataFile = next.readDataFile;
    this.dataBytes = undefined;
    if (next.length < oldLength) {
      this.nodeMap = undefined;
      this.clearCache();
    } else if (this.nodeMap) {
      const off = this.version === REVLOGV0 ? 56 : 32;
      for (let r = oldLength; r < this.length; r++) this.nodeMap.set(nodeKey(this.indexBytes, this.entry(r) + off), r);
    }
  }

  /** Drops the reconstructed-text cache (e.g. after a write). */
  clearCache(): void {
    this.cacheRev = NULL_REV;
    this.cacheText = undefined;
  }
}

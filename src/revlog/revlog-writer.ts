// Appending revisions to a revlog (revlog v1, inline or split), as hg 6.3.2
// does (revlog._addrevision, _writeentry, _enforceinlinesize):
//
// - node = sha1(min(p1,p2) ‖ max(p1,p2) ‖ text); a node already present is
//   not added again. Flags 0 unless given; linkrev as given.
// - The storage (full text or delta, and against which base) comes from
//   DeltaComputer (deltas.ts); chunks are compressed with the repository's
//   engine (compress/engine.ts).
// - Before any byte is written, the transaction journals each file's length
//   (`.d` then `.i`; inline revlogs: the `.i`). Data is written before the
//   index entry, so a reader never sees an entry without its data.
// - A new revlog is inline; its first entry carries the header (version 1,
//   inline, generaldelta as configured). Once the chunks of an inline revlog
//   reach 128 KiB, it is rewritten as split: all chunks go to a new `.d`,
//   and the `.i` (entries only, inline flag cleared) replaces the old one
//   atomically. Unlike hg, the pre-transaction `.i` is saved as a transaction
//   backup first, so a rollback or `hg recover` restores the inline revlog
//   byte for byte (hg leaves it split, and has a small window where a crash
//   leaves the index unrecoverable).
// - New files (`.i`, `.d`) are registered for the fncache.
//
// The writer keeps the index (and, once read, the data) in memory, and
// refreshes the Revlog reader it was given after every write, so readers
// sharing that Revlog see the new revisions at once.

import { StorageError, UnsupportedFeatureError, LookupError } from '../core/errors.js';
import { bytesEqual, latin1, toHex } from '../core/bytes.js';
import { NULL_REV, WDIR_NODE, isNullNode, type Node, type Rev } from '../core/node.js';
import { hashRevision } from '../core/sha1.js';
import {
  compressChunkParts,
  compressionEngineFromRequirements,
  type CompressionEngine,
  type CompressOptions,
} from '../compress/engine.js';
import type { WritableVfs } from '../vfs/atomic-write.js';
import { Revlog } from './revlog.js';
import { DeltaComputer, SPARSE_REVLOG_MAX_CHAIN_LENGTH, type DeltaConfig, type DeltaSource } from './deltas.js';
import { FLAG_GENERALDELTA, FLAG_INLINE_DATA, INDEX_ENTRY_SIZE, REVIDX_KNOWN_FLAGS, REVLOGV1 } from './constants.js';

/** hg's _maxinline: an inline revlog whose chunks reach this size is split. */
export const MAX_INLINE = 131072;
/** hg's _maxentrysize. */
const MAX_ENTRY_SIZE = 0x7fffffff;

/**
 * What the writer needs from a transaction (store/transaction.ts's
 * Transaction provides it). Paths are unencoded store paths, latin1.
 */
export interface WriteTransaction {
  readonly running: boolean;
  readonly map: { readonly vfs: WritableVfs };
  add(file: string, offset: number): void;
  findOffset(file: string): number | undefined;
  replace(file: string, offset: number): void;
  addBackupContent(file: string, content: Uint8Array): void;
  replaceFile(file: string, data: Uint8Array | readonly Uint8Array[]): void;
  registerStoreFile(file: string): void;
  /** The file (encoded, absolute) of a store path. */
  path(file: string): Uint8Array;
  addEndCallback(category: string, cb: (tr: WriteTransaction, success: boolean) => void): void;
}

export type RevlogKind = 'changelog' | 'manifest' | 'filelog';

export interface RevlogWriterOptions extends Omit<DeltaConfig, 'storeDeltaChains'> {
  engine: CompressionEngine;
  compressOptions?: CompressOptions;
  /** Header of a revlog created by the writer: generaldelta or not. An existing revlog keeps its header. */
  generalDelta: boolean;
  /** False for the changelog (full texts only). Default true. */
  storeDeltaChains?: boolean;
  /** Chunk bytes at which an inline revlog becomes split (default 128 KiB, hg's). */
  maxInline?: number;
}

/**
 * hg's options for a revlog of `kind` in a repository with these
 * requirements (localrepo.resolverevlogstorevfsoptions and the revlog
 * subclasses): compression engine, generaldelta, sparse-revlog (max chain
 * 1000); the changelog gets no generaldelta and full texts only; manifests
 * an upper bound on compression of 3; filelogs are censorable.
 */
export function revlogWriterOptions(requirements: ReadonlySet<string>, kind: RevlogKind): RevlogWriterOptions {
  const sparse = requirements.has('sparserevlog');
  const gd = requirements.has('generaldelta') || sparse;
  return {
    engine: compressionEngineFromRequirements(requirements),
    generalDelta: kind === 'changelog' ? false : gd,
    storeDeltaChains: kind !== 'changelog',
    sparse,
    maxChainLen: sparse ? SPARSE_REVLOG_MAX_CHAIN_LENGTH : undefined,
    upperBoundComp: kind === 'manifest' ? 3 : undefined,
    censorable: kind === 'filelog',
  };
}

export interface AddRevisionOptions {
  /** A delta of the text against revision `base` (reused when that base is chosen). */
  cachedDelta?: { base: Rev; delta: Uint8Array };
  /** Revision flags (default 0). */
  flags?: number;
}

export interface AddedRevision {
  rev: Rev;
  node: Node;
  /** False when the node was already stored (nothing written). */
  added: boolean;
}

/** A growable byte array. */
class ByteBuffer {
  private buf: Uint8Array;
  length: number;

  constructor(initial: Uint8Array) {
    this.buf = new Uint8Array(Math.max(64, initial.length + (initial.length >> 2)));
    this.buf.set(initial);
    this.length = initial.length;
  }

  append(chunks: readonly Uint8Array[]): void {
    let n = this.length;
    for (const c of chunks) n += c.length;
    if (n > this.buf.length) {
      const next = new Uint8Array(Math.max(n, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    for (const c of chunks) {
      this.buf.set(c, this.length);
      this.length += c.length;
    }
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

const EMPTY = new Uint8Array(0);

/** Appends revisions to one revlog. Create it once the store lock is held. */
export class RevlogWriter {
  readonly revlog: Revlog;
  /** Unencoded store radix (`data/foo`, `00manifest`), latin1. */
  readonly radix: string;
  readonly indexFile: string;
  readonly dataFile: string;
  private readonly vfs: WritableVfs;
  private readonly opts: RevlogWriterOptions;
  private readonly resolve: (file: string) => Uint8Array;
  private index!: ByteBuffer;
  /** Split revlogs: the `.d` bytes, once something needed them. */
  private data: ByteBuffer | undefined;
  private readonly deltas: DeltaComputer;
  private lastRev: Rev = NULL_REV;
  private lastText: Uint8Array | undefined;
  private readonly endCategory: string;
  private hooked = new WeakSet<object>();

  /**
   * @param revlog the reader to keep up to date (e.g. a Filelog's revlog); it
   *   is refreshed from the files now.
   * @param radix unencoded store radix (bytes or latin1), e.g. `data/foo`.
   * @param resolve the file of a store path (Transaction.path, or
   *   repo.storeFilePath).
   */
  constructor(
    revlog: Revlog,
    radix: Uint8Array | string,
    vfs: WritableVfs,
    resolve: (file: string) => Uint8Array,
    opts: RevlogWriterOptions,
  ) {
    this.revlog = revlog;
    this.radix = typeof radix === 'string' ? radix : latin1(radix);
    this.indexFile = this.radix + '.i';
    this.dataFile = this.radix + '.d';
    this.vfs = vfs;
    this.resolve = resolve;
    this.opts = opts;
    this.endCategory = `revlog-writer:${this.radix}`;
    this.reload();
    const writer = this;
    const src: DeltaSource = {
      get length() {
        return writer.revlog.length;
      },
      get generalDelta() {
        return writer.revlog.generalDelta;
      },
      baseRev: (r) => this.revlog.baseRev(r),
      compressedLength: (r) => this.revlog.compressedLength(r),
      rawSize: (r) => this.revlog.rawSize(r),
      start: (r) => this.revlog.start(r),
      flags: (r) => this.revlog.flags(r),
      parentRevs: (r) => this.revlog.parentRevs(r),
      rawText: (r) => (r === this.lastRev && this.lastText ? this.lastText : this.revlog.rawText(r)),
    };
    this.deltas = new DeltaComputer(
      src,
      { ...opts, storeDeltaChains: opts.storeDeltaChains ?? true },
      (d) => compressChunkParts(d, opts.engine, opts.compressOptions),
    );
  }

  /** Re-reads the files (after another process wrote, or an aborted transaction). */
  reload(): void {
    const idx = this.vfs.tryRead(this.resolve(this.indexFile)) ?? EMPTY;
    this.index = new ByteBuffer(idx);
    this.data = undefined;
    this.lastRev = NULL_REV;
    this.lastText = undefined;
    this.revlog.refresh({ index: this.index.view(), readData: () => this.dataView() });
    if (this.revlog.version !== REVLOGV1) {
      throw new UnsupportedFeatureError(`cannot write to revlog ${this.revlog.name}: version ${this.revlog.version}`);
    }
    this.deltas?.reset();
  }

  private dataView(): Uint8Array | undefined {
    if (!this.data) {
      const d = this.vfs.tryRead(this.resolve(this.dataFile));
      if (d === undefined) return undefined;
      this.data = new ByteBuffer(d);
    }
    return this.data.view();
  }

  private refreshReader(): void {
    this.revlog.refresh({ index: this.index.view(), readData: () => this.dataView() });
  }

  get length(): number {
    return this.revlog.length;
  }

  /** End of the data stream: where the next chunk goes (logical offset). */
  private dataEnd(): number {
    const n = this.revlog.length;
    return n === 0 ? 0 : this.revlog.start(n - 1) + this.revlog.compressedLength(n - 1);
  }

  private revOf(node: Node, what: string): Rev {
    const r = this.revlog.findRev(node);
    if (r === undefined) throw new LookupError(`${this.revlog.name}@${toHex(node)}: ${what} not found`);
    return r;
  }

  /**
   * Adds a revision (hg's addrevision): returns its rev and node, or the
   * existing ones when the node is already stored. The transaction journals
   * the files first; an error leaves them for the transaction to roll back.
   */
  addRevision(
    tr: WriteTransaction,
    text: Uint8Array,
    linkRev: Rev,
    p1: Node,
    p2: Node,
    opts: AddRevisionOptions = {},
  ): AddedRevision {
    const name = this.revlog.name;
    if (!tr.running) throw new StorageError('cannot use transaction when it is already committed/aborted');
    if (linkRev === NULL_REV) throw new StorageError(`attempted to add linkrev -1 to ${name}`);
    const flags = opts.flags ?? 0;
    if (flags & ~REVIDX_KNOWN_FLAGS) throw new StorageError(`incompatible revision flag '0x${flags.toString(16)}'`);
    if (text.length > MAX_ENTRY_SIZE) {
      throw new StorageError(`${name}: size of ${text.length} bytes exceeds maximum revlog storage of 2GiB`);
    }
    if (!this.hooked.has(tr)) {
      // first write under this transaction (so under the store lock): catch up
      // with writes made by others since the files were read
      this.hooked.add(tr);
      if (!this.matchesFiles()) this.reload();
      tr.addEndCallback(this.endCategory, (_t, success) => {
        if (!success) this.reload();
      });
    }
    const node = hashRevision(text, p1, p2);
    const existing = this.revlog.findRev(node);
    if (existing !== undefined) return { rev: existing, node: this.revlog.node(existing), added: false };
    if (isNullNode(node)) throw new StorageError(`${name}: attempt to add null revision`);
    if (bytesEqual(node, WDIR_NODE)) throw new StorageError(`${name}: attempt to add wdir revision`);
    const p1r = this.revOf(p1, 'p1');
    const p2r = this.revOf(p2, 'p2');

    const curr = this.revlog.length;
    const inline = this.revlog.inline;
    const offset = this.dataEnd();
    // journal first (revlog._writing)
    if (!inline) {
      this.ensureDataSize(offset);
      tr.add(this.dataFile, offset);
    }
    tr.add(this.indexFile, inline ? offset + curr * INDEX_ENTRY_SIZE : curr * INDEX_ENTRY_SIZE);
    if (curr === 0 && this.index.length === 0) tr.registerStoreFile(this.indexFile);

    const info = this.deltas.find({ text, p1: p1r, p2: p2r, flags, cachedDelta: opts.cachedDelta });
    const entry = new Uint8Array(INDEX_ENTRY_SIZE);
    const dv = new DataView(entry.buffer);
    dv.setUint16(0, Math.floor(offset / 0x100000000));
    dv.setUint32(2, offset >>> 0);
    dv.setUint16(6, flags);
    dv.setInt32(8, info.deltaLen);
    dv.setInt32(12, text.length);
    dv.setInt32(16, info.base);
    dv.setInt32(20, linkRev);
    dv.setInt32(24, p1r);
    dv.setInt32(28, p2r);
    entry.set(node, 32);
    if (curr === 0) {
      // the header replaces the first 4 bytes of entry 0 (whose offset is 0)
      const header = REVLOGV1 | FLAG_INLINE_DATA | (this.opts.generalDelta ? FLAG_GENERALDELTA : 0);
      dv.setUint32(0, header >>> 0);
    }
    const { header: chdr, data: cdata } = info.chunk;
    if (inline) {
      this.vfs.append(this.resolve(this.indexFile), [entry, chdr, cdata]);
      this.index.append([entry, chdr, cdata]);
    } else {
      const dpath = this.resolve(this.dataFile);
      if (offset === 0 && this.dataSize() === undefined) tr.registerStoreFile(this.dataFile);
      this.vfs.append(dpath, [chdr, cdata]);
      this.data?.append([chdr, cdata]);
      this.vfs.append(this.resolve(this.indexFile), [entry]);
      this.index.append([entry]);
    }
    this.refreshReader();
    this.lastRev = curr;
    this.lastText = text;
    if (this.revlog.inline) this.enforceInlineSize(tr);
    return { rev: curr, node: this.revlog.node(curr), added: true };
  }

  /** True when the files have the sizes this writer expects (append-only files: same size, same content). */
  private matchesFiles(): boolean {
    const isize = this.vfs.tryStat(this.resolve(this.indexFile))?.size ?? 0;
    if (isize !== this.index.length) return false;
    if (this.revlog.inline) return true;
    return (this.dataSize() ?? 0) === (this.data ? this.data.length : this.dataEnd());
  }

  private dataSize(): number | undefined {
    return this.vfs.tryStat(this.resolve(this.dataFile))?.size;
  }

  /** A split revlog's `.d` must end where its index says; appending elsewhere would corrupt it. */
  private ensureDataSize(expected: number): void {
    const size = this.data ? this.data.length : (this.dataSize() ?? 0);
    if (size !== expected) {
      throw new StorageError(
        `revlog ${this.revlog.name}: data file is ${size} bytes, index expects ${expected}`,
        { hint: "run 'hg recover' or 'hg verify'" },
      );
    }
  }

  /** hg's _enforceinlinesize: past MAX_INLINE bytes of chunks, rewrite as index + data files. */
  private enforceInlineSize(tr: WriteTransaction): void {
    const n = this.revlog.length;
    const total = this.dataEnd();
    if (!this.revlog.inline || n === 0 || total < (this.opts.maxInline ?? MAX_INLINE)) return;
    const troffset = tr.findOffset(this.indexFile);
    if (troffset === undefined) throw new StorageError(`${this.indexFile} not found in the transaction`);
    const old = this.index.view();
    // 1. the pre-transaction index, restored on rollback
    if (troffset > 0) tr.addBackupContent(this.indexFile, old.slice(0, troffset));
    // 2. the data file, from the inline chunks
    const dataExisted = this.dataSize() !== undefined;
    tr.add(this.dataFile, 0);
    if (!dataExisted || this.dataSize() === 0) tr.registerStoreFile(this.dataFile);
    const chunks: Uint8Array[] = [];
    const entries = new Uint8Array(n * INDEX_ENTRY_SIZE);
    let pos = 0;
    for (let r = 0; r < n; r++) {
      const clen = this.revlog.compressedLength(r);
      entries.set(old.subarray(pos, pos + INDEX_ENTRY_SIZE), r * INDEX_ENTRY_SIZE);
      chunks.push(old.subarray(pos + INDEX_ENTRY_SIZE, pos + INDEX_ENTRY_SIZE + clen));
      pos += INDEX_ENTRY_SIZE + clen;
    }
    this.vfs.write(this.resolve(this.dataFile), chunks);
    // 3. the new index: entries only, inline flag cleared
    const edv = new DataView(entries.buffer);
    edv.setUint32(0, (edv.getUint32(0) & ~FLAG_INLINE_DATA) >>> 0);
    tr.replace(this.indexFile, 0);
    tr.replaceFile(this.indexFile, entries);
    this.index = new ByteBuffer(entries);
    const data = new ByteBuffer(EMPTY);
    data.append(chunks);
    this.data = data;
    this.refreshReader();
  }
}

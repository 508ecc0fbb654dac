// `.hg/store/fncache`: the list of every revlog file under `data/` and
// `meta/` in a fncache store (both `.i` and `.d`), one unencoded store path
// per line, `\n`-terminated, with store.encodedir applied (`.i/` ->
// `.i.hg/`, ...). Order is unspecified (hg writes its set order).
//
// Reading mirrors hg 6.3.2's store.fncache._load: the content up to the
// last `\n` is decodedir'ed and split with bytes.splitlines (`\n`, `\r\n`,
// `\r`); a missing file is an empty set; a file not ending in `\n` aborts
// with "fncache does not ends with a newline" (sic) and an empty line with
// "invalid entry in fncache, line N". With an `onWarn` callback (hg's
// `warn`, used by `hg verify`) both become warnings and loading goes on.
//
// Entries are kept as latin1 strings of the path bytes (one char per
// byte): cheap Set keys that convert back to bytes losslessly.

import { AbortError, IoError } from '../core/errors.js';
import { fromLatin1, latin1 } from '../core/bytes.js';
import type { Vfs, VfsPath } from './vfs.js';

export interface FncacheReadOptions {
  /**
   * Report problems as warnings (message without trailing newline) and keep
   * going, instead of throwing AbortError (hg's `warn` argument).
   */
  onWarn?: (message: string) => void;
}

/** The message hg gives for a fncache not ending in a newline (hg's typo kept). */
export const FNCACHE_NO_NEWLINE_MESSAGE = 'fncache does not ends with a newline';
/** The hint that goes with it. */
export const FNCACHE_REBUILD_HINT = "use 'hg debugrebuildfncache' to rebuild the fncache";

/** The latin1 key of a store path (bytes -> one char per byte). */
export function fncacheKey(path: Uint8Array): string {
  return latin1(path);
}

/** The store path bytes of a latin1 key. */
export function fncacheKeyBytes(key: string): Uint8Array {
  return fromLatin1(key);
}

function decodeDirString(s: string): string {
  if (!s.includes('.hg/')) return s;
  return s.replaceAll('.d.hg/', '.d/').replaceAll('.i.hg/', '.i/').replaceAll('.hg.hg/', '.hg/');
}

function encodeDirString(s: string): string {
  return s.replaceAll('.hg/', '.hg.hg/').replaceAll('.i/', '.i.hg/').replaceAll('.d/', '.d.hg/');
}

/**
 * Parses fncache file contents into a set of latin1 keys of unencoded store
 * paths (decodedir applied). Throws AbortError as hg does, unless
 * `opts.onWarn` is given. An empty entry (only possible in a corrupt file)
 * is reported, and left out of the result.
 */
export function parseFncache(data: Uint8Array, opts: FncacheReadOptions = {}): Set<string> {
  const entries = new Set<string>();
  if (data.length === 0) return entries;
  const last = data.lastIndexOf(0x0a);
  const bodyEnd = last + 1; // 0 when there is no newline at all
  if (bodyEnd > 0) {
    const body = decodeDirString(latin1(data, 0, bodyEnd));
    const lines = body.split(/\r\n|\r|\n/);
    lines.pop(); // body ends with a line break: split leaves a trailing ''
    for (const l of lines) entries.add(l);
  }
  if (bodyEnd < data.length) {
    if (opts.onWarn) opts.onWarn(FNCACHE_NO_NEWLINE_MESSAGE);
    else throw new AbortError(FNCACHE_NO_NEWLINE_MESSAGE, { hint: FNCACHE_REBUILD_HINT });
  }
  if (entries.has('')) {
    // hg re-reads the file line by line (`\n` only) to name the bad line(s)
    let lineNo = 0;
    for (let start = 0; start < data.length; ) {
      let end = data.indexOf(0x0a, start);
      if (end < 0) end = data.length;
      lineNo++;
      if (end === start) {
        const msg = `invalid entry in fncache, line ${lineNo}`;
        if (opts.onWarn) opts.onWarn(msg);
        else throw new AbortError(msg);
      }
      start = end + 1;
    }
    entries.delete('');
  }
  return entries;
}

/**
 * Reads and parses `fncache` through a store vfs (`path` relative to it,
 * default `fncache`). Like hg, a file that cannot be read at all (missing,
 * unreadable) is an empty set.
 */
export function readFncache(storeVfs: Vfs, opts: FncacheReadOptions = {}, path: VfsPath = 'fncache'): Set<string> {
  let data: Uint8Array | undefined;
  try {
    data = storeVfs.tryRead(path);
  } catch (err) {
    if (err instanceof IoError) return new Set();
    throw err;
  }
  return data === undefined ? new Set() : parseFncache(data, opts);
}

/**
 * The file contents hg writes for `entries` (keys or path bytes): entries
 * joined by `\n` plus a final `\n`, with encodedir applied; empty when there
 * are no entries. Entries are written in iteration order.
 */
export function encodeFncache(entries: Iterable<string | Uint8Array>): Uint8Array {
  const keys: string[] = [];
  for (const e of entries) keys.push(typeof e === 'string' ? e : latin1(e));
  if (keys.length === 0) return new Uint8Array(0);
  return fromLatin1(encodeDirString(keys.join('\n') + '\n'));
}

/** What writing a Fncache needs: replace the whole file, or append to it. */
export interface FncacheWrite {
  readonly append: boolean;
  readonly data: Uint8Array;
}

/**
 * An in-memory fncache with hg's add/remove bookkeeping (store.fncache):
 * additions are appended to the file, a removal makes the next write rewrite
 * it. Paths are unencoded store paths (`data/foo.i`), as bytes or latin1 keys.
 */
export class Fncache {
  private readonly entries: Set<string>;
  private readonly added = new Set<string>();
  private dirty = false;

  constructor(entries: Iterable<string> = []) {
    this.entries = new Set(entries);
  }

  /** Loads `fncache` from a store vfs (see readFncache). */
  static load(storeVfs: Vfs, opts: FncacheReadOptions = {}): Fncache {
    return new Fncache(readFncache(storeVfs, opts));
  }

  get size(): number {
    return this.entries.size + this.added.size;
  }

  has(path: Uint8Array | string): boolean {
    const k = typeof path === 'string' ? path : latin1(path);
    return this.entries.has(k) || this.added.has(k);
  }

  add(path: Uint8Array | string): void {
    const k = typeof path === 'string' ? path : latin1(path);
    if (!this.entries.has(k)) this.added.add(k);
  }

  remove(path: Uint8Array | string): void {
    const k = typeof path === 'string' ? path : latin1(path);
    if (this.added.delete(k)) return;
    if (this.entries.delete(k)) this.dirty = true;
  }

  /** All entries as latin1 keys (unordered). */
  *keys(): IterableIterator<string> {
    yield* this.entries;
    yield* this.added;
  }

  /** All entries as path bytes (unordered). */
  *paths(): IterableIterator<Uint8Array> {
    for (const k of this.keys()) yield fromLatin1(k);
  }

  /**
   * The pending write, as hg's fncache.write does it (a full rewrite after
   * removals, else an append of the additions), or undefined when there is
   * nothing to write. Marks the pending changes as written.
   */
  takeWrite(): FncacheWrite | undefined {
    if (this.dirty) {
      for (const k of this.added) this.entries.add(k);
      this.added.clear();
      this.dirty = false;
      return { append: false, data: encodeFncache(this.entries) };
    }
    if (this.added.size > 0) {
      const data = encodeFncache(this.added);
      for (const k of this.added) this.entries.add(k);
      this.added.clear();
      return { append: true, data };
    }
    return undefined;
  }
}

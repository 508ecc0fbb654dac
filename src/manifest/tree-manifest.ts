// A tree manifest (hg's treemanifest): one manifest per directory. Each
// directory keeps its own stored text as a LazyManifest (files, and
// subdirectories as `name\0<hex>t` lines) and loads a subdirectory only when
// an operation reaches it. Two directories with the same node and no pending
// edits are identical, so diff() never opens them.
//
// Order: a directory's text sorts its entries by bare name (`a` < `a-b`); the
// flat view sorts a subdirectory as `a/` (`a-b` < `a/`). Walks that produce
// flat order merge a directory's files with its subdirectories by that key.
import { ManifestError } from '../core/errors.js';
import { bytesEqual, compareBytes, concatBytes, latin1, startsWith, writeHex } from '../core/bytes.js';
import { LruCache } from '../core/lru.js';
import { NULL_NODE, type Node, isNullNode, nodeKey } from '../core/node.js';
import {
  LazyManifest,
  type ManifestDiffEntry,
  type ManifestEntry,
  type ManifestEntryValue,
  type RawLineCallback,
} from './lazy-manifest.js';
import type { Manifest } from './manifest.js';
import type { ManifestStorage } from './manifest-storage.js';
import type { ManifestMatcher } from './matcher.js';

const SLASH = 0x2f;
const FLAG_T = 0x74;
const NL = 0x0a;
const EMPTY = new Uint8Array(0);

/** Counters for benchmarks and tests: directory manifests read from storage. */
export const treeStats = { dirsRead: 0 };

/**
 * Reads directory manifests from storage, with a cache of parsed texts shared
 * by every TreeManifest handed out by one ManifestLog (copies hand out
 * copy-on-write views, so a cached text is parsed once).
 */
export class TreeDirReader {
  private readonly cache: LruCache<string, LazyManifest>;

  constructor(
    readonly root: ManifestStorage,
    cacheSize = 4096,
  ) {
    this.cache = new LruCache(cacheSize);
  }

  storage(dir: Uint8Array): ManifestStorage {
    return dir.length === 0 ? this.root : this.root.dirStorage(dir);
  }

  read(dir: Uint8Array, node: Node): LazyManifest {
    if (isNullNode(node)) return LazyManifest.empty();
    const key = latin1(dir) + '\0' + nodeKey(node);
    let m = this.cache.get(key);
    if (!m) {
      const st = this.storage(dir);
      m = new LazyManifest(st.revision(st.rev(node)));
      treeStats.dirsRead++;
      this.cache.set(key, m);
    }
    return m.copy();
  }
}

/** One directory of a tree manifest. @internal (exported for tree-write.ts) */
export class TreeDir {
  /** This directory's own entries (files and `t` lines); null until loaded. */
  private own: LazyManifest | null;
  /** Subdirectories opened so far, by name (latin1); they supersede `t` lines of `own`. */
  private children: Map<string, TreeDir> | null = null;
  /** subdirNames() until the next edit. */
  private subs: Uint8Array[] | null = null;

  constructor(
    /** '' for the root, else the path with a trailing '/'. */
    readonly dir: Uint8Array,
    /** The stored node; stale while `dirty`. */
    public node: Node,
    private readonly reader: TreeDirReader | null,
    public dirty: boolean,
    own: LazyManifest | null = null,
  ) {
    this.own = own;
  }

  static fresh(dir: Uint8Array, reader: TreeDirReader | null): TreeDir {
    return new TreeDir(dir, NULL_NODE, reader, true, LazyManifest.empty());
  }

  /** A new (unwritten) directory with these entries; dirty unless empty, like hg's filtered trees. */
  static built(dir: Uint8Array, own: LazyManifest, children: Map<string, TreeDir>): TreeDir {
    const d = new TreeDir(dir, NULL_NODE, null, own.size > 0 || children.size > 0, own);
    if (children.size > 0) d.children = children;
    return d;
  }

  load(): LazyManifest {
    let own = this.own;
    if (own === null) {
      own = isNullNode(this.node) || this.reader === null ? LazyManifest.empty() : this.reader.read(this.dir, this.node);
      this.own = own;
    }
    return own;
  }

  /** The subdirectory `name` (no slash); created empty when `create` and absent. */
  child(name: Uint8Array, create: boolean): TreeDir | undefined {
    const own = this.load();
    const k = latin1(name);
    let c = this.children?.get(k);
    if (c) return c;
    const e = own.get(name);
    if (e && own.flags(name) === 't') {
      c = new TreeDir(concatBytes([this.dir, name, SLASH_BYTES]), e.node.subarray(0, 20), this.reader, false);
    } else if (create) {
      c = TreeDir.fresh(concatBytes([this.dir, name, SLASH_BYTES]), this.reader);
      this.subs = null;
    } else {
      return undefined;
    }
    (this.children ??= new Map()).set(k, c);
    return c;
  }

  /** Opened subdirectories (name -> dir). */
  openChildren(): ReadonlyMap<string, TreeDir> {
    return this.children ?? EMPTY_MAP;
  }

  /** Drops an emptied subdirectory. */
  removeChild(name: Uint8Array): void {
    this.subs = null;
    this.children?.delete(latin1(name));
    const own = this.load();
    if (own.flags(name) === 't') own.delete(name);
  }

  /** The file `name` of this directory. */
  file(name: Uint8Array): ManifestEntryValue | undefined {
    const own = this.load();
    const e = own.get(name);
    return e && e.flags !== 't' ? e : undefined;
  }

  setFile(name: Uint8Array, node: Uint8Array, flags: string): void {
    const own = this.load();
    // A stored subdirectory of that name must stay reachable once its line is overwritten.
    if (own.flags(name) === 't') this.child(name, false);
    own.set(name, node, flags);
    this.subs = null;
    this.dirty = true;
  }

  deleteFile(name: Uint8Array, full: Uint8Array): void {
    const own = this.load();
    if (own.flags(name) === 't' || !own.has(name)) {
      throw new ManifestError(`Tried to delete nonexistent manifest entry: ${latin1(full)}`);
    }
    own.delete(name);
    this.dirty = true;
  }

  isEmpty(): boolean {
    const own = this.load();
    if (this.children === null || this.children.size === 0) return own.size === 0;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    let files = false;
    own.forEachRaw((_b, _s, _z, flag) => {
      if (flag !== FLAG_T) {
        files = true;
        return false;
      }
      return true;
    });
    if (files) return false;
    // Only `t` lines left: each names an unopened (hence non-empty) or an opened subdirectory.
    let unopened = false;
    own.forEachRaw((buf, s, z) => {
      if (!this.children!.has(latin1(buf, s, z))) {
        unopened = true;
        return false;
      }
      return true;
    });
    return !unopened;
  }

  /** Names of the subdirectories, sorted by `name/` (flat order); cached until an edit. */
  subdirNames(): Uint8Array[] {
    if (this.subs !== null) return this.subs;
    const text = this.load().text();
    const names: Uint8Array[] = [];
    const kids = this.children;
    // A `t` right before a newline can only be a flag (paths end at the NUL,
    // hex digits are 0-9a-f), so the newline scan (native indexOf) finds
    // subdirectory lines without walking entries.
    for (let nl = text.indexOf(NL); nl >= 0; nl = text.indexOf(NL, nl + 1)) {
      if (text[nl - 1] !== FLAG_T) continue;
      const z = nl - 42;
      const s = text.lastIndexOf(NL, z - 1) + 1;
      if (kids === null || !kids.has(latin1(text, s, z))) names.push(text.subarray(s, z));
    }
    if (kids !== null) for (const c of kids.values()) names.push(c.name());
    names.sort(compareDirKeys);
    this.subs = names;
    return names;
  }

  /** The last path component (no slash). */
  name(): Uint8Array {
    const end = this.dir.length - 1;
    const s = this.dir.lastIndexOf(SLASH, end - 1);
    return this.dir.subarray(s + 1, end);
  }

  copy(): TreeDir {
    const c = new TreeDir(this.dir, this.node, this.reader, this.dirty, this.own === null ? null : this.own.copy());
    c.subs = this.subs;
    if (this.children !== null && this.children.size > 0) {
      const m = new Map<string, TreeDir>();
      for (const [k, v] of this.children) m.set(k, v.copy());
      c.children = m;
    }
    return c;
  }

  /**
   * The text hg stores for this directory (hg's dirtext): files and
   * subdirectories sorted by (name, node, flag); subdirectories show their
   * current node, so write them first.
   */
  dirText(): Uint8Array {
    const own = this.load();
    const kids = this.children;
    if (kids === null || kids.size === 0) return own.text();
    const subs = [...kids.values()].filter((c) => !c.isEmpty());
    const lines: { name: Uint8Array; hex: Uint8Array; flag: number }[] = subs.map((c) => {
      const hex = new Uint8Array(40);
      writeHex(hex, 0, c.node);
      return { name: c.name(), hex, flag: FLAG_T };
    });
    own.forEachRaw((buf, s, z, flag) => {
      if (flag === FLAG_T && kids.has(latin1(buf, s, z))) return;
      lines.push({ name: buf.subarray(s, z), hex: buf.subarray(z + 1, z + 41), flag });
    });
    lines.sort((a, b) => compareBytes(a.name, b.name) || compareBytes(a.hex, b.hex) || a.flag - b.flag);
    let size = 0;
    for (const l of lines) size += l.name.length + 42 + (l.flag ? 1 : 0);
    const out = new Uint8Array(size);
    let o = 0;
    for (const l of lines) {
      out.set(l.name, o);
      o += l.name.length;
      out[o++] = 0;
      out.set(l.hex, o);
      o += 40;
      if (l.flag) out[o++] = l.flag;
      out[o++] = NL;
    }
    return out;
  }
}

const SLASH_BYTES = Uint8Array.of(SLASH);
const EMPTY_MAP: ReadonlyMap<string, TreeDir> = new Map();

/** Compares directory names as flat keys (`name/`). */
function compareDirKeys(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  if (a.length === b.length) return 0;
  // The shorter one continues with '/'.
  return a.length < b.length ? SLASH - b[n]! : a[n]! - SLASH;
}

/** Compares directory `dir` (as `dir/`) with file name buf[s, e). */
function compareDirToName(dir: Uint8Array, buf: Uint8Array, s: number, e: number): number {
  const ln = e - s;
  const n = Math.min(dir.length, ln);
  for (let i = 0; i < n; i++) if (dir[i] !== buf[s + i]) return dir[i]! - buf[s + i]!;
  if (dir.length < ln) return SLASH - buf[s + dir.length]! || -1;
  return 1; // the name is a prefix of `dir/`: the file comes first
}

/** A growable output buffer. */
class ByteSink {
  buf = new Uint8Array(1 << 16);
  len = 0;
  push(src: Uint8Array, s: number, e: number): void {
    const n = e - s;
    if (this.len + n > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < this.len + n) cap *= 2;
      const b = new Uint8Array(cap);
      b.set(this.buf.subarray(0, this.len));
      this.buf = b;
    }
    const buf = this.buf;
    if (n <= 64) {
      // short runs (paths, lines): a loop beats a subarray view plus set()
      let o = this.len;
      for (let i = s; i < e; i++) buf[o++] = src[i]!;
    } else {
      buf.set(src.subarray(s, e), this.len);
    }
    this.len += n;
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/**
 * Appends the flat lines of `d` to `out`; with `namePrefix`, only the entries
 * of `d` whose name starts with it (and everything below those).
 */
function emitFlat(d: TreeDir, out: ByteSink, namePrefix?: Uint8Array): void {
  const own = d.load();
  let subs = d.subdirNames();
  if (namePrefix) subs = subs.filter((n) => startsWith(n, namePrefix));
  let si = 0;
  const prefix = d.dir;
  own.forEachRaw((buf, s, z, flag) => {
    if (flag === FLAG_T) return;
    if (namePrefix && !startsWithAt(buf, s, z, namePrefix)) return;
    while (si < subs.length && compareDirToName(subs[si]!, buf, s, z) < 0) emitFlat(d.child(subs[si++]!, false)!, out);
    if (prefix.length) out.push(prefix, 0, prefix.length);
    out.push(buf, s, z + 42 + (flag ? 1 : 0));
  });
  while (si < subs.length) emitFlat(d.child(subs[si++]!, false)!, out);
}

function startsWithAt(buf: Uint8Array, s: number, e: number, p: Uint8Array): boolean {
  if (e - s < p.length) return false;
  for (let i = 0; i < p.length; i++) if (buf[s + i] !== p[i]) return false;
  return true;
}

function fullPath(dir: Uint8Array, name: Uint8Array): Uint8Array {
  return dir.length === 0 ? name.slice() : concatBytes([dir, name]);
}

/** Same stored state: no pending edits and the same node. */
function sameStored(a: TreeDir, b: TreeDir): boolean {
  return !a.dirty && !b.dirty && bytesEqual(a.node, b.node);
}

function diffDirs(a: TreeDir, b: TreeDir, clean: boolean, out: ManifestDiffEntry[]): void {
  if (sameStored(a, b)) return;
  const fa = a.load();
  const fb = b.load();
  const files = fa.diff(fb, { clean });
  const subsA = a.subdirNames();
  const subsB = b.subdirNames();
  // union of subdirectory names in flat order
  const subs: Uint8Array[] = [];
  let i = 0;
  let j = 0;
  while (i < subsA.length || j < subsB.length) {
    if (j >= subsB.length) subs.push(subsA[i++]!);
    else if (i >= subsA.length) subs.push(subsB[j++]!);
    else {
      const c = compareDirKeys(subsA[i]!, subsB[j]!);
      if (c < 0) subs.push(subsA[i++]!);
      else if (c > 0) subs.push(subsB[j++]!);
      else {
        subs.push(subsA[i++]!);
        j++;
      }
    }
  }
  let si = 0;
  const emitSub = (name: Uint8Array): void => {
    const ca = a.child(name, false) ?? TreeDir.fresh(EMPTY, null);
    const cb = b.child(name, false) ?? TreeDir.fresh(EMPTY, null);
    diffDirs(ca, cb, clean, out);
  };
  for (const e of files) {
    if (e.left === null && e.right === null && fa.flags(e.path) === 't') continue; // a clean subdirectory line
    const lt = e.left !== null && e.left.flags === 't';
    const rt = e.right !== null && e.right.flags === 't';
    if (lt && rt) continue;
    if (lt && e.right === null) continue;
    if (rt && e.left === null) continue;
    while (si < subs.length && compareDirToName(subs[si]!, e.path, 0, e.path.length) < 0) emitSub(subs[si++]!);
    out.push({ path: fullPath(a.dir.length ? a.dir : b.dir, e.path), left: lt ? null : e.left, right: rt ? null : e.right });
  }
  while (si < subs.length) emitSub(subs[si++]!);
}

type VisitFn = NonNullable<ManifestMatcher['visitChildrenSet']>;

function visitOf(d: TreeDir, visit: VisitFn): 'all' | 'this' | ReadonlySet<string> {
  return visit(d.dir.length === 0 ? '' : latin1(d.dir, 0, d.dir.length - 1));
}

function visits(v: 'all' | 'this' | ReadonlySet<string>, name: Uint8Array): boolean {
  return typeof v === 'string' || v.has(latin1(name));
}

/** hg's treemanifest._walk: paths in flat order; files are checked with the matcher only. */
function walkVisit(root: TreeDir, matcher: ManifestMatcher, visit: VisitFn): Uint8Array[] {
  const out: Uint8Array[] = [];
  const rec = (d: TreeDir): void => {
    const v = visitOf(d, visit);
    if (typeof v !== 'string' && v.size === 0) return;
    const own = d.load();
    const subs = d.subdirNames().filter((n) => visits(v, n));
    let si = 0;
    own.forEachRaw((buf, s, z, flag) => {
      if (flag === FLAG_T) return;
      while (si < subs.length && compareDirToName(subs[si]!, buf, s, z) < 0) rec(d.child(subs[si++]!, false)!);
      const full = fullPath(d.dir, buf.subarray(s, z));
      if (matcher(full)) out.push(full);
    });
    while (si < subs.length) rec(d.child(subs[si++]!, false)!);
  };
  rec(root);
  return out;
}

/** hg's treemanifest._matches_inner. */
function matchDir(d: TreeDir, matcher: ManifestMatcher, visit: VisitFn): TreeDir {
  const v = visitOf(d, visit);
  if (v === 'all') return d.copy();
  const children = new Map<string, TreeDir>();
  if (typeof v !== 'string' && v.size === 0) return TreeDir.built(d.dir, LazyManifest.empty(), children);
  const sink = new ByteSink();
  d.load().forEachRaw((buf, s, z, flag) => {
    if (flag === FLAG_T) return;
    if (v !== 'this' && !v.has(latin1(buf, s, z))) return;
    if (!matcher(fullPath(d.dir, buf.subarray(s, z)))) return;
    sink.push(buf, s, z + 42 + (flag ? 1 : 0));
  });
  for (const name of d.subdirNames()) {
    if (!visits(v, name)) continue;
    const c = matchDir(d.child(name, false)!, matcher, visit);
    if (!c.isEmpty()) children.set(latin1(name), c);
  }
  return TreeDir.built(d.dir, new LazyManifest(sink.bytes().slice()), children);
}

export class TreeManifest implements Manifest {
  private flatCache: LazyManifest | null = null;

  /** @internal */
  constructor(readonly root: TreeDir) {}

  static empty(): TreeManifest {
    return new TreeManifest(TreeDir.fresh(EMPTY, null));
  }

  /** The tree stored at `node` in `reader`'s storage; directories load on demand. */
  static load(reader: TreeDirReader, node: Node): TreeManifest {
    return new TreeManifest(new TreeDir(EMPTY, node, reader, false));
  }

  /** A tree holding the entries of a flat manifest (every directory new). */
  static fromFlat(m: Manifest, reader: TreeDirReader | null = null): TreeManifest {
    const t = new TreeManifest(TreeDir.fresh(EMPTY, reader));
    for (const e of m.flat().entries()) t.set(e.path, e.node, e.flags);
    return t;
  }

  /** The root's node (NULL for a tree never written); stale while dirty. */
  get node(): Node {
    return this.root.node;
  }

  get dirty(): boolean {
    return this.root.dirty;
  }

  /** The directory holding `path`'s last component, or undefined. */
  private dirOf(path: Uint8Array, create: boolean, markDirty: boolean): { d: TreeDir; name: Uint8Array } | undefined {
    let d = this.root;
    let s = 0;
    for (;;) {
      const slash = path.indexOf(SLASH, s);
      if (slash < 0) break;
      if (markDirty) d.dirty = true;
      const c = d.child(path.subarray(s, slash), create);
      if (!c) return undefined;
      d = c;
      s = slash + 1;
    }
    if (markDirty) d.dirty = true;
    return { d, name: path.subarray(s) };
  }

  get(path: Uint8Array): ManifestEntryValue | undefined {
    const r = this.dirOf(path, false, false);
    return r?.d.file(r.name);
  }

  has(path: Uint8Array): boolean {
    return this.get(path) !== undefined;
  }

  flags(path: Uint8Array): string {
    return this.get(path)?.flags ?? '';
  }

  set(path: Uint8Array, node: Uint8Array, flags: string): void {
    if (path.length === 0) throw new ManifestError('manifest path must not be empty');
    if (flags === 't') throw new ManifestError(`invalid manifest flag: "t"`);
    const r = this.dirOf(path, true, true)!;
    if (r.name.length === 0) throw new ManifestError(`invalid manifest path: ${latin1(path)}`);
    r.d.setFile(r.name, node, flags);
    this.flatCache = null;
  }

  delete(path: Uint8Array): void {
    if (!this.has(path)) throw new ManifestError(`Tried to delete nonexistent manifest entry: ${latin1(path)}`);
    // collect the chain of directories to prune emptied ones on the way back
    const chain: TreeDir[] = [this.root];
    let s = 0;
    for (;;) {
      const slash = path.indexOf(SLASH, s);
      if (slash < 0) break;
      chain.push(chain[chain.length - 1]!.child(path.subarray(s, slash), false)!);
      s = slash + 1;
    }
    for (const d of chain) d.dirty = true;
    chain[chain.length - 1]!.deleteFile(path.subarray(s), path);
    for (let k = chain.length - 1; k > 0; k--) {
      const d = chain[k]!;
      if (!d.isEmpty()) break;
      chain[k - 1]!.removeChild(d.name());
    }
    this.flatCache = null;
  }

  copy(): TreeManifest {
    const c = new TreeManifest(this.root.copy());
    c.flatCache = this.flatCache === null ? null : this.flatCache.copy();
    return c;
  }

  /** The flat view, built once (every directory is read). */
  flat(): LazyManifest {
    if (this.flatCache === null) {
      const sink = new ByteSink();
      emitFlat(this.root, sink);
      this.flatCache = new LazyManifest(sink.bytes());
    }
    return this.flatCache;
  }

  /**
   * The flat text as far as the directories can be read, in flat order, and
   * the error that stopped it (hg's `manifest` prints the files it reached
   * before a damaged directory, then aborts).
   */
  flatTextUntilError(): { text: Uint8Array; error?: unknown } {
    if (this.flatCache !== null) return { text: this.flatCache.text() };
    const sink = new ByteSink();
    try {
      emitFlat(this.root, sink);
    } catch (error) {
      return { text: sink.bytes(), error };
    }
    this.flatCache = new LazyManifest(sink.bytes());
    return { text: this.flatCache.text() };
  }

  get size(): number {
    return this.flat().size;
  }
  keys(): IterableIterator<Uint8Array> {
    return this.flat().keys();
  }
  entries(): IterableIterator<ManifestEntry> {
    return this.flat().entries();
  }
  [Symbol.iterator](): IterableIterator<ManifestEntry> {
    return this.entries();
  }
  forEachRaw(cb: RawLineCallback): void {
    this.flat().forEachRaw(cb);
  }
  text(): Uint8Array {
    return this.flat().text();
  }
  dirs(): Uint8Array[] {
    return this.flat().dirs();
  }
  filterCopy(pred: (path: Uint8Array) => boolean): LazyManifest {
    return this.flat().filterCopy(pred);
  }

  hasDir(dir: Uint8Array): boolean {
    if (dir.length === 0) return !this.root.isEmpty();
    let d = this.root;
    let s = 0;
    for (;;) {
      const slash = dir.indexOf(SLASH, s);
      const c = d.child(dir.subarray(s, slash < 0 ? dir.length : slash), false);
      if (!c) return false;
      d = c;
      if (slash < 0) return !d.isEmpty();
      s = slash + 1;
    }
  }

  /**
   * The entries selected by `matcher`, as a flat manifest. With the matcher's
   * `prefixes` hint only the directories those prefixes reach are read.
   */
  matches(matcher: ManifestMatcher): LazyManifest {
    if (matcher.always === true) return this.flat().copy();
    const prefixes = matcher.prefixes;
    if (prefixes === undefined || prefixes.some((p) => p.length === 0) || this.flatCache !== null) {
      return this.flat().matches(matcher);
    }
    const sorted = prefixes.slice().sort(compareBytes);
    const sink = new ByteSink();
    let last: Uint8Array | null = null;
    for (const p of sorted) {
      if (last !== null && startsWith(p, last)) continue;
      last = p;
      // the deepest directory that the whole prefix lies in
      let d: TreeDir | undefined = this.root;
      let s = 0;
      for (;;) {
        const slash = p.indexOf(SLASH, s);
        if (slash < 0) break;
        d = d.child(p.subarray(s, slash), false);
        if (!d) break;
        s = slash + 1;
      }
      if (d) emitFlat(d, sink, p.subarray(s));
    }
    return new LazyManifest(sink.bytes()).filterCopy(matcher);
  }

  walk(matcher: ManifestMatcher): IterableIterator<Uint8Array> {
    if (matcher.always !== true && matcher.visitChildrenSet) return walkVisit(this.root, matcher, matcher.visitChildrenSet)[Symbol.iterator]();
    return this.matches(matcher).keys();
  }

  /**
   * hg's treemanifest._matches: directories the matcher visits whole
   * ('all') are copied with their node, the others rebuilt from the files
   * the matcher accepts (new, hence never skipped by diff()). Needs the
   * matcher's visitChildrenSet.
   */
  matchedTree(matcher: ManifestMatcher): TreeManifest {
    const visit = matcher.visitChildrenSet;
    if (matcher.always === true || !visit) throw new ManifestError('matchedTree needs a matcher with visitChildrenSet');
    return new TreeManifest(matchDir(this.root, matcher, visit));
  }

  /**
   * Differences with `other` (any manifest), in path order. Between two
   * trees, directories with the same node on both sides are skipped without
   * being read, so unchanged files there are not listed even with `clean`
   * (hg's treemanifest.diff).
   */
  diff(other: Manifest, opts: { clean?: boolean } = {}): ManifestDiffEntry[] {
    if (!(other instanceof TreeManifest)) return this.flat().diff(other, opts);
    const out: ManifestDiffEntry[] = [];
    diffDirs(this.root, other.root, opts.clean === true, out);
    return out;
  }

  /**
   * diff() restricted to `roots` (paths of files or directories, no trailing
   * '/'; an empty root means everything): only the directories on the way to
   * each root and below it are read. Path order.
   */
  diffUnder(other: TreeManifest, roots: readonly Uint8Array[], opts: { clean?: boolean } = {}): ManifestDiffEntry[] {
    if (roots.length === 0 || roots.some((r) => r.length === 0)) return this.diff(other, opts);
    const clean = opts.clean === true;
    const sorted = roots.slice().sort(compareBytes);
    const out: ManifestDiffEntry[] = [];
    let last: Uint8Array | null = null;
    for (const r of sorted) {
      if (last !== null && (bytesEqual(r, last) || (startsWith(r, last) && r[last.length] === SLASH))) continue;
      last = r;
      const fa = this.get(r);
      const fb = other.get(r);
      if (fa || fb) {
        const same = fa && fb && fa.flags === fb.flags && bytesEqual(fa.node, fb.node);
        if (!same) out.push({ path: r, left: fa ?? null, right: fb ?? null });
        else if (clean) out.push({ path: r, left: null, right: null });
      }
      const da = this.dirAt(r);
      const db = other.dirAt(r);
      if (da || db) {
        const dir = (da ?? db)!.dir;
        diffDirs(da ?? TreeDir.fresh(dir, null), db ?? TreeDir.fresh(dir, null), clean, out);
      }
    }
    if (sorted.length > 1) out.sort((x, y) => compareBytes(x.path, y.path));
    return out;
  }

  /** The directory at `path` (no trailing '/'), if there is one. */
  private dirAt(path: Uint8Array): TreeDir | undefined {
    let d: TreeDir | undefined = this.root;
    let s = 0;
    while (d) {
      const slash = path.indexOf(SLASH, s);
      d = d.child(path.subarray(s, slash < 0 ? path.length : slash), false);
      if (slash < 0) break;
      s = slash + 1;
    }
    return d && !d.isEmpty() ? d : undefined;
  }

  /** The stored text of directory `dir` ('' or 'a/b/'), undefined if absent. */
  dirText(dir: Uint8Array): Uint8Array | undefined {
    let d: TreeDir | undefined = this.root;
    let s = 0;
    while (d && s < dir.length) {
      const slash = dir.indexOf(SLASH, s);
      d = d.child(dir.subarray(s, slash), false);
      s = slash + 1;
    }
    return d?.dirText();
  }
}

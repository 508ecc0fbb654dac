// hg-compatible transactions (mercurial/transaction.py, localrepo.transaction).
//
// Every store file a transaction appends to is recorded first in
// `.hg/store/journal` as `<store path>\0<length before>\n` (one write per
// entry, before the data is written); files replaced as a whole are copied
// first to `journal.backup.<name>` and listed in `journal.backupfiles`
// (`2\n`, then `<location>\0<path>\0<backup>\0<0|1>\n`; location `` is the
// store, `plain` is `.hg/`). Store paths are unencoded (`data/Foo.i`), as hg
// writes them; they are encoded (fncache/dotencode) only to reach the files.
//
// - close(): runs validators, file generators and finalizers (the fncache is
//   written there), then turns the journal into undo information exactly as
//   hg does: `undo.backupfiles` (backups hard-linked to `undo.backup.*`),
//   `journal` renamed to `undo`, the repository's `journal.*` files renamed to
//   `undo.*`. `hg rollback` then works on an hgkit transaction.
// - abort() (an exception, SIGINT/SIGTERM/SIGHUP through the interrupt
//   guard, or process exit): appended files are truncated back to their
//   recorded lengths, backups are copied back, and the journal is removed.
//   Files the transaction created are removed (hg truncates them to 0 bytes
//   and leaves them), so the store is left exactly as it was.
// - A process killed outright leaves the journal: `hg recover` or
//   `hgkit recover` (recoverTransaction) plays it back, unlinking the files
//   the transaction created.
//
// Paths given as strings are latin1 (one char per byte), like fncache keys;
// pass Uint8Array for arbitrary bytes.

import { nodeCrypto } from '../core/builtin.js';
import { AbortError, IoError, StorageError } from '../core/errors.js';
import { concatBytes, fromLatin1, latin1, toHex, utf8 } from '../core/bytes.js';
import { sha1 } from '../core/sha1.js';
import type { WritableVfs, WriteHandle } from '../vfs/atomic-write.js';
import { NodeWritableVfs } from '../vfs/atomic-write.js';
import { encodeStorePath, type StoreLayout } from '../vfs/store-encoding.js';
import { Fncache, parseFncache } from '../vfs/fncache.js';
import { Lock, registerCleanup, type LockOptions } from '../vfs/lock.js';

/** Version written on the first line of `*.backupfiles`. */
export const JOURNAL_VERSION = 2;

/** Where a transaction file lives: `` = the store (encoded paths), `plain` = `.hg/`. */
export type Location = '' | 'plain';

/** A path: bytes, or a latin1 string. */
export type TxPath = string | Uint8Array;

/** hg's vfsmap: how the transaction reaches its files. */
export interface TransactionVfsMap {
  readonly vfs: WritableVfs;
  /** Absolute store directory (`.hg/store`); its paths are store-encoded. */
  readonly storeDir: string;
  /** Absolute `.hg` directory (location `plain`). */
  readonly hgDir: string;
  readonly layout: StoreLayout;
}

/** One `*.backupfiles` entry: [location, file, backup, cache]. Empty backup: the file did not exist; empty file: a temporary file. */
export type BackupEntry = [location: string, file: string, backup: string, cache: boolean];

type Callback = (tr: Transaction) => void;

export interface FileGeneratorOptions {
  /** Generators run sorted by id; `order` is kept for hg parity (unused by hg too). */
  order?: number;
  location?: Location;
  /** Run after the finalizers (the dirstate is generated so in hg). */
  postFinalize?: boolean;
}

interface FileGenerator {
  names: string[];
  gen: () => Uint8Array[];
  location: Location;
  postFinalize: boolean;
}

export interface TransactionOptions {
  map: TransactionVfsMap;
  /** Transaction name (hg's desc: `commit`, `pull`...). */
  name?: string;
  /** Journal file name in the store (default `journal`). */
  journal?: string;
  /** Undo name (default `undo`); null: keep no undo information. */
  undo?: string | null;
  /** hg's report (ui.warn): "transaction abort!", "rollback completed"... newline-terminated. */
  report?: (message: string) => void;
  /** Run at close, after the undo files are written (renames journal.* → undo.*). */
  after?: () => void;
  /** Run when the transaction ends, with success true after close, false after abort. */
  onRelease?: (tr: Transaction, success: boolean) => void;
  /** The fncache to keep up to date (default: loaded on first need when the layout has one). */
  fncache?: Fncache;
}

function keyOf(p: TxPath): string {
  return typeof p === 'string' ? p : latin1(p);
}

const SLASH = utf8('/');

/** The file a transaction path designates. */
export function resolveTxPath(map: TransactionVfsMap, location: string, path: string): Uint8Array {
  const bytes = fromLatin1(path);
  if (location === 'plain') return concatBytes([utf8(map.hgDir), SLASH, bytes]);
  if (location === '') return concatBytes([utf8(map.storeDir), SLASH, encodeStorePath(bytes, map.layout)]);
  throw new StorageError(`unknown transaction file location ${JSON.stringify(location)}`);
}

function splitPath(path: string): [dir: string, name: string] {
  const i = path.lastIndexOf('/');
  return i < 0 ? ['', path] : [path.slice(0, i), path.slice(i + 1)];
}

function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

function fileSize(map: TransactionVfsMap, p: Uint8Array): number | undefined {
  const st = map.vfs.tryStat(p);
  return st === undefined ? undefined : st.size;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * transaction._playback: truncates each journaled file back to its recorded
 * length (the last entry of a file wins; length 0 unlinks it when `unlink`,
 * or when it is in `created`), restores the backups, then removes the
 * journal, its backupfiles and the used backups.
 */
export function playback(
  map: TransactionVfsMap,
  journal: string,
  report: (message: string) => void,
  entries: ReadonlyArray<readonly [string, number]>,
  backupEntries: readonly BackupEntry[],
  unlink: boolean,
  created?: ReadonlySet<string>,
): void {
  const last = new Map<string, number>();
  for (const [f, o] of entries) last.set(f, o);
  const files = [...last.keys()].sort();
  for (const f of files) {
    const o = last.get(f)!;
    const p = resolveTxPath(map, '', f);
    if (o || !(unlink || created?.has(f))) {
      try {
        const size = fileSize(map, p);
        if (size === undefined) {
          if (o > 0) throw new AbortError(`attempted to truncate ${f} to ${o} bytes, but it was already 0 bytes`);
          continue;
        }
        if (size < o) throw new AbortError(`attempted to truncate ${f} to ${o} bytes, but it was already ${size} bytes`);
        map.vfs.truncate(p, o);
      } catch (e) {
        if (e instanceof IoError) report(`failed to truncate ${f}\n`);
        throw e;
      }
    } else {
      map.vfs.tryUnlink(p);
    }
  }
  const restored: Array<[string, string]> = [];
  for (const [l, f, b, c] of backupEntries) {
    if (l !== '' && l !== 'plain') {
      if (c) report(`couldn't handle ${b}: unknown cache location ${l}\n`);
      continue;
    }
    try {
      if (f && b) {
        try {
          map.vfs.copyFile(resolveTxPath(map, l, b), resolveTxPath(map, l, f));
          restored.push([l, b]);
        } catch (e) {
          report(`failed to recover ${f} (${errorText(e)})\n`);
        }
      } else {
        map.vfs.tryUnlink(resolveTxPath(map, l, f || b));
      }
    } catch (e) {
      if (!c) throw e;
    }
  }
  map.vfs.tryUnlink(resolveTxPath(map, '', `${journal}.backupfiles`));
  map.vfs.tryUnlink(resolveTxPath(map, '', journal));
  for (const [l, b] of restored) {
    try {
      map.vfs.tryUnlink(resolveTxPath(map, l, b));
    } catch {
      // only a backup copy is left behind
    }
  }
}

/** Parses journal contents: `<path>\0<offset>\n` lines (bad lines reported and skipped, as hg). */
export function parseJournal(data: Uint8Array, report: (message: string) => void): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const text = latin1(data);
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    end = end < 0 ? text.length : end + 1;
    const line = text.slice(start, end);
    start = end;
    const parts = line.split('\0');
    const num = parts.length === 2 ? parts[1]!.trim() : '';
    if (parts.length === 2 && /^[+-]?\d+$/.test(num)) out.push([parts[0]!, Number(num)]);
    else report(`couldn't read journal entry ${pyBytesRepr(line)}!\n`);
  }
  return out;
}

/** Parses `*.backupfiles` contents; undefined (with hg's message reported) when its version is not 2. */
export function parseBackupFiles(data: Uint8Array, report: (message: string) => void): BackupEntry[] {
  const text = latin1(data);
  if (text.length === 0) return [];
  const lines = text.split(/(?<=\n)/);
  const ver = lines[0]!.slice(0, -1);
  if (ver !== String(JOURNAL_VERSION)) {
    report('journal was created by a different version of Mercurial\n');
    return [];
  }
  const out: BackupEntry[] = [];
  for (const raw of lines.slice(1)) {
    if (!raw) continue;
    const parts = raw.slice(0, -1).split('\0');
    if (parts.length !== 4) throw new AbortError(`invalid backup file entry ${pyBytesRepr(raw)}`);
    // hg: bool(c) of the bytes field, true for any non-empty value
    out.push([parts[0]!, parts[1]!, parts[2]!, parts[3]!.length > 0]);
  }
  return out;
}

function pyBytesRepr(s: string): string {
  let out = "b'";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (s[i] === "'" || s[i] === '\\') out += '\\' + s[i];
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += s[i];
  }
  return out + "'";
}

/**
 * transaction.rollback: plays back the journal `journal` (and its
 * `.backupfiles`) of the store, unlinking files the transaction created.
 * Used by recover (journal) and rollback (undo).
 */
export function rollbackJournal(map: TransactionVfsMap, journal: string, report: (message: string) => void): void {
  const jpath = resolveTxPath(map, '', journal);
  const entries = parseJournal(map.vfs.read(jpath), report);
  const bdata = map.vfs.tryRead(resolveTxPath(map, '', `${journal}.backupfiles`));
  const backups = bdata === undefined ? [] : parseBackupFiles(bdata, report);
  playback(map, journal, report, entries, backups, true);
}

/**
 * A journaled transaction over a store. Create with Transaction.open (or
 * openRepoTransaction for a repository); end with close() or abort(); wrap
 * the work in try/finally with release() so that an exception aborts it.
 */
export class Transaction {
  readonly map: TransactionVfsMap;
  readonly journal: string;
  readonly undo: string | null;
  /** hg's tr.changes: free-form bookkeeping shared by the writers. */
  readonly changes: Map<string, unknown> = new Map();

  private count = 1;
  private usages = 1;
  private readonly names: string[];
  private readonly report: (message: string) => void;
  private after: (() => void) | undefined;
  private onRelease: ((tr: Transaction, success: boolean) => void) | undefined;
  private readonly offsetMap = new Map<string, number>();
  private readonly newFiles = new Set<string>();
  /** New files that did not exist at all: an abort removes them (hg leaves them empty). */
  private readonly createdFiles = new Set<string>();
  private readonly entries: Array<[string, number]> = [];
  private backupEntries: BackupEntry[] = [];
  private readonly backupMap = new Map<string, number>();
  private journalFile: WriteHandle | undefined;
  private backupsFile: WriteHandle | undefined;
  private readonly fileGenerators = new Map<string, FileGenerator>();
  private validators: Map<string, Callback> | undefined = new Map();
  private finalizers: Map<string, Callback> | undefined = new Map();
  private postClose: Map<string, Callback> | undefined = new Map();
  private aborters: Map<string, Callback> | undefined = new Map();
  private readonly endCallbacks = new Map<string, (tr: Transaction, success: boolean) => void>();
  private fncacheValue: Fncache | undefined;
  private unregisterCleanup: (() => void) | undefined;

  private constructor(opts: TransactionOptions) {
    this.map = opts.map;
    this.journal = opts.journal ?? 'journal';
    this.undo = opts.undo === undefined ? 'undo' : opts.undo;
    this.names = [opts.name ?? '<unnamed>'];
    this.report = opts.report ?? (() => {});
    this.after = opts.after;
    this.onRelease = opts.onRelease;
    this.fncacheValue = opts.fncache;
  }

  /**
   * Starts a transaction: creates the journal and `journal.backupfiles`.
   * Refuses (hg's message) when a journal is already there: an interrupted
   * transaction must be recovered first.
   */
  static open(opts: TransactionOptions): Transaction {
    const tr = new Transaction(opts);
    const map = tr.map;
    const jpath = resolveTxPath(map, '', tr.journal);
    if (map.vfs.exists(jpath)) {
      throw new AbortError('abandoned transaction found', { hint: "run 'hg recover' to clean up transaction" });
    }
    tr.journalFile = map.vfs.open(jpath, 'truncate');
    tr.backupsFile = map.vfs.open(resolveTxPath(map, '', `${tr.journal}.backupfiles`), 'truncate');
    tr.backupsFile.write(fromLatin1(`${JOURNAL_VERSION}\n`));
    if (map.layout.fncache) tr.addFinalize('flush-fncache', (t) => t.writeFncache());
    tr.unregisterCleanup = registerCleanup(() => {
      if (tr.running) tr.abortNow();
    });
    return tr;
  }

  get name(): string {
    return this.names.join('/');
  }

  /** True until the transaction is closed or aborted. */
  get running(): boolean {
    return this.count > 0;
  }

  private active(): void {
    if (this.count === 0) throw new StorageError('cannot use transaction when it is already committed/aborted');
  }

  /** The resolved (encoded) file of a transaction path. */
  path(path: TxPath, location: Location = ''): Uint8Array {
    return resolveTxPath(this.map, location, keyOf(path));
  }

  // ---- append-only files

  /**
   * Records the length of a store file before it is appended to (`offset`
   * 0: the file is new or empty). Only the first record of a file counts.
   * Call it before writing.
   */
  add(file: TxPath, offset: number): void {
    this.active();
    const f = keyOf(file);
    if (this.newFiles.has(f) || this.offsetMap.has(f) || this.backupMap.has(f)) return;
    this.addEntry(f, offset);
  }

  private addEntry(f: string, offset: number): void {
    if (offset) this.offsetMap.set(f, offset);
    else {
      this.newFiles.add(f);
      if (!this.map.vfs.exists(resolveTxPath(this.map, '', f))) this.createdFiles.add(f);
    }
    this.writeJournal(f, offset);
  }

  private writeJournal(f: string, offset: number): void {
    this.entries.push([f, offset]);
    this.journalFile!.write(fromLatin1(`${f}\0${offset}\n`));
  }

  /** The recorded length of a file (0 for a new one), undefined when not journaled. */
  findOffset(file: TxPath): number | undefined {
    this.active();
    const f = keyOf(file);
    if (this.newFiles.has(f)) return 0;
    return this.offsetMap.get(f);
  }

  /** Changes the recorded length of an already journaled file (hg's replace). */
  replace(file: TxPath, offset: number): void {
    this.active();
    const f = keyOf(file);
    if (this.newFiles.has(f)) {
      if (!offset) return;
      this.newFiles.delete(f);
      this.offsetMap.set(f, offset);
    } else if (this.offsetMap.has(f)) {
      if (!offset) {
        this.offsetMap.delete(f);
        this.newFiles.add(f);
      } else this.offsetMap.set(f, offset);
    } else {
      throw new StorageError(`${f} not found in the transaction`);
    }
    this.writeJournal(f, offset);
  }

  /** The journal entries written so far, in order (hg's readjournal). */
  readJournal(): Array<[string, number]> {
    return this.entries.map(([f, o]) => [f, o]);
  }

  // ---- backups

  private backupName(file: string): string {
    const [dir, name] = splitPath(file);
    return joinPath(dir, `${this.journal}.backup.${name}`);
  }

  /**
   * Saves a copy (hard link) of a file about to be replaced as a whole
   * (atomically: never modify a backed-up file in place), restored if the
   * transaction fails. A file that does not exist is removed on failure.
   */
  addBackup(file: TxPath, location: Location = ''): void {
    this.active();
    const f = keyOf(file);
    if (this.newFiles.has(f) || this.offsetMap.has(f) || this.backupMap.has(f)) return;
    let b = this.backupName(f);
    const src = resolveTxPath(this.map, location, f);
    if (this.map.vfs.exists(src)) this.map.vfs.copyFile(src, resolveTxPath(this.map, location, b), { hardlink: true });
    else b = '';
    this.addBackupEntry([location, f, b, false]);
  }

  /**
   * Records `content` as the backup of `file` (restored on failure), for a
   * file whose pre-transaction content is not its current one: the revlog
   * writer uses it before rewriting an inline revlog as a split one. Unlike
   * addBackup, it is allowed for a journaled file: playback then truncates
   * (or unlinks) the file first and copies the backup over it.
   */
  addBackupContent(file: TxPath, content: Uint8Array, location: Location = ''): void {
    this.active();
    const f = keyOf(file);
    if (this.backupMap.has(f)) return;
    // Not hg's `<dir>/journal.backup.<name>`: a revlog backup named like a
    // revlog (`data/undo.backup.foo.i` once kept for undo) would be taken for
    // one by store walks (hg's issue6542). At the store root, with a hashed
    // name, it never is; hg restores any backup path.
    const b = `${this.journal}.backup.revlog-${toHex(sha1(fromLatin1(f)))}`;
    this.map.vfs.write(resolveTxPath(this.map, location, b), content);
    this.addBackupEntry([location, f, b, false]);
  }

  /** A temporary file of the transaction, removed when it ends (either way). */
  registerTmp(file: TxPath, location: Location = ''): void {
    this.active();
    this.addBackupEntry([location, '', keyOf(file), false]);
  }

  /**
   * Replaces a file atomically, crash-safe under this transaction: the new
   * content goes to a temporary file registered first (so that a rollback,
   * hg's included, removes it if the process dies before the rename), which
   * is then renamed over `file`. With `append`, the content is the current
   * one followed by `data`. Back the file up first if the transaction must be
   * able to restore it.
   */
  replaceFile(file: TxPath, data: Uint8Array | readonly Uint8Array[], opts: { location?: Location; append?: boolean } = {}): void {
    this.active();
    const f = keyOf(file);
    const location = opts.location ?? '';
    const tmp = `${f}.tmp-${nodeCrypto().randomBytes(5).toString('hex')}`;
    this.registerTmp(tmp, location);
    const vfs = this.map.vfs;
    const target = resolveTxPath(this.map, location, f);
    const tmpPath = resolveTxPath(this.map, location, tmp);
    const chunks = data instanceof Uint8Array ? [data] : [...data];
    if (opts.append) {
      const old = vfs.tryRead(target);
      if (old !== undefined) chunks.unshift(old);
    }
    vfs.write(tmpPath, chunks);
    vfs.rename(tmpPath, target);
  }

  private addBackupEntry(entry: BackupEntry): void {
    this.backupEntries.push(entry);
    this.backupMap.set(entry[1], this.backupEntries.length - 1);
    const [l, f, b, c] = entry;
    this.backupsFile!.write(fromLatin1(`${l}\0${f}\0${b}\0${c ? 1 : 0}\n`));
  }

  // ---- fncache

  /** The store's fncache (loaded on first use), or undefined without the fncache layout. */
  get fncache(): Fncache | undefined {
    if (!this.map.layout.fncache) return undefined;
    if (!this.fncacheValue) {
      const data = this.map.vfs.tryRead(resolveTxPath(this.map, '', 'fncache'));
      this.fncacheValue = new Fncache(data === undefined ? [] : parseFncache(data));
    }
    return this.fncacheValue;
  }

  /** Notes that a store file was created, so that it is listed in the fncache (data/ and meta/ files). */
  registerStoreFile(file: TxPath): void {
    const f = keyOf(file);
    if (!f.startsWith('data/') && !f.startsWith('meta/')) return;
    this.fncache?.add(f);
  }

  private writeFncache(): void {
    const fnc = this.fncacheValue;
    if (!fnc) return;
    const w = fnc.takeWrite();
    if (!w) return;
    this.addBackup('fncache');
    this.replaceFile('fncache', w.data, { append: w.append });
  }

  // ---- callbacks

  /** Files written (atomically, after a backup) when the transaction closes: gen returns one content per name. */
  addFileGenerator(id: string, names: readonly TxPath[], gen: () => Uint8Array[], opts: FileGeneratorOptions = {}): void {
    this.active();
    this.fileGenerators.set(id, {
      names: names.map(keyOf),
      gen,
      location: opts.location ?? '',
      postFinalize: opts.postFinalize ?? false,
    });
  }

  removeFileGenerator(id: string): void {
    this.active();
    this.fileGenerators.delete(id);
  }

  /** Called at close, before the finalizers; throw to abort the transaction. */
  addValidator(category: string, cb: Callback): void {
    this.active();
    this.validators?.set(category, cb);
  }

  /** Called at close (sorted by category); may add further finalizers. */
  addFinalize(category: string, cb: Callback): void {
    this.active();
    this.finalizers?.set(category, cb);
  }

  hasFinalize(category: string): boolean {
    return this.finalizers?.has(category) ?? false;
  }

  /** Called after a successful close. */
  addPostClose(category: string, cb: Callback): void {
    this.active();
    this.postClose?.set(category, cb);
  }

  /** Called when the transaction aborts, before the files are truncated back. */
  addAbort(category: string, cb: Callback): void {
    this.active();
    this.aborters?.set(category, cb);
  }

  /**
   * Called once the transaction is over: after a successful close (before
   * the post-close callbacks) or after an abort has truncated the files back.
   * Writers use it to drop in-memory state that no longer matches the files.
   */
  addEndCallback(category: string, cb: (tr: Transaction, success: boolean) => void): void {
    this.active();
    this.endCallbacks.set(category, cb);
  }

  private runEndCallbacks(success: boolean): void {
    const cbs = this.endCallbacks;
    for (const cat of [...cbs.keys()].sort()) {
      try {
        cbs.get(cat)!(this, success);
      } catch (e) {
        if (success) throw e;
      }
    }
    cbs.clear();
  }

  // ---- nesting and ending

  /** Enters a nested use of this transaction (each nest needs a close and a release). */
  nest(name = '<unnamed>'): this {
    this.active();
    this.count++;
    this.usages++;
    this.names.push(name);
    return this;
  }

  /** Leaves a use; the last release of a transaction that was not closed aborts it. */
  release(): void {
    if (this.count > 0) this.usages--;
    if (this.names.length > 0) this.names.pop();
    if (this.count > 0 && this.usages === 0) this.abortNow();
  }

  private generateFiles(group: 'pre' | 'post'): void {
    const ids = [...this.fileGenerators.keys()].sort();
    for (const id of ids) {
      const g = this.fileGenerators.get(id)!;
      if (g.postFinalize !== (group === 'post')) continue;
      const contents = g.gen();
      for (let i = 0; i < g.names.length; i++) {
        const name = g.names[i]!;
        this.addBackup(name, g.location);
        this.replaceFile(name, contents[i] ?? new Uint8Array(0), { location: g.location });
      }
    }
  }

  private static runSorted(callbacks: Map<string, Callback>, tr: Transaction): void {
    for (const cat of [...callbacks.keys()].sort()) callbacks.get(cat)!(tr);
  }

  /** Commits the transaction (the outermost close does the work). */
  close(): void {
    this.active();
    if (this.count === 1) {
      Transaction.runSorted(this.validators ?? new Map(), this);
      this.validators = undefined;
      this.generateFiles('pre');
      while (this.finalizers && this.finalizers.size > 0) {
        const cbs = this.finalizers;
        this.finalizers = new Map();
        Transaction.runSorted(cbs, this);
      }
      this.finalizers = undefined;
      this.generateFiles('post');
    }
    this.count--;
    if (this.count !== 0) return;
    this.journalFile!.close();
    this.backupsFile!.close();
    this.journalFile = undefined;
    this.backupsFile = undefined;
    const vfs = this.map.vfs;
    // temporary files
    for (const [l, f, b] of this.backupEntries) {
      if (!f && b) vfs.tryUnlink(resolveTxPath(this.map, l, b));
    }
    this.offsetMap.clear();
    this.newFiles.clear();
    this.writeUndo();
    if (this.after) {
      const a = this.after;
      this.after = undefined;
      a();
    }
    vfs.tryUnlink(resolveTxPath(this.map, '', `${this.journal}.backupfiles`));
    vfs.tryUnlink(resolveTxPath(this.map, '', this.journal));
    for (const [l, , b] of this.backupEntries) {
      if (b) vfs.tryUnlink(resolveTxPath(this.map, l, b));
    }
    this.backupEntries = [];
    this.unregisterCleanup?.();
    this.unregisterCleanup = undefined;
    const rel = this.onRelease;
    this.onRelease = undefined;
    rel?.(this, true);
    this.runEndCallbacks(true);
    const post = this.postClose ?? new Map();
    this.postClose = undefined;
    Transaction.runSorted(post, this);
  }

  private writeUndo(): void {
    if (this.undo === null) return;
    const lines = [`${JOURNAL_VERSION}\n`];
    for (const [l, f, b, c] of this.backupEntries) {
      if (!f) continue; // temporary file
      let u = '';
      if (b) {
        const [dir, name] = splitPath(b);
        u = joinPath(dir, name.replace(this.journal, this.undo));
        this.map.vfs.copyFile(resolveTxPath(this.map, l, b), resolveTxPath(this.map, l, u), { hardlink: true });
      }
      lines.push(`${l}\0${f}\0${u}\0${c ? 1 : 0}\n`);
    }
    this.map.vfs.write(resolveTxPath(this.map, '', `${this.undo}.backupfiles`), fromLatin1(lines.join('')));
  }

  /** Rolls the transaction back now (whatever the nesting). */
  abort(): void {
    this.active();
    this.abortNow();
  }

  private abortNow(): void {
    if (this.journalFile === undefined) return; // already closed or aborted
    const entries = this.readJournalIfOpen();
    this.count = 0;
    this.usages = 0;
    this.journalFile?.close();
    this.backupsFile?.close();
    this.journalFile = undefined;
    this.backupsFile = undefined;
    this.unregisterCleanup?.();
    this.unregisterCleanup = undefined;
    const vfs = this.map.vfs;
    try {
      if (entries.length === 0 && this.backupEntries.length === 0) {
        vfs.tryUnlink(resolveTxPath(this.map, '', `${this.journal}.backupfiles`));
        vfs.tryUnlink(resolveTxPath(this.map, '', this.journal));
        return;
      }
      this.report('transaction abort!\n');
      try {
        const aborters = this.aborters ?? new Map();
        this.aborters = undefined;
        Transaction.runSorted(aborters, this);
        playback(this.map, this.journal, this.report, entries, this.backupEntries, false, this.createdFiles);
        this.report('rollback completed\n');
      } catch (e) {
        this.report('rollback failed - please run hg recover\n');
        this.report(`(failure reason: ${errorText(e)})\n`);
      }
    } finally {
      const rel = this.onRelease;
      this.onRelease = undefined;
      try {
        rel?.(this, false);
      } finally {
        this.runEndCallbacks(false);
      }
    }
  }

  private readJournalIfOpen(): Array<[string, number]> {
    return this.entries.slice();
  }
}

// ---------------------------------------------------------------------------
// Repository level

/** What a repository transaction needs to know about the repository (a Repository fits). */
export interface RepoTransactionTarget {
  readonly root: string;
  readonly hgDir: string;
  readonly storeDir: string;
  readonly layout: StoreLayout;
  readonly requirements: ReadonlySet<string>;
  readonly changelog: { readonly length: number };
}

export interface RepoTransactionOptions {
  /** The writable file system (default: node:fs). */
  vfs?: WritableVfs;
  /** hg's ui.warn for "transaction abort!" / "rollback completed". */
  report?: (message: string) => void;
  /** Called when the transaction ends (success or not), after hg's own handling. */
  onRelease?: (tr: Transaction, success: boolean) => void;
  fncache?: Fncache;
}

/** The transaction's view of a repository's files. */
export function repoVfsMap(repo: RepoTransactionTarget, vfs: WritableVfs = new NodeWritableVfs()): TransactionVfsMap {
  return { vfs, storeDir: repo.storeDir, hgDir: repo.hgDir, layout: repo.layout };
}

/**
 * localrepo.transaction: saves the repository state hg's rollback needs
 * (`journal.dirstate`, `journal.branch`, `journal.desc` = `<changesets
 * before>\n<desc>\n`, `journal.bookmarks`, `store/journal.phaseroots`), opens
 * the store journal, and at close renames all of them to `undo*`. On abort,
 * the dirstate is restored from `journal.dirstate`. Hold the store lock
 * (and the wlock first when the working copy changes too).
 */
export function openRepoTransaction(repo: RepoTransactionTarget, desc: string, opts: RepoTransactionOptions = {}): Transaction {
  const map = repoVfsMap(repo, opts.vfs);
  const vfs = map.vfs;
  const plain = (name: string): Uint8Array => resolveTxPath(map, 'plain', name);
  const store = (name: string): Uint8Array => resolveTxPath(map, '', name);
  if (vfs.exists(store('journal'))) {
    throw new AbortError('abandoned transaction found', { hint: "run 'hg recover' to clean up transaction" });
  }
  const bookmarksIn = repo.requirements.has('bookmarksinstore') ? store : plain;
  // journal files (localrepo._writejournal)
  const dirstate = vfs.tryRead(plain('dirstate'));
  vfs.tryUnlink(plain('journal.dirstate'));
  if (dirstate !== undefined) vfs.write(plain('journal.dirstate'), dirstate);
  const branch = vfs.tryRead(plain('branch'));
  const branchName = branch === undefined ? '' : latin1(branch).trim();
  vfs.write(plain('journal.branch'), fromLatin1(branchName || 'default'));
  vfs.write(plain('journal.desc'), utf8(`${repo.changelog.length}\n${desc}\n`));
  vfs.write(bookmarksIn('journal.bookmarks'), vfs.tryRead(bookmarksIn('bookmarks')) ?? new Uint8Array(0));
  vfs.write(store('journal.phaseroots'), vfs.tryRead(store('phaseroots')) ?? new Uint8Array(0));

  const renames: Array<[Uint8Array, Uint8Array]> = [
    [store('journal'), store('undo')],
    [store('journal.narrowspec'), store('undo.narrowspec')],
    [plain('journal.narrowspec.dirstate'), plain('undo.narrowspec.dirstate')],
    [plain('journal.dirstate'), plain('undo.dirstate')],
    [plain('journal.branch'), plain('undo.branch')],
    [plain('journal.desc'), plain('undo.desc')],
    [bookmarksIn('journal.bookmarks'), bookmarksIn('undo.bookmarks')],
    [store('journal.phaseroots'), store('undo.phaseroots')],
  ];
  const after = (): void => {
    for (const [src, dst] of renames) {
      vfs.tryUnlink(dst);
      try {
        vfs.rename(src, dst);
      } catch (e) {
        if (!(e instanceof IoError && e.errno === 'ENOENT')) throw e;
      }
    }
  };
  const onRelease = (tr: Transaction, success: boolean): void => {
    if (!success) {
      // dirstate.restorebackup(None, 'journal.dirstate')
      if (vfs.exists(plain('journal.dirstate'))) vfs.rename(plain('journal.dirstate'), plain('dirstate'));
      else vfs.tryUnlink(plain('dirstate'));
    }
    opts.onRelease?.(tr, success);
  };
  return Transaction.open({ map, name: desc, report: opts.report, after, onRelease, fncache: opts.fncache });
}

/** Lock options with the repository's descriptions filled in. */
type RepoLockOptions = Omit<LockOptions, 'desc'> & { vfs?: WritableVfs };

/** `.hg/wlock` ("working directory of <root>"). Take it before the store lock. */
export function lockWorkingCopy(repo: RepoTransactionTarget, opts: RepoLockOptions = {}): Promise<Lock> {
  const vfs = opts.vfs ?? new NodeWritableVfs();
  return Lock.acquire(vfs, `${repo.hgDir}/wlock`, { ...opts, desc: `working directory of ${repo.root}` });
}

/** `.hg/store/lock` ("repository <root>"). */
export function lockStore(repo: RepoTransactionTarget, opts: RepoLockOptions = {}): Promise<Lock> {
  const vfs = opts.vfs ?? new NodeWritableVfs();
  return Lock.acquire(vfs, `${repo.storeDir}/lock`, { ...opts, desc: `repository ${repo.root}` });
}

export interface RecoverOptions extends RepoLockOptions {
  /** hg's ui.status ("rolling back interrupted transaction"). */
  onStatus?: (message: string) => void;
}

/**
 * localrepo.recover: under the store lock, plays back an interrupted
 * transaction's journal. True if there was one; false (after warning "no
 * interrupted transaction available") if not.
 */
export async function recoverTransaction(repo: RepoTransactionTarget, opts: RecoverOptions = {}): Promise<boolean> {
  const vfs = opts.vfs ?? new NodeWritableVfs();
  const lock = await lockStore(repo, { ...opts, vfs });
  try {
    const map = repoVfsMap(repo, vfs);
    if (vfs.exists(resolveTxPath(map, '', 'journal'))) {
      opts.onStatus?.('rolling back interrupted transaction\n');
      rollbackJournal(map, 'journal', opts.onWarn ?? (() => {}));
      return true;
    }
    opts.onWarn?.('no interrupted transaction available\n');
    return false;
  } finally {
    lock.release();
  }
}

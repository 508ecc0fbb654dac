// A SubtreeWalker on a worker thread (node:worker_threads), so that the
// system calls of a large status run on two cores: the worker lists and
// lstats whole top-level directories while the main thread walks the others.
// Directories are claimed through a SharedArrayBuffer (the worker from the
// end of the list, the main thread from the start), so neither waits for
// the other's share: a worker started early, or a main thread slowed down,
// simply takes more.
//
// The worker's code is plain JavaScript started with `eval: true` (no
// separate bundle entry, and no bundler rewrites its `require` calls). It
// answers with one message: per directory its names, kinds and lstat data
// (transferred, not copied), or the error that stopped its listing.

import { Worker } from 'node:worker_threads';
import { WorkingFsError, type DirEntries, type SubtreeWalker } from './working-fs.js';
import { fastFsAvailable, strerrorOf } from './node-fs.js';

interface WalkRequest {
  prefix: string;
  dirs: string[];
  /** One Int32 per dir: 0 free, 1 main thread, 2 worker. */
  claims: SharedArrayBuffer;
  ignore: string | null;
  listIgnored: boolean;
  fast: boolean;
}

type WalkReply = [dir: string, names: string[] | null, kinds: Uint8Array | null, stats: Float64Array | null, code: string | null, errText: string | null][];

// Runs as a CommonJS script in its own isolate: node builtins only. Paths
// are latin1 strings of their bytes (names from readdir in 'latin1').
const WORKER_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const NON_ASCII = /[^\x00-\x7f]/;
parentPort.on('message', (req) => {
  const out = [];
  const transfer = [];
  let binding = null;
  if (req.fast) {
    try { binding = process.binding('fs'); } catch { binding = null; }
  }
  const ignore = req.ignore === null ? null : new RegExp(req.ignore);
  const asciiPrefix = !NON_ASCII.test(req.prefix);
  const fsPath = (rel) => (asciiPrefix && !NON_ASCII.test(rel) ? req.prefix + rel : Buffer.from(req.prefix + rel, 'latin1'));
  const st3 = [0, 0, 0];
  const stat = (rel) => {
    st3[0] = 0; st3[1] = 0; st3[2] = 0;
    try {
      if (binding) {
        const v = binding.lstat(fsPath(rel), false, undefined, false);
        if (v !== undefined) { st3[0] = v[1]; st3[1] = v[8]; st3[2] = v[12]; }
      } else {
        const st = fs.lstatSync(fsPath(rel), { bigint: true, throwIfNoEntry: false });
        if (st !== undefined) { st3[0] = Number(st.mode); st3[1] = Number(st.size); st3[2] = Number(st.mtimeNs / 1000000000n); }
      }
    } catch {}
    return st3;
  };
  const claims = new Int32Array(req.claims);
  const stack = [];
  let next = req.dirs.length - 1;
  for (;;) {
    if (stack.length === 0) {
      // the next top-level directory from the end, unless the main thread has it
      if (next < 0 || Atomics.compareExchange(claims, next, 0, 2) !== 0) break;
      stack.push(req.dirs[next--]);
    }
    const dir = stack.pop();
    let names, types;
    try {
      if (binding) [names, types] = binding.readdir(fsPath(dir), 'latin1', true);
      else {
        const ents = fs.readdirSync(fsPath(dir), { withFileTypes: true, encoding: 'latin1' });
        names = ents.map((e) => e.name);
        types = ents.map((e) => (e.isFile() ? 1 : e.isDirectory() ? 2 : e.isSymbolicLink() ? 3 : 4));
      }
    } catch (err) {
      out.push([dir, null, null, null, String(err.code || 'EIO'), String(err.message)]);
      continue;
    }
    const n = names.length;
    const kinds = new Uint8Array(n);
    const stats = new Float64Array(3 * n);
    let nested = false;
    for (let i = 0; i < n; i++) if (names[i] === '.hg' && types[i] === 2) nested = true;
    const subdirs = [];
    for (let i = 0; i < n; i++) {
      let t = types[i];
      const rel = dir + '/' + names[i];
      if (t === 0) {
        const k = stat(rel)[0] & 0o170000;
        t = k === 0o100000 ? 1 : k === 0o040000 ? 2 : k === 0o120000 ? 3 : 4;
      }
      // libuv's UV_DIRENT_* to KIND_* (1 file, 2 dir, 3 symlink, 4 other)
      const kind = t === 1 ? 1 : t === 2 ? 2 : t === 3 ? 3 : 4;
      kinds[i] = kind;
      if (nested) continue;
      if (kind === 2) {
        if (req.listIgnored || ignore === null || !ignore.test(rel)) subdirs.push(rel);
      } else if (kind === 1 || kind === 3) {
        const s = stat(rel);
        stats[3 * i] = s[0]; stats[3 * i + 1] = s[1]; stats[3 * i + 2] = s[2];
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
    out.push([dir, names, kinds, stats, null, null]);
    transfer.push(kinds.buffer, stats.buffer);
  }
  parentPort.postMessage(out, transfer);
});
`;

export class NodeSubtreeWalker implements SubtreeWalker {
  private worker: Worker | undefined;
  private readonly prefix: string;
  private claims: Int32Array | undefined;
  private readonly index = new Map<string, number>();
  private pending: Promise<Map<string, DirEntries | WorkingFsError>> | undefined;

  /** `root`: the working copy (OS path). The thread boots now, to be ready when started. */
  constructor(root: string) {
    this.prefix = Buffer.from(root, 'utf8').toString('latin1') + '/';
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref();
  }

  /**
   * Starts the worker on `dirs`: the top-level directories the walk will
   * enter (latin1 names), in the order the main thread meets them.
   * `ignore`: the ignore expression's JavaScript source (hgignore.ts), null
   * when nothing is ignored.
   */
  start(dirs: readonly string[], opts: { ignore: string | null; listIgnored: boolean }): void {
    const w = this.worker;
    if (!w || this.pending) return;
    const sab = new SharedArrayBuffer(4 * Math.max(1, dirs.length));
    this.claims = new Int32Array(sab);
    dirs.forEach((d, i) => this.index.set(d, i));
    const req: WalkRequest = {
      prefix: this.prefix,
      dirs: [...dirs],
      claims: sab,
      ignore: opts.listIgnored ? null : opts.ignore,
      listIgnored: opts.listIgnored,
      fast: fastFsAvailable(),
    };
    this.pending = new Promise((resolve, reject) => {
      w.once('message', (reply: WalkReply) => {
        const m = new Map<string, DirEntries | WorkingFsError>();
        for (const [dir, names, kinds, stats, code, text] of reply) {
          if (names === null) m.set(dir, new WorkingFsError(code!, strerrorOf({ code, message: text })));
          else m.set(dir, { names, kinds: kinds!, stats: stats! });
        }
        resolve(m);
      });
      w.once('error', reject);
    });
    w.postMessage(req);
  }

  claim(dir: string): boolean {
    const i = this.index.get(dir);
    if (i === undefined || this.claims === undefined) return true;
    return Atomics.compareExchange(this.claims, i, 0, 1) !== 2;
  }

  result(): Promise<Map<string, DirEntries | WorkingFsError>> {
    return this.pending ?? Promise.resolve(new Map());
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

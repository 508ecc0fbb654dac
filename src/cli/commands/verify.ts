// hg verify: runs the store/verify.ts checks and prints what hg 6.3.2 prints
// (status lines on stdout, problems on stderr, the summary, exit code 1 when
// integrity errors were found).
//
// On large repositories the per-file storage checks (read, decompress, hash)
// are shared with one helper thread: it claims chunks of files from the
// front of the list while the verifier claims them from the back (see
// IntegrityHelpers). The helper is this very module, loaded in a worker.
// HGKIT_VERIFY_HELPERS=0 turns it off; =force uses it whatever the size
// (tests).
import {
  MessageChannel,
  Worker,
  isMainThread,
  receiveMessageOnPort,
  workerData,
  type MessagePort,
} from 'node:worker_threads';
import type { CommandContext } from '../context.js';
import { optBool, optList } from '../context.js';
import { CommandLineError } from '../options.js';
import { decodeUtf8, fromLatin1, hexBytesToBin, latin1 } from '../../core/bytes.js';
import { shortHex } from '../../core/node.js';
import type { Repository } from '../../store/repo.js';
import type { Ui } from '../ui.js';
import { NodeVfs } from '../../vfs/node-vfs.js';
import type { StoreLayout } from '../../vfs/store-encoding.js';
import {
  HINT_FNCACHE,
  StoreAccess,
  checkFileIntegrity,
  decodeIntegrityChunk,
  encodeIntegrityChunk,
  verifyEventText,
  verifyRepository,
  type FileIntegrity,
  type IntegrityChunkMessage,
  type IntegrityHelpers,
  type IntegrityParams,
  type VerifyEvent,
} from '../../store/verify.js';

export function run(ctx: CommandContext): number {
  if (ctx.args.length > 0) throw new CommandLineError('invalid arguments', 'verify');
  const repo = ctx.repo();
  const ui = ctx.ui;
  const line = (ev: VerifyEvent): Uint8Array => fromLatin1(verifyEventText(ev) + '\n');
  const mode = ctx.env['HGKIT_VERIFY_HELPERS'];
  const helpers = mode === '0' ? undefined : new WorkerHelpers(repo.storeDir, repo.layout, mode === 'force' ? 1 : 128);
  const res = verifyRepository(repo, {
    full: optBool(ctx.opts, 'full'),
    verbose: ui.verbose,
    helpers,
    helperMinFiles: mode === 'force' ? 0 : 20_000,
    censorPolicy: configValue(ctx, 'censor', 'policy'),
    onEvent(ev) {
      if (ev.type === 'status') ui.status(line(ev));
      else ui.warn(line(ev));
    },
  });
  ui.status(`checked ${res.changesets} changesets with ${res.fileRevisions} changes to ${res.files} files\n`);
  if (res.warnings) ui.warn(`${res.warnings} warnings encountered!\n`);
  if (res.fncacheWarned) ui.warn(HINT_FNCACHE + '\n');
  let rc = 0;
  if (res.errors) {
    ui.warn(`${res.errors} integrity errors encountered!\n`);
    if (res.firstDamagedRev !== undefined) ui.warn(`(first damaged changeset appears to be ${res.firstDamagedRev})\n`);
    rc = 1;
  }
  verifySubrepoLinks(repo, ui);
  return rc;
}

/**
 * hg.verify's last part: for every changeset whose .hgsubstate revision is
 * stored, each Mercurial subrepository must exist and hold the recorded
 * revision. Only warnings, never an error (as in hg: hgsubrepo.verify
 * returns 0). git and svn subrepositories are not looked at.
 */
function verifySubrepoLinks(repo: Repository, ui: Ui): void {
  const substate = repo.file(SUBSTATE);
  if (substate.length === 0) return;
  ui.status('checking subrepo links\n');
  const revs = new Set<number>();
  for (let r = 0; r < substate.length; r++) revs.add(substate.linkRev(r));
  const subrepos = new Map<string, Repository | string>();
  for (const rev of [...revs].sort((a, b) => a - b)) {
    if (rev < 0 || rev >= repo.changelog.length) continue;
    const csNode = repo.changelog.node(rev);
    let state: [path: Uint8Array, kind: string, subrev: Uint8Array][];
    try {
      state = readSubstate(repo, rev);
    } catch {
      ui.warn(`.hgsubstate is corrupt in revision ${shortHex(csNode)}\n`);
      continue;
    }
    for (const [path, kind, subrev] of state) {
      if (kind !== 'hg') continue;
      const key = latin1(path);
      let sub = subrepos.get(key);
      if (sub === undefined) {
        const root = repo.root.replace(/\/+$/, '') + '/' + decodeUtf8(path);
        try {
          // (the class through the instance: this module also runs in helper threads, which need none of it)
          sub = (repo.constructor as typeof Repository).open(root);
        } catch {
          sub = `repository ${root} not found`;
        }
        subrepos.set(key, sub);
      }
      if (typeof sub === 'string') {
        ui.warn(`${rev}: ${sub}\n`);
        continue;
      }
      const node = subrev.length === 40 ? hexBytesToBin(subrev, 0, 20) : undefined;
      let found = false;
      try {
        found = node !== undefined && sub.changelog.findRev(node) !== undefined;
      } catch {
        found = false;
      }
      if (!found) {
        ui.warn(fromLatin1(`subrepo '${key}' not found in revision ${shortHex(csNode)}\n`));
      }
    }
  }
}

const SUBSTATE = fromLatin1('.hgsubstate');
const HGSUB = fromLatin1('.hgsub');

/** A file's content in a changeset, undefined when the changeset does not have it. */
function fileAt(repo: Repository, rev: number, path: Uint8Array): Uint8Array | undefined {
  const mnode = repo.changelog.read(rev).manifest;
  const entry = repo.manifestLog.get(mnode).find(path);
  if (!entry) return undefined;
  const fl = repo.file(path);
  const frev = fl.revlog.findRev(entry.node.subarray(0, 20));
  if (frev === undefined) throw new Error('missing file revision');
  return fl.read(frev);
}

/**
 * subrepoutil.state, reduced to what verify needs: the subrepositories of
 * .hgsub (in file order) with their kind and the revision .hgsubstate records.
 * Throws where hg's parsing fails.
 */
function readSubstate(repo: Repository, rev: number): [Uint8Array, string, Uint8Array][] {
  const revs = new Map<string, Uint8Array>();
  const st = fileAt(repo, rev, SUBSTATE);
  if (st) {
    for (const raw of splitLines(st)) {
      let l = raw;
      let k = 0;
      while (k < l.length && (l[k] === 0x20 || l[k] === 0x09 || l[k] === 0x0b || l[k] === 0x0c)) k++;
      l = l.subarray(k);
      if (l.length === 0) continue;
      const sp = l.indexOf(0x20);
      if (sp < 0) throw new Error('invalid subrepository revision specifier');
      revs.set(latin1(l.subarray(sp + 1)), l.subarray(0, sp));
    }
  }
  const out: [Uint8Array, string, Uint8Array][] = [];
  const sub = fileAt(repo, rev, HGSUB);
  if (!sub) return out;
  const seen = new Map<string, number>();
  let section = '';
  for (const raw of splitLines(sub)) {
    const line = latin1(raw);
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const sec = /^\[([^\[]+)\]/.exec(t);
    if (sec && line.startsWith('[')) {
      section = sec[1]!.trim();
      continue;
    }
    if (section !== '') continue;
    const m = /^([^=\s][^=]*?)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const path = m[1]!.replace(/\\/g, '/');
    let src = m[2]!.trim();
    let kind = 'hg';
    if (src.startsWith('[')) {
      const close = src.indexOf(']');
      if (close < 0) throw new Error('missing ] in subrepository source');
      kind = src.slice(1, close);
      src = src.slice(close + 1);
    }
    const entry: [Uint8Array, string, Uint8Array] = [fromLatin1(path), kind, revs.get(m[1]!) ?? new Uint8Array(0)];
    const prev = seen.get(path);
    if (prev !== undefined) out[prev] = entry;
    else {
      seen.set(path, out.length);
      out.push(entry);
    }
  }
  return out;
}

/** bytes.splitlines(): \n, \r\n and \r end lines. */
function splitLines(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a || b[i] === 0x0d) {
      out.push(b.subarray(s, i));
      if (b[i] === 0x0d && b[i + 1] === 0x0a) i++;
      s = i + 1;
    }
  }
  if (s < b.length) out.push(b.subarray(s));
  return out;
}

/** The last `--config section.name=value` for a key (hgkit reads no hgrc files). */
function configValue(ctx: CommandContext, section: string, name: string): string | undefined {
  let v: string | undefined;
  const want = `${section}.${name}=`;
  for (const c of optList(ctx.opts, 'config')) if (c.startsWith(want)) v = c.slice(want.length);
  return v;
}

// ---------------------------------------------------------------------------
// The helper thread

const HELPER_KIND = 'hgkit-verify-integrity';

/** ctrl slots (Int32Array over a SharedArrayBuffer). */
const SIGNAL = 0; // bumped (and notified) at every message the helper posts
const DONE = 1; // 1 once the helper has stopped, for whatever reason
const STARTED = 2; // 1 once the helper has its job

interface HelperInit {
  kind: typeof HELPER_KIND;
  storeDir: string;
  layout: StoreLayout;
  ctrl: SharedArrayBuffer;
  port: MessagePort;
}

interface HelperJob {
  files: string[];
  params: IntegrityParams;
  chunkSize: number;
  claims: SharedArrayBuffer;
}

interface ChunkDone {
  chunk: number;
  msg: IntegrityChunkMessage;
}

if (!isMainThread && (workerData as HelperInit | undefined)?.kind === HELPER_KIND) runHelper(workerData as HelperInit);

function runHelper(init: HelperInit): void {
  const ctrl = new Int32Array(init.ctrl);
  const port = init.port;
  const signal = (): void => {
    Atomics.add(ctrl, SIGNAL, 1);
    Atomics.notify(ctrl, SIGNAL);
  };
  port.once('message', (job: HelperJob) => {
    Atomics.store(ctrl, STARTED, 1);
    try {
      const store = new StoreAccess(new NodeVfs(), init.storeDir, init.layout);
      const claims = new Int32Array(job.claims);
      const n = job.files.length;
      for (let c = 0; c < claims.length; c++) {
        // claims: 0 free, 1 the verifier's, 2 ours; the verifier claims from the back
        if (Atomics.compareExchange(claims, c, 0, 2) !== 0) break;
        const results: FileIntegrity[] = [];
        const end = Math.min(n, (c + 1) * job.chunkSize);
        for (let k = c * job.chunkSize; k < end; k++) results.push(checkFileIntegrity(store, job.files[k]!, job.params));
        const msg = encodeIntegrityChunk(results);
        const done: ChunkDone = { chunk: c, msg };
        port.postMessage(done, [msg.blob.buffer as ArrayBuffer, msg.ints.buffer as ArrayBuffer]);
        signal();
      }
    } finally {
      Atomics.store(ctrl, DONE, 1);
      signal();
    }
  });
}

class WorkerHelpers implements IntegrityHelpers {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(16));
  private claims: Int32Array | undefined;
  private back = -1;
  private gone = false;

  constructor(
    private readonly storeDir: string,
    private readonly layout: StoreLayout,
    readonly chunkSize: number,
  ) {}

  begin(files: readonly string[], params: IntegrityParams): void {
    const nchunks = Math.ceil(files.length / this.chunkSize);
    this.claims = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, nchunks)));
    this.back = nchunks - 1;
    try {
      const { port1, port2 } = new MessageChannel();
      const init: HelperInit = {
        kind: HELPER_KIND,
        storeDir: this.storeDir,
        layout: { store: this.layout.store, fncache: this.layout.fncache, dotencode: this.layout.dotencode },
        ctrl: this.ctrl.buffer as SharedArrayBuffer,
        port: port2,
      };
      const code = `import(${JSON.stringify(import.meta.url)}).catch(() => {});`;
      this.worker = new Worker(code, { eval: true, workerData: init, transferList: [port2] });
      this.worker.on('error', () => {
        this.gone = true;
      });
      this.worker.unref();
      this.port = port1;
      const job: HelperJob = {
        files: files as string[],
        params,
        chunkSize: this.chunkSize,
        claims: this.claims.buffer as SharedArrayBuffer,
      };
      port1.postMessage(job);
    } catch {
      this.gone = true;
    }
  }

  claimLast(): number {
    const claims = this.claims;
    if (!claims) return -1;
    while (this.back >= 0) {
      const c = this.back--;
      if (Atomics.compareExchange(claims, c, 0, 1) === 0) return c;
      // the helper claims in increasing order: everything below is its own
      this.back = -1;
    }
    return -1;
  }

  private drain(out: { chunk: number; results: FileIntegrity[] }[]): void {
    const port = this.port;
    if (!port) return;
    for (;;) {
      const m = receiveMessageOnPort(port);
      if (m === undefined) return;
      const done = m.message as ChunkDone;
      out.push({ chunk: done.chunk, results: decodeIntegrityChunk(done.msg) });
    }
  }

  receive(wait: boolean): { chunk: number; results: FileIntegrity[] }[] | undefined {
    const out: { chunk: number; results: FileIntegrity[] }[] = [];
    if (this.gone || !this.port) return undefined;
    this.drain(out);
    if (out.length > 0 || !wait) return out;
    const ctrl = this.ctrl;
    let idle = 0;
    for (;;) {
      const seen = Atomics.load(ctrl, SIGNAL);
      this.drain(out);
      if (out.length > 0) return out;
      if (Atomics.load(ctrl, DONE) === 1) {
        this.drain(out);
        if (out.length > 0) return out;
        this.gone = true;
        return undefined;
      }
      if (Atomics.wait(ctrl, SIGNAL, seen, 100) === 'timed-out') {
        idle += 100;
        // a helper that never got going (or stopped answering) is given up on
        if ((Atomics.load(ctrl, STARTED) === 0 && idle >= 5_000) || idle >= 60_000) {
          this.gone = true;
          return undefined;
        }
      } else idle = 0;
    }
  }

  end(): void {
    this.port?.close();
    void this.worker?.terminate();
  }
}

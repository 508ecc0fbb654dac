// The command-line side shared by update, merge, resolve and revert: the
// working context (dirstate, status with its fixups, file systems), hg's
// prompts (the default answer echoed when stdin is not a terminal), the
// merge tools' environment (--tool, HGMERGE, PATH, temporary files, the
// shell), the merge-state storage in `.hg/merge`, and the summary lines.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tty from 'node:tty';
import { spawnSync } from 'node:child_process';
import type { CommandContext } from './context.js';
import { optBool, optString } from './context.js';
import type { Ui } from './ui.js';
import { decodeUtf8, fromLatin1, latin1, utf8 } from '../core/bytes.js';
import { NULL_REV, type Rev, isNullNode } from '../core/node.js';
import { StateError } from '../core/errors.js';
import type { Repository } from '../store/repo.js';
import { RevManifests } from '../store/copies.js';
import { LazyManifest } from '../manifest/lazy-manifest.js';
import type { DirstateMap } from '../dirstate/dirstate-map.js';
import { type LoadedDirstate, readDirstate, writeDirstate } from '../dirstate/dirstate-file.js';
import type { IgnoreMatcher } from '../dirstate/hgignore.js';
import { NodeDirstateStorage, NodeWorkingFs } from '../dirstate/node-fs.js';
import type { Matcher } from '../dirstate/matcher.js';
import { type WorkingStatus, workingStatus } from '../dirstate/status.js';
import { NodeCheckoutFs, NodeHgDirIo } from '../vfs/checkout-fs.js';
import type { MergeStateStorage } from '../store/mergestate.js';
import type { MergeDeps, MergeUi, UpdateStats, WorkingContext } from '../store/merge.js';
import type { ToolConfig, ToolRunner } from '../store/filemerge.js';
import { lazyIgnore } from './working-ignore.js';

// ---------------------------------------------------------------------------
// Output

/** MergeUi over the CLI's Ui (messages are latin1 strings of bytes). */
export function mergeUi(ctx: CommandContext): MergeUi {
  const ui = ctx.ui;
  const interactive = !optBool(ctx.opts, 'noninteractive') && isTty(0);
  const b = (s: string): Uint8Array => fromLatin1(s);
  return {
    status: (m) => ui.status(b(m)),
    warn: (m) => ui.warn(b(m)),
    note: (m) => ui.note(b(m)),
    debug: (m) => ui.debug(b(m)),
    verbose: ui.verbose,
    debugFlag: ui.debugFlag,
    promptChoice: (prompt, def) => promptChoice(ui, prompt, def, interactive),
  };
}

function isTty(fd: number): boolean {
  try {
    return tty.isatty(fd);
  } catch {
    return false;
  }
}

/** ui.extractchoices. */
function extractChoices(prompt: string): [string, [string, string][]] {
  const m = /^([\s\S]+?)\$\$([^$]*&[^ $][\s\S]*)$/.exec(prompt);
  if (!m) return [prompt, []];
  const choices = m[2]!.split('$$').map((p) => p.replace(/^ +| +$/g, ''));
  return [m[1]!, choices.map((s) => {
    const i = s.indexOf('&');
    return [s.slice(i + 1, i + 2).toLowerCase(), s.replace('&', '')] as [string, string];
  })];
}

function readLine(): string | undefined {
  const buf = Buffer.alloc(1);
  let line = '';
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, buf, 0, 1, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      return line.length ? line : undefined;
    }
    if (n === 0) return line.length ? line : undefined;
    const c = buf.toString('latin1');
    if (c === '\n') return line;
    line += c;
  }
}

/** ui.promptchoice. */
function promptChoice(ui: Ui, prompt: string, def: number, interactive: boolean): number {
  const [msg, choices] = extractChoices(prompt);
  const resps = choices.map((c) => c[0]);
  for (;;) {
    let r: string;
    if (!interactive) {
      ui.write(fromLatin1(msg + ' '));
      ui.write(fromLatin1((resps[def] ?? '') + '\n'));
      r = resps[def]!;
    } else {
      ui.write(fromLatin1(msg + ' '));
      ui.flush();
      const line = readLine();
      if (line === undefined) throw new StateError('response expected');
      r = line.trim() || resps[def]!;
    }
    const i = resps.indexOf(r.toLowerCase());
    if (i >= 0) return i;
    ui.write('unrecognized response\n');
  }
}

/** hg._showstats. */
export function showStats(ui: MergeUi, stats: UpdateStats, quietEmpty = false): void {
  if (quietEmpty && !stats.updated && !stats.merged && !stats.removed && !stats.unresolved) return;
  ui.status(`${stats.updated} files updated, ${stats.merged} files merged, ${stats.removed} files removed, ${stats.unresolved} files unresolved\n`);
}

// ---------------------------------------------------------------------------
// Merge tools

function findExe(name: string, env: NodeJS.ProcessEnv): string | undefined {
  if (name.includes('/')) {
    try {
      fs.accessSync(name, fs.constants.X_OK);
      return fs.statSync(name).isFile() ? name : undefined;
    } catch {
      return undefined;
    }
  }
  for (const dir of (env['PATH'] ?? '').split(':')) {
    const p = path.join(dir || '.', name);
    try {
      if (fs.statSync(p).isFile()) {
        fs.accessSync(p, fs.constants.X_OK);
        return p;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

export function toolConfig(ctx: CommandContext, root: string): ToolConfig {
  const runner: ToolRunner = {
    findExe: (name) => findExe(name, ctx.env),
    makeTempFiles: (files) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hgmerge-'));
      const paths = files.map(([prefix, p, data]) => {
        const base = path.posix.basename(p);
        const dot = base.lastIndexOf('.');
        const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
        const name = path.join(dir, `${stem}~${prefix}${ext}`);
        fs.writeFileSync(name, data);
        return name;
      });
      return { paths, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
    run: (cmd) => {
      ctx.ui.flush();
      const env: NodeJS.ProcessEnv = { ...ctx.env, HG: process.env['HG'] ?? 'hg' };
      for (const [k, v] of Object.entries(cmd.env)) env[k] = v;
      const r = spawnSync('/bin/sh', ['-c', cmd.command], { cwd: root, env, stdio: 'inherit' });
      if (r.error) return 127;
      return r.status ?? 1;
    },
    workingPath: (p) => path.join(root, decodeUtf8(fromLatin1(p))),
  };
  const forced = optString(ctx.opts, 'tool');
  return { forced: forced || undefined, hgmerge: ctx.env['HGMERGE'] || undefined, runner };
}

// ---------------------------------------------------------------------------
// The working context


export interface OpenedWorkingCopy {
  repo: Repository;
  storage: NodeDirstateStorage;
  loaded: LoadedDirstate;
  map: DirstateMap;
  wfs: NodeWorkingFs;
  cfs: NodeCheckoutFs;
  hg: NodeHgDirIo;
  mf: RevManifests;
  ignore: IgnoreMatcher;
  p1: Rev;
  p2: Rev;
  /** Writes the dirstate back (hg does it when the wlock is released). */
  save(): void;
}

/** Reads the dirstate (the caller holds the wlock). */
export function openWorkingCopy(repo: Repository): OpenedWorkingCopy {
  const storage = new NodeDirstateStorage(repo.hgDir, repo.root);
  const loaded = readDirstate(storage, repo.requirements);
  const map = loaded.map;
  const [n1, n2] = map.parents();
  const cl = repo.changelog;
  const p1 = isNullNode(n1) ? NULL_REV : cl.rev(n1);
  const p2 = isNullNode(n2) ? NULL_REV : cl.rev(n2);
  const hg = new NodeHgDirIo(repo.hgDir, (name, data) => storage.writeAtomic(name, data));
  return {
    repo,
    storage,
    loaded,
    map,
    wfs: new NodeWorkingFs(repo.root),
    cfs: new NodeCheckoutFs(repo.root),
    hg,
    mf: new RevManifests(repo),
    ignore: lazyIgnore(repo.root),
    p1,
    p2,
    save() {
      if (map.dirty) writeDirstate(storage, loaded);
    },
  };
}

/** The working copy's status against p1 (hg's workingctx._status), fixups recorded in the map. */
export function workingCopyStatus(w: OpenedWorkingCopy, opts: { matcher?: Matcher; unknown?: boolean; ignored?: boolean; clean?: boolean; onBad?: (p: string, msg: string) => void } = {}): WorkingStatus {
  const st = workingStatus({
    map: w.map,
    fs: w.wfs,
    matcher: opts.matcher,
    ignore: w.ignore,
    listUnknown: !!opts.unknown,
    listIgnored: !!opts.ignored,
    listClean: !!opts.clean,
    onBad: opts.onBad,
    repo: w.repo,
    p1: () => (w.p1 === NULL_REV ? LazyManifest.empty() : w.mf.get(w.p1)),
    mtimeBoundary: w.storage.fsNow(),
  });
  for (const f of st.fixup) w.map.setCleanRow(f.row, w.map.rows.path(f.row), f.mode, f.size, f.mtime);
  return st;
}

/** `.hg/branch`: the working copy's branch (`default` when missing or empty). */
export function readWorkingBranch(repo: Repository): Uint8Array {
  const b = repo.readHgFile('branch');
  if (!b) return utf8('default');
  let s = latin1(b);
  s = s.replace(/^[\s]+|[\s]+$/g, '');
  return s.length ? fromLatin1(s) : utf8('default');
}

export function workingContext(w: OpenedWorkingCopy, st: WorkingStatus): WorkingContext {
  return {
    repo: w.repo,
    map: w.map,
    fs: w.cfs,
    hg: w.hg,
    p1: w.p1,
    p2: w.p2,
    status: { modified: st.modified, added: st.added, removed: st.removed, deleted: st.deleted },
    branch: readWorkingBranch(w.repo),
    mf: w.mf,
    fsNow: () => w.storage.fsNow(),
  };
}

export function mergeStorage(w: OpenedWorkingCopy): MergeStateStorage {
  return {
    read: (name) => w.hg.read(name),
    write: (name, data) => w.hg.write(name, data),
    removeMergeDir: () => w.hg.removeTree('merge'),
  };
}

export function mergeDeps(ctx: CommandContext, w: OpenedWorkingCopy, ui: MergeUi): MergeDeps {
  return {
    ui,
    tools: toolConfig(ctx, w.repo.root),
    mergeStorage: mergeStorage(w),
    uiPath: (p) => p,
  };
}

/** cmdutil.clearunfinished: non-clearable operations abort, `updatestate` is removed. */
export function clearUnfinished(repo: Repository, hg: NodeHgDirIo): void {
  const has = (f: string): boolean => fs.existsSync(repo.hgDir + '/' + f);
  if (has('graftstate')) throw new StateError('graft in progress', { hint: "use 'hg graft --continue' or 'hg graft --stop' to stop" });
  if (has('shelvedstate')) throw new StateError('unshelve already in progress', { hint: "use 'hg unshelve --continue' or 'hg unshelve --abort'" });
  if (has('updatestate')) hg.unlink('updatestate');
}

/** The working copy's branch name as a JS string. */
export function branchText(b: Uint8Array): string {
  return decodeUtf8(b);
}

// File-level merging: hg 6.3's mergestate.resolve (restore the local
// version, merge the flags, skip identical files) and filemerge.filemerge
// (pick a tool as _picktool does — `--tool`, HGMERGE, the `hgmerge` script
// if on PATH, else `:merge`, or `:prompt` for binary files, symlinks and
// change/delete conflicts — premerge with simplemerge, run the tool, keep a
// `.orig` backup when the merge fails).
//
// Internal tools: :merge, :merge3, :union, :merge-local, :merge-other,
// :local, :other, :fail, :prompt, :dump, :forcedump (and their `internal:`
// names). External tools run through a ToolRunner given by the caller.
//
// Paths and messages are latin1 strings of their bytes.

import type { Manifest } from '../manifest/manifest.js';
import { fromHex, fromLatin1 } from '../core/bytes.js';
import { AbortError } from '../core/errors.js';
import { NULL_REV, type Node, shortHex } from '../core/node.js';
import { MERGE_RECORD_RESOLVED, NULL_HEX, type MergeState } from './mergestate.js';
import { formatLabels, isBinary, simpleMerge, type MergeMode } from './simplemerge.js';
import {
  type CheckoutFs,
  backupPath,
  readWorkingData,
  removeWorkingFile,
  workingFlags,
  writeWorkingFile,
} from './update.js';
import type { Repository } from './repo.js';

/** hg's ui as the merge code uses it (messages are latin1 strings of bytes). */
export interface MergeUi {
  status(msg: string): void;
  warn(msg: string): void;
  note(msg: string): void;
  debug(msg: string): void;
  readonly verbose: boolean;
  readonly debugFlag: boolean;
  /**
   * ui.promptchoice: `prompt` in hg's `message$$ &Choice $$ &Other` form;
   * returns the index chosen (the default when not interactive, after
   * echoing it as hg does).
   */
  promptChoice(prompt: string, defaultIndex: number): number;
}

/** An external merge tool invocation. */
export interface ToolRun {
  /** The shell command (tool path and interpolated arguments). */
  command: string;
  env: Record<string, string>;
}

/** What running external tools needs from the host. */
export interface ToolRunner {
  /** procutil.findexe: the executable's path, or undefined. */
  findExe(name: string): string | undefined;
  /** Writes temporary files (prefix, path, data) in a fresh directory; returns their paths and a cleanup. */
  makeTempFiles(files: readonly [prefix: string, path: string, data: Uint8Array][]): { paths: string[]; cleanup(): void };
  /** Runs a shell command in the repository root; returns its exit status. */
  run(cmd: ToolRun): number;
  /** The absolute local path of a repo-relative file. */
  workingPath(path: string): string;
}

export interface ToolConfig {
  /** ui.forcemerge (`--tool`). */
  forced?: string;
  /** HGMERGE. */
  hgmerge?: string;
  runner?: ToolRunner;
}

/** One side of a file merge (hg's filectx / workingfilectx / absentfilectx). */
export interface MergeFileSide {
  readonly absent: boolean;
  readonly path: string;
  data(): Uint8Array;
  flags(): string;
  /** The changeset of the side (the working copy's p1 for the working side). */
  readonly changeNode: Node;
  /** The file node ('' working side: undefined). */
  readonly fileNode?: Uint8Array;
  readonly working: boolean;
  /** repr for debug messages. */
  readonly repr: string;
}

/** What file merging needs. */
export interface FileMergeEnv {
  repo: Repository;
  ui: MergeUi;
  fs: CheckoutFs;
  tools: ToolConfig;
  /** hg's uipathfn (repo-relative paths shown as they are with the default config). */
  uiPath(path: string): string;
  /** The working copy's first parent (mynode). */
  p1Node: Node;
  /** The manifest of a changeset by node (cached by the caller). */
  manifestOf(node: Node): Manifest;
}

const enc = (s: string): Uint8Array => fromLatin1(s);

// ---------------------------------------------------------------------------
// Sides

export function workingSide(env: FileMergeEnv, path: string): MergeFileSide {
  let cache: Uint8Array | undefined;
  return {
    absent: false,
    path,
    working: true,
    data: () => (cache ??= readWorkingData(env.fs, path)),
    flags: () => workingFlags(env.fs, path),
    changeNode: env.p1Node,
    repr: `${path}@${shortHex(env.p1Node)}+`,
  };
}

export function absentSide(path: string, changeNode: Node, working: boolean, ctxRepr: string): MergeFileSide {
  return {
    absent: true,
    path,
    working,
    data: () => new Uint8Array(0),
    flags: () => '',
    changeNode,
    repr: `absent file ${path}@${ctxRepr}`,
  };
}

/** A stored file revision, flags taken from the changeset's manifest (filectx with a changectx). */
export function storedSide(env: FileMergeEnv, path: string, fileNode: Uint8Array, changeNode: Node): MergeFileSide {
  const node = fileNode.subarray(0, 20);
  const isNull = node.every((b) => b === 0);
  let cache: Uint8Array | undefined;
  return {
    absent: false,
    path,
    working: false,
    fileNode: node,
    data: () => {
      if (cache) return cache;
      if (isNull) return (cache = new Uint8Array(0));
      const fl = env.repo.file(enc(path));
      return (cache = fl.read(fl.revlog.rev(node)));
    },
    flags: () => (changeNode.every((b) => b === 0) ? '' : env.manifestOf(changeNode).flags(enc(path))),
    changeNode,
    repr: `${path}@${shortHex(changeNode)}`,
  };
}

/** basefilectx.cmp(workingfilectx) / absentfilectx.cmp: do the two sides differ? */
function sidesDiffer(env: FileMergeEnv, stored: MergeFileSide, other: MergeFileSide): boolean {
  if (stored.absent) return !(other.absent && other.path === stored.path && sameNode(other.changeNode, stored.changeNode) && other.working === stored.working);
  if (other.absent) return true;
  const fl = env.repo.file(enc(stored.path));
  const rev = fl.revlog.rev(stored.fileNode!);
  const psize = fl.size(rev);
  const wsize = other.data().length;
  const cmp = (): boolean => !equalContent(fl.read(rev), other.data());
  if (psize - 4 === wsize) return cmp();
  if (psize === wsize || stored.flags() === 'l') return cmp();
  return true;
}

function equalContent(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameNode(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Tools

type MergeType = 'nomerge' | 'mergeonly' | 'fullmerge';

interface InternalTool {
  type: MergeType;
  onfailure?: string;
  precheck?: boolean;
  binary?: boolean;
  symlink?: boolean;
  /** nomerge tools: (r, deleted); others: (needcheck, r, deleted). */
  mode?: MergeMode | 'dump' | 'forcedump';
}

const CONFLICT_MSG = "warning: conflicts while merging %s! (edit, then use 'hg resolve --mark')\n";

const INTERNAL: Record<string, InternalTool> = {
  prompt: { type: 'nomerge' },
  local: { type: 'nomerge' },
  other: { type: 'nomerge' },
  fail: { type: 'nomerge' },
  union: { type: 'fullmerge', onfailure: CONFLICT_MSG, precheck: true, mode: 'union' },
  merge: { type: 'fullmerge', onfailure: CONFLICT_MSG, precheck: true, mode: 'merge' },
  merge3: { type: 'fullmerge', onfailure: CONFLICT_MSG, precheck: true, mode: 'merge3' },
  'merge3-lie-about-conflicts': { type: 'fullmerge', onfailure: '', precheck: true, mode: 'merge3' },
  'merge-local': { type: 'mergeonly', precheck: true, mode: 'local' },
  'merge-other': { type: 'mergeonly', precheck: true, mode: 'other' },
  dump: { type: 'fullmerge', binary: true, symlink: true, mode: 'dump' },
  forcedump: { type: 'mergeonly', binary: true, symlink: true, mode: 'forcedump' },
};

/** The internal tool of a name (`:merge`, `internal:merge`), if any. */
function internalTool(name: string): [string, InternalTool] | undefined {
  let base: string | undefined;
  if (name.startsWith(':')) base = name.slice(1);
  else if (name.startsWith('internal:')) base = name.slice('internal:'.length);
  if (base === undefined) return undefined;
  const t = INTERNAL[base];
  return t ? [base, t] : undefined;
}

function supportsChangeDelete(tool: string): boolean {
  const t = internalTool(tool);
  return t !== undefined && t[1].type === 'nomerge';
}

/** procutil.shellquote. */
function shellQuote(s: string): string {
  if (s !== '' && !/[^a-zA-Z0-9._/+@%=:,-]/.test(s)) return s;
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

/** filemerge._picktool without configuration files: (tool, toolpath). */
function pickTool(env: FileMergeEnv, path: string, binary: boolean, symlink: boolean, changedelete: boolean): [string, string | undefined] {
  const { ui, tools } = env;
  const findTool = (tool: string): string | undefined => (internalTool(tool) ? tool : tools.runner?.findExe(tool));
  const force = tools.forced;
  if (force) {
    const toolpath = findTool(force);
    if (changedelete && !supportsChangeDelete(toolpath ?? '')) return [':prompt', undefined];
    return toolpath ? [force, internalTool(force) ? toolpath : shellQuote(toolpath)] : [force, force];
  }
  const hgmerge = tools.hgmerge;
  if (hgmerge) {
    if (changedelete && !supportsChangeDelete(hgmerge)) return [':prompt', undefined];
    return [hgmerge, hgmerge];
  }
  // the old default, if found
  const t = 'hgmerge';
  const found = findTool(t);
  if (!found) ui.note(`couldn't find merge tool ${t}\n`);
  else if (symlink) ui.warn(`tool ${t} can't handle symlinks\n`);
  else if (binary) ui.warn(`tool ${t} can't handle binary\n`);
  else if (!changedelete) return [t, shellQuote(found)];
  if (symlink || binary || changedelete) {
    if (!changedelete) ui.warn(`no tool found to merge ${path}\n`);
    return [':prompt', undefined];
  }
  return [':merge', undefined];
}

/** filemerge.partextras. */
function partExtras(labels: readonly string[] | undefined): { l: string; o: string } {
  if (!labels) return { l: '', o: '' };
  return { l: ` [${labels[0]}]`, o: ` [${labels[1]}]` };
}

export interface FileMergeResult {
  /** 0 merged, 1 (or more) unresolved. */
  r: number;
  deleted: boolean;
}

/** The working file of a side, for writing (hg's _underlyingfctxifabsent). */
function writeLocal(env: FileMergeEnv, local: MergeFileSide, data: Uint8Array, flags: string): void {
  writeWorkingFile(env.fs, local.path, data, flags);
}

function removeLocal(env: FileMergeEnv, local: MergeFileSide): void {
  removeWorkingFile(env.fs, local.path, false);
}

interface Inputs {
  local: MergeFileSide;
  other: MergeFileSide;
  base: MergeFileSide;
  labels: string[];
}

function runNoMerge(env: FileMergeEnv, name: string, inp: Inputs): FileMergeResult {
  const { local, other } = inp;
  const iother = (): FileMergeResult => {
    if (other.absent) {
      removeLocal(env, local);
      return { r: 0, deleted: true };
    }
    writeLocal(env, local, other.data(), other.flags());
    return { r: 0, deleted: false };
  };
  const ilocal = (): FileMergeResult => ({ r: 0, deleted: local.absent });
  const ifail = (): FileMergeResult => {
    if (local.absent) writeLocal(env, local, other.data(), other.flags());
    return { r: 1, deleted: false };
  };
  switch (name) {
    case 'local':
      return ilocal();
    case 'other':
      return iother();
    case 'fail':
      return ifail();
    default: {
      // prompt
      const p = partExtras(inp.labels);
      const fd = env.uiPath(local.path);
      let choice: string;
      if (other.absent) {
        const i = env.ui.promptChoice(
          `file '${fd}' was deleted in other${p.o} but was modified in local${p.l}.\n` +
            'You can use (c)hanged version, (d)elete, or leave (u)nresolved.\n' +
            'What do you want to do?$$ &Changed $$ &Delete $$ &Unresolved',
          2,
        );
        choice = ['local', 'other', 'unresolved'][i]!;
      } else if (local.absent) {
        const i = env.ui.promptChoice(
          `file '${fd}' was deleted in local${p.l} but was modified in other${p.o}.\n` +
            'You can use (c)hanged version, leave (d)eleted, or leave (u)nresolved.\n' +
            'What do you want to do?$$ &Changed $$ &Deleted $$ &Unresolved',
          2,
        );
        choice = ['other', 'local', 'unresolved'][i]!;
      } else {
        const i = env.ui.promptChoice(
          `file '${fd}' needs to be resolved.\n` +
            `You can keep (l)ocal${p.l}, take (o)ther${p.o}, or leave (u)nresolved.\n` +
            'What do you want to do?$$ &Local $$ &Other $$ &Unresolved',
          2,
        );
        choice = ['local', 'other', 'unresolved'][i]!;
      }
      if (choice === 'other') return iother();
      if (choice === 'local') return ilocal();
      return ifail();
    }
  }
}

/** filemerge._mergecheck. */
function mergeCheck(env: FileMergeEnv, tool: string, inp: Inputs, symlink: boolean): boolean {
  if (symlink) {
    env.ui.warn(`warning: internal ${tool} cannot merge symlinks for ${env.uiPath(inp.local.path)}\n`);
    return false;
  }
  if (inp.local.absent || inp.other.absent) {
    env.ui.warn(`warning: internal ${tool} cannot merge change/delete conflict for ${env.uiPath(inp.local.path)}\n`);
    return false;
  }
  return true;
}

function labelsOf(inp: Inputs): { local?: Uint8Array; other?: Uint8Array; base?: Uint8Array } {
  const [l, o, b] = formatLabels(inp.labels);
  return { local: l, other: o, base: b };
}

/** filemerge._premerge: 0 when simplemerge merged cleanly (the result written). */
function premerge(env: FileMergeEnv, inp: Inputs, binary: boolean, symlink: boolean): number {
  if (symlink || inp.local.absent || inp.other.absent) return 1;
  if (binary) return 1;
  const texts = [inp.local.data(), inp.base.data(), inp.other.data()];
  if (texts.some(isBinary)) return 1;
  const { local: ll, other: lo } = labelsOf(inp);
  const r = simpleMerge(texts[1]!, texts[0]!, texts[2]!, 'merge', { local: ll, other: lo });
  if (!r.conflicts) {
    writeLocal(env, inp.local, r.text, inp.local.flags());
    env.ui.debug(' premerge successful\n');
    return 0;
  }
  return 1;
}

/** filemerge._merge: [needcheck, r, deleted]. */
function internalMerge(env: FileMergeEnv, inp: Inputs, mode: MergeMode): [boolean, number, boolean] {
  for (const s of [inp.local, inp.base, inp.other]) {
    if (isBinary(s.data())) {
      env.ui.warn(`warning: ${s.path} looks like a binary file.\n`);
      return [true, 1, false];
    }
  }
  const r = simpleMerge(inp.base.data(), inp.local.data(), inp.other.data(), mode, labelsOf(inp));
  writeLocal(env, inp.local, r.text, inp.local.flags());
  return [true, r.conflicts ? 1 : 0, false];
}

/** filemerge._idump. */
function dump(env: FileMergeEnv, inp: Inputs): [boolean, number, boolean] {
  const fd = inp.local.path;
  env.fs.writeFile(fd + '.local', inp.local.data());
  writeWorkingFile(env.fs, fd + '.other', inp.other.data(), inp.other.flags());
  writeWorkingFile(env.fs, fd + '.base', inp.base.data(), inp.base.flags());
  return [false, 1, false];
}

/** filemerge._xmerge. */
function externalMerge(env: FileMergeEnv, tool: string, toolpath: string, inp: Inputs): [boolean, number, boolean] {
  const { local: fcd, other: fco, base: fca } = inp;
  const runner = env.tools.runner;
  if (!runner) throw new AbortError(`merge tool ${tool} cannot be run`);
  if (fcd.absent || fco.absent) {
    env.ui.warn(`warning: ${tool} cannot merge change/delete conflict for ${env.uiPath(fcd.path)}\n`);
    return [false, 1, false];
  }
  const localpath = runner.workingPath(fcd.path);
  const args = '$local $base $other';
  const temps = runner.makeTempFiles([
    ['base', fca.path, fca.data()],
    ['other', fco.path, fco.data()],
  ]);
  try {
    const [basepath, otherpath] = temps.paths as [string, string];
    const replace: Record<string, string> = {
      local: localpath,
      base: basepath,
      other: otherpath,
      output: '',
      labellocal: inp.labels[0] ?? '',
      labelother: inp.labels[1] ?? '',
      labelbase: inp.labels[2] ?? '',
    };
    const interpolated = args.replace(/\$(local|base|other|output|labellocal|labelother|labelbase)/g, (_m, k: string) => shellQuote(replace[k]!));
    const isLink = (s: MergeFileSide): string => (s.flags().includes('l') ? 'True' : 'False');
    const envVars: Record<string, string> = {
      HG_FILE: fcd.path,
      HG_MY_NODE: shortHex(env.p1Node),
      HG_OTHER_NODE: shortHex(fco.changeNode),
      HG_BASE_NODE: shortHex(fca.changeNode),
      HG_MY_ISLINK: isLink(fcd),
      HG_OTHER_ISLINK: isLink(fco),
      HG_BASE_ISLINK: isLink(fca),
      HG_MY_LABEL: inp.labels[0] ?? '',
      HG_OTHER_LABEL: inp.labels[1] ?? '',
      HG_BASE_LABEL: inp.labels[2] ?? '',
    };
    const cmd = toolpath + ' ' + interpolated;
    env.ui.debug(`launching merge tool: ${cmd}\n`);
    const r = runner.run({ command: cmd, env: envVars });
    env.ui.debug(`merge tool returned: ${r}\n`);
    return [true, r, false];
  } finally {
    temps.cleanup();
  }
}

/**
 * filemerge.filemerge: merges `local` (the working file, possibly absent)
 * with `other` against `base`. `orig` is the local path before the merge.
 */
export function fileMerge(env: FileMergeEnv, orig: string, local: MergeFileSide, other: MergeFileSide, base: MergeFileSide, labelsIn: string[] | undefined): FileMergeResult {
  const { ui } = env;
  const fd = local.path;
  const fduipath = env.uiPath(fd);
  const binary = (!local.absent && isBinary(local.data())) || (!other.absent && isBinary(other.data())) || (!base.absent && isBinary(base.data()));
  const symlink = (local.flags() + other.flags()).includes('l');
  const changedelete = local.absent || other.absent;
  let [tool, toolpath] = pickTool(env, fd, binary, symlink, changedelete);
  if (internalTool(tool) && tool.startsWith('internal:')) tool = tool.slice('internal'.length);
  ui.debug(
    `picked tool '${tool}' for ${fduipath} (binary ${binary ? 'True' : 'False'} symlink ${symlink ? 'True' : 'False'} changedelete ${changedelete ? 'True' : 'False'})\n`,
  );
  const labels = labelsIn && labelsIn.length ? [...labelsIn] : ['local', 'other'];
  if (labels.length < 3) labels.push('base');
  const inp: Inputs = { local, other, base, labels };
  const internal = internalTool(tool);
  const mergetype: MergeType = internal ? internal[1].type : 'fullmerge';
  const onfailure = internal ? internal[1].onfailure : 'merging %s failed!\n';
  if (internal && mergetype === 'nomerge') return runNoMerge(env, internal[0], inp);

  if (orig !== other.path) ui.status(`merging ${env.uiPath(orig)} and ${env.uiPath(other.path)} to ${fduipath}\n`);
  else ui.status(`merging ${fduipath}\n`);
  ui.debug(`my ${local.repr} other ${other.repr} ancestor ${base.repr}\n`);

  if (internal?.[1].precheck && !mergeCheck(env, tool, inp, symlink)) {
    if (onfailure) ui.warn(onfailure.replace('%s', fduipath));
    return { r: 1, deleted: false };
  }
  // _makebackup
  let backup: string | undefined;
  if (!local.absent) {
    backup = backupPath(fd);
    env.fs.copyFile(fd, backup);
  }
  let r = 1;
  try {
    if (mergetype === 'fullmerge') {
      r = premerge(env, inp, binary, symlink);
      if (!r) return { r, deleted: false };
    }
    let needcheck: boolean;
    let deleted: boolean;
    if (internal) {
      const mode = internal[1].mode!;
      if (mode === 'dump' || mode === 'forcedump') [needcheck, r, deleted] = dump(env, inp);
      else [needcheck, r, deleted] = internalMerge(env, inp, mode);
    } else {
      [needcheck, r, deleted] = externalMerge(env, tool, toolpath ?? tool, inp);
    }
    // _check: no tool configuration asks for conflict markers, prompts or changes checks
    void needcheck;
    if (r) {
      if (onfailure) ui.warn(onfailure.replace('%s', fduipath));
    }
    return { r, deleted };
  } finally {
    if (!r && backup !== undefined) {
      try {
        env.fs.unlink(backup);
      } catch {
        // gone already
      }
    }
  }
}

// ---------------------------------------------------------------------------
// mergestate.resolve

export type DirstateAction = 'r' | 'f' | 'a' | 'am' | 'g';

export interface ResolveOutcome {
  /** The merge's return value: undefined when the sides were identical (entry dropped). */
  ret: number | undefined;
  /** The dirstate action the result implies (ms._results' action). */
  action: DirstateAction | undefined;
}

function hexToNode(hex: string): Uint8Array {
  const n = fromHex(hex);
  if (n === undefined) throw new AbortError(`invalid node in merge state: ${hex}`);
  return n;
}

/**
 * mergestate.resolve(dfile, wctx): re-runs the merge of one file recorded
 * in the merge state. `localHasFile` says whether the local changeset has
 * `dfile` (for the add vs add-modified choice).
 */
export function resolveFile(env: FileMergeEnv, ms: MergeState, dfile: string, localHasFile: (f: string) => boolean): ResolveOutcome {
  const entry = ms.state.get(dfile)!;
  if (entry[0] === MERGE_RECORD_RESOLVED || entry[0] === 'd') return { ret: 0, action: undefined };
  const [, localkey, lfile, afile, anode, ofile, onode] = entry as [string, string, string, string, string, string, string, string];
  let flags = entry[7] ?? '';
  const otherNode = hexToNode(ms.otherHex!);
  const extras = ms.extrasMap.get(dfile);
  const ancHex = extras?.get('ancestorlinknode');
  const ancNode = ancHex ? hexToNode(ancHex) : undefined;
  const fcd = localkey === NULL_HEX ? absentSide(dfile, env.p1Node, true, shortHex(env.p1Node) + '+') : workingSide(env, dfile);
  let fco: MergeFileSide;
  if (onode === NULL_HEX) fco = absentSide(ofile, otherNode, false, shortHex(otherNode));
  else {
    const ent = env.manifestOf(otherNode).get(enc(ofile));
    fco = storedSide(env, ofile, ent ? ent.node : hexToNode(onode), otherNode);
  }
  const fca = ancestorSide(env, afile, hexToNode(anode), ancNode);
  // "premerge" x flags
  const flo = fco.flags();
  const fla = fca.flags();
  const all = flags + flo + fla;
  if (all.includes('x') && !all.includes('l')) {
    if (anode === NULL_HEX && flags !== flo) {
      env.ui.warn(`warning: cannot merge flags for ${afile} without common ancestor - keeping local flags\n`);
    } else if (flags === fla) flags = flo;
  }
  // restore local
  if (localkey !== NULL_HEX) writeWorkingFile(env.fs, dfile, ms.readBackup(localkey), flags);
  else removeWorkingFile(env.fs, dfile, true);

  if (!sidesDiffer(env, fco, fcd)) {
    ms.drop(dfile);
    return { ret: undefined, action: undefined };
  }
  const { r, deleted } = fileMerge(env, lfile, fcd, fco, fca, ms.labels);
  if (!r) ms.mark(dfile, MERGE_RECORD_RESOLVED);
  let action: DirstateAction | undefined;
  if (deleted) action = fcd.absent ? 'f' : 'r';
  else if (fcd.absent) action = 'g';
  else if (fco.absent) action = localHasFile(dfile) ? 'am' : 'a';
  return { ret: r, action };
}

/** repo.filectx(afile, fileid=anode, changectx=actx). */
function ancestorSide(env: FileMergeEnv, path: string, fileNode: Uint8Array, ancNode: Uint8Array | undefined): MergeFileSide {
  let change = ancNode;
  if (!change) {
    // no ancestor changeset recorded: the file revision's linkrev
    if (fileNode.every((b) => b === 0)) change = new Uint8Array(20);
    else {
      const fl = env.repo.file(enc(path));
      const lr = fl.linkRev(fl.revlog.rev(fileNode));
      change = lr === NULL_REV ? new Uint8Array(20) : env.repo.changelog.node(lr);
    }
  }
  return storedSide(env, path, fileNode, change);
}

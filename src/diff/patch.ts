// The diff of two states of a repository (two changesets, or a changeset and
// the working copy), as hg's patch.diff/diffhunks/trydiff/diffcontent write
// it: file pairs in path order with copies and renames in git mode, `diff -r`
// or `diff --git` headers, git mode lines, binary handling (summary line, or
// `GIT binary patch` in git mode), and the unified hunks of mdiff.
//
// The two sides are DiffCtx objects (see contexts.ts), so the same code
// serves changesets and the working copy. Paths are latin1 strings of their
// bytes.

import { bytesEqual, fromLatin1 } from '../core/bytes.js';
import type { Node, Rev } from '../core/node.js';
import { hashRevision } from '../core/sha1.js';
import { REVIDX_ISCENSORED } from '../revlog/constants.js';
import type { Filelog } from '../filelog/filelog.js';
import { b85diff, gitBlobId } from './binary.js';
import { type DiffOptions, unidiff } from './mdiff.js';
import { ByteSink } from './sink.js';

/** One file of one side (hg's filectx or workingfilectx). */
export interface DiffFile {
  readonly path: string;
  data(): Uint8Array;
  /** filectx.size(): filelog.size for stored revisions, lstat size for working files. */
  size(): number;
  /** The stored revision, for filectx.cmp; undefined for a working-copy file. */
  readonly stored?: { fl: Filelog; rev: Rev; node: Node };
}

/** One side of the diff (hg's changectx or workingctx). */
export interface DiffCtx {
  /** The id shown in `diff -r` lines; undefined for the working copy. */
  readonly id?: string;
  /** The date shown in `---`/`+++` lines (hg's datestr format). */
  readonly date: string;
  has(path: string): boolean;
  /** '', 'x' or 'l'. */
  flags(path: string): string;
  file(path: string): DiffFile;
}

export interface DiffChanges {
  modified: readonly string[];
  added: readonly string[];
  removed: readonly string[];
}

export interface FileDiff {
  /** Header lines, without newlines. */
  header: Uint8Array[];
  /** Hunks (or binary patch, or binary summary). */
  body: Uint8Array;
}

const GIT_MODE: Record<string, string> = { l: '120000', x: '100755', '': '100644' };
const NULL_HEX = '0'.repeat(40);

/** storageutil.filedataequivalent: does `data` match the stored revision? */
function dataEquivalent(fl: Filelog, rev: Rev, node: Node, data: Uint8Array): boolean {
  let text = data;
  if (data.length >= 2 && data[0] === 1 && data[1] === 10) {
    text = new Uint8Array(data.length + 4);
    text.set([1, 10, 1, 10]);
    text.set(data, 4);
  }
  const [p1, p2] = fl.revlog.parentRevs(rev);
  if (bytesEqual(hashRevision(text, fl.revlog.node(p1), fl.revlog.node(p2)), node)) return true;
  if (fl.revlog.flags(rev) & REVIDX_ISCENSORED) return data.length === 0;
  if (fl.renamed(rev)) return bytesEqual(fl.read(rev), data);
  return false;
}

function storedSize(f: DiffFile): number {
  const s = f.stored!;
  if (s.fl.revlog.flags(s.rev) & REVIDX_ISCENSORED) return 0;
  return f.size();
}

/** hg's fctx1.cmp(fctx2): true when the contents differ (as hg decides it, by size first, then by hash). */
export function filesDiffer(f1: DiffFile, flags1: string, f2: DiffFile, flags2: string): boolean {
  let s = f1;
  let sFlags = flags1;
  let o = f2;
  if (!s.stored) {
    // workingfilectx.cmp(fctx) is fctx.cmp(workingfilectx)
    s = f2;
    sFlags = flags2;
    o = f1;
  }
  if (!s.stored) return !bytesEqual(f1.data(), f2.data());
  const { fl, rev, node } = s.stored;
  const size = storedSize(s);
  if (!o.stored && size - 4 === o.size()) return !dataEquivalent(fl, rev, node, o.data());
  if (size === o.size() || sFlags === 'l') return !dataEquivalent(fl, rev, node, o.data());
  return true;
}

function isBinary(data: Uint8Array): boolean {
  return data.length > 0 && data.indexOf(0) !== -1;
}

interface FilePair {
  f1: string | undefined;
  f2: string | undefined;
  copyop: 'copy' | 'rename' | undefined;
}

/** hg's _filepairs. */
function filePairs(changes: DiffChanges, copy: Map<string, string>, git: boolean): FilePair[] {
  const gone = new Set<string>();
  const copyto = new Map<string, string>();
  for (const [k, v] of copy) copyto.set(v, k);
  const added = new Set(changes.added);
  const removed = new Set(changes.removed);
  const all = [...changes.modified, ...changes.added, ...changes.removed].sort();
  const out: FilePair[] = [];
  for (const f of all) {
    let f1: string | undefined = f;
    let f2: string | undefined = f;
    let copyop: FilePair['copyop'];
    if (added.has(f)) {
      f1 = undefined;
      const src = copy.get(f);
      if (src !== undefined && git) {
        f1 = src;
        if (removed.has(src) && !gone.has(src)) {
          copyop = 'rename';
          gone.add(src);
        } else copyop = 'copy';
      }
    } else if (removed.has(f)) {
      f2 = undefined;
      if (git) {
        const dst = copyto.get(f);
        if (dst !== undefined && added.has(dst) && copy.get(dst) === f) continue;
      }
    }
    out.push({ f1, f2, copyop });
  }
  return out;
}

function lines(...parts: (string | Uint8Array)[]): Uint8Array {
  const s = new ByteSink(128);
  for (const p of parts) {
    if (typeof p === 'string') s.latin1(p);
    else s.bytes(p);
  }
  return s.take();
}

export interface TryDiffOptions {
  /** Display path of a repo path (hg's pathfn: --root stripping); identity by default. */
  pathfn?: (path: string) => string;
}

/**
 * hg's diffhunks + trydiff: the per-file diffs of `ctx2` against `ctx1`,
 * given the status between them and the copies (destination -> source,
 * used in git mode).
 */
export function* tryDiff(
  ctx1: DiffCtx,
  ctx2: DiffCtx,
  changes: DiffChanges,
  copies: Map<string, string>,
  opts: DiffOptions,
  o: TryDiffOptions = {},
): Generator<FileDiff> {
  // merged-in additions appear as modifications; added-then-removed are not shown
  const modified: string[] = [];
  const added = new Set(changes.added);
  for (const f of changes.modified) {
    if (ctx1.has(f)) modified.push(f);
    else added.add(f);
  }
  const removed = changes.removed.filter((f) => ctx1.has(f));
  const copy = new Map<string, string>();
  for (const [dst, src] of copies) if (ctx1.has(src)) copy.set(dst, src);
  const status: DiffChanges = { modified: modified.sort(), added: [...added].sort(), removed: [...removed].sort() };
  if (status.modified.length === 0 && status.added.length === 0 && status.removed.length === 0) return;

  const revs = [ctx1.id, ctx2.id].filter((x): x is string => x !== undefined);
  const aprefix = opts.noprefix ? '' : 'a/';
  const bprefix = opts.noprefix ? '' : 'b/';
  const pathfn = o.pathfn ?? ((p: string) => p);

  for (const { f1, f2, copyop } of filePairs(status, copy, opts.git)) {
    const fctx1 = f1 !== undefined ? ctx1.file(f1) : undefined;
    const fctx2 = f2 !== undefined ? ctx2.file(f2) : undefined;
    const flag1 = f1 !== undefined && opts.git ? ctx1.flags(f1) : undefined;
    const flag2 = f2 !== undefined && opts.git ? ctx2.flags(f2) : undefined;
    let data1: Uint8Array | undefined;
    let data2: Uint8Array | undefined;
    const get1 = (): Uint8Array => (data1 ??= fctx1!.data());
    const get2 = (): Uint8Array => (data2 ??= fctx2!.data());
    const binary = opts.text ? false : (fctx1 !== undefined && isBinary(get1())) || (fctx2 !== undefined && isBinary(get2()));

    const path1 = pathfn(f1 ?? f2!);
    const path2 = pathfn(f2 ?? f1!);
    const p1b = fromLatin1(path1);
    const p2b = fromLatin1(path2);
    const header: Uint8Array[] = [];
    if (opts.git) {
      header.push(lines('diff --git ', aprefix, p1b, ' ', bprefix, p2b));
      if (f1 === undefined) header.push(lines('new file mode ', GIT_MODE[flag2!]!));
      else if (f2 === undefined) header.push(lines('deleted file mode ', GIT_MODE[flag1!]!));
      else {
        const mode1 = GIT_MODE[flag1!]!;
        const mode2 = GIT_MODE[flag2!]!;
        if (mode1 !== mode2) {
          header.push(lines('old mode ', mode1));
          header.push(lines('new mode ', mode2));
        }
        if (copyop !== undefined) {
          header.push(lines(copyop, ' from ', p1b));
          header.push(lines(copyop, ' to ', p2b));
        }
      }
    } else if (revs.length > 0) {
      header.push(lines('diff ', revs.map((r) => `-r ${r}`).join(' '), ' ', p1b));
    }

    let content1: Uint8Array | null = null;
    let content2: Uint8Array | null = null;
    if (binary && (!opts.git || (opts.nobinary && !opts.index))) {
      // only "has it changed" matters: a token content
      if (fctx1) content1 = new Uint8Array([0]);
      if (fctx2) {
        const same = fctx1 !== undefined && !filesDiffer(fctx1, ctx1.flags(f1!), fctx2, ctx2.flags(f2!));
        content2 = same ? new Uint8Array([0]) : new Uint8Array([0, 0]);
      }
    } else {
      if (fctx1) content1 = get1();
      if (fctx2) content2 = get2();
    }

    const index1 = (): string => (ctx1.has(path1) ? gitBlobId(content1) : NULL_HEX);
    const index2 = (): string => (ctx2.has(path2) ? gitBlobId(content2) : NULL_HEX);
    let body: Uint8Array;
    if (binary && opts.git && !opts.nobinary) {
      body = b85diff(content1, content2);
      if (body.length > 0) header.push(lines('index ', index1(), '..', index2()));
    } else {
      if (opts.git && opts.index > 0) {
        const flag = flag1 ?? flag2!;
        header.push(lines('index ', index1().slice(0, opts.index), '..', index2().slice(0, opts.index), ' ', GIT_MODE[flag]!));
      }
      const u = unidiff(content1, ctx1.date, content2, ctx2.date, p1b, p2b, binary, opts);
      if (u) {
        header.push(...u.headers);
        body = u.body;
      } else body = new Uint8Array(0);
    }
    yield { header, body };
  }
}

/**
 * hg's patch.diff: the diff text, one chunk per file (its header lines, when
 * there is a body or more than one header line, then the body).
 */
export function* diffChunks(files: Iterable<FileDiff>): Generator<Uint8Array> {
  for (const { header, body } of files) {
    if (header.length > 0 && (body.length > 0 || header.length > 1)) {
      const s = new ByteSink(256);
      header.forEach((h) => {
        s.bytes(h);
        s.byte(0x0a);
      });
      yield s.take();
    }
    if (body.length > 0) yield body;
  }
}

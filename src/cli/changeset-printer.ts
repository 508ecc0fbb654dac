// hg's default changeset display (logcmdutil.changesetprinter with the
// `default` style), shared by log, heads and tip: quiet, normal, verbose and
// debug forms, byte for byte.
import { concatBytes, fromLatin1, utf8 } from '../core/bytes.js';
import { NULL_REV, type Node, type Rev, nodeHex, nodeKey, shortHex } from '../core/node.js';
import type { Changeset } from '../changelog/changeset.js';
import type { Repository } from '../store/repo.js';
import { PhaseCache } from '../store/phases.js';
import type { Ui } from './ui.js';
import { datestr } from './dates.js';
import { commonAncestorHeads } from '../store/ancestry.js';

const SPACE = utf8(' ');
const NL = 0x0a;

/** A copy shown by `log -C -v`: destination and source paths. */
export type CopyPair = readonly [dst: Uint8Array, src: Uint8Array];

/** Python's bytes.strip(): ASCII whitespace at both ends. */
export function stripBytes(b: Uint8Array): Uint8Array {
  const ws = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
  let s = 0;
  let e = b.length;
  while (s < e && ws(b[s]!)) s++;
  while (e > s && ws(b[e - 1]!)) e--;
  return b.subarray(s, e);
}

/** hg's stringutil.firstline: up to the first `\n`, then up to the first `\r`. */
export function firstLine(b: Uint8Array): Uint8Array {
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a || b[i] === 0x0d) return b.subarray(0, i);
  }
  return b;
}

/** Python's codecs.escape_encode (hg's stringutil.escapestr). */
export function escapeStr(b: Uint8Array): Uint8Array {
  const out: number[] = [];
  const hex = '0123456789abcdef';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x5c) out.push(0x5c, 0x5c);
    else if (c === 0x27) out.push(0x5c, 0x27);
    else if (c === 0x09) out.push(0x5c, 0x74);
    else if (c === 0x0a) out.push(0x5c, 0x6e);
    else if (c === 0x0d) out.push(0x5c, 0x72);
    else if (c < 0x20 || c >= 0x7f) out.push(0x5c, 0x78, hex.charCodeAt(c >> 4), hex.charCodeAt(c & 15));
    else out.push(c);
  }
  return Uint8Array.from(out);
}

function joinSpace(items: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  items.forEach((it, i) => {
    if (i) parts.push(SPACE);
    parts.push(it);
  });
  return concatBytes(parts);
}

const DEFAULT_BRANCH = utf8('default');

export function changesetBranch(cs: Changeset): Uint8Array {
  return cs.extra.get('branch') ?? DEFAULT_BRANCH;
}

/** The classification of a changeset's files that `--debug` shows (files, files+, files-). */
export interface FileChanges {
  modified: Uint8Array[];
  added: Uint8Array[];
  removed: Uint8Array[];
}

function bytesKey(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

export class ChangesetPrinter {
  private phases: PhaseCache | undefined;
  private tagsByNode: Map<string, string[]> | undefined;
  private bookmarksByNode: Map<string, string[]> | undefined;

  constructor(
    private readonly ui: Ui,
    private readonly repo: Repository,
  ) {}

  /** `rev:short` (full hex with --debug), hg's formatchangeid. */
  changeId(rev: Rev): string {
    const node = this.repo.changelog.node(rev);
    return `${rev}:${this.ui.debugFlag ? nodeHex(node) : shortHex(node)}`;
  }

  private nodeNames(which: 'tags' | 'bookmarks', node: Node): string[] {
    let map = which === 'tags' ? this.tagsByNode : this.bookmarksByNode;
    if (!map) {
      map = new Map();
      const src = which === 'tags' ? this.repo.names.tags() : this.repo.names.bookmarks();
      for (const [name, n] of src) {
        const k = nodeKey(n);
        const list = map.get(k);
        if (list) list.push(name);
        else map.set(k, [name]);
      }
      for (const list of map.values()) list.sort(compareNames);
      if (which === 'tags') this.tagsByNode = map;
      else this.bookmarksByNode = map;
    }
    return map.get(nodeKey(node)) ?? [];
  }

  tagsOf(node: Node): string[] {
    return this.nodeNames('tags', node);
  }

  bookmarksOf(node: Node): string[] {
    return this.nodeNames('bookmarks', node);
  }

  phaseName(rev: Rev): string {
    if (!this.phases) this.phases = PhaseCache.load(this.repo);
    return this.phases.phaseName(rev);
  }

  /** hg's scmutil.meaningfulparents. */
  private meaningfulParents(rev: Rev): Rev[] {
    const [p1, p2] = this.repo.changelog.parentRevs(rev);
    if (p2 !== NULL_REV) return [p1, p2];
    if (this.ui.debugFlag) return [p1, NULL_REV];
    if (p1 >= rev - 1) return [];
    return [p1];
  }

  /** Shows one changeset; `copies` are shown with --verbose only, as hg does. */
  show(rev: Rev, copies?: readonly CopyPair[]): void {
    const ui = this.ui;
    if (ui.quiet) {
      ui.write(this.changeId(rev) + '\n');
      return;
    }
    const cl = this.repo.changelog;
    const cs = cl.read(rev);
    const node = cl.node(rev);
    const out: Uint8Array[] = [];
    const line = (label: string, value: Uint8Array | string): void => {
      out.push(utf8(label), typeof value === 'string' ? utf8(value) : value, Uint8Array.of(NL));
    };
    line('changeset:   ', this.changeId(rev));
    const branch = changesetBranch(cs);
    if (!bytesEqualStr(branch, 'default')) line('branch:      ', ui.toLocal(branch));
    for (const b of this.bookmarksOf(node)) line('bookmark:    ', ui.encodeLocal(b));
    for (const t of this.tagsOf(node)) line('tag:         ', ui.encodeLocal(t));
    if (ui.debugFlag) line('phase:       ', this.phaseName(rev));
    for (const p of this.meaningfulParents(rev)) line('parent:      ', this.changeIdOrNull(p));
    if (ui.debugFlag) {
      const mctx = this.repo.manifestLog.get(cs.manifest);
      line('manifest:    ', `${mctx.rev}:${nodeHex(cs.manifest)}`);
    }
    line('user:        ', ui.toLocal(cs.user));
    line('date:        ', datestr(cs.time, cs.tz));

    if (ui.debugFlag) {
      if (cs.files.length) {
        const ch = this.fileChanges(rev, cs);
        if (ch.modified.length) line('files:       ', joinSpace(ch.modified));
        if (ch.added.length) line('files+:      ', joinSpace(ch.added));
        if (ch.removed.length) line('files-:      ', joinSpace(ch.removed));
      }
    } else if (ui.verbose && cs.files.length) {
      line('files:       ', joinSpace(cs.files));
    }
    if (copies && copies.length && ui.verbose) {
      const parts: Uint8Array[] = [];
      for (const [dst, src] of copies) parts.push(concatBytes([dst, utf8(' ('), src, utf8(')')]));
      line('copies:      ', joinSpace(parts));
    }
    if (ui.debugFlag) {
      const keys = [...cs.extra.keys()].sort();
      for (const k of keys) {
        out.push(utf8('extra:       '), fromLatin1(k), utf8('='), escapeStr(cs.extra.get(k)!), Uint8Array.of(NL));
      }
    }
    const desc = ui.toLocal(stripBytes(cs.description));
    if (desc.length) {
      if (ui.verbose) {
        out.push(utf8('description:\n'), desc, utf8('\n\n'));
      } else {
        line('summary:     ', firstLine(desc));
      }
    }
    out.push(Uint8Array.of(NL));
    ui.write(concatBytes(out));
  }

  private changeIdOrNull(rev: Rev): string {
    if (rev === NULL_REV) return `-1:${this.ui.debugFlag ? '0'.repeat(40) : '0'.repeat(12)}`;
    return this.changeId(rev);
  }

  /**
   * files (modified), files+ (added), files- (removed) as hg's changectx
   * computes them from the files list and the manifests (metadata.py).
   */
  fileChanges(rev: Rev, cs: Changeset = this.repo.changelog.read(rev)): FileChanges {
    const cl = this.repo.changelog;
    const ml = this.repo.manifestLog;
    const [p1, p2] = cl.parentRevs(rev);
    const mf = ml.get(cs.manifest).read();
    const m1 = ml.get(cl.read(p1).manifest).read();
    const m2 = p2 === NULL_REV ? undefined : ml.get(cl.read(p2).manifest).read();
    const added: Uint8Array[] = [];
    let removed: Uint8Array[] = [];
    for (const f of cs.files) {
      if (!m1.get(f) && !(m2 && m2.get(f))) added.push(f);
      if (!mf.get(f)) removed.push(f);
    }
    if (removed.length) {
      // get_removal_filter: drop files whose absence comes from a parent.
      let ancestors: ReturnType<typeof ml.get>[] | undefined;
      const mas = (f: Uint8Array): ({ node: Uint8Array; flags: string } | undefined)[] => {
        ancestors ??= commonAncestorHeads(this.repo.changelog, p1, p2).map((r) => ml.get(cl.read(r).manifest));
        return ancestors.map((m) => m.read().get(f));
      };
      const sameEntry = (a: { node: Uint8Array; flags: string } | undefined, b: { node: Uint8Array; flags: string } | undefined): boolean =>
        !!a && !!b && a.flags === b.flags && bytesKey(a.node.subarray(0, 20)) === bytesKey(b.node.subarray(0, 20));
      const fromParent = (f: Uint8Array): boolean => {
        const e1 = m1.get(f);
        const e2 = m2 ? m2.get(f) : undefined;
        if (e1) return !e2 && mas(f).every((ea) => sameEntry(ea, e1));
        if (e2) return mas(f).every((ea) => sameEntry(ea, e2));
        return true;
      };
      removed = removed.filter((f) => !fromParent(f));
    }
    const skip = new Set([...added, ...removed].map(bytesKey));
    const seen = new Set<string>();
    const modified: Uint8Array[] = [];
    for (const f of cs.files) {
      const k = bytesKey(f);
      if (skip.has(k) || seen.has(k)) continue;
      seen.add(k);
      modified.push(f);
    }
    modified.sort(compareRaw);
    return { modified, added, removed };
  }
}

function bytesEqualStr(b: Uint8Array, s: string): boolean {
  if (b.length !== s.length) return false;
  for (let i = 0; i < b.length; i++) if (b[i] !== s.charCodeAt(i)) return false;
  return true;
}

function compareRaw(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Names sort as their UTF-8 bytes, as Python sorts bytes. */
function compareNames(a: string, b: string): number {
  return compareRaw(utf8(a), utf8(b));
}

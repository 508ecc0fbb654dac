// `hgkit convert --treemanifest SRC DST`: rewrites a flat-manifest
// repository as a tree-manifest one (new manifest and changeset hashes), with
// hg convert's `.hg/shamap` (`<old hex> <new hex>` per changeset).
//
// Changesets are converted in SRC's revision order, skipping those already in
// the shamap (resume after an interruption, incremental conversion after SRC
// gained commits). For each one:
// - file revisions the manifest gained are copied (same text, parents and
//   flags, so the same nodes; linkrevs are DST's changeset revs);
// - the manifest: when SRC reused its p1's manifest (no file change), DST
//   reuses the mapped p1's tree; otherwise DST's tree of the mapped p1, with
//   the flat differences between SRC's p1 manifest and SRC's manifest applied,
//   is written with writeTreeManifest against the mapped parents' trees: what
//   hg writes when the same commit is made in a tree repository;
// - the changeset text is SRC's with the manifest line replaced, parents
//   mapped through the shamap.
// Changesets are written in transactions of `batchSize`; after each one
// closes, the shamap gets the batch's lines (one append). Phase roots are
// mapped and written with every batch; bookmarks are mapped at the end.
// A conversion killed between a batch's close and the shamap append is
// resumed by converting those changesets again: every write finds its node
// already stored, so nothing is written twice.
import { AbortError, StorageError } from '../core/errors.js';
import { bytesEqual, concatBytes, toHex, utf8 } from '../core/bytes.js';
import { NULL_NODE, NULL_REV, type Node, type Rev, isNullNode, nodeKey } from '../core/node.js';
import type { Manifest } from '../manifest/manifest.js';
import { LazyManifest } from '../manifest/lazy-manifest.js';
import { TreeManifest } from '../manifest/tree-manifest.js';
import { writeTreeManifest, type DirRevisionWriter } from '../manifest/tree-write.js';
import { RevlogManifestStorage } from '../manifest/manifest-storage.js';
import { manifestRadix } from '../vfs/store-encoding.js';
import type { Repository } from './repo.js';
import { openRepoTransaction, repoVfsMap, resolveTxPath, type Transaction } from './transaction.js';
import {
  copyFileRevision,
  encodeBookmarkFile,
  encodePhaseRoots,
  encodeShaMapLines,
  mappedPhaseRoots,
  parseShaMap,
  readBookmarks,
} from './convert-common.js';
import { RepoWriters } from './repo-writers.js';

export interface ConvertReporter {
  /** hg's ui.status lines (`scanning source...`, `N description`), newline-terminated. */
  status?(message: Uint8Array | string): void;
  /** ui.note (`source: <hex>`), shown with -v. */
  note?(message: Uint8Array | string): void;
  warn?(message: string): void;
}

export interface ConvertTreeOptions {
  report?: ConvertReporter;
  /** Changesets per transaction (default 1000). */
  batchSize?: number;
  /** Called after each changeset is written (inside its batch's transaction), with the count so far. */
  onConverted?: (count: number) => void;
}

export interface ConvertResult {
  converted: number;
  /** Changesets SRC has in all. */
  total: number;
}

export const SHAMAP = 'shamap';

/** Reads DST's shamap; checks that it belongs to a conversion of `src`. */
export function loadShaMap(src: Repository, dst: Repository, dstShown: string, srcShown: string): Map<string, Node> {
  const data = dst.readHgFile(SHAMAP);
  if (data === undefined) {
    throw new AbortError(`destination ${dstShown} is not a conversion of ${srcShown} (no .hg/shamap)`);
  }
  const sm = parseShaMap(data);
  for (const [k, n] of sm.map) {
    const old = Uint8Array.from(k, (c) => c.charCodeAt(0));
    if (src.changelog.findRev(old) === undefined) {
      throw new AbortError(`destination ${dstShown} is not a conversion of ${srcShown} (unknown source changeset ${toHex(old)} in .hg/shamap)`);
    }
    if (dst.changelog.findRev(n) === undefined) {
      throw new AbortError(`destination ${dstShown}: .hg/shamap names ${toHex(n)}, which is not in the repository`);
    }
  }
  return sm.map;
}

/** Python's bytes.splitlines()[0] when the text has a newline (hg convert's summary line). */
export function summaryLine(desc: Uint8Array): Uint8Array {
  if (desc.indexOf(0x0a) < 0) return desc;
  let e = 0;
  while (e < desc.length && desc[e] !== 0x0a && desc[e] !== 0x0d) e++;
  return desc.subarray(0, e);
}

/** The description of a raw changeset text (everything after the first blank line). */
function descriptionOf(text: Uint8Array): Uint8Array {
  for (let i = 0; i + 1 < text.length; i++) if (text[i] === 0x0a && text[i + 1] === 0x0a) return text.subarray(i + 2);
  return new Uint8Array(0);
}

const HEX = utf8('0123456789abcdef');

/**
 * Converts the changesets of `src` missing from `dst`'s shamap. The caller
 * created `dst` (a tree-manifest repository with a `.hg/shamap`), recovered
 * any interrupted transaction, and holds its wlock and store lock.
 */
export function convertToTreeManifest(
  src: Repository,
  dst: Repository,
  shamap: Map<string, Node>,
  opts: ConvertTreeOptions = {},
): ConvertResult {
  const report = opts.report ?? {};
  if (!dst.requirements.has('treemanifest')) throw new AbortError('destination is not a tree manifest repository');
  const batchSize = Math.max(1, opts.batchSize ?? 1000);
  const scl = src.changelog;
  const total = scl.length;

  report.status?.('scanning source...\n');
  const todo: Rev[] = [];
  for (let r = 0; r < total; r++) if (!shamap.has(nodeKey(scl.node(r)))) todo.push(r);
  report.status?.('sorting...\n');
  report.status?.('converting...\n');

  const vmap = repoVfsMap(dst);
  const writers = new RepoWriters(dst, vmap);
  // a line torn by a kill mid-append is cut off before appending
  const sm = parseShaMap(dst.readHgFile(SHAMAP));
  if (sm.validLength < sm.fileLength) vmap.vfs.truncate(resolveTxPath(vmap, 'plain', SHAMAP), sm.validLength);
  const dcl = dst.changelog;
  const mapNode = (n: Node): Node | undefined => (isNullNode(n) ? NULL_NODE : shamap.get(nodeKey(n)));
  const mapped = (n: Node): Node => {
    const m = mapNode(n);
    if (!m) throw new StorageError(`changeset ${toHex(n)} has no converted parent`);
    return m;
  };
  const srcRoot = src.manifestLog;
  const treeOf = (mnode: Node): TreeManifest => {
    if (isNullNode(mnode)) return TreeManifest.empty();
    const m = dst.manifestLog.get(mnode).read();
    if (!(m instanceof TreeManifest)) throw new StorageError('destination manifests are not trees');
    return m;
  };
  const flatOf = (mnode: Node): Manifest => (isNullNode(mnode) ? LazyManifest.empty() : srcRoot.get(mnode).read());

  const dirWriter = (linkRev: Rev, tr: Transaction) => (dir: Uint8Array): DirRevisionWriter => {
    const storage = dst.manifestLog.storage;
    if (!(storage instanceof RevlogManifestStorage)) throw new StorageError('destination manifests are not in revlogs');
    const st = dir.length === 0 ? storage : storage.dirStorage(dir);
    if (!(st instanceof RevlogManifestStorage)) throw new StorageError('destination manifests are not in revlogs');
    const w = writers.writer(dir.length === 0 ? '00manifest' : manifestRadix(dir), st.revlog, 'manifest');
    return (text, p1, p2) => w.addRevision(tr, text, linkRev, p1, p2).node;
  };

  let converted = 0;
  let num = todo.length;
  let i = 0;
  const bookmarksBefore = encodeBookmarkFile(readBookmarks(dst));
  const bookmarksText = (): Uint8Array => {
    const out = new Map<string, [Uint8Array, Node]>();
    for (const [name, node] of readBookmarks(dst)) out.set(String.fromCharCode(...name), [name, node]);
    for (const [name, node] of readBookmarks(src)) {
      const m = src.changelog.findRev(node) === undefined ? undefined : mapNode(node);
      if (m) out.set(String.fromCharCode(...name), [name, m]);
    }
    return encodeBookmarkFile([...out.values()]);
  };
  const bookmarkLocation = dst.requirements.has('bookmarksinstore') ? '' : 'plain';

  const runBatch = (revs: Rev[], last: boolean): void => {
    const tr = openRepoTransaction(dst, 'convert', { report: (m) => report.warn?.(m) });
    const pairs: [Node, Node][] = [];
    try {
      for (const r of revs) {
        num--;
        const text = scl.revlog.revision(r);
        report.status?.(concatBytes([utf8(`${num} `), summaryLine(descriptionOf(text)), utf8('\n')]));
        report.note?.(`source: ${toHex(scl.node(r))}\n`);
        const node = convertOne(r, text, tr);
        shamap.set(nodeKey(scl.node(r)), node);
        pairs.push([scl.node(r), node]);
        converted++;
        opts.onConverted?.(converted);
      }
      tr.addFileGenerator('phase', ['phaseroots'], () => [encodePhaseRoots(mappedPhaseRoots(src, mapNode))], { location: '' });
      if (last) {
        const bm = bookmarksText();
        if (!bytesEqual(bm, bookmarksBefore)) {
          report.status?.('updating bookmarks\n');
          tr.addFileGenerator('bookmarks', ['bookmarks'], () => [bm], { location: bookmarkLocation });
        }
      }
      tr.close();
    } finally {
      tr.release();
      writers.clear();
    }
    if (pairs.length) vmap.vfs.append(resolveTxPath(vmap, 'plain', SHAMAP), [encodeShaMapLines(pairs)]);
  };

  const convertOne = (r: Rev, text: Uint8Array, tr: Transaction): Node => {
    const [sp1, sp2] = scl.parentRevs(r);
    const p1 = sp1 === NULL_REV ? NULL_NODE : mapped(scl.node(sp1));
    const p2 = sp2 === NULL_REV ? NULL_NODE : mapped(scl.node(sp2));
    const linkRev = dcl.length;
    const smn = scl.read(r).manifest;
    const smn1 = sp1 === NULL_REV ? NULL_NODE : scl.read(sp1).manifest;
    const dmn1 = p1 === NULL_NODE || isNullNode(p1) ? NULL_NODE : dcl.read(dcl.rev(p1)).manifest;
    let dmn: Node;
    if (bytesEqual(smn, smn1)) {
      dmn = dmn1;
    } else {
      const smn2 = sp2 === NULL_REV ? NULL_NODE : scl.read(sp2).manifest;
      const dmn2 = isNullNode(p2) ? NULL_NODE : dcl.read(dcl.rev(p2)).manifest;
      void smn2;
      const m1 = flatOf(smn1);
      const m = flatOf(smn);
      const t1 = treeOf(dmn1);
      const t2 = treeOf(dmn2);
      const t = t1.copy();
      const linkOf = (srcLink: Rev): Rev => {
        if (srcLink === r) return linkRev;
        const n = srcLink >= 0 && srcLink < total ? mapNode(scl.node(srcLink)) : undefined;
        const dr = n ? dcl.findRev(n) : undefined;
        return dr !== undefined && dr <= linkRev ? dr : linkRev;
      };
      for (const e of m1.diff(m)) {
        if (e.right === null) {
          t.delete(e.path);
        } else {
          const fnode = e.right.node.subarray(0, 20);
          copyFileRevision(src, writers, tr, e.path, fnode, linkOf);
          t.set(e.path, fnode, e.right.flags);
        }
      }
      dmn = writeTreeManifest(t, t1, t2, dirWriter(linkRev, tr));
    }
    // the changeset text with the manifest line replaced
    const hex = new Uint8Array(40);
    for (let j = 0; j < 20; j++) {
      hex[2 * j] = HEX[dmn[j]! >> 4]!;
      hex[2 * j + 1] = HEX[dmn[j]! & 15]!;
    }
    if (text.length < 41 || text[40] !== 0x0a) throw new StorageError(`changeset ${r} of the source is malformed`);
    const newText = concatBytes([hex, text.subarray(40)]);
    return writers.changelog().addRevision(tr, newText, linkRev, p1, p2).node;
  };

  while (i < todo.length) {
    const batch = todo.slice(i, i + batchSize);
    i += batch.length;
    runBatch(batch, i >= todo.length);
  }
  if (todo.length === 0) {
    // nothing new: still bring bookmarks and phases up to date
    const bm = bookmarksText();
    const phases = encodePhaseRoots(mappedPhaseRoots(src, mapNode));
    const cur = dst.readStoreFile('phaseroots') ?? new Uint8Array(0);
    if (!bytesEqual(bm, bookmarksBefore) || !bytesEqual(phases, cur)) runBatch([], true);
  }
  return { converted, total };
}

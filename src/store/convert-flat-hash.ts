// Conversions between a flat repository and the flat-hash tree storage
// (manifest/flat-hash-tree-storage.ts; requirement
// `exp-hgkit-flat-hash-treestore`):
//
// - convertToFlatHashTree(src, dst): every store file but the manifest is
//   copied as is (changelog, filelogs, phaseroots, obsstore..., since no
//   hash changes); each flat manifest revision r of src becomes root-revlog
//   revision r of dst: the tree of its raw first parent with the flat
//   differences applied, written with writeTreeManifest against the trees of
//   its raw parents (linkrev kept), its flat node appended to
//   `00manifest.flatnodes` (before the root revision, both journaled).
// - exportFlat(src, dst): the reverse. Store files are copied (the fncache
//   without its `meta/` lines); each root revision gives back the flat text
//   (checked against its flat node), written with the same parents and
//   linkrev, and with the delta hg's commit would have passed (its fast delta
//   against p1: manifestdict.fastdelta over the changed paths, or a bdiff of
//   the whole texts from 1,000 changes on), and zlib chunks from the port of
//   zlib 1.2.13 that CPython's zlib matches. For repositories hg built by
//   commits, the exported store is byte-identical to the original (zstd
//   chunks excepted where the WebAssembly zstd build compresses differently
//   from hg's: see docs/tree-manifests.md).
import { StorageError } from '../core/errors.js';
import { bytesEqual, concatBytes, fromLatin1, latin1, toHex, utf8 } from '../core/bytes.js';
import { NULL_NODE, NULL_REV, type Node, type Rev, isNullNode } from '../core/node.js';
import { LazyManifest, type ManifestChange } from '../manifest/lazy-manifest.js';
import { RevlogManifestStorage, type ManifestStorage } from '../manifest/manifest-storage.js';
import { FLAT_HASH_TREE_REQUIREMENT, FLAT_NODES_FILE, FlatHashTreeStorage } from '../manifest/flat-hash-tree-storage.js';
import { TreeDirReader, TreeManifest } from '../manifest/tree-manifest.js';
import { writeTreeManifest, type DirRevisionWriter } from '../manifest/tree-write.js';
import { bdiff } from '../revlog/bdiff.js';
import { RevlogWriter, revlogWriterOptions } from '../revlog/revlog-writer.js';
import { zlibCompress } from '../diff/deflate.js';
import type { WritableVfs } from '../vfs/atomic-write.js';
import { manifestRadix } from '../vfs/store-encoding.js';
import type { Repository } from './repo.js';
import { openRepoTransaction, repoVfsMap, resolveTxPath, type Transaction } from './transaction.js';
import { RepoWriters } from './repo-writers.js';
import type { ConvertReporter } from './convert-tree.js';

/** Store files never copied: the manifest, journals and undo data, the lock, requires. */
function isTransient(rel: string): boolean {
  return (
    rel === 'requires' ||
    rel === 'lock' ||
    rel.startsWith('journal') ||
    rel.startsWith('undo') ||
    rel === '00manifest.i' ||
    rel === '00manifest.d' ||
    rel === '00manifest.n' ||
    /^00manifest-[0-9a-f]+\.nd$/.test(rel) ||
    rel === FLAT_NODES_FILE
  );
}

/**
 * Copies the store files of `src` that `keep` accepts (paths relative to the
 * store directory, encoded as on disk) into `dst`'s store.
 */
export function copyStoreFiles(src: Repository, dst: Repository, vfs: WritableVfs, keep: (rel: string) => boolean): void {
  const srcDir = utf8(src.storeDir + '/');
  const dstDir = utf8(dst.storeDir + '/');
  const walk = (rel: string): void => {
    for (const e of vfs.readdir(rel ? concatBytes([srcDir, fromLatin1(rel)]) : src.storeDir)) {
      const r = rel ? `${rel}/${latin1(e.name)}` : latin1(e.name);
      if (e.type === 'dir') walk(r);
      else if (e.type === 'file' && keep(r)) {
        const slash = r.lastIndexOf('/');
        if (slash > 0) vfs.makeDirs(concatBytes([dstDir, fromLatin1(r.slice(0, slash))]));
        vfs.copyFile(concatBytes([srcDir, fromLatin1(r)]), concatBytes([dstDir, fromLatin1(r)]), { hardlink: r.startsWith('data/') });
      }
    }
  };
  walk('');
}

/** Copies `.hg/bookmarks` and `.hg/localtags` (hashes are unchanged). */
function copyHgFiles(src: Repository, dst: Repository, vfs: WritableVfs): void {
  for (const name of ['bookmarks', 'localtags']) {
    const data = src.readHgFile(name);
    if (data !== undefined) vfs.write(`${dst.hgDir}/${name}`, data);
  }
}

function flatStorageOf(repo: Repository): FlatHashTreeStorage {
  const st = repo.manifestLog.storage;
  if (!(st instanceof FlatHashTreeStorage)) throw new StorageError(`${repo.root} does not use the flat-hash tree storage`);
  return st;
}

function revlogOf(st: ManifestStorage): RevlogManifestStorage {
  if (!(st instanceof RevlogManifestStorage)) throw new StorageError('manifests are not stored in revlogs');
  return st;
}

/** Flat changes from `m1` to `m` as hg's commit lists them for fastdelta: sorted paths, removed flagged. */
function flatChanges(m1: LazyManifest, m: LazyManifest): ManifestChange[] {
  return m1.diff(m).map((e) => [e.path, e.right === null] as const);
}

export interface FlatHashConvertOptions {
  report?: ConvertReporter;
}

/**
 * Fills `dst` (a new, empty repository with src's requirements plus
 * `exp-hgkit-flat-hash-treestore`) from the flat repository `src`.
 * The caller holds dst's locks.
 */
export function convertToFlatHashTree(src: Repository, dst: Repository, opts: FlatHashConvertOptions = {}): { manifests: number } {
  const report = opts.report ?? {};
  if (!dst.requirements.has(FLAT_HASH_TREE_REQUIREMENT)) throw new StorageError('destination lacks the flat-hash tree requirement');
  const map = repoVfsMap(dst);
  report.status?.('copying store files...\n');
  copyStoreFiles(src, dst, map.vfs, (rel) => !isTransient(rel));
  copyHgFiles(src, dst, map.vfs);
  // a fresh repository object sees the copied files
  const flat = flatStorageOf(dst);
  const tree = revlogOf(flat.treeStorage);
  const reader = new TreeDirReader(tree);
  const srcStorage = src.manifestLog.storage;
  const srcRevlog = revlogOf(srcStorage).revlog;
  const n = srcStorage.length;
  report.status?.(`converting ${n} manifests...\n`);
  const tr = openRepoTransaction(dst, 'convert', { report: (m) => report.warn?.(m) });
  try {
    const writers = new RepoWriters(dst, map);
    const flatNodesPath = resolveTxPath(map, '', FLAT_NODES_FILE);
    let journaled = false;
    const treeNodes: Node[] = [];
    const treeAt = (rev: Rev): TreeManifest => (rev === NULL_REV ? TreeManifest.empty() : TreeManifest.load(reader, treeNodes[rev]!));
    const flatAt = (rev: Rev): LazyManifest => (rev === NULL_REV ? LazyManifest.empty() : new LazyManifest(srcStorage.revision(rev)));
    for (let r = 0; r < n; r++) {
      const [p1, p2] = srcRevlog.parentRevs(r); // raw order
      const linkRev = srcRevlog.linkRev(r);
      const flatNode = srcRevlog.node(r);
      const m = flatAt(r);
      const m1 = flatAt(p1);
      const t1 = treeAt(p1);
      const t2 = treeAt(p2);
      const t = t1.copy();
      for (const e of m1.diff(m)) {
        if (e.right === null) t.delete(e.path);
        else t.set(e.path, e.right.node.subarray(0, 20), e.right.flags);
      }
      const writerFor = (dir: Uint8Array): DirRevisionWriter => {
        if (dir.length === 0) {
          const w = writers.writer('00manifest', tree.revlog, 'manifest');
          return (text, tp1, tp2) => {
            if (!journaled) {
              tr.add(FLAT_NODES_FILE, map.vfs.tryStat(flatNodesPath)?.size ?? 0);
              journaled = true;
            }
            map.vfs.append(flatNodesPath, flatNode);
            const added = w.addRevision(tr, text, linkRev, tp1, tp2);
            if (!added.added || added.rev !== r) {
              throw new StorageError(`manifest ${r} (${toHex(flatNode)}): its tree is already stored as revision ${added.rev}`);
            }
            return added.node;
          };
        }
        const st = revlogOf(tree.dirStorage(dir));
        const w = writers.writer(manifestRadix(dir), st.revlog, 'manifest');
        return (text, tp1, tp2) => w.addRevision(tr, text, linkRev, tp1, tp2).node;
      };
      treeNodes.push(writeTreeManifest(t, t1, t2, writerFor));
    }
    tr.close();
  } finally {
    tr.release();
  }
  flat.refresh();
  return { manifests: n };
}

/**
 * Writes the flat-hash tree repository `src` as a plain flat repository into
 * `dst` (new, empty, src's requirements without the flat-hash one). The caller
 * holds dst's locks.
 */
export function exportFlat(src: Repository, dst: Repository, opts: FlatHashConvertOptions = {}): { manifests: number } {
  const report = opts.report ?? {};
  const flat = flatStorageOf(src);
  const tree = revlogOf(flat.treeStorage);
  const map = repoVfsMap(dst);
  report.status?.('copying store files...\n');
  copyStoreFiles(src, dst, map.vfs, (rel) => !isTransient(rel) && !rel.startsWith('meta/') && rel !== 'fncache');
  const fnc = src.readStoreFile('fncache');
  if (fnc !== undefined) {
    // the fncache without the directory manifests' revlogs, order kept
    const parts: Uint8Array[] = [];
    let s = 0;
    while (s < fnc.length) {
      let e = fnc.indexOf(0x0a, s);
      e = e < 0 ? fnc.length : e + 1;
      const line = fnc.subarray(s, e);
      if (!(line.length >= 5 && latin1(line, 0, 5) === 'meta/')) parts.push(line);
      s = e;
    }
    map.vfs.write(`${dst.storeDir}/fncache`, parts);
  }
  copyHgFiles(src, dst, map.vfs);
  const dstStorage = revlogOf(dst.manifestLog.storage);
  const n = flat.length;
  report.status?.(`exporting ${n} manifests...\n`);
  const options = revlogWriterOptions(dst.requirements, 'manifest');
  options.compressOptions = { ...options.compressOptions, zlib: zlibCompress };
  const tr = openRepoTransaction(dst, 'convert', { report: (m) => report.warn?.(m) });
  try {
    const w = new RevlogWriter(dstStorage.revlog, '00manifest', map.vfs, (f) => resolveTxPath(map, '', f), options);
    let prevRev: Rev = NULL_REV;
    let prevText: Uint8Array | undefined;
    const textOf = (rev: Rev): Uint8Array => {
      if (rev === NULL_REV) return new Uint8Array(0);
      if (rev === prevRev && prevText) return prevText;
      return flat.revision(rev);
    };
    for (let r = 0; r < n; r++) {
      const [p1, p2] = tree.revlog.parentRevs(r); // raw order
      const text = flat.revision(r);
      const p1n = p1 === NULL_REV ? NULL_NODE : flat.node(p1);
      const p2n = p2 === NULL_REV ? NULL_NODE : flat.node(p2);
      let cachedDelta: { base: Rev; delta: Uint8Array } | undefined;
      if (!isNullNode(p1n)) {
        // hg's manifestrevlog.add: fastdelta against p1 (in the full-text cache at commit time)
        const base = textOf(p1);
        const m = new LazyManifest(text);
        const changes = flatChanges(new LazyManifest(base), m);
        const fd = m.fastDelta(base, changes, { textDiff: bdiff });
        if (!bytesEqual(fd.text, text)) throw new StorageError(`manifest ${r}: fast delta does not rebuild the text`);
        cachedDelta = { base: p1, delta: fd.delta };
      }
      const added = w.addRevision(tr, text, tree.revlog.linkRev(r), p1n, p2n, { cachedDelta });
      if (!added.added || added.rev !== r || !bytesEqual(added.node, flat.node(r))) {
        throw new StorageError(`manifest ${r}: exported as ${toHex(added.node)} (rev ${added.rev}), expected ${toHex(flat.node(r))}`);
      }
      prevRev = r;
      prevText = text;
    }
    tr.close();
  } finally {
    tr.release();
  }
  return { manifests: n };
}

export type { Transaction };

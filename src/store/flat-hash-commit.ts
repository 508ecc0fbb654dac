// Committing a manifest in flat-hash tree storage (manifest/flat-hash-tree-
// storage.ts): the changeset names the flat node (hash of the flat text and
// the flat parents, as in any flat repository), while the store gets the
// edited directories as tree revisions (hg's _addtree rules) plus the flat
// node appended to the side file, in the same transaction.
import { StorageError } from '../core/errors.js';
import { isNullNode, type Node, type Rev } from '../core/node.js';
import { hashRevision } from '../core/sha1.js';
import type { ManifestChange } from '../manifest/lazy-manifest.js';
import type { Manifest } from '../manifest/manifest.js';
import { type FlatHashTreeStorage } from '../manifest/flat-hash-tree-storage.js';
import { TreeDirReader, TreeManifest } from '../manifest/tree-manifest.js';
import { writeTreeManifest } from '../manifest/tree-write.js';
import type { RevlogWriter } from '../revlog/revlog-writer.js';
import type { Transaction } from './transaction.js';

export interface FlatHashWrite {
  storage: FlatHashTreeStorage;
  tr: Transaction;
  linkRev: Rev;
  /** The new flat manifest, its text, and the flat parents. */
  m: Manifest;
  text: Uint8Array;
  p1: Node;
  p2: Node;
  /** Paths set or removed relative to p1, sorted. */
  changes: readonly ManifestChange[];
  /** The manifest revlog writer of a directory ('' for the root). */
  writer(dir: Uint8Array): RevlogWriter;
  /** Appends the flat node of the root revision being written to the side file (journaled). */
  appendFlatNode(node: Node): void;
}

/** Writes one manifest; returns its flat node. */
export function writeFlatHashManifest(w: FlatHashWrite): Node {
  const st = w.storage;
  const flatNode = hashRevision(w.text, w.p1, w.p2);
  if (st.findRev(flatNode) !== undefined) return flatNode; // already stored (same text and parents)
  const reader = new TreeDirReader(st.treeStorage);
  const treeOf = (flat: Node): TreeManifest => (isNullNode(flat) ? TreeManifest.empty() : TreeManifest.load(reader, st.treeNodeOf(flat)));
  const t1 = treeOf(w.p1);
  const t2 = treeOf(w.p2);
  const t = t1.copy();
  for (const [path, removed] of w.changes) {
    if (removed) t.delete(path);
    else {
      const e = w.m.get(path);
      if (!e) throw new StorageError(`manifest lacks committed file ${new TextDecoder().decode(path)}`);
      t.set(path, e.node.subarray(0, 20), e.flags);
    }
  }
  const rootRev = st.treeStorage.length;
  writeTreeManifest(t, t1, t2, (dir) => {
    const rw = w.writer(dir);
    if (dir.length > 0) return (text, a, b) => rw.addRevision(w.tr, text, w.linkRev, a, b).node;
    return (text, a, b) => {
      w.appendFlatNode(flatNode);
      const added = rw.addRevision(w.tr, text, w.linkRev, a, b);
      if (!added.added || added.rev !== rootRev) throw new StorageError(`manifest ${rootRev}: its tree is already stored as revision ${added.rev}`);
      return added.node;
    };
  });
  st.refresh();
  return flatNode;
}

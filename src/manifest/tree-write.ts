// Writing a tree manifest (hg's manifestrevlog._addtree): every opened
// directory with pending edits is written bottom-up into its own revlog; a
// directory whose text comes out equal to a parent's reuses that parent's node
// instead of adding a revision, and the root always gets a revision (the
// caller decided already that the manifest changed).
import { bytesEqual } from '../core/bytes.js';
import { NULL_NODE, type Node, isNullNode } from '../core/node.js';
import { TreeDir, type TreeManifest } from './tree-manifest.js';

/** Adds one revision of a directory's manifest and returns its node. */
export type DirRevisionWriter = (text: Uint8Array, p1: Node, p2: Node) => Node;

/**
 * Writes `m` with parents `m1` and `m2` (the parents' trees, TreeManifest.empty()
 * for a null parent); `writerFor(dir)` ('' for the root, else 'a/b/') adds a
 * revision to that directory's revlog. Returns the root node.
 */
export function writeTreeManifest(
  m: TreeManifest,
  m1: TreeManifest,
  m2: TreeManifest,
  writerFor: (dir: Uint8Array) => DirRevisionWriter,
): Node {
  return addTree(m.root, m1.root, m2.root, writerFor, true);
}

function unmodifiedSince(a: TreeDir, b: TreeDir): boolean {
  return !a.dirty && !b.dirty && bytesEqual(a.node, b.node);
}

function addTree(m: TreeDir, m1: TreeDir, m2: TreeDir, writerFor: (dir: Uint8Array) => DirRevisionWriter, isRoot: boolean): Node {
  if (!isRoot && (unmodifiedSince(m, m1) || unmodifiedSince(m, m2))) return m.node;
  m.load();
  for (const c of m.openChildren().values()) {
    if (c.isEmpty()) continue;
    const name = c.name();
    let s1 = m1.child(name, false);
    let s2 = m2.child(name, false);
    if (!s1 || isNullNode(s1.node)) [s1, s2] = [s2, s1];
    addTree(c, s1 ?? emptyDir(c.dir), s2 ?? emptyDir(c.dir), writerFor, false);
  }
  const text = m.dirText();
  let n: Node | undefined;
  if (!isRoot) {
    if (bytesEqual(text, m1.dirText())) n = m1.node;
    else if (bytesEqual(text, m2.dirText())) n = m2.node;
  }
  n ??= writerFor(m.dir)(text, m1.node, m2.node);
  m.node = n;
  m.dirty = false;
  return n;
}

/** What hg reads for a null node: an empty, clean directory. */
function emptyDir(dir: Uint8Array): TreeDir {
  return new TreeDir(dir, NULL_NODE, null, false);
}

// Flat-hash tree storage (requirement `exp-hgkit-flat-hash-treestore`): the
// repository stores its manifests as trees (the root directory's manifests in
// `00manifest.i`, each subdirectory's in `meta/<dir>/00manifest.i`, all with
// ordinary tree-manifest texts and hashes), but every changeset names the
// *flat* manifest's node, so no changeset hash changes and exchange with flat
// repositories is unaffected.
//
// The link between the two: `00manifest.flatnodes`, an append-only side file
// of 20 bytes per root-revlog revision, the flat node of that revision. Root
// revision r's parents are the root revisions of the flat parents, its
// linkrev that of the flat revision.
//
// This ManifestStorage is keyed by flat nodes: rev(flatNode) is the root
// revision, node(rev) the flat node, revision(rev) the flat text rebuilt from
// the tree and checked against the flat node (sha1 of the flat parents'
// nodes and the text). Everything that reads flat manifests through
// ManifestStorage (ManifestLog, status, diff, cat, log) works unchanged.
// `treeStorage` is the same root revlog keyed by tree nodes, for code that
// walks or writes the trees.
import { StorageError, LookupError } from '../core/errors.js';
import { bytesEqual, concatBytes, toHex } from '../core/bytes.js';
import { NULL_NODE, NULL_REV, type Node, type Rev, nodeKey } from '../core/node.js';
import { hashRevision } from '../core/sha1.js';
import { LruCache } from '../core/lru.js';
import type { ManifestStorage } from './manifest-storage.js';
import { TreeDirReader, TreeManifest } from './tree-manifest.js';
import { DiffKind, diffManifestTexts } from './manifest-diff.js';

/** The requirement naming this storage mode (unknown to hg, which then refuses the repository). */
export const FLAT_HASH_TREE_REQUIREMENT = 'exp-hgkit-flat-hash-treestore';
/** The side file (store path) mapping root-revlog revisions to flat nodes. */
export const FLAT_NODES_FILE = '00manifest.flatnodes';

export class FlatHashTreeStorage implements ManifestStorage {
  readonly tree = '';
  private map: Map<string, Rev> | undefined;
  private mapped = 0;
  private readonly texts = new LruCache<number, Uint8Array>(4);
  private dirReader: TreeDirReader | undefined;

  /**
   * @param treeStorage the root revlog (tree nodes), with dirStorage for subdirectories
   * @param readFlatNodes reads the side file (undefined when missing)
   */
  constructor(
    readonly treeStorage: ManifestStorage,
    private readonly readFlatNodes: () => Uint8Array | undefined,
  ) {}

  private flatNodesBytes: Uint8Array | undefined;

  /** The side file, re-read when the root revlog grew past it (a writer appended both). */
  private flatNodes(): Uint8Array {
    const need = this.treeStorage.length * 20;
    if (!this.flatNodesBytes || this.flatNodesBytes.length < need) {
      const b = this.readFlatNodes() ?? new Uint8Array(0);
      if (b.length < need) {
        throw new StorageError(`${FLAT_NODES_FILE} is too short: ${b.length} bytes for ${this.treeStorage.length} manifest revisions`, {
          hint: "run 'hg recover' or 'hg verify'",
        });
      }
      this.flatNodesBytes = b;
      if (this.mapped > this.treeStorage.length) {
        this.map = undefined;
        this.mapped = 0;
      }
    }
    return this.flatNodesBytes;
  }

  /** Forget what was read (after a write or a rollback). */
  refresh(): void {
    this.flatNodesBytes = undefined;
    this.map = undefined;
    this.mapped = 0;
    this.texts.clear();
    this.dirReader = undefined;
  }

  get length(): number {
    return this.treeStorage.length;
  }

  node(rev: Rev): Node {
    if (rev === NULL_REV) return NULL_NODE;
    if (rev < 0 || rev >= this.length) throw new LookupError(`00manifest: unknown revision ${rev}`);
    const b = this.flatNodes();
    return b.subarray(rev * 20, rev * 20 + 20);
  }

  findRev(node: Node): Rev | undefined {
    if (node.length === 20 && node.every((b) => b === 0)) return NULL_REV;
    const n = this.length;
    const b = this.flatNodes();
    if (!this.map) this.map = new Map();
    for (; this.mapped < n; this.mapped++) this.map.set(nodeKey(b, this.mapped * 20), this.mapped);
    return this.map.get(nodeKey(node));
  }

  rev(node: Node): Rev {
    const r = this.findRev(node);
    if (r === undefined) throw new LookupError(`00manifest@${toHex(node)}: no node`);
    return r;
  }

  parentRevs(rev: Rev): [Rev, Rev] {
    return this.treeStorage.parentRevs(rev);
  }

  linkRev(rev: Rev): Rev {
    return this.treeStorage.linkRev(rev);
  }

  /** The tree (root) node of a revision. */
  treeNode(rev: Rev): Node {
    return rev === NULL_REV ? NULL_NODE : this.treeStorage.node(rev);
  }

  /** The tree node of the manifest whose flat node is `flatNode`. */
  treeNodeOf(flatNode: Node): Node {
    return this.treeNode(this.rev(flatNode));
  }

  /** The flat text, rebuilt from the tree and checked against the flat node. */
  revision(rev: Rev): Uint8Array {
    if (rev === NULL_REV) return new Uint8Array(0);
    const cached = this.texts.get(rev);
    if (cached) return cached;
    this.dirReader ??= new TreeDirReader(this.treeStorage);
    const text = TreeManifest.load(this.dirReader, this.treeStorage.node(rev)).text();
    const [p1, p2] = this.parentRevs(rev);
    if (!bytesEqual(hashRevision(text, this.node(p1), this.node(p2)), this.node(rev))) {
      throw new StorageError(`integrity check failed on 00manifest:${rev}`);
    }
    this.texts.set(rev, text);
    return text;
  }

  /**
   * hg's readdelta over a flat revlog gives the lines of the stored delta;
   * this storage has no flat deltas, so it gives the lines that differ from
   * the first parent (what a delta against p1 adds).
   */
  readDeltaText(rev: Rev): Uint8Array {
    const text = this.revision(rev);
    const [p1] = this.parentRevs(rev);
    if (p1 === NULL_REV) return text;
    const parts: Uint8Array[] = [];
    diffManifestTexts(this.revision(p1), text, (kind, t, s, _z, e) => {
      if (kind === DiffKind.Added || kind === DiffKind.Modified) parts.push(t.subarray(s, Math.min(e + 1, t.length)));
    });
    return concatBytes(parts);
  }

  /** readDeltaText's base: the first parent (there are no stored flat deltas). */
  deltaParent(rev: Rev): Rev {
    return this.parentRevs(rev)[0];
  }

  dirStorage(dir: Uint8Array): ManifestStorage {
    return this.treeStorage.dirStorage(dir);
  }
}

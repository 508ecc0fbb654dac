// The manifest collection (ManifestLog) and one stored revision (ManifestCtx).
// Callers only see these two and the Manifest they hand out (a flat
// LazyManifest, or a TreeManifest when the repository stores one manifest
// per directory); storage is behind ManifestStorage.
import { LruCache } from '../core/lru.js';
import { NULL_REV, type Node, type Rev, nodeKey, isNullNode } from '../core/node.js';
import { LazyManifest } from './lazy-manifest.js';
import type { Manifest } from './manifest.js';
import type { ManifestStorage } from './manifest-storage.js';
import { TreeDirReader, TreeManifest } from './tree-manifest.js';

export class ManifestCtx {
  private cached: Manifest | undefined;

  constructor(
    private readonly log: ManifestLog,
    readonly node: Node,
  ) {}

  get storage(): ManifestStorage {
    return this.log.storage;
  }

  /** Revision number in the storage (-1 for the null manifest). */
  get rev(): Rev {
    return isNullNode(this.node) ? NULL_REV : this.log.storage.rev(this.node);
  }

  parents(): [Node, Node] {
    const [p1, p2] = this.log.storage.parentRevs(this.rev);
    return [this.log.storage.node(p1), this.log.storage.node(p2)];
  }

  linkRev(): Rev {
    return this.log.storage.linkRev(this.rev);
  }

  /** The whole manifest (lazily loaded); cached on the ctx and in the log's LRU. */
  read(): Manifest {
    if (!this.cached) {
      this.cached = this.log.readCached(this.node);
    }
    return this.cached;
  }

  /**
   * Entries added or changed by this revision's stored delta (hg's
   * readdelta); for a tree, the entries that differ from the delta parent.
   */
  readDelta(): Manifest {
    const rev = this.rev;
    if (rev === NULL_REV) return this.log.empty();
    const st = this.log.storage;
    if (!this.log.treeManifests) return new LazyManifest(st.readDeltaText(rev));
    const base = this.log.readCached(st.node(st.deltaParent(rev)));
    const out = TreeManifest.empty();
    for (const e of base.diff(this.read())) if (e.right) out.set(e.path, e.right.node, e.right.flags);
    return out;
  }

  /** One entry, loading only what leads to it. */
  find(path: Uint8Array): { node: Uint8Array; flags: string } | undefined {
    return this.read().get(path);
  }
}

export class ManifestLog {
  private readonly manifests: LruCache<string, Manifest>;
  private readonly dirReader: TreeDirReader | undefined;

  constructor(
    readonly storage: ManifestStorage,
    /** The repository stores one manifest per directory (`treemanifest`). */
    readonly treeManifests = false,
    cacheSize = 4,
  ) {
    this.manifests = new LruCache(cacheSize);
    if (treeManifests) this.dirReader = new TreeDirReader(storage);
  }

  get(node: Node): ManifestCtx {
    return new ManifestCtx(this, node);
  }

  rev(node: Node): Rev {
    return this.storage.rev(node);
  }

  /** An empty manifest of the repository's kind. */
  empty(): Manifest {
    return this.treeManifests ? TreeManifest.empty() : LazyManifest.empty();
  }

  /** Reads directory manifests of a tree repository (shared cache). */
  get treeReader(): TreeDirReader {
    if (!this.dirReader) throw new Error('not a tree manifest repository');
    return this.dirReader;
  }

  /** @internal used by ManifestCtx */
  readCached(node: Node): Manifest {
    if (isNullNode(node)) return this.empty();
    const key = nodeKey(node);
    let m = this.manifests.get(key);
    if (!m) {
      m = this.dirReader
        ? TreeManifest.load(this.dirReader, node)
        : new LazyManifest(this.storage.revision(this.storage.rev(node)));
      this.manifests.set(key, m);
    }
    // Callers may mutate what they get: hand out a cheap copy sharing the text.
    return m.copy();
  }

  clearCaches(): void {
    this.manifests.clear();
  }
}

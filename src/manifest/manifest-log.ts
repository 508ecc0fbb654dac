// The manifest collection (ManifestLog) and one stored revision (ManifestCtx).
// Callers only see these two and the LazyManifest they hand out; storage is
// behind ManifestStorage.
import { LruCache } from '../core/lru.js';
import { NULL_REV, type Node, type Rev, nodeKey, isNullNode } from '../core/node.js';
import { LazyManifest } from './lazy-manifest.js';
import type { ManifestStorage } from './manifest-storage.js';
import { flattenTree } from './tree-flatten.js';

export class ManifestCtx {
  private cached: LazyManifest | undefined;

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

  /** The whole manifest; cached on the ctx and in the log's LRU. */
  read(): LazyManifest {
    if (!this.cached) {
      this.cached = this.log.readCached(this.node);
    }
    return this.cached;
  }

  /** Entries added or changed by this revision's stored delta (hg's readdelta). */
  readDelta(): LazyManifest {
    const rev = this.rev;
    if (rev === NULL_REV) return LazyManifest.empty();
    return new LazyManifest(this.log.storage.readDeltaText(rev));
  }

  /** One entry, without building anything beyond the manifest's line index. */
  find(path: Uint8Array): { node: Uint8Array; flags: string } | undefined {
    return this.read().get(path);
  }
}

export class ManifestLog {
  private readonly texts: LruCache<string, LazyManifest>;

  constructor(
    readonly storage: ManifestStorage,
    /** The repository stores one manifest per directory (`treemanifest`). */
    readonly treeManifests = false,
    cacheSize = 4,
  ) {
    this.texts = new LruCache(cacheSize);
  }

  get(node: Node): ManifestCtx {
    return new ManifestCtx(this, node);
  }

  rev(node: Node): Rev {
    return this.storage.rev(node);
  }

  /** @internal used by ManifestCtx */
  readCached(node: Node): LazyManifest {
    if (isNullNode(node)) return LazyManifest.empty();
    const key = nodeKey(node);
    let m = this.texts.get(key);
    if (!m) {
      const text = this.treeManifests
        ? flattenTree(this.storage, node)
        : this.storage.revision(this.storage.rev(node));
      m = new LazyManifest(text);
      this.texts.set(key, m);
    }
    // Callers may mutate what they get: hand out a cheap copy sharing the text.
    return m.copy();
  }

  clearCaches(): void {
    this.texts.clear();
  }
}

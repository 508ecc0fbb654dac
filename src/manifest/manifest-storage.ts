// The storage interface behind manifests: no file names, no openers, no
// revlog internals. The revlog implements it; other backends can too.
import type { Node, Rev } from '../core/node.js';
import { NULL_REV } from '../core/node.js';
import { StorageError } from '../core/errors.js';
import type { ManifestFulltextCache } from './fulltext-cache.js';
import type { Revlog } from '../revlog/revlog.js';

export interface ManifestStorage {
  /** Directory this storage holds manifests for: '' for the root. */
  readonly tree: string;
  readonly length: number;
  rev(node: Node): Rev;
  findRev(node: Node): Rev | undefined;
  node(rev: Rev): Node;
  parentRevs(rev: Rev): [Rev, Rev];
  linkRev(rev: Rev): Rev;
  /** Full manifest text, integrity-checked. */
  revision(rev: Rev): Uint8Array;
  /**
   * The bytes added by the stored delta of `rev` against its delta parent
   * (hg's readdelta); the full text when the revision is stored in full.
   */
  readDeltaText(rev: Rev): Uint8Array;
  /** The revision `rev` is stored as a delta against (NULL_REV for a full text). */
  deltaParent(rev: Rev): Rev;
  /** Storage of a subdirectory's manifests (tree manifests); `dir` ends with '/'. */
  dirStorage(dir: Uint8Array): ManifestStorage;
}

/** Concatenated hunk data of a delta (hg's mdiff.patchtext). */
function deltaAddedText(delta: Uint8Array): Uint8Array {
  const dv = new DataView(delta.buffer, delta.byteOffset, delta.length);
  const parts: Uint8Array[] = [];
  let total = 0;
  let p = 0;
  while (p + 12 <= delta.length) {
    const len = dv.getInt32(p + 8);
    parts.push(delta.subarray(p + 12, p + 12 + len));
    total += len;
    p += 12 + len;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const part of parts) {
    out.set(part, o);
    o += part.length;
  }
  return out;
}

/** Opens the revlog of a directory's manifests (`meta/<dir>/00manifest`). */
export type DirRevlogOpener = (dir: Uint8Array) => Revlog;

export class RevlogManifestStorage implements ManifestStorage {
  private readonly dirs = new Map<string, RevlogManifestStorage>();

  constructor(
    readonly revlog: Revlog,
    readonly tree: string = '',
    private readonly openDir?: DirRevlogOpener,
    /** hg's full-text cache of recent manifests; texts from it are still hash-checked. */
    private readonly fulltextCache?: ManifestFulltextCache,
  ) {}

  dirStorage(dir: Uint8Array): ManifestStorage {
    if (!this.openDir) throw new StorageError('not a tree manifest repository');
    const key = new TextDecoder('latin1').decode(dir);
    let st = this.dirs.get(key);
    if (!st) {
      st = new RevlogManifestStorage(this.openDir(dir), key, this.openDir);
      this.dirs.set(key, st);
    }
    return st;
  }

  get length(): number {
    return this.revlog.length;
  }
  rev(node: Node): Rev {
    return this.revlog.rev(node);
  }
  findRev(node: Node): Rev | undefined {
    return this.revlog.findRev(node);
  }
  node(rev: Rev): Node {
    return this.revlog.node(rev);
  }
  parentRevs(rev: Rev): [Rev, Rev] {
    // Manifest revlogs use canonical parent order: a null p1 with a real p2 is swapped.
    const [p1, p2] = this.revlog.parentRevs(rev);
    return p1 === NULL_REV && p2 !== NULL_REV ? [p2, p1] : [p1, p2];
  }
  linkRev(rev: Rev): Rev {
    return this.revlog.linkRev(rev);
  }
  revision(rev: Rev): Uint8Array {
    const cached = this.fulltextCache?.get(this.revlog.node(rev));
    if (cached && this.revlog.flags(rev) === 0) {
      try {
        this.revlog.checkHash(cached, rev);
        return cached;
      } catch {
        // A stale or damaged cache entry: fall back to the revlog.
      }
    }
    return this.revlog.revision(rev);
  }
  deltaParent(rev: Rev): Rev {
    return this.revlog.deltaParent(rev);
  }
  readDeltaText(rev: Rev): Uint8Array {
    if (this.revlog.deltaParent(rev) === NULL_REV) return this.revlog.revision(rev);
    const delta = this.revlog.chunk(rev);
    return deltaAddedText(delta);
  }
}

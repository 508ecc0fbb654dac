// Opening a repository: requirements, the store layout, and the three kinds
// of revlogs (changelog, manifests, filelogs).
import { AbortError, RepoNotFoundError, UnsupportedFeatureError } from '../core/errors.js';
import { concatBytes, decodeUtf8, toHex, utf8 } from '../core/bytes.js';
import { NULL_NODE, NULL_REV, type Node, type Rev, isNullNode } from '../core/node.js';
import { LookupError } from '../core/errors.js';
import { RepoNames } from './names.js';
import type { RepoView } from './repo-view.js';
import { Revlog } from '../revlog/revlog.js';
import { Changelog } from '../changelog/changelog.js';
import { ManifestLog } from '../manifest/manifest-log.js';
import { RevlogManifestStorage } from '../manifest/manifest-storage.js';
import { ManifestFulltextCache } from '../manifest/fulltext-cache.js';
import { FLAT_HASH_TREE_REQUIREMENT, FLAT_NODES_FILE, FlatHashTreeStorage } from '../manifest/flat-hash-tree-storage.js';
import { Filelog } from '../filelog/filelog.js';
import type { Vfs } from '../vfs/vfs.js';
import { NodeVfs } from '../vfs/node-vfs.js';
import { encodeStorePath, manifestRadix, type StoreLayout } from '../vfs/store-encoding.js';
import { parseRequirements, unsupportedRequirements } from './requirements.js';

export interface OpenOptions {
  vfs?: Vfs;
}

export class Repository implements RepoView {
  /** Working-copy root (absolute). */
  readonly root: string;
  /** `.hg` directory. */
  readonly hgDir: string;
  /** Store directory (`.hg/store`, `.hg` without store, or the share source's store). */
  readonly storeDir: string;
  readonly requirements: ReadonlySet<string>;
  readonly layout: StoreLayout;
  readonly vfs: Vfs;

  private changelogCache: Changelog | undefined;
  private manifestLogCache: ManifestLog | undefined;
  private readonly filelogs = new Map<string, Filelog>();
  private namesCache: RepoNames | undefined;

  private constructor(root: string, hgDir: string, storeDir: string, requirements: Set<string>, vfs: Vfs) {
    this.root = root;
    this.hgDir = hgDir;
    this.storeDir = storeDir;
    this.requirements = requirements;
    this.vfs = vfs;
    this.layout = {
      store: requirements.has('store'),
      fncache: requirements.has('fncache'),
      dotencode: requirements.has('dotencode'),
    };
  }

  /** Opens the repository whose root is `root` (no upward search). */
  static open(root: string, opts: OpenOptions = {}): Repository {
    const vfs = opts.vfs ?? new NodeVfs();
    const hgDir = joinPath(root, '.hg');
    if (!vfs.isDir(hgDir)) throw new RepoNotFoundError(`repository ${root} not found`);
    const reqs = new Set(parseRequirements(vfs.tryRead(joinPath(hgDir, 'requires'))));
    for (const r of reqs) {
      if (!/^[A-Za-z0-9]/.test(r)) throw new AbortError('.hg/requires file is corrupt');
    }
    let sharedHg: string | undefined;
    if (reqs.has('shared') || reqs.has('relshared')) {
      const sp = vfs.tryRead(joinPath(hgDir, 'sharedpath'));
      if (!sp) throw new AbortError(`.hg/sharedpath file not found`);
      let target = decodeUtf8(sp).replace(/\n$/, '');
      if (reqs.has('relshared')) target = joinPath(hgDir, target);
      if (!vfs.isDir(target)) throw new AbortError(`.hg/sharedpath points to nonexistent directory ${target}`);
      sharedHg = target;
    }
    const storeHg = sharedHg ?? hgDir;
    if (reqs.has('share-safe')) {
      // share-safe keeps the store requirements (`store` included) in <store>/requires
      for (const r of parseRequirements(vfs.tryRead(joinPath(storeHg, 'store/requires')))) reqs.add(r);
    }
    const storeDir = reqs.has('store') ? joinPath(storeHg, 'store') : storeHg;
    const missing = unsupportedRequirements(reqs);
    if (missing.length > 0) {
      throw new UnsupportedFeatureError(`repository requires features unknown to this Mercurial: ${missing.join(' ')}`, {
        hint: 'see https://mercurial-scm.org/wiki/MissingRequirement for more information',
      });
    }
    return new Repository(root, hgDir, storeDir, reqs, vfs);
  }

  /** Finds the repository containing `cwd` (walking up to the root of the file system). */
  static find(cwd: string, opts: OpenOptions = {}): Repository {
    const vfs = opts.vfs ?? new NodeVfs();
    let dir = cwd;
    for (;;) {
      if (vfs.isDir(joinPath(dir, '.hg'))) return Repository.open(dir, { vfs });
      const parent = parentPath(dir);
      if (parent === dir) break;
      dir = parent;
    }
    throw new RepoNotFoundError(`no repository found in '${cwd}' (.hg not found)`);
  }

  /** Opens a revlog by its unencoded store radix (e.g. `data/foo`, `00manifest`). */
  openRevlog(radix: Uint8Array, displayName: string): Revlog {
    const indexPath = this.storeFilePath(concatBytes([radix, DOT_I]));
    const dataPath = this.storeFilePath(concatBytes([radix, DOT_D]));
    const index = this.vfs.tryRead(indexPath) ?? new Uint8Array(0);
    return new Revlog(displayName, { index, readData: () => this.vfs.tryRead(dataPath) });
  }

  /** Absolute path (bytes) of an unencoded store path. */
  storeFilePath(storePath: Uint8Array): Uint8Array {
    return concatBytes([utf8(this.storeDir), SLASH, encodeStorePath(storePath, this.layout)]);
  }

  get changelog(): Changelog {
    if (!this.changelogCache) {
      this.changelogCache = new Changelog(this.openRevlog(utf8('00changelog'), '00changelog'));
    }
    return this.changelogCache;
  }

  get manifestLog(): ManifestLog {
    if (!this.manifestLogCache) {
      const revlog = this.openRevlog(utf8('00manifest'), '00manifest');
      const openDir = (dir: Uint8Array): Revlog => {
        const radix = manifestRadix(dir);
        return this.openRevlog(radix, decodeUtf8(radix));
      };
      const tree = this.requirements.has('treemanifest');
      const cache = new ManifestFulltextCache(() => this.readHgFile('wcache/manifestfulltextcache'));
      const storage = new RevlogManifestStorage(revlog, '', openDir, cache);
      this.manifestLogCache = this.requirements.has(FLAT_HASH_TREE_REQUIREMENT)
        ? new ManifestLog(new FlatHashTreeStorage(storage, () => this.readStoreFile(FLAT_NODES_FILE)), false)
        : new ManifestLog(storage, tree);
    }
    return this.manifestLogCache;
  }

  /** The filelog of a tracked path (repo-relative bytes). */
  file(path: Uint8Array): Filelog {
    const key = decodeLatin1Key(path);
    let fl = this.filelogs.get(key);
    if (!fl) {
      const radix = concatBytes([DATA_SLASH, path]);
      fl = new Filelog(path, this.openRevlog(radix, 'data/' + decodeUtf8(path)));
      this.filelogs.set(key, fl);
    }
    return fl;
  }

  /** Working-copy parents from the dirstate (null when there is none). */
  dirstateParents(): [Node, Node] {
    const data = this.vfs.tryRead(joinPath(this.hgDir, 'dirstate'));
    if (!data || data.length === 0) return [NULL_NODE, NULL_NODE];
    if (this.requirements.has('dirstate-v2')) {
      // docket: "dirstate-v2\n" then p1 and p2, each 32 bytes (nodes zero-padded)
      const off = 12;
      if (data.length < off + 64) return [NULL_NODE, NULL_NODE];
      return [data.slice(off, off + 20), data.slice(off + 32, off + 52)];
    }
    if (data.length < 40) throw new AbortError('working directory state appears damaged!');
    return [data.slice(0, 20), data.slice(20, 40)];
  }

  /** Reads a file of `.hg/` (bookmarks, localtags, branch...); undefined when missing. */
  readHgFile(name: string): Uint8Array | undefined {
    return this.vfs.tryRead(joinPath(this.hgDir, name));
  }

  /** Reads a file of the store directory, unencoded name (phaseroots, bookmarks with bookmarksinstore). */
  readStoreFile(name: string): Uint8Array | undefined {
    return this.vfs.tryRead(joinPath(this.storeDir, name));
  }

  get names(): RepoNames {
    if (!this.namesCache) this.namesCache = new RepoNames(this);
    return this.namesCache;
  }

  workingParentRev(): Rev {
    const [p1] = this.dirstateParents();
    if (isNullNode(p1)) return NULL_REV;
    const r = this.changelog.findRev(p1);
    if (r === undefined) throw new LookupError(`working directory has unknown parent '${toHexShort(p1)}'!`);
    return r;
  }

  lookupName(name: string): Rev | undefined {
    return this.names.lookup(name);
  }

  isName(name: string): boolean {
    return this.names.lookup(name) !== undefined;
  }

  branchOf(rev: Rev): string {
    return this.names.branchOf(rev);
  }

  branchNames(): ReadonlySet<string> {
    return new Set(this.names.branches().keys());
  }

  branchHeadRevs(opts: { closed: boolean }): Rev[] {
    const out: Rev[] = [];
    for (const bi of this.names.branches().values()) {
      for (const h of bi.heads) if (opts.closed || !bi.closed.has(h)) out.push(h);
    }
    return out.sort((a, b) => a - b);
  }
}

const DOT_I = utf8('.i');
const DOT_D = utf8('.d');
const SLASH = utf8('/');
const DATA_SLASH = utf8('data/');

function decodeLatin1Key(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function joinPath(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  return a.endsWith('/') ? a + b : a + '/' + b;
}

function parentPath(p: string): string {
  const i = p.lastIndexOf('/');
  if (i <= 0) return '/';
  return p.slice(0, i);
}

function toHexShort(n: Node): string {
  return toHex(n, 0, 6);
}

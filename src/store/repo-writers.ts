// Revlog writers of one repository for one write (a commit, a conversion
// batch): one RevlogWriter per store radix, over the reader objects the
// repository hands out, so those see the new revisions.
import { UnsupportedFeatureError } from '../core/errors.js';
import { concatBytes, latin1, utf8 } from '../core/bytes.js';
import { FlatHashTreeStorage } from '../manifest/flat-hash-tree-storage.js';
import { RevlogManifestStorage } from '../manifest/manifest-storage.js';
import type { Revlog } from '../revlog/revlog.js';
import { RevlogWriter, revlogWriterOptions } from '../revlog/revlog-writer.js';
import { manifestRadix } from '../vfs/store-encoding.js';
import type { Repository } from './repo.js';
import { type Transaction, type TransactionVfsMap, repoVfsMap, resolveTxPath } from './transaction.js';

export class RepoWriters {
  private readonly files = new Map<string, RevlogWriter>();
  readonly resolve: (f: string) => Uint8Array;

  constructor(
    readonly repo: Repository,
    readonly map: TransactionVfsMap = repoVfsMap(repo),
  ) {
    this.resolve = (f: string) => resolveTxPath(map, '', f);
  }

  /** The writer of store radix `radix` over `revlog`. */
  writer(radix: Uint8Array | string, revlog: Revlog, kind: 'changelog' | 'manifest' | 'filelog'): RevlogWriter {
    const key = typeof radix === 'string' ? radix : latin1(radix);
    let w = this.files.get(key);
    if (!w) {
      w = new RevlogWriter(revlog, key, this.map.vfs, this.resolve, revlogWriterOptions(this.repo.requirements, kind));
      this.files.set(key, w);
    }
    return w;
  }

  filelog(path: Uint8Array): RevlogWriter {
    return this.writer(concatBytes([utf8('data/'), path]), this.repo.file(path).revlog, 'filelog');
  }

  /** The manifest revlog of directory `dir` ('' for the root, else 'a/b/'); tree revlogs of flat-hash storage. */
  manifest(dir: Uint8Array = EMPTY): RevlogWriter {
    const st = this.repo.manifestLog.storage;
    const root = st instanceof FlatHashTreeStorage ? st.treeStorage : st;
    const storage = dir.length === 0 ? root : root.dirStorage(dir);
    if (!(storage instanceof RevlogManifestStorage)) throw new UnsupportedFeatureError('hgkit can only commit to revlog manifests');
    return this.writer(dir.length === 0 ? '00manifest' : manifestRadix(dir), storage.revlog, 'manifest');
  }

  changelog(): RevlogWriter {
    return this.writer('00changelog', this.repo.changelog.revlog, 'changelog');
  }

  /** Appends to a store file (not a revlog), journaled with its current length. */
  appendStoreFile(tr: Transaction, name: string, data: Uint8Array): void {
    const file = resolveTxPath(this.map, '', name);
    tr.add(name, this.map.vfs.tryStat(file)?.size ?? 0);
    this.map.vfs.append(file, data);
  }

  /** Drops writers (their in-memory copies of index and data) between batches. */
  clear(): void {
    this.files.clear();
  }
}

const EMPTY = new Uint8Array(0);

// The two kinds of diff sides: a changeset (hg's changectx: manifest and
// filelogs) and the working copy (hg's workingctx: files read from disk,
// tracked paths from the dirstate, flags from lstat).

import type { Manifest } from '../manifest/manifest.js';
import { decodeUtf8, fromLatin1 } from '../core/bytes.js';
import { AbortError } from '../core/errors.js';
import type { Rev } from '../core/node.js';
import type { Filelog } from '../filelog/filelog.js';
import type { Repository } from '../store/repo.js';
import { F_WC_TRACKED, type DirstateMap } from '../dirstate/dirstate-map.js';
import { diskFlags, PathAuditor, readWorkingFile } from '../dirstate/status.js';
import { WorkingFsError, type WorkingFs } from '../dirstate/working-fs.js';
import type { DiffCtx, DiffFile } from './patch.js';

/** A changeset as a diff side. */
export class RevDiffCtx implements DiffCtx {
  private readonly filelogs = new Map<string, Filelog>();

  constructor(
    readonly repo: Repository,
    readonly rev: Rev,
    readonly manifest: Manifest,
    readonly id: string,
    readonly date: string,
  ) {}

  has(path: string): boolean {
    return this.manifest.get(fromLatin1(path)) !== undefined;
  }

  flags(path: string): string {
    return this.manifest.get(fromLatin1(path))?.flags ?? '';
  }

  private filelog(path: string): Filelog {
    let fl = this.filelogs.get(path);
    if (!fl) {
      fl = this.repo.file(fromLatin1(path));
      this.filelogs.set(path, fl);
    }
    return fl;
  }

  file(path: string): DiffFile {
    const ent = this.manifest.get(fromLatin1(path));
    if (!ent) throw new Error(`${path} not in manifest`);
    const fl = this.filelog(path);
    const node = ent.node.subarray(0, 20);
    const rev = fl.revlog.rev(node);
    return {
      path,
      stored: { fl, rev, node },
      data: () => fl.read(rev),
      size: () => fl.size(rev),
    };
  }
}

/** The working copy as a diff side. */
export class WorkingDiffCtx implements DiffCtx {
  readonly id = undefined;
  private readonly auditor: PathAuditor;

  /** `root`: the working copy's path, for error messages. */
  constructor(
    readonly fs: WorkingFs,
    readonly map: DirstateMap,
    readonly date: string,
    readonly root: string,
  ) {
    this.auditor = new PathAuditor(fs);
  }

  has(path: string): boolean {
    const r = this.map.findRowLatin1(path);
    return r >= 0 && (this.map.rows.flags[r]! & F_WC_TRACKED) !== 0;
  }

  flags(path: string): string {
    try {
      const st = this.fs.lstat(path);
      return st === undefined ? '' : diskFlags(st.mode);
    } catch (e) {
      if (e instanceof WorkingFsError) return '';
      throw e;
    }
  }

  file(path: string): DiffFile {
    const fs = this.fs;
    const auditor = this.auditor;
    const lstat = () => {
      const st = fs.lstat(path);
      if (st === undefined) throw new WorkingFsError('ENOENT', 'No such file or directory');
      return st;
    };
    const root = this.root;
    // an unreadable file aborts as hg's vfs read does: `<strerror>: '<full path>'`
    const io = <T>(fn: () => T): T => {
      try {
        return fn();
      } catch (e) {
        if (e instanceof WorkingFsError) throw new AbortError(`${e.strerror}: '${root}/${decodeUtf8(fromLatin1(path))}'`);
        throw e;
      }
    };
    return {
      path,
      data: () => io(() => readWorkingFile(fs, path, lstat().mode, auditor)),
      size: () => io(() => lstat().size),
    };
  }
}

// The public library API: what the CLI does, callable without a process.
// Named-argument objects, typed results, bytes for file contents and paths.
import { Repository } from './store/repo.js';
import { revRange, revSingle } from './store/revset.js';
import type { Changeset } from './changelog/changeset.js';
import { LookupError } from './core/errors.js';
import { nodeHex, NULL_REV, type Node, type Rev } from './core/node.js';
import { utf8 } from './core/bytes.js';

export interface OpenRepositoryOptions {
  /** A directory inside the working copy; the repository is searched upwards from it. */
  dir: string;
  /** Treat `dir` as the root, without searching upwards (like `hg -R`). */
  exact?: boolean;
}

/** Opens the repository containing `dir`. Throws RepoNotFoundError / UnsupportedFeatureError. */
export function openRepository({ dir, exact }: OpenRepositoryOptions): Repository {
  return exact ? Repository.open(dir) : Repository.find(dir);
}

/** Resolves a revision specifier (number, hex prefix, `tip`, `.`, name, or a revset whose last member is taken). */
export function resolveRevision({ repo, rev }: { repo: Repository; rev: string }): Rev {
  return revSingle(repo, rev);
}

/** Resolves revision specifiers to the ordered list of revisions hg would use. */
export function resolveRevisions({ repo, revs }: { repo: Repository; revs: string[] }): Rev[] {
  return revRange(repo, revs);
}

export interface ChangesetInfo extends Changeset {
  rev: Rev;
  node: Node;
  nodeHex: string;
  parents: Rev[];
  branch: string;
}

/** Reads one changeset. */
export function readChangeset({ repo, rev }: { repo: Repository; rev: Rev }): ChangesetInfo {
  const cs = repo.changelog.read(rev);
  const node = repo.changelog.node(rev);
  return {
    ...cs,
    rev,
    node,
    nodeHex: nodeHex(node),
    parents: repo.changelog.parentRevs(rev).filter((p) => p !== NULL_REV),
    branch: repo.branchOf(rev),
  };
}

/** Iterates changesets newest first (or over `revs` in the given order), lazily. */
export function* log({ repo, revs }: { repo: Repository; revs?: Rev[] }): Generator<ChangesetInfo> {
  if (revs) {
    for (const rev of revs) yield readChangeset({ repo, rev });
    return;
  }
  for (let rev = repo.changelog.length - 1; rev >= 0; rev--) yield readChangeset({ repo, rev });
}

export interface ManifestEntryInfo {
  path: Uint8Array;
  node: Node;
  flags: string;
}

/** The manifest of a revision (a LazyManifest, or a TreeManifest in tree repositories): get, keys, entries, diff, text... */
export function readManifest({ repo, rev }: { repo: Repository; rev: Rev }) {
  return repo.manifestLog.get(repo.changelog.read(rev).manifest).read();
}

/** The content of `path` at revision `rev`. Throws LookupError when the file is not in that revision. */
export function readFile({ repo, rev, path }: { repo: Repository; rev: Rev; path: string | Uint8Array }): Uint8Array {
  const p = typeof path === 'string' ? utf8(path) : path;
  const entry = readManifest({ repo, rev }).get(p);
  if (!entry) throw new LookupError(`${typeof path === 'string' ? path : new TextDecoder().decode(path)}: no such file in rev ${nodeHex(repo.changelog.node(rev)).slice(0, 12)}`);
  const fl = repo.file(p);
  return fl.read(fl.revlog.rev(entry.node.subarray(0, 20)));
}

// The diff between two changesets as one call (what `hg diff -r A -r B`,
// `hg log -p` and `hg export` print for a pair of revisions): status, copies
// in git mode, and the per-file chunks.

import { latin1 } from '../core/bytes.js';
import { NULL_REV, type Rev, nodeHex, shortHex } from '../core/node.js';
import { LazyManifest } from '../manifest/lazy-manifest.js';
import type { Repository } from '../store/repo.js';
import { type PathPredicate, RevManifests, pathCopies } from '../store/copies.js';
import { statusBetweenRevs } from '../store/status-revs.js';
import { RevDiffCtx } from './contexts.js';
import type { DiffOptions } from './mdiff.js';
import { diffChunks, tryDiff } from './patch.js';

export interface RevDiffOptions {
  /** Only files (latin1 paths) for which this is true. */
  match?: PathPredicate;
  /** hg's datestr(time, tz) for the `---`/`+++` lines. */
  formatDate: (time: number, tz: number) => string;
  /** Full 40-digit ids in `diff -r` lines (hg --debug). */
  fullHashes?: boolean;
  /** Display path of a repo path (--root); identity by default. */
  pathfn?: (path: string) => string;
  manifests?: RevManifests;
}

/** A changeset (or the null revision) as a diff side. */
export function revDiffCtx(repo: Repository, rev: Rev, o: Pick<RevDiffOptions, 'formatDate' | 'fullHashes'>, mf: RevManifests): RevDiffCtx {
  const id = (node: Uint8Array): string => (o.fullHashes ? nodeHex(node) : shortHex(node));
  if (rev === NULL_REV) return new RevDiffCtx(repo, NULL_REV, LazyManifest.empty(), id(new Uint8Array(20)), o.formatDate(0, 0));
  const cs = repo.changelog.read(rev);
  return new RevDiffCtx(repo, rev, mf.get(rev), id(repo.changelog.node(rev)), o.formatDate(cs.time, cs.tz));
}

/** The diff text of `rev2` against `rev1`, chunk by chunk. */
export function* diffRevs(repo: Repository, rev1: Rev, rev2: Rev, opts: DiffOptions, o: RevDiffOptions): Generator<Uint8Array> {
  const mf = o.manifests ?? new RevManifests(repo);
  const st = statusBetweenRevs(repo, rev1, rev2, { match: o.match, manifests: mf });
  const changes = { modified: st.modified.map((p) => latin1(p)), added: st.added.map((p) => latin1(p)), removed: st.removed.map((p) => latin1(p)) };
  const copies = opts.git && rev1 !== rev2 && rev1 !== NULL_REV && rev2 !== NULL_REV ? pathCopies(repo, rev1, rev2, { match: o.match, manifests: mf }) : new Map<string, string>();
  yield* diffChunks(tryDiff(revDiffCtx(repo, rev1, o, mf), revDiffCtx(repo, rev2, o, mf), changes, copies, opts, { pathfn: o.pathfn }));
}

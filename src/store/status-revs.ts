// Status between two committed revisions (hg's basectx.status for two
// changesets): one merge walk over the two manifest texts; a path whose node
// or flag differs is modified (hg does not compare contents between
// commits), plus the copies map when asked. No printing here.
import { AbortError } from '../core/errors.js';
import { fromLatin1, latin1 } from '../core/bytes.js';
import { NULL_REV, type Rev } from '../core/node.js';
import { diffManifestTexts } from '../manifest/manifest-diff.js';
import { TreeManifest } from '../manifest/tree-manifest.js';
import { type PathPredicate, RevManifests, pathCopies } from './copies.js';
import type { Repository } from './repo.js';

export interface RevStatusOptions {
  /** Keep only paths (latin1 strings of their bytes) for which this is true. */
  match?: PathPredicate;
  /** Also list unchanged files. */
  clean?: boolean;
  /** Also compute copies (hg's copies.pathcopies(rev1, rev2, match)). */
  copies?: boolean;
  manifests?: RevManifests;
  /**
   * Every path `match` accepts is one of these or lies below one (latin1,
   * '' for anywhere: the matcher's matchRoots). Tree manifests then read only
   * the directories leading there.
   */
  roots?: readonly string[];
  /** The matcher's visitchildrenset; tree manifests then filter as hg's treemanifest._matches. */
  visit?: (dir: string) => 'all' | 'this' | ReadonlySet<string>;
}

export interface RevStatus {
  /** Paths as views of the manifest texts, each list in path (byte) order. */
  modified: Uint8Array[];
  added: Uint8Array[];
  removed: Uint8Array[];
  clean: Uint8Array[];
  /** Copy destination -> source (latin1 path strings); empty unless asked. */
  copies: Map<string, string>;
}

/** The status of `rev2` relative to `rev1` (either may be the null revision). */
export function statusBetweenRevs(repo: Repository, rev1: Rev, rev2: Rev, opts: RevStatusOptions = {}): RevStatus {
  const mf = opts.manifests ?? new RevManifests(repo);
  const match = opts.match;
  const tree = repo.manifestLog.treeManifests;
  if (tree && opts.clean && match && !opts.visit) {
    // hg's answer depends on its matchers' visitchildrenset() there.
    throw new AbortError('status --clean with file patterns on a tree manifest repository is not supported by hgkit yet');
  }
  if (tree) return treeStatus(repo, mf, rev1, rev2, opts);
  // Read the older manifest first: the newer one is likely a delta on it.
  mf.preload([rev1, rev2].filter((r) => r !== NULL_REV));
  const st: RevStatus = { modified: [], added: [], removed: [], clean: [], copies: new Map() };
  const lists = [st.removed, st.added, st.modified, st.clean];
  diffManifestTexts(
    mf.text(rev1),
    mf.text(rev2),
    (kind, text, s, z) => {
      if (match && !match(latin1(text, s, z))) return;
      lists[kind]!.push(text.subarray(s, z));
    },
    { clean: opts.clean === true },
  );
  if (opts.copies) {
    st.copies = pathCopies(repo, rev1, rev2, {
      match,
      manifests: mf,
      addedInY: st.added.map((p) => latin1(p)),
    });
  }
  return st;
}

// ---------------------------------------------------------------------------
// Tree manifests: one diff of the two trees, which skips every directory whose
// node is the same on both sides without reading it (so, as in hg, unchanged
// files are reported as clean only in directories whose node differs), and
// with roots only descends towards them.

function treeStatus(repo: Repository, mf: RevManifests, rev1: Rev, rev2: Rev, opts: RevStatusOptions): RevStatus {
  const tree = (rev: Rev): TreeManifest => {
    const m = rev === NULL_REV ? TreeManifest.empty() : mf.get(rev);
    if (!(m instanceof TreeManifest)) throw new AbortError('internal error: expected a tree manifest');
    return m;
  };
  const match = opts.match;
  const clean = opts.clean === true;
  let entries;
  if (match && opts.visit) {
    // hg's treemanifest.diff(match=...): both trees filtered by the matcher first
    const mm = Object.assign((p: Uint8Array) => match(latin1(p)), { visitChildrenSet: opts.visit });
    entries = tree(rev1).matchedTree(mm).diff(tree(rev2).matchedTree(mm), { clean });
  } else {
    const roots = match && opts.roots ? opts.roots.map((r) => fromLatin1(r)) : [];
    entries = tree(rev1).diffUnder(tree(rev2), roots, { clean });
  }
  const st: RevStatus = { modified: [], added: [], removed: [], clean: [], copies: new Map() };
  for (const e of entries) {
    if (match && !match(latin1(e.path))) continue;
    if (e.left === null && e.right === null) st.clean.push(e.path);
    else if (e.left === null) st.added.push(e.path);
    else if (e.right === null) st.removed.push(e.path);
    else st.modified.push(e.path);
  }
  if (opts.copies) {
    st.copies = pathCopies(repo, rev1, rev2, { match, manifests: mf, addedInY: st.added.map((p) => latin1(p)) });
  }
  return st;
}

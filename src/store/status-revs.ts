// Status between two committed revisions (hg's basectx.status for two
// changesets): one merge walk over the two manifest texts; a path whose node
// or flag differs is modified (hg does not compare contents between
// commits), plus the copies map when asked. No printing here.
import { AbortError } from '../core/errors.js';
import { bytesEqual, fromLatin1, hexBytesToBin, latin1 } from '../core/bytes.js';
import { NULL_NODE, NULL_REV, type Node, type Rev } from '../core/node.js';
import { DiffKind, diffManifestTexts } from '../manifest/manifest-diff.js';
import type { ManifestStorage } from '../manifest/manifest-storage.js';
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
  if (tree && opts.clean && match) {
    // hg's answer depends on its matchers' visitchildrenset() there.
    throw new AbortError('status --clean with file patterns on a tree manifest repository is not supported by hgkit yet');
  }
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
  if (tree && st.clean.length > 0) st.clean = treeVisibleClean(repo, rev1, rev2, st.clean);
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
// Tree manifests. hg's treemanifest.diff skips a directory whose tree node is
// the same on both sides without listing its files, so unchanged files are
// reported as clean only in directories whose node differs, all the way up
// to the root (and nothing at all when the root manifests are the same).

function manifestNode(repo: Repository, rev: Rev): Node {
  return rev === NULL_REV ? NULL_NODE : repo.changelog.read(rev).manifest;
}

/** Subdirectories of one directory's manifest text: name (latin1) -> view of the 40 hex digits. */
function subdirs(storage: ManifestStorage, node: Node): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const text = storage.revision(storage.rev(node));
  let s = 0;
  while (s < text.length) {
    const z = text.indexOf(0, s);
    if (z < 0) break;
    let e = text.indexOf(10, z + 41);
    if (e < 0) e = text.length;
    if (e > z + 41 && text[z + 41] === 0x74 /* t */) out.set(latin1(text, s, z), text.subarray(z + 1, z + 41));
    s = e + 1;
  }
  return out;
}

function treeVisibleClean(repo: Repository, rev1: Rev, rev2: Rev, clean: Uint8Array[]): Uint8Array[] {
  const root = repo.manifestLog.storage;
  const differing = new Set<string>(); // directory paths (latin1) with a trailing '/', '' for the root
  const walk = (n1: Node, n2: Node, dir: string): void => {
    if (bytesEqual(n1, n2)) return;
    differing.add(dir);
    const st = dir === '' ? root : root.dirStorage(fromLatin1(dir));
    const d1 = subdirs(st, n1);
    const d2 = subdirs(st, n2);
    for (const [name, h1] of d1) {
      const h2 = d2.get(name);
      if (h2 && !bytesEqual(h1, h2)) walk(hexBytesToBin(h1, 0, 20)!, hexBytesToBin(h2, 0, 20)!, dir + name + '/');
    }
  };
  walk(manifestNode(repo, rev1), manifestNode(repo, rev2), '');
  return clean.filter((p) => {
    const slash = p.lastIndexOf(0x2f);
    return differing.has(slash < 0 ? '' : latin1(p, 0, slash + 1));
  });
}

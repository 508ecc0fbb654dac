// Walking a revision's manifest with a command's matcher (files, cat): the
// tree-manifest form of hg's manifest.walk, which follows the matcher's
// visitchildrenset and so reads only the directories it can match in.
import { fromLatin1, latin1 } from '../core/bytes.js';
import type { Matcher } from '../dirstate/matcher.js';
import type { ManifestMatcher } from '../manifest/matcher.js';
import type { TreeManifest } from '../manifest/tree-manifest.js';

/** The matcher as the manifest layer takes it (a predicate over path bytes plus hints). */
export function manifestMatcherOf(m: Matcher): ManifestMatcher {
  const fn = (path: Uint8Array): boolean => m.matches(latin1(path));
  const roots = m.matchRoots;
  return Object.assign(fn, {
    always: m.always,
    prefixes: roots && !roots.includes('') ? roots.map((r) => fromLatin1(r)) : undefined,
    visitChildrenSet: m.visitChildrenSet ? (dir: string) => m.visitChildrenSet!(dir) : undefined,
  });
}

/**
 * hg's treemanifest.walk: the matching paths in order, then the explicitly
 * named files that are neither in the manifest nor directories of it
 * (latin1, sorted) for "no such file" reports.
 */
export function walkTree(m: TreeManifest, matcher: Matcher): { paths: Uint8Array[]; bad: string[] } {
  const paths = [...m.walk(manifestMatcherOf(matcher))];
  const wanted = new Set(matcher.files);
  if (wanted.size) for (const p of paths) wanted.delete(latin1(p));
  wanted.delete('');
  const bad = [...wanted].sort().filter((f) => !m.hasDir(fromLatin1(f)));
  return { paths, bad };
}

// The minimal matcher LazyManifest understands: a predicate over path bytes,
// plus two optional hints that let walk()/matches() skip work.
//
// dirstate/matcher.ts (hg patterns, globs, regexps) produces richer matchers;
// anything callable as `(path) => boolean` works here, and setting `prefixes`
// turns a full scan into binary searches over the manifest.

import { startsWith } from '../core/bytes.js';

export interface ManifestMatcher {
  /** True if `path` (repo-relative bytes, '/'-separated) is selected. */
  (path: Uint8Array): boolean;
  /** The matcher selects every path (hg's match.always()); the predicate is not called. */
  readonly always?: boolean;
  /**
   * A promise about the predicate: every path it accepts starts with one of
   * these byte strings. walk()/matches() then only visit those ranges of the
   * manifest (found by binary search) and still call the predicate there.
   * An empty prefix means "anything" (no restriction).
   */
  readonly prefixes?: readonly Uint8Array[];
  /**
   * hg's match.visitchildrenset(dir) (dir: latin1, no trailing '/', '' for
   * the root): 'all' (everything below matches), 'this' (look here and in
   * every subdirectory), a set of the child names worth visiting, or an empty
   * set (nothing below). Tree manifests walk and filter by it, as hg does.
   */
  readonly visitChildrenSet?: (dir: string) => 'all' | 'this' | ReadonlySet<string>;
}

function make(fn: (path: Uint8Array) => boolean, extra: { always?: boolean; prefixes?: readonly Uint8Array[] }): ManifestMatcher {
  return Object.assign(fn, extra) as ManifestMatcher;
}

/** Selects everything (hg's `matchmod.always()`). */
export function alwaysMatcher(): ManifestMatcher {
  return make(() => true, { always: true });
}

/** Selects nothing. */
export function neverMatcher(): ManifestMatcher {
  return make(() => false, { prefixes: [] });
}

/** Selects exactly these paths (hg's `matchmod.exact()`). */
export function exactMatcher(files: readonly Uint8Array[]): ManifestMatcher {
  const set = new Set<string>();
  for (const f of files) set.add(key(f));
  return make((p) => set.has(key(p)), { prefixes: files.slice() });
}

/**
 * Selects each given path and everything below it when it is a directory
 * (hg's `path:` patterns; an empty entry selects the whole manifest).
 */
export function prefixMatcher(dirs: readonly Uint8Array[]): ManifestMatcher {
  const list = dirs.map((d) => (d.length > 0 && d[d.length - 1] === 0x2f ? d.subarray(0, d.length - 1) : d));
  if (list.some((d) => d.length === 0)) return alwaysMatcher();
  return make(
    (p) => {
      for (const d of list) {
        if (startsWith(p, d) && (p.length === d.length || p[d.length] === 0x2f)) return true;
      }
      return false;
    },
    { prefixes: list },
  );
}

function key(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

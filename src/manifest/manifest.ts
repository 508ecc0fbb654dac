// What every manifest implementation offers its callers: the flat
// LazyManifest and the per-directory TreeManifest both implement it, and
// ManifestLog hands out whichever the repository stores.
import type {
  LazyManifest,
  ManifestDiffEntry,
  ManifestEntry,
  ManifestEntryValue,
  RawLineCallback,
} from './lazy-manifest.js';
import type { ManifestMatcher } from './matcher.js';

export interface Manifest {
  /** Number of files. */
  readonly size: number;
  get(path: Uint8Array): ManifestEntryValue | undefined;
  has(path: Uint8Array): boolean;
  /** The flag of `path`, '' when absent. */
  flags(path: Uint8Array): string;
  set(path: Uint8Array, node: Uint8Array, flags: string): void;
  /** Removes `path`; ManifestError when it is not there. */
  delete(path: Uint8Array): void;
  copy(): Manifest;
  /** Paths in flat (bytewise) order. */
  keys(): IterableIterator<Uint8Array>;
  entries(): IterableIterator<ManifestEntry>;
  forEachRaw(cb: RawLineCallback): void;
  /** The flat manifest text (`path\0hex[flag]\n`, every file, path order). */
  text(): Uint8Array;
  /** Paths whose node or flag differ, in path order (see LazyManifest.diff). */
  diff(other: Manifest, opts?: { clean?: boolean }): ManifestDiffEntry[];
  matches(matcher: ManifestMatcher): Manifest;
  walk(matcher: ManifestMatcher): IterableIterator<Uint8Array>;
  filterCopy(pred: (path: Uint8Array) => boolean): Manifest;
  /** True if some file lies under `dir` (no trailing '/'). */
  hasDir(dir: Uint8Array): boolean;
  dirs(): Uint8Array[];
  /** The same entries as a flat LazyManifest (the manifest itself when it is one). */
  flat(): LazyManifest;
}

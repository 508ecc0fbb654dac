// Requirements hgkit can open. Anything else is refused, naming it, as hg does.
export const SUPPORTED_REQUIREMENTS: ReadonlySet<string> = new Set([
  'revlogv1',
  'store',
  'fncache',
  'dotencode',
  'generaldelta',
  'sparserevlog',
  'revlog-compression-zstd',
  'exp-compression-none',
  'share-safe',
  'shared',
  'relshared',
  'treemanifest',
  'persistent-nodemap',
  'dirstate-v2',
  'dirstate-tracked-key-v1',
  'bookmarksinstore',
  'internal-phase',
  'internal-phase-2',
  'exp-archived-phase',
  // hgkit's own: tree-stored manifests keeping flat hashes (manifest/flat-hash-tree-storage.ts)
  'exp-hgkit-flat-hash-treestore',
]);

/** Parses a requires file: one name per line; blank lines ignored. */
export function parseRequirements(bytes: Uint8Array | undefined): string[] {
  if (!bytes) return [];
  const text = new TextDecoder('latin1').decode(bytes);
  return text.split('\n').filter((l) => l.length > 0);
}

export function unsupportedRequirements(reqs: Iterable<string>): string[] {
  const out: string[] = [];
  for (const r of reqs) if (!SUPPORTED_REQUIREMENTS.has(r)) out.push(r);
  return out.sort();
}

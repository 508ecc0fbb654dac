// Package root: the public API and the types it uses.
export * from './api.js';
export { Repository } from './store/repo.js';
export { RepoNames } from './store/names.js';
export { revRange, revSingle, revSymbol, parseRevset } from './store/revset.js';
export { Changelog } from './changelog/changelog.js';
export { parseChangeset, type Changeset } from './changelog/changeset.js';
export { ManifestLog, ManifestCtx } from './manifest/manifest-log.js';
export type { ManifestStorage } from './manifest/manifest-storage.js';
export { RevlogManifestStorage } from './manifest/manifest-storage.js';
export { LazyManifest } from './manifest/lazy-manifest.js';
export { Filelog, parseFileMeta } from './filelog/filelog.js';
export { Revlog } from './revlog/revlog.js';
export { patches } from './revlog/mpatch.js';
export { decompressChunk } from './compress/engine.js';
export * from './core/errors.js';
export { type Node, type Rev, NULL_NODE, NULL_REV, nodeHex, shortHex, nodeFromHex } from './core/node.js';

// hg's localrepo.newreporequirements + checkrequirementscompat for hg 6.3.2:
// which requirements `init` writes, from the format.* and experimental.*
// settings, and which of them go to .hg/requires rather than the store's.
import { AbortError } from '../core/errors.js';

/** What newRepoRequirements needs to know about the configuration. */
export interface FormatConfig {
  bool(key: string, dflt: boolean): boolean;
  list(key: string, dflt: readonly string[]): string[];
  value(key: string): string | undefined;
  has(key: string): boolean;
}

/** Requirements kept in .hg/requires when the store has its own (share-safe). */
export const WORKING_DIR_REQUIREMENTS: ReadonlySet<string> = new Set([
  'sparse',
  'shared',
  'relshared',
  'share-safe',
  'dirstate-tracked-key-v1',
  'dirstate-v2',
]);

/** Compression engines hgkit writes (hg's names; all have a revlog header, `none` stores chunks as they are). */
const REVLOG_ENGINES = new Set(['zstd', 'zlib', 'none']);

export function newRepoRequirements(cfg: FormatConfig, warn: (msg: string) => void): Set<string> {
  const reqs = new Set<string>(['revlogv1']);
  if (cfg.bool('format.usestore', true)) {
    reqs.add('store');
    if (cfg.bool('format.usefncache', true)) {
      reqs.add('fncache');
      if (cfg.bool('format.dotencode', true)) reqs.add('dotencode');
    }
  }
  const engines = cfg.list('format.revlog-compression', ['zstd', 'zlib']);
  const engine = engines.find((e) => REVLOG_ENGINES.has(e));
  if (engine === undefined) {
    throw new AbortError(`compression engines ${engines.map((e) => `"${e}"`).join(', ')} defined by format.revlog-compression not available`, {
      hint: 'run "hg debuginstall" to list available compression engines',
    });
  }
  if (engine === 'zstd') reqs.add('revlog-compression-zstd');
  else if (engine !== 'zlib') reqs.add(`exp-compression-${engine}`);
  if (cfg.bool('format.generaldelta', false) || cfg.bool('format.usegeneraldelta', true)) {
    reqs.add('generaldelta');
    if (cfg.bool('format.sparse-revlog', true)) reqs.add('sparserevlog');
  }
  if (cfg.bool('format.use-dirstate-v2', false)) reqs.add('dirstate-v2');
  if (cfg.bool('experimental.treemanifest', false)) reqs.add('treemanifest');
  if (cfg.bool('format.use-internal-phase', false)) reqs.add('internal-phase-2');
  if (cfg.bool('format.exp-archived-phase', false)) reqs.add('exp-archived-phase');
  if (cfg.bool('format.bookmarks-in-store', false)) reqs.add('bookmarksinstore');
  if (cfg.bool('format.use-persistent-nodemap', false)) reqs.add('persistent-nodemap');
  if (cfg.bool('format.use-share-safe', true)) reqs.add('share-safe');
  if (cfg.bool('format.use-dirstate-tracked-hint', false)) {
    const version = cfg.value('format.use-dirstate-tracked-hint.version') ?? '1';
    if (version.trim() !== '1') {
      warn(`ignoring unknown tracked key version: ${version.trim()}\n(see \`hg help config.format.use-dirstate-tracked-hint-version)\n`);
    } else reqs.add('dirstate-tracked-key-v1');
  }
  for (const [key, req] of [
    ['format.exp-use-copies-side-data-changeset', 'exp-copies-sidedata-changeset'],
    ['format.exp-use-changelog-v2', 'exp-changelog-v2'],
    ['experimental.revlogv2', 'exp-revlogv2.2'],
  ] as const) {
    const v = cfg.value(key);
    if (v !== undefined && (key === 'format.exp-use-copies-side-data-changeset' ? cfg.bool(key, false) : v === 'enable-unstable-format-and-corrupt-my-data')) {
      throw new AbortError(`hgkit cannot create repositories with ${key} (${req}): not supported`);
    }
  }
  // checkrequirementscompat
  if (!reqs.has('store')) {
    if (reqs.has('bookmarksinstore')) {
      warn("ignoring enabled 'format.bookmarks-in-store' config beacuse it is incompatible with disabled 'format.usestore' config\n");
      reqs.delete('bookmarksinstore');
    }
    if (reqs.has('share-safe')) {
      if (cfg.has('format.use-share-safe')) {
        warn("ignoring enabled 'format.use-share-safe' config because it is incompatible with disabled 'format.usestore' config\n");
      }
      reqs.delete('share-safe');
    }
  }
  return reqs;
}

/** scmutil.filterrequirements: [.hg/requires, .hg/store/requires or undefined]. */
export function splitRequirements(reqs: ReadonlySet<string>): [string[], string[] | undefined] {
  if (!reqs.has('share-safe')) return [[...reqs], undefined];
  const wc: string[] = [];
  const store: string[] = [];
  for (const r of reqs) (WORKING_DIR_REQUIREMENTS.has(r) ? wc : store).push(r);
  return [wc, store];
}

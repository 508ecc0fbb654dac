// hgkit convert: conversions between manifest formats (not hg's convert
// extension: no other VCS, no filemap/splicemap). See docs/tree-manifests.md.
//
//   hgkit convert --treemanifest SRC DST    flat -> tree manifests (new hashes, DST/.hg/shamap);
//                                            rerun to resume or to convert new SRC changesets
//   hgkit convert --flat-hash-tree SRC DST  flat -> flat-hash tree storage (no hash changes)
//   hgkit convert --export-flat SRC DST     flat-hash tree storage -> plain flat repository
//
// Debugging and tests: HGKIT_CONVERT_BATCH=N (changesets per transaction,
// default 1000), HGKIT_CONVERT_KILL_AFTER=N (SIGKILL itself after writing N
// changesets, inside the open transaction).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandContext } from '../context.js';
import { optBool } from '../context.js';
import { CommandLineError } from '../options.js';
import { AbortError } from '../../core/errors.js';
import { Repository } from '../../store/repo.js';
import { parseRequirements } from '../../store/requirements.js';
import { lockStore, lockWorkingCopy, recoverTransaction } from '../../store/transaction.js';
import { FLAT_HASH_TREE_REQUIREMENT } from '../../manifest/flat-hash-tree-storage.js';
import { DUMMY_CHANGELOG } from './init.js';

type Mode = 'treemanifest' | 'flat-hash-tree' | 'export-flat';

interface Requires {
  wc: Set<string>;
  store: Set<string>;
}

/** SRC's requirements as files: `.hg/requires` and (share-safe) the store's `requires`; shares become plain repositories. */
function readRequires(root: string): Requires {
  const hg = path.join(root, '.hg');
  const read = (f: string): string[] => {
    try {
      return parseRequirements(fs.readFileSync(f));
    } catch {
      return [];
    }
  };
  const wc = new Set(read(path.join(hg, 'requires')));
  let storeHg = hg;
  if (wc.has('shared') || wc.has('relshared')) {
    const sp = fs.readFileSync(path.join(hg, 'sharedpath'), 'utf8').replace(/\n$/, '');
    storeHg = wc.has('relshared') ? path.resolve(hg, sp) : sp;
  }
  wc.delete('shared');
  wc.delete('relshared');
  const store = new Set(wc.has('share-safe') ? read(path.join(storeHg, 'store', 'requires')) : []);
  return { wc, store };
}

function writeRequires(file: string, reqs: Iterable<string>): void {
  fs.writeFileSync(file, [...reqs].sort().map((r) => r + '\n').join(''));
}

/** Creates DST like `hg init` would with these requirements. */
function createRepo(root: string, reqs: Requires): void {
  fs.mkdirSync(root, { recursive: true });
  const hg = path.join(root, '.hg');
  fs.mkdirSync(hg);
  fs.mkdirSync(path.join(hg, 'cache'));
  fs.mkdirSync(path.join(hg, 'wcache'));
  const all = new Set([...reqs.wc, ...reqs.store]);
  if (all.has('store')) {
    fs.mkdirSync(path.join(hg, 'store'));
    fs.writeFileSync(path.join(hg, '00changelog.i'), DUMMY_CHANGELOG);
  }
  writeRequires(path.join(hg, 'requires'), reqs.wc);
  if (reqs.wc.has('share-safe')) writeRequires(path.join(hg, 'store', 'requires'), reqs.store);
}

function withRequirement(reqs: Requires, name: string, add: boolean): Requires {
  const wc = new Set(reqs.wc);
  const store = new Set(reqs.store);
  if (add) (wc.has('share-safe') ? store : wc).add(name);
  else {
    wc.delete(name);
    store.delete(name);
  }
  return { wc, store };
}

function isRepo(p: string): boolean {
  try {
    return fs.statSync(path.join(p, '.hg')).isDirectory();
  } catch {
    return false;
  }
}

/** True when DST can be created: missing, or an empty directory. */
function canCreate(p: string, shown: string): boolean {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return true;
  }
  if (!st.isDirectory()) throw new AbortError(`destination ${shown} exists and is not a directory`);
  if (isRepo(p)) return false;
  if (fs.readdirSync(p).length > 0) throw new AbortError(`destination ${shown} exists and is not a Mercurial repository`);
  return true;
}

function envCount(ctx: CommandContext, name: string): number | undefined {
  const v = ctx.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export async function run(ctx: CommandContext): Promise<number> {
  const { ui, args, opts } = ctx;
  const modes = (['treemanifest', 'flat-hash-tree', 'export-flat'] as Mode[]).filter((m) => optBool(opts, m));
  if (modes.length !== 1) {
    throw new AbortError('specify exactly one of --treemanifest, --flat-hash-tree and --export-flat', {
      hint: 'hgkit convert only converts between manifest formats',
    });
  }
  if (args.length !== 2) throw new CommandLineError('invalid arguments', 'convert');
  const mode = modes[0]!;
  const [srcShown, dstShown] = args as [string, string];
  const srcRoot = path.resolve(ctx.cwd, srcShown);
  const dstRoot = path.resolve(ctx.cwd, dstShown);
  if (!isRepo(srcRoot)) throw new AbortError(`${srcShown}: missing or unsupported repository`);
  if (srcRoot === dstRoot) throw new AbortError('source and destination are the same repository');
  const src = Repository.open(srcRoot);
  const report = {
    status: (m: Uint8Array | string) => ui.status(m),
    note: (m: Uint8Array | string) => ui.note(m),
    warn: (m: string) => ui.warn(m),
  };
  const srcReqs = readRequires(srcRoot);

  let created = false;
  const create = (reqs: Requires): void => {
    ui.status(`initializing destination ${dstShown} repository\n`);
    createRepo(dstRoot, reqs);
    created = true;
  };

  if (mode === 'treemanifest') {
    if (src.requirements.has('treemanifest')) throw new AbortError(`source repository ${srcShown} already uses tree manifests`);
    if (canCreate(dstRoot, dstShown)) {
      create(withRequirement(withRequirement(srcReqs, FLAT_HASH_TREE_REQUIREMENT, false), 'treemanifest', true));
      fs.writeFileSync(path.join(dstRoot, '.hg', 'shamap'), '');
    }
    let dst = Repository.open(dstRoot);
    if (!dst.requirements.has('treemanifest')) throw new AbortError(`destination ${dstShown} is not a tree manifest repository`);
    const wlock = await lockWorkingCopy(dst, { onWarn: (m) => ui.warn(m) });
    try {
      if (fs.existsSync(path.join(dst.storeDir, 'journal'))) {
        // an interrupted conversion: roll its last batch back, then resume
        await recoverTransaction(dst, { onStatus: (m) => ui.status(m), onWarn: (m) => ui.warn(m) });
        dst = Repository.open(dstRoot);
      }
      const lock = await lockStore(dst, { onWarn: (m) => ui.warn(m) });
      try {
        const { loadShaMap, convertToTreeManifest } = await import('../../store/convert-tree.js');
        const shamap = loadShaMap(src, dst, dstShown, srcShown);
        const killAfter = envCount(ctx, 'HGKIT_CONVERT_KILL_AFTER');
        convertToTreeManifest(src, dst, shamap, {
          report,
          batchSize: envCount(ctx, 'HGKIT_CONVERT_BATCH'),
          onConverted: (n) => {
            if (killAfter !== undefined && n >= killAfter) {
              ui.flush();
              process.kill(process.pid, 'SIGKILL');
            }
          },
        });
      } finally {
        lock.release();
      }
    } finally {
      wlock.release();
    }
    return 0;
  }

  // --flat-hash-tree / --export-flat: a new repository, removed again on failure
  const toTree = mode === 'flat-hash-tree';
  if (toTree) {
    if (src.requirements.has('treemanifest')) throw new AbortError(`source repository ${srcShown} uses tree manifests`);
    if (src.requirements.has(FLAT_HASH_TREE_REQUIREMENT)) throw new AbortError(`source repository ${srcShown} already uses the flat-hash tree storage`);
  } else if (!src.requirements.has(FLAT_HASH_TREE_REQUIREMENT)) {
    throw new AbortError(`source repository ${srcShown} does not use the flat-hash tree storage`);
  }
  if (!canCreate(dstRoot, dstShown)) throw new AbortError(`destination ${dstShown} already exists`);
  const existed = fs.existsSync(dstRoot);
  create(withRequirement(srcReqs, FLAT_HASH_TREE_REQUIREMENT, toTree));
  try {
    const dst = Repository.open(dstRoot);
    const wlock = await lockWorkingCopy(dst, { onWarn: (m) => ui.warn(m) });
    try {
      const lock = await lockStore(dst, { onWarn: (m) => ui.warn(m) });
      try {
        const conv = await import('../../store/convert-flat-hash.js');
        if (toTree) conv.convertToFlatHashTree(src, dst, { report });
        else conv.exportFlat(src, dst, { report });
      } finally {
        lock.release();
      }
    } finally {
      wlock.release();
    }
  } catch (e) {
    if (created) {
      // only what this command created
      fs.rmSync(existed ? path.join(dstRoot, '.hg') : dstRoot, { recursive: true, force: true });
    }
    throw e;
  }
  return 0;
}

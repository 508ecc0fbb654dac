// hg resolve: commands.resolve — `-l` (list, `-n` without the status
// letter), `-m`/`-u` (mark resolved / unresolved), and re-merging
// (`--re-merge`, the default with files or `-a`), with `-t TOOL`, over the
// merge state in `.hg/merge` (src/store/mergestate.ts) and hg's file merge
// (src/store/filemerge.ts).
import type { CommandContext } from '../context.js';
import { optBool, optList, optString } from '../context.js';
import { AbortError, InputError, StateError } from '../../core/errors.js';
import { fromLatin1 } from '../../core/bytes.js';
import { NULL_REV, nodeHex } from '../../core/node.js';
import { lockWorkingCopy } from '../../store/transaction.js';
import {
  MERGE_RECORD_RESOLVED,
  MERGE_RECORD_RESOLVED_PATH,
  MERGE_RECORD_UNRESOLVED,
  MERGE_RECORD_UNRESOLVED_PATH,
  MergeState,
} from '../../store/mergestate.js';
import { type DirstateAction, type FileMergeEnv, resolveFile } from '../../store/filemerge.js';
import { recordUpdates, resultFromExtra, wcDirty } from '../../store/merge.js';
import { backupPath } from '../../store/update.js';
import { buildMatcher } from '../../dirstate/matcher.js';
import { LazyManifest } from '../../manifest/lazy-manifest.js';
import { mergeStorage, mergeUi, openWorkingCopy, toolConfig, workingContext, workingCopyStatus } from '../merge-cli.js';
import { cwdRelative } from './util.js';

const KEYS: Record<string, string> = {
  [MERGE_RECORD_UNRESOLVED]: 'U',
  [MERGE_RECORD_RESOLVED]: 'R',
  [MERGE_RECORD_UNRESOLVED_PATH]: 'P',
  [MERGE_RECORD_RESOLVED_PATH]: 'R',
};

export async function run(ctx: CommandContext): Promise<number> {
  const { opts, args: pats } = ctx;
  const all = optBool(opts, 'all');
  const mark = optBool(opts, 'mark');
  const unmark = optBool(opts, 'unmark');
  const show = optBool(opts, 'list');
  const nostatus = optBool(opts, 'no-status');
  const remerge = optBool(opts, 're-merge');
  if (optString(opts, 'template') !== undefined) throw new AbortError('resolve -T/--template is not supported by hgkit');
  const actioncount = [show, mark, unmark, remerge].filter(Boolean).length;
  if (actioncount > 1) throw new InputError('too many actions specified');
  if (pats.length && all) throw new InputError("can't specify --all and patterns");
  if (!(all || pats.length || show || mark || unmark)) {
    throw new InputError('no files or directories specified', { hint: 'use --all to re-merge all unresolved files' });
  }
  const repo = ctx.repo();
  const ui = mergeUi(ctx);
  const cwdRel = cwdRelative(repo.root, ctx.cwd);
  const makeMatcher = (patterns: string[]) =>
    buildMatcher({ cwdRel, patterns, include: optList(opts, 'include'), exclude: optList(opts, 'exclude') });
  const p2Hex = (w: ReturnType<typeof openWorkingCopy>): string => nodeHex(repo.changelog.node(w.p2 !== NULL_REV ? w.p2 : w.p1));

  if (show) {
    const w = openWorkingCopy(repo);
    const ms = MergeState.read(mergeStorage(w), () => p2Hex(w));
    const m = makeMatcher(pats);
    for (const f of ms.files()) {
      if (!m.matches(f)) continue;
      const key = KEYS[ms.get(f)!]!;
      ui.status(nostatus ? `${f}\n` : `${key} ${f}\n`);
    }
    return 0;
  }

  const wlock = await lockWorkingCopy(repo, { onWarn: (m) => ctx.ui.warn(m) });
  let w: ReturnType<typeof openWorkingCopy> | undefined;
  let ms: MergeState;
  let ret = 0;
  try {
    w = openWorkingCopy(repo);
    const wo = w;
    ms = MergeState.read(mergeStorage(w), () => p2Hex(wo));
    if (!(ms.active() || w.p2 !== NULL_REV)) throw new StateError('resolve command not applicable when not merging');
    const m = makeMatcher(pats);
    let didwork = false;
    const p1Node = w.p1 === NULL_REV ? new Uint8Array(20) : repo.changelog.node(w.p1);
    const env: FileMergeEnv = {
      repo,
      ui,
      fs: w.cfs,
      tools: toolConfig(ctx, repo.root),
      uiPath: (p) => p,
      p1Node,
      manifestOf: (node) => {
        const r = repo.changelog.rev(node);
        return r === NULL_REV ? LazyManifest.empty() : wo.mf.get(r);
      },
    };
    const extra = new Map<DirstateAction, string[]>();
    const localM = w.p1 === NULL_REV ? LazyManifest.empty() : w.mf.get(w.p1);
    for (const f of ms.files()) {
      if (!m.matches(f)) continue;
      didwork = true;
      const state = ms.get(f)!;
      if (state === MERGE_RECORD_UNRESOLVED_PATH || state === MERGE_RECORD_RESOLVED_PATH) {
        if (mark) ms.mark(f, MERGE_RECORD_RESOLVED_PATH);
        else if (unmark) ms.mark(f, MERGE_RECORD_UNRESOLVED_PATH);
        else if (state === MERGE_RECORD_UNRESOLVED_PATH) ui.warn(`${f}: path conflict must be resolved manually\n`);
        continue;
      }
      if (mark) ms.mark(f, MERGE_RECORD_RESOLVED);
      else if (unmark) ms.mark(f, MERGE_RECORD_UNRESOLVED);
      else {
        // backup pre-resolve (merge uses .orig for its own purposes)
        const saved = f + '.resolve';
        let haveSaved = true;
        try {
          w.cfs.copyFile(f, saved);
        } catch (e) {
          if ((e as { code?: string }).code !== 'ENOENT') throw e;
          haveSaved = false;
        }
        try {
          const r = resolveFile(env, ms, f, (p) => localM.has(fromLatin1(p)));
          if (r.ret) ret = 1;
          if (r.action) {
            let l = extra.get(r.action);
            if (!l) extra.set(r.action, (l = []));
            l.push(f);
          }
        } finally {
          ms.commit();
        }
        if (haveSaved) {
          try {
            w.cfs.rename(saved, backupPath(f));
          } catch (e) {
            if ((e as { code?: string }).code !== 'ENOENT') throw e;
          }
        }
      }
    }
    ms.commit();
    recordUpdates(w.map, resultFromExtra(extra), w.p2 !== NULL_REV, undefined);
    if (!didwork && pats.length) {
      let hint: string | undefined;
      if (!pats.some((p) => p.includes(':'))) {
        const pm = makeMatcher(pats.map((p) => `path:${p}`));
        for (const f of ms.files()) {
          if (!pm.matches(f)) continue;
          const flags = [
            ['all', '-a '],
            ['mark', '-m '],
            ['unmark', '-u '],
            ['list', '-l '],
            ['no-status', '-n '],
            ['re-merge', '--re-merge '],
          ]
            .filter(([o]) => optBool(opts, o!))
            .map(([, s]) => s)
            .join('');
          hint = `(try: hg resolve ${flags}${pats.map((p) => `path:${p}`).join(' ')})\n`;
          break;
        }
      }
      ui.warn('arguments do not match paths that need resolving\n');
      if (hint) ui.warn(hint);
    }
    if (ms.unresolvedCount() === 0) {
      ui.status('(no more unresolved files)\n');
      if (ctx.ui.verbose) {
        const st = workingCopyStatus(w);
        if (wcDirty(workingContext(w, st), true, false, false)) ui.note('continue: hg commit\n');
      }
    }
    w.save();
  } finally {
    try {
      w?.save();
    } finally {
      wlock.release();
    }
  }
  return ret;
}

// hg merge: commands.merge, hg.merge and hg.abortmerge — the other head of
// the branch by default (destutil.destmerge), `-r REV`/REV, `--abort`,
// `-P/--preview`, `-f` (deprecated force), `-t TOOL`. The merge itself is
// src/store/merge.ts.
import type { CommandContext } from '../context.js';
import { optBool, optString } from '../context.js';
import { InputError, StateError } from '../../core/errors.js';
import { NULL_REV, type Rev, nodeHex } from '../../core/node.js';
import { revSingle } from '../../store/revset.js';
import { lockWorkingCopy } from '../../store/transaction.js';
import { mergeUpdate } from '../../store/merge.js';
import { MergeState } from '../../store/mergestate.js';
import { ChangesetPrinter } from '../changeset-printer.js';
import {
  branchText,
  mergeDeps,
  mergeStorage,
  mergeUi,
  openWorkingCopy,
  readWorkingBranch,
  showStats,
  workingContext,
  workingCopyStatus,
} from '../merge-cli.js';
import { destMerge, isAncestor } from '../merge-dest.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { opts, args } = ctx;
  if (args.length > 1) throw new InputError('invalid arguments');
  const node = args[0];
  const repo = ctx.repo();
  const abort = optBool(opts, 'abort');
  const [, dp2] = repo.dirstateParents();
  const inMerge = !dp2.every((b) => b === 0);
  if (abort && !inMerge) throw new StateError('no merge in progress');
  if (abort) {
    for (const o of ['rev', 'preview']) {
      if (opts[o] !== undefined && opts[o] !== false && opts[o] !== '') throw new InputError(`cannot specify both --abort and --${o}`);
    }
    if (node !== undefined) throw new InputError('cannot specify a node with --abort');
    return abortMerge(ctx);
  }
  const revOpt = optString(opts, 'rev');
  if (revOpt && node !== undefined) throw new InputError('please specify just one revision');
  const spec = node ?? revOpt;
  const ui = mergeUi(ctx);

  if (optBool(opts, 'preview')) {
    const p1 = repo.workingParentRev();
    const other = spec ? revSingle(repo, spec) : destMerge(repo, p1, branchText(readWorkingBranch(repo)));
    // changesets that are ancestors of the other side but not of '.'
    const printer = new ChangesetPrinter(ctx.ui, repo);
    const cl = repo.changelog;
    const revs: Rev[] = [];
    for (let r = 0; r <= other; r++) if (isAncestor(repo, r, other) && !isAncestor(repo, r, p1)) revs.push(r);
    void cl;
    for (const r of revs) printer.show(r);
    return 0;
  }

  const wlock = await lockWorkingCopy(repo, { onWarn: (m) => ctx.ui.warn(m) });
  let w: ReturnType<typeof openWorkingCopy> | undefined;
  try {
    w = openWorkingCopy(repo);
    const other = spec ? revSingle(repo, spec) : destMerge(repo, w.p1, branchText(readWorkingBranch(repo)));
    const st = workingCopyStatus(w);
    const wc = workingContext(w, st);
    const force = optBool(opts, 'force');
    const stats = mergeUpdate(
      wc,
      { node: other, branchmerge: true, force, mergeforce: force, labels: ['working copy', 'merge rev', 'common ancestor'] },
      mergeDeps(ctx, w, ui),
    );
    w.save();
    showStats(ui, stats);
    if (stats.unresolved) ui.status("use 'hg resolve' to retry unresolved file merges or 'hg merge --abort' to abandon\n");
    else ui.status("(branch merge, don't forget to commit)\n");
    return stats.unresolved > 0 ? 1 : 0;
  } finally {
    try {
      w?.save();
    } finally {
      wlock.release();
    }
  }
}

/** hg.abortmerge: back to the merge's local side, changes discarded. */
async function abortMerge(ctx: CommandContext): Promise<number> {
  const repo = ctx.repo();
  const ui = mergeUi(ctx);
  const wlock = await lockWorkingCopy(repo, { onWarn: (m) => ctx.ui.warn(m) });
  let w: ReturnType<typeof openWorkingCopy> | undefined;
  try {
    w = openWorkingCopy(repo);
    const ms = MergeState.read(mergeStorage(w), () => nodeHex(repo.changelog.node(w!.p2 !== NULL_REV ? w!.p2 : w!.p1)));
    const hex = ms.active() && ms.localHex ? ms.localHex : w.p1 === NULL_REV ? '0'.repeat(40) : nodeHex(repo.changelog.node(w.p1));
    ui.status(`aborting the merge, updating back to ${hex.slice(0, 12)}\n`);
    const target = revSingle(repo, hex);
    const st = workingCopyStatus(w);
    const stats = mergeUpdate(workingContext(w, st), { node: target, branchmerge: false, force: true }, mergeDeps(ctx, w, ui));
    w.save();
    showStats(ui, stats);
    return 0;
  } finally {
    try {
      w?.save();
    } finally {
      wlock.release();
    }
  }
}

// hg update / up / checkout / co: commands.update and hg.updatetotally —
// the destination (REV, -r, -d, or the tip of the working copy's branch),
// -C (discard changes), -c (abort on changes), -m (merge whatever the
// direction), otherwise hg's linear rule: local changes are merged into the
// destination when it is an ancestor or descendant, else "uncommitted
// changes". The work itself is src/store/merge.ts (mergeUpdate).
import type { CommandContext } from '../context.js';
import { optBool, optString } from '../context.js';
import { InputError, StateError } from '../../core/errors.js';
import { decodeUtf8, latin1, utf8 } from '../../core/bytes.js';
import { NULL_REV, type Node, type Rev } from '../../core/node.js';
import type { Repository } from '../../store/repo.js';
import { revSingle } from '../../store/revset.js';
import { lockStore, lockWorkingCopy, openRepoTransaction } from '../../store/transaction.js';
import { updateActiveBookmark } from '../../store/commit.js';
import { type UpdateCheck, mergeUpdate } from '../../store/merge.js';
import {
  branchText,
  clearUnfinished,
  mergeDeps,
  mergeUi,
  openWorkingCopy,
  readWorkingBranch,
  showStats,
  workingContext,
  workingCopyStatus,
} from '../merge-cli.js';
import { destUpdate, isAncestor, statusOtherDests } from '../merge-dest.js';
import { findDate } from '../merge-date.js';

function checkAtMostOne(ctx: CommandContext, names: string[]): void {
  let previous: string | undefined;
  for (const n of names) {
    if (optBool(ctx.opts, n)) {
      if (previous) throw new InputError(`cannot specify both --${previous} and --${n}`);
      previous = n;
    }
  }
}

export async function run(ctx: CommandContext): Promise<number> {
  const { opts, args } = ctx;
  checkAtMostOne(ctx, ['clean', 'check', 'merge']);
  if (args.length > 1) throw new InputError('invalid arguments');
  const node = args[0];
  let rev = optString(opts, 'rev');
  const date = optString(opts, 'date');
  const clean = optBool(opts, 'clean');
  const check = optBool(opts, 'check');
  const merge = optBool(opts, 'merge');
  if (rev && node !== undefined) throw new InputError('please specify just one revision');
  if (rev === undefined || rev === '') rev = node;
  if (date && rev !== undefined) throw new InputError("you can't specify a revision and a date");
  let updatecheck: UpdateCheck | undefined;
  if (check) updatecheck = 'abort';
  else if (merge) updatecheck = 'none';

  const repo = ctx.repo();
  const ui = mergeUi(ctx);
  const wlock = await lockWorkingCopy(repo, { onWarn: (m) => ctx.ui.warn(m) });
  let w: ReturnType<typeof openWorkingCopy> | undefined;
  try {
    w = openWorkingCopy(repo);
    clearUnfinished(repo, w.hg);
    if (date) rev = String(findDate(ctx, repo, date));
    // the bookmark the update may move or activate (hg's brev / movemarkfrom)
    let brev: string | undefined = rev;
    let movemarkfrom: Node | undefined;
    let checkout: Rev | undefined = rev === undefined || rev === '' ? undefined : revSingle(repo, rev);
    let warndest = false;
    if (checkout === undefined) {
      // destutil.destupdate: the active bookmark, then the branch
      const active = activeBookmark(repo);
      const marks = repo.names.bookmarks();
      const p1Node = w.p1 === NULL_REV ? undefined : repo.changelog.node(w.p1);
      const atParent = active !== undefined && p1Node !== undefined && nodeEq(marks.get(active)!, p1Node);
      brev = undefined;
      if (atParent) movemarkfrom = p1Node;
      else if (active !== undefined) {
        ui.status(`updating to active bookmark ${latin1(utf8(active))}\n`);
        checkout = repo.changelog.rev(marks.get(active)!);
        brev = active;
      }
      if (checkout === undefined) checkout = destUpdate(repo, w.p1, branchText(readWorkingBranch(repo)), clean);
      warndest = true;
    }
    const st = workingCopyStatus(w);
    const wc = workingContext(w, st);
    const deps = mergeDeps(ctx, w, ui);
    let ret = false;
    if (clean) {
      const stats = mergeUpdate(wc, { node: checkout, branchmerge: false, force: true }, deps);
      showStats(ui, stats);
    } else {
      if (updatecheck === 'abort') {
        // cmdutil.bailifchanged(repo, merge=False)
        if (st.modified.length || st.added.length || st.removed.length || st.deleted.length) throw new StateError('uncommitted changes');
        updatecheck = 'none';
      }
      const stats = mergeUpdate(
        wc,
        { node: checkout, branchmerge: false, force: false, labels: ['working copy', 'destination', 'working copy parent'], updatecheck },
        deps,
      );
      showStats(ui, stats);
      if (stats.unresolved) ui.status("use 'hg resolve' to retry unresolved file merges\n");
      ret = stats.unresolved > 0;
    }
    w.save();
    await bookmarkAfterUpdate(ctx, repo, w, ui, ret, movemarkfrom, brev, checkout);
    if (warndest && checkout !== NULL_REV) {
      const active = activeBookmark(repo);
      if (active === undefined) statusOtherDests(repo, ui, checkout, branchText(readWorkingBranch(repo)));
    }
    return ret ? 1 : 0;
  } finally {
    try {
      w?.save();
    } finally {
      wlock.release();
    }
  }
}

function nodeEq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length >= 20 && b.length >= 20 && a.subarray(0, 20).every((x, i) => x === b[i]);
}

/** repo._activebookmark: `.hg/bookmarks.current` when it names an existing bookmark. */
function activeBookmark(repo: Repository): string | undefined {
  const raw = repo.readHgFile('bookmarks.current');
  if (!raw || raw.length === 0) return undefined;
  const nl = raw.indexOf(0x0a);
  const name = decodeUtf8(nl < 0 ? raw : raw.subarray(0, nl));
  return name !== '' && repo.names.bookmarks().has(name) ? name : undefined;
}

/** The bookmark part of hg.updatetotally. */
async function bookmarkAfterUpdate(
  ctx: CommandContext,
  repo: Repository,
  w: ReturnType<typeof openWorkingCopy>,
  ui: ReturnType<typeof mergeUi>,
  failed: boolean,
  movemarkfrom: Node | undefined,
  brev: string | undefined,
  checkout: Rev,
): Promise<void> {
  const active = activeBookmark(repo);
  const show = (b: string): string => latin1(utf8(b));
  const dot = checkout === NULL_REV ? new Uint8Array(20) : repo.changelog.node(checkout);
  const deactivate = (): void => w.hg.unlink('bookmarks.current');
  if (!failed && movemarkfrom) {
    if (nodeEq(movemarkfrom, dot)) return;
    // bookmarks.update: the active bookmark follows when the new parent descends from it
    let moved = false;
    if (active !== undefined && checkout !== NULL_REV && isAncestor(repo, repo.changelog.rev(movemarkfrom), checkout)) {
      const lock = await lockStore(repo, { onWarn: (m) => ctx.ui.warn(m) });
      try {
        const tr = openRepoTransaction(repo, 'bookmark', { report: (m) => ctx.ui.warn(m) });
        try {
          moved = updateActiveBookmark(repo, tr, [movemarkfrom], dot);
          tr.close();
        } finally {
          tr.release();
        }
      } finally {
        lock.release();
      }
    }
    if (moved) ui.status(`updating bookmark ${show(active!)}\n`);
    else if (active !== undefined) {
      ui.status(`(leaving bookmark ${show(active)})\n`);
      deactivate();
    }
  } else if (brev !== undefined && repo.names.bookmarks().has(brev)) {
    if (brev !== active) ui.status(`(activating bookmark ${show(brev)})\n`);
    w.hg.writeAtomic('bookmarks.current', utf8(brev));
  } else if (brev) {
    if (active !== undefined) ui.status(`(leaving bookmark ${show(active)})\n`);
    deactivate();
  }
}

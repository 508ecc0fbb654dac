// hg recover: rolls back an interrupted transaction (a journal left by a
// killed hg or hgkit process) under the store lock, as hg 6.3.2 does:
// "rolling back interrupted transaction" then, without --verify, the hint
// that verify was skipped (exit 0); "no interrupted transaction available"
// and exit 1 when there is no journal. With --verify, hg verify's result.
import type { CommandContext } from '../context.js';
import { optBool, optList } from '../context.js';
import { recoverTransaction } from '../../store/transaction.js';

/** ui.timeout from --config (hg's default: 600 seconds). */
function lockTimeout(ctx: CommandContext): number {
  let timeout = 600;
  for (const c of optList(ctx.opts, 'config')) {
    const m = /^ui\.timeout=\s*(-?\d+)\s*$/.exec(c);
    if (m) timeout = Number(m[1]);
  }
  return timeout;
}

export async function run(ctx: CommandContext): Promise<number> {
  const repo = ctx.repo();
  const ui = ctx.ui;
  const recovered = await recoverTransaction(repo, {
    timeout: lockTimeout(ctx),
    onStatus: (m) => ui.status(m),
    onWarn: (m) => ui.warn(m),
    onDebug: (m) => {
      if (ui.debugFlag) ui.write(m);
    },
  });
  if (!recovered) return 1;
  if (optBool(ctx.opts, 'verify')) {
    const verify = await import('./verify.js');
    // a fresh repository object: the recovered files, not the cached ones
    const { Repository } = await import('../../store/repo.js');
    const fresh = Repository.open(repo.root);
    return verify.run({ ...ctx, repo: () => fresh });
  }
  ui.warn('(verify step skipped, run `hg verify` to check your repository content)\n');
  return 0;
}

// Test-only stand-in for src/cli/commands/status.ts while that command does
// not yet route the working-copy forms to runWorkingStatus: the same matcher
// as the CLI builds (cwd-relative patterns, -I/-X), then runWorkingStatus;
// every other form goes to the real command. Used only by
// status-working-cli.ts, and only when the real CLI refuses working-copy
// status.
import type { CommandContext } from '../../src/cli/context.js';
import { optList, optString } from '../../src/cli/context.js';
import * as real from '../../src/cli/commands/status.js';
import { cwdRelative } from '../../src/cli/commands/util.js';
import { runWorkingStatus } from '../../src/cli/status-working.js';
import { buildMatcher } from '../../src/dirstate/matcher.js';
import { isPairSpec, revSingle } from '../../src/store/revset.js';

export async function run(ctx: CommandContext): Promise<number> {
  const revs = optList(ctx.opts, 'rev');
  if (optString(ctx.opts, 'change') || revs.length > 1 || (revs.length === 1 && isPairSpec(revs[0]!))) return real.run(ctx);
  const repo = ctx.repo();
  const matcher = buildMatcher({
    cwdRel: cwdRelative(repo.root, ctx.cwd),
    patterns: ctx.args,
    include: optList(ctx.opts, 'include'),
    exclude: optList(ctx.opts, 'exclude'),
  });
  return runWorkingStatus(ctx, matcher, { rev: revs.length === 1 ? revSingle(repo, revs[0]!) : undefined });
}

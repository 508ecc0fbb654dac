// hg add [OPTION]... [FILE]...: start tracking files (commands.add, cmdutil.add).
import type { CommandContext } from '../context.js';
import { optBool, optList } from '../context.js';
import { addFiles } from '../../store/working-copy.js';
import { withWorkingCopy } from '../track-cli.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { opts } = ctx;
  return withWorkingCopy(ctx, (s) => {
    const tm = s.match(ctx.args, optList(opts, 'include'), optList(opts, 'exclude'));
    const bad = addFiles(s.wc, tm, { dryRun: optBool(opts, 'dry-run'), display: s.relDisplay });
    return bad.length > 0 ? 1 : 0;
  });
}

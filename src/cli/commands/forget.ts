// hg forget [OPTION]... FILE...: stop tracking files without deleting them
// (commands.forget, cmdutil.forget).
import type { CommandContext } from '../context.js';
import { optBool, optList } from '../context.js';
import { AbortError, InputError } from '../../core/errors.js';
import { forgetFiles } from '../../store/working-copy.js';
import { withWorkingCopy } from '../track-cli.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { opts } = ctx;
  if (ctx.args.length === 0) throw new InputError('no files specified');
  const dryRun = optBool(opts, 'dry-run');
  return withWorkingCopy(ctx, (s) => {
    const tm = s.match(ctx.args, optList(opts, 'include'), optList(opts, 'exclude'));
    if (optBool(opts, 'interactive')) {
      if (dryRun) throw new InputError('cannot specify both --dry-run and --interactive');
      throw new AbortError('forget --interactive is not supported by hgkit yet');
    }
    const bad = forgetFiles(s.wc, tm, { dryRun, display: s.relDisplay });
    return bad.length > 0 ? 1 : 0;
  });
}

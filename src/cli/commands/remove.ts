// hg remove / rm [OPTION]... FILE...: stop tracking files and delete them
// (commands.remove, cmdutil.remove).
import type { CommandContext } from '../context.js';
import { optBool, optList } from '../context.js';
import { InputError } from '../../core/errors.js';
import { removeFiles } from '../../store/working-copy.js';
import { withWorkingCopy } from '../track-cli.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { opts } = ctx;
  const after = optBool(opts, 'after');
  if (ctx.args.length === 0 && !after) throw new InputError('no files specified');
  return withWorkingCopy(ctx, (s) => {
    const tm = s.match(ctx.args, optList(opts, 'include'), optList(opts, 'exclude'));
    return removeFiles(s.wc, tm, {
      after,
      force: optBool(opts, 'force'),
      dryRun: optBool(opts, 'dry-run'),
      display: s.relDisplay,
    });
  });
}

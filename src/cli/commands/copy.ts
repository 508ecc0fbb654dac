// hg copy / cp [OPTION]... (SOURCE... DEST | --forget DEST...): copy files and
// record the copies (commands.copy, cmdutil.copy); rename.ts shares it.
import type { CommandContext } from '../context.js';
import { optBool, optList, optString } from '../context.js';
import { AbortError, InputError } from '../../core/errors.js';
import { copyFiles, forgetCopies } from '../../store/working-copy.js';
import { withWorkingCopy } from '../track-cli.js';

export async function runCopy(ctx: CommandContext, rename: boolean): Promise<number> {
  const { opts } = ctx;
  const include = optList(opts, 'include');
  const exclude = optList(opts, 'exclude');
  const forget = optBool(opts, 'forget');
  const after = optBool(opts, 'after');
  const dryRun = optBool(opts, 'dry-run');
  if (forget && dryRun) throw new InputError('cannot specify both --forget and --dry-run');
  return withWorkingCopy(ctx, (s) => {
    const atRev = optString(opts, 'at-rev');
    if (atRev) {
      if (!forget && !after) throw new InputError('--at-rev requires --after');
      throw new AbortError('--at-rev is not supported by hgkit yet');
    }
    if (forget) {
      const tm = s.match(ctx.args, include, exclude);
      forgetCopies(s.wc, tm, { display: s.rootDisplay, walkDisplay: s.relDisplay });
      return 0;
    }
    const failed = copyFiles(s.wc, {
      pats: ctx.args.map(s.arg),
      matchFor: (pat) => s.match([new TextDecoder().decode(Buffer.from(pat, 'latin1'))], include, exclude),
      paths: s.paths,
      rename,
      after,
      force: optBool(opts, 'force'),
      dryRun,
      display: s.relDisplay,
    });
    return failed ? 1 : 0;
  });
}

export async function run(ctx: CommandContext): Promise<number> {
  return runCopy(ctx, false);
}

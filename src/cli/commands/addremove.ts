// hg addremove [OPTION]... [FILE]...: add new files, remove missing ones,
// record renames (commands.addremove, scmutil.addremove, similar.findrenames).
import type { CommandContext } from '../context.js';
import { optBool, optList, optString } from '../context.js';
import { InputError } from '../../core/errors.js';
import { addRemove } from '../../store/working-copy.js';
import { withWorkingCopy } from '../track-cli.js';

/** Python's float() of a command-line string (None for what it refuses). */
function pyFloat(s: string): number | undefined {
  const t = s.trim().replace(/_/g, (m, i: number, all: string) => (/\d/.test(all[i - 1] ?? '') && /\d/.test(all[i + 1] ?? '') ? '' : m));
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return undefined;
  return Number(t);
}

export async function run(ctx: CommandContext): Promise<number> {
  const { opts } = ctx;
  const include = optList(opts, 'include');
  const exclude = optList(opts, 'exclude');
  const simText = optString(opts, 'similarity') || '100';
  return withWorkingCopy(ctx, (s) => {
    const tm = s.match(ctx.args, include, exclude);
    const relative = ctx.args.length > 0 || include.length > 0 || exclude.length > 0;
    const similarity = pyFloat(simText);
    if (similarity === undefined) throw new InputError('similarity must be a number');
    if (similarity < 0 || similarity > 100) throw new InputError('similarity must be between 0 and 100');
    return addRemove(s.wc, tm, {
      similarity,
      dryRun: optBool(opts, 'dry-run'),
      display: relative ? s.relDisplay : s.rootDisplay,
    });
  });
}

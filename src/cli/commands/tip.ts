// hg tip: the most recent changeset in the default display.
import type { CommandContext } from '../context.js';
import { optBool, optString } from '../context.js';
import { AbortError } from '../../core/errors.js';
import { ChangesetPrinter } from '../changeset-printer.js';

export function run(ctx: CommandContext): number {
  const { ui, opts } = ctx;
  if (optString(opts, 'template') !== undefined) throw new AbortError('tip -T/--template is not supported by hgkit');
  if (optString(opts, 'style') !== undefined) throw new AbortError('tip --style is not supported by hgkit');
  if (optBool(opts, 'patch')) throw new AbortError('tip -p/--patch is not supported by hgkit');
  const repo = ctx.repo();
  new ChangesetPrinter(ui, repo).show(repo.changelog.length - 1);
  return 0;
}

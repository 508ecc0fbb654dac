// hg rename / move / mv [OPTION]... SOURCE... DEST: copy + remove of the
// sources (commands.rename, cmdutil.copy with rename=True).
import type { CommandContext } from '../context.js';
import { runCopy } from './copy.js';

export async function run(ctx: CommandContext): Promise<number> {
  return runCopy(ctx, true);
}

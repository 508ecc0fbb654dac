// Opening the revlog a debug command names: -c, -m, --dir or a tracked file
// (hg's cmdutil.openstorage).
import type { CommandContext } from '../context.js';
import { optBool, optString } from '../context.js';
import { InputError } from '../../core/errors.js';
import type { Revlog } from '../../revlog/revlog.js';
import { repoPath } from '../paths.js';
import { manifestRadix } from '../../vfs/store-encoding.js';

export function openStorage(ctx: CommandContext, file: string | undefined): Revlog {
  const cl = optBool(ctx.opts, 'changelog');
  const mf = optBool(ctx.opts, 'manifest');
  const dir = optString(ctx.opts, 'dir');
  if (cl && mf) throw new InputError('cannot specify --changelog and --manifest at the same time');
  if (cl && dir) throw new InputError('cannot specify --changelog and --dir at the same time');
  if ((cl || mf || dir) && file !== undefined) throw new InputError('cannot specify filename with --changelog or --manifest');
  const repo = ctx.repo();
  let r: Revlog | undefined;
  if (cl) r = repo.changelog.revlog;
  else if (dir) {
    if (!repo.requirements.has('treemanifest')) {
      throw new InputError('--dir can only be used on repos with treemanifest enabled');
    }
    const d = new TextEncoder().encode(dir.endsWith('/') ? dir : dir + '/');
    const radix = manifestRadix(d);
    const rl = repo.openRevlog(radix, new TextDecoder().decode(radix));
    if (rl.length) r = rl;
  }
  else if (mf) r = repo.openRevlog(new TextEncoder().encode('00manifest'), '00manifest');
  else if (file) {
    const fl = repo.file(repoPath(repo.root, ctx.cwd, file));
    if (fl.length) r = fl.revlog;
  }
  if (!r) throw new InputError('cannot give path to non-revlog');
  return r;
}

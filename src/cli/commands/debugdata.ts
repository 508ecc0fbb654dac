import type { CommandContext } from '../context.js';
import { optBool, optString } from '../context.js';
import { AbortError, AmbiguousPrefixError, LookupError } from '../../core/errors.js';
import { fromHex } from '../../core/bytes.js';
import type { Revlog } from '../../revlog/revlog.js';
import { CommandLineError } from '../options.js';
import { openStorage } from './revlog-arg.js';

/** hg's revlog.lookup: a rev number, a full hex node, or a unique hex prefix. */
function lookup(rl: Revlog, id: string): number {
  if (/^-?\d+$/.test(id) && String(Number(id)) === id) {
    let r = Number(id);
    if (r < 0) r += rl.length;
    if (r >= 0 && r < rl.length) return r;
  }
  if (id.length === 40) {
    const n = fromHex(id);
    const r = n && rl.findRev(n);
    if (r !== undefined && r !== null) return r;
  }
  if (id.length <= 40 && /^[0-9a-f]+$/.test(id)) {
    try {
      const r = rl.lookupPrefix(id);
      if (r !== undefined) return r;
    } catch (e) {
      if (e instanceof AmbiguousPrefixError) throw new LookupError(`${rl.name}@${id}: ambiguous identifier`);
      throw e;
    }
  }
  throw new AbortError(`invalid revision identifier ${id}`);
}

export function run(ctx: CommandContext): number {
  const { ui, opts, args } = ctx;
  let file: string | undefined = args[0];
  let rev: string | undefined = args[1];
  if (args.length > 2) throw new CommandLineError('invalid arguments', 'debugdata');
  if (optBool(opts, 'changelog') || optBool(opts, 'manifest') || optString(opts, 'dir')) {
    if (rev !== undefined) throw new CommandLineError('invalid arguments', 'debugdata');
    rev = file;
    file = undefined;
  }
  if (rev === undefined) throw new CommandLineError('invalid arguments', 'debugdata');
  const rl = openStorage(ctx, file);
  const r = lookup(rl, rev);
  ui.write(rl.revision(r));
  return 0;
}

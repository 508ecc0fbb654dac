// hg parents [-r REV] [FILE]: the parents of the working directory (or of
// REV), or with FILE the changesets that last changed that file in each
// parent (the linkrev of the file's node there), in the default changeset
// display.
import type { CommandContext } from '../context.js';
import { optString } from '../context.js';
import { AbortError, InputError } from '../../core/errors.js';
import { decodeUtf8, fromLatin1, latin1, utf8 } from '../../core/bytes.js';
import { NULL_REV, type Rev, isNullNode } from '../../core/node.js';
import { revSingle } from '../../store/revset.js';
import { buildMatcher } from '../../dirstate/matcher.js';
import { ChangesetPrinter } from '../changeset-printer.js';
import { CommandLineError } from '../options.js';
import { repoCwd, rootedPatterns } from '../pathutil.js';

export function run(ctx: CommandContext): number {
  const { ui, opts, args } = ctx;
  if (optString(opts, 'template') !== undefined) throw new AbortError('parents -T/--template is not supported by hgkit');
  if (optString(opts, 'style') !== undefined) throw new AbortError('parents --style is not supported by hgkit');
  if (args.length > 1) throw new CommandLineError('invalid arguments', 'parents');
  const repo = ctx.repo();
  const cl = repo.changelog;
  const revOpt = optString(opts, 'rev');
  let parents: Rev[];
  if (revOpt) {
    const rev = revSingle(repo, revOpt);
    const [p1, p2] = cl.parentRevs(rev);
    parents = [p1, p2].filter((p, i) => (i === 0 ? true : p !== NULL_REV));
  } else {
    const [p1, p2] = repo.dirstateParents();
    parents = [isNullNode(p1) ? NULL_REV : cl.rev(p1)];
    if (!isNullNode(p2)) parents.push(cl.rev(p2));
  }
  let shown: Rev[] = parents.filter((p) => p !== NULL_REV);
  if (args.length === 1) {
    const root = latin1(utf8(repo.root));
    const m = buildMatcher({ cwdRel: '', patterns: rootedPatterns(root, repoCwd(root, latin1(utf8(ctx.cwd))), [args[0]!], 'relpath') });
    if (m.anyPats || m.files.length !== 1) throw new InputError('can only specify an explicit filename');
    const file = m.files[0]!;
    const path = fromLatin1(file);
    const fl = repo.file(path);
    const out: Rev[] = [];
    for (const p of parents) {
      if (p === NULL_REV) continue;
      const entry = repo.manifestLog.get(cl.read(p).manifest).find(path);
      if (!entry) continue;
      out.push(fl.linkRev(fl.revlog.rev(entry.node.subarray(0, 20))));
    }
    if (out.length === 0) throw new InputError(`'${decodeUtf8(path)}' not found in manifest`);
    shown = out;
  }
  const printer = new ChangesetPrinter(ui, repo);
  for (const r of shown) printer.show(r);
  return 0;
}

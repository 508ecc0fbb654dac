// hg heads: branch heads (or topological heads with -t), optionally only
// those descending from -r STARTREV and only on the branches of REV args.
import type { CommandContext } from '../context.js';
import { optBool, optString } from '../context.js';
import { AbortError } from '../../core/errors.js';
import { concatBytes, fromLatin1, latin1, utf8 } from '../../core/bytes.js';
import { NULL_REV, type Rev } from '../../core/node.js';
import { revRange, revSingle } from '../../store/revset.js';
import type { Repository } from '../../store/repo.js';
import { ChangesetPrinter, changesetBranch } from '../changeset-printer.js';

/** Revisions that descend from `start` (itself included). */
function descendants(repo: Repository, start: Rev): Set<Rev> {
  const cl = repo.changelog;
  const out = new Set<Rev>();
  if (start === NULL_REV) {
    for (let r = 0; r < cl.length; r++) out.add(r);
    return out;
  }
  out.add(start);
  for (let r = start + 1; r < cl.length; r++) {
    const [p1, p2] = cl.parentRevs(r);
    if (out.has(p1) || out.has(p2)) out.add(r);
  }
  return out;
}

export function run(ctx: CommandContext): number {
  const { ui, opts } = ctx;
  if (optString(opts, 'template') !== undefined) throw new AbortError('heads -T/--template is not supported by hgkit');
  if (optString(opts, 'style') !== undefined) throw new AbortError('heads --style is not supported by hgkit');
  const repo = ctx.repo();
  const cl = repo.changelog;
  const revOpt = optString(opts, 'rev');
  let start: Rev | undefined;
  if (revOpt) start = revSingle(repo, revOpt, undefined);
  const within = start === undefined ? undefined : descendants(repo, start);

  let heads: Rev[];
  if (optBool(opts, 'topo')) {
    // changelog.heads(start): the null revision in an empty repository
    heads = cl.length === 0 ? [NULL_REV] : repo.names.heads();
    if (within) heads = heads.filter((h) => within.has(h));
  } else {
    const closed = optBool(opts, 'closed');
    heads = [];
    for (const bi of repo.names.branches().values()) {
      for (const h of bi.heads) {
        if (!closed && bi.closed.has(h)) continue;
        if (within && !within.has(h)) continue;
        heads.push(h);
      }
    }
  }

  const branchOf = (r: Rev): string => latin1(changesetBranch(cl.read(r)));
  let branches: Set<string> | undefined;
  if (ctx.args.length) {
    branches = new Set(revRange(repo, ctx.args).map(branchOf));
    heads = heads.filter((h) => branches!.has(branchOf(h)));
  }
  if (optBool(opts, 'active') && ctx.args.length) {
    const dag = new Set(repo.names.heads().filter((h) => !within || within.has(h)));
    heads = heads.filter((h) => dag.has(h));
  }
  if (branches) {
    const have = new Set(heads.map(branchOf));
    const headless = [...branches].filter((b) => !have.has(b));
    if (headless.length) {
      const parts: Uint8Array[] = [utf8('no open branch heads found on branches ')];
      headless.forEach((b, i) => {
        if (i) parts.push(utf8(', '));
        parts.push(ui.toLocal(fromLatin1(b)));
      });
      if (revOpt) parts.push(utf8(` (started at ${revOpt})`));
      parts.push(utf8('\n'));
      ui.warn(concatBytes(parts));
    }
  }
  if (!heads.length) return 1;
  heads.sort((a, b) => b - a);
  const printer = new ChangesetPrinter(ui, repo);
  for (const h of heads) printer.show(h);
  return 0;
}

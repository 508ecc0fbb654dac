// hg identify -r REV: hash, number, branch, tags and bookmarks of a revision.
// The working-directory form (no -r) needs a status and a dirty check, and a
// SOURCE argument needs a peer: both abort as unsupported.
import type { CommandContext } from '../context.js';
import { optBool, optString } from '../context.js';
import { AbortError, InputError, RepoNotFoundError } from '../../core/errors.js';
import { concatBytes, utf8 } from '../../core/bytes.js';
import { nodeHex, shortHex } from '../../core/node.js';
import { revSingle } from '../../store/revset.js';
import { ChangesetPrinter, changesetBranch } from '../changeset-printer.js';

export function run(ctx: CommandContext): number {
  const { ui, opts } = ctx;
  if (optString(opts, 'template') !== undefined) throw new AbortError('identify -T/--template is not supported by hgkit');
  if (ctx.args.length) throw new AbortError('identify SOURCE is not supported by hgkit');
  const rev = optString(opts, 'rev');
  let repo;
  try {
    repo = ctx.repo();
  } catch (e) {
    if (e instanceof RepoNotFoundError && optString(opts, 'repository') === undefined) {
      throw new InputError('there is no Mercurial repository here (.hg not found)');
    }
    throw e;
  }
  if (!rev) throw new AbortError('identify without -r (working directory) is not supported by hgkit');
  const num = optBool(opts, 'num');
  const id = optBool(opts, 'id');
  const branch = optBool(opts, 'branch');
  const tags = optBool(opts, 'tags');
  const bookmarks = optBool(opts, 'bookmarks');
  const isDefault = !(num || id || branch || tags || bookmarks);

  const r = revSingle(repo, rev, undefined);
  const cl = repo.changelog;
  const node = cl.node(r);
  const printer = new ChangesetPrinter(ui, repo);
  const out: Uint8Array[] = [];
  if (isDefault || id) out.push(utf8(ui.debugFlag ? nodeHex(node) : shortHex(node)));
  if (num) out.push(utf8(String(r)));
  const taglist = printer.tagsOf(node).map((t) => ui.encodeLocal(t));
  const bms = printer.bookmarksOf(node).map((b) => ui.encodeLocal(b));
  const br = ui.toLocal(changesetBranch(cl.read(r)));
  const joinWith = (items: Uint8Array[], sep: string): Uint8Array => {
    const parts: Uint8Array[] = [];
    items.forEach((it, i) => {
      if (i) parts.push(utf8(sep));
      parts.push(it);
    });
    return concatBytes(parts);
  };
  if (isDefault && !ui.quiet) {
    if (!(br.length === 7 && Buffer.from(br).toString('latin1') === 'default')) {
      out.push(concatBytes([utf8('('), br, utf8(')')]));
    }
    if (taglist.length) out.push(joinWith(taglist, '/'));
    if (bms.length) out.push(joinWith(bms, '/'));
  } else {
    if (branch) out.push(br);
    if (tags) out.push(...taglist);
    if (bookmarks) out.push(...bms);
  }
  ui.write(concatBytes([joinWith(out, ' '), utf8('\n')]));
  return 0;
}

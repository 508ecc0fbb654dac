// hg branches [-a] [-c] [-r REV]: named branches, active first, then by tip
// revision (newest first), as commands.branches prints them: the name padded
// to 31 columns minus the width of the revision number, ` rev:node`, and
// ` (closed)` / ` (inactive)`.
import type { CommandContext } from '../context.js';
import { optBool, optList, optString } from '../context.js';
import { AbortError } from '../../core/errors.js';
import { concatBytes, utf8 } from '../../core/bytes.js';
import { type Rev, nodeHex, shortHex } from '../../core/node.js';
import { revRange } from '../../store/revset.js';

/** East Asian wide and fullwidth characters (hg's encoding.colwidth counts them as 2). */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** hg's encoding.colwidth. */
export function colwidth(s: string): number {
  let w = 0;
  for (const ch of s) w += isWide(ch.codePointAt(0)!) ? 2 : 1;
  return w;
}

export function run(ctx: CommandContext): number {
  const { ui, opts } = ctx;
  if (optString(opts, 'template') !== undefined) throw new AbortError('branches -T/--template is not supported by hgkit');
  const repo = ctx.repo();
  const cl = repo.changelog;
  const revs = optList(opts, 'rev');
  let selected: Set<string> | undefined;
  if (revs.length > 0) selected = new Set(revRange(repo, revs).map((r) => repo.branchOf(r)));
  const active = optBool(opts, 'active');
  const closed = optBool(opts, 'closed');

  const allHeads = new Set(repo.names.heads());
  const rows: { tag: string; tip: Rev; isActive: boolean; isOpen: boolean }[] = [];
  for (const [tag, bi] of repo.names.branches()) {
    if (selected && !selected.has(tag)) continue;
    const open = bi.heads.filter((h) => !bi.closed.has(h));
    const isClosed = open.length === 0;
    const tip = isClosed ? bi.heads[bi.heads.length - 1]! : open[open.length - 1]!;
    const isActive = !isClosed && open.some((h) => allHeads.has(h));
    rows.push({ tag, tip, isActive, isOpen: !isClosed });
  }
  rows.sort((a, b) => (a.isActive !== b.isActive ? (a.isActive ? -1 : 1) : b.tip - a.tip));
  for (const { tag, tip, isActive, isOpen } of rows) {
    if (active && !isActive) continue;
    let notice = '';
    if (!isActive) {
      if (!isOpen) {
        if (!closed) continue;
        notice = ' (closed)';
      } else notice = ' (inactive)';
    }
    const out: Uint8Array[] = [ui.encodeLocal(tag)];
    if (!ui.quiet) {
      const pad = Math.max(31 - String(tip).length - colwidth(tag), 0);
      const node = cl.node(tip);
      out.push(utf8(' '.repeat(pad) + ` ${tip}:${ui.debugFlag ? nodeHex(node) : shortHex(node)}` + notice));
    }
    out.push(utf8('\n'));
    ui.write(concatBytes(out));
  }
  return 0;
}

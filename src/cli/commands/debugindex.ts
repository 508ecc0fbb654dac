import type { CommandContext } from '../context.js';
import { optString } from '../context.js';
import { AbortError } from '../../core/errors.js';
import { toHex } from '../../core/bytes.js';
import { openStorage } from './revlog-arg.js';

export function run(ctx: CommandContext): number {
  const { ui } = ctx;
  if (optString(ctx.opts, 'template') !== undefined) throw new AbortError('debugindex -T is not supported by hgkit');
  const rl = openStorage(ctx, ctx.args[0]);
  const full = ui.debugFlag;
  const hex = (n: Uint8Array): string => (full ? toHex(n) : toHex(n, 0, 6));
  const idlen = full ? 40 : 12;
  const v = ui.verbose;
  const cols: [string, number, boolean][] = [
    ['rev', 6, false],
    ['rank', 6, true],
    ['linkrev', 6, false],
    ['nodeid', idlen, false],
    ['p1-rev', 6, true],
    ['p1-nodeid', idlen, false],
    ['p2-rev', 6, true],
    ['p2-nodeid', idlen, false],
    ['full-size', 20, true],
    ['delta-base', 6, true],
    ['flags', 2, true],
    ['comp-mode', 4, true],
    ['data-offset', 20, true],
    ['chunk-size', 10, true],
    ['sd-comp-mode', 7, true],
    ['sidedata-offset', 20, true],
    ['sd-chunk-size', 10, true],
  ];
  // Fixed-width columns are at least as wide as their names; node columns are the node's width.
  for (const c of cols) if (c[0] !== 'nodeid' && !c[0].endsWith('-nodeid')) c[1] = Math.max(c[1], c[0].length);
  const shown = cols.filter((c) => v || !c[2]);
  ui.write(shown.map(([n, s]) => n.padStart(s)).join(' ') + '\n');
  const lines: string[] = [];
  for (let r = 0; r < rl.length; r++) {
    const [p1, p2] = rl.parentRevs(r);
    const values: Record<string, string> = {
      rev: String(r),
      rank: '-1',
      linkrev: String(rl.linkRev(r)),
      nodeid: hex(rl.node(r)),
      'p1-rev': String(p1),
      'p1-nodeid': hex(rl.node(p1)),
      'p2-rev': String(p2),
      'p2-nodeid': hex(rl.node(p2)),
      'full-size': String(rl.rawSize(r)),
      'delta-base': String(rl.baseRev(r)),
      flags: String(rl.flags(r)),
      'comp-mode': '2',
      'data-offset': String(rl.start(r)),
      'chunk-size': String(rl.compressedLength(r)),
      'sd-comp-mode': 'inline',
      'sidedata-offset': '0',
      'sd-chunk-size': '0',
    };
    lines.push(shown.map(([n, s]) => values[n]!.padStart(s)).join(' ') + '\n');
    if (lines.length >= 4096) ui.write(lines.splice(0).join(''));
  }
  ui.write(lines.join(''));
  return 0;
}

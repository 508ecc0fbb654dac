// `diff --stat`: hg's patch.diffstatdata/diffstat, which parse the diff text
// it just produced (so their quirks follow from the text: file names taken
// from the `diff` lines or `rename from/to`, lines split on \n, \r and \r\n).

import { fromLatin1, latin1 } from '../core/bytes.js';
import { colwidth } from './colwidth.js';

export interface FileStat {
  name: Uint8Array;
  adds: number;
  removes: number;
  binary: boolean;
}

/** Python's bytes.splitlines(): lines of `text` without their ends (\n, \r, \r\n). */
function* splitLines(text: Uint8Array): Generator<[number, number]> {
  let s = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    if (c === 0x0a || c === 0x0d) {
      yield [s, i];
      i += c === 0x0d && text[i + 1] === 0x0a ? 2 : 1;
      s = i;
    } else i++;
  }
  if (s < n) yield [s, n];
}

const DIFF_RE = /^diff .*-r [a-z0-9]+[ \t\n\r\f\v](.*)$/;
const GIT_RE = /diff --git a\/(.*) b\/(.*)/;

function startsWithStr(text: Uint8Array, s: number, e: number, prefix: string): boolean {
  if (e - s < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (text[s + i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/** hg's diffstatdata over a diff's text. */
export function diffStatData(text: Uint8Array): FileStat[] {
  const results: FileStat[] = [];
  let filename: string | undefined;
  let adds = 0;
  let removes = 0;
  let binary = false;
  let inHeader = false;
  const addResult = (): void => {
    if (filename) results.push({ name: fromLatin1(filename), adds, removes, binary });
  };
  for (const [s, e] of splitLines(text)) {
    const c = text[s];
    if (startsWithStr(text, s, e, 'diff')) {
      addResult();
      inHeader = true;
      adds = 0;
      removes = 0;
      binary = false;
      if (startsWithStr(text, s, e, 'diff --git a/')) {
        filename = GIT_RE.exec(latin1(text, s, e))![2]!;
      } else if (startsWithStr(text, s, e, 'diff -r')) {
        filename = DIFF_RE.exec(latin1(text, s, e))![1]!;
      }
    } else if (startsWithStr(text, s, e, '@@')) {
      inHeader = false;
    } else if (c === 0x2b && !inHeader) {
      adds++;
    } else if (c === 0x2d && !inHeader) {
      removes++;
    } else if (startsWithStr(text, s, e, 'GIT binary patch') || startsWithStr(text, s, e, 'Binary file')) {
      binary = true;
    } else if (startsWithStr(text, s, e, 'rename from')) {
      filename = latin1(text, s + 12, e);
    } else if (startsWithStr(text, s, e, 'rename to')) {
      filename += ' => ' + latin1(text, s + 10, e);
    }
  }
  addResult();
  return results;
}

/** hg's patch.diffstat: the per-file lines and the totals line (empty when nothing changed). */
export function diffStat(text: Uint8Array, width: number, encoding: string): string {
  const stats = diffStatData(text);
  let maxname = 0;
  let maxtotal = 0;
  let totalAdds = 0;
  let totalRemoves = 0;
  let hasBinary = false;
  const widths = stats.map((st) => colwidth(st.name, encoding));
  stats.forEach((st, i) => {
    maxname = Math.max(maxname, widths[i]!);
    maxtotal = Math.max(maxtotal, st.adds + st.removes);
    totalAdds += st.adds;
    totalRemoves += st.removes;
    hasBinary ||= st.binary;
  });
  let countwidth = String(maxtotal).length;
  if (hasBinary && countwidth < 3) countwidth = 3;
  let graphwidth = width - countwidth - maxname - 6;
  if (graphwidth < 10) graphwidth = 10;
  const scale = (i: number): number => {
    if (maxtotal <= graphwidth) return i;
    return Math.max(Math.floor((i * graphwidth) / maxtotal), i ? 1 : 0);
  };
  let out = '';
  stats.forEach((st, i) => {
    const count = st.binary ? 'Bin' : String(st.adds + st.removes);
    out +=
      ' ' +
      latin1(st.name) +
      ' '.repeat(Math.max(0, maxname - widths[i]!)) +
      ' |  ' +
      count.padStart(countwidth) +
      ' ' +
      '+'.repeat(scale(st.adds)) +
      '-'.repeat(scale(st.removes)) +
      '\n';
  });
  if (stats.length > 0) {
    out += ` ${stats.length} files changed, ${totalAdds} insertions(+), ${totalRemoves} deletions(-)\n`;
  }
  return out;
}

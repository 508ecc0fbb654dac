// Unified diffs as hg's mdiff module writes them (unidiff/_unidiff): the
// hunks come from the matching line blocks of hg's bdiff (src/revlog/bdiff.ts,
// identical to hg's bdiff.blocks), with hg's context joining, `@@` ranges,
// `\ No newline at end of file` markers, -p function names, and the
// whitespace options (-w -b -Z compare cleaned texts; -B treats changes made
// only of blank lines as equal).
//
// Lines are offsets into the texts (Int32Array of line starts); a hunk is a
// list of packed line references (index << 2 | kind), turned into bytes at
// the end. No per-line strings.

import { bytesEqual } from '../core/bytes.js';
import { matchingBlocks } from '../revlog/bdiff.js';
import { ByteSink } from './sink.js';

export interface DiffOptions {
  /** Lines of context (-U). */
  context: number;
  /** Treat all files as text (-a). */
  text: boolean;
  /** Show the enclosing function in hunk headers (-p). */
  showfunc: boolean;
  /** Git extended format (-g). */
  git: boolean;
  nodates: boolean;
  /** In git mode, summarise binary files instead of a `GIT binary patch` (--no-binary). */
  nobinary: boolean;
  noprefix: boolean;
  /** Length of the `index` hashes in git headers (0: none). */
  index: number;
  ignorews: boolean;
  ignorewsamount: boolean;
  ignorewseol: boolean;
  ignoreblanklines: boolean;
}

export const DEFAULT_DIFF_OPTIONS: Readonly<DiffOptions> = {
  context: 3,
  text: false,
  showfunc: false,
  git: false,
  nodates: false,
  nobinary: false,
  noprefix: false,
  index: 0,
  ignorews: false,
  ignorewsamount: false,
  ignorewseol: false,
  ignoreblanklines: false,
};

export const MISSING_NEWLINE_MARKER = new TextEncoder().encode('\\ No newline at end of file\n');

const NL = 0x0a;

/** Line starts of a text (hg's splitnewlines): `starts[i]..starts[i+1]` is line i, `starts[count]` the end. */
export function lineStarts(text: Uint8Array): Int32Array {
  let count = 0;
  for (let p = text.indexOf(NL); p !== -1; p = text.indexOf(NL, p + 1)) count++;
  if (text.length > 0 && text[text.length - 1] !== NL) count++;
  const starts = new Int32Array(count + 1);
  let line = 1;
  for (let p = text.indexOf(NL); p !== -1; p = text.indexOf(NL, p + 1)) starts[line++] = p + 1;
  starts[count] = text.length;
  return starts;
}

// ---------------------------------------------------------------------------
// Whitespace cleaning (hg's bdiff.fixws and mdiff.wsclean)

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d;
}

/** hg's bdiff.fixws: drop (allws) or collapse to one space (and drop before a newline) runs of space, tab, CR. */
export function fixws(text: Uint8Array, allws: boolean): Uint8Array {
  const out = new Uint8Array(text.length);
  let w = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (isWs(c)) {
      if (!allws && (w === 0 || out[w - 1] !== 0x20)) out[w++] = 0x20;
    } else if (c === NL && !allws && w > 0 && out[w - 1] === 0x20) {
      out[w - 1] = NL;
    } else out[w++] = c;
  }
  return out.subarray(0, w);
}

/** `re.sub(br'[ \t\r\f]+\n', b'\n', text)` */
function stripWsEol(text: Uint8Array): Uint8Array {
  const out = new Uint8Array(text.length);
  let w = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0c) {
      let j = i + 1;
      while (j < n && (text[j] === 0x20 || text[j] === 0x09 || text[j] === 0x0d || text[j] === 0x0c)) j++;
      if (j < n && text[j] === NL) {
        i = j;
        continue;
      }
      out.set(text.subarray(i, j), w);
      w += j - i;
      i = j;
      continue;
    }
    out[w++] = c;
    i++;
  }
  return out.subarray(0, w);
}

/** `re.sub(b'\n+', b'\n', text).strip(b'\n')` */
function squeezeBlankLines(text: Uint8Array): Uint8Array {
  const out = new Uint8Array(text.length);
  let w = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === NL && w > 0 && out[w - 1] === NL) continue;
    out[w++] = c;
  }
  let s = 0;
  let e = w;
  while (s < e && out[s] === NL) s++;
  while (e > s && out[e - 1] === NL) e--;
  return out.subarray(s, e);
}

/** hg's mdiff.wsclean. */
export function wsclean(opts: DiffOptions, text: Uint8Array, blank = true): Uint8Array {
  if (opts.ignorews) text = fixws(text, true);
  else if (opts.ignorewsamount) text = fixws(text, false);
  if (blank && opts.ignoreblanklines) text = squeezeBlankLines(text);
  if (opts.ignorewseol) text = stripWsEol(text);
  return text;
}


// ---------------------------------------------------------------------------
// Blocks (hg's mdiff.allblocks)

export const BLOCK_EQUAL = 0;
export const BLOCK_CHANGED = 1;
/** Equal once blank lines are ignored (-B). */
export const BLOCK_BLANK = 2;

/**
 * hg's allblocks: `[a1, a2, b1, b2, type]` quintuples, each matching block
 * (BLOCK_EQUAL) preceded by the changed region before it, if any.
 * `s1`/`s2` are the line starts of the original texts (for -B).
 */
export function allBlocks(t1: Uint8Array, t2: Uint8Array, opts: DiffOptions, s1?: Int32Array, s2?: Int32Array): number[] {
  let c1 = t1;
  let c2 = t2;
  if (opts.ignorews || opts.ignorewsamount || opts.ignorewseol) {
    c1 = wsclean(opts, t1, false);
    c2 = wsclean(opts, t2, false);
  }
  const blocks = matchingBlocks(c1, c2);
  // -B: hg splits the original texts when it has their lines, else the cleaned ones
  const src1 = s1 ? t1 : c1;
  const src2 = s2 ? t2 : c2;
  const ls1 = opts.ignoreblanklines ? (s1 ?? lineStarts(c1)) : new Int32Array(0);
  const ls2 = opts.ignoreblanklines ? (s2 ?? lineStarts(c2)) : new Int32Array(0);
  const out: number[] = [];
  let p1 = 0;
  let p3 = 0;
  for (let i = 0; i < blocks.length; i += 4) {
    const a1 = blocks[i]!;
    const b1 = blocks[i + 2]!;
    if (p1 !== a1 || p3 !== b1) {
      let type = BLOCK_CHANGED;
      if (opts.ignoreblanklines) {
        const old = wsclean(opts, src1.subarray(ls1[p1]!, ls1[a1]!));
        const neu = wsclean(opts, src2.subarray(ls2[p3]!, ls2[b1]!));
        if (bytesEqual(old, neu)) type = BLOCK_BLANK;
      }
      out.push(p1, a1, p3, b1, type);
    }
    out.push(a1, blocks[i + 1]!, b1, blocks[i + 3]!, BLOCK_EQUAL);
    p1 = blocks[i + 1]!;
    p3 = blocks[i + 3]!;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Hunks (hg's _unidiff)

const K_CTX = 0;
const K_DEL = 1;
const K_ADD = 2;
const PREFIX = [0x20, 0x2d, 0x2b];

interface Hunk {
  astart: number;
  a2: number;
  bstart: number;
  b2: number;
  /** packed line references: index << 2 | kind */
  delta: number[];
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isPyWs(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * Writes the hunks of the unified diff of `t1` and `t2` (no file headers)
 * into `out`; false when there are none.
 */
export function writeHunks(t1: Uint8Array, t2: Uint8Array, opts: DiffOptions, out: ByteSink): boolean {
  const l1 = lineStarts(t1);
  const l2 = lineStarts(t2);
  const n1 = l1.length - 1;
  const n2 = l2.length - 1;
  const context = opts.context;
  const t1nl = t1.length > 0 && t1[t1.length - 1] === NL;
  const t2nl = t2.length > 0 && t2[t2.length - 1] === NL;
  let lastPos = 0;
  let lastFunc: Uint8Array = new Uint8Array(0);
  let any = false;

  const contextEnd = (l: number, len: number): number => Math.min(l + context, len);
  const contextStart = (l: number): number => Math.max(l - context, 0);

  const emit = (h: Hunk): void => {
    any = true;
    let { astart, bstart } = h;
    const { a2, b2 } = h;
    const aend = contextEnd(a2, n1);
    const alen = aend - astart;
    const blen = b2 - bstart + aend - a2;
    let func: Uint8Array | undefined;
    if (opts.showfunc) {
      func = lastFunc;
      for (let i = astart - 1; i >= lastPos; i--) {
        const s = l1[i]!;
        if (s < l1[i + 1]! && isAlnum(t1[s]!)) {
          let e = l1[i + 1]!;
          while (e > s && isPyWs(t1[e - 1]!)) e--;
          const f = new Uint8Array(e - s + 1);
          f[0] = 0x20;
          f.set(t1.subarray(s, e), 1);
          let ascii = true;
          for (const c of f) if (c >= 0x80) ascii = false;
          func = ascii ? f.subarray(0, 41) : f;
          lastFunc = func;
          break;
        }
      }
      lastPos = astart;
    }
    if (alen) astart++;
    if (blen) bstart++;
    const lines = h.delta;
    for (let x = a2; x < aend; x++) lines.push((x << 2) | K_CTX);
    // the lines ending a file without a newline get the marker
    let markA = -1;
    let markB = -1;
    let skip = false;
    if (!t1nl && astart + alen === n1 + 1) {
      for (let i = lines.length - 1; i >= 0; i--) {
        const k = lines[i]! & 3;
        if (k === K_DEL || k === K_CTX) {
          if (k === K_CTX) skip = true;
          markA = i;
          break;
        }
      }
    }
    if (!skip && !t2nl && bstart + blen === n2 + 1) {
      for (let i = lines.length - 1; i >= 0; i--) {
        if ((lines[i]! & 3) === K_ADD) {
          markB = i;
          break;
        }
      }
    }
    out.latin1(`@@ -${astart},${alen} +${bstart},${blen} @@`);
    if (func) out.bytes(func);
    out.byte(NL);
    for (let i = 0; i < lines.length; i++) {
      const r = lines[i]!;
      const k = r & 3;
      const x = r >>> 2;
      out.byte(PREFIX[k]!);
      if (k === K_ADD) out.bytes(t2, l2[x]!, l2[x + 1]!);
      else out.bytes(t1, l1[x]!, l1[x + 1]!);
      if (i === markA || i === markB) {
        out.byte(NL);
        out.bytes(MISSING_NEWLINE_MARKER);
      }
    }
  };

  let hunk: Hunk | undefined;
  let ignored = 0;
  const blocks = allBlocks(t1, t2, opts, l1, l2);
  for (let i = 0; i < blocks.length; i += 5) {
    const a1 = blocks[i]!;
    const a2 = blocks[i + 1]!;
    let b1 = blocks[i + 2]!;
    let b2 = blocks[i + 3]!;
    const type = blocks[i + 4]!;
    if (type !== BLOCK_CHANGED) {
      if (type === BLOCK_BLANK) ignored += b2 - b1 - (a2 - a1);
      continue;
    }
    const newStart = b1;
    const newEnd = b2;
    b1 -= ignored;
    b2 -= ignored;
    let astart = contextStart(a1);
    let bstart = contextStart(b1);
    let joined = false;
    if (hunk) {
      if (astart < hunk.a2 + context + 1) {
        joined = true;
        astart = hunk.a2;
        bstart = hunk.b2;
      } else emit(hunk);
    }
    let delta: number[];
    if (joined) {
      hunk!.a2 = a2;
      hunk!.b2 = b2;
      delta = hunk!.delta;
    } else {
      delta = [];
      hunk = { astart, a2, bstart, b2, delta };
    }
    for (let x = astart; x < a1; x++) delta.push((x << 2) | K_CTX);
    for (let x = a1; x < a2; x++) delta.push((x << 2) | K_DEL);
    for (let x = newStart; x < newEnd; x++) delta.push((x << 2) | K_ADD);
  }
  if (hunk) emit(hunk);
  return any;
}

// ---------------------------------------------------------------------------
// One file's unified diff (hg's mdiff.unidiff)

export interface UnifiedDiff {
  /** `---`/`+++` lines without their newline (empty for a binary summary). */
  headers: Uint8Array[];
  /** The hunks' bytes (or the `Binary file ... has changed` line). */
  body: Uint8Array;
}

const EPOCH = 'Thu Jan 01 00:00:00 1970 +0000';

function headerLine(prefix: string, dirPrefix: string, fn: Uint8Array, tag: string): Uint8Array {
  const s = new ByteSink(fn.length + 64);
  s.latin1(prefix + dirPrefix);
  s.bytes(fn);
  s.latin1(tag);
  return s.take();
}

/**
 * hg's mdiff.unidiff: `a`/`b` are null for a missing side (/dev/null);
 * `ad`/`bd` are the dates shown in the headers. Returns undefined when there
 * is nothing to show (hg's sentinel).
 */
export function unidiff(
  a: Uint8Array | null,
  ad: string,
  b: Uint8Array | null,
  bd: string,
  fn1: Uint8Array,
  fn2: Uint8Array,
  binary: boolean,
  opts: DiffOptions,
): UnifiedDiff | undefined {
  const datetag = (date: string, fn?: Uint8Array): string => {
    if (!opts.git && !opts.nodates) return '\t' + date;
    if (fn && fn.includes(0x20)) return '\t';
    return '';
  };
  const aEmpty = a === null || a.length === 0;
  const bEmpty = b === null || b.length === 0;
  if (aEmpty && bEmpty) return undefined;
  const aprefix = opts.noprefix ? '' : 'a/';
  const bprefix = opts.noprefix ? '' : 'b/';

  if (binary) {
    if (a && b && a.length === b.length && bytesEqual(a, b)) return undefined;
    const s = new ByteSink(fn1.length + 32);
    s.latin1('Binary file ');
    s.bytes(fn1);
    s.latin1(' has changed\n');
    return { headers: [], body: s.take() };
  }
  const out = new ByteSink(Math.max(256, ((a?.length ?? 0) + (b?.length ?? 0)) >> 2));
  if (aEmpty) {
    const text = b!;
    const l1 =
      a === null ? headerLine('--- /dev/null', '', new Uint8Array(0), datetag(EPOCH)) : headerLine('--- ', aprefix, fn1, datetag(ad, fn1));
    const l2 = headerLine('+++ ', bprefix, fn2, datetag(bd, fn2));
    writeWholeFile(text, 0x2b, '@@ -0,0 +1,', ' @@\n', out);
    return { headers: [l1, l2], body: out.take() };
  }
  if (bEmpty) {
    const text = a!;
    const l1 = headerLine('--- ', aprefix, fn1, datetag(ad, fn1));
    const l2 =
      b === null ? headerLine('+++ /dev/null', '', new Uint8Array(0), datetag(EPOCH)) : headerLine('+++ ', bprefix, fn2, datetag(bd, fn2));
    writeWholeFile(text, 0x2d, '@@ -1,', ' +0,0 @@\n', out);
    return { headers: [l1, l2], body: out.take() };
  }
  if (!writeHunks(a!, b!, opts, out)) return undefined;
  return {
    headers: [headerLine('--- ', aprefix, fn1, datetag(ad, fn1)), headerLine('+++ ', bprefix, fn2, datetag(bd, fn2))],
    body: out.take(),
  };
}

/** A hunk adding or removing a whole (non-empty) file. */
function writeWholeFile(text: Uint8Array, prefix: number, head: string, tail: string, out: ByteSink): void {
  const starts = lineStarts(text);
  const n = starts.length - 1;
  out.latin1(head + n + tail);
  for (let i = 0; i < n; i++) {
    out.byte(prefix);
    out.bytes(text, starts[i]!, starts[i + 1]!);
  }
  if (text[text.length - 1] !== NL) {
    out.byte(NL);
    out.bytes(MISSING_NEWLINE_MARKER);
  }
}

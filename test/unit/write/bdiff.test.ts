// The delta generator (revlog/bdiff.ts) against Mercurial's C bdiff: the same
// matching blocks and byte-identical deltas, on random edits, popular lines,
// huge regions (the 30000-line window), binary data and edge cases; every
// delta rebuilds the target through mpatch.

import { describe, it, expect } from 'vitest';
import { bdiff, matchingBlocks } from '../../../src/revlog/bdiff.js';
import { patches } from '../../../src/revlog/mpatch.js';
import { toHex } from '../../../src/core/bytes.js';
import { hgTools, rng } from './helpers.js';

type Pair = [Uint8Array, Uint8Array];

function edited(r: () => number, n: number, vocab: number, edits: number, opts: { noFinalNewline?: boolean; prefix?: string } = {}): Pair {
  const word = (p: string): string => `${opts.prefix ?? ''}${p}${Math.floor(r() * vocab)}\n`;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(word('l'));
  const b = lines.slice();
  for (let e = 0; e < edits; e++) {
    const p = Math.floor(r() * (b.length + 1));
    const x = r();
    if (x < 0.4) b.splice(p, 0, word('n'));
    else if (x < 0.7) b.splice(p, 1 + Math.floor(r() * 4));
    else b.splice(p, 1, word('x'));
  }
  let ta = lines.join('');
  let tb = b.join('');
  if (opts.noFinalNewline) {
    ta = ta.replace(/\n$/, '');
    tb = tb.replace(/\n$/, '');
  }
  return [Buffer.from(ta), Buffer.from(tb)];
}

function compare(pairs: Pair[]): void {
  const hg = hgTools<Array<{ blocks: number[][]; delta: string }>>(
    ['bdiff'],
    pairs.map(([a, b]) => [toHex(a), toHex(b)]),
  );
  for (let i = 0; i < pairs.length; i++) {
    const [a, b] = pairs[i]!;
    const blocks = Array.from(matchingBlocks(a, b));
    expect(blocks).toEqual(hg[i]!.blocks.flat());
    const d = bdiff(a, b);
    expect(toHex(d)).toBe(hg[i]!.delta);
    expect(Buffer.from(patches(a, [d])).equals(Buffer.from(b))).toBe(true);
  }
}

describe('bdiff', () => {
  it('matches hg on small random line edits', () => {
    const r = rng(1);
    const pairs: Pair[] = [];
    for (let t = 0; t < 400; t++) {
      pairs.push(edited(r, Math.floor(r() * 60), 1 + Math.floor(r() * 30), Math.floor(r() * 8), { noFinalNewline: r() < 0.2 }));
    }
    compare(pairs);
  });

  it('matches hg on edge cases', () => {
    const s = (x: string): Uint8Array => Buffer.from(x, 'latin1');
    const cases: Array<[string, string]> = [
      ['', ''],
      ['', 'a\n'],
      ['a\n', ''],
      ['a', 'b'],
      ['a\nb\nc\n', 'a\nb\nc\n'],
      ['a\nb\nc', 'a\nb\nc\n'],
      ['x\n\n\n\ny\n', 'x\n\n\ny\n\n'],
      ['a\r\nb\r\n', 'a\r\nc\r\n'],
      ['same\nsame\nsame\n', 'same\nsame\nsame\nsame\n'],
      ['\0\0\0', '\0\0\0\0'],
      ['no newline at all here', 'no newline at all there'],
    ];
    compare(cases.map(([a, b]) => [s(a), s(b)]));
  });

  it('matches hg on binary data', () => {
    const r = rng(2);
    const pairs: Pair[] = [];
    for (let t = 0; t < 20; t++) {
      const a = new Uint8Array(Math.floor(r() * 5000));
      for (let i = 0; i < a.length; i++) a[i] = r() < 0.02 ? 10 : Math.floor(r() * 256);
      const b = Uint8Array.from(a);
      for (let e = 0; e < 5; e++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      pairs.push([a, b]);
    }
    compare(pairs);
  });

  it('matches hg on large inputs: popular lines, the 30000-line window, a manifest-like text', () => {
    const r = rng(3);
    compare([
      edited(r, 40000, 10, 20), // every line popular (threshold bn/1000)
      edited(r, 40000, 1_000_000, 50), // window of 30000 lines
      edited(r, 35000, 50, 5),
      edited(r, 5000, 3, 30),
      edited(r, 2000, 2, 100),
      edited(r, 60000, 1e9, 3, { prefix: 'path/to/some/file' }),
    ]);
  });

  it('is linear on a large manifest-like text with one change', () => {
    const lines: string[] = [];
    for (let i = 0; i < 100000; i++) lines.push(`dir${i % 97}/file${i}.txt\0${(i * 2654435761 >>> 0).toString(16).padStart(40, '0')}\n`);
    const a = Buffer.from(lines.join(''));
    lines[50000] = 'dir1/changed.txt\0' + 'f'.repeat(40) + '\n';
    const b = Buffer.from(lines.join(''));
    const t0 = performance.now();
    const d = bdiff(a, b);
    const ms = performance.now() - t0;
    expect(Buffer.from(patches(a, [d])).equals(b)).toBe(true);
    expect(d.length).toBe(12 + 58);
    expect(ms).toBeLessThan(2000); // ~6 MB each side; tens of ms normally
  });
});

// The diff library (src/diff) against Mercurial's own code, run in one
// Python process per test (hg-mdiff.py): unified hunks with every option
// that changes them (-U, -w, -b, -B, -Z, -p, git/nodates/noprefix headers,
// missing newlines, empty and absent sides, binary summaries), the zlib
// stream of `GIT binary patch` literals, base85, b85diff and diffstat.

import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { runProcessSync } from '../../helpers/hg.js';
import { toHex } from '../../../src/core/bytes.js';
import { DEFAULT_DIFF_OPTIONS, type DiffOptions, fixws, unidiff } from '../../../src/diff/mdiff.js';
import { zlibCompress } from '../../../src/diff/deflate.js';
import { b85diff, b85encode } from '../../../src/diff/binary.js';
import { ByteSink } from '../../../src/diff/sink.js';
import { diffStat } from '../../../src/diff/diffstat.js';

const TOOL = fileURLToPath(new URL('./hg-mdiff.py', import.meta.url));

function hgTool<T>(cmd: string, input: unknown): T {
  const r = runProcessSync('/usr/bin/python3', [TOOL, cmd], { cwd: '/', input: Buffer.from(JSON.stringify(input)) });
  if (r.code !== 0) throw new Error(`hg-mdiff.py ${cmd} failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString()) as T;
}

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const enc = (s: string): Uint8Array => Buffer.from(s, 'latin1');

const VOCAB = ['a b\n', 'a  b\n', 'a\tb\n', 'a b \n', ' a b\n', '\n', '   \n', 'x\n', 'y\n', 'z\n', 'def f():\n', 'class K:\n', '  body\n', 'w\r\n', 'w\n', 'caf\xe9\n'];

function randomText(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += VOCAB[Math.floor(r() * VOCAB.length)]!;
  return s;
}

function mutate(r: () => number, text: string): string {
  const lines = text.split(/(?<=\n)/);
  const edits = Math.floor(r() * 6);
  for (let e = 0; e < edits; e++) {
    const p = Math.floor(r() * (lines.length + 1));
    const x = r();
    const w = VOCAB[Math.floor(r() * VOCAB.length)]!;
    if (x < 0.35) lines.splice(p, 0, w);
    else if (x < 0.65) lines.splice(p, 1 + Math.floor(r() * 3));
    else lines.splice(p, 1, w);
  }
  return lines.join('');
}

function stripFinalNewline(r: () => number, s: string): string {
  return r() < 0.25 ? s.replace(/\n$/, '') : s;
}

interface Case {
  a: Uint8Array | null;
  b: Uint8Array | null;
  ad: string;
  bd: string;
  fn1: string;
  fn2: string;
  binary: boolean;
  opts: DiffOptions;
}

function pyOpts(o: DiffOptions): Record<string, unknown> {
  return {
    context: o.context,
    text: o.text,
    showfunc: o.showfunc,
    git: o.git,
    nodates: o.nodates,
    nobinary: o.nobinary,
    noprefix: o.noprefix,
    index: o.index,
    ignorews: o.ignorews,
    ignorewsamount: o.ignorewsamount,
    ignorewseol: o.ignorewseol,
    ignoreblanklines: o.ignoreblanklines,
  };
}

function ours(c: Case): string | null {
  const u = unidiff(c.a, c.ad, c.b, c.bd, enc(c.fn1), enc(c.fn2), c.binary, c.opts);
  if (!u) return null;
  const s = new ByteSink();
  for (const h of u.headers) {
    s.bytes(h);
    s.byte(10);
  }
  s.bytes(u.body);
  return toHex(s.view());
}

function compareCases(cases: Case[]): void {
  const theirs = hgTool<(string | null)[]>(
    'unidiff',
    cases.map((c) => ({
      a: c.a && toHex(c.a),
      b: c.b && toHex(c.b),
      ad: c.ad,
      bd: c.bd,
      fn1: c.fn1,
      fn2: c.fn2,
      binary: c.binary,
      opts: pyOpts(c.opts),
    })),
  );
  let failures = 0;
  for (let i = 0; i < cases.length; i++) {
    const got = ours(cases[i]!);
    if (got !== theirs[i]) {
      failures++;
      if (failures <= 3) {
        const c = cases[i]!;
        const show = (h: string | null): string => (h === null ? 'null' : JSON.stringify(Buffer.from(h, 'hex').toString('latin1')));
        expect.soft(show(got), `case ${i}: a=${JSON.stringify(c.a && Buffer.from(c.a).toString('latin1'))} b=${JSON.stringify(c.b && Buffer.from(c.b).toString('latin1'))} opts=${JSON.stringify(c.opts)}`).toBe(show(theirs[i]!));
      }
    }
  }
  expect(failures).toBe(0);
}

const DATE1 = 'Thu Jan 01 00:00:00 1970 +0000';
const DATE2 = 'Sat Feb 14 01:02:03 2009 -0130';

describe('unified hunks (mdiff.unidiff)', () => {
  it('random edits with random options', () => {
    const r = rng(42);
    const cases: Case[] = [];
    for (let t = 0; t < 1500; t++) {
      const a = stripFinalNewline(r, randomText(r, Math.floor(r() * 30)));
      const b = stripFinalNewline(r, mutate(r, a));
      const o: DiffOptions = { ...DEFAULT_DIFF_OPTIONS };
      o.context = r() < 0.5 ? 3 : Math.floor(r() * 6);
      o.git = r() < 0.3;
      o.nodates = r() < 0.2;
      o.noprefix = r() < 0.1;
      o.showfunc = r() < 0.2;
      const ws = r();
      if (ws < 0.15) o.ignorews = true;
      else if (ws < 0.3) o.ignorewsamount = true;
      if (r() < 0.2) o.ignorewseol = true;
      if (r() < 0.2) o.ignoreblanklines = true;
      const name = r() < 0.1 ? 'with space' : 'f';
      cases.push({ a: enc(a), b: enc(b), ad: DATE1, bd: DATE2, fn1: name, fn2: r() < 0.1 ? 'g' : name, binary: false, opts: o });
    }
    compareCases(cases);
  });

  it('larger files with many hunks', () => {
    const r = rng(7);
    const cases: Case[] = [];
    for (let t = 0; t < 40; t++) {
      let a = '';
      const n = 200 + Math.floor(r() * 800);
      for (let i = 0; i < n; i++) a += `line ${Math.floor(r() * 50)}\n`;
      const lines = a.split(/(?<=\n)/);
      for (let e = 0; e < 40; e++) {
        const p = Math.floor(r() * lines.length);
        if (r() < 0.5) lines.splice(p, 1, `changed ${e}\n`);
        else lines.splice(p, Math.floor(r() * 3));
      }
      for (const context of [0, 1, 3, 10]) {
        cases.push({ a: enc(a), b: enc(lines.join('')), ad: DATE1, bd: DATE2, fn1: 'big', fn2: 'big', binary: false, opts: { ...DEFAULT_DIFF_OPTIONS, context } });
      }
    }
    compareCases(cases);
  });

  it('absent, empty and binary sides', () => {
    const texts: (string | null)[] = [null, '', 'one\n', 'one', 'one\ntwo\n', 'a\0b\n'];
    const cases: Case[] = [];
    for (const a of texts) {
      for (const b of texts) {
        for (const git of [false, true]) {
          for (const binary of [false, true]) {
            for (const fn of ['f', 'sp ace']) {
              cases.push({
                a: a === null ? null : enc(a),
                b: b === null ? null : enc(b),
                ad: DATE1,
                bd: DATE2,
                fn1: fn,
                fn2: fn,
                binary,
                opts: { ...DEFAULT_DIFF_OPTIONS, git },
              });
            }
          }
        }
      }
    }
    compareCases(cases);
  });

  it('fixws is hg bdiff.fixws', () => {
    const r = rng(3);
    const inputs: [Uint8Array, boolean][] = [];
    for (let i = 0; i < 500; i++) {
      let s = '';
      const n = Math.floor(r() * 14);
      for (let k = 0; k < n; k++) s += ' \t\r\nab\f'[Math.floor(r() * 7)];
      inputs.push([enc(s), r() < 0.5]);
    }
    const theirs = hgTool<string[]>('fixws', inputs.map(([b, a]) => [toHex(b), a ? 1 : 0]));
    expect(inputs.map(([b, a]) => toHex(fixws(b, a)))).toEqual(theirs);
  });
});

describe('binary patches', () => {
  const r = rng(9);
  const randBytes = (n: number, alphabet?: number[]): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = alphabet ? alphabet[Math.floor(r() * alphabet.length)]! : Math.floor(r() * 256);
    return out;
  };
  const inputs: Uint8Array[] = [
    new Uint8Array(0),
    enc('a'),
    enc('hello world\0'.repeat(50)),
    randBytes(1000),
    randBytes(70000, [0, 1, 2, 97, 98, 10]),
    randBytes(140000, [...enc('abcdefgh\0')]),
    new Uint8Array(100000),
    enc(Array.from({ length: 3000 }, (_, i) => `line ${i % 97} ${i % 13}\n`).join('')),
  ];

  it('zlib streams are zlib.compress()', () => {
    const theirs = hgTool<string[]>('zlib', inputs.map((b) => toHex(b)));
    inputs.forEach((b, i) => expect(toHex(zlibCompress(b)), `input ${i}`).toBe(theirs[i]));
  });

  it('base85 is hg base85', () => {
    const small = [new Uint8Array(0), enc('a'), enc('ab'), enc('abc'), enc('abcd'), enc('abcde'), randBytes(57), new Uint8Array([255, 255, 255, 255, 0])];
    const theirs = hgTool<string[]>('b85encode', small.map((b) => toHex(b)));
    small.forEach((b, i) => {
      const s = new ByteSink();
      b85encode(b, s);
      expect(Buffer.from(s.view()).toString('latin1')).toBe(theirs[i]);
    });
  });

  it('GIT binary patch literals are mdiff.b85diff', () => {
    const pairs: [Uint8Array | null, Uint8Array | null][] = [
      [null, inputs[3]!],
      [inputs[3]!, null],
      [inputs[3]!, inputs[3]!],
      [inputs[2]!, inputs[5]!],
      [inputs[4]!, inputs[6]!],
    ];
    const theirs = hgTool<string[]>('b85diff', pairs.map(([a, b]) => [a && toHex(a), b && toHex(b)]));
    pairs.forEach(([a, b], i) => expect(toHex(b85diff(a, b)), `pair ${i}`).toBe(theirs[i]));
  });
});

describe('diffstat', () => {
  it('is patch.diffstat on diff texts', () => {
    const texts = [
      'diff -r 000000000000 -r 111111111111 a\n--- a/a\n+++ b/a\n@@ -1,1 +1,1 @@\n-x\n+y\n+z\n',
      'diff --git a/x b/y\nrename from x\nrename to y\n--- a/x\n+++ b/y\n@@ -1,1 +1,1 @@\n-a\n+b\ndiff --git a/bin b/bin\nGIT binary patch\nliteral 3\nKcmZ>C%>@7e0t!$7\n\n',
      'diff -r 0 -r 1 with -r x name\n--- a\n+++ b\n@@ -1 +1 @@\n+a\rb\n+c\r\n-d\n',
      'diff -r 000000000000 -r 111111111111 caf\xc3\xa9\n@@ -1,1 +1,1 @@\n' + '+x\n'.repeat(300) + '-y\n'.repeat(100),
      'diff -r 000000000000 -r 111111111111 \xe4\xb8\xad\xe6\x96\x87\nBinary file \xe4\xb8\xad\xe6\x96\x87 has changed\n' +
        'diff -r 000000000000 -r 111111111111 short\n@@ -1 +1 @@\n+a\n',
      '',
    ];
    for (const width of [80, 30]) {
      const theirs = hgTool<string[]>('diffstat', texts.map((t) => [toHex(enc(t)), width]));
      texts.forEach((t, i) => expect(diffStat(enc(t), width, 'utf-8'), `text ${i}`).toBe(Buffer.from(theirs[i]!, 'hex').toString('latin1')));
    }
  });
});

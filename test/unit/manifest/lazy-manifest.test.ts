// Unit tests of LazyManifest: every operation and every error, both line-index
// kernels (wasm SIMD and plain JS), and a randomised run of thousands of edits
// against a plain sorted map. The cross-check against Mercurial's C type is
// test/conformance/lazymanifest-c.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { LazyManifest, FASTDELTA_TEXTDIFF_THRESHOLD, type ManifestDiffEntry } from '../../../src/manifest/lazy-manifest.js';
import { buildLineIndex, parseKernelName, setParseKernel } from '../../../src/manifest/lazy-manifest-parse.js';
import { alwaysMatcher, exactMatcher, neverMatcher, prefixMatcher } from '../../../src/manifest/matcher.js';
import { ManifestError } from '../../../src/core/errors.js';
import { patches } from '../../../src/revlog/mpatch.js';

const b = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const s = (x: Uint8Array): string => Buffer.from(x).toString('latin1');
const hex = (x: Uint8Array): string => Buffer.from(x).toString('hex');
const node = (byte: number, len = 20): Uint8Array => new Uint8Array(len).fill(byte);
const H = (c: string): string => c.repeat(40);

function text(lines: [string, string, string?][]): Uint8Array {
  return b(lines.map(([p, h, f]) => `${p}\0${h}${f ?? ''}\n`).join(''));
}

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x6d2b79f5) | 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KERNELS = ['auto', 'js'] as const;
afterEach(() => setParseKernel('auto'));

describe('line index kernels', () => {
  it('has the wasm kernel in this Node', () => {
    expect(parseKernelName()).toBe('wasm');
  });

  const bad: [string, string, RegExp][] = [
    ['unsorted', `b\0${H('1')}\na\0${H('1')}\n`, /not in sorted order \(line 2, "a"\)/],
    ['duplicate', `a\0${H('1')}\na\0${H('2')}\n`, /duplicate path \(line 2, "a"\)/],
    ['slash after nul', `a/b\0${H('1')}\na\0${H('1')}\n`, /not in sorted order/],
    ['prefix after longer', `ab\0${H('1')}\na\0${H('1')}\n`, /not in sorted order/],
    ['no newline', `a\0${H('1')}`, /did not end in a newline/],
    ['no newline 2nd', `a\0${H('1')}\nb\0${H('1')}x`, /did not end in a newline/],
    ['no nul', `a${H('1')}1\n`, /without a \\0 separator \(line 1/],
    ['no nul 2nd', `a\0${H('1')}\nb${H('1')}12\n`, /without a \\0 separator \(line 2/],
    ['empty path', `\0${H('1')}\n`, /zero-length filename \(line 1\)/],
    ['short node', `a\0${H('1').slice(1)}\n`, /Invalid node length .*line 1/],
    ['short node last', `a\0${H('1')}\nb\0${'1'.repeat(30)}\n`, /Invalid node length .*line 2/],
    ['long node', `a\0${H('1')}11\n`, /Invalid node length/],
    ['bad flag', `a\0${H('1')}q\n`, /Invalid node length/],
    ['two flags', `a\0${H('1')}xx\n`, /Invalid node length/],
    ['non-hex node', `a\0${'g'.repeat(40)}\n`, /Invalid node in manifest \(line 1, "a"\): not 40 hex digits/],
    ['newline inside node', `a\0${'1'.repeat(20)}\n${'1'.repeat(19)}\n`, /Invalid node|not 40 hex/],
    ['nul inside node', `a\0${'1'.repeat(20)}\0${'1'.repeat(19)}\n`, /not 40 hex/],
    ['second line bad hex', `a\0${H('1')}\nb\0${'1'.repeat(39)}Z\n`, /Invalid node in manifest \(line 2, "b"\): not 40 hex digits/],
    ['unsorted after many', `${Array.from({ length: 50 }, (_, i) => `f${String(i).padStart(3, '0')}\0${H('1')}\n`).join('')}f000\0${H('1')}\n`, /line 51/],
  ];
  for (const kernel of KERNELS) {
    for (const [name, t, re] of bad) {
      it(`${kernel}: rejects ${name}`, () => {
        setParseKernel(kernel);
        const m = new LazyManifest(b(t)); // lazy: no error yet
        expect(() => m.size).toThrow(ManifestError);
        expect(() => m.get(b('a'))).toThrow(re);
      });
    }
    it(`${kernel}: accepts valid texts`, () => {
      setParseKernel(kernel);
      expect(new LazyManifest(new Uint8Array(0)).size).toBe(0);
      const t = text([
        ['a', H('0')],
        ['a-b', H('a'), 'x'],
        ['a.b', H('B'), 'l'],
        ['a/b', H('f'), 't'],
        ['\xff', H('9')],
      ]);
      const m = new LazyManifest(t);
      expect(m.size).toBe(5);
      expect(m.get(b('a.b'))).toEqual({ node: node(0xbb), flags: 'l' });
    });
  }

  it('wasm and js give the same index across window boundaries and long lines', () => {
    const r = rng(5);
    for (let round = 0; round < 6; round++) {
      const paths = new Set<string>();
      const long = round % 2 === 0 ? 'L'.repeat(70_000 + round * 100_000) : '';
      while (paths.size < 9000) {
        let p = '';
        const n = 1 + Math.floor(r() * 60);
        for (let i = 0; i < n; i++) p += String.fromCharCode(33 + Math.floor(r() * 90));
        paths.add(r() < 0.001 ? p + long : p);
      }
      const t = b([...paths].sort().map((p) => `${p}\0${H('c')}${r() < 0.2 ? 'x' : ''}\n`).join(''));
      setParseKernel('auto');
      const w = buildLineIndex(t);
      setParseKernel('js');
      const j = buildLineIndex(t);
      expect(w.n).toBe(9000);
      expect(Array.from(w.idx.subarray(0, w.n))).toEqual(Array.from(j.idx.subarray(0, j.n)));
      // an error placed at various offsets, including around window edges
      for (const at of [1, 2000, 3300, 3500, 8999]) {
        const lines = s(t).split('\n');
        lines[at] = lines[at]!.replace(/\0/, '\0Z').slice(0, -1) ;
        const broken = b(lines.join('\n'));
        let we = '';
        let je = '';
        setParseKernel('auto');
        try {
          buildLineIndex(broken);
        } catch (e) {
          we = (e as Error).message;
        }
        setParseKernel('js');
        try {
          buildLineIndex(broken);
        } catch (e) {
          je = (e as Error).message;
        }
        expect(we).toMatch(new RegExp(`line ${at + 1}\\b`));
        expect(we).toBe(je);
      }
    }
  });
});

describe('LazyManifest', () => {
  const base = (): LazyManifest =>
    new LazyManifest(
      text([
        ['a', H('1')],
        ['b/c', H('2'), 'x'],
        ['b/d', H('3'), 'l'],
        ['e/f/g', H('4')],
      ]),
    );

  it('get, has, flags, size', () => {
    const m = base();
    expect(m.size).toBe(4);
    expect(m.get(b('b/c'))).toEqual({ node: node(0x22), flags: 'x' });
    expect(m.get(b('b/d'))!.flags).toBe('l');
    expect(m.get(b('b'))).toBeUndefined();
    expect(m.get(b('b/'))).toBeUndefined();
    expect(m.get(b('b/cc'))).toBeUndefined();
    expect(m.get(b(''))).toBeUndefined();
    expect(m.has(b('a'))).toBe(true);
    expect(m.has(b('zz'))).toBe(false);
    expect(m.flags(b('b/c'))).toBe('x');
    expect(m.flags(b('a'))).toBe('');
    expect(m.flags(b('nope'))).toBe('');
    expect(LazyManifest.empty().size).toBe(0);
    expect(LazyManifest.empty().get(b('a'))).toBeUndefined();
  });

  it('accepts upper-case hex like the C type', () => {
    const m = new LazyManifest(text([['a', 'AB'.repeat(20)]]));
    expect(m.get(b('a'))!.node).toEqual(node(0xab));
  });

  it('set adds, replaces, keeps order; delete removes; errors', () => {
    const m = base();
    m.set(b('b/cc'), node(0x55), '');
    m.set(b('a'), node(0x66), 'x');
    m.set(b('0'), node(0x77), 't');
    m.delete(b('b/d'));
    expect(m.size).toBe(5);
    expect([...m.keys()].map(s)).toEqual(['0', 'a', 'b/c', 'b/cc', 'e/f/g']);
    expect(m.get(b('a'))).toEqual({ node: node(0x66), flags: 'x' });
    expect(m.has(b('b/d'))).toBe(false);
    expect(() => m.delete(b('b/d'))).toThrow(ManifestError);
    expect(() => m.delete(b('nope'))).toThrow(/nonexistent manifest entry: nope/);
    m.set(b('b/d'), node(0x88), '');
    expect(m.get(b('b/d'))).toEqual({ node: node(0x88), flags: '' });
    expect(m.size).toBe(6);
    expect(s(m.text())).toBe(
      `0\0${H('7')}t\na\0${H('6')}x\nb/c\0${H('2')}x\nb/cc\0${H('5')}\nb/d\0${H('8')}\ne/f/g\0${H('4')}\n`,
    );
    expect(() => m.set(b('x'), node(1, 19), '')).toThrow(/20 bytes/);
    expect(() => m.set(b('x'), node(1, 23), '')).toThrow(ManifestError);
    expect(() => m.set(b('x'), node(1), 'q')).toThrow(/invalid manifest flag/);
    expect(() => m.set(b('x'), node(1), 'xl')).toThrow(/invalid manifest flag/);
    expect(() => m.set(b(''), node(1), '')).toThrow(/empty/);
    expect(() => m.set(b('a\nb'), node(1), '')).toThrow(/disallowed/);
    expect(() => m.set(b('a\0b'), node(1), '')).toThrow(/disallowed/);
    expect(m.size).toBe(6);
  });

  it('keeps a 21st node byte, drops a 22nd, never writes them', () => {
    const m = base();
    const n21 = node(0x11, 21);
    n21[20] = 0x2b;
    m.set(b('a'), n21, '');
    const n22 = node(0x12, 22);
    n22[20] = 0x01;
    n22[21] = 0x99;
    m.set(b('new'), n22, 'x');
    expect(m.get(b('a'))!.node).toEqual(n21);
    expect(m.get(b('new'))!.node).toEqual(n22.subarray(0, 21));
    const zero21 = node(0x13, 21);
    zero21[20] = 0;
    m.set(b('z'), zero21, ''); // a zero 21st byte is "none", as in C
    expect(m.get(b('z'))!.node.length).toBe(20);
    expect(s(m.text())).toContain(`a\0${H('1')}\n`);
    // survives compaction, copies, filterCopy, iteration
    expect(m.get(b('a'))!.node).toEqual(n21);
    expect(m.copy().get(b('a'))!.node).toEqual(n21);
    expect(m.filterCopy((p) => p[0] === 0x61).get(b('a'))!.node).toEqual(n21);
    expect([...m.entries()].find((e) => s(e.path) === 'a')!.node).toEqual(n21);
    // diff sees the 21st byte
    const plain = base();
    const d = plain.diff(m);
    expect(d.map((e) => s(e.path))).toEqual(['a', 'new', 'z']);
    expect(d[0]!.left!.node).toEqual(node(0x11));
    expect(d[0]!.right!.node).toEqual(n21);
    // same node and flag, only the 21st byte differs
    const m2 = m.copy();
    m2.set(b('a'), node(0x11), '');
    expect(m.diff(m2).map((e) => s(e.path))).toEqual(['a']);
    // setting the identical value is a no-op
    const m3 = m.copy();
    const t3 = m3.text();
    m3.set(b('a'), n21, '');
    expect(m3.text()).toBe(t3);
  });

  it('text() is the original buffer until something changes', () => {
    const t = text([['a', H('1')], ['b', H('2')]]);
    const m = new LazyManifest(t);
    expect(m.text()).toBe(t);
    m.set(b('a'), node(0x11), ''); // same value
    expect(m.text()).toBe(t);
    m.set(b('a'), node(0x12), '');
    const t2 = m.text();
    expect(t2).not.toBe(t);
    expect(m.text()).toBe(t2);
    expect(s(t)).toBe(`a\0${H('1')}\nb\0${H('2')}\n`); // input untouched
  });

  it('iterators and copies keep the state they started from', () => {
    const m = base();
    const keys = m.keys();
    const entries = m.entries();
    const c = m.copy();
    expect(s(keys.next().value!)).toBe('a');
    m.delete(b('b/c'));
    m.set(b('b/a'), node(9), '');
    m.set(b('a'), node(8), 'x');
    expect([...keys].map(s)).toEqual(['b/c', 'b/d', 'e/f/g']);
    expect([...entries].map((e) => [s(e.path), e.node[0], e.flags])).toEqual([
      ['a', 0x11, ''],
      ['b/c', 0x22, 'x'],
      ['b/d', 0x33, 'l'],
      ['e/f/g', 0x44, ''],
    ]);
    expect([...c.keys()].map(s)).toEqual(['a', 'b/c', 'b/d', 'e/f/g']);
    c.set(b('zz'), node(7), '');
    expect(m.has(b('zz'))).toBe(false);
    expect([...m.keys()].map(s)).toEqual(['a', 'b/a', 'b/d', 'e/f/g']);
    // an iterator over an edited manifest survives text() compaction
    const it2 = m.keys();
    m.text();
    m.set(b('c'), node(1), '');
    expect([...it2].map(s)).toEqual(['a', 'b/a', 'b/d', 'e/f/g']);
    // an iterator created but not started also keeps its state
    const it3 = m.entries();
    m.delete(b('a'));
    expect([...it3].length).toBe(5);
    expect([...m].length).toBe(4);
  });

  it('forEachRaw gives the bytes of every line without allocating', () => {
    const m = base();
    m.set(b('b/x'), node(0xab), 'x');
    m.delete(b('a'));
    let out = '';
    m.forEachRaw((buf, start, pathEnd, flag, suffix) => {
      expect(buf[pathEnd]).toBe(0);
      expect(suffix).toBe(0);
      out += s(buf.subarray(start, pathEnd + 41)) + (flag ? String.fromCharCode(flag) : '') + '\n';
    });
    expect(out).toBe(s(m.text()));
    let count = 0;
    m.forEachRaw(() => ++count < 2);
    expect(count).toBe(2);
  });

  it('filterCopy, matches, walk', () => {
    const m = base();
    m.set(b('b/b'), node(1), '');
    m.delete(b('b/d'));
    const f = m.filterCopy((p) => p[0] === 0x62);
    expect([...f.keys()].map(s)).toEqual(['b/b', 'b/c']);
    expect(s(f.text())).toBe(`b/b\0${'01'.repeat(20)}\nb/c\0${H('2')}x\n`);
    expect(f.diff(m).map((e) => s(e.path))).toEqual(['a', 'e/f/g']);
    expect([...m.walk(prefixMatcher([b('b')]))].map(s)).toEqual(['b/b', 'b/c']);
    expect([...m.walk(prefixMatcher([b('e/f/'), b('a')]))].map(s)).toEqual(['a', 'e/f/g']);
    expect([...m.walk(prefixMatcher([b('e/f/g')]))].map(s)).toEqual(['e/f/g']);
    expect([...m.walk(prefixMatcher([b('e/f/g/h')]))].map(s)).toEqual([]);
    expect([...m.walk(prefixMatcher([b('')]))].length).toBe(4);
    expect([...m.walk(alwaysMatcher())].length).toBe(4);
    expect([...m.walk(neverMatcher())].length).toBe(0);
    expect([...m.walk(exactMatcher([b('b/c'), b('a'), b('nope')]))].map(s)).toEqual(['a', 'b/c']);
    const pred = Object.assign((p: Uint8Array) => p.length === 3, {});
    expect([...m.walk(pred)].map(s)).toEqual(['b/b', 'b/c']);
    const mm = m.matches(prefixMatcher([b('e'), b('b')]));
    expect(s(mm.text())).toBe(`b/b\0${'01'.repeat(20)}\nb/c\0${H('2')}x\ne/f/g\0${H('4')}\n`);
    expect(mm.size).toBe(3);
    expect(m.matches(alwaysMatcher()).size).toBe(4);
    expect(m.matches(exactMatcher([b('a')])).get(b('a'))).toEqual(m.get(b('a')));
    // filterCopy of a clean manifest copies runs
    const big = new LazyManifest(
      text(Array.from({ length: 100 }, (_, i) => [`d${i % 3}/f${String(i).padStart(3, '0')}`, H('a')] as [string, string]).sort((x, y) => (x[0] < y[0] ? -1 : 1))),
    );
    const g = big.filterCopy((p) => p[1] === 0x31);
    expect(g.size).toBe(33);
    expect([...g.keys()].every((p) => s(p).startsWith('d1/'))).toBe(true);
  });

  it('hasDir and dirs follow hg pathutil.dirs', () => {
    const m = new LazyManifest(
      text([
        ['a', H('1')],
        ['a-b/c', H('1')],
        ['a/b/c', H('1')],
        ['a/b/d', H('1')],
        ['a/bb/e', H('1')],
        ['ab/c', H('1')],
      ]),
    );
    expect(m.dirs().map(s)).toEqual(['', 'a', 'a-b', 'a/b', 'a/bb', 'ab']);
    for (const d of ['', 'a', 'a/b', 'a/bb', 'ab', 'a-b']) expect(m.hasDir(b(d)), d).toBe(true);
    for (const d of ['a/b/c', 'b', 'a/', 'a/c', 'abc', 'a-']) expect(m.hasDir(b(d)), d).toBe(false);
    m.delete(b('ab/c'));
    expect(m.hasDir(b('ab'))).toBe(false);
    expect(m.dirs().map(s)).not.toContain('ab');
    expect(LazyManifest.empty().hasDir(b(''))).toBe(false);
    expect(LazyManifest.empty().dirs()).toEqual([]);
  });

  it('diff reports both sides, nulls for absent paths, clean entries on request', () => {
    const m1 = base();
    const m2 = base();
    m2.delete(b('a'));
    m2.set(b('b/c'), node(0x22), ''); // flag change only
    m2.set(b('c'), node(0x99), 'l');
    const d = m1.diff(m2);
    expect(d.map((e) => [s(e.path), e.left && [e.left.node[0], e.left.flags], e.right && [e.right.node[0], e.right.flags]])).toEqual([
      ['a', [0x11, ''], null],
      ['b/c', [0x22, 'x'], [0x22, '']],
      ['c', null, [0x99, 'l']],
    ]);
    const dc = m1.diff(m2, { clean: true });
    expect(dc.map((e) => s(e.path))).toEqual(['a', 'b/c', 'b/d', 'c', 'e/f/g']);
    expect(dc[2]).toEqual({ path: b('b/d'), left: null, right: null });
    expect(m1.diff(m1)).toEqual([]);
    expect(m1.diff(m1.copy(), { clean: true }).length).toBe(4);
    expect(LazyManifest.empty().diff(m1).length).toBe(4);
    expect(m1.diff(LazyManifest.empty()).every((e) => e.right === null)).toBe(true);
  });

  it('fastDelta: hg hunks, errors, textdiff threshold', () => {
    const baseText = base().text();
    const m = base();
    m.set(b('a'), node(0xaa), '');
    m.set(b('b/cc'), node(0xbb), '');
    m.delete(b('b/d'));
    m.set(b('z'), node(0xcc), 'x');
    const r = m.fastDelta(baseText, [
      [b('a'), false],
      [b('b/cc'), false],
      [b('b/d'), true],
      [b('z'), false],
    ]);
    expect(r.text).toEqual(m.text());
    expect(patches(baseText, [r.delta])).toEqual(r.text);
    // hunks: [0,43) 'a'; [b/cc insert at 87 merged with b/d delete [87,131)]; z appended at end
    const dv = new DataView(r.delta.buffer, r.delta.byteOffset);
    expect([dv.getInt32(0), dv.getInt32(4), dv.getInt32(8)]).toEqual([0, 43, 43]);
    expect(() => m.fastDelta(baseText, [[b('nope'), true]])).toThrow(/failed to remove nope/);
    expect(() => m.fastDelta(baseText, [[b('nope'), false]])).toThrow(ManifestError);
    expect(m.fastDelta(baseText, []).delta.length).toBe(0);
    // at the threshold a provided textDiff is used, as hg uses bdiff there
    const many = Array.from({ length: FASTDELTA_TEXTDIFF_THRESHOLD }, () => [b('a'), false] as const);
    let called = 0;
    const t = m.fastDelta(baseText, many, {
      textDiff: (x, y) => {
        called++;
        expect(x).toBe(baseText);
        return new Uint8Array([y.length & 0xff]);
      },
    });
    expect(called).toBe(1);
    expect(t.text).toEqual(m.text());
  });

  for (const kernel of KERNELS) {
    it(`diff finds single differences after long equal runs (${kernel})`, () => {
      setParseKernel(kernel);
      const lines: [string, string, string?][] = [];
      for (let i = 0; i < 4000; i++) lines.push([`d/${String(i).padStart(6, '0')}/some/longer/path/name.txt`, H('5')]);
      const t1 = text(lines);
      expect(t1.length).toBeGreaterThan(250_000); // several 32 KB compare windows
      for (const at of [0, 1, 555, 2222, 3999]) {
        for (const what of ['node', 'flag', 'remove', 'add'] as const) {
          const l2 = lines.map((l) => [...l] as [string, string, string?]);
          if (what === 'node') l2[at]![1] = H('6');
          else if (what === 'flag') l2[at]![2] = 'x';
          else if (what === 'remove') l2.splice(at, 1);
          else l2.splice(at + 1, 0, [lines[at]![0].replace('name', 'name0'), H('7')]);
          const a = new LazyManifest(t1);
          const b2 = new LazyManifest(text(l2));
          const d = a.diff(b2);
          expect(d.length, `${what} at ${at}`).toBe(1);
          const p = what === 'add' ? l2[at + 1]![0] : lines[at]![0];
          expect(s(d[0]!.path)).toBe(p);
          expect(d[0]!.left === null).toBe(what === 'add');
          expect(d[0]!.right === null).toBe(what === 'remove');
          expect(b2.diff(a).length).toBe(1);
          expect(a.diff(b2, { clean: true }).length).toBe(what === 'add' ? 4001 : 4000);
        }
      }
      expect(new LazyManifest(t1).diff(new LazyManifest(t1.slice()))).toEqual([]);
    });
  }

  it('diff of long unedited texts takes the bulk path and agrees with the slot walk', () => {
    const r = rng(11);
    const lines: [string, string, string?][] = [];
    for (let i = 0; i < 5000; i++) lines.push([`dir${i % 7}/sub${i % 13}/file${String(i).padStart(5, '0')}`, H('0123456789abcdef'[i % 16]!), i % 10 === 0 ? 'x' : undefined]);
    lines.sort((x, y) => (x[0] < y[0] ? -1 : 1));
    const t1 = text(lines);
    const m1 = new LazyManifest(t1);
    const m2 = m1.copy();
    for (let k = 0; k < 60; k++) {
      const i = Math.floor(r() * lines.length);
      const p = b(lines[i]![0]);
      if (k % 3 === 0 && m2.has(p)) m2.delete(p);
      else m2.set(p, node(k), k % 2 ? 'x' : '');
      m2.set(b(`dir${k % 7}/new${k}`), node(k), '');
    }
    const walked = m1.diff(m2); // m2 is edited: slot walk
    const walkedClean = m1.diff(m2, { clean: true });
    const bulk = m1.diff(new LazyManifest(m2.text().slice())); // two clean texts: bulk
    const bulkClean = m1.diff(new LazyManifest(m2.text().slice()), { clean: true });
    const norm = (d: ManifestDiffEntry[]): unknown[] =>
      d.map((e) => [s(e.path), e.left && hex(e.left.node) + e.left.flags, e.right && hex(e.right.node) + e.right.flags]);
    expect(walked.length).toBeGreaterThan(100);
    expect(norm(bulk)).toEqual(norm(walked));
    expect(norm(bulkClean)).toEqual(norm(walkedClean));
    expect(walkedClean.length).toBe(new Set([...m1.keys(), ...m2.keys()].map(s)).size);
  });
});

// --- randomised: LazyManifest vs a sorted Map --------------------------------------

type Model = Map<string, { node: Uint8Array; flags: string }>;

function modelText(m: Model): string {
  return [...m.keys()]
    .sort()
    .map((k) => `${k}\0${hex(m.get(k)!.node.subarray(0, 20))}${m.get(k)!.flags}\n`)
    .join('');
}

function modelDiff(a: Model, c: Model, clean: boolean): unknown[] {
  const keys = [...new Set([...a.keys(), ...c.keys()])].sort();
  const out: unknown[] = [];
  for (const k of keys) {
    const x = a.get(k);
    const y = c.get(k);
    const same = x && y && hex(x.node) === hex(y.node) && x.flags === y.flags;
    if (same) {
      if (clean) out.push([k, null, null]);
    } else {
      out.push([k, x ? hex(x.node) + x.flags : null, y ? hex(y.node) + y.flags : null]);
    }
  }
  return out;
}

const normDiff = (d: ManifestDiffEntry[]): unknown[] =>
  d.map((e) => [s(e.path), e.left && hex(e.left.node) + e.left.flags, e.right && hex(e.right.node) + e.right.flags]);

describe('randomised edits vs a sorted map', () => {
  for (const kernel of KERNELS) {
    it(`4000 edits, checked after every step (${kernel})`, () => {
      setParseKernel(kernel);
      const r = rng(kernel === 'js' ? 77 : 78);
      const alphabet = ['a', 'b', 'c/', 'd/', '-', '.', '\xe9', 'A', '0', '/x'];
      const randPath = (): string => {
        let p = alphabet[Math.floor(r() * 6)]!;
        const n = Math.floor(r() * 5);
        for (let i = 0; i < n; i++) p += alphabet[Math.floor(r() * alphabet.length)];
        return p.replace(/\/\/+/g, '/').replace(/\/$/, 'z');
      };
      const randNode = (): Uint8Array => {
        const len = r() < 0.05 ? 21 : r() < 0.02 ? 22 : 20;
        const n = new Uint8Array(len);
        for (let i = 0; i < len; i++) n[i] = Math.floor(r() * 4) * 0x41;
        return n;
      };
      const model: Model = new Map();
      for (let i = 0; i < 150; i++) model.set(randPath(), { node: randNode().subarray(0, 20), flags: '' });
      let m = new LazyManifest(b(modelText(model)));
      let prevModel: Model = new Map(model);
      let prev = m.copy();
      for (let step = 0; step < 4000; step++) {
        const x = r();
        const keys = [...model.keys()];
        if (x < 0.25 && keys.length > 0) {
          const k = keys[Math.floor(r() * keys.length)]!;
          m.delete(b(k));
          model.delete(k);
        } else if (x < 0.3) {
          const k = randPath();
          if (!model.has(k)) expect(() => m.delete(b(k))).toThrow(ManifestError);
        } else if (x < 0.85) {
          const k = x < 0.6 && keys.length > 0 ? keys[Math.floor(r() * keys.length)]! : randPath();
          let n = randNode();
          const flags = ['', '', 'x', 'l', 't'][Math.floor(r() * 5)]!;
          m.set(b(k), n, flags);
          if (n.length === 22) n = n.subarray(0, 21);
          if (n.length === 21 && n[20] === 0) n = n.subarray(0, 20);
          model.set(k, { node: n, flags });
        } else if (x < 0.9) {
          m = m.copy(); // continue on a copy; the old object must not change later
        } else if (x < 0.93) {
          const pre = alphabet[Math.floor(r() * 6)]!;
          m = m.filterCopy((p) => !s(p).startsWith(pre));
          for (const k of keys) if (k.startsWith(pre)) model.delete(k);
        } else if (x < 0.95) {
          m = new LazyManifest(m.text().slice()); // reparse: 21st bytes are not in the text
          for (const [k, v] of model) if (v.node.length > 20) model.set(k, { node: v.node.subarray(0, 20), flags: v.flags });
        }
        // compare
        expect(m.size).toBe(model.size);
        const k = randPath();
        const g = m.get(b(k));
        const mv = model.get(k);
        expect(g ? hex(g.node) + g.flags : null).toBe(mv ? hex(mv.node) + mv.flags : null);
        if (step % 4 === 0) expect([...m.keys()].map(s)).toEqual([...model.keys()].sort());
        expect(normDiff(prev.diff(m, { clean: step % 7 === 0 }))).toEqual(modelDiff(prevModel, model, step % 7 === 0));
        if (step % 3 === 0) {
          expect(s(m.text())).toBe(modelText(model));
          const ent = [...m.entries()].map((e) => [s(e.path), hex(e.node) + e.flags]);
          expect(ent).toEqual([...model.keys()].sort().map((k2) => [k2, hex(model.get(k2)!.node) + model.get(k2)!.flags]));
        }
        if (step % 50 === 0) {
          // check the old snapshot did not move, then take a new one
          expect(s(prev.text())).toBe(modelText(prevModel));
          prev = m.copy();
          prevModel = new Map(model);
        }
      }
    });
  }
});

describe('matchers', () => {
  it('prefixMatcher selects a path and everything below it', () => {
    const m = prefixMatcher([b('a'), b('x/y/')]);
    expect(m(b('a'))).toBe(true);
    expect(m(b('a/b/c'))).toBe(true);
    expect(m(b('ab'))).toBe(false);
    expect(m(b('a-b/c'))).toBe(false);
    expect(m(b('x/y'))).toBe(true);
    expect(m(b('x/y/z'))).toBe(true);
    expect(m(b('x/yz'))).toBe(false);
    expect(m.prefixes!.map(s)).toEqual(['a', 'x/y']);
    expect(prefixMatcher([b('')]).always).toBe(true);
  });
  it('exactMatcher, alwaysMatcher, neverMatcher', () => {
    const e = exactMatcher([b('a/b'), b('\xff')]);
    expect(e(b('a/b'))).toBe(true);
    expect(e(b('\xff'))).toBe(true);
    expect(e(b('a'))).toBe(false);
    expect(e(b('a/b/c'))).toBe(false);
    expect(alwaysMatcher()(b('anything'))).toBe(true);
    expect(neverMatcher()(b('anything'))).toBe(false);
  });
});

describe('inputs', () => {
  it('accepts a Buffer (pooled, with a byte offset) and reads the same bytes', () => {
    const t = Buffer.from(`a\0${H('1')}\nb\0${H('2')}x\n`, 'latin1'); // small: from the Buffer pool
    const m = new LazyManifest(t);
    expect(m.get(b('b'))).toEqual({ node: node(0x22), flags: 'x' });
    expect(Object.getPrototypeOf(m.text())).toBe(Uint8Array.prototype);
    expect(s(m.text())).toBe(t.toString('latin1'));
    expect(m.diff(new LazyManifest(new Uint8Array(t)))).toEqual([]);
  });
});

// LazyManifest against Mercurial's own C lazymanifest (mercurial.cext.parsers)
// and manifestdict.fastdelta, driven through /usr/bin/python3 on the same
// texts and the same edits: text(), keys, entries, diff (both directions,
// with and without clean), filtercopy, fastdelta bytes, and which texts the
// C parser rejects.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { LazyManifest, type ManifestDiffEntry } from '../../src/manifest/lazy-manifest.js';
import { setParseKernel } from '../../src/manifest/lazy-manifest-parse.js';
import { ManifestError } from '../../src/core/errors.js';
import { patches } from '../../src/revlog/mpatch.js';
import { bdiff } from '../../src/revlog/bdiff.js';

const PY = String.raw`
import sys, json
from mercurial.cext import parsers
from mercurial import manifest
H = bytes.fromhex
def dj(d):
    out = []
    for k, v in d.items():
        if v is None:
            out.append([k.hex(), None])
        else:
            (n1, f1), (n2, f2) = v
            out.append([k.hex(), [None if n1 is None else n1.hex(), f1.decode()], [None if n2 is None else n2.hex(), f2.decode()]])
    return out
for line in sys.stdin:
    c = json.loads(line)
    r = {}
    if c['kind'] == 'parse':
        try:
            m = parsers.lazymanifest(20, H(c['text']))
            r['ok'] = True
            r['len'] = len(m)
        except ValueError as e:
            r['ok'] = False
            r['err'] = str(e)
    else:
        base = H(c['base'])
        m0 = parsers.lazymanifest(20, base)
        m = m0.copy()
        md = manifest.manifestdict(20, base)
        for op in c['ops']:
            p = H(op[1])
            if op[0] == 's':
                v = (H(op[2]), op[3].encode())
                m[p] = v
                md._lm[p] = v
            else:
                del m[p]
                del md._lm[p]
        r['text'] = m.text().hex()
        r['len'] = len(m)
        r['keys'] = [k.hex() for k in m.iterkeys()]
        r['entries'] = [[p.hex(), n.hex(), f.decode()] for p, n, f in m.iterentries()]
        r['diff'] = dj(m0.diff(m))
        r['rdiff'] = dj(m.diff(m0))
        r['cdiff'] = dj(m0.diff(m, True))
        at, dt = md.fastdelta(bytearray(base), [(H(p), rm) for p, rm in c['changes']])
        r['fdtext'] = bytes(at).hex()
        r['fddelta'] = dt.hex()
        pre = H(c['prefix'])
        r['filter'] = m.filtercopy(lambda p: p.startswith(pre)).text().hex()
    print(json.dumps(r))
`;

const hasC =
  spawnSync('/usr/bin/python3', ['-c', 'from mercurial.cext import parsers; parsers.lazymanifest'], { encoding: 'utf8' })
    .status === 0;

// --- deterministic generators ------------------------------------------------------

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

// Path alphabet with bytes around '/' and '\0'-adjacent values, high bytes, '.', '-'.
const PIECES = ['a', 'b', 'ab', 'a-b', 'a.b', 'z', 'A', '\x01', '\xff', '\xe9t\xe9', ' sp', '_', '0', 'dir', 'x'];

function randomPath(r: () => number): string {
  const depth = 1 + Math.floor(r() * 4);
  const parts: string[] = [];
  for (let d = 0; d < depth; d++) {
    let p = '';
    const k = 1 + Math.floor(r() * 2);
    for (let i = 0; i < k; i++) p += PIECES[Math.floor(r() * PIECES.length)];
    parts.push(p);
  }
  return parts.join('/');
}

function randomNode(r: () => number): Uint8Array {
  const n = new Uint8Array(20);
  for (let i = 0; i < 20; i++) n[i] = Math.floor(r() * 256);
  return n;
}

const FLAGS = ['', '', '', 'x', 'l', 't'];

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0; // latin1 strings compare like bytes
}

function makeText(entries: Map<string, [Uint8Array, string]>): Uint8Array {
  const keys = [...entries.keys()].sort(cmp);
  let s = '';
  for (const k of keys) {
    const [n, f] = entries.get(k)!;
    s += `${k}\0${hex(n)}${f}\n`;
  }
  return bytes(s);
}

interface EditCase {
  kind: 'edit';
  base: string;
  ops: (['s', string, string, string] | ['d', string])[];
  changes: [string, boolean][];
  prefix: string;
}

function editCase(seed: number, size: number, edits: number): EditCase {
  const r = rng(seed);
  const m = new Map<string, [Uint8Array, string]>();
  while (m.size < size) m.set(randomPath(r), [randomNode(r), FLAGS[Math.floor(r() * FLAGS.length)]!]);
  const base = makeText(m);
  const baseKeys = new Set(m.keys());
  const ops: EditCase['ops'] = [];
  const touched = new Set<string>();
  for (let e = 0; e < edits; e++) {
    const keys = [...m.keys()];
    const x = r();
    if (x < 0.3 && keys.length > 0) {
      const k = keys[Math.floor(r() * keys.length)]!;
      m.delete(k);
      ops.push(['d', hex(bytes(k))]);
      touched.add(k);
    } else {
      const k = x < 0.65 && keys.length > 0 ? keys[Math.floor(r() * keys.length)]! : randomPath(r);
      const v: [Uint8Array, string] = [randomNode(r), FLAGS[Math.floor(r() * FLAGS.length)]!];
      if (r() < 0.1 && m.has(k)) v[0] = m.get(k)![0]; // flag-only change
      m.set(k, v);
      ops.push(['s', hex(bytes(k)), hex(v[0]), v[1]]);
      touched.add(k);
    }
  }
  const changes: [string, boolean][] = [];
  for (const k of [...touched].sort(cmp)) {
    if (m.has(k)) changes.push([hex(bytes(k)), false]);
    else if (baseKeys.has(k)) changes.push([hex(bytes(k)), true]);
  }
  return { kind: 'edit', base: hex(base), ops, changes, prefix: hex(bytes(PIECES[Math.floor(r() * PIECES.length)]!)) };
}

function runPython(cases: object[]): Record<string, unknown>[] {
  const out = spawnSync('/usr/bin/python3', ['-c', PY], {
    input: cases.map((c) => JSON.stringify(c)).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (out.status !== 0) throw new Error(out.stderr);
  return out.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function diffJson(d: ManifestDiffEntry[]): unknown[] {
  return d.map((e) =>
    e.left === null && e.right === null
      ? [hex(e.path), null]
      : [
          hex(e.path),
          e.left === null ? [null, ''] : [hex(e.left.node), e.left.flags],
          e.right === null ? [null, ''] : [hex(e.right.node), e.right.flags],
        ],
  );
}

function applyOps(m: LazyManifest, ops: EditCase['ops']): void {
  for (const op of ops) {
    if (op[0] === 's') m.set(unhex(op[1]), unhex(op[2]), op[3]);
    else m.delete(unhex(op[1]));
  }
}

// --- tests ---------------------------------------------------------------------------

describe.skipIf(!hasC)('LazyManifest vs the C lazymanifest', () => {
  for (const kernel of ['auto', 'js'] as const) {
    it(`edits, text, iteration, diff, filtercopy, fastdelta (${kernel} parser)`, () => {
      setParseKernel(kernel);
      try {
        const cases: EditCase[] = [];
        for (let s = 0; s < 60; s++) cases.push(editCase(1000 + s, Math.floor(s * 4.5), 1 + (s % 25)));
        cases.push(editCase(7, 3000, 15)); // long runs: bulk paths of text() and diff()
        cases.push(editCase(8, 3000, 400));
        cases.push(editCase(9, 2500, 1600)); // >= 1000 changes: hg's fastdelta switches to bdiff
        expect(cases.at(-1)!.changes.length).toBeGreaterThanOrEqual(1000);
        const want = runPython(cases);
        cases.forEach((c, k) => {
          const w = want[k]!;
          const base = unhex(c.base);
          const m0 = new LazyManifest(base);
          const m = m0.copy();
          applyOps(m, c.ops);
          const label = `case ${k}`;
          // read-only checks before text() compacts m
          expect(diffJson(m0.diff(m)), label).toEqual(w['diff']);
          expect(diffJson(m.diff(m0)), label).toEqual(w['rdiff']);
          expect(diffJson(m0.diff(m, { clean: true })), label).toEqual(w['cdiff']);
          expect(m.size, label).toBe(w['len']);
          expect([...m.keys()].map(hex), label).toEqual(w['keys']);
          expect([...m.entries()].map((e) => [hex(e.path), hex(e.node), e.flags]), label).toEqual(w['entries']);
          const fd = m.fastDelta(
            base,
            c.changes.map(([p, rm]) => [unhex(p), rm] as const),
            { textDiff: bdiff },
          );
          expect(hex(fd.text), label).toBe(w['fdtext']);
          expect(hex(fd.delta), label).toBe(w['fddelta']);
          expect(hex(patches(base, [fd.delta])), label).toBe(w['fdtext']);
          expect(hex(m.filterCopy((p) => p[0] !== undefined && hex(p).startsWith(c.prefix)).text()), label).toBe(
            w['filter'],
          );
          const text = m.text();
          expect(hex(text), label).toBe(w['text']);
          // the same texts parsed independently: the bulk (unedited) diff path
          const m1 = new LazyManifest(text);
          const b0 = new LazyManifest(base.slice());
          expect(diffJson(b0.diff(m1)), label).toEqual(w['diff']);
          expect(diffJson(m1.diff(b0)), label).toEqual(w['rdiff']);
          expect(diffJson(b0.diff(m1, { clean: true })), label).toEqual(w['cdiff']);
          // after compaction
          expect(diffJson(m0.diff(m)), label).toEqual(w['diff']);
        });
      } finally {
        setParseKernel('auto');
      }
    });
  }

  it('rejects the texts the C parser rejects', () => {
    const h = 'a'.repeat(40);
    const texts = [
      `a\0${h}`, // no final newline
      `b\0${h}\na\0${h}\n`, // unsorted
      `a\0${h}\na\0${h}\n`, // duplicate
      `a/b\0${h}\na\0${h}\n`, // '/' sorts after '\0'
      `\0${h}\n`, // empty path
      `a\0${h.slice(2)}\n`, // short line
      `a\0${h}\nb\0${h}`, // last line without newline
      `a\0${h}\nb\0${h}\nb\0${h}\n`,
      `ab\0${h}\naa\0${h}\n`,
    ];
    const valid = [``, `a\0${h}\n`, `a\0${h}x\n`, `a\0${h}\na-b\0${h}l\na.b\0${h}\na/b\0${h}t\n`, `\xff\0${h}\n`];
    const want = runPython([...texts, ...valid].map((t) => ({ kind: 'parse', text: hex(bytes(t)) })));
    [...texts, ...valid].forEach((t, k) => {
      const m = new LazyManifest(bytes(t));
      if (want[k]!['ok']) {
        expect(m.size, JSON.stringify(t)).toBe(want[k]!['len']);
      } else {
        expect(() => m.size, JSON.stringify(t)).toThrow(ManifestError);
      }
    });
  });
});

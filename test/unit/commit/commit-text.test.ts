// The changelog and filelog texts a commit writes, against Mercurial's own
// functions (changelog.stripdesc, changelog.encodeextra, changelog.add's
// text, storageutil.packmeta), run by the Python that has Mercurial.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeChangeset, encodeExtra, packFileMeta, stripBytes, stripDescription } from '../../../src/store/commit.js';
import { fromLatin1, latin1, utf8 } from '../../../src/core/bytes.js';

const PY = '/usr/bin/python3';
const HAVE_HG_PY = fs.existsSync(PY) && spawnSync(PY, ['-c', 'import mercurial']).status === 0;

/** Runs a Python snippet over JSON input (latin1 strings for bytes); returns its JSON output. */
function py(script: string, input: unknown): unknown {
  const r = spawnSync(PY, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/** Deterministic PRNG (mulberry32). */
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

function randomText(r: () => number, alphabet: string, max: number): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

const B = (s: string): Uint8Array => fromLatin1(s);

describe.skipIf(!HAVE_HG_PY)('commit texts vs Mercurial', () => {
  it('stripdesc', () => {
    const r = rng(1);
    const inputs = ['', '\n', '  \n\n', 'a', 'line1  \n\n\nline2\t\n\n', '\r\nx\r\n\r\n', 'a\rb\r\rc', ' lead\n', '\n\n\nx  y  \n\n', '\x0b\x0cz\x0b'];
    for (let i = 0; i < 300; i++) inputs.push(randomText(r, 'ab \t\n\r\x0b\x0c\u00e9', 30));
    const expected = py(
      `import json,sys
from mercurial.changelog import stripdesc
print(json.dumps([stripdesc(s.encode('latin1')).decode('latin1') for s in json.load(sys.stdin)]))`,
      inputs,
    ) as string[];
    expect(inputs.map((s) => latin1(stripDescription(B(s))))).toEqual(expected);
  });

  it('encodeextra and the changelog text', () => {
    const r = rng(2);
    const cases: { extra: [string, string][]; user: string; desc: string; files: string[]; time: number; tz: number }[] = [];
    for (let i = 0; i < 200; i++) {
      const extra: [string, string][] = [];
      const nk = Math.floor(r() * 4);
      for (let k = 0; k < nk; k++) extra.push([randomText(r, 'abc_', 6) || 'k', randomText(r, 'ab\\\n\r\x00:=\u00ff', 8)]);
      if (r() < 0.5) extra.push(['branch', r() < 0.3 ? 'default' : r() < 0.5 ? '' : randomText(r, 'xyz\u00e9 ', 6) || 'b']);
      const files = Array.from({ length: Math.floor(r() * 5) }, () => randomText(r, 'ab/.\u00e9Z', 8) || 'f');
      cases.push({
        extra: [...new Map(extra)],
        user: ' ' + (randomText(r, 'ab <>@.\u00e9', 12) || 'u') + ' ',
        desc: randomText(r, 'ab \n\t', 20),
        files: [...new Set(files)],
        time: Math.floor(r() * 2 ** 31),
        tz: Math.floor(r() * 90000) - 50400,
      });
    }
    const expected = py(
      `import json,sys
from mercurial import changelog, encoding
from mercurial.node import nullid
class Tr:
    def add(*a, **k): pass
out = []
for c in json.load(sys.stdin):
    extra = dict((k.encode('latin1'), v.encode('latin1')) for k, v in c['extra'])
    enc = changelog.encodeextra(dict(extra)).decode('latin1')
    # changelog.add's text, without a revlog: reproduce what it hands to addrevision
    captured = {}
    class CL(changelog.changelog):
        def __init__(self): self._copiesstorage = None
        def addrevision(self, text, *a, **k):
            captured['t'] = text
            return 0
        def node(self, rev): return nullid
        def __len__(self): return 0
    class Files:
        touched = set(f.encode('latin1') for f in c['files'])
    try:
        CL().add(b'\\x11' * 20, Files(), c['desc'].encode('utf-8'), Tr(), nullid, nullid, c['user'].encode('utf-8'), b'%d %d' % (c['time'], c['tz']), extra)
        out.append([enc, captured['t'].decode('latin1')])
    except Exception as e:
        out.append([enc, 'error: ' + str(e)])
print(json.dumps(out))`,
      cases,
    ) as [string, string][];
    cases.forEach((c, i) => {
      const extra = new Map(c.extra.map(([k, v]) => [k, B(v)]));
      expect(latin1(encodeExtra(extra))).toBe(expected[i]![0]);
      let text: string;
      try {
        text = latin1(
          encodeChangeset({
            manifest: new Uint8Array(20).fill(0x11),
            user: utf8(c.user),
            date: { time: c.time, tz: c.tz },
            extra,
            files: c.files.map(B),
            description: utf8(c.desc),
          }),
        );
      } catch (e) {
        text = 'error: ' + (e as Error).message;
      }
      expect([i, text]).toEqual([i, expected[i]![1]]);
    });
  });

  it('packmeta', () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'text'],
      [{ copy: 'a/b', copyrev: '0'.repeat(40) }, '\x01\nstarts like meta'],
      [{ copyrev: 'x', copy: 'y', censored: 'z' }, ''],
    ];
    const expected = py(
      `import json,sys
from mercurial.utils import storageutil
print(json.dumps([storageutil.packmeta(dict((k.encode('latin1'), v.encode('latin1')) for k, v in m.items()), t.encode('latin1')).decode('latin1') for m, t in json.load(sys.stdin)]))`,
      cases,
    ) as string[];
    cases.forEach(([m, t], i) => {
      expect(latin1(packFileMeta(new Map(Object.entries(m).map(([k, v]) => [k, B(v)])), B(t)))).toBe(expected[i]);
    });
  });

  it('strip', () => {
    expect(latin1(stripBytes(B(' \t\nab c\r\x0b\x0c ')))).toBe('ab c');
  });
});

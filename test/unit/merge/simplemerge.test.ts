// simplemerge.ts against hg 6.3's own simplemerge.py (run through
// /usr/bin/python3): random three-way inputs, every mode, byte-identical
// output and the same conflict flag; plus hasconflictmarkers.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatLabels, hasConflictMarkers, simpleMerge, type MergeMode } from '../../../src/store/simplemerge.js';

const PY = `
import sys, json, base64
from mercurial import simplemerge, filemerge
class F:
    def __init__(s, d): s.d = d
    def decodeddata(s): return s.d
    def path(s): return b'f'
cases = json.load(sys.stdin)
out = []
for c in cases:
    b, a, o = (base64.b64decode(x) for x in (c['base'], c['local'], c['other']))
    if c['mode'] == 'markers':
        out.append(bool(filemerge.hasconflictmarkers(a)))
        continue
    l = simplemerge.MergeInput(F(a), b'working copy')
    r = simplemerge.MergeInput(F(o), b'merge rev')
    z = simplemerge.MergeInput(F(b), b'common ancestor')
    text, conflicts = simplemerge.simplemerge(l, z, r, mode=c['mode'].encode(), allow_binary=True)
    out.append([base64.b64encode(text).decode(), bool(conflicts)])
print(json.dumps(out))
`;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function mutate(r: () => number, lines: string[]): string[] {
  const out = [...lines];
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const op = r();
    const at = Math.floor(r() * (out.length + 1));
    if (op < 0.35) out.splice(at, 0, `new${Math.floor(r() * 5)}\n`);
    else if (op < 0.65) out.splice(at, 1);
    else if (at < out.length) out[at] = `chg${Math.floor(r() * 4)}\n`;
  }
  return out;
}

describe('simplemerge', () => {
  it('matches hg simplemerge.py on random inputs', () => {
    const r = rng(1234);
    const modes: MergeMode[] = ['merge', 'merge3', 'union', 'local', 'other'];
    const cases: { base: string; local: string; other: string; mode: string }[] = [];
    const raw: [Buffer, Buffer, Buffer, string][] = [];
    for (let i = 0; i < 400; i++) {
      const n = Math.floor(r() * 8);
      const base: string[] = [];
      for (let k = 0; k < n; k++) base.push(`l${Math.floor(r() * 6)}\n`);
      let a = mutate(r, base).join('');
      let b = mutate(r, base).join('');
      let z = base.join('');
      if (r() < 0.15) a = a.replace(/\n$/, '');
      if (r() < 0.15) b = b.replace(/\n$/, '');
      if (r() < 0.1) z = z.replace(/\n$/, '');
      if (r() < 0.1) a = a.replace(/\n/g, '\r\n');
      const mode = modes[i % modes.length]!;
      const t = [Buffer.from(z), Buffer.from(a), Buffer.from(b), mode] as [Buffer, Buffer, Buffer, string];
      raw.push(t);
      cases.push({ base: t[0].toString('base64'), local: t[1].toString('base64'), other: t[2].toString('base64'), mode });
    }
    const res = spawnSync('/usr/bin/python3', ['-c', PY], { input: JSON.stringify(cases), maxBuffer: 1 << 26 });
    expect(res.status, res.stderr.toString()).toBe(0);
    const expected = JSON.parse(res.stdout.toString()) as [string, boolean][];
    const [la, lo, lb] = formatLabels(['working copy', 'merge rev', 'common ancestor']);
    raw.forEach(([z, a, b, mode], i) => {
      const got = simpleMerge(z, a, b, mode as MergeMode, { local: la, other: lo, base: lb });
      const [text, conflicts] = expected[i]!;
      expect(Buffer.from(got.text).toString('base64'), `case ${i} (${mode})\n${z}\n--\n${a}\n--\n${b}`).toBe(text);
      expect(got.conflicts, `case ${i} conflicts`).toBe(conflicts);
    });
  });

  it('detects conflict markers as hg does', () => {
    const samples = ['<<<<<<< x\n', '<<<<<<<\n', '=======\n', 'a\n>>>>>>> y', '|||||||  \n', '-------x\n', '<<<<<<<< a\n', 'x <<<<<<< a\n', '+++++++ \r\n'];
    const cases = samples.map((s) => ({ base: '', local: Buffer.from(s).toString('base64'), other: '', mode: 'markers' }));
    const res = spawnSync('/usr/bin/python3', ['-c', PY], { input: JSON.stringify(cases) });
    expect(res.status, res.stderr.toString()).toBe(0);
    const expected = JSON.parse(res.stdout.toString()) as boolean[];
    samples.forEach((s, i) => expect(hasConflictMarkers(Buffer.from(s)), JSON.stringify(s)).toBe(expected[i]));
  });
});

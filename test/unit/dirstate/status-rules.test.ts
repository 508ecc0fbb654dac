// The small decision rules of status, each against Mercurial's own function
// (through /usr/bin/python3): the "ambiguous mtime" rule
// (timestamp.reliable_mtime_of), mtime comparison
// (DirstateItem.mtime_likely_equal_to), and the walk hints of the matcher
// (match.files(), prefix(), visitchildrenset()).

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DirstateMap } from '../../../src/dirstate/dirstate-map.js';
import { buildMatcher } from '../../../src/dirstate/matcher.js';
import { reliableMtime } from '../../../src/dirstate/status.js';
import { testEnv } from '../../helpers/hg.js';

function py(script: string, input: unknown): unknown {
  const r = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(input), env: testEnv(), maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return JSON.parse(r.stdout.toString());
}

describe('reliable mtime (hg timestamp.reliable_mtime_of)', () => {
  it('agrees on a grid around the boundary', () => {
    const boundary = { sec: 1_700_000_000, nsec: 500_000_000 };
    const cases: [number, number, number, number][] = [];
    for (const bns of [0, 500_000_000]) {
      for (const ds of [-100_000, -86_401, -2, -1, 0, 1, 2, 3600, 86_399, 86_400, 86_401, 1_000_000]) {
        for (const ns of [0, 1, 499_999_999, 500_000_000, 500_000_001, 999_999_999]) cases.push([boundary.sec + ds, ns, boundary.sec, bns]);
      }
    }
    const hg = py(
      String.raw`
import sys, json
from mercurial.dirstateutils import timestamp
out = []
for s, ns, bs, bns in json.load(sys.stdin):
    class St:
        st_mtime_ns = s * 10**9 + ns
    r = timestamp.reliable_mtime_of(St(), timestamp.timestamp((bs, bns, False)))
    out.append(None if r is None else list(r))
json.dump(out, sys.stdout)
`,
      cases,
    ) as ([number, number, boolean] | null)[];
    cases.forEach(([s, ns, bs, bns], i) => {
      const ours = reliableMtime(s, ns, { sec: bs, nsec: bns, secondAmbiguous: false });
      const h = hg[i]!;
      expect(ours === undefined ? null : [ours.sec, ours.nsec, ours.secondAmbiguous], `file ${s}.${ns} boundary ${bs}.${bns}`).toEqual(
        h === null ? null : [h[0], h[1], !!h[2]],
      );
    });
  });

  it('mtime comparison as DirstateItem.mtime_likely_equal_to', () => {
    const cases: [number, number, boolean, number, number][] = [];
    for (const [ss, sns, amb] of [
      [100, 0, false],
      [100, 5, false],
      [100, 5, true],
      [100, 0, true],
    ] as [number, number, boolean][]) {
      for (const [os, ons] of [
        [100, 0],
        [100, 5],
        [100, 6],
        [101, 5],
      ]) {
        cases.push([ss, sns, amb, os!, ons!]);
      }
    }
    const hg = py(
      String.raw`
import sys, json
from mercurial.cext import parsers
out = []
for ss, sns, amb, os_, ons in json.load(sys.stdin):
    item = parsers.DirstateItem(wc_tracked=True, p1_tracked=True, parentfiledata=(0o100644, 1, (ss, sns, amb)))
    out.append(bool(item.mtime_likely_equal_to((os_, ons, False))))
json.dump(out, sys.stdout)
`,
      cases,
    ) as boolean[];
    cases.forEach(([ss, sns, amb, os, ons], i) => {
      const m = DirstateMap.empty();
      const p = new TextEncoder().encode('f');
      m.resetState(p, { wcTracked: true, p1Tracked: true, parentFileData: { mode: 0o100644, size: 1, mtime: { sec: ss, nsec: sns, secondAmbiguous: amb } } });
      expect(m.mtimeLikelyEqual(m.findRow(p), os, ons), JSON.stringify(cases[i])).toBe(hg[i]);
    });
  });
});

describe('matcher walk hints (match.files, prefix, visitchildrenset)', () => {
  it('agree with hg', () => {
    const specs: { pats: string[]; inc: string[]; exc: string[] }[] = [
      { pats: ['path:src'], inc: [], exc: [] },
      { pats: ['path:src', 'path:docs/a.txt'], inc: [], exc: [] },
      { pats: ['glob:src/*.c', 'glob:lib/**'], inc: [], exc: [] },
      { pats: ['relglob:*.c'], inc: [], exc: [] },
      { pats: ['re:.*\\.c$'], inc: [], exc: [] },
      { pats: ['rootfilesin:src'], inc: [], exc: [] },
      { pats: [], inc: ['path:src/lib', 'glob:docs/*.txt'], exc: [] },
      { pats: [], inc: [], exc: ['path:build'] },
      { pats: ['path:src'], inc: ['glob:src/**.c'], exc: ['path:src/gen'] },
      { pats: [], inc: ['rootfilesin:a/b'], exc: [] },
    ];
    const dirs = ['', 'src', 'src/lib', 'src/gen', 'docs', 'lib', 'lib/x', 'build', 'a', 'a/b', 'a/b/c', 'other'];
    const hg = py(
      String.raw`
import sys, json
from mercurial import match as matchmod
out = []
for spec in json.load(sys.stdin):
    b = lambda l: [x.encode() for x in l]
    m = matchmod.match(b'/r', b'', b(spec['pats']), include=b(spec['inc']), exclude=b(spec['exc']))
    vis = {}
    for d in spec['dirs']:
        v = m.visitchildrenset(d.encode())
        vis[d] = v.decode() if isinstance(v, bytes) else sorted(x.decode() for x in v)
    out.append({'files': sorted(f.decode() for f in m.files()), 'prefix': bool(m.prefix()), 'vis': vis})
json.dump(out, sys.stdout)
`,
      specs.map((s) => ({ ...s, dirs })),
    ) as { files: string[]; prefix: boolean; vis: Record<string, string | string[]> }[];
    specs.forEach((s, i) => {
      const m = buildMatcher({ cwdRel: '', patterns: s.pats, include: s.inc, exclude: s.exc });
      const h = hg[i]!;
      expect([...(m.walkRoots ?? [])].sort(), `${JSON.stringify(s)} files`).toEqual(h.files);
      expect(!!m.prefix, `${JSON.stringify(s)} prefix`).toBe(h.prefix);
      for (const d of dirs) {
        const v = m.visitChildrenSet!(d);
        expect(typeof v === 'string' ? v : [...v].sort(), `${JSON.stringify(s)} visitchildrenset(${JSON.stringify(d)})`).toEqual(h.vis[d]);
      }
    });
  });
});

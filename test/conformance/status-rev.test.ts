// `hg status` between two revisions (`--rev A --rev B`, `--change REV`):
// hgkit vs real hg, byte for byte (stdout, stderr, exit code), on a
// repository built with hg that has copies of copies, renames across
// directories, renamed-then-modified files, a rename and its rename back,
// exec/symlink flag-only changes, a directory rename, branches, merges (with
// renames on either side), a criss-cross merge (two common ancestor heads)
// and an unrelated root. The same history is also built as a tree manifest
// repository (experimental.treemanifest), where hg lists clean files only in
// directories whose tree node changed.
//
//   npx vitest run test/conformance/status-rev.test.ts

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareWithHg,
  expectSameAsHg,
  makeTempDir,
  removeTempDirs,
  runProcess,
  stopHgServers,
} from '../helpers/hg.js';
import { DiffKind, diffManifestTexts } from '../../src/manifest/manifest-diff.js';

// Revision numbers are fixed by the script (see the comments).
const SCRIPT = String.raw`
set -euo pipefail
c() { local d="$1"; shift; hg commit -q -d "$d 0" "$@"; }
hg init $INIT_ARGS repo; cd repo
mkdir -p d1 d2 sub/deep
printf 'a\n' > a; printf 'b\n' > b; printf 'x\n' > d1/x; printf 'y\n' > d1/y; printf 'z\n' > d2/z
printf 'w\n' > d2/w; printf 'e\n' > e; printf 'k\n' > sub/deep/k; ln -s a l; printf 'f\n' > flagme
printf 'sp\n' > 'with space'; printf 'u\n' > "$(printf 'caf\xc3\xa9')"
hg add -q; c 1 -m r0                                                    # 0
hg cp a a_copy; hg mv d1/x d3/x; printf 'b2\n' >> b; c 2 -m r1          # 1: copy, rename across dirs
hg cp a_copy a_copy2; printf 'x2\n' >> d3/x; chmod +x e; rm l; ln -s b l; chmod +x flagme
c 3 -m r2                                                               # 2: copy of copy, renamed+modified, flags
hg mv d3/x d1/x; hg mv b b2; c 4 -m r3                                  # 3: rename back
hg mv b2 b3; hg mv -q d2 d4; chmod -x flagme; c 5 -m r4                 # 4: chained rename, dir rename
hg up -q 1; hg branch -q feature; hg mv a a_feat; printf 'y2\n' >> d1/y; c 6 -m r5   # 5
hg cp d2/z d2/z2; hg mv sub/deep/k sub/k; c 7 -m r6                     # 6
hg up -q 4; hg merge -q feature; c 8 -m r7                              # 7: merge (4, 6)
hg rm -q a_copy; hg cp a_copy2 a_copy; printf 'more\n' >> a_copy; c 9 -m r8   # 8: rm then copy onto it
hg cp a_copy2 cc1; hg cp cc1 cc2; c 10 -m r9                            # 9
hg mv cc2 cc3; printf 'c3\n' >> cc3; rm e; ln -s a_feat e; c 11 -m r10  # 10: file -> symlink
hg up -q null; printf 'other\n' > o; printf 'a\n' > a; hg add -q o a; hg branch -q -f other
c 12 -m r11                                                             # 11: unrelated root
hg cp o o2; c 13 -m r12                                                 # 12
hg up -q 10; hg branch -q -f cross1; printf 'p\n' > p; hg add p; c 14 -m P    # 13
hg up -q 10; hg branch -q -f cross2; printf 'q\n' > q; hg add q; c 15 -m Q    # 14
hg up -q 13; hg merge -q 14; c 16 -m M1                                 # 15: criss-cross
hg up -q 14; hg merge -q 13; c 17 -m M2                                 # 16
hg up -q 15; hg cp p p_from1; hg mv q q_mv1; c 18 -m M1child            # 17
hg up -q 16; hg cp q q_from2; hg mv p p_mv2; c 19 -m M2child            # 18
hg up -q 10; hg branch -q -f side; printf 'side\n' >> d1/y; hg mv a_feat a_side; c 20 -m side   # 19
hg up -q 6; hg merge -q 19; c 21 -m merge-p2-side                       # 20: merge (6, 19)
hg up -q 15; printf 'q2\n' >> q; hg rm -q d1/y; c 22 -m X1                # 21: from M1
hg up -q 16; printf 'p2\n' >> p; hg cp d1/y d1/y_copy; c 23 -m Y1         # 22: from M2; 21<->22 need pathcopies' _filter
hg up -q 10
`;

let top: string;
let repo: string;
let treeTop: string;
let treeRepo: string;

async function buildRepo(initArgs: string): Promise<string> {
  const dir = makeTempDir('hgkit-status-rev-');
  const r = await runProcess('bash', ['-c', `INIT_ARGS='${initArgs}'\n${SCRIPT}`], { cwd: dir, timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`building the repository failed:\n${r.stderr.toString()}${r.stdout.toString()}`);
  return dir;
}

beforeAll(async () => {
  [top, treeTop] = await Promise.all([buildRepo(''), buildRepo('--config experimental.treemanifest=1')]);
  repo = path.join(top, 'repo');
  treeRepo = path.join(treeTop, 'repo');
});

afterAll(() => {
  stopHgServers();
  removeTempDirs();
});

async function same(args: string[], hgCode = 0, dir = repo): Promise<void> {
  const pair = await compareWithHg(dir, args);
  expectSameAsHg(pair, { hgCode, stderr: 'full' });
}

const PAIR_REVS = ['null', '0', '3', '7', '10', '12', '17', '20'];

describe.concurrent('every ordered pair: status --rev A --rev B -A (all states and copies)', () => {
  for (const a of PAIR_REVS) {
    for (const b of PAIR_REVS) {
      if (a === b) continue;
      it(`--rev ${a} --rev ${b}`, () => same(['status', '--rev', a, '--rev', b, '-A']));
    }
  }
  for (const [a, b] of [
    ['17', '18'],
    ['18', '17'],
    ['21', '22'],
    ['22', '21'],
    ['21', '18'],
    ['18', '19'],
    ['8', '1'],
    ['4', '5'],
    ['2', '6'],
    ['6', '2'],
    ['3', '3'],
  ]) {
    it(`--rev ${a} --rev ${b}`, () => same(['status', '--rev', a!, '--rev', b!, '-A']));
  }
});

describe.concurrent('status --change', () => {
  for (const r of [0, 1, 2, 3, 4, 5, 7, 8, 10, 11, 15, 17, 19, 20, 22]) {
    it(`--change ${r} -A`, () => same(['status', '--change', String(r), '-A']));
  }
  for (const r of ['1', '2', '4', '7', '8', '20']) it(`--change ${r} -C`, () => same(['status', '--change', r, '-C']));
  it('--change null', () => same(['status', '--change', 'null', '-A']));
  it('--change tip', () => same(['status', '--change', 'tip']));
  it('--change feature', () => same(['status', '--change', 'feature', '-C']));
});

const FLAG_SETS: string[][] = [
  [],
  ['-m'],
  ['-a'],
  ['-r'],
  ['-c'],
  ['-A'],
  ['-n'],
  ['-0'],
  ['-C'],
  ['-q'],
  ['-Aq'],
  ['-mar'],
  ['-mc'],
  ['-An'],
  ['-A0'],
  ['-AC'],
  ['-C0'],
  ['-Cn'],
  ['-aC'],
  ['-rC'],
  ['-C', '-c'],
  ['-d'],
  ['-u'],
  ['-i'],
  ['-mardui'],
  ['-A', '--no-copies'],
  ['-C', '--no-copies'],
  ['--copies', '--added'],
  ['-n0'],
  ['-nA0'],
];

describe.concurrent('output flags', () => {
  // every flag set on one pair, a sample on the others
  const sample = FLAG_SETS.filter((_, i) => i % 5 === 1);
  for (const [a, b, sets] of [
    ['0', '10', FLAG_SETS],
    ['10', '0', sample],
    ['6', '4', sample],
  ] as const) {
    for (const flags of sets) {
      it(`--rev ${a} --rev ${b} ${flags.join(' ')}`, () => same(['status', '--rev', a, '--rev', b, ...flags]));
    }
  }
  for (const flags of sample) it(`--change 7 ${flags.join(' ')}`, () => same(['status', '--change', '7', ...flags]));
});

describe.concurrent('--change with --terse', () => {
  const cases: string[][] = [
    ['4', '--terse', 'm'],
    ['4', '--terse', 'ar'],
    ['4', '--terse', 'c', '-A'],
    ['4', '--terse', 'mardiuc', '-A'],
    ['6', '--terse', 'ac', '-A'],
    ['0', '--terse', 'a', '-C'],
    ['7', '--terse', 'amr', '-C'],
    ['1', '-t', 'r', '-An'],
    ['4', '--terse', 'a', '-C', 'd4'],
    ['4', '--terse', ''],
  ];
  for (const c of cases) it(`--change ${c.join(' ')}`, () => same(['status', '--change', ...c]));
  it('--change 4 --terse c -A . (in d1)', () => same(['--cwd', 'd1', 'status', '--change', '4', '--terse', 'c', '-A', '.']));
  it('--change 4 --terse cz', () => same(['status', '--change', '4', '--terse', 'cz'], 255));
});

describe.concurrent('revision forms', () => {
  const forms: string[][] = [
    ['--rev', '1:3'],
    ['--rev', '3:1'],
    ['--rev', '1::3'],
    ['--rev', '1+3'],
    ['--rev', '3+1'],
    ['--rev', '2:2'],
    ['--rev', '1', '--rev', '3', '--rev', '2'],
    ['--rev', '1:3', '--rev', '0'],
    ['--rev', '.', '--rev', 'tip'],
    ['--rev', 'feature', '--rev', 'default'],
    ['--rev', 'null', '--rev', '4', '-C'],
    ['--rev', '4', '--rev', 'null', '-C'],
    ['--rev', '-1', '--rev', '-3'],
    ['--rev', 'p1(7)', '--rev', 'p2(7)', '-C'],
  ];
  for (const f of forms) it(f.join(' '), () => same(['status', ...f, '-C']));
});

describe.concurrent('file patterns', () => {
  const cases: { args: string[]; cwd?: string }[] = [
    { args: ['a_copy'] },
    { args: ['a_copy', 'a_copy2', 'b3'] },
    { args: ['d1'] },
    { args: ['d4'] },
    { args: ['sub'] },
    { args: ['nonexistent'] },
    { args: ['nonexistent', 'a'] },
    { args: ['glob:*'] },
    { args: ['glob:d*'] },
    { args: ['glob:d*/*'] },
    { args: ['glob:**/k'] },
    { args: ['relglob:z*'] },
    { args: ['rootglob:a*'] },
    { args: ['re:.*copy'] },
    { args: ['relre:x$'] },
    { args: ['path:d1'] },
    { args: ['rootfilesin:d1'] },
    { args: ['with space'] },
    { args: ['café'] },
    { args: ['.'] },
    { args: ['-I', 'd1'] },
    { args: ['-I', 'glob:**y'] },
    { args: ['-I', 'd*'] },
    { args: ['-X', 'd1'] },
    { args: ['-X', 'glob:*copy*'] },
    { args: ['-I', 'd1', '-X', 'd1/x'] },
    { args: ['d1', '-X', 'd1/y'] },
    { args: [], cwd: 'd1' },
    { args: ['.'], cwd: 'd1' },
    { args: ['..'], cwd: 'd1' },
    { args: ['../a_copy2'], cwd: 'd1' },
    { args: ['x'], cwd: 'd1' },
    { args: ['glob:*'], cwd: 'd1' },
    { args: ['-I', '*'], cwd: 'd1' },
    { args: ['relglob:*y'], cwd: 'd1' },
    { args: ['../sub'], cwd: 'd1' },
  ];
  const sample = cases.filter((_, i) => i % 6 === 0);
  for (const [a, b, list] of [
    ['0', '10', cases],
    ['10', '0', sample],
    ['4', '6', sample],
  ] as const) {
    for (const c of list) {
      const cwdArgs = c.cwd ? ['--cwd', c.cwd] : [];
      it(`--rev ${a} --rev ${b} -A ${c.args.join(' ')}${c.cwd ? ` (in ${c.cwd})` : ''}`, () =>
        same([...cwdArgs, 'status', '--rev', a, '--rev', b, '-A', ...c.args]),
      );
    }
  }
  it('--change 4 -C d4', () => same(['status', '--change', '4', '-C', 'd4']));
  it('--change 4 -C d2', () => same(['status', '--change', '4', '-C', 'd2']));
  it('-R from outside the repository', async () => {
    for (const extra of [[], ['repo/d1'], ['repo/a_copy', 'repo/nonexistent']]) {
      const args = ['-R', 'repo', 'status', '--rev', '0', '--rev', '10', '-C', ...extra];
      const hg = await compareWithHg(top, args, { hgMode: 'process' });
      expectSameAsHg(hg, { stderr: 'full' });
    }
  });
});

describe.concurrent('tree manifests', () => {
  it('the repository uses tree manifests', async () => {
    expect(fs.readFileSync(path.join(treeRepo, '.hg/store/requires'), 'latin1')).toMatch(/^treemanifest$/m);
  });
  const revs = ['null', '0', '3', '10', '20'];
  for (const a of revs) {
    for (const b of revs) {
      it(`--rev ${a} --rev ${b} -A`, () => same(['status', '--rev', a, '--rev', b, '-A'], 0, treeRepo));
    }
  }
  for (const r of ['4', '7']) it(`--change ${r} -A`, () => same(['status', '--change', r, '-A'], 0, treeRepo));
  // With patterns, hg filters both trees by the matcher's visitchildrenset first, so clean files show up in
  // directories the matcher does not take whole even where the tree node did not change.
  const withPatterns = [['-C', 'd1'], ['-mar', 'glob:d*/*'], ['-C', '-I', 'sub'], ['-c', 'd1'], ['-A', 'glob:d*/*'], ['-A', '-I', 'sub'], ['-A', '-X', 'd1'], ['-A', 'rootfilesin:d1'], ['-A', 'd1', 'sub']];
  it('listfile: and listfile0: patterns (entries relative to the cwd, nested lists, empty lists)', async () => {
    const lf = path.join(treeTop, 'list.txt');
    const lf0 = path.join(treeTop, 'list0.txt');
    const empty = path.join(treeTop, 'empty.txt');
    fs.writeFileSync(lf, `d1\nglob:sub/*\n\nlistfile0:${lf0}\n`);
    fs.writeFileSync(lf0, 'nothere\0rootfilesin:d1\0');
    fs.writeFileSync(empty, '');
    for (const args of [[`listfile:${lf}`], [`listfile0:${lf0}`], [`listfile:${empty}`], ['-I', `listfile:${lf}`], ['-X', `listfile:${lf}`], ['listfile:/nonexistent/list']]) {
      await same(['status', '--rev', '0', '--rev', '10', '-A', ...args], args[0] === 'listfile:/nonexistent/list' ? 255 : 0, treeRepo);
    }
  });
  for (const args of withPatterns) {
    it(`--rev 0 --rev 10 ${args.join(' ')}`, () => same(['status', '--rev', '0', '--rev', '10', ...args], 0, treeRepo));
    it(`--rev 3 --rev 20 ${args.join(' ')}`, () => same(['status', '--rev', '3', '--rev', '20', ...args], 0, treeRepo));
  }
});

describe.concurrent('errors', () => {
  const bad: string[][] = [
    ['--rev', 'nosuchrev', '--rev', '1'],
    ['--rev', '1', '--rev', 'nosuchrev'],
    ['--change', 'nosuchrev'],
    ['--rev', '1', '--change', '2'],
    ['--rev', 'tip and 0'],
    ['--rev', '1', '--rev', 'tip and 0'],
    ['--rev', 'tip and 0', '--rev', '1'],
    ['--change', 'tip and 0'],
    ['--rev', '0', '--rev', '1', '--terse', 'm'],
    ['--rev', '99', '--rev', '1'],
    ['--rev', '0', '--rev', '1', '/'],
    ['--rev', '0', '--rev', '1', '../outside'],
    ['--rev', '0', '--rev', '1', '.hg'],
    ['--rev', '0', '--rev', '1', 'd1/.hg/x'],
  ];
  for (const args of bad) it(args.join(' '), () => same(['status', ...args], 255));
});

// The working-copy forms (handled by status-working.ts) reached through the
// same argument routing as the revision forms: hg's revpair decides.
describe.concurrent('forms routed to the working copy', () => {
  for (const args of [[], ['--rev', '1'], ['--change', ''], ['-A'], ['--rev', '1+1']]) {
    it(`status ${args.join(' ')}`, async () => {
      await same(['status', ...args]);
    });
  }
});

// The walk over raw manifest bytes against a plain map-based diff, on random
// manifests whose paths are prefixes of each other, share long common runs,
// differ only in the flag, or only in one hex digit.
describe('manifest diff kernel', () => {
  function rng(seed: number): () => number {
    let x = (seed * 2654435761) >>> 0 || 1;
    for (let i = 0; i < 20; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
    }
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 2 ** 32;
    };
  }
  const ALPHABET = ['a', 'b', '/', '-', '.', 'a/', 'é', ' ', 'z'];
  type Entry = { node: string; flag: string };
  const encode = (m: Map<string, Entry>): Uint8Array => {
    const keys = [...m.keys()].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    return Buffer.concat(keys.map((k) => Buffer.from(`${k}\0${m.get(k)!.node}${m.get(k)!.flag}\n`)));
  };
  for (let seed = 1; seed <= 40; seed++) {
    it(`random manifests #${seed}`, () => {
      const r = rng(seed);
      const hex = (): string => Array.from({ length: 40 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
      const flag = (): string => ['', '', '', 'x', 'l'][Math.floor(r() * 5)]!;
      const a = new Map<string, Entry>();
      const n = 20 + Math.floor(r() * (seed % 5 === 0 ? 3000 : 200));
      while (a.size < n) {
        let p = '';
        const len = 1 + Math.floor(r() * 6);
        for (let i = 0; i < len; i++) p += ALPHABET[Math.floor(r() * ALPHABET.length)];
        if (p.startsWith('/') || p.endsWith('/') || p.includes('//')) continue;
        a.set(p, { node: hex(), flag: flag() });
      }
      const b = new Map(a);
      for (const [k, v] of a) {
        const t = r();
        if (t < 0.05) b.delete(k);
        else if (t < 0.1) b.set(k, { node: hex(), flag: v.flag });
        else if (t < 0.13) b.set(k, { node: v.node, flag: v.flag === 'x' ? '' : 'x' });
        else if (t < 0.15) b.set(k, { node: v.node.slice(0, 39) + (v.node[39] === '0' ? '1' : '0'), flag: v.flag });
        else if (t < 0.2) b.set(k + (r() < 0.5 ? '/sub' : '-x'), { node: hex(), flag: '' });
      }
      const ta = encode(a);
      const tb = encode(b);
      const got: string[] = [];
      const dec = (t: Uint8Array, s0: number, z: number): string => Buffer.from(t.subarray(s0, z)).toString();
      diffManifestTexts(ta, tb, (kind, text, s0, z) => got.push(`${kind} ${dec(text, s0, z)}`), { clean: true });
      const want: [string, string][] = [];
      for (const [k, v] of a) {
        const w = b.get(k);
        if (!w) want.push([k, `${DiffKind.Removed} ${k}`]);
        else if (w.node !== v.node || w.flag !== v.flag) want.push([k, `${DiffKind.Modified} ${k}`]);
        else want.push([k, `${DiffKind.Clean} ${k}`]);
      }
      for (const k of b.keys()) if (!a.has(k)) want.push([k, `${DiffKind.Added} ${k}`]);
      want.sort((x, y) => Buffer.compare(Buffer.from(x[0]), Buffer.from(y[0])));
      expect(got).toEqual(want.map((w) => w[1]));
      // without clean entries, and with the texts' roles swapped
      const noClean: string[] = [];
      diffManifestTexts(tb, ta, (kind, text, s0, z) => noClean.push(`${kind} ${dec(text, s0, z)}`));
      const swap: Record<string, DiffKind> = { [DiffKind.Added]: DiffKind.Removed, [DiffKind.Removed]: DiffKind.Added };
      const expected = want
        .map((w) => w[1])
        .filter((l) => !l.startsWith(`${DiffKind.Clean} `))
        .map((l) => {
          const k = Number(l[0]);
          return `${swap[k] ?? k}${l.slice(1)}`;
        });
      expect(noClean).toEqual(expected);
    });
  }
});

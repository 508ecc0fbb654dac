// `hg diff` between revisions and against the working copy: hgkit vs real hg
// 6.3.2, byte for byte (stdout, stderr, exit code), on a repository built
// with hg: edits at the start, middle and end of files, files without a
// trailing newline, empty files, binary files (small, and large enough for
// zlib's sliding window), renames and copies (also of copies, and across
// directories), exec and symlink flips, file <-> symlink, deletions,
// additions, unicode and space in paths, a 2000-line file with many hunks,
// whitespace-only changes, a branch and a merge, CR/LF lines, a binary
// reverted to older content. Option combinations: -g, -U0, -U10, --stat,
// -a, --nodates, --noprefix, -p, -w/-b/-B/-Z, --reverse, --no-binary,
// patterns, -I/-X, --root.
//
// hgkit's patches are also applied with `hg import --no-commit` to a clone at
// the base revision: the working copy must then equal the target revision
// (contents, flags, and the copies import records).
//
//   npx vitest run test/conformance/diff.test.ts

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Repository } from '../../src/store/repo.js';
import { revSingle } from '../../src/store/revset.js';
import { diffRevs } from '../../src/diff/rev-diff.js';
import { DEFAULT_DIFF_OPTIONS, type DiffOptions } from '../../src/diff/mdiff.js';
import { datestr } from '../../src/cli/dates.js';
import {
  type ComparePair,
  compareWithHg,
  describeDifference,
  expectSameAsHg,
  makeTempDir,
  removeTempDirs,
  runHg,
  runHgkit,
  runProcess,
  stopHgServers,
} from '../helpers/hg.js';

// Revision numbers are fixed by the script (see the comments).
const SCRIPT = String.raw`
set -euo pipefail
py() { /usr/bin/python3 "$@"; }
c() { local d="$1"; shift; hg commit -q -d "$d 0" "$@"; }
hg init repo; cd repo
mkdir -p dir/sub other
py -c 'open("big.txt","w").write("".join("line %d\n" % i for i in range(1, 2001)))'
printf 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n' > text
printf 'no newline at end' > nonl
printf 'a\nb\nc' > nonl2
printf 'x\ny\n' > addnl
: > empty
: > empty2
py -c 'open("bin1","wb").write(bytes(range(256)) * 20)'
py -c 'import random; open("bin2","wb").write(random.Random(1).randbytes(5000))'
printf 'text\0with nul\n' > bin3
printf '#!/bin/sh\necho hi\n' > script; chmod +x script
printf 'flip\n' > flipme
printf 'tolink\n' > tolink
ln -s text link
printf 'unicode\n' > "$(printf 'caf\xc3\xa9.txt')"
printf 'space\n' > 'with space'
printf 'x\n' > dir/x; printf 'y\n' > dir/sub/y; printf 'o\n' > other/o
printf 'def foo():\n    a = 1\n    b = 2\n    return a + b\n\ndef bar():\n    x = 1\n    y = 2\n    z = 3\n    w = 4\n    return x\n\nclass Baz:\n    def m(self):\n        pass\n' > func.py
printf 'hello  world\nfoo\tbar\n\n\nend line   \nlast\n' > ws
printf 'tomove\n' > tomove; printf 'tocopy\n' > tocopy; printf 'gone\n' > gone
hg add -q; c 0 -m r0                                                          # 0
py - <<'EOF'
lines = open("big.txt").read().split("\n")[:-1]
for i in (0, 499, 500, 999, 1999):
    lines[i] = lines[i] + " changed"
for i in range(1500, 1504):
    lines[i] = "rewritten %d" % i
lines[700:700] = ["inserted a", "inserted b"]
del lines[1200:1211]
open("big.txt", "w").write("".join(l + "\n" for l in lines))
EOF
sed -i 's/^one$/ONE/; s/^five$/FIVE/; s/^ten$/TEN/' text
printf 'no newline at end, changed' > nonl
printf 'a\nb\nc\n' > nonl2
printf 'x\ny' > addnl
printf 'now content\n' > empty
py -c 'd = bytearray(open("bin1","rb").read()); d[100] = 0; d[3000] = 7; open("bin1","wb").write(bytes(d))'
chmod +x flipme
rm link; ln -s nonl link
hg mv tomove moved; hg cp tocopy copied
hg rm -q gone
printf 'new\n' > newfile; : > newempty
py -c 'open("newbin","wb").write(b"\0\1\2new binary\n" * 40)'
ln -s text newlink; printf 'exe\n' > newexe; chmod +x newexe
printf 'unicode changed\n' > "$(printf 'caf\xc3\xa9.txt')"
printf 'space changed\n' > 'with space'
printf 'hello world\nfoo bar\n\n\n\nend line\nlast  \n' > ws
sed -i 's/    z = 3/    z = 30/; s/        pass/        return 1/' func.py
hg add -q; c 1 -m r1                                                          # 1
hg mv moved moved2; printf 'more\n' >> moved2
hg cp copied copied2
rm tolink; ln -s text tolink
rm newlink; printf 'was a link\n' > newlink
hg mv bin2 dir/bin2moved
: > nonl2
chmod -x script
hg mv dir/x other/x
printf 'x\ny\n' > addnl
c 2 -m r2                                                                     # 2
hg up -q 1; printf 'branch edit\n' >> text; printf 'bx\n' > branchfile; hg add branchfile
c 3 -m r3                                                                     # 3
hg merge -q 2; c 4 -m merge                                                   # 4: merge (3, 2)
py -c 'import random; r = random.Random(7); open("large.bin","wb").write(bytes(r.choice(b"abcdefgh\0") for _ in range(150000)) + r.randbytes(40000))'
printf 'crlf\r\nline2\r\n' > crlf; printf 'cr\ronly\nend\n' > cronly
hg add -q; c 5 -m r5                                                          # 5
py -c 'd = bytearray(open("large.bin","rb").read()); d[70000:70010] = b"0123456789"; d += b"tail"; open("large.bin","wb").write(bytes(d))'
printf 'crlf\r\nline2 changed\r\n' > crlf; printf 'cr\ronly changed\nend\n' > cronly
py -c 'open("bin1","wb").write(bytes(range(256)) * 20)'
printf 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n' > text
c 6 -m r6                                                                     # 6: bin1 and text back to rev 0
hg up -q 2
`;

let top: string;
let repo: string;

beforeAll(async () => {
  top = makeTempDir('hgkit-diff-');
  const r = await runProcess('bash', ['-c', SCRIPT], { cwd: top, timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`building the repository failed:\n${r.stderr.toString()}${r.stdout.toString()}`);
  repo = path.join(top, 'repo');
});

afterAll(() => {
  stopHgServers();
  removeTempDirs();
});

async function same(args: string[], opts: { hgCode?: number; dir?: string } = {}): Promise<ComparePair> {
  const pair = await compareWithHg(opts.dir ?? repo, args);
  expectSameAsHg(pair, { hgCode: opts.hgCode ?? 0, stderr: 'full' });
  return pair;
}

const CHANGES = ['0', '1', '2', '3', '4', '5', '6'];
const PAIRS: [string, string][] = [
  ['0', '1'],
  ['1', '0'],
  ['0', '2'],
  ['2', '0'],
  ['1', '3'],
  ['3', '2'],
  ['0', '4'],
  ['0', '6'],
  ['5', '6'],
  ['null', '2'],
  ['2', 'null'],
];

describe.concurrent('diff -c REV, option combinations', () => {
  const everywhere: string[][] = [[], ['-g'], ['-g', '--stat']];
  const some: string[][] = [['-U', '0'], ['--stat'], ['-U', '10'], ['-a'], ['--nodates'], ['-g', '--noprefix'], ['--reverse', '-g']];
  for (const r of CHANGES) {
    for (const c of [...everywhere, ...(r === '1' || r === '2' || r === '5' ? some : [])]) {
      const args = ['diff', '-c', r, ...c];
      it(args.join(' '), () => same(args));
    }
  }
});

describe.concurrent('diff -r A -r B', () => {
  PAIRS.forEach(([a, b], i) => {
    for (const c of [[], ['-g'], ...(i < 4 ? [['--stat'], ['-g', '-U', '1']] : [])]) {
      const args = ['diff', '-r', a, '-r', b, ...c];
      it(args.join(' '), () => same(args));
    }
  });
  it('one range: -r 0:2', () => same(['diff', '-r', '0:2', '-g']));
  it('--from 1 --to 2', () => same(['diff', '--from', '1', '--to', '2', '-g']));
  it('--debug shows full hashes', () => same(['diff', '--debug', '-c', '1', 'text']));
  it('-c null (hg diffs the working parent against null)', () => same(['diff', '-c', 'null', '--stat']));
});

describe('library: diffRevs (in process) for every pair of revisions', () => {
  const REVS = ['null', ...CHANGES];
  const variants: [string[], Partial<DiffOptions>][] = [
    [[], {}],
    [['-g'], { git: true }],
    [['-U', '1', '-p'], { context: 1, showfunc: true }],
  ];
  for (const [flags, o] of variants) {
    it(`diff -r A -r B ${flags.join(' ')}`, async () => {
      const r = Repository.open(repo);
      const opts: DiffOptions = { ...DEFAULT_DIFF_OPTIONS, ...o };
      for (const a of REVS) {
        for (const b of REVS) {
          if (a === b) continue;
          const args = ['diff', '-r', a, '-r', b, ...flags];
          const hg = await compareWithHg(repo, args, { hgOnly: true });
          const chunks = [...diffRevs(r, revSingle(r, a), revSingle(r, b), opts, { formatDate: datestr })];
          const d = describeDifference('stdout', hg.hg.stdout, Buffer.concat(chunks));
          if (d) throw new Error(`hg ${args.join(' ')}: ${d}`);
        }
      }
    });
  }
});

describe.concurrent('other options', () => {
  const cases: string[][] = [
    ['-c', '1', '-p'],
    ['-c', '1', '-p', '-U', '1'],
    ['-c', '1', '-w', 'ws'],
    ['-c', '1', '-b', 'ws'],
    ['-c', '1', '-B', 'ws'],
    ['-c', '1', '-Z', 'ws'],
    ['-c', '1', '-w', '-B', 'ws'],
    ['-c', '1', '-b', '-Z', 'ws', 'func.py'],
    ['-c', '1', '-g', '--no-binary'],
    ['-c', '1', '--binary'],
    ['-c', '1', '--noprefix'],
    ['-c', '1', '-S', '--stat'],
    ['-c', '1', '-g', '--nodates'],
    ['-r', '0', '-r', '2', '--reverse'],
    ['-r', '0', '-r', '2', '-g', '--reverse', '--stat'],
    ['-c', '1', 'text', 'nonl'],
    ['-c', '1', 'dir'],
    ['-c', '2', '-g', 'other'],
    ['-c', '1', '-I', 'glob:*.txt'],
    ['-c', '1', '-X', 'glob:bin*', '-g'],
    ['-c', '1', 'glob:n*'],
    ['-c', '2', '-g', 'moved2'],
    ['-c', '2', '-g', '--root', 'dir'],
    ['-c', '2', '-g', '--root', 'other', '--stat'],
    ['-c', '2', '--root', 'other'],
    ['-c', '6', '-g', 'bin1', 'text'],
    ['-c', '6', 'bin1', 'text'],
    ['-c', '1', '-U', 'abc'],
    ['-r', '1', '-c', '2'],
    ['--from', '1', '-r', '2'],
    ['-c', '99'],
  ];
  for (const c of cases) {
    const args = ['diff', ...c];
    const bad = c.includes('abc') || (c.includes('-r') && (c.includes('-c') || c.includes('--from'))) || c.includes('99');
    it(args.join(' '), () => same(args, { hgCode: bad ? 255 : 0 }));
  }
});

// ---------------------------------------------------------------------------
// The working copy

/** Dates of the working copy (the current time) differ by run: keep only 1970 dates. */
function normalizeDates(b: Buffer): Buffer {
  const s = b.toString('latin1').replace(/^((?:\+\+\+|---) [^\t\n]*)\t(?!Thu Jan 01 00:00:00 1970)[^\n]*$/gm, '$1\t<now>');
  return Buffer.from(s, 'latin1');
}

/** hg and hgkit as processes in `cwd` (working-copy dates normalised). */
async function sameIn(cwd: string, args: string[], hgCode = 0): Promise<void> {
  const hg = await runHg(args, { cwd });
  const hgkit = await runHgkit(args, { cwd });
  expect(hg.code, `hg ${args.join(' ')}: ${hg.stderr.toString()}`).toBe(hgCode);
  const problems = [
    describeDifference('stdout', normalizeDates(hg.stdout), normalizeDates(hgkit.stdout)),
    describeDifference('stderr', hg.stderr, hgkit.stderr),
    hg.code !== hgkit.code ? `exit code: hg ${hg.code}, hgkit ${hgkit.code}` : undefined,
  ].filter(Boolean);
  if (problems.length) throw new Error(`hg ${args.join(' ')}:\n` + problems.join('\n') + '\n' + hgkit.stderr.toString());
}

describe.concurrent('from another directory', () => {
  it('in a subdirectory: relative patterns and --root', async () => {
    const sub = path.join(repo, 'dir');
    await sameIn(sub, ['diff', '-c', '1', 'sub', '../text']);
    await sameIn(sub, ['diff', '-c', '2', '-g', '--root', '.']);
    await sameIn(sub, ['diff', '-c', '2', '-g', '--root', 'sub', '../text']);
    await sameIn(sub, ['diff', '-c', '1', '-I', '../t*']);
  });
  it('outside the repository with -R', async () => {
    await sameIn(top, ['-R', 'repo', 'diff', '-c', '1', '--stat']);
    await sameIn(top, ['-R', 'repo', 'diff', '-c', '1', 'text'], 255);
    await sameIn(top, ['-R', 'repo', 'diff', '-c', '1', '--root', '/'], 255);
  });
});

describe('against the working copy', () => {
  let wdir: string;
  beforeAll(async () => {
    wdir = path.join(makeTempDir('hgkit-diff-wdir-'), 'w');
    const script = String.raw`
set -euo pipefail
hg clone -q -u 2 "$SRC" w; cd w
printf 'wdir edit\n' >> text
printf 'changed in wdir' > nonl
hg rm -q empty2
hg cp text text-copy
hg mv func.py func2.py
printf 'new in wdir\n' > wnew; hg add -q wnew
chmod +x newfile
rm newexe
/usr/bin/python3 -c 'd = bytearray(open("bin1","rb").read()); d[5] = 1; open("bin1","wb").write(bytes(d))'
printf 'untracked\n' > untracked
rm link; ln -s text link
printf 'space wdir\n' > 'with space'
hg cp -q moved2 moved3
hg mv -q copied2 c3
hg status > /dev/null
`;
    const r = await runProcess('bash', ['-c', script], { cwd: path.dirname(wdir), env: { SRC: repo }, timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`building the working copy failed:\n${r.stderr.toString()}`);
  });

  const cases: string[][] = [
    ['diff'],
    ['diff', '-g'],
    ['diff', '--nodates'],
    ['diff', '--stat'],
    ['diff', '-g', '--stat'],
    ['diff', '-r', '0'],
    ['diff', '-r', '0', '-g'],
    ['diff', '-r', '1', '-g'],
    ['diff', '-r', '3', '-g'],
    ['diff', '-r', '4', '-g'],
    ['diff', '-r', '6', '-g', '--reverse'],
    ['diff', '-r', 'null', '--stat'],
    ['diff', '--reverse', '-g'],
    ['diff', '--reverse', '-r', '0', '-g'],
    ['diff', '--from', '0'],
    ['diff', '--to', '1', '-g'],
    ['diff', 'text', 'nonl', 'nosuchfile'],
    ['diff', '-g', '-I', 'glob:func*'],
    ['diff', '-U', '0', '-g'],
    ['diff', '-g', '--root', 'dir'],
    ['diff', '-r', '0', 'nosuchfile', 'newexe', 'gone'],
  ];
  for (const args of cases) it(args.join(' '), () => sameIn(wdir, args));
  it('during a merge', async () => {
    const m = path.join(path.dirname(wdir), 'm');
    const r = await runProcess('bash', ['-c', `set -e; hg clone -q -u 3 "$SRC" m; cd m; hg merge -q 2; printf 'extra\\n' >> text; hg cp branchfile bf2`], { cwd: path.dirname(wdir), env: { SRC: repo } });
    expect(r.code, r.stderr.toString()).toBe(0);
    for (const args of [['diff'], ['diff', '-g'], ['diff', '-r', '2', '-g'], ['diff', '--stat']]) await sameIn(m, args);
  });
});

// ---------------------------------------------------------------------------
// hg import of hgkit's patches

/** Files of a working copy (not .hg): path -> kind and content. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (p === '.hg' || p === '.hg_archival.txt') continue;
      const full = path.join(dir, p);
      if (e.isDirectory()) walk(p);
      else if (e.isSymbolicLink()) out.set(p, 'link:' + fs.readlinkSync(full));
      else {
        const st = fs.statSync(full);
        out.set(p, ((st.mode & 0o100) !== 0 ? 'x:' : 'f:') + fs.readFileSync(full).toString('base64'));
      }
    }
  };
  walk('');
  return out;
}

describe.concurrent('hg import --no-commit of hgkit patches reproduces the target', () => {
  const pairs: [string, string, string[]][] = [
    ['0', '1', ['-g']],
    ['1', '2', ['-g']],
    ['2', '0', ['-g']],
    ['3', '4', ['-g']],
    ['0', '6', ['-g']],
    ['2', '1', ['-g', '-U', '0']],
    ['0', '1', ['-I', 'glob:{text,big.txt,func.py,nonl,nonl2,ws,addnl,empty}']],
  ];
  for (const [a, b, extra] of pairs) {
    it(`${a} -> ${b} ${extra.join(' ')}`, async () => {
      const patch = await runHgkit(['diff', '-r', a, '-r', b, ...extra], { cwd: repo });
      expect(patch.code).toBe(0);
      const dir = makeTempDir('hgkit-diff-import-');
      const base = path.join(dir, 'base');
      const cl = await runHg(['clone', '-q', '-u', a, repo, base], { cwd: dir });
      expect(cl.code, cl.stderr.toString()).toBe(0);
      const patchFile = path.join(dir, 'p.diff');
      fs.writeFileSync(patchFile, patch.stdout);
      const imp = await runHg(['import', '--no-commit', '-q', patchFile], { cwd: base });
      expect(imp.code, imp.stderr.toString()).toBe(0);
      // the target revision's files, as hg writes them out
      const want = path.join(dir, 'want');
      const ar = await runHg(['archive', '-q', '-r', b, want], { cwd: repo });
      expect(ar.code, ar.stderr.toString()).toBe(0);
      const got = snapshot(base);
      const exp = snapshot(want);
      if (extra.includes('-I')) {
        // only the selected files were patched: they are the target's
        for (const f of ['text', 'big.txt', 'func.py', 'nonl', 'nonl2', 'ws', 'addnl', 'empty']) expect(got.get(f), f).toBe(exp.get(f));
        return;
      }
      // contents, flags and symlinks are the target's
      expect([...got.keys()].sort()).toEqual([...exp.keys()].sort());
      for (const [k, v] of exp) expect(got.get(k), k).toBe(v);
      // the copies and renames import recorded are those between the revisions
      const cp = await runHg(['status', '-C', '-a', '-r'], { cwd: base });
      const ref = await runHg(['status', '-C', '-a', '-r', '--rev', a, '--rev', b], { cwd: repo });
      expect(cp.stdout.toString()).toBe(ref.stdout.toString());
    });
  }
});

// hgkit vs real hg, byte for byte, on the changeset-displaying commands:
// log (with its file history, follow, filters), heads, tip and identify -r.
//
// Repositories are built with real hg in temp dirs; a few changesets with odd
// metadata (extras with control bytes, a non-UTF-8 user, an empty or
// whitespace-only description, a date before the epoch) are written through
// hg's own Python API (/usr/bin/python3), since no hg command makes them.
//
//   npx vitest run test/conformance/log-commands.test.ts
//   npx vitest run test/conformance/log-commands.test.ts -t 'follow'

import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseName } from '../helpers/cases.js';
import {
  compareWithHg,
  expectSameAsHg,
  makeTempDir,
  removeTempDirs,
  runHgkit,
  runProcess,
  stopHgServers,
  type ExpectOptions,
} from '../helpers/hg.js';

const MAIN = String.raw`
set -euo pipefail
c() { local d="$1"; shift; hg commit -q -d "$d" "$@"; }
d() { echo "desc(\"$1\")"; }
mkdir -p dir/sub
echo a > a; echo t > dir/one.txt; echo s > dir/sub/two.txt
hg add -q; c '0 0' -m 'initial'
echo b >> a; echo x > x; c '1000000 -3600' -A -u 'Jöhn Doe <j@example.com>' -m $'second line  \n\nmore text  \nand more\n\n'
hg cp a b; c '2000000 19800' -m 'copy a to b'
hg branch -q stable; hg rm -q x; c '3000000 0' -m 'remove x on stable'
hg up -q default; echo c > c; echo more >> dir/one.txt; hg add -q c; c '4000000 0' -u 'ユーザー <u@example.jp>' -m $'add c: 日本語\nsecond'
hg merge -q stable; c '5000000 0' -m 'merge stable'
hg tag -d '6000000 0' v1.0 -r 2
hg tag -d '6000001 0' v1.1 -r 2
hg tag -l loc -r 1
hg tag -l 'lökal' -r 4
hg bookmark -r 4 bm1; hg bookmark -r 4 abm; hg bookmark -r 2 'bök mark'
hg mv b bb; c '7000000 0' -m 'rename b'
hg up -q stable; c '8000000 0' --close-branch -m 'close stable'
hg up -q default; echo x2 > x; hg add x; c '9000000 0' -m 're-add x'
hg branch -q 'brä\nch'; echo y > y; hg add y; c '10000000 -45000' -m 'weird branch'
hg up -q default; echo d > dir/sub/three.txt; hg add dir/sub/three.txt; c '11000000 43200' -m 'three'
hg phase -q -p -r 3
echo s > secretfile; hg add secretfile; c '12000000 0' --secret -m 'secret'
hg up -q null; echo r > root2; hg add root2; c '13000000 0' -m 'second root'
hg up -q "$(d three)"; hg graft -q -r "$(d 'second root')"
/usr/bin/python3 - <<'PY'
from mercurial import ui as uimod, hg, context, encoding
encoding.fromlocal = lambda s: s   # store the user bytes as given (non-UTF-8)
u = uimod.ui.load()
repo = hg.repository(u, b'.')
with repo.wlock(), repo.lock(), repo.transaction(b'x'):
    def mk(desc, user, extra, date):
        ctx = context.memctx(repo, [repo[b'.'].node(), None], desc, [], lambda *a: None,
                             user=user, date=date, extra=extra)
        repo.setparents(repo.commitctx(ctx))
    mk(b'extras', b'test', {b'branch': b'default', b'weird': b"a\nb\\c\x00d\xff'q\"\t\r\x7f", b'empty': b'', b'k\xc3\xa9y': b'v\xc3\xa9'}, b'14000000 0')
    mk(b'', b'latin \xe9 user', {b'branch': b'default'}, b'15000000 -7200')
    mk(b'  \n\n  indented first line\r\nsecond\n  ', b'test', {b'branch': b'default'}, b'-1000 0')
PY
hg up -q -C tip
echo m1 >> a; hg rm -q dir/one.txt; c '16000000 0' -m 'left side'
hg up -q "$(d indented)"; echo m2 >> c; echo m2 >> a; echo new > newfile; hg add newfile; c '16000001 0' -m 'right side'
hg merge -q -t :local "$(d 'left side')"; c '16000002 0' -m 'merge of sides'
hg up -q "$(d 'left side')"; hg mv -q c cmoved; c '16000003 0' -m 'move c'
hg up -q "$(d 'merge of sides')"; hg merge -q "$(d 'move c')"; c '16000004 0' -m 'merge rename'
hg up -q "$(d three)"; echo same > alias; hg add alias; c '17000000 0' -m 'alias one'
hg up -q "$(d three)"; echo same > alias; hg add alias; c '17000001 0' -m 'alias two'
echo later >> alias; c '17000002 0' -m 'alias later'
`;

async function buildRepo(name: string, script: string): Promise<string> {
  const top = makeTempDir(`hgkit-log-${name}-`);
  const r = await runProcess('bash', ['-c', `set -euo pipefail\nhg init repo\ncd repo\n${script}`], {
    cwd: top,
    timeoutMs: 300_000,
  });
  if (r.code !== 0) throw new Error(`building ${name} failed (exit ${r.code}):\n${r.stderr.toString()}${r.stdout.toString()}`);
  return path.join(top, 'repo');
}

type Case = { args: string[]; expect?: ExpectOptions; env?: Record<string, string> };
const ok = (...args: string[]): Case => ({ args });
const fails = (code: number, ...args: string[]): Case => ({ args, expect: { hgCode: code } });

const DISPLAY = [[], ['-v'], ['--debug'], ['-q'], ['-q', '-v'], ['-q', '--debug']];

const MAIN_CASES: Case[] = [
  // every changeset in every display mode
  ...DISPLAY.map((d) => ok('log', ...d)),
  ...DISPLAY.map((d) => ok('log', '-C', ...d)),
  // revisions
  ok('log', '-r', '0'),
  ok('log', '-r', '5', '--debug'),
  ok('log', '-r', '3', '-r', '4', '-r', '1'),
  ok('log', '-r', '2::', '-q'),
  ok('log', '-r', '0:5'),
  ok('log', '-r', 'tip'),
  ok('log', '-r', 'null'),
  ok('log', '-r', 'null', '--debug'),
  ok('log', '-r', 'stable'),
  ok('log', '-r', 'tip:brä\\nch', '-q'),
  ok('log', '-r', '-1'),
  ok('log', '-r', 'v1.0', '-v'),
  ok('log', '-r', 'bm1'),
  ok('log', '-r', '9', '--debug'),
  ok('log', '-r', '16', '--debug'),
  ok('log', '-r', '16:18', '-v'),
  ok('log', '-r', '16:18'),
  ok('log', '-r', '21', '--debug'),
  ok('log', '-r', '23', '--debug', '-C'),
  fails(255, 'log', '-r', 'nosuchrev'),
  // limit
  ok('log', '-l', '3'),
  ok('log', '-l', '2', '-r', '0:5'),
  ok('log', '-l', '1', 'a'),
  fails(255, 'log', '-l', '0'),
  fails(255, 'log', '-l', 'x'),
  // file history
  ...['a', 'b', 'bb', 'x', 'c', 'cmoved', 'alias', 'y', '.hgtags', 'root2', 'nosuchfile'].map((f) => ok('log', f)),
  ok('log', '-v', 'x'),
  ok('log', '--removed', 'x'),
  ok('log', '--removed', 'c', '-q'),
  ok('log', 'dir'),
  ok('log', 'dir/sub', '-q'),
  ok('log', 'a', 'x', '-q'),
  ok('log', 'glob:dir/**', '-q'),
  ok('log', '-I', 'dir/**', '-q'),
  ok('log', '-X', 'dir/**', '-q'),
  ok('log', '-r', '0:10', 'a', '-q'),
  ok('log', '--cwd', 'dir', 'one.txt', '-q'),
  ok('log', '--cwd', 'dir/sub', '../one.txt', '-q'),
  ok('log', '--cwd', 'dir', '.', '-q'),
  ok('log', '.', '-q'),
  ok('log', '$ROOT/a', '-q'),
  ok('log', '--cwd', 'dir/sub', '..', '-q'),
  fails(255, 'log', '../x'),
  // follow
  ok('log', '-f', '-q'),
  ok('log', '-f', '-r', '3'),
  ok('log', '-f', '-r', '5', '-r', '11', '-q'),
  ok('log', '--follow-first', '-r', '21', '-q'),
  ok('log', '-f', '-r', '21', '-q'),
  ok('log', '-f', 'alias', '-q'),
  ok('log', '-f', '-r', '24', 'alias', '-q'),
  ok('log', '-f', '-r', '25', 'alias', '-q'),
  ok('log', '-f', '-r', '8', 'bb'),
  ok('log', '-f', '-r', '23', 'cmoved', '-q'),
  ok('log', '-f', '-r', '22', 'cmoved', '-q', '-C', '-v'),
  ok('log', '-f', 'a', '-q'),
  ok('log', '-f', 'dir', '-q'),
  ok('log', '-f', '-r', '20', 'dir', '-q'),
  ok('log', '-f', '-r', '20', 'dir/sub', 'a', '-q'),
  { args: ['log', '-f', '-r', '0', '-r', '1', '--cwd', 'dir', '../x', '../a', '-q'], expect: { stderr: 'full' } },
  fails(255, 'log', '-f', '-r', '23', 'nosuchfile'),
  fails(255, 'log', '-f', 'nosuchfile'),
  // filters
  ok('log', '-b', 'default', '-q'),
  ok('log', '-b', 'stable'),
  ok('log', '-b', 'brä\\nch'),
  ok('log', '-b', 'stable', '-b', 'brä\\nch', '-q'),
  ok('log', '-b', '11', '-q'),
  fails(255, 'log', '-b', 'nosuchbranch'),
  ok('log', '-u', 'test', '-q'),
  ok('log', '-u', 'JÖHN'),
  ok('log', '-u', 'ユーザー', '-u', 'doe', '-q'),
  ok('log', '-u', 'nobody'),
  ok('log', '-k', 'second', '-q'),
  ok('log', '-k', '日本語'),
  ok('log', '-k', 'DIR/SUB', '-q'),
  ok('log', '-k', 'LATIN é', '-q'),
  ok('log', '-u', 'é', '-q'),
  ok('log', '-M', '-q'),
  ok('log', '-m'),
  ok('log', '-P', '5', '-q'),
  ok('log', '-P', 'v1.0', '-P', '12', '-q'),
  ok('log', '-B', 'bm1', '-q'),
  ok('log', '-B', 'bök mark', '-q'),
  fails(255, 'log', '-B', 'nosuchbookmark'),
  ok('log', '-b', 'default', '-u', 'test', '-k', 'side', '-M', '-q'),
  // heads
  ok('heads'),
  ok('heads', '-v'),
  ok('heads', '--debug'),
  ok('heads', '-q'),
  ok('heads', '-t', '-q'),
  ok('heads', '-c', '-q'),
  ok('heads', '-r', '12', '-q'),
  ok('heads', '-t', '-r', '18', '-q'),
  ok('heads', 'default', '-q'),
  ok('heads', 'brä\\nch'),
  ok('heads', '-c', 'stable'),
  ok('heads', '-a', '-q', 'default'),
  { args: ['heads', 'stable'], expect: { hgCode: 1, stderr: 'full' } },
  { args: ['heads', '-r', '23', 'stable', 'default'], expect: { hgCode: 0, stderr: 'full' } },
  fails(1, 'heads', '-r', '9'),
  // tip
  ok('tip'),
  ok('tip', '-v'),
  ok('tip', '--debug'),
  ok('tip', '-q'),
  // identify -r
  ...['0', '1', '2', '4', '9', '11', '13', 'tip', 'null', 'stable'].map((r) => ok('identify', '-r', r)),
  ok('id', '-r', '2', '-n', '-i', '-b', '-t', '-B'),
  ok('id', '-r', '4', '-t'),
  ok('id', '-r', '4', '-B'),
  ok('id', '-r', '11', '-b'),
  ok('id', '-r', '4', '-n'),
  ok('id', '-r', '2', '--debug'),
  ok('id', '-r', '2', '-q'),
  ok('id', '-r', '4', '-v'),
  fails(255, 'id', '-r', 'nosuchrev'),
];

// Metadata shown in other local encodings (no local tags here: hg keeps those
// in the local encoding, and an ascii hg aborts on a non-ASCII one).
const ENCODING = String.raw`
set -euo pipefail
echo a > a; hg add -q a; hg commit -q -d '0 0' -u 'Jöhn Doe' -m $'première ligne

suite: ünïcode'
hg branch -q 'brä'; echo b > b; hg add -q b; hg commit -q -d '1 0' -u 'ユーザー' -m 'ブランチ'
hg tag -d '2 0' -r 0 'tägg'
hg bookmark -r 1 'bök'
`;
const ENCODING_CASES: Case[] = ['ascii', 'latin1', 'utf-8'].flatMap((enc) =>
  [['log'], ['log', '-v'], ['log', '--debug'], ['heads'], ['tip'], ['id', '-r', '0'], ['id', '-r', '1'], ['id', '-r', '1', '-b', '-B']].map(
    (args) => ({ args, env: { HGENCODING: enc } }),
  ),
);

const EMPTY_CASES: Case[] = [
  ok('log'),
  ok('log', '--debug'),
  ok('log', '-f'),
  ok('log', 'a'),
  ok('log', '-r', 'null', '--debug'),
  fails(1, 'heads'),
  ok('heads', '-t'),
  ok('tip'),
  ok('tip', '--debug'),
  ok('id', '-r', 'null'),
  ok('id', '-r', 'tip'),
];

afterAll(() => {
  stopHgServers();
  removeTempDirs();
});

function runCases(title: string, build: () => Promise<string>, cases: Case[]): void {
  describe.concurrent(title, () => {
    let dir: string;
    beforeAll(async () => {
      dir = await build();
    });
    for (const c of cases) {
      it(caseName(c.args) + (c.env ? ` (${Object.entries(c.env).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''), async () => {
        const args = c.args.map((a) => a.replace('$ROOT', dir));
        expectSameAsHg(await compareWithHg(dir, args, c.env ? { env: c.env } : {}), c.expect);
      });
    }
  });
}

runCases('main repository', () => buildRepo('main', MAIN), MAIN_CASES);
runCases('empty repository', () => buildRepo('empty', ''), EMPTY_CASES);
runCases('local encodings', () => buildRepo('encoding', ENCODING), ENCODING_CASES);

describe('not supported yet', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await buildRepo('unsupported', "echo a > a; hg add -q a; hg commit -q -d '0 0' -m a");
  });
  for (const args of [
    ['log', '-G'],
    ['log', '-p'],
    ['log', '--stat'],
    ['log', '-T', '{rev}'],
    ['identify'],
  ]) {
    it(caseName(args), async () => {
      const r = await runHgkit(args, { cwd: dir });
      expect(r.code).toBe(255);
      expect(r.stderr.toString()).toMatch(/^abort: .*not supported by hgkit/);
    });
  }
  it('identify outside a repository', async () => {
    const empty = makeTempDir('hgkit-log-norepo-');
    expectSameAsHg(await compareWithHg(empty, ['identify', '-r', '0'], { hgMode: 'process' }), { hgCode: 255 });
  });
});

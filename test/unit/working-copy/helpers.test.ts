// The pure helpers of src/store/working-copy.ts against Mercurial's own
// functions (run once through /usr/bin/python3): util.checkwinfilename,
// procutil.shellquote, util.pathto and the %r of a bytestr.
//
//   npx vitest run test/unit/working-copy/helpers.test.ts

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkWinFilename, pathTo, pyBytesRepr, shellQuote } from '../../../src/store/working-copy.js';

const NAMES = [
  'just/a/normal/path', 'foo/bar/con.xml', 'foo/con.xml/bar', 'foo/bar/xml.con', 'foo/bar/AUX/bla.txt',
  'foo/bar/bla:.txt', 'foo/bar/b\x07la.txt', 'foo/bar/bla ', '../bar', 'foo\\', 'foo\\/bar', 'a.', '.', '..',
  'x/..', 'tab\tname', 'Com1', 'lpt9.txt', 'nul.', 'q?', 'it\'s', 'say "hi"', 'both \'and"', 'caf\xc3\xa9',
  'back\\slash', 'del\x7f', '', 'a b', 'a+b/c-d_e.f', '~user', 'x=y', 'ends/', 'x\x1fy',
];
const PATHS: [string, string, string][] = [
  ['/r', '', 'a/b'], ['/r', 'a', 'a/b'], ['/r', 'a/b', 'a/c/d'], ['/r', 'x/y', 'a'], ['/r', 'a', 'a'],
  ['/r', '/tmp', 'a/b'], ['/tmp/x/repo', '/tmp/x', ''], ['/tmp/x/repo', '/tmp/x/repo2/sub', 'f'], ['/r', 'a', ''],
];

function python(): { win: (string | null)[]; quote: string[]; repr: string[]; pathto: string[] } {
  const script = String.raw`
import json, sys
from mercurial import pycompat, util
from mercurial.utils import procutil
data = json.loads(sys.stdin.read())
b = lambda s: s.encode('latin1')
u = lambda x: None if x is None else x.decode('latin1')
out = {
  'win': [u(util.checkwinfilename(b(n))) for n in data['names']],
  'quote': [u(procutil.shellquote(b(n))) for n in data['names']],
  'repr': [u(b'%r' % pycompat.bytestr(b(n))) for n in data['names']],
  'pathto': [u(util.pathto(b(r), b(c), b(f))) for r, c, f in data['paths']],
}
print(json.dumps(out))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify({ names: NAMES, paths: PATHS }) });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return JSON.parse(r.stdout.toString()) as ReturnType<typeof python>;
}

describe('working-copy helpers against Mercurial', () => {
  const hg = python();
  it('checkwinfilename', () => {
    expect(NAMES.map((n) => checkWinFilename(n) ?? null)).toEqual(hg.win);
  });
  it('shellquote', () => {
    expect(NAMES.map(shellQuote)).toEqual(hg.quote);
  });
  it('%r of a path', () => {
    expect(NAMES.map(pyBytesRepr)).toEqual(hg.repr);
  });
  it('pathto', () => {
    expect(PATHS.map(([r, c, f]) => pathTo(r, c, f))).toEqual(hg.pathto);
  });
});

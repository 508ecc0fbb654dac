// .hgignore and the Python-regex translation against Mercurial: each ignore
// file is compiled by hg (match.match(root, '', [], ['include:<file>']),
// what dirstate._ignore does) and by hgkit, and both decide on the same
// paths; warnings and abort messages must match too. The regex translator
// is also checked directly against Python's `re`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError } from '../../../src/core/errors.js';
import { buildIgnoreMatcher, dirIgnored } from '../../../src/dirstate/hgignore.js';
import { translatePyRegex } from '../../../src/dirstate/pyre.js';
import { makeTempDir, removeTempDirs, testEnv } from '../../helpers/hg.js';

const PY = '/usr/bin/python3';

const HG_IGNORE = String.raw`
import sys, json
from mercurial import match as matchmod, error
req = json.load(sys.stdin)
out = []
for case in req:
    root = case['root'].encode()
    warnings = []
    try:
        m = matchmod.match(root, b'', [], [b'include:' + case['file'].encode()], warn=lambda s: warnings.append(s.decode('latin1')))
        res = [bool(m(p.encode('latin1'))) for p in case['paths']]
        out.append({'res': res, 'warn': ''.join(warnings)})
    except error.Abort as e:
        out.append({'abort': e.message.decode('latin1'), 'warn': ''.join(warnings)})
json.dump(out, sys.stdout)
`;

interface Case {
  name: string;
  text: string;
  extraFiles?: Record<string, string>;
}

const PATHS = [
  'a.o', 'dir/a.o', 'a.O', 'A.o', 'a.obj', 'foo', 'foo/bar', 'xfoo', 'foobar', 'build', 'build/x', 'src/build', 'src/build/y',
  'sub/x', 'sub', 'x', 'sub/deep/x', 'a b', 'a#b', 'a\\#b', 'test.pyc', 'dir/test.pyc', '.hg', '.hgignore', 'README', 'readme',
  'node_modules/p/index.js', 'caf\xc3\xa9', 'Caf\xc3\xa9/x', 'x.tmp', 'y.tmp~', 'a/b/c/d.txt', 'a[1]', 'a{b', 'v1.2', 'v1x2',
  'lib/x.so.1', 'weird\nname', 'x.o\n', 'foo\n', 'q?', 'star*', '', 'dir', 'dir/', 'abc', 'ABC', 'aBc/x',
];

const CASES: Case[] = [
  { name: 'default regexp syntax', text: '\\.o$\n^build\nfoo\n' },
  { name: 'glob syntax', text: 'syntax: glob\n*.o\nbuild\n*.pyc\nnode_modules\n' },
  { name: 'rootglob', text: 'syntax: rootglob\n*.o\nbuild\nsrc/*\n' },
  { name: 'switching syntaxes', text: 'syntax: glob\n*.pyc\nsyntax: regexp\n^README$\nsyntax: rootglob\nsub/*\nglob:*.tmp\nre:~$\n' },
  { name: 'prefixes per line', text: 'relglob:*.o\nrelre:^foo\nregexp:bar$\nrootglob:a/*/c/*\nglob:**/x\npath:foo\n' },
  { name: 'comments and escapes', text: '# comment\nsyntax: glob\na\\#b  # trailing comment\n*.o # x\n\\#\n   \n\t\n' },
  { name: 'case-insensitive flag', text: '(?i)a\\.o$\n(?i)^abc\n' },
  { name: 'scoped flags', text: '^(?i:abc)$\n(?s)weird.name\n' },
  { name: 'classes and escapes', text: '^[a-c][\\w]*\\.o$\n\\sb$\n^v\\d\\.\\d$\n^[^/]*\\.tmp$\n^a\\[1\\]$\n' },
  { name: 'anchors', text: '^foo$\nbar\\Z\n\\Acaf\n' },
  { name: 'glob specials', text: 'syntax: glob\n{a,b}.o\n[!a].o\n[ab]\\[1]\nstar\\*\nq\\?\n**/deep/*\nlib/*.so*\na{b\n' },
  { name: 'non-ascii', text: 'syntax: glob\ncaf\xc3\xa9\n' },
  { name: 'braces quantifiers', text: '^a{1,2}\\.o$\n^v1.{1}2$\n^a{,1}b\n^x{}\n' },
  { name: 'bad syntax warns', text: 'syntax: bogus\n\\.o$\n' },
  { name: 'invalid regexp aborts', text: 'foo\n(bar\n' },
  { name: 'invalid glob-made regexp aborts', text: 'syntax: regexp\n*.o\n' },
  { name: 'bad escape aborts', text: 'foo\\q\n' },
  { name: 'global flag not at start aborts', text: 'foo(?i)bar\n' },
  { name: 'include', text: 'syntax: glob\n*.o\ninclude:inc/more\n', extraFiles: { 'inc/more': 'syntax: glob\n*.tmp\nrootglob:sub\n' } },
  { name: 'missing include warns', text: 'include:nonexistent\n\\.o$\n' },
  { name: 'subinclude', text: 'subinclude:sub/.hgignore\n\\.o$\n', extraFiles: { 'sub/.hgignore': 'syntax: glob\nx\ndeep\n' } },
  { name: 'verbose flag', text: '(?x) ^ foo  # comment\n' },
  { name: 'lazy and lookahead', text: '^a.*?o$\n^foo(?!bar)\n(?<=x)foo\n' },
  { name: 'named groups', text: '^(?P<n>a)(?P=n)?\\.o$\n' },
];

let top: string;
beforeAll(() => {
  top = makeTempDir('hgkit-hgignore-');
});
afterAll(() => removeTempDirs());

function latin1Bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

describe('.hgignore vs hg', () => {
  it('decides like hg on every case', () => {
    const req: { root: string; file: string; paths: string[] }[] = [];
    CASES.forEach((c, i) => {
      const root = path.join(top, `r${i}`);
      fs.mkdirSync(root, { recursive: true });
      fs.writeFileSync(path.join(root, '.hgignore'), latin1Bytes(c.text));
      for (const [f, t] of Object.entries(c.extraFiles ?? {})) {
        fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
        fs.writeFileSync(path.join(root, f), latin1Bytes(t));
      }
      req.push({ root, file: path.join(root, '.hgignore'), paths: PATHS });
    });
    const r = spawnSync(PY, ['-c', HG_IGNORE], { input: JSON.stringify(req), env: testEnv(), maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(r.stderr.toString());
    const hg = JSON.parse(r.stdout.toString()) as { res?: boolean[]; abort?: string; warn: string }[];
    CASES.forEach((c, i) => {
      const warnings: string[] = [];
      let res: boolean[] | undefined;
      let abort: string | undefined;
      try {
        const m = buildIgnoreMatcher({
          root: req[i]!.root,
          files: [req[i]!.file],
          readFile: (p) => {
            try {
              return { data: fs.readFileSync(p) };
            } catch {
              return { error: 'No such file or directory' };
            }
          },
          warn: (w) => warnings.push(w),
        });
        res = PATHS.map((p) => m(p));
      } catch (e) {
        if (!(e instanceof AbortError)) throw e;
        abort = e.message;
      }
      const h = hg[i]!;
      expect(warnings.join(''), `${c.name}: warnings`).toBe(h.warn);
      if (h.abort !== undefined) {
        expect(abort, `${c.name}: abort`).toBe(Buffer.from(h.abort, 'latin1').toString('utf8'));
        return;
      }
      expect(abort, `${c.name}: unexpected abort`).toBeUndefined();
      const diffs = PATHS.filter((p, k) => res![k] !== h.res![k]).map((p) => `${JSON.stringify(p)}: hg ${!res![PATHS.indexOf(p)]}`);
      expect(diffs, `${c.name}: paths decided differently`).toEqual([]);
    });
  });

  it('dirIgnored checks the parents and the root', () => {
    const root = path.join(top, 'dirign');
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, '.hgignore'), 'syntax: glob\nbuild\n');
    const m = buildIgnoreMatcher({ root, files: [path.join(root, '.hgignore')], readFile: (p) => ({ data: fs.readFileSync(p) }) });
    expect(dirIgnored(m, 'src/build/x/y.c')).toBe(true);
    expect(dirIgnored(m, 'src/builder/y.c')).toBe(false);
    const none = buildIgnoreMatcher({ root, files: [], readFile: () => ({ error: 'x' }) });
    expect(none.never).toBe(true);
    expect(dirIgnored(none, 'build')).toBe(false);
  });
});

// ---------------------------------------------------------------------------

const RE_CASES: [string, string][] = [
  ['a.c', ''],
  ['a$', ''],
  ['^a\\Z', ''],
  ['\\Aab', ''],
  ['[\\s]+x', ''],
  ['\\S+', ''],
  ['\\w+\\W', ''],
  ['[^\\d]x', ''],
  ['a{2,}', ''],
  ['a{,2}b', ''],
  ['x{}', ''],
  ['(a|b)+\\1', ''],
  ['[]a]', ''],
  ['[a-]z', ''],
  ['[\\]]', ''],
  ['\\x41\\101\\0', ''],
  ['(?i)ab[c-e]', ''],
  ['ab', 'i'],
  ['(?i:x)y', ''],
  ['(?-i:x)y', 'i'],
  ['a.b', 's'],
  ['^b$', 'm'],
  ['a # comment\n b', 'x'],
  ['(?#note)ab', ''],
  ['\\bfoo\\b', ''],
  ['[\\b]', ''],
  ['\\.\\*\\?\\+\\(\\)', ''],
  ['caf\xc3\xa9', 'i'],
  ['[\xe0-\xef]', ''],
];

const SUBJECTS = ['a\nc', 'abc', 'a', 'a\n', 'ab', 'AB', 'x y x', '  x', 'foo bar', 'aab', 'b', 'xy', 'Xy', 'xY', ']', '-z', 'a-z', 'z', 'AA\0',
  'abd', 'ABE', 'a\nb', 'a\nb\n', '\nb\n', 'ab', 'foo', 'a.*?+()', 'CAF\xc3\xa9', 'caf\xc3\xa9', '\xe9', '\x08', 'aa', 'bb', 'abab', 'x{}'];

const PY_RE = String.raw`
import sys, json, re
req = json.load(sys.stdin)
out = []
for pat, flags, subjects in req:
    f = 0
    for c in flags:
        f |= {'i': re.I, 's': re.S, 'm': re.M, 'x': re.X}[c]
    try:
        r = re.compile(pat.encode('latin1'), f)
        out.append([bool(r.search(s.encode('latin1'))) for s in subjects])
    except re.error as e:
        out.append(None)
json.dump(out, sys.stdout)
`;

describe('Python regex translation', () => {
  it('searches like Python re (bytes patterns)', () => {
    const r = spawnSync(PY, ['-c', PY_RE], { input: JSON.stringify(RE_CASES.map(([p, f]) => [p, f, SUBJECTS])), env: testEnv() });
    if (r.status !== 0) throw new Error(r.stderr.toString());
    const py = JSON.parse(r.stdout.toString()) as (boolean[] | null)[];
    RE_CASES.forEach(([pat, flags], i) => {
      const expected = py[i];
      if (expected === null) {
        expect(() => translatePyRegex(pat, flags), `${JSON.stringify(pat)} should be refused`).toThrow();
        return;
      }
      const re = new RegExp(translatePyRegex(pat, flags));
      const got = SUBJECTS.map((s) => re.test(s));
      const diffs = SUBJECTS.filter((s, k) => got[k] !== expected![k]);
      expect(diffs, `${JSON.stringify(pat)} /${flags}`).toEqual([]);
    });
  });
});

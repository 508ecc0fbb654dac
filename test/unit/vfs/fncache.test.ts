// fncache parsing and writing compared with hg 6.3.2's store.fncache.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromLatin1, latin1, toHex } from '../../../src/core/bytes.js';
import { AbortError } from '../../../src/core/errors.js';
import {
  encodeFncache,
  Fncache,
  FNCACHE_REBUILD_HINT,
  fncacheKey,
  parseFncache,
  readFncache,
} from '../../../src/vfs/fncache.js';
import { NodeVfs } from '../../../src/vfs/node-vfs.js';
import { encodeStorePath, storeLayoutFromRequirements } from '../../../src/vfs/store-encoding.js';

const PY = '/usr/bin/python3';

// For each case (hex file contents, or null for a missing file): what
// fncache._load does without and with a warn callback; for each `write` case
// (list of hex entries): the bytes fncache.write produces.
const PY_SCRIPT = `
import json, os, shutil, sys, tempfile
from mercurial import error, store, vfs as vfsmod

class FakeTr:
    def addbackup(self, *a, **k):
        pass

req = json.loads(sys.stdin.read())
out = {'load': [], 'write': [], 'ops': []}
for c in req['load']:
    d = tempfile.mkdtemp()
    if c is not None:
        with open(os.path.join(d, 'fncache'), 'wb') as fp:
            fp.write(bytes.fromhex(c))
    v = vfsmod.vfs(d.encode())
    r = {}
    f = store.fncache(v)
    try:
        f._load()
        r['entries'] = sorted(e.hex() for e in f.entries)
    except error.Abort as e:
        r['error'] = e.message.decode('latin1')
        r['hint'] = e.hint.decode('latin1') if e.hint else None
    warns = []
    f = store.fncache(v)
    f._load(warn=lambda m: warns.append(m.decode('latin1')))
    r['warnEntries'] = sorted(e.hex() for e in f.entries)
    r['warnings'] = warns
    out['load'].append(r)
    shutil.rmtree(d)
for entries in req['write']:
    d = tempfile.mkdtemp()
    v = vfsmod.vfs(d.encode())
    f = store.fncache(v)
    f.entries = set(bytes.fromhex(e) for e in entries)
    f._dirty = True
    f.write(FakeTr())
    with open(os.path.join(d, 'fncache'), 'rb') as fp:
        out['write'].append(fp.read().hex())
    shutil.rmtree(d)
for seq in req['ops']:
    # a list of steps: ["add", hex] / ["remove", hex] / ["write"]; the file
    # content after each write
    d = tempfile.mkdtemp()
    v = vfsmod.vfs(d.encode())
    f = store.fncache(v)
    snaps = []
    for step in seq:
        if step[0] == 'add':
            f.add(bytes.fromhex(step[1]))
        elif step[0] == 'remove':
            f.remove(bytes.fromhex(step[1]))
        else:
            f.write(FakeTr())
            p = os.path.join(d, 'fncache')
            snaps.append(open(p, 'rb').read().hex() if os.path.exists(p) else None)
    out['ops'].append(snaps)
    shutil.rmtree(d)
sys.stdout.write(json.dumps(out))
`;

interface LoadResult {
  entries?: string[];
  error?: string;
  hint?: string | null;
  warnEntries: string[];
  warnings: string[];
}

type Step = ['add', string] | ['remove', string] | ['write'];

function askHg(req: { load: (string | null)[]; write: string[][]; ops: Step[][] }): {
  load: LoadResult[];
  write: string[];
  ops: (string | null)[][];
} {
  const r = spawnSync(PY, ['-c', PY_SCRIPT], { input: JSON.stringify(req), maxBuffer: 1 << 28, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const b = (s: string): Uint8Array => fromLatin1(s);
const hexOf = (s: string): string => toHex(fromLatin1(s));

const LOAD_CASES: (string | null)[] = [
  null,
  '',
  'data/a.i\n',
  'data/a.i\ndata/b.d\ndata/a.i\n',
  'data/foo.i.hg/bar.i\ndata/x.hg.hg/y.d.hg/z.i\ndata/q.d.hg/r.i\n',
  'data/a.i\r\ndata/b.i\rdata/c.i\n',
  'data/a.i\ndata/b.i', // no final newline
  'no newline at all',
  'data/a.i\n\ndata/b.i\n', // empty line 2
  '\n',
  '\n\n\n',
  'data/a.i\n\ndata/b.i\n\nlast', // empty lines 2 and 4, and no final newline
  'data/a.i\r\rdata/b.i\n', // empty entry that the line scan does not see
  'data/a.i\r\n\r\n',
  'data/\xff\xfe weird ~ name.i\ndata/.hg/x.i\n',
  'meta/dir/00manifest.i\nmeta/dir.i.hg/00manifest.d\n',
];

const WRITE_CASES: string[][] = [
  [],
  ['data/a.i'],
  ['data/foo.i/bar.i'],
  ['data/x.hg/y.d/z.i'],
  ['data/a.i', 'data/a.d', 'meta/d.i/00manifest.i'],
];

const A = hexOf('data/a.i');
const B = hexOf('data/b.i/x.i');
const C = hexOf('data/c.d');
const OPS_CASES: Step[][] = [
  [['write']],
  [['add', A], ['write'], ['add', B], ['add', A], ['write']],
  [['add', A], ['add', B], ['write'], ['remove', A], ['add', C], ['write'], ['remove', C], ['write']],
  [['add', A], ['remove', A], ['write']],
  [['add', A], ['write'], ['remove', A], ['write']],
];

describe('fncache vs mercurial.store.fncache', () => {
  let hgRes: ReturnType<typeof askHg>;
  beforeAll(() => {
    hgRes = askHg({
      load: LOAD_CASES.map((c) => (c === null ? null : hexOf(c))),
      write: WRITE_CASES.map((e) => e.map(hexOf)),
      ops: OPS_CASES,
    });
  });

  it('parses like fncache._load (strict: AbortError)', () => {
    LOAD_CASES.forEach((c, i) => {
      const want = hgRes.load[i]!;
      const data = c === null ? undefined : b(c);
      let got: { entries?: string[]; error?: string; hint?: string | null };
      try {
        const set = data === undefined ? new Set<string>() : parseFncache(data);
        got = { entries: [...set].map(hexOf).sort() };
      } catch (e) {
        expect(e).toBeInstanceOf(AbortError);
        got = { error: (e as AbortError).message, hint: (e as AbortError).hint ?? null };
      }
      // hg keeps an empty entry that its line scan does not find (`\r\r`);
      // we never return one
      const wantEntries = want.entries?.filter((e) => e !== '').sort();
      expect({ case: c, ...got }).toEqual({
        case: c,
        ...(want.error !== undefined ? { error: want.error, hint: want.hint } : { entries: wantEntries }),
      });
    });
  });

  it('warns like fncache._load(warn=...)', () => {
    LOAD_CASES.forEach((c, i) => {
      const want = hgRes.load[i]!;
      const warnings: string[] = [];
      const set = c === null ? new Set<string>() : parseFncache(b(c), { onWarn: (m) => warnings.push(m) });
      expect({ case: c, entries: [...set].map(hexOf).sort(), warnings }).toEqual({
        case: c,
        entries: want.warnEntries.filter((e) => e !== ''),
        // hg's warn messages end with a newline; ours leave it to the caller
        warnings: want.warnings.map((w) => w.replace(/\n$/, '')),
      });
    });
  });

  it('the no-newline abort carries hg hint', () => {
    expect(hgRes.load[LOAD_CASES.indexOf('no newline at all')]!.hint).toBe(FNCACHE_REBUILD_HINT);
  });

  it('writes what fncache.write writes', () => {
    WRITE_CASES.forEach((entries, i) => {
      const ours = latin1(encodeFncache(entries.map(b)));
      const theirs = latin1(Buffer.from(hgRes.write[i]!, 'hex'));
      // order is hg's set order: compare the lines as multisets
      expect(ours.split('\n').sort()).toEqual(theirs.split('\n').sort());
      expect(ours.endsWith('\n') || ours === '').toBe(true);
    });
  });

  it('Fncache add/remove/takeWrite end in the same file as hg', () => {
    OPS_CASES.forEach((seq, i) => {
      const f = new Fncache();
      let file: string | null = null;
      const snaps: (string | null)[] = [];
      for (const step of seq) {
        if (step[0] === 'add') f.add(Buffer.from(step[1], 'hex'));
        else if (step[0] === 'remove') f.remove(Buffer.from(step[1], 'hex'));
        else {
          const w = f.takeWrite();
          if (w) file = (w.append ? (file ?? '') : '') + latin1(w.data);
          snaps.push(file);
        }
      }
      const want = hgRes.ops[i]!.map((h) => (h === null ? null : latin1(Buffer.from(h, 'hex'))));
      const norm = (s: string | null): string[] | null => (s === null ? null : s.split('\n').sort());
      expect(snaps.map(norm)).toEqual(want.map(norm));
    });
  });
});

describe('fncache of real repositories', () => {
  const HG_ENV = { ...process.env, HGPLAIN: '1', HGUSER: 'test', TZ: 'UTC', HGRCPATH: '/dev/null', LANG: 'C.UTF-8' };

  it('lists every data/ and meta/ revlog, which exist at their encoded names', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hgkit-fncache-'));
    try {
      const repo = path.join(tmp, 'r');
      const run = (args: string[]): void => {
        const r = spawnSync('/usr/bin/hg', args, { cwd: repo, env: HG_ENV, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`hg ${args.join(' ')}: ${r.stderr}`);
      };
      fs.mkdirSync(repo);
      run(['init', '--config', 'experimental.treemanifest=1', '.']);
      const files = ['a.txt', 'Dir.i/B.d/c', 'x.hg/y', 'big/' + 'Long_Name/'.repeat(12) + 'f', 'big/blob'];
      for (const f of files) {
        fs.mkdirSync(path.join(repo, path.dirname(f)), { recursive: true });
        fs.writeFileSync(path.join(repo, f), f + '\n');
      }
      // a large file so that its revlog gets split into .i + .d
      fs.writeFileSync(path.join(repo, 'big/blob'), randomBytes(300_000));
      run(['commit', '-q', '-A', '-m', 'one']);

      const storeDir = path.join(repo, '.hg', 'store');
      const raw = fs.readFileSync(path.join(storeDir, 'fncache'));
      expect(raw.includes(Buffer.from('Dir.i.hg/B.d.hg/c.i\n'))).toBe(true);
      const vfs = new NodeVfs(storeDir);
      const entries = readFncache(vfs);
      const f = Fncache.load(vfs);
      expect(f.size).toBe(entries.size);
      for (const fl of files) expect(entries.has('data/' + fl + '.i')).toBe(true);
      expect(entries.has('data/big/blob.d')).toBe(true);
      expect(entries.has('meta/big/00manifest.i')).toBe(true);
      expect(f.has(fromLatin1('data/Dir.i/B.d/c.i'))).toBe(true);
      expect(fncacheKey(fromLatin1('data/a.txt.i'))).toBe('data/a.txt.i');

      const reqs = fs.readFileSync(path.join(storeDir, 'requires'), 'latin1').split('\n');
      const layout = storeLayoutFromRequirements(reqs);
      for (const e of entries) {
        expect(fs.existsSync(Buffer.concat([Buffer.from(storeDir + '/'), encodeStorePath(fromLatin1(e), layout)]))).toBe(true);
      }
      // missing file: empty
      expect(readFncache(new NodeVfs(tmp)).size).toBe(0);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

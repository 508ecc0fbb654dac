// The flat-hash tree storage (requirement exp-hgkit-flat-hash-treestore):
// repositories built by real hg (several commits by separate hg processes,
// a merge, a branch, a copy, 1,000+ changes in one commit: hg's bdiff path of
// fastdelta), in zlib and zstd, are converted with `hgkit convert
// --flat-hash-tree`; then
// - real hg refuses the result with its missing-requirement message;
// - hgkit's read commands on it print what hg prints on the original (log,
//   manifest, cat, status --rev, diff), and hgkit verify accepts it;
// - `hgkit convert --export-flat` gives back a flat repository whose store
//   is byte-identical to the original (every file but hg's undo files, which
//   describe the last transaction); with zstd, every file but 00manifest.i is,
//   and 00manifest.i has the same entries and the same deltas (decompressed),
//   only hg's zstd 1.4.4 and hgkit's WebAssembly zstd compress differently.
//
//   npx vitest run test/conformance/flat-hash-tree.test.ts   (needs `node scripts/build.mjs`)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs, runHg, runHgkit, runProcessSync, type RunResult, hgInitSync, runScriptSync } from '../helpers/hg.js';

const HISTORY = `set -e
c() { hg commit -q -d "$1 0" -m "$2"; }
echo a > top; mkdir -p d1/d2 d3 e; echo b > d1/f; echo c > d1/d2/g; echo h > d3/h; echo x > e/x
hg add -q; c 1 "initial"
echo b2 >> d1/f; chmod +x d3/h; c 2 "modify and exec"
ln -s ../top d1/link; hg add -q d1/link; c 3 "symlink"
hg cp d1/f d1/d2/fcopy; hg mv d3/h d3/h2; c 4 "copy and rename"
hg rm -q e/x; c 5 "remove a whole directory"
hg branch -q stable; c 6 "branch only"
echo s >> top; c 7 "on stable"
hg update -q default; echo dd > d1/d2/new; hg add -q d1/d2/new; echo t >> top; c 8 "default again"
HGMERGE=internal:local hg merge -q stable; c 9 "merge stable"
for d in 1 2 3 4 5 6 7 8 9 10 11; do mkdir -p big$d; for f in $(seq 1 100); do echo $d.$f > big$d/file$f; done; done
hg add -q; c 10 "1100 files"
for d in 1 2 3 4 5 6 7 8 9 10 11; do for f in $(seq 1 100); do echo x >> big$d/file$f; done; done; c 11 "1100 changes"
for i in 1 2 3 4 5 6; do echo $i >> big3/file$i; echo $i > new$i; hg add -q new$i; c $((11+i)) "small $i"; done
hg bookmark -q -r 3 mark
`;

let base: string;

const sh = runScriptSync;
const hgInit = (dir: string, ...config: string[]): void => hgInitSync(base, dir, ...config);

const hg = (cwd: string, ...args: string[]): Promise<RunResult> => runHg(args, { cwd });
const hgkit = (cwd: string, ...args: string[]): Promise<RunResult> => runHgkit(args, { cwd });

/** Files under .hg/store, relative, without hg's undo files. */
function storeFiles(repo: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(repo, '.hg/store', rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (!e.name.startsWith('undo')) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

/** Index entries (without offsets and compressed sizes) and decompressed chunks of a revlog, by Python/hg. */
function revlogSummary(indexFile: string): string {
  const py = `
import sys, struct, zlib
from mercurial import zstd
dc = zstd.ZstdDecompressor()
d = open(sys.argv[1], 'rb').read()
inline = struct.unpack('>I', d[:4])[0] & (1 << 16)
assert inline
off = 0
while off < len(d):
    e = d[off:off + 64]
    clen = struct.unpack('>i', e[8:12])[0]
    c = d[off + 64:off + 64 + clen]
    off += 64 + clen
    if c[:1] == b'(': c = dc.decompress(c)
    elif c[:1] == b'x': c = zlib.decompress(c)
    elif c[:1] == b'u': c = c[1:]
    print(struct.unpack('>iiiii', e[12:32]), e[32:52].hex(), c.hex())
`;
  const r = runProcessSync('/usr/bin/python3', ['-c', py, indexFile], { cwd: base });
  if (r.code !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString();
}

beforeAll(() => {
  base = makeTempDir('hgkit-flat-hash-');
  hgInit(path.join(base, 'zlib'), 'format.revlog-compression=zlib');
  sh(path.join(base, 'zlib'), HISTORY);
  hgInit(path.join(base, 'zstd'));
  sh(path.join(base, 'zstd'), HISTORY);
});

afterAll(() => removeTempDirs());

describe.each(['zlib', 'zstd'])('flat-hash tree storage (%s)', (format) => {
  const fh = `${format}-fh`;
  const out = `${format}-out`;

  it('converts without changing any hash; hg refuses the result', async () => {
    const r = await hgkit(base, 'convert', '-q', '--flat-hash-tree', format, fh);
    expect(r.stderr.toString()).toBe('');
    expect(r.code).toBe(0);
    const dir = path.join(base, fh);
    expect(fs.readFileSync(path.join(dir, '.hg/store/requires'), 'utf8')).toContain('exp-hgkit-flat-hash-treestore\n');
    // one flat node per manifest revision of the original
    const idx = (await hg(path.join(base, format), 'debugindex', '-m')).stdout.toString().trim().split('\n');
    expect(idx.length - 1).toBe(16);
    expect(fs.statSync(path.join(dir, '.hg/store/00manifest.flatnodes')).size).toBe((idx.length - 1) * 20);
    expect(fs.existsSync(path.join(dir, '.hg/store/meta/big3/00manifest.i'))).toBe(true);
    const h = await hg(dir, 'log', '-l', '1');
    expect(h.stderr.toString()).toBe(
      'abort: repository requires features unknown to this Mercurial: exp-hgkit-flat-hash-treestore\n' +
        '(see https://mercurial-scm.org/wiki/MissingRequirement for more information)\n',
    );
    expect(h.code).toBe(255);
  });

  it('reads as the original does', async () => {
    const orig = path.join(base, format);
    const dir = path.join(base, fh);
    const cases = [
      ['log', '--debug'],
      ['log', '-v', '-r', '9'],
      ['manifest', '--debug', '-r', '9'],
      ['manifest', '--debug', '-r', 'tip'],
      ['cat', '-r', '4', 'd1/d2/fcopy', 'd3/h2', 'd1/link'],
      ['status', '--rev', '2', '--rev', '12'],
      ['status', '-C', '--rev', '3', '--rev', '4'],
      ['diff', '--git', '-r', '3', '-r', '9'],
      ['diff', '-r', '15', '-r', '17'],
    ];
    for (const args of cases) {
      const want = await hg(orig, ...args);
      const got = await hgkit(dir, ...args);
      expect(got.stdout.toString(), args.join(' ')).toBe(want.stdout.toString());
      expect(got.code, args.join(' ')).toBe(want.code);
    }
    const v = await hgkit(dir, 'verify');
    expect(v.stderr.toString()).toBe('');
    expect(v.code).toBe(0);
    const hv = await hg(orig, 'verify');
    expect(v.stdout.toString().split('\n').at(-2)).toBe(hv.stdout.toString().split('\n').at(-2));
  });

  it('exports back to the original flat store', async () => {
    const r = await hgkit(base, 'convert', '-q', '--export-flat', fh, out);
    expect(r.stderr.toString()).toBe('');
    expect(r.code).toBe(0);
    const a = path.join(base, format);
    const b = path.join(base, out);
    expect(storeFiles(b)).toEqual(storeFiles(a));
    const differing = storeFiles(a).filter((f) => !fs.readFileSync(path.join(a, '.hg/store', f)).equals(fs.readFileSync(path.join(b, '.hg/store', f))));
    if (format === 'zlib') {
      expect(differing).toEqual([]);
    } else {
      // zstd: hg's zstd 1.4.4 and the WebAssembly build compress some chunks differently
      expect(differing.filter((f) => f !== '00manifest.i')).toEqual([]);
      expect(revlogSummary(path.join(b, '.hg/store/00manifest.i'))).toBe(revlogSummary(path.join(a, '.hg/store/00manifest.i')));
    }
    const v = await hg(b, 'verify', '-q');
    expect(v.code).toBe(0);
    expect((await hg(b, 'log', '--debug')).stdout.toString()).toBe((await hg(a, 'log', '--debug')).stdout.toString());
    expect(fs.readFileSync(path.join(b, '.hg/bookmarks')).equals(fs.readFileSync(path.join(a, '.hg/bookmarks')))).toBe(true);
  });

  it('commits keep the flat hashes: the same changesets as in the flat repository, exportable', async () => {
    const flatCopy = path.join(base, `${format}-flatcopy`);
    // a plain copy keeps the draft phases (a clone publishes them); symlinks as they are
    fs.cpSync(path.join(base, format), flatCopy, { recursive: true, verbatimSymlinks: true });
    const dir = path.join(base, fh);
    for (const d of [flatCopy, dir]) {
      expect((await hgkit(d, 'update', '-q', '-r', '9')).code).toBe(0);
      fs.appendFileSync(path.join(d, 'd1/f'), 'more\n');
      fs.mkdirSync(path.join(d, 'newdir/deeper'), { recursive: true });
      fs.writeFileSync(path.join(d, 'newdir/deeper/x'), 'x\n');
      expect((await hgkit(d, 'add', '-q', 'newdir/deeper/x')).code).toBe(0);
      expect((await hgkit(d, 'rm', '-q', 'top')).code).toBe(0);
      const c = await hgkit(d, 'commit', '-q', '-u', 'test', '-d', '100 0', '-m', 'on the flat-hash storage');
      expect([c.code, c.stderr.toString()]).toEqual([0, '']);
      fs.appendFileSync(path.join(d, 'newdir/deeper/x'), 'y\n');
      expect((await hgkit(d, 'commit', '-q', '-u', 'test', '-d', '101 0', '-m', 'second')).code).toBe(0);
    }
    expect((await hgkit(dir, 'log', '--debug')).stdout.toString()).toBe((await hgkit(flatCopy, 'log', '--debug')).stdout.toString());
    const v = await hgkit(dir, 'verify');
    expect([v.code, v.stderr.toString()]).toEqual([0, '']);
    const exported = `${format}-out2`;
    expect((await hgkit(base, 'convert', '-q', '--export-flat', fh, exported)).code).toBe(0);
    const hv = await hg(path.join(base, exported), 'verify', '-q');
    expect([hv.code, hv.stderr.toString()]).toEqual([0, '']);
    expect((await hg(path.join(base, exported), 'log', '--debug')).stdout.toString()).toBe((await hg(flatCopy, 'log', '--debug')).stdout.toString());
  });

  it('refuses the wrong direction', async () => {
    const r1 = await hgkit(base, 'convert', '--export-flat', format, `${format}-x`);
    expect(r1.stderr.toString()).toBe(`abort: source repository ${format} does not use the flat-hash tree storage\n`);
    expect(r1.code).toBe(255);
    const r2 = await hgkit(base, 'convert', '--flat-hash-tree', fh, `${format}-x`);
    expect(r2.stderr.toString()).toBe(`abort: source repository ${fh} already uses the flat-hash tree storage\n`);
    expect(fs.existsSync(path.join(base, `${format}-x`))).toBe(false);
    const r3 = await hgkit(base, 'convert', '--flat-hash-tree', format, out);
    expect(r3.stderr.toString()).toBe(`abort: destination ${out} already exists\n`);
  });
});

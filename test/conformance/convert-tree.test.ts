// `hgkit convert --treemanifest SRC DST` against real hg: one scripted
// history (nested directories, exec bits, a symlink, copies and renames, a
// directory removed, a branch-only commit, a merge, a secret changeset, a
// closed branch, bookmarks) is committed twice by hg, into a flat repository
// and into a tree-manifest one (same users and dates). Converting the flat one
// must give exactly the tree one: `hg log --debug` (changeset and manifest
// hashes, parents, phases, bookmarks, files, extras) is compared, hg verifies
// the result, the shamap maps every changeset, and every file of every
// revision (path, flags, file node, content hash) is the same across old and
// new hashes. Also: hg convert's progress output, resuming after a SIGKILL
// mid-batch and after a kill between a batch and its shamap lines, incremental
// conversion after SRC gained commits, and the error cases.
//
//   npx vitest run test/conformance/convert-tree.test.ts   (needs `node scripts/build.mjs`)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs, runHg, runHgkit, runProcessSync, type RunResult, hgInitSync, runScriptSync } from '../helpers/hg.js';

const HIST1 = `set -e
c() { hg commit -q -d "$1 0" -m "$2"; }
echo a > top; mkdir -p d1/d2 d3 e; echo b > d1/f; echo c > d1/d2/g; echo h > d3/h; echo x > e/x
hg add -q; c 1 "initial"
echo b2 >> d1/f; chmod +x d3/h; c 2 "modify and exec"
ln -s ../top d1/link; hg add -q d1/link; c 3 "symlink"
hg cp d1/f d1/d2/fcopy; hg mv d3/h d3/h2; c 4 "copy and rename
with a second line"
hg rm -q e/x; c 5 "remove a whole directory"
hg branch -q stable; c 6 "branch only"
echo s >> top; c 7 "on stable"
hg update -q default; echo dd > d1/d2/new; hg add -q d1/d2/new; echo t >> top; c 8 "default again"
hg bookmark -q mark1
`;
const HIST2 = `set -e
c() { hg commit -q -d "$1 0" -m "$2"; }
HGMERGE=internal:local hg merge -q stable; c 9 "merge stable"
mkdir -p z/y/x; echo deep > z/y/x/w; echo q > d1-x; hg add -q; c 10 "deep and sorting"
echo se > secret; hg add -q secret; hg commit -q --secret -d "11 0" -m "secret one"
hg update -q stable; echo cl > cl; hg add -q cl; hg commit -q --close-branch -d "12 0" -m "close stable"
hg update -q default; hg rm -q d1/d2/g d1/d2/new d1/d2/fcopy; c 13 "empty d2"
hg bookmark -q -r 2 mark2
`;

let base: string;

const sh = runScriptSync;
const hgInit = (dir: string, ...config: string[]): void => hgInitSync(base, dir, ...config);

async function hg(cwd: string, ...args: string[]): Promise<RunResult> {
  return runHg(args, { cwd });
}

async function hgkit(cwd: string, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runHgkit(args, { cwd, env });
}

async function logDebug(repo: string): Promise<string> {
  const r = await hg(repo, 'log', '--debug', '--hidden');
  expect(r.code).toBe(0);
  return r.stdout.toString();
}

/** Every file of every revision: rev, path, flags, file node, sha1 of the content (one Python process). */
function dumpFiles(repo: string): string[] {
  const py = `
import sys, hashlib
from mercurial import ui as uimod, hg
r = hg.repository(uimod.ui.load(), sys.argv[1].encode())
out = []
for rev in r:
    ctx = r[rev]
    m = ctx.manifest()
    for f in sorted(m):
        out.append('%d %s %s %s %s' % (rev, f.decode(), m.flags(f).decode(), m[f].hex(), hashlib.sha1(ctx[f].data()).hexdigest()))
sys.stdout.write('\\n'.join(out))
`;
  const r = runProcessSync('/usr/bin/python3', ['-c', py, repo], { cwd: base });
  if (r.code !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString().split('\n');
}

function readLines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
}

let flat: string;
let tree: string;
let treeLog: string;

beforeAll(() => {
  base = makeTempDir('hgkit-convert-tree-');
  flat = path.join(base, 'flat');
  tree = path.join(base, 'tree');
  hgInit(flat);
  hgInit(tree, 'experimental.treemanifest=1');
  sh(flat, HIST1 + HIST2);
  sh(tree, HIST1 + HIST2);
});

afterAll(() => removeTempDirs());

describe('convert --treemanifest', () => {
  it('gives what hg commits directly in a tree repository', async () => {
    treeLog = await logDebug(tree);
    const dst = path.join(base, 'conv');
    const r = await hgkit(base, ['convert', '--treemanifest', 'flat', 'conv']);
    expect(r.stderr.toString()).toBe('');
    expect(r.code).toBe(0);
    // hg convert's own output for the same source (hg -> hg)
    const ref = await hg(base, '--config', 'extensions.convert=', 'convert', 'flat', 'hgconv');
    expect(r.stdout.toString()).toBe(ref.stdout.toString().replace('hgconv', 'conv'));
    expect(await logDebug(dst)).toBe(treeLog);
    const v = await hg(dst, 'verify');
    expect(v.stderr.toString()).toBe('');
    expect(v.code).toBe(0);
    // requirements: the source's plus treemanifest
    const req = (p: string): string => fs.readFileSync(p, 'utf8');
    expect(req(path.join(dst, '.hg/requires'))).toBe(req(path.join(flat, '.hg/requires')));
    expect(req(path.join(dst, '.hg/store/requires'))).toBe(req(path.join(tree, '.hg/store/requires')));
    // the shamap: every changeset, in order
    const oldNodes = (await hg(flat, 'log', '--hidden', '-r', 'all()', '-T', '{node}\n')).stdout.toString().trim().split('\n');
    const newNodes = (await hg(dst, 'log', '--hidden', '-r', 'all()', '-T', '{node}\n')).stdout.toString().trim().split('\n');
    expect(readLines(path.join(dst, '.hg/shamap'))).toEqual(oldNodes.map((o, i) => `${o} ${newNodes[i]}`));
    // every file of every revision, across old and new hashes
    const a = dumpFiles(flat);
    expect(a.length).toBeGreaterThan(50);
    expect(dumpFiles(dst)).toEqual(a);
    // hgkit reads the result as hg does
    for (const args of [['log', '--debug'], ['manifest', '--debug', '-r', '9'], ['cat', '-r', '9', 'd1/f', 'z/y/x/w']]) {
      const h = await hg(dst, ...args);
      const k = await hgkit(dst, args);
      expect(k.stdout.toString(), args.join(' ')).toBe(h.stdout.toString());
    }
  });

  it('converts incrementally after the source gained changesets', async () => {
    const src = path.join(base, 'inc-src');
    hgInit(src);
    sh(src, HIST1);
    const r1 = await hgkit(base, ['convert', '--treemanifest', 'inc-src', 'inc-dst']);
    expect(r1.code).toBe(0);
    sh(src, HIST2);
    const r2 = await hgkit(base, ['convert', '--treemanifest', 'inc-src', 'inc-dst']);
    expect(r2.stderr.toString()).toBe('');
    expect(r2.stdout.toString()).toBe(
      'scanning source...\nsorting...\nconverting...\n4 merge stable\n3 deep and sorting\n2 secret one\n1 close stable\n0 empty d2\nupdating bookmarks\n',
    );
    expect(await logDebug(path.join(base, 'inc-dst'))).toBe(treeLog);
    // nothing new: nothing written
    const r3 = await hgkit(base, ['convert', '--treemanifest', 'inc-src', 'inc-dst']);
    expect(r3.stdout.toString()).toBe('scanning source...\nsorting...\nconverting...\n');
  });

  it('resumes after a SIGKILL in the middle of a batch', async () => {
    const dst = path.join(base, 'killed');
    const r1 = await hgkit(base, ['convert', '--treemanifest', 'flat', 'killed'], { HGKIT_CONVERT_BATCH: '3', HGKIT_CONVERT_KILL_AFTER: '8' });
    expect(r1.code).toBe(128 + 9);
    // two whole batches made it, the third left its journal
    expect(readLines(path.join(dst, '.hg/shamap'))).toHaveLength(6);
    expect(fs.existsSync(path.join(dst, '.hg/store/journal'))).toBe(true);
    const r2 = await hgkit(base, ['convert', '--treemanifest', 'flat', 'killed'], { HGKIT_CONVERT_BATCH: '3' });
    expect(r2.stderr.toString()).toBe('');
    expect(r2.stdout.toString()).toMatch(/^rolling back interrupted transaction\nscanning source...\nsorting...\nconverting...\n6 on stable\n/);
    expect(await logDebug(dst)).toBe(treeLog);
    expect(readLines(path.join(dst, '.hg/shamap'))).toHaveLength(13);
    expect((await hg(dst, 'verify', '-q')).code).toBe(0);
  });

  it('resumes when changesets were written but the shamap lost its last lines (or got a torn line)', async () => {
    const dst = path.join(base, 'torn');
    expect((await hgkit(base, ['convert', '--treemanifest', 'flat', 'torn'])).code).toBe(0);
    const map = path.join(dst, '.hg/shamap');
    const full = fs.readFileSync(map);
    const index = fs.readFileSync(path.join(dst, '.hg/store/00changelog.i'));
    // drop two whole lines and half of the one before
    fs.writeFileSync(map, full.subarray(0, full.length - 2 * 82 - 40));
    const r = await hgkit(base, ['convert', '--treemanifest', 'flat', 'torn']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('scanning source...\nsorting...\nconverting...\n2 secret one\n1 close stable\n0 empty d2\n');
    expect(fs.readFileSync(map).equals(full)).toBe(true);
    expect(fs.readFileSync(path.join(dst, '.hg/store/00changelog.i')).equals(index)).toBe(true);
    expect(await logDebug(dst)).toBe(treeLog);
  });

  it('keeps the source format (zlib, no sparse-revlog)', async () => {
    const src = path.join(base, 'zsrc');
    hgInit(src, 'format.revlog-compression=zlib', 'format.sparse-revlog=no');
    sh(src, HIST1);
    expect((await hgkit(base, ['convert', '-q', '--treemanifest', 'zsrc', 'zdst'])).code).toBe(0);
    const reqs = fs.readFileSync(path.join(base, 'zdst/.hg/store/requires'), 'utf8').trim().split('\n');
    const srcReqs = fs.readFileSync(path.join(src, '.hg/store/requires'), 'utf8').trim().split('\n');
    expect(reqs).toEqual([...srcReqs, 'treemanifest'].sort());
    const ref = path.join(base, 'zref');
    hgInit(ref, 'format.revlog-compression=zlib', 'format.sparse-revlog=no', 'experimental.treemanifest=1');
    sh(ref, HIST1);
    expect(await logDebug(path.join(base, 'zdst'))).toBe(await logDebug(ref));
    expect((await hg(path.join(base, 'zdst'), 'verify', '-q')).code).toBe(0);
  });

  it('refuses what it cannot convert', async () => {
    const abort = async (args: string[], message: string): Promise<void> => {
      const r = await hgkit(base, ['convert', ...args]);
      expect(r.stderr.toString()).toBe(`abort: ${message}\n`);
      expect(r.code).toBe(255);
    };
    await abort(['--treemanifest', 'nosuch', 'x1'], 'nosuch: missing or unsupported repository');
    expect(fs.existsSync(path.join(base, 'x1'))).toBe(false);
    await abort(['--treemanifest', 'tree', 'x2'], 'source repository tree already uses tree manifests');
    await abort(['--treemanifest', 'flat', 'zsrc'], 'destination zsrc is not a tree manifest repository');
    await abort(['--treemanifest', 'flat', 'tree'], 'destination tree is not a conversion of flat (no .hg/shamap)');
    // zsrc holds the first 8 changesets of flat (same history, same hashes), not the merge
    await abort(
      ['--treemanifest', 'zsrc', 'conv'],
      `destination conv is not a conversion of zsrc (unknown source changeset ${readLines(path.join(base, 'conv/.hg/shamap'))[8]!.slice(0, 40)} in .hg/shamap)`,
    );
    fs.mkdirSync(path.join(base, 'notrepo'));
    fs.writeFileSync(path.join(base, 'notrepo/file'), 'x');
    await abort(['--treemanifest', 'flat', 'notrepo'], 'destination notrepo exists and is not a Mercurial repository');
  });
});

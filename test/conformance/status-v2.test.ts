// `hgkit status` on dirstate-v2 repositories against real `hg status`, byte
// for byte: hg wrote the dirstate (clean checkout, edits, adds, removes,
// copies and renames, a merge in progress, removed files under directories
// that are also tracked paths), hgkit reads it; then hgkit's status writes
// back the stat data it learned (a new v2 data file), and hg must read that
// dirstate: `hg debugstate` is the one hg's own status writes on an identical
// copy of the repository, and `hg status` agrees.
//
//   npx vitest run test/conformance/status-v2.test.ts

import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HG_BIN,
  REPO_ROOT,
  describeDifference,
  makeTempDir,
  removeTempDirs,
  runProcess,
  testEnv,
  type RunResult,
} from '../helpers/hg.js';

const SLOW = ['--config', 'storage.dirstate-v2.slow-path=allow'];

const SCRIPT = String.raw`
set -euo pipefail
hg() { command hg --config storage.dirstate-v2.slow-path=allow "$@"; }
c() { hg commit -q -d "$1 0" -m "$2"; }
hg init --config format.use-dirstate-v2=yes repo; cd repo
grep -q dirstate-v2 .hg/requires
mkdir -p d/e sub d-x d0 a/b/c/d
for f in a0 b c d/x d/e/y sub/z d-x/w d0/v a/b/c/d/deep a/b/one; do echo "$f" > "$f"; done
for i in $(seq 1 40); do mkdir -p "gen/g$((i % 7))"; echo "$i" > "gen/g$((i % 7))/f$i"; done
printf '1\n2\n3\n4\n5\n' > both
echo '#!/bin/sh' > run.sh; chmod +x run.sh; ln -s a0 link
printf 'caf\xc3\xa9\n' > "$(printf 'caf\xc3\xa9')"
printf 'syntax: glob\n*.o\nbuild\n' > .hgignore
hg add -q; c 1 base
touch -d '3 hours ago' $(find . -path ./.hg -prune -o -type f -print)
cp -a ../repo ../snap-checkout
# edits, including same-size content and an exec-bit change, adds, removes, copies, renames
echo more >> a0; sed -i 1s/1/one/ both; printf 'X' | dd of=gen/g1/f1 bs=1 count=1 conv=notrunc 2>/dev/null
touch -d '2 hours ago' gen/g1/f1; chmod +x d0/v
hg rm -q b; hg cp c c2; echo new > added; hg add -q added; hg mv d/x d/x2
hg rm -q d/e/y; mkdir -p new/deep/er; echo n > new/deep/er/f; hg add -q new
rm sub/z; echo unknown > unk; echo obj > x.o; mkdir -p build; echo b > build/out
hg forget -q gen/g2/f2; rm gen/g3/f3; mkdir gen/g3/f3; echo inner > gen/g3/f3/inner
cp -a ../repo ../snap-edits
rm -rf gen/g3/f3 unk x.o build; hg revert -q --all --no-backup; hg up -q -C 0; rm -f c2 added d/x2; rm -rf new
# a removed file whose path becomes a directory with a tracked file
hg rm -q c; mkdir c; echo inside > c/in; hg add -q c/in
cp -a ../repo ../snap-file-to-dir
rm -rf c; hg revert -q --all --no-backup; hg up -q -C 0
c() { hg commit -q -d "$1 0" -m "$2"; }
echo p1 >> a0; hg rm -q b; hg cp c c2; c 2 edits
hg up -q 0
echo other >> c; sed -i 5s/5/five/ both; echo p2new > p2new; hg add -q p2new; hg rm -q sub/z; c 3 other
hg merge -q 1 > /dev/null 2>&1 || true
cp -a ../repo ../snap-merge
`;

const snaps = ['snap-checkout', 'snap-edits', 'snap-file-to-dir', 'snap-merge'];
const FLAGS: string[][] = [[], ['-A'], ['-mardu'], ['-C', '-A'], ['-i'], ['-n'], ['gen'], ['gen/g1', 'd'], ['a/b'], ['-A', 'new']];

let top: string;
let cli: string;
let bundleDir: string;

beforeAll(async () => {
  top = makeTempDir('hgkit-status-v2-');
  const r = spawnSync('bash', ['-c', SCRIPT], { cwd: top, env: testEnv() });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  // the CLI from the sources (dist/ may be older than this tree)
  fs.mkdirSync(path.join(REPO_ROOT, 'node_modules', '.cache'), { recursive: true });
  bundleDir = fs.mkdtempSync(path.join(REPO_ROOT, 'node_modules', '.cache', 'hgkit-status-v2-'));
  await build({
    entryPoints: { cli: path.join(REPO_ROOT, 'src/cli/main.ts') },
    outdir: bundleDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  fs.writeFileSync(path.join(bundleDir, 'package.json'), '{"type":"module"}');
  cli = path.join(bundleDir, 'cli.js');
  // stat data recorded by a status is reliable only for mtimes in the past
  await new Promise((res) => setTimeout(res, 1100));
}, 180_000);

afterAll(() => {
  removeTempDirs();
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
});

function hgkit(args: string[], cwd: string): Promise<RunResult> {
  return runProcess(process.execPath, [cli, ...args], { cwd });
}

function hg(args: string[], cwd: string): Promise<RunResult> {
  return runProcess(HG_BIN, [...SLOW, ...args], { cwd });
}

function same(what: string, a: RunResult, b: RunResult): string[] {
  const out: string[] = [];
  if (a.code !== b.code) out.push(`${what}: exit code hg ${a.code}, hgkit ${b.code}: ${b.stderr.toString().slice(0, 300)}`);
  const d1 = describeDifference(`${what}: stdout`, a.stdout, b.stdout);
  if (d1) out.push(d1);
  const d2 = describeDifference(`${what}: stderr`, a.stderr, b.stderr);
  if (d2) out.push(d2);
  return out;
}

function copyRepo(snap: string, suffix: string): string {
  const dest = path.join(top, `${snap}.${suffix}`);
  fs.rmSync(dest, { recursive: true, force: true });
  // cp -a keeps mtimes (with nanoseconds) and symlinks' own mtimes
  const r = spawnSync('cp', ['-a', path.join(top, snap), dest]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return dest;
}

function dataFiles(repo: string): string[] {
  return fs.readdirSync(path.join(repo, '.hg')).filter((n) => n.startsWith('dirstate.'));
}

describe('hgkit status on dirstate-v2 written by hg', () => {
  for (const snap of snaps) {
    it(`${snap}: same status as hg, every form`, async () => {
      const problems: string[] = [];
      for (const flags of FLAGS) {
        // each form on fresh copies: hgkit on one, hg on the other
        const mine = copyRepo(snap, 'hk');
        const theirs = copyRepo(snap, 'hg');
        const hk = await hgkit(['status', ...flags], mine);
        const h = await hg(['status', ...flags], theirs);
        problems.push(...same(`status ${flags.join(' ')}`, h, hk));
      }
      expect(problems).toEqual([]);
    }, 120_000);

    it(`${snap}: hg reads the dirstate hgkit's status wrote back`, async () => {
      const mine = copyRepo(snap, 'hk-wb');
      const theirs = copyRepo(snap, 'hg-wb');
      const before = dataFiles(mine);
      const hk = await hgkit(['status'], mine);
      const h = await hg(['status'], theirs);
      expect(same('status', h, hk)).toEqual([]);
      const after = dataFiles(mine);
      // one data file; a new one when something was recorded
      expect(after.length).toBe(1);
      const theirsAfter = dataFiles(theirs);
      if (theirsAfter[0] !== before[0]) expect(after[0]).not.toBe(before[0]);
      // what hg's status recorded is what hgkit's recorded
      const problems = same('debugstate', await hg(['debugstate'], theirs), await hg(['debugstate'], mine));
      problems.push(...same('debugstate --docket data size', await docketSize(theirs), await docketSize(mine)));
      // and both agree on the next status, from hg and from hgkit
      problems.push(...same('status -A (hg)', await hg(['status', '-A', '-C'], theirs), await hg(['status', '-A', '-C'], mine)));
      problems.push(...same('status -A (hgkit)', await hg(['status', '-A', '-C'], theirs), await hgkit(['status', '-A', '-C'], mine)));
      expect(problems).toEqual([]);
    }, 120_000);
  }

  it('hgkit reads back a v2 dirstate written by a status with nothing to record', async () => {
    const mine = copyRepo('snap-checkout', 'twice');
    await hgkit(['status'], mine);
    const first = dataFiles(mine);
    const r = await hgkit(['status', '-A'], mine);
    expect(r.code).toBe(0);
    expect(dataFiles(mine)).toEqual(first);
    expect(same('status -A', await hg(['status', '-A'], mine), r)).toEqual([]);
  }, 60_000);
});

/** The number of entries hg finds: `hg debugdirstate` line count as a cheap second view. */
async function docketSize(repo: string): Promise<RunResult> {
  const r = await hg(['debugstate', '--nodates'], repo);
  return { ...r, stdout: Buffer.from(String(r.stdout.toString().split('\n').length)) };
}

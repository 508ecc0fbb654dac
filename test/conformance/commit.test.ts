// `hgkit commit` (and init, branch, branches, parents) against real hg:
// every scenario is played twice, once with hg doing everything (repository
// A) and once with hgkit doing the commits, inits and branch changes
// (repository B; hg still does add/cp/mv/rm/update/merge, which hgkit does not
// have yet). Checked:
//  - each hgkit command's stdout, stderr and exit code equal hg's;
//  - after every step, `hg status -A -C` of both repositories is the same,
//    and hgkit's own status of B agrees with hg's;
//  - at the end, `hg log --debug -C` of both repositories (changeset and
//    manifest hashes, parents, phases, files, extras), every filelog's
//    `hg debugindex --debug` (file nodes, linkrevs, parents), the phaseroots
//    and bookmarks files are identical, and `hg verify` accepts B;
//  - failing commits (bad dates, unknown files, nothing changed, empty
//    messages...) give hg's message and exit code and leave the store as it
//    was.
//
//   npx vitest run test/conformance/commit.test.ts   (needs `node scripts/build.mjs`)

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HGKIT_BIN,
  describeDifference,
  hgServerFor,
  makeTempDir,
  removeTempDirs,
  runHg,
  runHgkit,
  stopHgServers,
  type RunResult,
} from '../helpers/hg.js';
import { runStatusCli, statusCli } from './status-working-cli.js';

type Env = Record<string, string | undefined>;

/** One step of a scenario. */
type Step =
  /** File-system changes, applied to both working copies. */
  | { fs: (dir: string) => void }
  /** The same hg command in both repositories (setup: add, cp, mv, merge, update...). */
  | { hg: string[]; env?: Env; code?: number }
  /** hg in A, hgkit in B: outputs must be equal. */
  | { run: string[]; env?: Env; cwd?: string; code?: number; input?: string }
  /** A failing hgkit command: same output as hg, and B's store unchanged. */
  | { fail: string[]; env?: Env; cwd?: string; code?: number }
  /** A read-only command run by hg and hgkit on B: outputs must be equal. */
  | { read: string[]; cwd?: string; code?: number };

const ENV_COMMIT: Env = { HGEDITOR: 'true', HGMERGE: 'internal:merge' };

/** An editor script (HGEDITOR) that runs `body` with the message file as $1. */
function editorScript(body: string): string {
  const dir = makeTempDir('hgkit-editor-');
  const file = path.join(dir, 'editor.sh');
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

let hgkitStatusWorks = true;

function write(dir: string, file: string, data: string | Uint8Array, mode?: number): void {
  const p = path.join(dir, file);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.rmSync(p, { force: true });
  fs.writeFileSync(p, data);
  if (mode !== undefined) fs.chmodSync(p, mode);
}

function symlink(dir: string, file: string, target: string): void {
  const p = path.join(dir, file);
  fs.rmSync(p, { force: true });
  fs.symlinkSync(target, p);
}

function show(r: RunResult): string {
  return `code ${r.code}\nstdout:\n${r.stdout.toString()}\nstderr:\n${r.stderr.toString()}`;
}

function expectSame(what: string, a: RunResult, b: RunResult): void {
  const problems: string[] = [];
  if (a.code !== b.code) problems.push(`exit code: hg ${a.code}, hgkit ${b.code}`);
  const o = describeDifference('stdout', a.stdout, b.stdout);
  if (o) problems.push(o);
  const e = describeDifference('stderr', a.stderr, b.stderr);
  if (e) problems.push(e);
  if (problems.length) throw new Error(`${what}:\n  ${problems.join('\n  ')}\n--- hg\n${show(a)}--- hgkit\n${show(b)}`);
}

/** Store files and the working-copy metadata hgkit may write, with their content hashes. */
function snapshot(repo: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      // journal.* left by an aborted transaction are what hg leaves too
      else if (!e.name.startsWith('journal.')) out.set(r, createHash('sha1').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(path.join(repo, '.hg', 'store'), 'store');
  for (const f of ['dirstate', 'branch', 'bookmarks', 'requires', '00changelog.i']) {
    const p = path.join(repo, '.hg', f);
    if (fs.existsSync(p)) out.set(f, createHash('sha1').update(fs.readFileSync(p)).digest('hex'));
  }
  return out;
}

async function hgIn(dir: string, args: string[], env?: Env, cwd?: string): Promise<RunResult> {
  if (env || cwd) return runHg(args, { cwd: cwd ? path.join(dir, cwd) : dir, env });
  return hgServerFor(dir).run(args);
}

async function compareStatus(a: string, b: string, where: string): Promise<void> {
  const args = ['status', '-A', '-C'];
  const [sa, sb, k] = await Promise.all([hgIn(a, args), hgIn(b, args), hgkitStatusWorks ? runStatusCli(args, b) : undefined]);
  expectSame(`hg status -A -C of both repositories ${where}`, sa, sb);
  if (k) expectSame(`hgkit status -A -C vs hg on B ${where}`, sb, k);
}

async function compareRepos(a: string, b: string): Promise<void> {
  const [la, lb] = await Promise.all([hgIn(a, ['log', '--debug', '-C']), hgIn(b, ['log', '--debug', '-C'])]);
  expectSame('hg log --debug -C', la, lb);
  const files = (await hgIn(a, ['log', '-T', '{join(files, "\\n")}\\n'])).stdout.toString().split('\n').filter(Boolean);
  for (const f of [...new Set(files)].sort()) {
    const [ia, ib] = await Promise.all([hgIn(a, ['debugindex', '--debug', f]), hgIn(b, ['debugindex', '--debug', f])]);
    expectSame(`hg debugindex --debug ${f}`, ia, ib);
  }
  for (const f of ['store/phaseroots', 'bookmarks', 'branch']) {
    const pa = path.join(a, '.hg', f);
    const pb = path.join(b, '.hg', f);
    expect(fs.existsSync(pb), `.hg/${f} exists`).toBe(fs.existsSync(pa));
    if (fs.existsSync(pa)) expect(fs.readFileSync(pb).toString('latin1'), `.hg/${f}`).toBe(fs.readFileSync(pa).toString('latin1'));
  }
  const v = await runHg(['verify'], { cwd: b });
  expect(v.code, `hg verify on hgkit's repository:\n${v.stdout}${v.stderr}`).toBe(0);
}

/** Plays a scenario; returns the two repositories. */
async function play(name: string, steps: Step[], init: 'hg' | 'hgkit' = 'hgkit'): Promise<[string, string]> {
  const root = makeTempDir(`hgkit-commit-${name}-`);
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  const ia = await runHg(['init', a], { cwd: root });
  const ib = init === 'hgkit' ? await runHgkit(['init', b], { cwd: root }) : await runHg(['init', b], { cwd: root });
  expectSame('init', ia, ib);
  let n = 0;
  for (const step of steps) {
    n++;
    const where = `after step ${n} (${JSON.stringify(step, (_k, v) => (typeof v === 'function' ? 'fs' : v))})`;
    if ('fs' in step) {
      step.fs(a);
      step.fs(b);
    } else if ('hg' in step) {
      const [ra, rb] = await Promise.all([hgIn(a, step.hg, step.env), hgIn(b, step.hg, step.env)]);
      expectSame(`hg ${step.hg.join(' ')} in both repositories`, ra, rb);
      expect(ra.code, `hg ${step.hg.join(' ')}: ${ra.stderr}`).toBe(step.code ?? 0);
    } else if ('run' in step || 'fail' in step) {
      const args = 'run' in step ? step.run : step.fail;
      const before = 'fail' in step ? snapshot(b) : undefined;
      const env = { ...ENV_COMMIT, ...step.env };
      const input = 'input' in step && step.input ? Buffer.from(step.input) : undefined;
      const [ra, rb] = await Promise.all([
        runHg(args, { cwd: step.cwd ? path.join(a, step.cwd) : a, env, input }),
        runHgkit(args, { cwd: step.cwd ? path.join(b, step.cwd) : b, env, input }),
      ]);
      expectSame(`hg/hgkit ${args.join(' ')} ${where}`, ra, rb);
      expect(ra.code, `hg ${args.join(' ')}: ${ra.stderr}`).toBe(step.code ?? ('fail' in step ? 255 : 0));
      if (before) {
        const after = snapshot(b);
        // a failed commit may record clean files' stat data (as hg does) but never touches the store
        for (const m of [before, after]) m.delete('dirstate');
        expect([...after.entries()]).toEqual([...before.entries()]);
      }
    } else if ('read' in step) {
      const dir = step.cwd ? path.join(b, step.cwd) : b;
      const [rh, rk] = await Promise.all([runHg(step.read, { cwd: dir }), runHgkit(step.read, { cwd: dir })]);
      expectSame(`${step.read.join(' ')} ${where}`, rh, rk);
      expect(rh.code).toBe(step.code ?? 0);
    }
    await compareStatus(a, b, where);
  }
  await compareRepos(a, b);
  return [a, b];
}

const commit = (msg: string, date: string, ...rest: string[]): Step => ({ run: ['commit', '-m', msg, '-d', date, ...rest] });

beforeAll(async () => {
  if (!fs.existsSync(path.join(path.dirname(HGKIT_BIN), '..', 'dist', 'cli.js'))) throw new Error('build hgkit first: node scripts/build.mjs');
  await statusCli();
  // hgkit's status of the working copy (through the shim while the command refuses it)
  const probe = makeTempDir('hgkit-commit-probe-');
  await runHg(['init', 'r'], { cwd: probe });
  hgkitStatusWorks = (await runStatusCli(['status'], path.join(probe, 'r'))).code === 0;
}, 120_000);

afterAll(() => {
  stopHgServers();
  removeTempDirs();
});

/** Every file (with its bytes in hex) and directory below `d`, sorted. */
function listTree(d: string): string[] {
  const out: string[] = [];
  const walk = (p: string, rel: string): void => {
    for (const e of fs.readdirSync(p, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.push(r + '/');
        walk(path.join(p, e.name), r);
      } else out.push(`${r} ${fs.readFileSync(path.join(p, e.name)).toString('hex')}`);
    }
  };
  walk(d, '');
  return out;
}

describe('commit: identical hashes', () => {
  it('init writes hg\'s layout', async () => {
    const root = makeTempDir('hgkit-init-');
    const ra = await runHg(['init', 'a'], { cwd: root });
    const rb = await runHgkit(['init', 'b'], { cwd: root });
    expectSame('init', ra, rb);
    expect(listTree(path.join(root, 'b'))).toEqual(listTree(path.join(root, 'a')));
    // errors: existing repository, a file as destination, too many arguments
    fs.writeFileSync(path.join(root, 'file'), 'x');
    for (const args of [['init', 'a'], ['init', 'file'], ['init', 'file/sub'], ['init', 'x', 'y']]) {
      const h = await runHg(args, { cwd: root });
      const k = await runHgkit(args, { cwd: root });
      expect([k.code, k.stderr.toString().split('\n')[0]]).toEqual([h.code, h.stderr.toString().split('\n')[0]]);
    }
    // nested destination directories are created; `init` with no argument uses the cwd
    for (const args of [['init', 'deep/er/c'], ['init']]) {
      const cwd = args.length === 1 ? path.join(root, 'plain') : root;
      fs.mkdirSync(cwd, { recursive: true });
      const k = await runHgkit(args, { cwd });
      expect(k.code, k.stderr.toString()).toBe(0);
    }
    expect(fs.existsSync(path.join(root, 'deep/er/c/.hg/store/requires'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'plain/.hg/requires'))).toBe(true);
  });

  it('init honours format.* and experimental.treemanifest given with --config, as hg', async () => {
    const root = makeTempDir('hgkit-init-formats-');
    const sets: string[][] = [
      ['experimental.treemanifest=1'],
      ['format.revlog-compression=zlib'],
      ['format.revlog-compression=none,zlib'],
      ['format.revlog-compression=foo'],
      ['format.revlog-compression=foo,zstd'],
      ['format.usegeneraldelta=false'],
      ['format.generaldelta=true', 'format.usegeneraldelta=no'],
      ['format.sparse-revlog=off'],
      ['format.dotencode=0'],
      ['format.usefncache=false'],
      ['format.usestore=false'],
      ['format.usestore=false', 'format.use-share-safe=yes'],
      ['format.usestore=no', 'format.bookmarks-in-store=yes'],
      ['format.use-share-safe=false', 'experimental.treemanifest=yes'],
      ['format.bookmarks-in-store=1', 'format.use-internal-phase=1'],
      ['format.usestore=maybe'],
      ['experimental.treemanifest=2'],
    ];
    for (const [i, set] of sets.entries()) {
      const config = set.flatMap((c) => ['--config', c]);
      const h = await runHg(['init', ...config, `h${i}`], { cwd: root });
      const k = await runHgkit(['init', ...config, `k${i}`], { cwd: root });
      const what = set.join(' ');
      expect([k.code, k.stdout.toString(), k.stderr.toString()], what).toEqual([h.code, h.stdout.toString(), h.stderr.toString()]);
      const ha = path.join(root, `h${i}`);
      if (fs.existsSync(ha)) expect(listTree(path.join(root, `k${i}`)), what).toEqual(listTree(ha));
      else expect(fs.existsSync(path.join(root, `k${i}`)), what).toBe(false);
    }
    // hg 6.3.2 without its Rust extensions creates dirstate-v2 and persistent-nodemap repositories, then
    // refuses to open them ("without associated fast implementation", exit 255); hgkit creates them and exits 0
    const k = await runHgkit(['init', '--config', 'format.use-dirstate-v2=1', 'v2'], { cwd: root });
    expect(k.code).toBe(0);
    expect(fs.readFileSync(path.join(root, 'v2/.hg/requires'), 'latin1')).toBe('dirstate-v2\nshare-safe\n');
    const h = await runHg(['init', '--config', 'format.use-persistent-nodemap=1', 'hn'], { cwd: root });
    const n = await runHgkit(['init', '--config', 'format.use-persistent-nodemap=1', 'kn'], { cwd: root });
    expect([h.code, n.code]).toEqual([255, 0]);
    expect(listTree(path.join(root, 'kn'))).toEqual(listTree(path.join(root, 'hn')));
  });

  it('formats.md test vectors, copies of copies, renames across directories, flag flips, binary files, deletions', async () => {
    await play('history', [
      { fs: (d) => write(d, 'a', 'hello\n') },
      { hg: ['add', 'a'] },
      { run: ['commit', '-d', '0 0', '-u', 'test', '-m', 'initial'] },
      { fs: (d) => (write(d, 'a', 'hello\nworld\n'), write(d, 'x', '#!/bin/sh\n', 0o755), symlink(d, 'link', 'a')) },
      { hg: ['add', 'x', 'link'] },
      { run: ['commit', '-d', '1000000 -3600', '-u', 'Test User <test@example.com>', '-m', 'second'] },
      { hg: ['cp', 'a', 'b'] },
      commit('copy a to b', '2000000 0'),
      { hg: ['cp', 'b', 'c'] },
      commit('copy of a copy', '2000001 0'),
      { fs: (d) => write(d, 'dir1/sub/f', 'in dir1\n') },
      { hg: ['add', 'dir1/sub/f'] },
      commit('add dir1/sub/f', '2000002 0'),
      { hg: ['mv', 'dir1/sub/f', 'dir2/g'] },
      commit('rename across directories', '2000003 0'),
      { hg: ['mv', 'dir2/g', 'dir3/deeper/h'] },
      { fs: (d) => write(d, 'dir3/deeper/h', 'in dir1\nchanged while renamed\n') },
      commit('rename again, with a change', '2000004 0'),
      { fs: (d) => fs.chmodSync(path.join(d, 'a'), 0o755) },
      commit('exec bit on (flag only)', '2000005 0'),
      { fs: (d) => fs.chmodSync(path.join(d, 'x'), 0o644) },
      commit('exec bit off', '2000006 0'),
      { fs: (d) => symlink(d, 'c', 'hello\nworld\n') },
      commit('file to symlink with the same text', '2000007 0'),
      { fs: (d) => write(d, 'link', 'a') },
      commit('symlink to file', '2000008 0'),
      { fs: (d) => write(d, 'bin', Uint8Array.from([0, 1, 2, 0xff, 0, 10, 0x80])) },
      { hg: ['add', 'bin'] },
      commit('binary', '2000009 0'),
      { fs: (d) => (write(d, 'bin', Uint8Array.from([0, 1, 2, 0xfe, 0])), write(d, 'meta', '\x01\nnot meta\n'), write(d, 'empty', '')) },
      { hg: ['add', 'meta', 'empty'] },
      commit('binary change, metadata-looking file, empty file', '2000010 0'),
      { hg: ['rm', 'x', 'b'] },
      commit('deletions', '2000011 0'),
      { fs: (d) => fs.rmSync(path.join(d, 'c')) },
      { fail: ['commit', '-m', 'missing file', 'c'] },
      { run: ['commit', '-m', 'nothing, one missing'], code: 1 },
      { hg: ['revert', 'c'] },
    ]);
  }, 120_000);

  it('branches, close-branch, merges (clean, with conflicts, with renames on either side)', async () => {
    await play('merges', [
      { fs: (d) => (write(d, 'a', '1\n2\n3\n4\n5\n'), write(d, 'b', 'b\n'), write(d, 'c', 'c\n'), write(d, 'keep', 'k\n'), write(d, 'sub/s', 's\n')) },
      { hg: ['add', 'a', 'b', 'c', 'keep', 'sub/s'] },
      commit('init', '0 0'),
      { read: ['branches'] },
      { read: ['branch'] },
      { run: ['branch', 'feature'] },
      { read: ['branch'] },
      { fs: (d) => (write(d, 'a', '1\nX\n3\n4\n5\n'), write(d, 'c', 'c1\n')) },
      { hg: ['mv', 'b', 'b2'] },
      commit('feature work', '1 3600'),
      { fs: (d) => write(d, 'f', 'f\n') },
      { hg: ['add', 'f'] },
      commit('feature more', '2 -7200'),
      { read: ['branches'] },
      { read: ['parents'] },
      { hg: ['update', 'default'] },
      { fail: ['branch', 'feature'], code: 255 },
      { run: ['branch', '-f', 'feature'] },
      { run: ['branch', '-C'] },
      { fs: (d) => (write(d, 'a', '1\n2\n3\n4\nY\n'), write(d, 'b', 'b changed\n'), write(d, 'c', 'c2\n')) },
      { hg: ['cp', 'a', 'a-copy'] },
      { hg: ['bookmark', 'main'] },
      commit('default work, moves the active bookmark', '3 0'),
      { hg: ['bookmark', '-i'] },
      { hg: ['bookmark', 'other@x', '-r', 'main'] },
      { read: ['branches'] },
      { hg: ['merge', 'feature'], code: 1 },
      { fs: (d) => write(d, 'c', 'c merged\n') },
      { hg: ['resolve', '-m', 'c'] },
      { read: ['parents'] },
      { fail: ['commit', '-m', 'partial merge', 'a'] },
      commit('merge feature', '4 0'),
      { read: ['parents', '-r', '4'] },
      { read: ['parents', '-r', '4', 'a'] },
      { read: ['parents', 'b2'] },
      { read: ['parents', '../a'], cwd: 'sub' },
      { hg: ['update', 'feature'] },
      { fs: (d) => write(d, 'f', 'f2\n') },
      commit('feature after merge', '5 0'),
      { hg: ['merge', 'default'] },
      commit('merge default into feature', '6 0'),
      { run: ['commit', '--close-branch', '-m', 'close feature', '-d', '7 0'] },
      { fail: ['commit', '--close-branch', '-m', 'again', '-d', '7 0'], code: 255 },
      { read: ['branches'] },
      { read: ['branches', '-c'] },
      { read: ['branches', '-a'] },
      { read: ['branches', '-q'] },
      { hg: ['update', 'default'] },
      { fs: (d) => write(d, 'keep', 'k2\n') },
      commit('after close', '8 0'),
      { hg: ['update', '-r', 'closed()'] },
      { fs: (d) => write(d, 'f', 'f3\n') },
      { run: ['commit', '-m', 'reopen the closed head', '-d', '8 1'] },
      { run: ['commit', '--close-branch', '-m', 'close it again', '-d', '8 2'] },
      { hg: ['update', 'default'] },
      { hg: ['update', '2'] },
      { fs: (d) => write(d, 'keep', 'k3\n') },
      { run: ['commit', '-m', 'reopen feature', '-d', '9 0'] },
      { read: ['branches'] },
      { hg: ['update', '0'] },
      { fs: (d) => write(d, 'keep', 'k4\n') },
      { run: ['commit', '-m', 'new head on default', '-d', '10 0'] },
      { run: ['branch', 'stable'] },
      { run: ['commit', '-m', 'branch only, no files', '-d', '11 0'] },
      { run: ['branch', 'other', '-v'] },
      { fail: ['branch', 'tip'], code: 255 },
      { fail: ['branch', '123'], code: 255 },
      { fail: ['branch', 'a:b'], code: 255 },
      { run: ['branch', ' spaced  '] },
      { read: ['branch'] },
      { run: ['branch', '-C'] },
      { run: ['commit', '--secret', '-m', 'secret', '-d', '12 0', '-A'] },
      { read: ['branches', '--debug'] },
      { read: ['parents', '-v'] },
      { read: ['parents', '--debug'] },
      { read: ['parents', 'nosuch'], code: 255 },
    ]);
  }, 180_000);

  it('dates, time zones, users, messages, subsets of files', async () => {
    await play('metadata', [
      { fs: (d) => (write(d, 'a', 'a\n'), write(d, 'sub/b', 'b\n'), write(d, 'sub/c.txt', 'c\n'), write(d, 'sub/d.txt', 'd\n')) },
      { hg: ['add'] },
      { run: ['commit', '-m', 'ISO date with offset', '-d', '2006-02-01 13:00:30 +0530'] },
      { fs: (d) => write(d, 'a', 'a2\n') },
      { run: ['commit', '-m', 'local time in New York (DST)', '-d', '2021-07-04 10:00'], env: { TZ: 'America/New_York' } },
      { fs: (d) => write(d, 'a', 'a3\n') },
      { run: ['commit', '-m', 'rfc 2822 in Paris', '-d', 'Sat, 03 Jul 2021 11:22:33'], env: { TZ: 'Europe/Paris' } },
      { fs: (d) => write(d, 'a', 'a4\n') },
      { run: ['commit', '-m', 'am/pm in Kolkata', '-d', '2021-01-01 1:02:03pm'], env: { TZ: 'Asia/Kolkata' } },
      { fs: (d) => write(d, 'a', 'a5\n') },
      { run: ['commit', '-m', 'Z suffix', '-d', '2021-01-01T10:11:12Z'] },
      { fs: (d) => write(d, 'a', 'a6\n') },
      { run: ['commit', '-m', 'unix time, east offset', '-d', '1234567890 -50400'] },
      { fs: (d) => write(d, 'a', 'a7\n') },
      { run: ['commit', '-m', 'héllo wörld — ünïcode ✓', '-u', 'Jösé Ñandú <jose@exämple.org>', '-d', '1 0'] },
      { fs: (d) => write(d, 'a', 'a8\n') },
      { run: ['commit', '-m', '  \n\nfirst line  \t\n\n\nthird\t\n  \n\n', '-d', '2 0'] },
      { fs: (d) => write(d, 'a', 'a9\n') },
      { run: ['commit', '-m', 'crlf\r\nline two\r\n', '-d', '3 0', '-u', '  padded user  '] },
      { fs: (d) => write(d, 'a', 'a10\n') },
      { run: ['commit', '-m', '   ', '-d', '4 0'] },
      { fs: (d) => write(d, 'a', 'a11\n') },
      { run: ['commit', '-d', '5 0'], env: { HGEDITOR: editorScript(`printf 'from the editor\\n\\nHG: gone\\nkept\\n' > "$1"`) } },
      { fs: (d) => write(d, 'a', 'a12\n') },
      { run: ['commit', '-d', '6 0', '-l', '-'], input: 'message\nfrom stdin\n' },
      { fs: (d) => write(d, 'msg.txt', 'logfile\r\nmessage\n\n') },
      { fs: (d) => write(d, 'a', 'a13\n') },
      { run: ['commit', '-d', '7 0', '-l', 'msg.txt', 'a'] },
      { run: ['commit', '-d', '8 0', '-m', 'user from EMAIL', '-A', 'msg.txt'], env: { HGUSER: undefined, EMAIL: 'mail@example.com' } },
      { fs: (d) => (write(d, 'a', 'a14\n'), write(d, 'sub/b', 'b2\n'), write(d, 'sub/c.txt', 'c2\n'), write(d, 'sub/d.txt', 'd2\n')) },
      { run: ['commit', '-m', 'one file by name', '-d', '9 0', 'sub/b'] },
      { run: ['commit', '-m', 'include', '-d', '10 0', '-I', 'sub/*.txt', '-X', 'sub/d.txt'] },
      { run: ['commit', '-m', 'from a subdirectory', '-d', '11 0', 'd.txt'], cwd: 'sub' },
      { run: ['commit', '-m', 'the rest', '-d', '12 0', '-v'] },
      { fs: (d) => (write(d, 'new1', 'n\n'), fs.rmSync(path.join(d, 'sub/b'))) },
      { run: ['commit', '-A', '-m', 'addremove', '-d', '13 0'] },
      { fs: (d) => (write(d, 'new2', 'n\n'), write(d, 'sub/new3', 'n\n')) },
      { run: ['commit', '-A', '-m', 'addremove from a subdir with a pattern', '-d', '14 0', '-I', '../sub'], cwd: 'sub' },
      { run: ['ci', '-q', '-A', '-m', 'ci alias', '-d', '15 0'] },
      { fs: (d) => write(d, 'a', 'a15\n') },
      { run: ['commit', '-m', 'no user configured: user@fqdn with a warning', '-d', '16 0'], env: { HGUSER: undefined, EMAIL: undefined } },
      { fs: (d) => write(d, 'a', 'a16\n') },
      { run: ['commit', '-m', 'empty -u: the configured user', '-u', '', '-d', '17 0'] },
    ]);
  }, 120_000);

  it('a commit in a local clone leaves the source repository alone (hard-linked revlogs)', async () => {
    const root = makeTempDir('hgkit-commit-clone-');
    const src = path.join(root, 'src');
    await runHg(['init', src], { cwd: root });
    write(src, 'a', 'a\n');
    await runHg(['commit', '-A', '-q', '-m', 'a', '-d', '0 0'], { cwd: src });
    await runHg(['clone', '-q', 'src', 'dst'], { cwd: root });
    const dst = path.join(root, 'dst');
    expect(fs.statSync(path.join(dst, '.hg/store/data/a.i')).nlink).toBe(2);
    const before = snapshot(src);
    write(dst, 'a', 'a\nb\n');
    const r = await runHgkit(['commit', '-m', 'b', '-d', '1 0'], { cwd: dst });
    expect(r.code, r.stderr.toString()).toBe(0);
    expect([...snapshot(src).entries()]).toEqual([...before.entries()]);
    for (const d of [src, dst]) expect((await runHg(['verify', '-q'], { cwd: d })).code).toBe(0);
    expect((await runHg(['log', '-T', '{desc} '], { cwd: src })).stdout.toString()).toBe('a ');
    expect((await runHg(['log', '-T', '{desc} '], { cwd: dst })).stdout.toString()).toBe('b a ');
  });

  it('bad input gives hg\'s errors and leaves the repository as it was', async () => {
    await play('errors', [
      { fs: (d) => (write(d, 'a', 'a\n'), write(d, 'dir/b', 'b\n'), write(d, 'untracked', 'u\n')) },
      { hg: ['add', 'a', 'dir/b'] },
      commit('init', '0 0'),
      { run: ['commit', '-m', 'nothing'], code: 1 },
      { fs: (d) => write(d, 'a', 'a2\n') },
      { fail: ['commit', '-m', 'x', '-d', 'bad date'] },
      { fail: ['commit', '-m', 'x', '-d', '1 2 3'] },
      { fail: ['commit', '-m', 'x', '-d', '99999999999 0'] },
      { fail: ['commit', '-m', 'x', '-d', '0 99999'] },
      { fail: ['commit', '-m', 'x', '-d', '2020-13-01'] },
      { fail: ['commit', '-m', 'x', '-d', 'Feb 30'] },
      { fail: ['commit', '-m', 'x', '-d', '0 0', 'nosuch'] },
      { fail: ['commit', '-m', 'x', '-d', '0 0', 'untracked'] },
      { fail: ['commit', '-m', 'x', '-d', '0 0', 'a', 'untracked'] },
      { fail: ['commit', '-m', 'x', '-d', '0 0', 'dir'] },
      { fail: ['commit', '-m', 'x', '-d', '0 0', 'nosuch'], cwd: 'dir' },
      { fail: ['commit', '-m', '', '-d', '0 0'] },
      { fail: ['commit', '-d', '0 0'], env: { HGEDITOR: 'false' } },
      { fail: ['commit', '-d', '0 0'], env: { HGEDITOR: editorScript('echo "HG: only a comment" > "$1"') } },
      { fail: ['commit', '-d', '0 0', '-e', '-m', 'kept in last-message.txt', '-u', ' '], env: { HGEDITOR: editorScript('echo "edited" >> "$1"') } },
      { fail: ['commit', '-m', 'x', '-l', 'a'] },
      { fail: ['commit', '-l', 'nofile'] },
      { fail: ['commit', '-m', 'x', '-u', ' ', '-d', '0 0'] },
      { fail: ['commit', '-m', 'x', '-A', 'nosuch', '-d', '0 0'] },
      { run: ['commit', '-m', 'excluded', '-X', 'a', '-d', '0 0'], code: 1 },
      { run: ['commit', '-m', 'included nothing', '-I', 'nosuch', '-d', '0 0'], code: 1 },
      commit('finally', '1 0'),
    ]);
  }, 120_000);
});

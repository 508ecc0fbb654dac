// The working-copy tracking commands (add, addremove, forget, remove/rm,
// copy/cp, rename/mv) against real hg 6.3.2. Every scenario builds two
// identical repositories with the same script; each step runs either the
// same hg command in both (setup), or the command under test with hg in A and
// hgkit in B. After every step:
//  - the command's stdout, stderr and exit code are the same (repository
//    roots replaced by $ROOT);
//  - `hg status -C` of A and B are the same, and so are `hg debugstate
//    --no-dates` (states, modes, sizes, whether an mtime is recorded, copy
//    sources) and the working trees (paths, types, modes, contents);
//  - hgkit's own `status -C` of B (after every step) and of A (at the end)
//    equals hg's: hgkit reads what hg wrote and hg reads what hgkit wrote (B
//    is worked on by both in turns).
// File mtimes are set to a fixed past time after every step, so that what a
// command's status records does not depend on when it ran; the comparisons'
// own status runs record nothing (the wlock looks held by another host).
//
//   node scripts/build.mjs && npx vitest run test/conformance/track-commands.test.ts

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  describeDifference,
  hgServerFor,
  makeTempDir,
  removeTempDirs,
  runHg,
  runHgkit,
  stopHgServers,
  type RunResult,
} from '../helpers/hg.js';
import { runStatusCli } from './status-working-cli.js';

type Step =
  /** File-system changes, applied to both working copies. */
  | { fs: (dir: string) => void }
  /** The same hg command in both repositories (setup). */
  | { hg: string[]; cwd?: string }
  /** The command under test: hg in A, hgkit in B. */
  | { run: string[]; cwd?: string };

interface Scenario {
  name: string;
  setup: (dir: string) => void;
  steps: Step[];
}

/** HGKIT_TRACK_TRANSCRIPT=1: print hg's output of every tested command. */
const TRANSCRIPT = process.env['HGKIT_TRACK_TRANSCRIPT'] === '1';

const T0 = new Date('2020-01-02T03:04:05Z');

function write(dir: string, file: string, data: string | Uint8Array, mode?: number): void {
  const p = path.join(dir, file);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.rmSync(p, { force: true });
  fs.writeFileSync(p, data);
  if (mode !== undefined) fs.chmodSync(p, mode);
}

function rm(dir: string, file: string): void {
  fs.rmSync(path.join(dir, file), { recursive: true, force: true });
}

function mv(dir: string, from: string, to: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, to)), { recursive: true });
  fs.renameSync(path.join(dir, from), path.join(dir, to));
}

function cp(dir: string, from: string, to: string): void {
  fs.copyFileSync(path.join(dir, from), path.join(dir, to));
}

function lines(n: number, tag: string): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `${tag} line ${i}\n`;
  return s;
}

/** Every working file's mtime set to T0 (the tree's own state, not .hg). */
function normalizeTimes(dir: string): void {
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (d === dir && e.name === '.hg') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isSymbolicLink()) fs.lutimesSync(p, T0, T0);
      else fs.utimesSync(p, T0, T0);
    }
  };
  walk(dir);
}

/** The working tree: path, type, permission bits and content hash of everything but .hg. */
function treeSnapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (rel === '' && e.name === '.hg') continue;
      const p = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      const st = fs.lstatSync(p);
      if (e.isDirectory()) {
        out.push(`${r}/ dir`);
        walk(p, r);
      } else if (e.isSymbolicLink()) out.push(`${r} -> ${fs.readlinkSync(p)}`);
      else out.push(`${r} ${(st.mode & 0o777).toString(8)} ${createHash('sha1').update(fs.readFileSync(p)).digest('hex').slice(0, 12)}`);
    }
  };
  walk(dir, '');
  return out.join('\n') + '\n';
}

function normalize(r: RunResult, root: string): RunResult {
  const fix = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').split(root).join('$ROOT'), 'latin1');
  return { code: r.code, stdout: fix(r.stdout), stderr: fix(r.stderr) };
}

function sortCopies(r: RunResult): RunResult {
  const all = r.stdout.toString('latin1').split('\n');
  const copies = all.filter((l) => l.startsWith('copy: ')).sort();
  const rest = all.filter((l) => !l.startsWith('copy: '));
  const end = rest.pop();
  return { ...r, stdout: Buffer.from([...rest, ...copies, end].join('\n'), 'latin1') };
}

function check(what: string, hg: RunResult, hk: RunResult): string[] {
  const problems: string[] = [];
  if (hg.code !== hk.code) {
    problems.push(`${what}: exit code hg ${hg.code}, hgkit ${hk.code}\n    hgkit stderr: ${hk.stderr.toString().slice(0, 400)}`);
  }
  const d1 = describeDifference(`${what}: stdout`, hg.stdout, hk.stdout);
  if (d1) problems.push(d1);
  const d2 = describeDifference(`${what}: stderr`, hg.stderr, hk.stderr);
  if (d2) problems.push(d2);
  return problems;
}

async function hg(repo: string, args: string[], cwd?: string): Promise<RunResult> {
  if (cwd === undefined) return hgServerFor(repo).run(args);
  return runHg(args, { cwd: path.join(repo, cwd) });
}

async function hgkit(repo: string, args: string[], cwd?: string): Promise<RunResult> {
  return runHgkit(args, { cwd: cwd === undefined ? repo : path.join(repo, cwd) });
}

async function runScenario(sc: Scenario): Promise<string[]> {
  const base = makeTempDir('hgkit-track-');
  // same base names, so that paths shown relative to the cwd match
  const A = path.join(base, 'A', 'repo');
  const B = path.join(base, 'B', 'repo');
  for (const r of [A, B]) {
    fs.mkdirSync(path.dirname(r));
    const init = await runHg(['init', r], { cwd: base });
    if (init.code !== 0) throw new Error(init.stderr.toString());
    sc.setup(r);
  }
  const problems: string[] = [];
  let i = 0;
  for (const step of sc.steps) {
    i++;
    let label: string;
    if ('fs' in step) {
      label = `step ${i} (fs)`;
      step.fs(A);
      step.fs(B);
    } else if ('hg' in step) {
      label = `step ${i} (hg ${step.hg.join(' ')})`;
      const ra = await hg(A, step.hg, step.cwd);
      const rb = await hg(B, step.hg, step.cwd);
      if (ra.code !== rb.code) problems.push(`${label}: setup exit codes differ: A ${ra.code}, B ${rb.code}: ${rb.stderr.toString()}`);
    } else {
      label = `step ${i} (${step.cwd ? `in ${step.cwd}: ` : ''}${step.run.join(' ')})`;
      const ra = normalize(await hg(A, step.run, step.cwd), A);
      const rb = normalize(await hgkit(B, step.run, step.cwd), B);
      problems.push(...check(label, ra, rb));
      if (TRANSCRIPT) {
        const out = (b: Buffer): string => b.toString().replace(/^/gm, '    ');
        process.stderr.write(`${sc.name} ${label} -> ${ra.code}\n${out(ra.stdout)}${out(ra.stderr)}`);
      }
    }
    // (a file-system step changes nothing a command did: checked at the next command)
    if ('fs' in step && i < sc.steps.length) {
      for (const r of [A, B]) normalizeTimes(r);
      continue;
    }
    // the dirstates as the step left them (before any status records stat
    // data); copies are listed in the dirstate file's order, which is not
    // hg's business: sorted
    const [da, db] = [sortCopies(await hg(A, ['debugstate', '--no-dates'])), sortCopies(await hg(B, ['debugstate', '--no-dates']))];
    problems.push(...check(`${label}: hg debugstate of A and B`, da, db));
    for (const r of [A, B]) normalizeTimes(r);
    // the state of both repositories, as hg sees it; the wlock is held (by
    // "another host") so that neither hg nor hgkit records what the status
    // learns: the dirstates stay what the commands made them
    for (const r of [A, B]) fs.symlinkSync('elsewhere.invalid:1', path.join(r, '.hg', 'wlock'));
    const [sa, sb] = [await hg(A, ['status', '-C']), await hg(B, ['status', '-C'])];
    problems.push(...check(`${label}: hg status -C of A and B`, sa, sb));
    const ta = treeSnapshot(A);
    const tb = treeSnapshot(B);
    if (ta !== tb) problems.push(describeDifference(`${label}: working tree of A and B`, Buffer.from(ta), Buffer.from(tb))!);
    // hgkit's status of B (written by hg and hgkit in turns) after every
    // step, and of A (written by hg alone) at the end
    const last = i === sc.steps.length;
    for (const [r, hs] of (last ? [[A, sa], [B, sb]] : [[B, sb]]) as [string, RunResult][]) {
      const ks = await runStatusCli(['status', '-C'], r);
      problems.push(...check(`${label}: hgkit status -C of ${r === A ? 'A' : 'B'}`, hs, ks));
    }
    for (const r of [A, B]) fs.unlinkSync(path.join(r, '.hg', 'wlock'));
    if (problems.length > 12) break;
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Scenarios

const IGNORE = 'syntax: glob\n*.o\nbuild\n';

const scenarios: Scenario[] = [
  {
    name: 'add: explicit, implicit, ignored, missing, already tracked, subdirectory',
    setup: (d) => {
      write(d, '.hgignore', IGNORE);
      write(d, 'a', 'a\n');
      write(d, 'b', 'bb\n');
      write(d, 'sub/c', 'c\n');
      write(d, 'sub/deep/e', 'e\n');
      write(d, 'x.o', 'object\n');
      write(d, 'build/y', 'built\n');
      write(d, 'build/z', 'built z\n');
      write(d, 'sub/w.o', 'w\n');
    },
    steps: [
      { run: ['add', 'a'] },
      { run: ['add', 'a'] },
      { run: ['add', 'missing', 'b'] },
      { run: ['add', '-n'] },
      { run: ['add', 'sub'] },
      { run: ['add'] },
      { run: ['add', 'x.o'] },
      { run: ['add', 'build'] },
      { run: ['add', 'build/y'] },
      { run: ['add', '-v', 'sub/w.o', 'build/z', 'a'] },
      { hg: ['commit', '-m', 'one', '-d', '0 0'] },
      { fs: (d) => write(d, 'sub/new', 'new\n') },
      { fs: (d) => write(d, 'top', 'top\n') },
      { run: ['add', '../top', 'new', 'nothere'], cwd: 'sub' },
      { fs: (d) => write(d, 'sub/deep/f', 'f\n') },
      { run: ['add'], cwd: 'sub' },
      { run: ['--cwd', 'sub', 'add', '../outside-root/../../x'] },
      { run: ['add', '.hg/hgrc'] },
      { fs: (d) => write(d, 'con.txt', 'windows\n') },
      { fs: (d) => write(d, 'A', 'case\n') },
      { run: ['add', 'con.txt', 'A'] },
      { fs: (d) => write(d, 'g1.txt', '1\n') },
      { fs: (d) => write(d, 'g2.txt', '2\n') },
      { fs: (d) => write(d, 'sub/g3.txt', '3\n') },
      { run: ['add', '-I', '**.txt', '-X', 'sub'] },
      { run: ['add', 'glob:sub/*.txt'] },
      { fs: (d) => fs.mkdirSync(path.join(d, 'emptydir')) },
      { run: ['add', 'emptydir'] },
      { fs: (d) => fs.symlinkSync('a', path.join(d, 'link')) },
      { run: ['add', 'link'] },
      { fs: (d) => fs.symlinkSync('sub', path.join(d, 'dirlink')) },
      { run: ['add', 'dirlink/c'] },
    ],
  },
  {
    name: 'remove / rm: clean, modified, added, missing, untracked, -A, -f, directories',
    setup: (d) => {
      for (const f of ['a', 'b', 'c', 'd', 'e', 'sub/s1', 'sub/s2', 'sub/deep/s3', 'other/o1']) write(d, f, `${f}\n`);
    },
    steps: [
      { hg: ['commit', '-Aqm', 'base', '-d', '0 0'] },
      { fs: (d) => write(d, 'b', 'b changed\n') },
      { fs: (d) => rm(d, 'c') },
      { fs: (d) => write(d, 'n', 'new\n') },
      { hg: ['add', 'n'] },
      { fs: (d) => write(d, 'u', 'untracked\n') },
      { run: ['rm', 'a'] },
      { run: ['rm', 'b'] },
      { run: ['remove', 'n'] },
      { run: ['rm', 'u', 'nonexistent'] },
      { run: ['rm', '-A', 'd'] },
      { run: ['rm', '-A'] },
      { run: ['rm', '-Av'] },
      { run: ['rm', '-n', 'e'] },
      { run: ['rm', '-f', 'b', 'n'] },
      { run: ['rm', 'sub/deep'] },
      { run: ['rm', '-v', 'sub'] },
      { fs: (d) => write(d, 'onlyuntracked/u2', 'u2\n') },
      { run: ['rm', 'onlyuntracked'] },
      { run: ['rm', '../e'], cwd: 'other' },
      { run: ['rm'] },
      { hg: ['commit', '-m', 'removals', '-d', '1 0'] },
      { fs: (d) => write(d, 'f', 'f\n') },
      { hg: ['add', 'f'] },
      { hg: ['commit', '-m', 'f', '-d', '2 0'] },
      { fs: (d) => rm(d, 'other') },
      { run: ['rm', 'other'] },
      { fs: (d) => write(d, 'f', 'f grows\n') },
      { run: ['rm', '-f', 'f'] },
    ],
  },
  {
    name: 'forget: tracked, added, removed, untracked, directories, subdirectory',
    setup: (d) => {
      for (const f of ['a', 'b', 'sub/c', 'sub/d', 'dir/e']) write(d, f, `${f}\n`);
    },
    steps: [
      { hg: ['commit', '-Aqm', 'base', '-d', '0 0'] },
      { fs: (d) => write(d, 'n', 'new\n') },
      { hg: ['add', 'n'] },
      { fs: (d) => write(d, 'u', 'untracked\n') },
      { run: ['forget', 'a', 'n'] },
      { run: ['forget', 'u', 'nothere'] },
      { run: ['forget'] },
      { hg: ['rm', 'b'] },
      { run: ['forget', 'b'] },
      { run: ['forget', '-n', 'sub'] },
      { run: ['forget', 'sub'] },
      { run: ['forget', '-v', '.'], cwd: 'dir' },
      { hg: ['add', 'a', 'n'] },
      { fs: (d) => rm(d, 'a') },
      { run: ['forget', 'a'] },
    ],
  },
  {
    name: 'copy / cp: copies of copies, added sources, -A, -f, collisions, errors, --forget',
    setup: (d) => {
      write(d, 'a', lines(5, 'a'));
      write(d, 'b', lines(3, 'b'));
      write(d, 'x', 'x\n', 0o755);
      write(d, 'd1/p', 'p\n');
      write(d, 'd1/q', 'q\n');
      write(d, 'd1/sub/r', 'r\n');
      write(d, 'd2/keep', 'keep\n');
    },
    steps: [
      { hg: ['commit', '-Aqm', 'base', '-d', '0 0'] },
      { run: ['cp', 'a', 'a2'] },
      { run: ['copy', 'a2', 'a3'] },
      { run: ['cp', '-v', 'x', 'x2'] },
      { fs: (d) => write(d, 'n', 'new\n') },
      { hg: ['add', 'n'] },
      { run: ['cp', 'n', 'n2'] },
      { run: ['cp', 'a', 'b'] },
      { fs: (d) => write(d, 'u', 'untracked\n') },
      { run: ['cp', 'a', 'u'] },
      { run: ['cp', '-f', 'a', 'u'] },
      { run: ['cp', 'u2', 'nope', 'd2'] },
      { fs: (d) => write(d, 'u3', 'untracked 3\n') },
      { run: ['cp', 'u3', 'u4'] },
      { run: ['cp', 'a', 'b', 'notadir'] },
      { run: ['cp', 'a', 'newdir/'] },
      { run: ['cp', 'd1', 'd2'] },
      { run: ['cp', 'd1', 'd3'] },
      { run: ['cp', 'd1/p', 'd2/keep', 'd2/sub'] },
      { fs: (d) => fs.mkdirSync(path.join(d, 'd4')) },
      { run: ['cp', 'd1/p', 'd3/p', 'd4'] },
      { fs: (d) => cp(d, 'b', 'b-copied') },
      { run: ['cp', '-A', 'b', 'b-copied'] },
      { run: ['cp', '-A', 'b', 'b-missing'] },
      { run: ['cp', '-A', 'b', 'a'] },
      { run: ['cp', '-A', '-f', 'b', 'a'] },
      { hg: ['rm', 'x'] },
      { run: ['cp', 'x', 'x3'] },
      { run: ['cp', '../a', 'here'], cwd: 'd1' },
      { run: ['cp', 'glob:d1/*', 'd4'] },
      { run: ['cp', '-n', 'a', 'dry'] },
      { hg: ['rm', 'd2/keep'] },
      { run: ['cp', 'b', 'd2/keep'] },
      { hg: ['forget', 'b-copied'] },
      { run: ['cp', 'a', 'b-copied'] },
      { run: ['cp', '--forget', 'a3', 'd2/d1/p', 'b'] },
      { run: ['cp', '--forget', '-n', 'a2'] },
      { run: ['cp', 'onlyone'] },
      { run: ['cp'] },
      { hg: ['commit', '-m', 'copies', '-d', '1 0'] },
      { fs: (d) => rm(d, 'a') },
      { run: ['cp', 'a', 'a-from-deleted'] },
    ],
  },
  {
    name: 'rename / mv: across directories, rename back, chains, -A, -f',
    setup: (d) => {
      write(d, 'a', lines(4, 'a'));
      write(d, 'b', lines(2, 'b'));
      write(d, 'exec', 'exec\n', 0o755);
      write(d, 'src/one', '1\n');
      write(d, 'src/two', '2\n');
      write(d, 'src/deep/three', '3\n');
      write(d, 'dst/existing', 'e\n');
    },
    steps: [
      { hg: ['commit', '-Aqm', 'base', '-d', '0 0'] },
      { run: ['mv', 'a', 'a1'] },
      { run: ['mv', 'a1', 'a2'] },
      { run: ['mv', 'a2', 'a'] },
      { run: ['rename', 'b', 'dst/b'] },
      { run: ['move', '-v', 'exec', 'src/exec'] },
      { run: ['mv', 'src', 'dst'] },
      { run: ['mv', 'dst/src', 'moved'] },
      { run: ['mv', 'three', '../..'], cwd: 'moved/deep' },
      { fs: (d) => write(d, 'n', 'added\n') },
      { hg: ['add', 'n'] },
      { run: ['mv', 'n', 'n2'] },
      { run: ['mv', 'a', 'dst/existing'] },
      { run: ['mv', '-f', 'a', 'dst/existing'] },
      { run: ['rename', '--forget', 'dst/existing', 'moved/two'] },
      { run: ['rename', '--forget', 'dst'] },
      { fs: (d) => mv(d, 'dst/b', 'b-by-hand') },
      { run: ['mv', '-A', 'dst/b', 'b-by-hand'] },
      { run: ['mv', '-A', 'moved/one', 'not-there'] },
      { run: ['mv', 'nothing', 'x'] },
      { run: ['mv', '-n', 'three', 'three-dry'] },
      { fs: (d) => mv(d, 'moved', 'moved2') },
      { run: ['mv', '-A', 'moved', 'moved2'] },
      { fs: (d) => mv(d, 'moved2', 'dst/moved2') },
      { run: ['mv', '-A', 'moved2', 'dst'] },
      { fs: (d) => mv(d, 'dst/moved2/one', 'dst/one') },
      { fs: (d) => mv(d, 'dst/moved2/two', 'dst/two') },
      { run: ['mv', '-A', 'dst/moved2', 'dst'] },
      { run: ['mv', '-A', 'glob:dst/moved2/*', 'dst'] },
      { hg: ['commit', '-m', 'renames', '-d', '1 0'] },
      { run: ['mv', 'three', 'T'] },
      { run: ['mv', 'T', 'three'] },
      { fs: (d) => rm(d, 'b-by-hand') },
      { run: ['mv', 'b-by-hand', 'b-back'] },
      { run: ['rename', '--forget', 'b-back'] },
    ],
  },
  {
    name: 'addremove: exact and similar renames, forgotten files, -n, subdirectory, patterns',
    setup: (d) => {
      write(d, 'a', lines(20, 'a'));
      write(d, 'b', lines(10, 'b'));
      write(d, 'c', '');
      write(d, 'd', lines(30, 'd'));
      write(d, 'e', lines(8, 'e'));
      write(d, 'sub/f', lines(6, 'f'));
      write(d, 'sub/g', 'g\n');
      write(d, '.hgignore', IGNORE);
    },
    steps: [
      { hg: ['commit', '-Aqm', 'base', '-d', '0 0'] },
      { fs: (d) => mv(d, 'a', 'a-moved') },
      { fs: (d) => rm(d, 'b') },
      { fs: (d) => mv(d, 'c', 'c-moved') },
      { fs: (d) => write(d, 'new', 'new\n') },
      { fs: (d) => write(d, 'new.o', 'ignored\n') },
      { fs: (d) => write(d, 'd2', lines(30, 'd').replace('d line 7\n', 'changed\n')) },
      { fs: (d) => rm(d, 'd') },
      { run: ['addremove', '-n'] },
      { run: ['addremove'], cwd: 'sub' },
      { hg: ['commit', '-m', 'ar', '-d', '1 0'] },
      { fs: (d) => write(d, 'e2', lines(8, 'e').replace('e line 3\n', 'E\n')) },
      { fs: (d) => rm(d, 'e') },
      { fs: (d) => write(d, 'sub/f2', lines(6, 'f') + 'more\n') },
      { fs: (d) => rm(d, 'sub/f') },
      { run: ['addremove', '-s', '50', 'sub'] },
      { run: ['addremove', '-s', '70'] },
      { hg: ['commit', '-m', 'ar2', '-d', '2 0'] },
      { fs: (d) => rm(d, 'sub/g') },
      { fs: (d) => write(d, 'h', 'h\n') },
      { run: ['addremove', '-s', 'x'] },
      { run: ['addremove', '-s', '101'] },
      { run: ['addremove', 'sub/g', 'nothere', 'h'] },
      { hg: ['rm', 'a-moved'] },
      { fs: (d) => write(d, 'a-moved', 'back\n') },
      { run: ['addremove', '-v'] },
      { fs: (d) => write(d, 'z', lines(3, 'z')) },
      { fs: (d) => write(d, 'sub/z', lines(3, 'z')) },
      { run: ['addremove', '-s', '0'] },
    ],
  },
  {
    name: 'edge cases: clashes, aborts part-way, portability, outside the root, odd names, options',
    setup: (d) => {
      write(d, 'clash', 'file\n');
      write(d, 'dir/e', 'e\n');
      write(d, 'keep', 'keep\n');
    },
    steps: [
      { hg: ['commit', '-Aqm', 'base', '-d', '0 0'] },
      { fs: (d) => rm(d, 'clash') },
      { fs: (d) => write(d, 'clash/f', 'f\n') },
      { fs: (d) => write(d, 'aa', 'aa\n') },
      { run: ['add', 'clash/f'] },
      { run: ['add'] },
      { run: ['rm', '-A', 'clash'] },
      { run: ['add', 'clash'] },
      { fs: (d) => rm(d, 'dir') },
      { fs: (d) => write(d, 'dir', 'now a file\n') },
      { run: ['add', 'dir'] },
      { run: ['forget', 'dir'] },
      { run: ['add', 'dir'] },
      { fs: (d) => write(d, 'odd name:x', 'odd\n') },
      { fs: (d) => write(d, 'trailing.', 'dot\n') },
      { fs: (d) => write(d, 'caf\u00e9', 'utf-8 name\n') },
      { fs: (d) => write(d, 'tab\tname', 'tab\n') },
      { run: ['add', '--config', 'ui.portablefilenames=abort', 'odd name:x'] },
      { run: ['add'] },
      { fs: (d) => write(d, 'big', 'x'.repeat(2500)) },
      { run: ['add', '--config', 'ui.large-file-limit=1000', 'big'] },
      { fs: (d) => write(d, 'KEEP', 'other case\n') },
      { run: ['add', '-q', 'KEEP'] },
      { fs: (d) => write(d, 'out', 'o\n') },
      { run: ['-R', 'repo', 'add', 'repo/out'], cwd: '..' },
      { run: ['-R', 'repo', 'add', 'out'], cwd: '..' },
      { run: ['-R', 'repo', 'rm', 'repo/keep'], cwd: '..' },
      { run: ['add', '-S', '-n', 'out'] },
      { run: ['forget', '-i', '-n', 'out'] },
      { run: ['cp', '--at-rev', '.', 'keep', 'k2'] },
      { run: ['rm', '--dry-run', '-v', 'keep'] },
      { fs: (d) => fs.symlinkSync('keep', path.join(d, 'lnk')) },
      { run: ['add', 'lnk'] },
      { hg: ['commit', '-m', 'two', '-d', '1 0'] },
      { run: ['cp', 'lnk', 'lnk2'] },
      { run: ['mv', 'lnk', 'lnk3'] },
      { fs: (d) => fs.mkdirSync(path.join(d, 'tgt')) },
      { run: ['cp', '-I', 'glob:**/f', 'clash', 'aa', 'tgt'] },
      { run: ['cp', '-X', 'clash/f', 'clash', 'tgt'] },
      { fs: (d) => write(d, 'nested/.hg/requires', '') },
      { fs: (d) => write(d, 'nested/inner', 'inner\n') },
      { run: ['add', 'nested/inner'] },
      { run: ['add', 'nested'] },
      { run: ['addremove', '-n'] },
      { run: ['addremove'] },
    ],
  },
  {
    name: 'during a merge: entries from both parents',
    setup: (d) => {
      write(d, 'a', 'a\n');
      write(d, 'b', 'b\n');
      write(d, 'c', 'c\n');
      write(d, 'e', lines(6, 'e'));
    },
    steps: [
      { hg: ['commit', '-Aqm', 'base', '-d', '0 0'] },
      { fs: (d) => write(d, 'a', 'a left\n') },
      { fs: (d) => write(d, 'left-only', 'l\n') },
      { hg: ['commit', '-Aqm', 'left', '-d', '1 0'] },
      { hg: ['update', '-q', '0'] },
      { fs: (d) => write(d, 'b', 'b right\n') },
      { fs: (d) => write(d, 'right-only', 'r\n') },
      { hg: ['commit', '-Aqm', 'right', '-d', '2 0'] },
      { hg: ['merge', '-q', '1'] },
      { run: ['rm', 'c', 'a'] },
      { run: ['rm', '-f', 'a'] },
      { run: ['cp', 'left-only', 'lo2'] },
      { run: ['mv', 'right-only', 'ro2'] },
      { run: ['forget', 'lo2', 'left-only'] },
      { fs: (d) => write(d, 'new', 'new\n') },
      { fs: (d) => mv(d, 'e', 'e-moved') },
      { run: ['addremove'] },
      { run: ['add', 'left-only'] },
      { fs: (d) => rm(d, 'b') },
      { run: ['rm', '-A', '-v'] },
      { hg: ['commit', '-m', 'merge', '-d', '3 0'] },
    ],
  },
  {
    name: 'hg and hgkit in turns on one working copy',
    setup: (d) => {
      write(d, 'a', 'a\n');
      write(d, 'b', 'b\n');
      write(d, 'dir/c', 'c\n');
    },
    steps: [
      { run: ['add', 'a'] },
      { hg: ['add', 'b'] },
      { run: ['forget', 'b'] },
      { hg: ['add'] },
      { hg: ['commit', '-m', 'one', '-d', '0 0'] },
      { run: ['cp', 'a', 'dir/a'] },
      { hg: ['mv', 'dir/a', 'dir/a2'] },
      { run: ['mv', 'dir/a2', 'a3'] },
      { hg: ['rm', 'a3'] },
      { fs: (d) => write(d, 'x', 'x\n') },
      { run: ['add', 'x'] },
      { hg: ['forget', 'x'] },
      { run: ['rm', 'b'] },
      { hg: ['add', 'x'] },
      { hg: ['commit', '-m', 'two', '-d', '1 0'] },
      { run: ['mv', 'dir', 'dir2'] },
      { hg: ['mv', 'dir2/c', 'dir/c'] },
      { run: ['addremove'] },
      { hg: ['forget', 'a'] },
      { run: ['add'] },
      { hg: ['rm', '-A', 'x'] },
      { run: ['add', 'x'] },
      { fs: (d) => write(d, 'x', 'x again\n') },
      { run: ['add', 'x'] },
    ],
  },
];

describe('tracking commands against hg', () => {
  afterAll(() => {
    stopHgServers();
    removeTempDirs();
  });

  for (const sc of scenarios) {
    it(sc.name, async () => {
      const problems = await runScenario(sc);
      expect(problems.join('\n')).toBe('');
    });
  }
});

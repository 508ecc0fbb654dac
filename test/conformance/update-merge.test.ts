// `hgkit update / merge / resolve / revert` against real hg: every scenario
// is played twice from the same script, in repository A with hg doing
// everything and in repository B with hgkit running the command under test
// (hg still does the setup: commits, add, rm, mv...). After every command
// under test:
//  - stdout, stderr and the exit code are hg's;
//  - the working copies are identical byte for byte (file contents,
//    conflict markers, `.orig` backups, symlink targets, exec bits, and no
//    extra or missing file or directory);
//  - `hg status -A -C`, `hg resolve -l`, `hg debugmergestate`, the raw
//    `.hg/merge/*` files, `hg debugstate --no-dates` (see normState) and the
//    dirstate parents and `.hg/branch` agree between A and B;
// and at the end of each scenario the merge (if any) is committed by hg in
// both repositories and `hg log --debug -C -v` must be identical, with
// `hg verify` accepting B.
//
//   npx vitest run test/conformance/update-merge.test.ts   (needs `node scripts/build.mjs`)

import * as fs from 'node:fs';
import * as path from 'node:path';
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

type Env = Record<string, string | undefined>;

/** HGKIT_UM_LOG=<file>: hg's output of every command under test is appended there. */
const LOG = process.env['HGKIT_UM_LOG'];
/** HGKIT_UM_PROCESS=1: hg runs the commands under test as a separate process each time. */
const PROCESS = process.env['HGKIT_UM_PROCESS'] === '1';

type Step =
  /** File-system changes in both working copies. */
  | { fs: (dir: string) => void }
  /** The same hg command in both repositories (setup). */
  | { hg: string[]; code?: number }
  /** hg in A, hgkit in B: same outputs, same resulting state. */
  | { run: string[] | (() => string[]); env?: Env; cwd?: string; input?: string };

interface Scenario {
  name: string;
  steps: Step[];
  /** Commit the result at the end with hg (default: when a merge is in progress). */
  commit?: boolean;
}

// ---------------------------------------------------------------------------
// helpers

function write(dir: string, file: string, data: string | Uint8Array, mode?: number): void {
  const p = path.join(dir, file);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.rmSync(p, { force: true });
  fs.writeFileSync(p, data);
  if (mode !== undefined) fs.chmodSync(p, mode);
}

function symlink(dir: string, file: string, target: string): void {
  const p = path.join(dir, file);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.rmSync(p, { force: true });
  fs.symlinkSync(target, p);
}

function rm(dir: string, file: string): void {
  fs.rmSync(path.join(dir, file), { force: true, recursive: true });
}

const w = (file: string, data: string | Uint8Array, mode?: number): Step => ({ fs: (d) => write(d, file, data, mode) });
const ln = (file: string, target: string): Step => ({ fs: (d) => symlink(d, file, target) });
const del = (file: string): Step => ({ fs: (d) => rm(d, file) });
const chmod = (file: string, mode: number): Step => ({ fs: (d) => fs.chmodSync(path.join(d, file), mode) });
const hg = (...args: string[]): Step => ({ hg: args });
const run = (...args: string[]): Step => ({ run: args });
let commitCounter = 0;
/** hg commit with a fixed date (the same in both repositories). */
const ci = (msg: string, ...more: string[]): Step => ({ hg: ['commit', '-m', msg, '-d', `${++commitCounter} 0`, ...more] });

let takeOther: string | undefined;
/** An external merge tool (args `$local $base $other`) that takes the other side. */
function takeOtherTool(): string {
  if (!takeOther) {
    takeOther = path.join(makeTempDir('hgkit-tool-'), 'take-other.sh');
    fs.writeFileSync(takeOther, '#!/bin/sh\necho "tool: $HG_FILE $HG_MY_LABEL/$HG_OTHER_LABEL/$HG_BASE_LABEL"\ncat "$3" > "$1"\n', { mode: 0o755 });
  }
  return takeOther;
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

function expectText(what: string, a: string, b: string): void {
  if (a !== b) {
    const d = describeDifference(what, Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));
    throw new Error(`${d}\n--- A\n${a}\n--- B\n${b}`);
  }
}

/** The working copy (without .hg): type, exec bit and content of every entry. */
function tree(dir: string): string {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    const ents = fs.readdirSync(d, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    for (const e of ents) {
      if (rel === '' && e.name === '.hg') continue;
      const p = path.join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) out.push(`l ${r} -> ${fs.readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.push(`d ${r}`);
        walk(p, r);
      } else out.push(`${st.mode & 0o100 ? 'x' : 'f'} ${r} ${JSON.stringify(fs.readFileSync(p).toString('latin1'))}`);
    }
  };
  walk(dir, '');
  return out.join('\n');
}

/** `.hg/merge/*` byte for byte (hex). */
function mergeFiles(dir: string): string {
  const m = path.join(dir, '.hg', 'merge');
  if (!fs.existsSync(m)) return '(none)';
  return fs
    .readdirSync(m)
    .sort()
    .map((f) => `${f}: ${fs.readFileSync(path.join(m, f)).toString('hex')}`)
    .join('\n');
}

/**
 * `hg debugstate --no-dates` with what depends on timing blanked: whether
 * an mtime was recorded, and the mode/size of normal entries (recorded or
 * not by the status fixups depending on whether the file's mtime was
 * ambiguous). Merge sizes (-2) stay, as do added/removed/merged entries.
 */
function normState(s: string): string {
  const lines = s.split('\n');
  // copy records come in the order of hg's dict (hgkit writes path order)
  const copies = lines.filter((l) => l.startsWith('copy: ')).sort();
  return [...lines.filter((l) => !l.startsWith('copy: ')), ...copies]
    .map((line) => {
      const m = /^([nmar]) +(\S+) +(-?\d+) (set|unset) +(.*)$/.exec(line);
      if (!m) return line;
      const [, st, mode, size, , name] = m;
      if (st === 'n' && size !== '-2') return `n * * ${name}`;
      return `${st} ${mode} ${size} ${name}`;
    })
    .join('\n');
}

async function hgIn(dir: string, args: string[]): Promise<RunResult> {
  return hgServerFor(dir).run(args);
}

async function compareState(a: string, b: string, where: string): Promise<void> {
  expectText(`working copy ${where}`, tree(a), tree(b));
  for (const args of [['status', '-A', '-C'], ['resolve', '-l'], ['debugmergestate']]) {
    const [ra, rb] = await Promise.all([hgIn(a, args), hgIn(b, args)]);
    expectSame(`hg ${args.join(' ')} ${where}`, ra, rb);
  }
  const [da, db] = await Promise.all([hgIn(a, ['debugstate', '--no-dates']), hgIn(b, ['debugstate', '--no-dates'])]);
  expect(db.code).toBe(da.code);
  expectText(`hg debugstate ${where}`, normState(da.stdout.toString('latin1')), normState(db.stdout.toString('latin1')));
  expectText(`.hg/merge ${where}`, mergeFiles(a), mergeFiles(b));
  const head = (d: string): string => {
    const p = path.join(d, '.hg', 'dirstate');
    return fs.existsSync(p) ? fs.readFileSync(p).subarray(0, 40).toString('hex') : '(none)';
  };
  expectText(`dirstate parents ${where}`, head(a), head(b));
  for (const f of ['bookmarks', 'bookmarks.current']) {
    const rd = (d: string): string => {
      const p = path.join(d, '.hg', f);
      return fs.existsSync(p) ? fs.readFileSync(p).toString('latin1') : '(none)';
    };
    expectText(`.hg/${f} ${where}`, rd(a), rd(b));
  }
  const br = (d: string): string => {
    const p = path.join(d, '.hg', 'branch');
    return fs.existsSync(p) ? fs.readFileSync(p).toString('latin1') : '(none)';
  };
  expectText(`.hg/branch ${where}`, br(a), br(b));
  expect(fs.existsSync(path.join(b, '.hg', 'updatestate')), `.hg/updatestate ${where}`).toBe(fs.existsSync(path.join(a, '.hg', 'updatestate')));
}

async function playScenario(sc: Scenario): Promise<void> {
  const root = makeTempDir('hgkit-um-');
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  for (const d of [a, b]) {
    const r = await runHg(['init', d], { cwd: root });
    expect(r.code).toBe(0);
  }
  let i = 0;
  for (const step of sc.steps) {
    i++;
    if ('fs' in step) {
      step.fs(a);
      step.fs(b);
    } else if ('hg' in step) {
      const [ra, rb] = await Promise.all([hgIn(a, step.hg), hgIn(b, step.hg)]);
      const where = `step ${i} (setup: hg ${step.hg.join(' ')})`;
      expectSame(where, ra, rb);
      expect(ra.code, `${where}\n${show(ra)}`).toBe(step.code ?? 0);
    } else {
      const args = typeof step.run === 'function' ? step.run() : step.run;
      const where = `step ${i}: ${args.join(' ')}`;
      const opts = (d: string) => ({ cwd: step.cwd ? path.join(d, step.cwd) : d, env: step.env, input: step.input ? Buffer.from(step.input) : undefined });
      // hg through its command server when nothing is special (same output as a process: stdin is not a tty there either)
      const [ra, rb] = await Promise.all([
        step.env || step.cwd || PROCESS ? runHg(args, opts(a)) : hgIn(a, args),
        runHgkit(args, opts(b)),
      ]);
      if (LOG) fs.appendFileSync(LOG, `--- ${sc.name} / ${where}\n${show(ra)}`);
      expectSame(where, ra, rb);
      await compareState(a, b, `after ${where}`);
    }
  }
  // commit what is left of a merge and compare the histories
  const [pa] = await Promise.all([hgIn(a, ['log', '-r', 'p2()', '-T', '{node}'])]);
  if (sc.commit ?? pa.stdout.length > 0) {
    const args = ['commit', '-m', 'the merge', '-d', '1000 0'];
    const [ra, rb] = await Promise.all([hgIn(a, args), hgIn(b, args)]);
    expectSame('final commit', ra, rb);
  }
  const log = ['log', '--debug', '-C', '-v'];
  const [la, lb] = await Promise.all([hgIn(a, log), hgIn(b, log)]);
  expectSame('hg log --debug -C -v', la, lb);
  await compareState(a, b, 'at the end');
  const v = await runHg(['verify', '-q'], { cwd: b });
  expect(v.code, `hg verify on B:\n${v.stdout}${v.stderr}`).toBe(0);
}

// ---------------------------------------------------------------------------
// scenarios

/** base: f, g, h; two heads from it. */
function twoHeads(one: Step[], two: Step[]): Step[] {
  return [w('f', 'a\nb\nc\nd\ne\n'), w('g', 'g\n'), w('h', 'h1\nh2\n'), hg('add', '-q'), ci('base'), ...one, ci('one'), hg('update', '-q', '0'), ...two, ci('two')];
}

const scenarios: Scenario[] = [
  {
    name: 'clean merge (changes on both sides, other files)',
    steps: [...twoHeads([w('f', 'A\nb\nc\nd\ne\n'), w('new1', 'n1\n'), hg('add', 'new1')], [w('f', 'a\nb\nc\nd\nE\n'), w('g', 'G\n')]), run('merge'), run('resolve', '-l'), run('commit', '-m', 'merged by hgkit', '-d', '999 0')],
  },
  {
    name: 'merge with conflicts, edited and marked resolved',
    steps: [
      ...twoHeads([w('f', 'a\nB1\nc\nd\ne\n'), w('h', 'h1\nH-one\n')], [w('f', 'a\nB2\nc\nd\ne\n'), w('h', 'h1\nH-two\n')]),
      run('merge'),
      run('resolve', '-l'),
      run('resolve', '-l', '-n'),
      run('commit', '-m', 'x'),
      w('f', 'a\nB\nc\nd\ne\n'),
      run('resolve', '-m', 'f'),
      run('resolve', '-l'),
      run('resolve', '-u', 'f'),
      run('resolve', '-m'),
      run('resolve', '-l'),
    ],
  },
  {
    name: 're-merge with resolve and merge tools',
    steps: [
      ...twoHeads([w('f', 'a\nB1\nc\nd\ne\n'), w('g', 'g1\n')], [w('f', 'a\nB2\nc\nd\ne\n'), w('g', 'g2\n')]),
      run('merge'),
      run('resolve', '--re-merge', 'g', '-t', ':other'),
      run('resolve', '-l'),
      run('resolve', '-a', '-t', ':merge3'),
      run('resolve', '-l'),
      run('resolve', '--all', '-t', ':local'),
      run('resolve', 'nonexistent'),
      run('resolve'),
      run('update', '1'),
    ],
  },
  {
    name: 'rename on one side, edit on the other',
    steps: [...twoHeads([hg('mv', 'f', 'f2'), w('g', 'g-one\n')], [w('f', 'a\nb\nC\nd\ne\n')]), run('merge'), run('status', '-C'), run('commit', '-m', 'merged', '-d', '999 0')],
  },
  {
    name: 'rename on the other side, edit here; copy with edits on both',
    steps: [
      ...twoHeads([w('f', 'a\nb\nc\nd\nE\n'), hg('cp', 'h', 'h3')], [hg('mv', 'f', 'sub/f3'), w('h', 'H1\nh2\n')]),
      run('merge', '--debug'),
    ],
  },
  {
    name: 'deletes against changes and unchanged files',
    steps: [
      ...twoHeads([hg('rm', 'g'), w('h', 'h1\nh2\nh3\n')], [hg('rm', 'h'), w('g', 'G\n'), hg('rm', 'f')]),
      run('merge'),
      run('resolve', '-l'),
      run('resolve', '-a', '-t', ':other'),
      run('resolve', '-l'),
      run('commit', '-m', 'merged', '-d', '999 0'),
    ],
  },
  {
    name: 'flags, symlinks and binary files',
    steps: [
      w('x', 'x\n'),
      w('bin', Buffer.from([0, 1, 2, 3])),
      ln('link', 'f'),
      w('f', 'f\n'),
      hg('add', '-q'),
      ci('base'),
      chmod('x', 0o755),
      w('bin', Buffer.from([0, 1, 2, 4])),
      ci('one'),
      hg('update', '-q', '0'),
      w('bin', Buffer.from([0, 9, 2, 3])),
      ln('link', 'g'),
      w('x', 'x2\n'),
      ci('two'),
      run('merge'),
      run('resolve', '-l'),
      run('update', '-C', '1'),
      run('update', '2'),
    ],
  },
  {
    name: 'update between branches, refusing local changes, -c, -C',
    steps: [
      w('f', '1\n'),
      w('d/a', 'a\n'),
      hg('add', '-q'),
      ci('base'),
      hg('branch', '-q', 'other'),
      w('f', '2\n'),
      w('e/b', 'b\n'),
      hg('add', '-q'),
      hg('rm', 'd/a'),
      ci('on other'),
      run('update', 'default'),
      run('update', 'other'),
      run('update', '0'),
      w('f', 'local\n'),
      run('update', 'other'),
      run('update', '-c', 'other'),
      run('update', '-C', '-c', '1'),
      run('update', '-C', 'other'),
      run('update', 'null'),
      run('update'),
      run('update', '-r', '0', '1'),
      run('checkout', '-r', '0'),
      run('co', 'tip'),
      run('up', '-d', '1970-01-01'),
    ],
  },
  {
    name: 'linear update merging local changes',
    steps: [
      w('f', 'a\nb\nc\nd\ne\n'),
      w('g', 'g\n'),
      hg('add', '-q'),
      ci('base'),
      w('f', 'a\nb\nc\nd\nE\n'),
      w('g', 'g2\n'),
      w('n', 'n\n'),
      hg('add', 'n'),
      ci('next'),
      hg('update', '-q', '0'),
      w('f', 'A\nb\nc\nd\ne\n'),
      w('g', 'g-local\n'),
      w('added', 'x\n'),
      hg('add', 'added'),
      w('n', 'unknown n\n'),
      run('update', 'tip'),
      del('n'),
      run('update', 'tip'),
      run('resolve', '-l'),
      run('update', '0'),
      run('resolve', '-m', 'g'),
      run('update', '0'),
      run('status'),
    ],
    commit: false,
  },
  {
    name: 'merge destinations and refusals',
    steps: [
      w('f', '1\n'),
      hg('add', 'f'),
      ci('base'),
      run('merge'),
      w('f', '2\n'),
      ci('next'),
      run('merge'),
      run('merge', '0'),
      hg('update', '-q', '0'),
      run('merge'),
      w('f', '3\n'),
      ci('head'),
      w('f', 'dirty\n'),
      run('merge'),
      run('merge', '1', '-r', '1'),
      hg('update', '-C', '-q', '2'),
      run('merge', '--abort'),
      run('merge', '-P'),
      run('merge'),
      run('merge', '1'),
      run('update', '0'),
      run('merge', '--abort'),
      run('resolve', '-l'),
    ],
    commit: false,
  },
  {
    name: 'revert of modified, added, removed and deleted files',
    steps: [
      w('m', 'm\n'),
      w('r', 'r\n'),
      w('d', 'd\n'),
      w('dir/a', 'a\n'),
      w('dir/b', 'b\n'),
      w('c', 'c\n'),
      hg('add', '-q'),
      ci('base'),
      hg('mv', 'c', 'c2'),
      w('m', 'changed\n'),
      w('added', 'new\n'),
      hg('add', 'added'),
      hg('rm', 'r'),
      del('d'),
      w('dir/a', 'a2\n'),
      w('unknown', '?\n'),
      run('revert'),
      run('revert', '-n', '--all'),
      run('revert', 'm', 'nonexist', 'unknown'),
      run('revert', 'dir'),
      run('revert', '-C', 'added'),
      run('revert', '--all'),
      w('m', 'again\n'),
      run('revert', '-C', '-v', 'm'),
      w('dir/b', 'b2\n'),
      ci('second'),
      run('revert', '-r', '0', 'dir/b', 'added'),
      run('revert', '-r', '0', '--all'),
      { run: ['revert', '.'], cwd: 'dir' },
    ],
  },
  {
    name: 'update across heads refuses local changes',
    steps: [
      ...twoHeads([w('f', 'a\nb\nc\nd\nE\n')], [w('g', 'G\n')]),
      w('h', 'local\n'),
      run('update', '1'),
      run('update', '-m', '1'),
      run('status'),
    ],
    commit: false,
  },
  {
    name: 'named branches and several heads as merge destinations',
    steps: [
      w('f', '1\n'),
      hg('add', 'f'),
      ci('base'),
      hg('branch', '-q', 'feature'),
      w('g', 'g\n'),
      hg('add', 'g'),
      ci('feature work'),
      hg('update', '-q', 'default'),
      run('merge'),
      w('f', '2\n'),
      ci('default work'),
      run('merge'),
      hg('update', '-q', '0'),
      w('f', '3\n'),
      ci('second head'),
      hg('update', '-q', '0'),
      w('f', '4\n'),
      ci('third head'),
      run('merge'),
      run('merge', 'feature'),
      run('resolve', '-l'),
    ],
  },
  {
    name: 'untracked files in the way, and both sides creating a file',
    steps: [
      w('f', 'f\n'),
      hg('add', 'f'),
      ci('base'),
      w('new', 'one\n'),
      w('same', 'same\n'),
      w('both', 'one\nx\n'),
      hg('add', 'new', 'same', 'both'),
      ci('one'),
      hg('update', '-q', '0'),
      w('both', 'two\nx\n'),
      hg('add', 'both'),
      ci('two'),
      w('new', 'untracked\n'),
      w('same', 'same\n'),
      run('merge'),
      del('new'),
      run('merge', '--debug'),
      run('resolve', '-l'),
    ],
  },
  {
    name: 'directory rename on one side, new file in it on the other',
    steps: [
      w('dir/a', 'a\n'),
      w('dir/b', 'b\n'),
      hg('add', '-q'),
      ci('base'),
      hg('mv', 'dir', 'moved'),
      ci('one'),
      hg('update', '-q', '0'),
      w('dir/c', 'c\n'),
      hg('add', 'dir/c'),
      w('dir/a', 'a2\n'),
      ci('two'),
      run('merge', '-v'),
      run('status', '-C'),
      run('commit', '-m', 'merged', '-d', '999 0'),
    ],
  },
  {
    name: 'divergent renames and rename against delete',
    steps: [
      w('f', 'f\n'),
      w('g', 'g\n'),
      hg('add', '-q'),
      ci('base'),
      hg('mv', 'f', 'f-one'),
      hg('mv', 'g', 'g-one'),
      ci('one'),
      hg('update', '-q', '0'),
      hg('mv', 'f', 'f-two'),
      hg('rm', 'g'),
      ci('two'),
      run('merge'),
      run('status', '-C'),
    ],
  },
  {
    name: 'update merging a local change into a deleted file, and local deletes',
    steps: [
      w('f', 'f\n'),
      w('g', 'g\n'),
      w('k', 'k\n'),
      hg('add', '-q'),
      ci('base'),
      hg('rm', 'f'),
      w('g', 'g2\n'),
      w('k', 'k2\n'),
      ci('next'),
      hg('update', '-q', '0'),
      w('f', 'f-local\n'),
      del('g'),
      hg('rm', 'k'),
      run('update', '1'),
      run('resolve', '-l'),
      run('status'),
      run('resolve', '-a', '-t', ':local'),
      run('update', '-C', '0'),
      run('status'),
    ],
    commit: false,
  },
  {
    name: 'criss-cross merge (bid merge)',
    steps: [
      w('f', '1\n2\n3\n'),
      w('g', 'g\n'),
      hg('add', '-q'),
      ci('base'),
      w('f', '1\n2\n3\n4\n'),
      ci('a1'),
      hg('update', '-q', '0'),
      w('f', '0\n1\n2\n3\n'),
      ci('b1'),
      hg('merge', '-q', '1'),
      ci('merge b1+a1'),
      hg('update', '-q', '1'),
      hg('merge', '-q', '2'),
      ci('merge a1+b1'),
      w('g', 'g-x\n'),
      ci('a2'),
      hg('update', '-q', '3'),
      w('f', '0\n1\n2\n3\n4\n5\n'),
      ci('b2'),
      run('merge', '-v'),
    ],
  },
  {
    name: 'external merge tools from HGMERGE and --tool',
    steps: [
      ...twoHeads([w('f', 'a\nB1\nc\nd\ne\n'), w('g', 'g1\n'), w('h', 'h-one\n')], [w('f', 'a\nB2\nc\nd\ne\n'), w('g', 'g2\n'), w('h', 'h-two\n')]),
      { run: ['merge'], env: { HGMERGE: 'true' } },
      run('resolve', '-l'),
      { run: ['resolve', '-a', '-u'] },
      { run: ['resolve', 'f'], env: { HGMERGE: 'false' } },
      { run: () => ['resolve', 'g', '--tool', takeOtherTool()] },
      { run: ['resolve', 'h', '--tool', 'internal:fail'] },
      run('resolve', '-l'),
      { run: ['resolve', '-a', '--tool', ':union'] },
    ],
  },
  {
    name: 'symlink and exec conflicts, merge from a subdirectory',
    steps: [
      ln('link', 'target0'),
      w('sub/x', 'x\n'),
      w('sub/y', 'y\n'),
      hg('add', '-q'),
      ci('base'),
      ln('link', 'target1'),
      chmod('sub/x', 0o755),
      w('sub/y', 'y1\n'),
      ci('one'),
      hg('update', '-q', '0'),
      ln('link', 'target2'),
      w('sub/x', 'x2\n'),
      chmod('sub/x', 0o755),
      w('sub/y', 'y2\n'),
      ci('two'),
      { run: ['merge'], cwd: 'sub' },
      { run: ['resolve', '-l'], cwd: 'sub' },
      { run: ['resolve', '-m', 'y'], cwd: 'sub' },
      { run: ['resolve', '-l', '.'], cwd: 'sub' },
      run('resolve', '-a', '-t', ':other'),
    ],
  },
  {
    name: 'revert during a merge and of renames',
    steps: [
      ...twoHeads([hg('mv', 'f', 'f2'), w('g', 'g1\n')], [w('h', 'H\n')]),
      run('merge'),
      run('revert', 'g'),
      run('revert', '-r', '.', 'g'),
      run('revert', '--all'),
      run('revert', '-r', '2', '--all'),
      run('status', '-C'),
      hg('update', '-C', '-q', '1'),
      hg('mv', 'f2', 'f3'),
      run('revert', 'f3'),
      run('revert', 'f2'),
      run('status', '-C'),
    ],
    commit: false,
  },
  {
    name: 'bare update with other heads, and bookmarks',
    steps: [
      w('f', '1\n'),
      hg('add', 'f'),
      ci('base'),
      w('f', '2\n'),
      ci('next'),
      hg('update', '-q', '0'),
      w('f', '3\n'),
      ci('other head'),
      hg('update', '-q', '0'),
      run('update'),
      hg('bookmark', 'book'),
      w('f', '4\n'),
      ci('on book'),
      run('update', '0'),
      run('update', 'book'),
      hg('update', '-q', '2'),
      hg('bookmark', '-f', 'book'),
      run('update'),
      hg('bookmark', 'second'),
      hg('update', '-q', '0'),
      hg('bookmark', '-i'),
      hg('update', '-q', 'second'),
      run('update', '1'),
      run('update'),
    ],
    commit: false,
  },
  {
    name: "hgkit resolves hg's merge state",
    steps: [
      ...twoHeads([w('f', 'a\nB1\nc\nd\ne\n'), w('g', 'g1\n'), hg('rm', 'h')], [w('f', 'a\nB2\nc\nd\ne\n'), w('g', 'g2\n'), w('h', 'h1\nh2-two\n')]),
      { hg: ['merge'], code: 1 },
      run('resolve', '-l'),
      run('resolve', '-m', 'g'),
      run('resolve', 'h', '-t', ':local'),
      run('resolve', '-a'),
      run('resolve', '-l'),
      w('f', 'fixed\n'),
      run('resolve', '-m', '-v'),
      run('commit', '-m', 'merged', '-d', '999 0'),
    ],
  },
  {
    name: 'update with an uncommitted rename',
    steps: [
      w('f', 'a\nb\nc\nd\ne\n'),
      w('g', 'g\n'),
      hg('add', '-q'),
      ci('base'),
      w('f', 'a\nb\nc\nd\nE\n'),
      w('g', 'g2\n'),
      ci('next'),
      hg('update', '-q', '0'),
      hg('mv', 'f', 'f2'),
      hg('cp', 'g', 'g2'),
      w('f2', 'A\nb\nc\nd\ne\n'),
      run('update', '--debug', '1'),
      run('status', '-C'),
      run('update', '0'),
      run('status', '-C'),
    ],
    commit: false,
  },
  {
    name: 'resolve and revert refusals',
    steps: [
      ...twoHeads([w('f', 'a\nB1\nc\nd\ne\n'), w('sub/k', 'k\n'), hg('add', 'sub/k')], [w('f', 'a\nB2\nc\nd\ne\n')]),
      run('resolve', '-l'),
      run('resolve', '-m'),
      run('resolve', '-l', '-m'),
      run('resolve', '--all', 'f'),
      run('merge'),
      { run: ['resolve', '-m', 'f'], cwd: 'sub' },
      { run: ['resolve', '-l', 'f'], cwd: 'sub' },
      run('revert', 'f'),
      run('revert'),
      run('revert', '-r', '1', '-d', '1970-01-01'),
      run('resolve', '-m', 'nonexistent'),
      run('resolve', '-u'),
      run('update', '-C', '.'),
      run('revert', '-r', '1'),
      run('revert', '-r', '1', 'nothere', 'sub'),
    ],
    commit: false,
  },
];

describe('update, merge, resolve and revert against hg', () => {
  afterAll(() => {
    stopHgServers();
    removeTempDirs();
  });
  for (const sc of scenarios) {
    it(sc.name, async () => {
      await playScenario(sc);
    }, 120_000);
  }
});

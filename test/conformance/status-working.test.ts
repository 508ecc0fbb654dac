// `hgkit status` on the working copy against real `hg status`, byte for byte
// (stdout, stderr, exit code):
//  - a generated tree with .hgignore (glob and regexp sections), symlinks and
//    exec files goes through rounds of random edits (content, same-size
//    content, mtime-only, exec bit, file <-> symlink, file -> directory,
//    deletions of files and directories, unknown and ignored files, hg add,
//    rm, forget, cp, mv, nested repositories, case-only renames), and after
//    each round every flag combination, path arguments, patterns, -I/-X, a
//    subdirectory cwd and --rev are compared;
//  - the hard cases one by one: mtimes in the future and the past (what is
//    recorded), an unreadable directory (run as an unprivileged user), a
//    merge in progress, a file replaced by a directory or a symlink;
//  - what hgkit writes back to the dirstate is what hg writes (`hg
//    debugstate`), and hg reads it.
//
//   npx vitest run test/conformance/status-working.test.ts

import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HG_BIN,
  describeDifference,
  hgServerFor,
  makeTempDir,
  removeTempDirs,
  runHg,
  stopHgServer,
  stopHgServers,
  testEnv,
  type RunResult,
} from '../helpers/hg.js';
import { removeStatusCli, runStatusCli, statusCli } from './status-working-cli.js';

const GEN = String.raw`
import os, random, sys
random.seed(int(sys.argv[1]))
dirs = ['', 'src', 'src/lib', 'src/lib/deep', 'docs', 'tmp', 'build', 'a-b', 'a', 'a/b', 'x.y', 'caf\xc3\xa9'.encode('latin1').decode('utf8')]
for d in dirs:
    if d: os.makedirs(d, exist_ok=True)
n = 0
for d in dirs:
    for i in range(random.randint(3, 9)):
        name = random.choice(['f', 'file', 'g', 'READ', 'a', 'b.txt', 'c.c', 'x.log', 'data']) + str(i)
        p = os.path.join(d, name) if d else name
        with open(p, 'wb') as fh:
            fh.write(os.urandom(random.randint(0, 3)) + (b'line %d\n' % i) * random.randint(0, 30))
        if random.random() < 0.15: os.chmod(p, 0o755)
        n += 1
os.symlink('f0', 'link-f0')
os.symlink('src/lib', 'link-dir')
os.symlink('does-not-exist', 'dangling')
with open('.hgignore', 'w') as fh:
    fh.write('syntax: glob\n*.o\nbuild\n*.pyc\n# comment\nsyntax: regexp\n^tmp/.*\\.log$\n(?i)\\.bak$\n')
with open('starts\x01bin', 'wb') as fh: fh.write(b'\x01\nnot meta\n')
`;

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isRealDir(repo: string, p: string): boolean {
  try {
    return fs.lstatSync(path.join(repo, p)).isDirectory();
  } catch {
    return false;
  }
}

function sh(cmd: string, cwd: string): void {
  const r = spawnSync('bash', ['-c', cmd], { cwd, env: testEnv() });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr.toString()}`);
}

async function hgCmd(repo: string, args: string[]): Promise<RunResult> {
  return hgServerFor(repo).run(args);
}

function check(what: string, hg: RunResult, hk: RunResult): string[] {
  const problems: string[] = [];
  if (hg.code !== hk.code) problems.push(`${what}: exit code hg ${hg.code}, hgkit ${hk.code}\n  hgkit stderr: ${hk.stderr.toString().slice(0, 500)}`);
  const d1 = describeDifference(`${what}: stdout`, hg.stdout, hk.stdout);
  if (d1) problems.push(d1);
  const d2 = describeDifference(`${what}: stderr`, hg.stderr, hk.stderr);
  if (d2) problems.push(d2);
  return problems;
}

/**
 * hgkit first (it may record stat data, which hg then reads), then hg.
 * `parallel`: hgkit walks part of the tree on its helper thread whatever
 * the tree's size.
 */
async function compare(repo: string, args: string[], parallel = false): Promise<string[]> {
  const env = parallel ? { HGKIT_STATUS_PARALLEL_MIN: '0', HGKIT_STATUS_WORKERS: '1' } : undefined;
  const hk = await runStatusCli(['status', ...args], repo, env);
  const hg = await hgCmd(repo, ['status', ...args]);
  // hg audits file arguments against the file system when it turns them
  // into patterns (pathutil.canonpath), before status: that belongs to the
  // command's pattern handling, not to the working-copy status compared here
  if (hg.code === 255 && /^abort: path '.*' (traverses symbolic link|is inside nested repo) /.test(hg.stderr.toString())) return [];
  return check(`status ${args.join(' ')}${parallel ? ' (helper thread)' : ''}`, hg, hk);
}

// ---------------------------------------------------------------------------
// random edits

interface Tree {
  files: string[];
  dirs: string[];
}

function listTree(repo: string): Tree {
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(repo, rel), { withFileTypes: true })) {
      if (rel === '' && e.name === '.hg') continue;
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (fs.existsSync(path.join(repo, p, '.hg'))) continue;
        dirs.push(p);
        walk(p);
      } else files.push(p);
    }
  };
  walk('');
  return { files: files.sort(), dirs: dirs.sort() };
}

async function randomEdits(repo: string, r: () => number, count: number): Promise<string[]> {
  const log: string[] = [];
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(r() * xs.length)] : undefined);
  for (let i = 0; i < count; i++) {
    const t = listTree(repo);
    // .hgignore is left alone: a long-lived hg command server parses it (and
    // warns about it) once; its own test runs hg as separate processes
    const regular = t.files.filter((f) => f !== '.hgignore' && fs.lstatSync(path.join(repo, f)).isFile());
    const f = pick(regular);
    const abs = (p: string): string => path.join(repo, p);
    const k = Math.floor(r() * 22);
    try {
      switch (k) {
        case 0:
        case 1:
          if (f) {
            fs.appendFileSync(abs(f), 'more\n');
            log.push(`append ${f}`);
          }
          break;
        case 2:
        case 3:
          if (f) {
            // same size, other content
            const b = fs.readFileSync(abs(f));
            if (b.length > 0) {
              b[Math.floor(r() * b.length)] ^= 1;
              fs.writeFileSync(abs(f), b);
              log.push(`same-size ${f}`);
            }
          }
          break;
        case 4:
          if (f) {
            fs.writeFileSync(abs(f), fs.readFileSync(abs(f)));
            log.push(`rewrite-same ${f}`);
          }
          break;
        case 5:
          if (f) {
            const mode = fs.statSync(abs(f)).mode;
            fs.chmodSync(abs(f), mode & 0o100 ? 0o644 : 0o755);
            log.push(`chmod ${f}`);
          }
          break;
        case 6:
          if (f) {
            fs.unlinkSync(abs(f));
            log.push(`rm ${f}`);
          }
          break;
        case 7: {
          const d = pick(t.dirs.filter((x) => !x.startsWith('a/b')));
          if (d && r() < 0.3) {
            fs.rmSync(abs(d), { recursive: true });
            log.push(`rm -r ${d}`);
          }
          break;
        }
        case 8:
        case 9: {
          const d = pick(['', ...t.dirs, 'newdir', 'newdir/sub']) ?? '';
          const p = (d ? d + '/' : '') + pick(['u', 'unknown.txt', 'n.c', 'Z'])! + Math.floor(r() * 100);
          fs.mkdirSync(path.dirname(abs(p)), { recursive: true });
          fs.writeFileSync(abs(p), 'u\n');
          log.push(`unknown ${p}`);
          break;
        }
        case 10: {
          const d = pick(['', ...t.dirs, 'build/sub', 'tmp']) ?? '';
          const p = (d ? d + '/' : '') + pick(['x.o', 'y.pyc', 'z.BAK', 'q.log', 'plain'])!;
          fs.mkdirSync(path.dirname(abs(p)), { recursive: true });
          fs.writeFileSync(abs(p), 'ign\n');
          log.push(`maybe-ignored ${p}`);
          break;
        }
        case 11:
          if (f) {
            const target = pick(t.files) ?? 'x';
            fs.unlinkSync(abs(f));
            fs.symlinkSync(path.relative(path.dirname(abs(f)), abs(target)), abs(f));
            log.push(`symlink ${f}`);
          }
          break;
        case 12: {
          const l = pick(t.files.filter((x) => fs.lstatSync(abs(x)).isSymbolicLink()));
          if (l) {
            fs.unlinkSync(abs(l));
            fs.writeFileSync(abs(l), 'was a link\n');
            log.push(`unlink ${l}`);
          }
          break;
        }
        case 13:
          if (f && r() < 0.5) {
            fs.unlinkSync(abs(f));
            fs.mkdirSync(abs(f));
            fs.writeFileSync(abs(f) + '/inside', 'in\n');
            log.push(`file->dir ${f}`);
          }
          break;
        case 14: {
          const u = pick(t.files);
          if (u) {
            await hgCmd(repo, ['add', '-q', u]);
            log.push(`hg add ${u}`);
          }
          break;
        }
        case 15: {
          const u = pick(t.files);
          if (u) {
            await hgCmd(repo, [r() < 0.5 ? 'forget' : 'rm', '-q', ...(r() < 0.5 ? ['-f'] : []), u]);
            log.push(`hg rm/forget ${u}`);
          }
          break;
        }
        case 16:
          if (f) {
            const dst = f + '.copy' + Math.floor(r() * 10);
            await hgCmd(repo, ['cp', '-q', f, dst]);
            log.push(`hg cp ${f} ${dst}`);
          }
          break;
        case 17:
          if (f) {
            const dst = pick(['moved', 'src/moved', 'newplace/x'])! + Math.floor(r() * 10);
            await hgCmd(repo, ['mv', '-q', f, dst]);
            log.push(`hg mv ${f} ${dst}`);
          }
          break;
        case 18:
          if (f) {
            const s = Math.floor(Date.now() / 1000) - 3600 * (1 + Math.floor(r() * 48));
            fs.utimesSync(abs(f), s, s);
            log.push(`touch-past ${f}`);
          }
          break;
        case 19: {
          const d = pick(['nested', 'src/nested'])!;
          if (!fs.existsSync(abs(d))) {
            sh(`${HG_BIN} init '${d}' && echo n > '${d}/inner' && mkdir -p '${d}/deep' && echo n > '${d}/deep/f'`, repo);
            log.push(`nested repo ${d}`);
          }
          break;
        }
        case 20:
          if (f) {
            const base = path.basename(f);
            const up = path.join(path.dirname(f), base.toUpperCase() === base ? base.toLowerCase() : base.toUpperCase());
            if (up !== f && !fs.existsSync(abs(up))) {
              fs.renameSync(abs(f), abs(up));
              log.push(`case-rename ${f}`);
            }
          }
          break;
        case 21: {
          const d = pick(t.dirs.filter((x) => x !== 'src'));
          if (d && r() < 0.3) {
            fs.rmSync(abs(d), { recursive: true });
            fs.symlinkSync('src', abs(d));
            log.push(`dir->symlink ${d}`);
          }
          break;
        }
      }
    } catch (e) {
      log.push(`(skipped: ${(e as Error).message.split('\n')[0]})`);
    }
  }
  return log;
}

const FLAG_SETS: string[][] = [
  [],
  ['-A'],
  ['-mardu'],
  ['-c'],
  ['-i'],
  ['-n', '-0', '-A'],
  ['-C'],
  ['-A', '-C'],
  ['-q'],
  ['-m'],
  ['-d', '-r'],
];

let top: string;
let repo: string;

beforeAll(async () => {
  await statusCli();
  top = makeTempDir('hgkit-status-wd-');
  repo = path.join(top, 'repo');
  fs.mkdirSync(repo);
  const g = spawnSync('/usr/bin/python3', ['-c', GEN, '7'], { cwd: repo, env: testEnv() });
  if (g.status !== 0) throw new Error(g.stderr.toString());
  sh(`${HG_BIN} init . && ${HG_BIN} add -q && ${HG_BIN} commit -q -m base -d '1 0' && ${HG_BIN} rm -q docs && ${HG_BIN} commit -q -m second -d '2 0'`, repo);
}, 300_000);

afterAll(() => {
  stopHgServers();
  removeTempDirs();
  removeStatusCli();
});

describe('random edits', () => {
  // HGKIT_STATUS_ROUNDS / HGKIT_STATUS_SEED run longer or other sequences
  const rounds = Number(process.env['HGKIT_STATUS_ROUNDS'] ?? 7);
  const seed = Number(process.env['HGKIT_STATUS_SEED'] ?? 42);
  it(`${rounds} rounds of edits, every flag set, path arguments, --rev`, async () => {
    const r = rng(seed);
    const problems: string[] = [];
    for (let round = 0; round < rounds && problems.length === 0; round++) {
      const log = round === 0 ? ['(clean tree)'] : await randomEdits(repo, r, 3 + Math.floor(r() * 6));
      // a fresh hg command server: a long-lived one can keep a stale .hgignore
      // (hg's filecache misses a same-size rewrite within the same second)
      stopHgServer(repo);
      const t = listTree(repo);
      const pickPath = (): string => {
        const all = [...t.files, ...t.dirs, 'nope', 'src/nope', 'src/lib/nope/x'];
        return all[Math.floor(r() * all.length)]!;
      };
      const cases: string[][] = [
        ...FLAG_SETS,
        ['-A', pickPath()],
        [pickPath(), pickPath()],
        ['-A', 'glob:**.c'],
        ['-mardu', 're:.*\\.txt$'],
        ['-A', '-I', 'glob:src/**', '-X', 'glob:**/deep/**'],
        // (--cwd into something that is not a directory is the CLI's business, not status')
        ...(isRealDir(repo, 'src') ? [['-A', '--cwd', 'src', '..', 'lib']] : []),
        ...(isRealDir(repo, 'a') ? [['-A', '--cwd', 'a', '../' + pickPath()]] : []),
        ['--rev', '0', '-A', '-C'],
        ['--rev', '1'],
        ['-A', 'path:src', 'rootfilesin:a'],
      ];
      for (const args of cases) {
        const p = await compare(repo, args);
        if (p.length) problems.push(`round ${round} after [${log.join('; ')}]:\n  ${p.join('\n  ')}`);
        if (problems.length) break;
      }
      // the same walk split with a helper thread
      for (const args of [[], ['-A'], ['-i', '-u']]) {
        if (problems.length) break;
        const p = await compare(repo, args, true);
        if (p.length) problems.push(`round ${round} after [${log.join('; ')}]:\n  ${p.join('\n  ')}`);
      }
    }
    expect(problems).toEqual([]);
  }, 600_000);
});

// ---------------------------------------------------------------------------
// hard cases, each on a small repository of its own

async function smallRepo(name: string, script: string): Promise<string> {
  const dir = path.join(top, name);
  fs.mkdirSync(dir);
  sh(`set -e; ${HG_BIN} init .; ${script}`, dir);
  return dir;
}

async function expectSame(dir: string, argsList: string[][]): Promise<void> {
  const problems: string[] = [];
  for (const args of argsList) problems.push(...(await compare(dir, args)));
  expect(problems).toEqual([]);
}

describe('hard cases', () => {
  it('records stat data like hg: past and far-future mtimes, not the near future', async () => {
    const script = `
      for f in past future far; do echo "$f" > $f; done
      ${HG_BIN} add -q; ${HG_BIN} commit -q -m c -d '0 0'
      touch -d '2 days ago' past; touch -d '+1 hour' future; touch -d '+3 days' far
    `;
    const a = await smallRepo('mtimes-hgkit', script);
    sh(`cp -a '${a}' '${a}-hg'`, top);
    const b = `${a}-hg`;
    const hk = await runStatusCli(['status', '-A'], a);
    const hg = await runHg(['status', '-A'], { cwd: b });
    expect(check('status -A', hg, hk)).toEqual([]);
    // same recorded entries (mtime "set"/"unset") as hg wrote for the same files
    const dsHk = await runHg(['debugstate', '--nodates'], { cwd: a });
    const dsHg = await runHg(['debugstate', '--nodates'], { cwd: b });
    expect(dsHk.stdout.toString()).toBe(dsHg.stdout.toString());
    expect(dsHk.stdout.toString()).toMatch(/unset {15}future/);
    expect(dsHk.stdout.toString()).toMatch(/set {17}past/);
    // and hg agrees with what hgkit wrote
    await expectSame(a, [['-A'], ['-mardu']]);
  });

  it('same size, other content, recorded mtime equal: compares contents only when the mtime says so', async () => {
    const dir = await smallRepo(
      'same-size',
      `printf 'aaaa\\n' > f; printf 'bbbb\\n' > g; ${HG_BIN} add -q; ${HG_BIN} commit -q -m c -d '0 0'
       touch -d '1 hour ago' f g; ${HG_BIN} status -q`,
    );
    // f changes but keeps its size and (restored) mtime: stat data cannot see it, like hg
    const st = fs.statSync(path.join(dir, 'f'));
    fs.writeFileSync(path.join(dir, 'f'), 'xxxx\n');
    fs.utimesSync(path.join(dir, 'f'), st.atime, st.mtime);
    // g changes with a new mtime: looked up, modified
    fs.writeFileSync(path.join(dir, 'g'), 'yyyy\n');
    await expectSame(dir, [['-A'], ['-m']]);
  });

  it('content comparison of committed copies and of files starting with \\1\\n (filectx.cmp)', async () => {
    const dir = await smallRepo(
      'copymeta',
      `printf 'base\\n' > a; printf '\\001\\nlooks like meta\\n' > m; printf '\\001\\n' > m2; ${HG_BIN} add -q; ${HG_BIN} commit -q -m c0 -d '0 0'
       ${HG_BIN} cp a a2; ${HG_BIN} cp m mcopy; ${HG_BIN} mv m2 m3; ${HG_BIN} commit -q -m c1 -d '1 0'
       printf 'base\\n' > a2; printf 'basX\\n' > a; printf '\\001\\nlooks like meta\\n' > mcopy; printf '\\001\\n' > m3; printf '\\001\\nlooks like metA\\n' > m`,
    );
    // contents unchanged or changed at the same size: every file is a lookup (no recorded mtime)
    await expectSame(dir, [['-A'], ['--rev', '0', '-A', '-C'], ['-m']]);
  });

  it('exec bit and symlink flips, file replaced by a directory or a symlink', async () => {
    const dir = await smallRepo(
      'flips',
      `echo a > ex; echo b > noex; chmod +x noex; echo c > tolink; ln -s ex link; echo d > todir; ln -s ex samesize
       echo e > tolink2; ${HG_BIN} add -q; ${HG_BIN} commit -q -m c -d '0 0'
       chmod +x ex; chmod -x noex; rm tolink; ln -s noex tolink; rm link; echo ex > link
       rm todir; mkdir todir; echo x > todir/f; rm samesize; ln -s ex samesize; rm tolink2; mkdir tolink2`,
    );
    await expectSame(dir, [[], ['-A'], ['todir'], ['todir/f'], ['tolink2'], ['-A', 'link', 'samesize']]);
  });

  it('a merge in progress, copies and removals', async () => {
    const dir = await smallRepo(
      'merge',
      `printf '1\\n2\\n3\\n' > both; echo a > a; echo b > b; echo c > c; ${HG_BIN} add -q; ${HG_BIN} commit -q -m base -d '0 0'
       sed -i 1s/1/one/ both; echo a2 >> a; ${HG_BIN} cp b b2; ${HG_BIN} commit -q -m left -d '1 0'
       ${HG_BIN} up -q 0; sed -i 3s/3/three/ both; echo n > new; ${HG_BIN} add -q new; ${HG_BIN} rm -q c; ${HG_BIN} commit -q -m right -d '2 0'
       ${HG_BIN} merge -q 1; ${HG_BIN} rm -q -f a; ${HG_BIN} cp new new2`,
    );
    await expectSame(dir, [[], ['-A', '-C'], ['--rev', '0', '-A', '-C'], ['--rev', '1', '-C'], ['--rev', '2', '-C']]);
  });

  it('nested repositories and ignored directories with tracked files', async () => {
    const dir = await smallRepo(
      'nested',
      `mkdir -p build sub; echo t > build/tracked; echo s > sub/f; printf 'syntax: glob\\nbuild\\n' > .hgignore
       ${HG_BIN} add -q; ${HG_BIN} add -q build/tracked; ${HG_BIN} commit -q -m c -d '0 0'
       echo x > build/other; echo more >> build/tracked; ${HG_BIN} init sub; echo y > sub/g; ${HG_BIN} init inner; echo z > inner/h`,
    );
    // (\`status inner/h\` aborts in hg's pattern canonicalization, before status: not this module's)
    await expectSame(dir, [[], ['-A'], ['-i'], ['-m'], ['build'], ['sub'], ['inner'], ['build/other'], ['-i', 'build/other']]);
  });

  it('an unreadable directory is reported and skipped (unprivileged user)', async () => {
    const dir = await smallRepo(
      'unreadable',
      `mkdir -p sec/deep open; echo s > sec/f; echo d > sec/deep/g; echo o > open/f; ${HG_BIN} add -q; ${HG_BIN} commit -q -m c -d '0 0'
       echo u > sec/unknown; chmod -R a+rX .; chmod 000 sec; chmod 711 open; chmod a+rwx .hg`,
    );
    // both tools run as nobody: the root user reads everything
    fs.chmodSync(top, 0o755);
    const [node, script] = await statusCli();
    fs.chmodSync(path.dirname(script!), 0o755);
    const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    const problems: string[] = [];
    for (const args of [['status'], ['status', '-A'], ['status', 'sec'], ['status', 'sec/f']]) {
      const env = testEnv();
      const run = (cmd: string[]): RunResult => {
        const r = spawnSync(asNobody[0]!, [...asNobody.slice(1), ...cmd], { cwd: dir, env });
        return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
      };
      problems.push(...check(args.join(' '), run([HG_BIN, ...args]), run([node!, script!, ...args])));
    }
    fs.chmodSync(path.join(dir, 'sec'), 0o755);
    expect(problems).toEqual([]);
  });

  it('explicit paths: missing, outside the tracked set, a directory, a fifo', async () => {
    const dir = await smallRepo(
      'explicit',
      `mkdir -p d/e; echo a > d/e/f; echo b > top; ${HG_BIN} add -q; ${HG_BIN} commit -q -m c -d '0 0'; mkfifo fifo; rm top`,
    );
    await expectSame(dir, [['nope'], ['d/nope', 'd/e'], ['top'], ['fifo'], ['-A', 'd', 'top', 'nope'], ['-A', '--cwd', 'd', 'e', '../top']]);
  });

  it('broken or unreadable .hgignore: warnings and aborts as hg (separate hg processes)', async () => {
    const dir = await smallRepo('badignore', `echo a > a.o; echo b > b; echo c > c.tmp`);
    const problems: string[] = [];
    for (const text of ['syntax: bogus\n\\.tmp$\n', 're:(unclosed\n', 'include:missing\nsyntax: glob\n*.o\n', 'foo\\q\n', null]) {
      fs.rmSync(path.join(dir, '.hgignore'), { recursive: true, force: true });
      if (text === null) fs.mkdirSync(path.join(dir, '.hgignore'));
      else fs.writeFileSync(path.join(dir, '.hgignore'), text);
      for (const args of [['status'], ['status', '-A'], ['status', '-m']]) {
        const hk = await runStatusCli(args, dir);
        const hg = await runHg(args, { cwd: dir });
        problems.push(...check(`${JSON.stringify(text)}: ${args.join(' ')}`, hg, hk));
      }
    }
    expect(problems).toEqual([]);
  });

  it('after hgkit records clean files, the next status needs no lookups and hg agrees', async () => {
    const dir = await smallRepo(
      'writeback',
      `for i in 1 2 3 4 5; do echo $i > f$i; done; ${HG_BIN} add -q; ${HG_BIN} commit -q -m c -d '0 0'; touch -d '1 minute ago' f*`,
    );
    sh(`cp -a '${dir}' '${dir}-hg'`, top);
    await runStatusCli(['status'], dir);
    await runHg(['status'], { cwd: `${dir}-hg` });
    const a = fs.readFileSync(path.join(dir, '.hg/dirstate'));
    const b = fs.readFileSync(path.join(`${dir}-hg`, '.hg/dirstate'));
    // hg and hgkit both write the entries in path order here: the files are identical
    expect(Buffer.compare(a, b)).toBe(0);
    // hg sees no wlock left behind, and no temporary files remain
    expect(fs.readdirSync(path.join(dir, '.hg')).filter((n) => n.startsWith('.') || n === 'wlock')).toEqual([]);
    await expectSame(dir, [['-A']]);
  });

  it('does not write the dirstate while another process holds the wlock', async () => {
    const dir = await smallRepo('locked', `echo a > f; ${HG_BIN} add -q; ${HG_BIN} commit -q -m c -d '0 0'; touch -d '1 minute ago' f`);
    const before = fs.readFileSync(path.join(dir, '.hg/dirstate'));
    // a live process's lock (this test process)
    fs.symlinkSync(`${require_hostPrefix()}:${process.pid}`, path.join(dir, '.hg/wlock'));
    const r = await runStatusCli(['status', '-A'], dir);
    expect(r.stdout.toString()).toBe('C f\n');
    expect(Buffer.compare(fs.readFileSync(path.join(dir, '.hg/dirstate')), before)).toBe(0);
    fs.unlinkSync(path.join(dir, '.hg/wlock'));
  });
});

function require_hostPrefix(): string {
  const host = spawnSync('hostname', []).stdout.toString().trim();
  try {
    return `${host}/${fs.statSync('/proc/self/ns/pid', { bigint: true }).ino.toString(16)}`;
  } catch {
    return host;
  }
}

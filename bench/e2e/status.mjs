#!/usr/bin/env node
// Working-copy status benchmark (issue 5): `hgkit status`, `hg status` and
// `git status` as whole processes on generated trees of 10,000, 100,000 and
// 300,000 files (one commit), each also as a git repository of the same files.
//
//   npm run bench:status                           # 10000,100000,300000; writes docs/benchmarks.md
//   node bench/e2e/status.mjs --sizes 10000,100000 --runs 7
//   node bench/e2e/status.mjs --sizes 10000 --no-write --no-profile
//
// Options:
//   --sizes N,N      tree sizes in files (default 10000,100000,300000)
//   --runs N         timed runs per case and contender (default 9; 5 for the fresh-checkout case)
//   --only a,b       cases: clean, modified, subdir, fresh
//   --write / --no-write   write "## Working-copy status (npm run bench:status)" of docs/benchmarks.md
//   --no-profile     skip the CPU profile of hgkit's clean status
//
// Layout: d00..d99 (100 top directories, so one of them is 1% of the tree), each
// with N/10,000 subdirectories of 100 files (`d07/s03/f1234.txt`, ~60 bytes each).
// Trees are generated once and cached under bench/.work/status-<N>/ (git-ignored):
// hg/ (hg init, hg commit -A; dirstate v1, hg's default) and git/ (git add, commit).
//
// Cases (contenders alternate, the first one rotating each round):
//   clean     status of an unmodified tree whose dirstate/index has the stat data
//   modified  100 files modified (spread over the tree; each a size change)
//   subdir    `status d42`: one top directory, 1% of the tree (git: `status -- d42`)
//   fresh     the first status after a fresh checkout: a dirstate without stat data
//             (hg debugrebuilddirstate: every file must be compared by content) copied
//             back before each run; for git, an index without stat data (git read-tree
//             HEAD) copied back before each run.
//   clean-v2, subdir-v2   clean and `status d42` on a copy of the hg repository upgraded
//             to dirstate-v2 (hg debugupgraderepo; hg runs with
//             storage.dirstate-v2.slow-path=allow: no Rust); git as in clean/subdir.
// git runs `git status --porcelain` (no ahead/behind, no hints), hg and hgkit plain `status`.
//
// hgkit's own processing per file: a --cpu-prof profile of one clean status of the
// largest tree: the samples in system-call functions (lstat, readdir, open, read, ...)
// are subtracted from the profile's total; the rest (JavaScript, GC, module loading)
// divided by the number of files.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GIT, HG, HGKIT_BIN, NODE, REPO_ROOT, WORK_DIR, benchEnv, hgkitBuilt, machineInfo, runChecked as run } from '../lib/env.mjs';
import { replaceSection, table, textTable } from '../lib/markdown.mjs';
import { closeTiming, formatMs, formatRatio, runOnce, summarize } from '../lib/timing.mjs';
import { selfTimes } from '../lib/cpuprofile.mjs';

const SECTION = '## Working-copy status (npm run bench:status)';
const DOC = path.join(REPO_ROOT, 'docs', 'benchmarks.md');
const GEN_VERSION = 1;
const CASES = ['clean', 'modified', 'subdir', 'fresh', 'clean-v2', 'subdir-v2'];
const SLOW = ['--config', 'storage.dirstate-v2.slow-path=allow'];

function parseArgs(argv) {
  const opts = { sizes: [10_000, 100_000, 300_000], runs: 9, only: undefined, write: true, profile: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const name = a.split('=')[0];
    if (name === '--sizes') opts.sizes = value().split(',').map((s) => Number(s.replace(/_/g, '')));
    else if (name === '--runs') opts.runs = Number(value());
    else if (name === '--only') opts.only = value().split(',').filter(Boolean);
    else if (name === '--write') opts.write = true;
    else if (name === '--no-write') opts.write = false;
    else if (name === '--no-profile') opts.profile = false;
    else if (name === '--help' || name === '-h') {
      console.log('usage: node bench/e2e/status.mjs [--sizes 10000,100000,300000] [--runs N] [--only clean,modified,subdir,fresh] [--write|--no-write] [--no-profile]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (opts.sizes.some((n) => !Number.isInteger(n) || n < 10_000 || n % 10_000 !== 0)) throw new Error('--sizes: multiples of 10000');
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error('--runs: a positive integer');
  for (const c of opts.only ?? []) if (!CASES.includes(c)) throw new Error(`--only: unknown case ${c}`);
  return opts;
}

function log(msg) {
  process.stderr.write(`[bench:status] ${msg}\n`);
}


export function statusFilePath(i, files) {
  const subs = files / 10_000;
  const top = i % 100;
  const sub = Math.floor(i / 100) % subs;
  return `d${String(top).padStart(2, '0')}/s${String(sub).padStart(2, '0')}/f${i}.txt`;
}

function content(i, v = 0) {
  return `file ${i}, version ${v}: the quick brown fox\n`;
}

function writeTree(dir, files) {
  const made = new Set();
  for (let i = 0; i < files; i++) {
    const p = statusFilePath(i, files);
    const d = path.dirname(p);
    if (!made.has(d)) {
      mkdirSync(path.join(dir, d), { recursive: true });
      made.add(d);
    }
    writeFileSync(path.join(dir, p), content(i));
  }
}

/** The 100 files the `modified` case changes: spread over the tree. */
function modifiedSet(files) {
  const out = [];
  const step = Math.floor(files / 100);
  for (let k = 0; k < 100; k++) out.push(k * step + (k % 97));
  return out;
}

function ensureTree(files) {
  const root = path.join(WORK_DIR, `status-${files}`);
  const stampFile = path.join(root, 'stamp.json');
  const stamp = JSON.stringify({ GEN_VERSION, files });
  const hgDir = path.join(root, 'hg');
  const gitDir = path.join(root, 'git');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return { root, hgDir, gitDir };
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  let t0 = Date.now();
  writeTree(hgDir, files);
  log(`${files}: wrote the hg tree (${Date.now() - t0} ms)`);
  t0 = Date.now();
  run(HG, ['init'], { cwd: hgDir });
  run(HG, ['commit', '-q', '-A', '-d', '1600000000 0', '-u', 'Bench User <bench@example.com>', '-m', 'import'], { cwd: hgDir });
  log(`${files}: hg commit -A (${Date.now() - t0} ms)`);
  t0 = Date.now();
  writeTree(gitDir, files);
  run(GIT, ['init', '-q', '-b', 'main'], { cwd: gitDir });
  run(GIT, ['add', '-A'], { cwd: gitDir });
  run(GIT, ['-c', 'user.name=Bench User', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'import'], { cwd: gitDir });
  log(`${files}: git add + commit (${Date.now() - t0} ms)`);
  // pristine "fresh checkout" state: no stat data
  run(HG, ['debugrebuilddirstate'], { cwd: hgDir });
  copyFileSync(path.join(hgDir, '.hg', 'dirstate'), path.join(root, 'hg-dirstate-nostat'));
  run(GIT, ['read-tree', 'HEAD'], { cwd: gitDir });
  copyFileSync(path.join(gitDir, '.git', 'index'), path.join(root, 'git-index-nostat'));
  writeFileSync(stampFile, stamp);
  return { root, hgDir, gitDir };
}

/** A copy of the hg repository with dirstate-v2 (made once, cached beside it). */
function ensureV2(t) {
  const dir = path.join(t.root, 'hg-v2');
  const req = path.join(dir, '.hg', 'requires');
  if (existsSync(req) && readFileSync(req, 'utf8').includes('dirstate-v2')) return dir;
  rmSync(dir, { recursive: true, force: true });
  run('cp', ['-a', t.hgDir, dir]);
  run(HG, ['debugupgraderepo', '--run', '--no-backup', '--config', 'format.use-dirstate-v2=yes', ...SLOW], { cwd: dir });
  return dir;
}

/** Settles both trees: stat data recorded (a status after the clock moved on). */
function settle(hgDir, gitDir) {
  spawnSync('sleep', ['1.1']);
  run(HG, ['status'], { cwd: hgDir });
  run(GIT, ['status', '--porcelain'], { cwd: gitDir });
  // hg records nothing for mtimes in the same second as the status' start: once more
  run(HG, ['status'], { cwd: hgDir });
}

function setModified(t, files, on) {
  for (const i of modifiedSet(files)) {
    const p = statusFilePath(i, files);
    for (const dir of [t.hgDir, t.gitDir]) {
      const f = path.join(dir, p);
      writeFileSync(f, on ? content(i) + 'modified\n' : content(i));
    }
  }
}

/** Alternating runs with an untimed setup before each run. */
function timeCase(contenders, runs) {
  const res = {};
  for (const c of contenders) {
    c.setup?.();
    const warm = runOnce(c, { capture: true });
    if (warm.code !== 0) throw new Error(`${c.name}: exit ${warm.code}: ${warm.stderr.toString()}`);
    res[c.name] = { samples: [], out: warm.stdout };
  }
  for (let round = 0; round < runs; round++) {
    for (let j = 0; j < contenders.length; j++) {
      const c = contenders[(round + j) % contenders.length];
      c.setup?.();
      const r = runOnce(c);
      if (r.code !== 0) throw new Error(`${c.name}: exit ${r.code}: ${r.stderr.toString()}`);
      res[c.name].samples.push(r.ms);
    }
  }
  for (const c of contenders) Object.assign(res[c.name], summarize(res[c.name].samples));
  return res;
}

function lines(buf) {
  return buf.toString('latin1').split('\n').filter(Boolean).length;
}

function benchSize(files, opts) {
  log(`tree of ${files} files`);
  const t = ensureTree(files);
  settle(t.hgDir, t.gitDir);
  const rows = [];
  const want = (c) => !opts.only || opts.only.includes(c);
  const contenders = (hgArgs, gitArgs, setupHg, setupGit, hgDir = t.hgDir, hgOpts = []) => [
    { name: 'hgkit', cmd: NODE, args: [HGKIT_BIN, 'status', ...hgArgs], cwd: hgDir, setup: setupHg },
    { name: 'hg', cmd: HG, args: [...hgOpts, 'status', ...hgArgs], cwd: hgDir, setup: setupHg },
    { name: 'git', cmd: GIT, args: ['status', '--porcelain', ...gitArgs], cwd: t.gitDir, setup: setupGit },
  ];
  const record = (key, label, res, runs) => {
    const same = res.hgkit.out.equals(res.hg.out);
    rows.push({ key, label, runs, files, hgkit: res.hgkit.median, hg: res.hg.median, git: res.git.median, same, lines: lines(res.hg.out), gitLines: lines(res.git.out) });
    log(`  ${label}: hgkit ${formatMs(res.hgkit.median)}  hg ${formatMs(res.hg.median)}  git ${formatMs(res.git.median)}  (${same ? 'same output as hg' : 'OUTPUT DIFFERS FROM hg'})`);
  };
  if (want('clean')) record('clean', 'clean tree', timeCase(contenders([], []), opts.runs), opts.runs);
  if (want('subdir')) record('subdir', 'status d42 (1% of the tree)', timeCase(contenders(['d42'], ['--', 'd42']), opts.runs), opts.runs);
  if (want('modified')) {
    setModified(t, files, true);
    try {
      spawnSync('sleep', ['1.1']);
      record('modified', '100 files modified', timeCase(contenders([], []), opts.runs), opts.runs);
    } finally {
      setModified(t, files, false);
      settle(t.hgDir, t.gitDir);
    }
  }
  if (want('fresh')) {
    const runs = Math.min(opts.runs, 5);
    const hgState = path.join(t.hgDir, '.hg', 'dirstate');
    const gitIndex = path.join(t.gitDir, '.git', 'index');
    const saveHg = readFileSync(hgState);
    const saveGit = readFileSync(gitIndex);
    try {
      record(
        'fresh',
        'first status after a fresh checkout',
        timeCase(
          contenders(
            [],
            [],
            () => copyFileSync(path.join(t.root, 'hg-dirstate-nostat'), hgState),
            () => copyFileSync(path.join(t.root, 'git-index-nostat'), gitIndex),
          ),
          runs,
        ),
        runs,
      );
    } finally {
      writeFileSync(hgState, saveHg);
      writeFileSync(gitIndex, saveGit);
    }
  }
  if (want('clean-v2') || want('subdir-v2')) {
    const v2 = ensureV2(t);
    spawnSync('sleep', ['1.1']);
    run(HG, [...SLOW, 'status'], { cwd: v2 });
    run(HG, [...SLOW, 'status'], { cwd: v2 });
    if (want('clean-v2')) record('clean-v2', 'clean tree, dirstate-v2', timeCase(contenders([], [], undefined, undefined, v2, SLOW), opts.runs), opts.runs);
    if (want('subdir-v2'))
      record('subdir-v2', 'status d42, dirstate-v2', timeCase(contenders(['d42'], ['--', 'd42'], undefined, undefined, v2, SLOW), opts.runs), opts.runs);
  }
  return { files, rows, hgDir: t.hgDir };
}

// --- the CPU profile ---------------------------------------------------------

const SYSCALLS = new Set([
  'lstat', 'stat', 'fstat', 'readdir', 'open', 'openSync', 'close', 'read', 'readFileUtf8', 'writeFileUtf8', 'writeString',
  'writeBuffer', 'writeBuffers', 'rename', 'unlink', 'utimes', 'futimes', 'mkdir', 'rmdir', 'readlink', 'realpath', 'access',
  'existsSync', 'internalModuleStat', 'readFileSync', 'lstatSync', 'statSync', 'readdirSync', 'fstatSync', 'closeSync',
  'readSync', 'writeSync', 'renameSync', 'unlinkSync', 'utimesSync', 'readlinkSync', 'realpathSync', 'chmod', 'fchmod', 'link',
  'symlink', 'copyFile', 'ftruncate', 'fsync', 'fdatasync',
]);

function profileHgkit(hgDir, files) {
  const dir = path.join(WORK_DIR, `status-profile-${files}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const env = benchEnv({ HGKIT_STATUS_WORKERS: '0' });
  // warm the page cache and settle the dirstate first
  run(NODE, [HGKIT_BIN, 'status'], { cwd: hgDir, env });
  const results = [];
  for (let k = 0; k < 3; k++) {
    const sub = path.join(dir, String(k));
    mkdirSync(sub);
    const t0 = process.hrtime.bigint();
    run(NODE, ['--cpu-prof', '--cpu-prof-dir', sub, '--cpu-prof-interval', '100', HGKIT_BIN, 'status'], { cwd: hgDir, env });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const file = readdirSync(sub).find((n) => n.endsWith('.cpuprofile'));
    results.push({ wall, ...analyzeProfile(path.join(sub, file)) });
  }
  results.sort((a, b) => a.nonSyscall - b.nonSyscall);
  return { files, ...results[1], runs: results.length };
}

function analyzeProfile(file) {
  const { byId, self } = selfTimes(file);
  let total = 0;
  let idle = 0;
  let sys = 0;
  let gc = 0;
  let program = 0;
  const hot = new Map();
  for (const [id, ms] of self) {
    const n = byId.get(id);
    const fn = n.callFrame.functionName;
    if (fn === '(idle)') {
      idle += ms;
      continue;
    }
    total += ms;
    if (fn === '(garbage collector)') gc += ms;
    else if (fn === '(program)') program += ms;
    else if (SYSCALLS.has(fn) && (n.callFrame.url === '' || n.callFrame.url.startsWith('node:'))) sys += ms;
    else {
      const key = `${fn || '(anonymous)'} ${path.basename(n.callFrame.url)}`;
      hot.set(key, (hot.get(key) ?? 0) + ms);
    }
  }
  const top = [...hot].sort((a, b) => b[1] - a[1]).slice(0, 8);
  return { total, idle, sys, gc, program, nonSyscall: total - sys, top };
}

// --- report --------------------------------------------------------------------

function render(results, profile, info, opts) {
  const headers = ['files', 'case', 'hgkit', 'hg', 'git', 'hgkit / hg', 'hgkit / git', 'same as hg'];
  const rows = [];
  for (const r of results) {
    for (const row of r.rows) {
      rows.push([
        r.files.toLocaleString('en-US'),
        row.label,
        formatMs(row.hgkit),
        formatMs(row.hg),
        formatMs(row.git),
        formatRatio(row.hgkit, row.hg),
        formatRatio(row.hgkit, row.git),
        row.same ? 'yes' : 'NO',
      ]);
    }
  }
  let md = '';
  md += `Medians of ${opts.runs} alternating runs (5 for the fresh-checkout case) of whole processes, the first contender rotating each round; `;
  md += `hgkit = \`bin/hgkit status\` (the CLI bundle), hg = \`hg status\` (${info.hg}, C extensions, no Rust), git = \`git status --porcelain\` (${info.git}) on a git repository of the same files. `;
  md += `Trees: 100 top directories \`d00\`–\`d99\` of 100-file subdirectories, one commit; dirstate v1 (hg's default) except in the dirstate-v2 rows (a copy upgraded with \`hg debugupgraderepo\`; hg there is the pure-Python v2 reader, \`storage.dirstate-v2.slow-path=allow\`). `;
  md += `"fresh checkout": a dirstate without stat data (\`hg debugrebuilddirstate\`; every file compared by content) or a git index without stat data (\`git read-tree HEAD\`) copied back before each run. `;
  md += `Targets at 100,000 files (issue 5): ≤ 0.5× hg and ≤ 1.0× git.\n\n`;
  md += `Machine: ${info.cpu}, ${info.os}, node ${info.node}; load average at the start ${info.load} (shared machine: compare ratios, not absolute times).\n\n`;
  md += table(headers, rows, 'llrrrrrc');
  if (profile) {
    const p = profile;
    md += `\n**hgkit's own processing per file** (\`node --cpu-prof\`, 0.1 ms sampling, clean status of the ${p.files.toLocaleString('en-US')}-file tree, helper thread off, median of ${p.runs} profiles): `;
    md += `${p.total.toFixed(0)} ms of CPU samples in the process, of which ${p.sys.toFixed(0)} ms in system-call functions (lstat, readdir, open/read...), `;
    md += `${p.gc.toFixed(0)} ms GC, ${p.program.toFixed(0)} ms "(program)" (native code outside JavaScript: module compilation, bootstrap); `;
    md += `everything but the system calls = ${p.nonSyscall.toFixed(0)} ms = **${((p.nonSyscall * 1000) / p.files).toFixed(2)} µs per file**; `;
    md += `JavaScript alone (without GC and "(program)") ${(((p.nonSyscall - p.gc - p.program) * 1000) / p.files).toFixed(2)} µs per file. `;
    md += `Wall time of the profiled run ${formatMs(p.wall)}. Heaviest JavaScript functions (self time): `;
    md += p.top.map(([k, ms]) => `\`${k.trim()}\` ${ms.toFixed(1)} ms`).join(', ') + '.\n';
  }
  return { md, text: textTable(headers, rows) };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!hgkitBuilt()) throw new Error('build the CLI first: node scripts/build.mjs');
  const info = await machineInfo();
  log(`load average ${info.load}`);
  const results = [];
  for (const files of opts.sizes) results.push(benchSize(files, opts));
  closeTiming();
  let profile;
  if (opts.profile) {
    const largest = results.reduce((a, b) => (b.files > a.files ? b : a));
    log(`profiling hgkit status on ${largest.files} files`);
    profile = profileHgkit(largest.hgDir, largest.files);
    log(`  ${profile.nonSyscall.toFixed(0)} ms not in system calls = ${((profile.nonSyscall * 1000) / largest.files).toFixed(2)} µs/file (sys ${profile.sys.toFixed(0)} ms)`);
  }
  const { md, text } = render(results, profile, info, opts);
  process.stdout.write(text);
  writeFileSync(path.join(WORK_DIR, 'status-results.json'), JSON.stringify({ info, opts, results, profile }, null, 1));
  if (opts.write) {
    replaceSection(DOC, SECTION, md);
    log(`wrote ${path.relative(REPO_ROOT, DOC)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

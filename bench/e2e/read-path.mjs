#!/usr/bin/env node
// Read-path benchmark (issue 2): hgkit vs hg vs git as whole processes on generated
// repositories of 10,000 and 100,000 files with 50 commits.
//
//   npm run bench                                   # both sizes, 10 runs, writes docs/benchmarks.md
//   node bench/e2e/read-path.mjs --sizes 10000 --runs 5
//   node bench/e2e/read-path.mjs --only manifest,status --sizes 100000
//
// Options:
//   --sizes N,N     repository sizes in files (default 10000,100000)
//   --runs N        timed runs per command (default 10; verify uses fewer: 5, or 2 from 50k files)
//   --only a,b      only these commands: manifest, manifest-debug, log, cat, log-file, status, verify, version
//   --commits N     history length (default 50)
//   --write / --no-write
//                   write the "## Read path (npm run bench)" section of docs/benchmarks.md
//                   (default: write unless --only is given)
//
// Repositories are generated once and cached under bench/.work/read-<files>-<commits>/
// (git-ignored): first the git repository (git fast-import), then the hg one (real hg,
// one commit per step; a few minutes at 100k files). Raw results go to
// bench/.work/read-path-results.json.

import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GIT, HG, HGKIT_BIN, NODE, REPO_ROOT, WORK_DIR, hgkitBuilt, machineInfo } from '../lib/env.mjs';
import { ensureRepos, gitCommitIds, planHistory } from '../lib/gen-repo.mjs';
import { replaceSection, table, textTable } from '../lib/markdown.mjs';
import { closeTiming, compare, formatMs, formatRatio } from '../lib/timing.mjs';

const SECTION = '## Read path (npm run bench)';
const DOC = path.join(REPO_ROOT, 'docs', 'benchmarks.md');

function parseArgs(argv) {
  const opts = { sizes: [10_000, 100_000], runs: 10, only: undefined, commits: 50, write: undefined };
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
    else if (name === '--commits') opts.commits = Number(value());
    else if (name === '--write') opts.write = true;
    else if (name === '--no-write') opts.write = false;
    else if (name === '--help' || name === '-h') {
      console.log('usage: node bench/e2e/read-path.mjs [--sizes 10000,100000] [--runs N] [--only cmd,...] [--commits N] [--write|--no-write]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (opts.sizes.some((n) => !Number.isInteger(n) || n < 100)) throw new Error('--sizes: integers >= 100');
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error('--runs: a positive integer');
  if (!Number.isInteger(opts.commits) || opts.commits < 12) throw new Error('--commits: at least 12');
  opts.write ??= opts.only === undefined;
  return opts;
}

// kind: 'work' = commands that do real work (targets: <= 0.25x hg, <= 1.5x git);
// 'startup' = commands hg spends mostly starting up (<= 0.6x hg); 'version' = start-up alone.
function commandsFor(ctx) {
  const { hot, revA, revB, gitA, gitB } = ctx;
  return [
    { key: 'manifest', label: 'manifest -r tip', kind: 'work', hg: ['manifest', '-r', 'tip'], git: ['ls-tree', '-r', '--name-only', 'HEAD'] },
    { key: 'manifest-debug', label: 'manifest --debug', kind: 'work', hg: ['manifest', '--debug'], git: ['ls-tree', '-r', 'HEAD'] },
    { key: 'log', label: 'log -l 50', kind: 'startup', hg: ['log', '-l', '50'], git: ['log', '-n', '50'] },
    { key: 'cat', label: 'cat -r tip FILE', kind: 'startup', hg: ['cat', '-r', 'tip', hot], git: ['show', `HEAD:${hot}`] },
    { key: 'log-file', label: 'log FILE', kind: 'startup', hg: ['log', hot], git: ['log', '--', hot] },
    {
      key: 'status',
      label: `status --rev ${revA} --rev ${revB}`,
      kind: 'work',
      hg: ['status', '--rev', revA, '--rev', revB],
      git: ['diff', '--name-status', gitA, gitB],
      gitLabel: 'diff --name-status A B',
    },
    { key: 'verify', label: 'verify', kind: 'work', hg: ['verify'], git: ['fsck'], fewerRuns: true },
    { key: 'version', label: '--version', kind: 'version', hg: ['--version'], baseline: ['-e', '0'] },
  ];
}

const KEYS = ['manifest', 'manifest-debug', 'log', 'cat', 'log-file', 'status', 'verify', 'version'];

function target(kind) {
  if (kind === 'work') return '≤ 0.25× hg, ≤ 1.5× git';
  if (kind === 'startup') return '≤ 0.6× hg';
  return '≤ node -e 0 + 10 ms';
}

function meets(row) {
  const k = row.hgkit;
  if (!k?.ok) return undefined;
  if (row.kind === 'version') return row.baseline?.ok ? k.median <= row.baseline.median + 10 : undefined;
  const vsHg = row.hg?.ok ? k.median <= (row.kind === 'work' ? 0.25 : 0.6) * row.hg.median : undefined;
  const vsGit = row.kind === 'work' && row.git?.ok ? k.median <= 1.5 * row.git.median : undefined;
  if (vsHg === false || vsGit === false) return false;
  return vsHg ?? vsGit;
}

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

async function benchSize(files, opts, haveHgkit) {
  const root = path.join(WORK_DIR, `read-${files}-${opts.commits}`);
  const plan = planHistory({ files, commits: opts.commits });
  log(`repository of ${files} files, ${opts.commits} commits: ${root}`);
  const { hgDir, gitDir, built } = ensureRepos(root, plan, log);
  if (!built) log('(cached)');
  const ids = gitCommitIds(gitDir);
  const revA = String(opts.commits - 11);
  const revB = String(opts.commits - 1);
  const ctx = { hot: plan.hotPath, revA, revB, gitA: ids[Number(revA)], gitB: ids[Number(revB)] };
  const rows = [];
  for (const c of commandsFor(ctx)) {
    if (opts.only && !opts.only.includes(c.key)) continue;
    const runs = c.fewerRuns ? Math.max(1, Math.min(opts.runs, files >= 50_000 ? 2 : 5)) : opts.runs;
    const contenders = [{ name: 'hg', cmd: HG, args: c.hg, cwd: hgDir }];
    if (haveHgkit) contenders.push({ name: 'hgkit', cmd: NODE, args: [HGKIT_BIN, ...c.hg], cwd: hgDir });
    if (c.git) contenders.push({ name: 'git', cmd: GIT, args: c.git, cwd: gitDir });
    if (c.baseline) contenders.push({ name: 'baseline', cmd: NODE, args: c.baseline, cwd: hgDir });
    log(`${files} files: ${c.label} (${runs} runs)`);
    const res = compare(contenders, {
      runs,
      reference: 'hg',
      warmupCounts: !!c.fewerRuns,
      onProgress: process.stderr.isTTY ? (i, n) => process.stderr.write(`\r\x1b[K  run ${i}/${n}`) : undefined,
    });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    const row = { key: c.key, label: c.label, kind: c.kind, gitArgs: c.git, gitLabel: c.gitLabel, runs, ...res };
    for (const who of ['hg', 'hgkit', 'git', 'baseline']) {
      if (res[who] && !res[who].ok) log(`  ${who} failed (exit ${res[who].code}): ${res[who].error}`);
    }
    if (res.hgkit?.ok && res.hgkit.sameOutputAs === false && c.key !== 'version') log('  hgkit output differs from hg');
    rows.push(row);
    const show = (who) => (res[who]?.ok ? formatMs(res[who].median) : '–');
    log(`  hg ${show('hg')}  hgkit ${show('hgkit')}  ${c.baseline ? 'node -e 0' : 'git'} ${show(c.baseline ? 'baseline' : 'git')}`);
  }
  return { files, commits: opts.commits, hgDir, gitDir, rows };
}

function cells(row, haveHgkit) {
  const t = (r) => (r?.ok ? formatMs(r.median) : r ? 'fails' : '–');
  const k = row.hgkit;
  const hgkitCell = !haveHgkit ? 'not built' : t(k);
  const vsHg = k?.ok && row.hg?.ok ? formatRatio(k.median, row.hg.median) : '–';
  let vsGit = '–';
  let gitCell = t(row.git);
  let gitCmd = row.gitArgs ? `git ${row.gitLabel ?? row.gitArgs.join(' ')}` : '';
  if (row.kind === 'version') {
    gitCmd = 'node -e 0';
    gitCell = t(row.baseline);
    vsGit = k?.ok && row.baseline?.ok ? `${k.median - row.baseline.median >= 0 ? '+' : ''}${formatMs(k.median - row.baseline.median)}` : '–';
  } else if (k?.ok && row.git?.ok) vsGit = formatRatio(k.median, row.git.median);
  const ok = meets(row);
  const same = row.kind === 'version' || !k?.ok ? '' : k.sameOutputAs ? 'same' : 'DIFFERS';
  return [
    `hg ${row.label}`,
    gitCmd,
    t(row.hg),
    hgkitCell,
    gitCell,
    vsHg,
    vsGit,
    target(row.kind),
    ok === undefined ? '' : ok ? 'yes' : 'no',
    same,
  ];
}

const HEADERS = ['command', 'git (or baseline)', 'hg', 'hgkit', 'git', 'hgkit/hg', 'hgkit/git', 'target', 'met', 'output vs hg'];

function markdown(results, opts, info, haveHgkit) {
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const loadEnd = (os.loadavg()).map((l) => l.toFixed(2)).join(' ');
  let md =
    `Generated by \`npm run bench\` (\`bench/e2e/read-path.mjs\`) on ${date}.\n` +
    `Machine: ${info.cpu}, ${info.os}, load average ${info.load} at start, ${loadEnd} at the end ` +
    `(a shared machine: a load above the core count inflates every number). ` +
    `Node ${info.node}, Mercurial ${info.hg}, git ${info.git}.\n\n` +
    `Whole processes, wall time, median of ${opts.runs} runs (verify: fewer, see the table notes) after one untimed ` +
    `warm-up each; hg, hgkit and git alternate in rotating order. Output goes to /dev/null; "output vs hg" compares ` +
    `hgkit's stdout with hg's byte for byte. Repositories: generated files (~200 bytes each) in 37 × 29 directories, ` +
    `${opts.commits} commits, each later commit modifying ~1% of the files plus 5 added and 5 removed; ` +
    `the same history in a git repository built with \`git fast-import\`. ` +
    `"git (or baseline)" names the git command timed in the git column (for --version: a bare \`node -e 0\`). ` +
    `Targets (issue 2, at 100,000 files): real work ≤ 0.25× hg and ≤ 1.5× git; start-up bound ≤ 0.6× hg; ` +
    `\`hgkit --version\` within 10 ms of \`node -e 0\`.\n`;
  if (!haveHgkit) md += '\n**hgkit was not built (dist/cli.js missing): only hg and git were timed.**\n';
  for (const r of results) {
    md += `\n### ${r.files.toLocaleString('en-US')} files, ${r.commits} commits\n\n`;
    md += table(HEADERS, r.rows.map((row) => cells(row, haveHgkit)), 'llrrrrrlcl');
    const few = r.rows.find((row) => row.key === 'verify');
    if (few) md += `\nverify: ${few.runs} run${few.runs === 1 ? '' : 's'} (the warm-up run counts).\n`;
  }
  return md;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.only) {
    const bad = opts.only.filter((k) => !KEYS.includes(k));
    if (bad.length) throw new Error(`--only: unknown ${bad.join(', ')} (known: ${KEYS.join(', ')})`);
  }
  const haveHgkit = hgkitBuilt();
  if (!haveHgkit) log('hgkit is not built (no dist/cli.js; run `node scripts/build.mjs`): timing hg and git only');
  const info = await machineInfo();
  const results = [];
  try {
    for (const files of opts.sizes) results.push(await benchSize(files, opts, haveHgkit));
  } finally {
    closeTiming();
  }
  for (const r of results) {
    process.stdout.write(`\n${r.files} files, ${r.commits} commits (medians)\n`);
    process.stdout.write(textTable(HEADERS, r.rows.map((row) => cells(row, haveHgkit))));
  }
  writeFileSync(
    path.join(WORK_DIR, 'read-path-results.json'),
    JSON.stringify({ date: new Date().toISOString(), opts, info, haveHgkit, results }, null, 1),
  );
  if (opts.write) {
    replaceSection(DOC, SECTION, markdown(results, opts, info, haveHgkit));
    log(`wrote the "${SECTION}" section of ${path.relative(REPO_ROOT, DOC)}`);
  } else log('docs/benchmarks.md not written (--only given or --no-write)');
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});

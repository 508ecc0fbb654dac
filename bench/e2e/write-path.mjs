#!/usr/bin/env node
// Write-path benchmark (issue 4): `commit` with hgkit and with hg as whole processes,
// on copies of the generated repositories of the read-path benchmark (10,000 and
// 100,000 files, 50 commits).
//
//   npm run bench:write                              # both sizes, 5 runs, writes docs/benchmarks.md
//   node bench/e2e/write-path.mjs --sizes 100000 --runs 3 --no-write
//
// Options:
//   --sizes N,N   repository sizes in files (default 10000,100000)
//   --runs N      timed commits per case and tool (default 5)
//   --commits N   history length of the generated repositories (default 50)
//   --cli PATH    the hgkit CLI script to time (default bin/hgkit)
//   --write / --no-write   write the "## Write path (npm run bench:write)" section (default: write)
//
// The generated hg repository (bench/.work/read-<files>-<commits>/hg, shared with the
// read-path benchmark and built by it when missing) is copied twice, once for hg's
// commits and once for hgkit's (bench/.work/write-<files>-<commits>/{hg,hgkit}; plain
// copies, no hard links), and `hg status` is run once in each so that both start from
// a dirstate with valid stat data. Every round changes the same files in both copies,
// then times `hg commit` in one and `hgkit commit` in the other (alternating which goes
// first), with the same message, user and date: the new tips must have the same hash
// ("same hashes"). Cases: one changed file (status walks the whole working copy), one
// changed file named on the command line (status looks at that file only: the cost
// left is the commit's own, which must not grow with the manifest), and 1,000 changed
// files. The copies keep growing by one commit per round; delete bench/.work/write-*
// to start over.

import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HG, HGKIT_BIN, NODE, REPO_ROOT, WORK_DIR, benchEnv, hgkitBuilt, machineInfo } from '../lib/env.mjs';
import { ensureRepos, fileContent, filePath, planHistory } from '../lib/gen-repo.mjs';
import { replaceSection, table, textTable } from '../lib/markdown.mjs';
import { closeTiming, formatMs, formatRatio, runOnce, summarize } from '../lib/timing.mjs';

const SECTION = '## Write path (npm run bench:write)';
const DOC = path.join(REPO_ROOT, 'docs', 'benchmarks.md');
const COPY_VERSION = 1;

function parseArgs(argv) {
  const opts = { sizes: [10_000, 100_000], runs: 5, commits: 50, cli: HGKIT_BIN, write: true };
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
    else if (name === '--commits') opts.commits = Number(value());
    else if (name === '--cli') opts.cli = path.resolve(value());
    else if (name === '--write') opts.write = true;
    else if (name === '--no-write') opts.write = false;
    else if (name === '--help' || name === '-h') {
      console.log('usage: node bench/e2e/write-path.mjs [--sizes 10000,100000] [--runs N] [--commits N] [--cli PATH] [--write|--no-write]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (opts.sizes.some((n) => !Number.isInteger(n) || n < 2000)) throw new Error('--sizes: integers >= 2000');
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error('--runs: a positive integer');
  return opts;
}

function log(msg) {
  process.stderr.write(`[bench:write] ${msg}\n`);
}

function run(cmd, args, cwd) {
  const r = runOnce({ cmd, args, cwd }, { capture: true });
  if (r.code !== 0) throw new Error(`\`${cmd} ${args.join(' ')}\` in ${cwd} exited ${r.code}: ${r.stderr}`);
  return r.stdout.toString();
}

/** The two copies (hg's and hgkit's) of the generated repository, made once. */
function prepareCopies(files, commits) {
  const plan = planHistory({ files, commits });
  const { hgDir } = ensureRepos(path.join(WORK_DIR, `read-${files}-${commits}`), plan, log);
  const root = path.join(WORK_DIR, `write-${files}-${commits}`);
  const stampFile = path.join(root, 'stamp.json');
  const stamp = JSON.stringify({ COPY_VERSION, source: readFileSync(path.join(path.dirname(hgDir), 'stamp.json'), 'utf8') });
  const dirs = { hg: path.join(root, 'hg'), hgkit: path.join(root, 'hgkit') };
  const tipOf = (d) => (existsSync(d) ? runOnce({ cmd: HG, args: ['log', '-r', 'tip', '-T', '{node}'], cwd: d }, { capture: true }).stdout.toString() : '');
  const fresh = existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (fresh && tipOf(dirs.hg) !== tipOf(dirs.hgkit)) log(`the copies have diverged (commits made by hand?): copying again`);
  if (!fresh || tipOf(dirs.hg) !== tipOf(dirs.hgkit)) {
    rmSync(root, { recursive: true, force: true });
    for (const d of Object.values(dirs)) {
      log(`copying ${hgDir} to ${d}`);
      cpSync(hgDir, d, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    }
    writeFileSync(stampFile, stamp);
  }
  // a dirstate with valid stat data on both sides (hg status records it)
  for (const d of Object.values(dirs)) run(HG, ['status', '-q'], d);
  return { plan, dirs, root };
}

/** File indices to change in a round: live files (not removed by the generated history), spread over the tree. */
function pickFiles(plan, count, round) {
  const removed = new Set(plan.commitsList.flatMap((c) => c.remove));
  const out = [];
  const step = Math.max(1, Math.floor(plan.files / count));
  for (let i = (round * 7919) % step; out.length < count && i < plan.files; i += step) {
    let j = i;
    while (j < plan.files && (removed.has(j) || j === plan.hot)) j++;
    if (j < plan.files && !out.includes(j)) out.push(j);
  }
  return out;
}

function cases(plan) {
  return [
    { key: 'one', label: 'commit, 1 changed file', files: 1, named: false, target: 0.3 },
    { key: 'one-named', label: 'commit FILE, 1 changed file named', files: 1, named: true, target: 0.3 },
    { key: 'thousand', label: 'commit, 1,000 changed files', files: 1000, named: false },
  ].map((c) => ({ ...c, plan }));
}

async function benchSize(files, opts) {
  const { plan, dirs } = prepareCopies(files, opts.commits);
  const rows = [];
  let dateBase = Number(run(HG, ['log', '-r', 'tip', '-T', '{date|hgdate}'], dirs.hg).split(' ')[0]) + 1000;
  for (const c of cases(plan)) {
    const samples = { hg: [], hgkit: [] };
    let same = true;
    log(`${files} files: ${c.label} (${opts.runs} runs)`);
    for (let round = 0; round < opts.runs; round++) {
      const picked = pickFiles(plan, c.files, round + rows.length * 97 + dateBase);
      const tag = `${c.key}-${dateBase}`;
      for (const d of Object.values(dirs)) {
        for (const i of picked) writeFileSync(path.join(d, filePath(i)), fileContent(i, 0) + `changed by ${tag}\n`);
      }
      const date = `${dateBase++} 0`;
      const args = ['commit', '-m', `bench ${tag}`, '-d', date, '-u', 'Bench User <bench@example.com>'];
      if (c.named) args.push(...picked.map(filePath));
      const order = round % 2 === 0 ? ['hg', 'hgkit'] : ['hgkit', 'hg'];
      for (const who of order) {
        const r =
          who === 'hg'
            ? runOnce({ cmd: HG, args, cwd: dirs.hg })
            : runOnce({ cmd: NODE, args: [opts.cli, ...args], cwd: dirs.hgkit });
        if (r.code !== 0) throw new Error(`${who} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
        samples[who].push(r.ms);
      }
      const a = run(HG, ['log', '-r', 'tip', '-T', '{node}'], dirs.hg);
      const b = run(HG, ['log', '-r', 'tip', '-T', '{node}'], dirs.hgkit);
      if (a !== b) {
        same = false;
        log(`  round ${round + 1}: different tips: hg ${a}, hgkit ${b}`);
      }
    }
    const hg = summarize(samples.hg);
    const hgkit = summarize(samples.hgkit);
    rows.push({ ...c, plan: undefined, hg: { ...hg, samples: samples.hg }, hgkit: { ...hgkit, samples: samples.hgkit }, same });
    log(`  hg ${formatMs(hg.median)}  hgkit ${formatMs(hgkit.median)}  (${formatRatio(hgkit.median, hg.median)})${same ? '' : '  DIFFERENT HASHES'}`);
  }
  rows.push(benchUpdate(dirs, opts));
  const verify = runOnce({ cmd: HG, args: ['verify', '-q'], cwd: dirs.hgkit }, { capture: true });
  if (verify.code !== 0) log(`hg verify of hgkit's copy failed: ${verify.stderr}`);
  return { files, commits: opts.commits, rows, verified: verify.code === 0 };
}

/**
 * `update` from the null revision to tip (a full checkout), each tool in its
 * own copy, alternating; the copies are emptied with `hg update null` untimed.
 * "same" here: both working copies are clean (hg status) after every run.
 */
function benchUpdate(dirs, opts) {
  const runs = Math.min(opts.runs, 3);
  const samples = { hg: [], hgkit: [] };
  let same = true;
  log(`update null -> tip (${runs} runs)`);
  for (let round = 0; round < runs; round++) {
    const order = round % 2 === 0 ? ['hg', 'hgkit'] : ['hgkit', 'hg'];
    for (const who of order) {
      const d = dirs[who];
      run(HG, ['update', '-q', 'null'], d);
      const args = ['update', '-q', 'tip'];
      const r = who === 'hg' ? runOnce({ cmd: HG, args, cwd: d }) : runOnce({ cmd: NODE, args: [opts.cli, ...args], cwd: d });
      if (r.code !== 0) throw new Error(`${who} update exited ${r.code}: ${r.stderr}`);
      samples[who].push(r.ms);
      if (run(HG, ['status'], d) !== '') same = false;
    }
  }
  const hg = summarize(samples.hg);
  const hgkit = summarize(samples.hgkit);
  log(`  hg ${formatMs(hg.median)}  hgkit ${formatMs(hgkit.median)}  (${formatRatio(hgkit.median, hg.median)})`);
  return { key: 'update', label: 'update null → tip (clean result)', files: 0, named: false, hg: { ...hg, samples: samples.hg }, hgkit: { ...hgkit, samples: samples.hgkit }, same };
}

const HEADERS = ['case', 'hg', 'hgkit', 'hgkit/hg', 'target', 'met', 'same hashes'];

function cells(row) {
  const ratio = row.hgkit.median / row.hg.median;
  return [
    row.label,
    formatMs(row.hg.median),
    formatMs(row.hgkit.median),
    formatRatio(row.hgkit.median, row.hg.median),
    row.target ? `≤ ${row.target}× hg` : '',
    row.target ? (ratio <= row.target ? 'yes' : 'no') : '',
    row.same ? 'yes' : 'NO',
  ];
}

/** The named one-file commit at each size: its cost must not follow the manifest. */
function growth(results) {
  const pick = (r) => r.rows.find((x) => x.key === 'one-named');
  if (results.length < 2) return '';
  const [small, big] = [results[0], results[results.length - 1]];
  const a = pick(small);
  const b = pick(big);
  if (!a || !b) return '';
  return (
    `\nGrowth with the repository (commit FILE, one file): hgkit ${formatMs(a.hgkit.median)} at ${small.files.toLocaleString('en-US')} files, ` +
    `${formatMs(b.hgkit.median)} at ${big.files.toLocaleString('en-US')} files (×${(b.hgkit.median / a.hgkit.median).toFixed(2)} for ` +
    `×${big.files / small.files} files); hg ${formatMs(a.hg.median)} → ${formatMs(b.hg.median)} (×${(b.hg.median / a.hg.median).toFixed(2)}).\n`
  );
}

function markdown(results, opts, info) {
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const loadEnd = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  let md =
    `Generated by \`npm run bench:write\` (\`bench/e2e/write-path.mjs\`) on ${date}.\n` +
    `Machine: ${info.cpu}, ${info.os}, load average ${info.load} at start, ${loadEnd} at the end ` +
    `(a shared machine: a load above the core count inflates every number). Node ${info.node}, Mercurial ${info.hg}.\n\n` +
    `Whole processes, wall time, median of ${opts.runs} commits per case; hg and hgkit commit the same change ` +
    `(same files, message, user and date) in two copies of the generated repository of the read-path benchmark ` +
    `(~200-byte files in 37 × 29 directories, ${opts.commits} commits), alternating which goes first; ` +
    `"same hashes": every round gave the same new changeset hash. "commit" walks the whole working copy ` +
    `(status lstats every tracked file, as hg does); "commit FILE" names the changed file, so the status is of ` +
    `that file only and what is left is the commit itself (file revision, manifest with the fast delta, changelog, ` +
    `dirstate). Target (issue 4, at 100,000 files): a one-file commit ≤ 0.3× hg, with a cost that does not grow ` +
    `with the manifest.\n`;
  for (const r of results) {
    md += `\n### ${r.files.toLocaleString('en-US')} files\n\n`;
    md += table(HEADERS, r.rows.map(cells), 'lrrrlcc');
    if (!r.verified) md += '\n**hg verify failed on hgkit\'s copy.**\n';
  }
  md += growth(results);
  md += NOTES;
  return md;
}

const NOTES = `
Where a one-file commit's time goes at 100,000 files (\`node --cpu-prof\`, CPU time, approximate, this machine):
Node start-up and module loading ~45 ms; reading and parsing the dirstate (100,000 entries, 3.9 MB) ~25–40 ms;
p1's changeset (zstd) ~20 ms; the manifest: p1's text from hg's full-text cache with its hash check ~10–15 ms,
then the fast delta, the new text's SHA-1 and the append ~15 ms (the delta is in proportion to the change; the
text must still be copied and hashed whole, as hg does); the transaction ~25–40 ms (the dirstate copied to
\`journal.dirstate\`, the new dirstate encoded and written, undo files); the new manifest written to the
full-text cache ~10 ms; garbage collection ~20 ms. Without file arguments, status adds one lstat per tracked
file (~200 ms for 100,000 files here; hg does the same). What grows with the repository is the dirstate
(read, encoded, written whole, as hg does) and the copy and hash of the manifest text, not the manifest delta;
the 0.3× target is out of reach while those and Node's start-up cost about as much as all of hg's commit
(hg's dirstate parsing, manifest and hashing are C).
`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.cli === HGKIT_BIN && !hgkitBuilt()) throw new Error('hgkit is not built: run `node scripts/build.mjs` first');
  void benchEnv;
  const info = await machineInfo();
  const results = [];
  try {
    for (const files of opts.sizes) results.push(await benchSize(files, opts));
  } finally {
    closeTiming();
  }
  for (const r of results) {
    process.stdout.write(`\n${r.files} files (medians)\n`);
    process.stdout.write(textTable(HEADERS, r.rows.map(cells)));
  }
  process.stdout.write(growth(results));
  writeFileSync(path.join(WORK_DIR, 'write-path-results.json'), JSON.stringify({ date: new Date().toISOString(), opts, info, results }, null, 1));
  if (opts.write) {
    replaceSection(DOC, SECTION, markdown(results, opts, info));
    log(`wrote the "${SECTION}" section of ${path.relative(REPO_ROOT, DOC)}`);
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});

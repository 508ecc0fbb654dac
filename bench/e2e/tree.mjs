#!/usr/bin/env node
// Tree-manifest benchmark (issue 6): hgkit and hg, each on a flat repository and on
// its tree-manifest conversion, as whole processes.
//
//   npm run bench:tree                               # 100,000 files, 50 commits; writes docs/benchmarks.md
//   node bench/e2e/tree.mjs --files 2000 --runs 3 --no-write
//
// Options:
//   --files N        repository size (default 100000)
//   --commits N      history length (default 50)
//   --runs N         timed runs per command and contender (default 9)
//   --write / --no-write   write "## Tree manifests (npm run bench:tree)" of docs/benchmarks.md
//                    (default: write)
//   --no-profile     skip the CPU profile of hgkit on the tree repository
//   --no-hg-convert  skip hg's own tree conversion (storage-size comparison only)
//
// Repositories (cached under bench/.work/tree-<files>-<commits>/, git-ignored):
//   flat/    planLocalHistory (bench/lib/gen-repo.mjs) built with real hg, one `hg commit`
//            per step: an initial import, then commits that each touch two leaf
//            directories of one top directory (~0.1% of the files modified, a few adds
//            and removes there).
//   tree/    `hgkit convert --treemanifest flat tree` (checked once with `hg verify`).
//   hgtree/  hg's own conversion (`hg convert` with experimental.treemanifest=yes), only
//            for comparing the storage hg itself would write; not timed.
// Contenders: hgkit flat, hg flat, hgkit tree, hg tree, alternating with the first one
// rotating each round; each command's stdout is first compared byte for byte between
// hgkit and hg on each repository (the benchmark fails on a difference).
// Directory manifests read: bin/hgkit with HGKIT_TREE_STATS=1 prints treeStats.dirsRead
// (src/manifest/tree-manifest.ts) to stderr at exit.

import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HG, HGKIT_BIN, NODE, REPO_ROOT, WORK_DIR, benchEnv, hgkitBuilt, machineInfo, runChecked as run } from '../lib/env.mjs';
import { ensureLocalHg, planLocalHistory } from '../lib/gen-repo.mjs';
import { replaceSection, table, textTable } from '../lib/markdown.mjs';
import { closeTiming, compare, formatMs, formatRatio, runOnce } from '../lib/timing.mjs';
import { selfTimes } from '../lib/cpuprofile.mjs';

const SECTION = '## Tree manifests (npm run bench:tree)';
const DOC = path.join(REPO_ROOT, 'docs', 'benchmarks.md');
/** Bump when the conversion step changes. */
const TREE_VERSION = 1;

function parseArgs(argv) {
  const opts = { files: 100_000, commits: 50, runs: 9, write: true, profile: true, hgConvert: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const name = a.split('=')[0];
    if (name === '--files') opts.files = Number(value().replace(/_/g, ''));
    else if (name === '--commits') opts.commits = Number(value());
    else if (name === '--runs') opts.runs = Number(value());
    else if (name === '--write') opts.write = true;
    else if (name === '--no-write') opts.write = false;
    else if (name === '--no-profile') opts.profile = false;
    else if (name === '--no-hg-convert') opts.hgConvert = false;
    else if (name === '--help' || name === '-h') {
      console.log('usage: node bench/e2e/tree.mjs [--files N] [--commits N] [--runs N] [--write|--no-write] [--no-profile] [--no-hg-convert]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isInteger(opts.files) || opts.files < 1000) throw new Error('--files: an integer >= 1000');
  if (!Number.isInteger(opts.commits) || opts.commits < 10) throw new Error('--commits: at least 10');
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error('--runs: a positive integer');
  return opts;
}

function log(msg) {
  process.stderr.write(`[bench:tree] ${msg}\n`);
}


// --- repositories --------------------------------------------------------------

/**
 * root/NAME, rebuilt by `build(dir)` (which returns what to remember about it)
 * unless NAME.stamp.json says it was built from the same flat repository.
 */
function cachedConversion(root, name, flatStamp, build) {
  const dir = path.join(root, name);
  const stampFile = `${dir}.stamp.json`;
  const stamp = JSON.stringify({ TREE_VERSION, flat: flatStamp });
  if (existsSync(stampFile)) {
    const s = JSON.parse(readFileSync(stampFile, 'utf8'));
    if (s.stamp === stamp) return { dir, ...s };
  }
  rmSync(stampFile, { force: true });
  rmSync(dir, { recursive: true, force: true });
  const s = { stamp, ...build(dir) };
  writeFileSync(stampFile, JSON.stringify(s));
  return { dir, ...s };
}

/** tree/: hgkit's conversion of flat/, verified once by hg. Returns { dir, convertMs?, verify? }. */
function ensureTree(root, flatDir, flatStamp) {
  return cachedConversion(root, 'tree', flatStamp, (dir) => {
    log(`hgkit convert --treemanifest flat tree`);
    const t0 = Date.now();
    run(NODE, [HGKIT_BIN, 'convert', '--treemanifest', flatDir, dir]);
    const convertMs = Date.now() - t0;
    log(`  converted in ${(convertMs / 1000).toFixed(1)} s; hg verify`);
    const t1 = Date.now();
    const v = run(HG, ['verify'], { cwd: dir });
    const verifyOut = v.stdout.toString().trim().split('\n').pop();
    log(`  hg verify: ${verifyOut} (${((Date.now() - t1) / 1000).toFixed(1)} s)`);
    return { convertMs, verify: verifyOut, verifyMs: Date.now() - t1 };
  });
}

/** hgtree/: hg's own tree conversion (storage comparison). */
function ensureHgTree(root, flatDir, flatStamp) {
  return cachedConversion(root, 'hgtree', flatStamp, (dir) => {
    log('hg convert (experimental.treemanifest=yes) flat hgtree');
    const t0 = Date.now();
    run(HG, ['--config', 'extensions.convert=', '--config', 'experimental.treemanifest=yes', 'convert', '-q', flatDir, dir]);
    const convertMs = Date.now() - t0;
    log(`  hg convert took ${(convertMs / 1000).toFixed(1)} s`);
    return { convertMs };
  });
}

/** Apparent bytes and allocated bytes (st_blocks) of the manifest storage, and the number of revlog files. */
function manifestStorage(repoDir) {
  const store = path.join(repoDir, '.hg', 'store');
  let bytes = 0;
  let alloc = 0;
  let files = 0;
  let dirManifests = 0;
  const add = (p) => {
    const st = lstatSync(p);
    bytes += st.size;
    alloc += st.blocks * 512;
    files++;
  };
  for (const n of readdirSync(store)) if (/^00manifest\.(i|d)$/.test(n)) add(path.join(store, n));
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        add(p);
        if (e.name === '00manifest.i') dirManifests++;
      }
    }
  };
  const meta = path.join(store, 'meta');
  if (existsSync(meta)) walk(meta);
  return { bytes, alloc, files, dirManifests };
}

function tipNode(dir) {
  return run(HG, ['log', '-r', 'tip', '-T', '{node}'], { cwd: dir }).stdout.toString();
}

// --- commands ------------------------------------------------------------------

function commandsFor(plan) {
  const tip = plan.commits - 1;
  const dir = plan.commitsList[tip].top;
  const r = (n) => String(n);
  return {
    dir,
    list: [
      { key: 'status-1', label: `status --rev ${tip - 1} --rev ${tip}`, note: '1 commit apart', range: [tip - 1, tip], args: ['status', '--rev', r(tip - 1), '--rev', r(tip)] },
      { key: 'status-5', label: `status --rev ${tip - 5} --rev ${tip}`, note: '5 commits apart, ~0.5% of the files', range: [tip - 5, tip], args: ['status', '--rev', r(tip - 5), '--rev', r(tip)] },
      { key: 'status-all', label: `status --rev 0 --rev ${tip}`, note: `${tip} commits apart, the whole history`, range: [0, tip], args: ['status', '--rev', '0', '--rev', r(tip)] },
      { key: 'status-dir-1', label: `status --rev ${tip - 1} --rev ${tip} ${dir}`, note: '1 commit apart, one top directory', range: [tip - 1, tip], under: dir, args: ['status', '--rev', r(tip - 1), '--rev', r(tip), dir] },
      { key: 'status-dir-all', label: `status --rev 0 --rev ${tip} ${dir}`, note: 'whole history, one top directory', range: [0, tip], under: dir, args: ['status', '--rev', '0', '--rev', r(tip), dir] },
      { key: 'log-dir', label: `log ${dir}`, note: 'changesets touching one top directory', args: ['log', dir] },
      { key: 'manifest', label: `manifest -r ${tip}`, note: 'every file', args: ['manifest', '-r', r(tip)] },
      { key: 'files-dir', label: `files -r ${tip} ${dir}`, note: 'one top directory', args: ['files', '-r', r(tip), dir] },
      { key: 'version', label: '--version', note: 'start-up alone; not a target', args: ['--version'], baseline: true },
    ],
  };
}

/** Runs hgkit and hg once on `cwd` and fails loudly unless stdout and exit codes match. */
function checkSame(args, cwd, kind, key) {
  const hg = runOnce({ cmd: HG, args, cwd }, { capture: true });
  const kit = runOnce({ cmd: NODE, args: [HGKIT_BIN, ...args], cwd }, { capture: true });
  if (hg.code !== 0) throw new Error(`hg ${args.join(' ')} (${kind}) exited ${hg.code}: ${hg.stderr}`);
  if (kit.code !== hg.code || !kit.stdout.equals(hg.stdout)) {
    const dir = path.join(WORK_DIR, 'tree-mismatch');
    mkdirSync(dir, { recursive: true });
    const a = path.join(dir, `${kind}-${key}.hg`);
    const b = path.join(dir, `${kind}-${key}.hgkit`);
    writeFileSync(a, hg.stdout);
    writeFileSync(b, kit.stdout);
    const d = spawnSync('diff', [a, b], { encoding: 'latin1' }).stdout.split('\n').slice(0, 20).join('\n');
    throw new Error(
      `OUTPUT MISMATCH on the ${kind} repository: \`${args.join(' ')}\`: hg exit ${hg.code} (${hg.stdout.length} bytes), ` +
        `hgkit exit ${kit.code} (${kit.stdout.length} bytes); stderr: ${kit.stderr.toString().slice(0, 500)}\n${d}\n(full outputs: ${a}, ${b})`,
    );
  }
  return hg.stdout;
}

/** treeStats.dirsRead of one hgkit run (HGKIT_TREE_STATS=1). */
function dirsRead(args, cwd) {
  const r = runOnce({ cmd: NODE, args: [HGKIT_BIN, ...args], cwd, env: benchEnv({ HGKIT_TREE_STATS: '1' }) }, { capture: true });
  if (r.code !== 0) throw new Error(`hgkit ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
  const m = /treeStats\.dirsRead (\d+)/.exec(r.stderr.toString());
  if (!m) throw new Error(`hgkit printed no treeStats.dirsRead (is the HGKIT_TREE_STATS hook in src/cli/main.ts built?): ${r.stderr}`);
  return Number(m[1]);
}

/**
 * The directories (root included) whose manifests differ between revisions a and b of
 * the plan, within top directory `under` if given: every tree diff must read these at
 * both revisions (plan commits only add versions, so a touched directory always differs).
 */
function changedDirs(plan, [a, b], under) {
  const dirs = new Set(['']);
  for (let k = a + 1; k <= b; k++) {
    const c = plan.commitsList[k];
    if (under && c.top !== under) continue;
    dirs.add(c.top);
    for (const l of c.leaves) dirs.add(l);
  }
  if (under) dirs.add(under);
  return dirs.size;
}

function lineCount(buf) {
  let n = 0;
  for (const b of buf) if (b === 0x0a) n++;
  return n;
}

// --- the CPU profile -------------------------------------------------------------

function profile(args, cwd, label) {
  const dir = path.join(WORK_DIR, 'tree-profile', label.replace(/[^A-Za-z0-9]+/g, '_'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = process.hrtime.bigint();
  run(NODE, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200', HGKIT_BIN, ...args], { cwd });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const file = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
  // at most 1 ms per sample (0.2 ms interval): longer gaps are the process descheduled
  const { prof, byId, self } = selfTimes(path.join(dir, file), 1);
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // each sample goes to the first category its stack matches, looking from the leaf up
  const category = (id) => {
    const leaf = byId.get(id).callFrame.functionName;
    if (leaf === '(garbage collector)') return 'GC';
    if (leaf === '(program)') return '(program): native code outside JavaScript';
    let below;
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const f = byId.get(x).callFrame;
      if (f.functionName === 'zstdDecompressWasm' && below === 'load') return 'zstd WebAssembly set-up';
      if (f.functionName === 'decompressChunk') return 'revlog chunk decompression';
      if (f.functionName === 'rawText' || f.functionName === 'revision') return 'revlog reads (deltas, index)';
      if (f.functionName === 'dirStorage') return 'opening directory revlogs';
      if (f.functionName === 'parseChangeset') return 'changeset parsing';
      if (f.functionName === 'writeManifestListing' || f.functionName === 'write' || f.functionName === 'flush') return 'output';
      if (f.url.startsWith('node:internal/modules')) return 'module loading and compilation';
      below = f.functionName;
    }
    return 'other JavaScript';
  };
  let total = 0;
  let idle = 0;
  const hot = new Map();
  const cats = new Map();
  for (const [id, ms] of self) {
    const n = byId.get(id);
    const fn = n.callFrame.functionName;
    if (fn === '(idle)') {
      idle += ms;
      continue;
    }
    total += ms;
    const c = category(id);
    // bundled dependencies keep minified names: say where they run
    const where = c === 'revlog chunk decompression' && fn !== 'decompressChunk' ? ' (under decompressChunk: zstd decoding)' : '';
    const key = `${fn || '(anonymous)'}${n.callFrame.url ? ' ' + path.basename(n.callFrame.url) : ''}${where}`;
    hot.set(key, (hot.get(key) ?? 0) + ms);
    cats.set(c, (cats.get(c) ?? 0) + ms);
  }
  const top = [...hot].sort((a, b) => b[1] - a[1]).slice(0, 6);
  const categories = [...cats].sort((a, b) => b[1] - a[1]);
  return { label, wall, total, idle, top, categories, file: path.relative(REPO_ROOT, path.join(dir, file)) };
}

// --- main ----------------------------------------------------------------------

const KINDS = [
  { name: 'hgkit flat', tool: 'hgkit', repo: 'flat' },
  { name: 'hg flat', tool: 'hg', repo: 'flat' },
  { name: 'hgkit tree', tool: 'hgkit', repo: 'tree' },
  { name: 'hg tree', tool: 'hg', repo: 'tree' },
];

function fmtBytes(n) {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KiB`;
  return `${n} B`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!hgkitBuilt()) throw new Error('build the CLI first: node scripts/build.mjs');
  const infoStart = await machineInfo();
  log(`load average ${infoStart.load}`);
  const git = (args) => spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const build = {
    head: git(['rev-parse', '--short', 'HEAD']),
    srcChanges: git(['status', '--porcelain', '--', 'src']).split('\n').filter(Boolean).length,
    built: lstatSync(path.join(REPO_ROOT, 'dist', 'cli.js')).mtime.toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  const root = path.join(WORK_DIR, `tree-${opts.files}-${opts.commits}`);
  mkdirSync(root, { recursive: true });
  const plan = planLocalHistory({ files: opts.files, commits: opts.commits });
  const flatDir = path.join(root, 'flat');
  log(`flat repository (${opts.files} files, ${opts.commits} commits, localized history): ${flatDir}`);
  const { built } = ensureLocalHg(flatDir, plan, log);
  if (!built) log('  (cached)');
  const flatStamp = readFileSync(`${flatDir}.stamp.json`, 'utf8');
  const tree = ensureTree(root, flatDir, flatStamp);
  const repos = { flat: flatDir, tree: tree.dir };
  const hgTree = opts.hgConvert ? ensureHgTree(root, flatDir, flatStamp) : undefined;

  // storage
  const storage = { flat: manifestStorage(flatDir), tree: manifestStorage(tree.dir) };
  if (hgTree) storage.hgtree = manifestStorage(hgTree.dir);
  const totalDirs = storage.tree.dirManifests + 1;
  const tips = { tree: tipNode(tree.dir), hgtree: hgTree ? tipNode(hgTree.dir) : undefined };
  log(`manifest storage: flat ${fmtBytes(storage.flat.bytes)}, tree ${fmtBytes(storage.tree.bytes)} (${totalDirs} directory manifests)`);

  // outputs, then directory counts, then timing
  const { dir, list } = commandsFor(plan);
  const rows = [];
  for (const c of list) {
    if (c.baseline) {
      rows.push({ ...c });
      continue;
    }
    const outFlat = checkSame(c.args, flatDir, 'flat', c.key);
    const outTree = checkSame(c.args, tree.dir, 'tree', c.key);
    if (c.key !== 'log-dir' && !outFlat.equals(outTree)) throw new Error(`\`${c.args.join(' ')}\`: the flat and tree repositories disagree`);
    const read = dirsRead(c.args, tree.dir);
    rows.push({ ...c, lines: lineCount(outTree), dirsRead: read, changedDirs: c.range ? changedDirs(plan, c.range, c.under) : undefined });
    log(`${c.label}: outputs match (${lineCount(outTree)} lines); hgkit read ${read} of ${totalDirs} directory manifests`);
  }
  const fileCount = lineCount(checkSame(['manifest', '-r', String(opts.commits - 1)], tree.dir, 'tree', 'manifest'));
  const loadBeforeTiming = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  for (const row of rows) {
    log(`timing ${row.label} (${opts.runs} runs × 4)`);
    const contenders = KINDS.map((k) => ({
      name: k.name,
      cmd: k.tool === 'hg' ? HG : NODE,
      args: k.tool === 'hg' ? row.args : [HGKIT_BIN, ...row.args],
      cwd: repos[k.repo],
    }));
    const res = compare(contenders, { runs: opts.runs, reference: 'hg tree' });
    for (const k of KINDS) if (!res[k.name].ok) throw new Error(`${k.name}: ${row.label}: ${res[k.name].error}`);
    if (!row.baseline && (res['hg flat'].outputDigest !== res['hgkit flat'].outputDigest || res['hg tree'].outputDigest !== res['hgkit tree'].outputDigest))
      throw new Error(`${row.label}: outputs differ in the timed warm-up`);
    row.res = res;
    log(`  ${KINDS.map((k) => `${k.name} ${formatMs(res[k.name].median)}`).join('  ')}`);
  }
  {
    const res = compare([{ name: 'node', cmd: NODE, args: ['-e', '0'], cwd: tree.dir }], { runs: opts.runs });
    rows.nodeBaseline = res.node.median;
    log(`node -e 0: ${formatMs(res.node.median)}`);
  }
  closeTiming();

  let prof;
  if (opts.profile) {
    const timed = rows.filter((r) => !r.baseline);
    const worst = timed.reduce((a, b) => (b.res['hgkit tree'].median / b.res['hg tree'].median > a.res['hgkit tree'].median / a.res['hg tree'].median ? b : a));
    const picks = [worst, timed.find((r) => r.key === 'manifest')].filter((r, i, a) => a.indexOf(r) === i);
    prof = picks.map((r) => profile(r.args, tree.dir, r.label));
    for (const p of prof) log(`profile of ${p.label}: ${p.total.toFixed(0)} ms CPU; ${p.top.slice(0, 4).map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`).join(', ')}`);
  }
  const infoEnd = await machineInfo();
  const result = { date: new Date().toISOString(), build, opts, infoStart, loadBeforeTiming, loadEnd: infoEnd.load, plan: { files: plan.files, commits: plan.commits, modifyPerCommit: plan.modifyPerCommit, dir }, fileCount, nodeBaseline: rows.nodeBaseline, storage, totalDirs, tree, hgTree, tips, rows: rows.map(({ res, ...r }) => ({ ...r, res: Object.fromEntries(KINDS.map((k) => [k.name, { median: res[k.name].median, min: res[k.name].min, max: res[k.name].max, samples: res[k.name].samples }])) })), prof };
  writeFileSync(path.join(WORK_DIR, 'tree-results.json'), JSON.stringify(result, null, 1));
  const { md, text } = render(result);
  process.stdout.write(text);
  if (opts.write) {
    replaceSection(DOC, SECTION, md);
    log(`wrote the "${SECTION}" section of ${path.relative(REPO_ROOT, DOC)}`);
  }
}

function render(r) {
  const tip = r.plan.commits - 1;
  const headers = ['command', 'hgkit flat', 'hg flat', 'hgkit tree', 'hg tree', 'hgkit/hg flat', 'hgkit/hg tree', 'tree ≤ 0.5× hg', 'lines', 'dir manifests read (hgkit tree)'];
  const timed = r.rows.filter((x) => !x.baseline);
  const rows = r.rows.map((row) => {
    const m = (n) => row.res[n].median;
    const ratioTree = m('hgkit tree') / m('hg tree');
    if (row.baseline) {
      return [`${row.label} — ${row.note}`, formatMs(m('hgkit flat')), formatMs(m('hg flat')), formatMs(m('hgkit tree')), formatMs(m('hg tree')),
        formatRatio(m('hgkit flat'), m('hg flat')), formatRatio(m('hgkit tree'), m('hg tree')), '', '', ''];
    }
    return [
      `${row.label} — ${row.note}`,
      formatMs(m('hgkit flat')),
      formatMs(m('hg flat')),
      formatMs(m('hgkit tree')),
      formatMs(m('hg tree')),
      formatRatio(m('hgkit flat'), m('hg flat')),
      formatRatio(m('hgkit tree'), m('hg tree')),
      ratioTree <= 0.5 ? 'yes' : 'no',
      row.lines.toLocaleString('en-US'),
      `${row.dirsRead} / ${r.totalDirs}${row.changedDirs !== undefined ? ` (${row.changedDirs} changed)` : ''}`,
    ];
  });
  const five = r.rows.find((x) => x.key === 'status-5');
  const fivePct = (100 * five.lines) / r.fileCount;
  const dirPct = (100 * five.dirsRead) / r.totalDirs;
  const allMet = timed.every((row) => row.res['hgkit tree'].median <= 0.5 * row.res['hg tree'].median);
  const s = r.storage;
  const storageRows = [
    ['flat (00manifest.i/.d)', s.flat.files, s.flat.bytes.toLocaleString('en-US'), fmtBytes(s.flat.alloc), '1.00×'],
    [`tree, hgkit convert (00manifest.* + meta/: ${r.totalDirs} directory manifests)`, s.tree.files, s.tree.bytes.toLocaleString('en-US'), fmtBytes(s.tree.alloc), formatRatio(s.tree.bytes, s.flat.bytes)],
  ];
  if (s.hgtree) {
    storageRows.push([
      `tree, hg convert (same changeset hashes: ${r.tips.hgtree === r.tips.tree ? 'yes' : 'NO'})`,
      s.hgtree.files,
      s.hgtree.bytes.toLocaleString('en-US'),
      fmtBytes(s.hgtree.alloc),
      formatRatio(s.hgtree.bytes, s.flat.bytes),
    ]);
  }
  let md = '';
  md += `Generated by \`npm run bench:tree\` (\`bench/e2e/tree.mjs\`) on ${r.date.replace(/\.\d+Z$/, 'Z')}. `;
  md += `Machine: ${r.infoStart.cpu}, ${r.infoStart.os}, node ${r.infoStart.node}, Mercurial ${r.infoStart.hg} (C extensions, no Rust). `;
  md += `hgkit: the CLI bundle (dist/) built ${r.build.built}, HEAD ${r.build.head}${r.build.srcChanges ? ` with ${r.build.srcChanges} uncommitted src/ files of other work in progress` : ''}. `;
  md += `Load average (1, 5, 15 min) ${r.infoStart.load} at the start, ${r.loadBeforeTiming} when the timing began, ${r.loadEnd} at the end `;
  md += `(a shared 2-core machine: compare ratios, not absolute times).\n\n`;
  md += `**History** (\`planLocalHistory\` in bench/lib/gen-repo.mjs, built with real hg, one \`hg commit\` per step): `;
  md += `an initial import of ${r.plan.files.toLocaleString('en-US')} files (~200 bytes each) in 37 top directories × 29 leaf directories (${(37 * 29).toLocaleString('en-US')} leaves), `;
  md += `then ${r.plan.commits - 1} commits that each pick one top directory and two of its leaf directories and modify ${r.plan.modifyPerCommit} files there (0.1%), add 2 and remove 1 in each leaf. `;
  md += `${r.fileCount.toLocaleString('en-US')} files at tip (rev ${tip}). `;
  md += `The tree repository is \`hgkit convert --treemanifest flat tree\` (${(r.tree.convertMs / 1000).toFixed(1)} s when built; \`hg verify\`: "${r.tree.verify}"). `;
  md += `DIR = \`${r.plan.dir}\`, the top directory of the tip commit.\n\n`;
  md += `**Timing**: whole processes, wall time, median of ${r.opts.runs} runs after one untimed warm-up each; the four contenders (hgkit and hg, each on the flat and on the tree repository) alternate with the first one rotating each round; stdout to /dev/null. `;
  md += `Before timing, every command's stdout was compared byte for byte between hgkit and hg on both repositories (all identical; the flat and tree outputs too, except \`log\`, whose changeset hashes differ after a conversion). `;
  md += `"1 commit apart" = revisions ${tip - 1} and ${tip}; "whole history" = revisions 0 and ${tip} (${tip} commits apart: the repository has ${r.plan.commits} revisions, so there is no tip-50). `;
  md += `"dir manifests read" = \`treeStats.dirsRead\` of one hgkit run on the tree repository (directory-manifest revisions read from storage; \`HGKIT_TREE_STATS=1\` prints it), against the number of directory manifests in the repository (meta/**/00manifest.i + the root); "(N changed)" = the directories, root included, whose manifests differ between the two revisions (within DIR when one is given), from the generated history.\n\n`;
  md += table(headers, rows, 'lrrrrrrcrr');
  md += `\n**Targets** (issue 6, on the tree repository):\n\n`;
  md += `- hgkit ≤ 0.5× hg's wall time on each command: **${allMet ? 'met' : 'not met'}** (hgkit tree / hg tree from ${Math.min(...timed.map((x) => x.res['hgkit tree'].median / x.res['hg tree'].median)).toFixed(2)}× to ${Math.max(...timed.map((x) => x.res['hgkit tree'].median / x.res['hg tree'].median)).toFixed(2)}×; ${timed.filter((x) => x.res['hgkit tree'].median <= 0.5 * x.res['hg tree'].median).length} of ${timed.length} commands within 0.5×). `;
  md += `For scale: \`node -e 0\` took ${formatMs(r.nodeBaseline)} and \`hg --version\` ${formatMs(r.rows.find((x) => x.baseline).res['hg tree'].median)} in the same run, so 0.5× of a start-up-bound hg command lies below what a bare node process costs.\n`;
  md += `- a two-revision status changing ~0.5% of the files touches ≤ 5% of the directory manifests: \`${five.label}\` reports ${five.lines.toLocaleString('en-US')} changed files (${fivePct.toFixed(2)}% of ${r.fileCount.toLocaleString('en-US')}); hgkit read ${five.dirsRead} of ${r.totalDirs} directory manifests = **${dirPct.toFixed(1)}%: ${dirPct <= 5 ? 'met' : 'not met'}**. The history changed ${five.changedDirs} directories between the two revisions (root included; ${((100 * five.changedDirs) / r.totalDirs).toFixed(1)}% of them), so a diff must read at least ${2 * five.changedDirs} directory-manifest revisions (each changed directory at both revisions)${five.dirsRead === 2 * five.changedDirs ? ': hgkit reads exactly those' : ''}.\n`;
  md += `\n**Manifest storage on disk** (the same files for hg and hgkit; apparent bytes and allocated blocks):\n\n`;
  md += table(['storage', 'files', 'bytes', 'allocated', 'vs flat'], storageRows, 'lrrrr');
  if (r.prof) {
    md += `\n**Where hgkit spends its time on the tree repository** (\`node --cpu-prof\`, 0.2 ms sampling, one run each; a sample counts at most 1 ms, so time spent descheduled on the shared machine is left out; each sample goes to the first category its stack matches from the leaf up):\n\n`;
    for (const p of r.prof) {
      md += `- \`${p.label}\`: ${formatMs(p.wall)} wall (profiler on), ${p.idle.toFixed(0)} ms idle (waiting in the event loop: asynchronous module loading), ${p.total.toFixed(0)} ms of samples busy: ${p.categories.map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`).join(', ')}. Heaviest functions (self time): ${p.top.map(([k, ms]) => `\`${k}\` ${ms.toFixed(0)} ms`).join(', ')}.\n`;
    }
  }
  return { md, text: textTable(headers, rows) };
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});

// Deterministic synthetic history, built both as an hg repository (with real hg)
// and as a git repository (with git fast-import), so that hgkit, hg and git can be
// timed on the same files and commits.
//
//   const plan = planHistory({ files: 10_000, commits: 50 });
//   ensureRepos(dir, plan)  // builds dir/hg and dir/git once; cached by a stamp file
//
// Layout: f<i>.txt files under 37 × 29 directories (about 93 files per directory at
// 100k files). Commit 0 adds every file; each later commit modifies about 1% of the
// files (a spread over the whole tree), adds 5 and removes 5, and touches one "hot"
// file every third commit (a file with a long history for `cat`/`log FILE`).

import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GIT, HG, runChecked as run } from './env.mjs';

/** Bump when the plan or the build changes, to invalidate cached repositories. */
export const GENERATOR_VERSION = 1;

const TOP = 37;
const MID = 29;

export function filePath(i) {
  return `dir${String(i % TOP).padStart(2, '0')}/sub${String(Math.floor(i / TOP) % MID).padStart(2, '0')}/f${i}.txt`;
}

/** File content for file i at version v: a few lines, ~200 bytes, all different. */
export function fileContent(i, v) {
  const p = filePath(i);
  let s = `file ${i}\n`;
  for (let j = 0; j < 4; j++) s += `line ${j} of ${p}, version ${j === (v & 3) ? v : v >> 2}\n`;
  return s;
}

/** 32-bit mixing hash (deterministic spread). */
function mix(a, b) {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

export const COMMIT_EPOCH = 1_600_000_000;
export const AUTHOR = 'Bench User <bench@example.com>';

/**
 * The history: { files, commits, hot, commitsList: [{ index, date, message, write: [i],
 * remove: [i] }], versions (final version per file index, -1 = removed) }.
 */
export function planHistory({ files, commits = 50, modifyPercent = 1, churn = 5 }) {
  const version = new Int32Array(files + commits * churn).fill(-1);
  const hot = Math.floor(files / 2) + 1;
  const list = [];
  const first = [];
  for (let i = 0; i < files; i++) {
    version[i] = 0;
    first.push(i);
  }
  list.push({ index: 0, date: COMMIT_EPOCH, message: `initial import of ${files} files`, write: first, remove: [] });
  let next = files;
  for (let k = 1; k < commits; k++) {
    const write = [];
    const remove = [];
    const threshold = Math.floor((modifyPercent / 100) * 2 ** 32);
    for (let i = 0; i < next; i++) {
      if (version[i] < 0 || i === hot) continue;
      if (mix(i, k) < threshold) write.push(i);
    }
    if (k % 3 === 0) write.push(hot);
    for (let j = 0; j < churn; j++) write.push(next++);
    for (let j = 0; remove.length < churn && j < 1000; j++) {
      const i = mix(k, j + 7919) % files;
      if (version[i] >= 0 && i !== hot && !write.includes(i) && !remove.includes(i)) remove.push(i);
    }
    for (const i of write) version[i] = version[i] + 1;
    for (const i of remove) version[i] = -1;
    write.sort((a, b) => a - b);
    list.push({
      index: k,
      date: COMMIT_EPOCH + k * 3600,
      message: `commit ${k}: modify ${write.length - churn}, add ${churn}, remove ${remove.length}`,
      write,
      remove,
    });
  }
  return { files, commits, hot, hotPath: filePath(hot), commitsList: list, totalIndices: next };
}


/** Builds the hg repository in `dir` (which must not exist) with real hg. */
export function buildHg(dir, plan, log = () => {}) {
  mkdirSync(dir, { recursive: true });
  run(HG, ['init', dir]);
  const version = new Int32Array(plan.totalIndices).fill(-1);
  const made = new Set();
  const listFile = path.join(dir, '.hg', 'bench-changed-files');
  for (const c of plan.commitsList) {
    const t0 = Date.now();
    for (const i of c.write) {
      version[i]++;
      const p = filePath(i);
      const d = path.dirname(p);
      if (!made.has(d)) {
        mkdirSync(path.join(dir, d), { recursive: true });
        made.add(d);
      }
      writeFileSync(path.join(dir, p), fileContent(i, version[i]));
    }
    for (const i of c.remove) unlinkSync(path.join(dir, filePath(i)));
    const common = ['commit', '-q', '-A', '-d', `${c.date} 0`, '-u', AUTHOR, '-m', c.message];
    if (c.index === 0) {
      run(HG, common, { cwd: dir });
    } else {
      // only the touched paths: hg need not walk the whole working copy
      writeFileSync(listFile, [...c.write, ...c.remove].map(filePath).join('\n') + '\n');
      run(HG, [...common, `listfile:${listFile}`], { cwd: dir });
    }
    log(`hg commit ${c.index + 1}/${plan.commits} (${Date.now() - t0} ms)`);
  }
  rmSync(listFile, { force: true });
}

/** Builds the git repository in `dir` with one `git fast-import` stream. */
export function buildGit(dir, plan, log = () => {}) {
  mkdirSync(dir, { recursive: true });
  run(GIT, ['init', '-q', '-b', 'main', dir]);
  const version = new Int32Array(plan.totalIndices).fill(-1);
  const chunks = [];
  const data = (s) => {
    const b = Buffer.from(s);
    chunks.push(Buffer.from(`data ${b.length}\n`), b, Buffer.from('\n'));
  };
  const [name, email] = AUTHOR.split(' <');
  for (const c of plan.commitsList) {
    chunks.push(Buffer.from(`commit refs/heads/main\nmark :${c.index + 1}\n`));
    chunks.push(Buffer.from(`author ${name} <${email} ${c.date} +0000\ncommitter ${name} <${email} ${c.date} +0000\n`));
    data(c.message);
    if (c.index > 0) chunks.push(Buffer.from(`from :${c.index}\n`));
    for (const i of c.write) {
      version[i]++;
      chunks.push(Buffer.from(`M 100644 inline ${filePath(i)}\n`));
      data(fileContent(i, version[i]));
    }
    for (const i of c.remove) chunks.push(Buffer.from(`D ${filePath(i)}\n`));
  }
  const marks = path.join(dir, '.git', 'bench-marks');
  const t0 = Date.now();
  run(GIT, ['fast-import', '--quiet', `--export-marks=${marks}`], { cwd: dir, input: Buffer.concat(chunks) });
  run(GIT, ['reset', '-q', '--hard', 'main'], { cwd: dir }); // a working copy, as a user would have
  log(`git fast-import of ${plan.commits} commits (${Date.now() - t0} ms)`);
}

/** git commit ids by commit index (from the fast-import marks). */
export function gitCommitIds(gitDir) {
  const ids = [];
  for (const line of readFileSync(path.join(gitDir, '.git', 'bench-marks'), 'utf8').split('\n')) {
    const m = /^:(\d+) ([0-9a-f]{40})$/.exec(line);
    if (m) ids[Number(m[1]) - 1] = m[2];
  }
  return ids;
}

/**
 * Makes sure `root/hg` and `root/git` hold the plan's history; rebuilds when the
 * stamp (generator version + plan shape) differs. Returns { hgDir, gitDir, built }.
 */
export function ensureRepos(root, plan, log = () => {}) {
  const stampFile = path.join(root, 'stamp.json');
  const stamp = JSON.stringify({ GENERATOR_VERSION, files: plan.files, commits: plan.commits });
  const hgDir = path.join(root, 'hg');
  const gitDir = path.join(root, 'git');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return { hgDir, gitDir, built: false };
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const t0 = Date.now();
  buildGit(gitDir, plan, log);
  buildHg(hgDir, plan, log);
  writeFileSync(stampFile, stamp);
  log(`built ${root} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { hgDir, gitDir, built: true };
}

// --- localized history (bench:tree) ---------------------------------------------
//
// Real histories are local: a commit touches one corner of the tree. planLocalHistory
// keeps the layout and file contents above (filePath, fileContent) but, after the
// initial import of every file, each commit k picks one top directory and two of its
// leaf directories (deterministically, from mix(k, ...)), modifies about 0.1% of all
// files there (half in each leaf; a leaf holds ~93 files at 100k, so two leaves are
// needed for 100 files), adds 2 files to each leaf and removes 1 from each. Nothing
// else changes, so a status between two revisions only reaches the directories those
// commits touched.

/** Bump when planLocalHistory or its build changes (independent of GENERATOR_VERSION). */
export const LOCAL_GENERATOR_VERSION = 1;

const LEAVES = TOP * MID;

/** The leaf directory (0..LEAVES-1) of file index i: top + TOP * sub. */
function leafOf(i) {
  return (i % TOP) + TOP * (Math.floor(i / TOP) % MID);
}

/** The q-th file index of leaf `leaf` (filePath(index) lies in that leaf). */
function leafIndex(leaf, q) {
  const top = leaf % TOP;
  const sub = Math.floor(leaf / TOP);
  return TOP * (MID * q + sub) + top;
}

/** 'dirTT/subSS' of a leaf. */
export function leafPath(leaf) {
  return path.posix.dirname(filePath(leafIndex(leaf, 0)));
}

/**
 * { files, commits, kind: 'local', commitsList: [{ index, date, message, write, remove,
 * top, leaves }], totalIndices, modifyPerCommit }. `write` holds modified and added
 * indices; `top` is the commit's top directory ('dirTT'), `leaves` its leaf paths.
 */
export function planLocalHistory({ files, commits = 50, modifyPerMille = 1, addsPerLeaf = 2, removesPerLeaf = 1 }) {
  const live = new Map(); // leaf -> Set of live indices
  for (let l = 0; l < LEAVES; l++) live.set(l, new Set());
  const nextQ = new Int32Array(LEAVES); // next unused q per leaf (for adds)
  const first = [];
  for (let i = 0; i < files; i++) {
    first.push(i);
    const l = leafOf(i);
    live.get(l).add(i);
  }
  for (let l = 0; l < LEAVES; l++) {
    let q = 0;
    while (leafIndex(l, q) < files) q++;
    nextQ[l] = q;
  }
  let maxIndex = files - 1;
  const list = [{ index: 0, date: COMMIT_EPOCH, message: `initial import of ${files} files`, write: first, remove: [], top: '', leaves: [] }];
  const modify = Math.max(2, Math.round((files * modifyPerMille) / 1000));
  for (let k = 1; k < commits; k++) {
    const top = mix(k, 101) % TOP;
    const s1 = mix(k, 202) % MID;
    let s2 = mix(k, 303) % (MID - 1);
    if (s2 >= s1) s2++;
    const leaves = [top + TOP * s1, top + TOP * s2];
    const write = [];
    const remove = [];
    for (const l of leaves) {
      const want = Math.ceil(modify / leaves.length);
      // the leaf's live files in a deterministic shuffled order
      const order = [...live.get(l)].sort((a, b) => mix(a, k) - mix(b, k) || a - b);
      const mod = order.slice(0, want);
      const rm = order.slice(want, want + removesPerLeaf);
      write.push(...mod);
      remove.push(...rm);
      for (const i of rm) live.get(l).delete(i);
      for (let j = 0; j < addsPerLeaf; j++) {
        const i = leafIndex(l, nextQ[l]++);
        write.push(i);
        live.get(l).add(i);
        if (i > maxIndex) maxIndex = i;
      }
    }
    write.sort((a, b) => a - b);
    remove.sort((a, b) => a - b);
    list.push({
      index: k,
      date: COMMIT_EPOCH + k * 3600,
      message: `commit ${k}: ${leaves.map(leafPath).join(', ')}: modify/add ${write.length}, remove ${remove.length}`,
      write,
      remove,
      top: `dir${String(top).padStart(2, '0')}`,
      leaves: leaves.map(leafPath),
    });
  }
  return { files, commits, kind: 'local', commitsList: list, totalIndices: maxIndex + 1, modifyPerCommit: modify };
}

/**
 * Makes sure `dir` holds the local plan's history as a flat hg repository built with
 * real hg (buildHg: one `hg commit` per step); cached by `dir`.stamp.json. Returns
 * { dir, built }.
 */
export function ensureLocalHg(dir, plan, log = () => {}) {
  const stampFile = `${dir}.stamp.json`;
  const stamp = JSON.stringify({ LOCAL_GENERATOR_VERSION, files: plan.files, commits: plan.commits });
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return { dir, built: false };
  rmSync(stampFile, { force: true });
  rmSync(dir, { recursive: true, force: true });
  const t0 = Date.now();
  buildHg(dir, plan, log);
  writeFileSync(stampFile, stamp);
  log(`built ${dir} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { dir, built: true };
}

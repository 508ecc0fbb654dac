// Writing to tree manifest repositories (`treemanifest` requirement): every
// scenario is played twice, in two repositories both made by
// `hg init --config experimental.treemanifest=1`: in A real hg runs every
// command, in B hgkit runs the commands under test (`run` steps: add, rm, cp,
// mv, commit, update, merge, branch...) while `hg` steps run real hg in both
// (setup, or the hg-written part of a history that hgkit continues, or the
// reverse). Fixed users and dates, so the hashes must be equal. Checked:
//  - each hgkit command's stdout, stderr and exit code equal hg's;
//  - after every step, `hg status -A -C` of A and B agree (and hgkit's own
//    status of B agrees with hg's);
//  - after every commit, `hg log --debug -r tip` of A and B agree; at the
//    first difference the scenario stops and reports, per directory revlog
//    (`hg debugindex --dir D --debug`), which revision's node, parents or size
//    differ, with both revisions' texts (`hg debugdata --dir D REV`);
//  - at the end: `hg log --debug -C`, every directory revlog and filelog
//    (`hg debugindex --debug`: nodes, parents, linkrevs, sizes), then the
//    storage of every revlog (delta parents and decompressed chunks, read by
//    hg's Python code; see STORAGE_PY), the fncache and the list of store
//    files are the same, `hg verify` accepts B, and `hgkit verify` prints
//    what `hg verify` prints on B.
//
//   node scripts/build.mjs && npx vitest run test/conformance/tree-write.test.ts
//   HGKIT_TEST_HG_ONLY=1 ...   # hg plays B too: checks the harness itself

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HGKIT_BIN,
  HG_ONLY,
  describeDifference,
  hgServerFor,
  makeTempDir,
  removeTempDirs,
  runHg,
  runHgkit,
  runProcess,
  showLine,
  stopHgServer,
  stopHgServers,
  type RunResult,
} from '../helpers/hg.js';

type Env = Record<string, string | undefined>;

type Step =
  /** File-system changes, applied to both working copies. */
  | { fs: (dir: string) => void }
  /** The same hg command in both repositories. */
  | { hg: string[]; code?: number }
  /** hg in A, hgkit in B: same output, same exit code (default 0). */
  | { run: string[]; code?: number; env?: Env; cwd?: string };

const TREE_INIT = ['--config', 'experimental.treemanifest=1'];
const ENV: Env = { HGEDITOR: 'true', HGMERGE: 'internal:merge' };

// ---------------------------------------------------------------------------
// Step helpers

function writeFile(dir: string, file: string, data: string | Uint8Array, mode?: number): void {
  const p = path.join(dir, file);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.rmSync(p, { force: true, recursive: true });
  fs.writeFileSync(p, data);
  if (mode !== undefined) fs.chmodSync(p, mode);
}

const w = (file: string, data: string | Uint8Array, mode?: number): Step => ({ fs: (d) => writeFile(d, file, data, mode) });
const ln = (file: string, target: string): Step => ({
  fs: (d) => {
    const p = path.join(d, file);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.rmSync(p, { force: true, recursive: true });
    fs.symlinkSync(target, p);
  },
});
const chmod = (file: string, mode: number): Step => ({ fs: (d) => fs.chmodSync(path.join(d, file), mode) });
/** Many files at once: [path, content][] */
const many = (files: [string, string][]): Step => ({ fs: (d) => files.forEach(([f, c]) => writeFile(d, f, c)) });
const hg = (...args: string[]): Step => ({ hg: args });
const run = (...args: string[]): Step => ({ run: args });
const runCode = (code: number, ...args: string[]): Step => ({ run: args, code });
/** hgkit commits in B (hg in A). */
const ci = (msg: string, date: number, ...more: string[]): Step => ({ run: ['commit', '-m', msg, '-d', `${date} 0`, '-u', 'test', ...more] });
/** hg commits in both. */
const hgci = (msg: string, date: number, ...more: string[]): Step => ({ hg: ['commit', '-m', msg, '-d', `${date} 0`, '-u', 'test', ...more] });

const DEEP = 'deep/l1/l2/l3/l4/l5/l6/l7/l8/l9';

// ---------------------------------------------------------------------------
// Comparing

function show(r: RunResult): string {
  return `code ${r.code}\nstdout:\n${r.stdout.toString()}\nstderr:\n${r.stderr.toString()}`;
}

function sameResult(what: string, a: RunResult, b: RunResult): string | undefined {
  const problems: string[] = [];
  if (a.code !== b.code) problems.push(`exit code: hg ${a.code}, hgkit ${b.code}`);
  const o = describeDifference('stdout', a.stdout, b.stdout);
  if (o) problems.push(o);
  const e = describeDifference('stderr', a.stderr, b.stderr);
  if (e) problems.push(e);
  if (!problems.length) return undefined;
  return `${what}:\n  ${problems.join('\n  ')}\n--- hg\n${show(a)}--- hgkit\n${show(b)}`;
}

function expectSame(what: string, a: RunResult, b: RunResult): void {
  const d = sameResult(what, a, b);
  if (d) throw new Error(d);
}

async function hgIn(dir: string, args: string[]): Promise<RunResult> {
  return hgServerFor(dir).run(args);
}

/** Every directory that ever held a file ('' is the root), from `hg manifest --all` of both repositories. */
async function allDirs(a: string, b: string): Promise<string[]> {
  const dirs = new Set<string>();
  for (const d of [a, b]) {
    const r = await hgIn(d, ['manifest', '--all']);
    for (const f of r.stdout.toString('utf8').split('\n')) {
      const parts = f.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    }
  }
  return [...dirs].sort();
}

async function allFiles(a: string, b: string): Promise<string[]> {
  const files = new Set<string>();
  for (const d of [a, b]) {
    const r = await hgIn(d, ['manifest', '--all']);
    for (const f of r.stdout.toString('utf8').split('\n')) if (f) files.add(f);
  }
  return [...files].sort();
}

interface IndexRow {
  rev: string;
  /** linkrev node p1 p2 full-size */
  semantic: string;
}

/** `hg debugindex --debug` rows (hg 6.3 columns: rev rank linkrev nodeid p1-rev p1-nodeid p2-rev p2-nodeid full-size ...). */
function parseIndex(out: Buffer): IndexRow[] | string {
  const lines = out.toString('latin1').split('\n').filter(Boolean);
  if (!lines.length || !lines[0]!.trim().startsWith('rev')) return out.toString('latin1');
  return lines.slice(1).map((l) => {
    const c = l.trim().split(/\s+/);
    return { rev: c[0]!, semantic: `linkrev ${c[2]} node ${c[3]} p1 ${c[5]} p2 ${c[7]} size ${c[8]}` };
  });
}

// The storage of every revlog, read by hg's own code: per revision the delta
// parent, the sha1 of the stored chunk once decompressed (the delta or full
// text as written) and the compressed chunk's length. The compressed bytes are
// compared only with HGKIT_TREE_WRITE_COMPRESSED=1: hg 6.3 compresses with its
// vendored zstd 1.4.4, hgkit with a newer zstd build, and the two give frames of
// slightly different sizes for the same input.
const STORAGE_PY = String.raw`
import hashlib, sys
from mercurial import hg, ui as uimod
repo = hg.repository(uimod.ui.load(), sys.argv[1].encode())
out = sys.stdout.buffer
def dump(label, rl):
    for rev in range(len(rl)):
        raw = rl._chunk(rev)
        comp = rl._getsegmentforrevs(rev, rev)[1]
        out.write(b"%s\t%d\t%d\t%s\t%d\n" % (label, rev, rl.deltaparent(rev), hashlib.sha1(raw).hexdigest().encode(), len(comp)))
dump(b"root manifest (00manifest)", repo.manifestlog.getstorage(b"")._revlog)
for t, name, size in sorted(repo.store.datafiles(), key=lambda x: x[1]):
    if not name.endswith(b".i"):
        continue
    if name.startswith(b"meta/") and name.endswith(b"/00manifest.i"):
        d = name[5:-len(b"00manifest.i")]
        dump(b"directory " + d, repo.manifestlog.getstorage(d)._revlog)
    elif name.startswith(b"data/"):
        dump(b"filelog " + name[5:-2], repo.file(name[5:-2])._revlog)
`;
const COMPRESSED = process.env['HGKIT_TREE_WRITE_COMPRESSED'] === '1';

async function storageRows(repo: string): Promise<Map<string, string[]>> {
  const r = await runProcess('/usr/bin/python3', ['-c', STORAGE_PY, repo], { cwd: repo });
  if (r.code !== 0) throw new Error(`reading the storage of ${repo} failed:\n${r.stderr}`);
  const rows = new Map<string, string[]>();
  for (const line of r.stdout.toString('utf8').split('\n')) {
    if (!line) continue;
    const [label, rev, base, sha, clen] = line.split('\t');
    const k = `${label} rev ${rev}`;
    rows.set(k, [`delta-base ${base} decompressed-chunk-sha1 ${sha}`, `compressed-size ${clen}`]);
  }
  return rows;
}

async function compareStorage(a: string, b: string): Promise<string[]> {
  const [sa, sb] = await Promise.all([storageRows(a), storageRows(b)]);
  const out: string[] = [];
  for (const [k, va] of sa) {
    const vb = sb.get(k);
    if (!vb) continue; // reported by the node comparison
    if (va[0] !== vb[0]) out.push(`${k}: hg ${va[0]}; hgkit ${vb[0]}`);
    else if (COMPRESSED && va[1] !== vb[1]) out.push(`${k}: hg ${va[1]}; hgkit ${vb[1]}`);
  }
  return out;
}

/** The first lines of a revision text, escaped (showLine). */
function escapeText(b: Buffer, maxLines = 12): string {
  const lines: Buffer[] = [];
  for (let start = 0; start < b.length; ) {
    const nl = b.indexOf(0x0a, start);
    const end = nl < 0 ? b.length : nl + 1;
    lines.push(b.subarray(start, end));
    start = end;
  }
  const shown = lines.slice(0, maxLines).map((l) => '      ' + showLine(l));
  if (lines.length > maxLines) shown.push(`      ... (${lines.length} lines)`);
  return shown.join('\n');
}

/**
 * Differences between the revlogs of A and B (nodes, parents, linkrevs, sizes):
 * the root manifest and every directory revlog, then (optionally) every filelog.
 */
async function compareRevlogs(a: string, b: string, withFiles: boolean): Promise<string[]> {
  const semantic: string[] = [];
  const targets: { label: string; args: string[]; data: (rev: string) => string[] }[] = [
    { label: 'root manifest (00manifest)', args: ['-m'], data: (r) => ['-m', r] },
  ];
  for (const d of await allDirs(a, b)) {
    targets.push({ label: `directory ${d}/`, args: ['--dir', d], data: (r) => ['--dir', d, r] });
  }
  if (withFiles) {
    for (const f of await allFiles(a, b)) targets.push({ label: `filelog ${f}`, args: [f], data: (r) => [f, r] });
  }
  for (const t of targets) {
    const [ia, ib] = await Promise.all([hgIn(a, ['debugindex', '--debug', ...t.args]), hgIn(b, ['debugindex', '--debug', ...t.args])]);
    if (ia.code !== 0 || ib.code !== 0) {
      const where = ia.code === ib.code ? 'in neither repository' : ia.code === 0 ? "in hg's repository only" : "in hgkit's repository only";
      semantic.push(`${t.label}: revlog ${where}: ${(ia.code ? ia : ib).stderr.toString().trim()}`);
      continue;
    }
    const ra = parseIndex(ia.stdout);
    const rb = parseIndex(ib.stdout);
    if (typeof ra === 'string' || typeof rb === 'string') {
      semantic.push(`${t.label}: unexpected debugindex output:\n${ia.stdout}\n${ib.stdout}`);
      continue;
    }
    if (ra.length !== rb.length) semantic.push(`${t.label}: ${ra.length} revisions written by hg, ${rb.length} by hgkit`);
    let firstSemantic = true;
    for (let i = 0; i < Math.max(ra.length, rb.length); i++) {
      const x = ra[i];
      const y = rb[i];
      if (x && y && x.semantic === y.semantic) continue;
      let msg = `${t.label} rev ${i}:\n    hg:    ${x ? x.semantic : '(none)'}\n    hgkit: ${y ? y.semantic : '(none)'}`;
      if (firstSemantic) {
        firstSemantic = false;
        const [da, db] = await Promise.all([
          x ? hgIn(a, ['debugdata', ...t.data(String(i))]) : undefined,
          y ? hgIn(b, ['debugdata', ...t.data(String(i))]) : undefined,
        ]);
        if (da) msg += `\n    hg's text:\n${escapeText(da.stdout)}`;
        if (db) msg += `\n    hgkit's text:\n${escapeText(db.stdout)}`;
      }
      semantic.push(msg);
    }
  }
  return semantic;
}

function storeFiles(repo: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (!/^(undo|journal)/.test(e.name) && !r.startsWith('cache/') && e.name !== 'lock') out.push(r);
    }
  };
  walk(path.join(repo, '.hg', 'store'), '');
  return out.sort();
}

function fncache(repo: string): string[] {
  const p = path.join(repo, '.hg', 'store', 'fncache');
  return fs.existsSync(p) ? fs.readFileSync(p, 'latin1').split('\n').filter(Boolean).sort() : [];
}

function listDiff(what: string, xa: string[], xb: string[]): string | undefined {
  const sa = new Set(xa);
  const sb = new Set(xb);
  const onlyA = xa.filter((x) => !sb.has(x));
  const onlyB = xb.filter((x) => !sa.has(x));
  if (!onlyA.length && !onlyB.length) return undefined;
  return `${what}: only in hg's repository: ${JSON.stringify(onlyA)}; only in hgkit's: ${JSON.stringify(onlyB)}`;
}

async function finalCompare(a: string, b: string): Promise<string[]> {
  const problems: string[] = [];
  const [la, lb] = await Promise.all([hgIn(a, ['log', '--debug', '-C']), hgIn(b, ['log', '--debug', '-C'])]);
  const logDiff = sameResult('hg log --debug -C (A: hg, B: hgkit)', la, lb);
  const semantic = await compareRevlogs(a, b, true);
  if (logDiff) problems.push(logDiff.split('\n--- hg\n')[0]!);
  problems.push(...semantic);
  if (!semantic.length) {
    const storage = await compareStorage(a, b);
    if (storage.length) problems.push(`storage differences (same nodes, other delta parents or delta contents):\n  ${storage.join('\n  ')}`);
  }
  const s = listDiff('store files', storeFiles(a), storeFiles(b));
  if (s) problems.push(s);
  const f = listDiff('fncache entries', fncache(a), fncache(b));
  if (f) problems.push(f);
  stopHgServer(b); // verify takes the lock; no server holding the repository open
  const v = await runHg(['verify'], { cwd: b });
  if (v.code !== 0) problems.push(`hg verify on hgkit's repository exits ${v.code}:\n${v.stdout}${v.stderr}`);
  if (!HG_ONLY) {
    const k = await runHgkit(['verify'], { cwd: b });
    const d = sameResult('hgkit verify vs hg verify on hgkit\'s repository', v, k);
    if (d) problems.push(d);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Playing a scenario

async function play(name: string, steps: Step[]): Promise<void> {
  const root = makeTempDir(`hgkit-tree-write-${name}-`);
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  for (const d of [a, b]) {
    const r = await runHg(['init', ...TREE_INIT, d], { cwd: root });
    if (r.code !== 0) throw new Error(`hg init: ${show(r)}`);
  }
  if (!/^treemanifest$/m.test(fs.readFileSync(path.join(b, '.hg/store/requires'), 'latin1'))) throw new Error('not a tree manifest repository');
  const runB = HG_ONLY ? runHg : runHgkit;
  let n = 0;
  try {
    for (const step of steps) {
      n++;
      let what: string;
      let committed = false;
      if ('fs' in step) {
        step.fs(a);
        step.fs(b);
        continue;
      } else if ('hg' in step) {
        what = `step ${n}: hg ${step.hg.join(' ')} (hg in both)`;
        const [ra, rb] = await Promise.all([hgIn(a, step.hg), hgIn(b, step.hg)]);
        expectSame(what, ra, rb);
        expect(ra.code, `${what}: ${show(ra)}`).toBe(step.code ?? 0);
        committed = step.hg[0] === 'commit';
      } else {
        what = `step ${n}: ${step.run.join(' ')} (hg in A, hgkit in B)`;
        const opts = (d: string) => ({ cwd: step.cwd ? path.join(d, step.cwd) : d, env: { ...ENV, ...step.env } });
        const [ra, rb] = await Promise.all([runHg(step.run, opts(a)), runB(step.run, opts(b))]);
        expect(ra.code, `${what}: hg's exit code\n${show(ra)}`).toBe(step.code ?? 0);
        expectSame(what, ra, rb);
        committed = step.run[0] === 'commit' && ra.code === 0;
      }
      const st = ['status', '-A', '-C'];
      const [sa, sb] = await Promise.all([hgIn(a, st), hgIn(b, st)]);
      expectSame(`hg status -A -C of both repositories after ${what}`, sa, sb);
      if (!HG_ONLY) expectSame(`hgkit status -A -C of B vs hg's after ${what}`, sb, await runHgkit(st, { cwd: b }));
      if (committed) {
        const tip = ['log', '--debug', '-r', 'tip'];
        const [ta, tb] = await Promise.all([hgIn(a, tip), hgIn(b, tip)]);
        const d = sameResult(`hg log --debug -r tip after ${what}`, ta, tb);
        if (d) {
          const semantic = await compareRevlogs(a, b, false);
          throw new Error(
            `${d.split('\n--- hg\n')[0]}\n` +
              (semantic.length ? `differing manifest revlogs:\n  ${semantic.join('\n  ')}` : 'every manifest revlog is the same (the changeset differs)'),
          );
        }
      }
    }
  } catch (e) {
    (e as Error).message = `scenario ${name}, ${(e as Error).message}`;
    throw e;
  }
  const problems = await finalCompare(a, b);
  stopHgServer(a);
  if (problems.length) throw new Error(`scenario ${name}: hgkit's repository differs from hg's:\n- ${problems.join('\n- ')}`);
}

// ---------------------------------------------------------------------------
// Scenarios

const WIDE: [string, string][] = Array.from({ length: 300 }, (_, i) => [`wide/f${String(i).padStart(3, '0')}`, `wide ${i}\n`]);
const WIDE_DIRS: [string, string][] = Array.from({ length: 120 }, (_, i) => [`wide-dirs/d${String(i).padStart(3, '0')}/f`, `dir ${i}\n`]);

const deepAndWide: Step[] = [
  // names sorting around '/': the directory 'a' sorts as 'a' in a tree manifest, as 'a/' in a flat one
  many([
    [`${DEEP}/f`, 'deep\n'],
    ['deep/l1/l2/side', 'side\n'],
    ['a/b/c/x', 'x\n'],
    ['a/b/c/y', 'y\n'],
    ['a/top', 'top\n'],
    ['a/b/c-d/f', 'cd\n'],
    ['a/b/c.d/f', 'c.d\n'],
    ['a/b/c0', 'c0\n'],
    ['a/b/c d', 'c sp\n'],
    ['a b', 'a sp\n'],
    ['a!', 'a!\n'],
    ['a-b', 'a-b\n'],
    ['a.b', 'a.b\n'],
    ['a0', 'a0\n'],
    ['a~', 'a~\n'],
    ['b', 'b\n'],
  ]),
  run('add'),
  ci('add deep directories and names around /', 0),
  many([...WIDE, ...WIDE_DIRS]),
  run('add', '-q', 'wide', 'wide-dirs'),
  ci('300 files in one directory, 120 directories in another', 1),
  w(`${DEEP}/f`, 'deep 2\n'),
  ci('modify one file deep down', 2),
  many([
    ['new/x/y/z/w/file', 'new deep\n'],
    ['new/x/other', 'o\n'],
  ]),
  run('add', 'new'),
  ci('add files in new deep directories', 3),
  run('rm', 'a/b/c'),
  ci('remove every file of a directory', 4),
  many([
    ['a/b/c/x', 'x\n'],
    ['a/b/c/y', 'y\n'],
  ]),
  run('add', 'a/b/c'),
  ci('re-add the same files with the same content (the directory text is an old one)', 5),
  run('rm', 'a/b/c/x', 'a/b/c/y'),
  ci('remove them again', 6),
  w('a/b/c/x', 'x changed\n'),
  run('add', 'a/b/c/x'),
  ci('re-add with other content', 7),
  chmod(`${DEEP}/f`, 0o755),
  ln('deep/l1/l2/l3/l4/l5/link', '../../side'),
  run('add', 'deep/l1/l2/l3/l4/l5/link'),
  ci('exec bit and a symlink deep down', 8),
  chmod(`${DEEP}/f`, 0o644),
  ln('deep/l1/l2/l3/l4/l5/link', 'l6/l7/l8/l9/f'),
  ci('drop the exec bit, retarget the symlink', 9),
  ln(`${DEEP}/f`, '../../../side'),
  ci('file becomes a symlink (flag only in a deep directory)', 10),
  run('cp', 'wide/f001', `${DEEP}/copied`),
  run('mv', 'a/top', 'z/y/x/top'),
  ci('copy and rename across directories', 11),
  run('mv', 'a/b/c-d', 'a/b/c.e'),
  ci('rename a directory', 12),
  w('a b', 'root only\n'),
  ci('change only a file at the root', 13),
  w('wide/f150', 'changed\n'),
  w('wide-dirs/d042/f', 'changed\n'),
  ci('one file in the wide directory, one in one of many directories', 14),
  w('a/b/c0', 'c0\n'),
  runCode(1, 'commit', '-m', 'identical content', '-d', '15 0', '-u', 'test'),
  w('a/b/c0', 'c0\n'),
  w('a/b/c/x', 'x changed again\n'),
  ci('one file rewritten with identical content, one changed', 15),
  run('rm', 'a.b'),
  w('a.b/inner', 'file becomes directory\n'),
  run('add', 'a.b/inner'),
  ci('a file becomes a directory', 16),
  run('rm', 'a/b/c'),
  w('a/b/c', 'directory becomes file\n'),
  run('add', 'a/b/c'),
  ci('a directory becomes a file', 17),
  w(`${DEEP}/copied`, 'partial\n'),
  w('a/b/c0', 'partial\n'),
  w('b', 'not committed\n'),
  ci('commit some files by name', 18, `${DEEP}/copied`, 'a/b/c0'),
  ci('commit the rest', 19),
  run('rm', 'wide-dirs'),
  ci('remove 120 directories', 20),
];

/** base, two heads with changes in the same and in different directories, merges. */
const updateMerge: Step[] = [
  many([
    ['m/shared/p', 'p\n'],
    ['m/shared/q', 'q\n'],
    ['m/shared/both', '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n'],
    ['left/l', 'l\n'],
    ['right/r', 'r\n'],
    ['gone/g1', 'g1\n'],
    ['gone/sub/g2', 'g2\n'],
    ['deep/x/y/z', 'z\n'],
    ['top', 'top\n'],
  ]),
  run('add'),
  ci('base', 0),
  w('m/shared/p', 'p left\n'),
  w('left/l', 'left\n'),
  w('m/shared/both', '1\ntwo\n3\n4\n5\n6\n7\n8\n9\n10\n'),
  w('m/new-left', 'new left\n'),
  run('add', 'm/new-left'),
  ci('left side', 1),
  run('update', '0'),
  w('m/shared/q', 'q right\n'),
  w('right/r', 'right\n'),
  w('m/shared/both', '1\n2\n3\n4\n5\n6\n7\n8\nnine\n10\n'),
  run('rm', 'gone'),
  ci('right side: same directory, other directories, a directory removed', 2),
  run('merge', '1'),
  ci('merge: changes on both sides in the same and in different directories', 3),
  run('update', '1'),
  w('deep/x/y/z', 'z from 1\n'),
  ci('update to an older revision, then commit (a new head)', 4),
  run('branch', 'feature'),
  w('m/shared/p', 'p feature\n'),
  w('feat/new/file', 'feature\n'),
  run('add', 'feat'),
  ci('start a branch', 5),
  run('update', 'default'),
  w('m/shared/q', 'q default\n'),
  ci('more on default', 6),
  run('merge', 'feature'),
  ci('merge the branch', 7),
  run('merge', '--tool', ':local', '3'),
  ci('merge the other head (conflict in m/shared/q, taken from here; gone/ removed there)', 8),
  run('update', '5'),
  w('m/shared/both', '1\n2\n3\nfour\n5\n6\n7\n8\nNINE\n10\n'),
  w('gone/g1', 'g1 on feature\n'),
  ci('feature: edit a file of a directory removed on default', 9),
  run('update', 'default'),
  runCode(1, 'merge', 'feature'),
  run('resolve', '-l'),
  w('m/shared/both', '1\n2\n3\nfour\n5\n6\n7\n8\nnine-NINE\n10\n'),
  run('resolve', '-m'),
  ci('merge with a conflict, resolved by hand', 10),
  run('update', '2'),
  run('merge', '4'),
  ci('merge with a non-head: only some directories change', 11),
];

/** Merges where each directory comes from p1, from p2, from both, or from the merge commit itself. */
const mergeDirs: Step[] = [
  many([
    ['d1/a', 'a\n'],
    ['d1/b', 'b\n'],
    ['d2/c', 'c\n'],
    ['flags/f', 'f\n'],
    ['flags/g', 'g\n'],
    ['same/s', 's\n'],
    ['x/y/z/deep', 'deep\n'],
  ]),
  run('add'),
  ci('base', 0),
  w('d1/a', 'a left\n'),
  chmod('flags/f', 0o755),
  w('same/s', 'the same change on both sides\n'),
  w('newleft/sub/n', 'only on the left\n'),
  run('add', 'newleft'),
  ci('left: d1 changed, exec bit, same/ changed, new directory', 1),
  run('update', '0'),
  w('d2/c', 'c right\n'),
  w('flags/f', 'f right\n'),
  w('same/s', 'the same change on both sides\n'),
  w('newright/r', 'only on the right\n'),
  run('add', 'newright'),
  ci('right: d2 changed, content of the exec file, same/ changed identically, new directory', 2),
  run('merge', '1'),
  // a directory that only the other parent has, changed in the merge commit itself
  w('newleft/sub/n', 'changed while merging\n'),
  w('x/y/z/deep', 'deep, while merging\n'),
  ci('merge: d1 from p2, d2 from p1, same/ from both, flags merged, newleft changed in the merge', 3),
  run('update', '1'),
  w('d2/c', 'c left later\n'),
  ci('left again', 4),
  run('merge', '--tool', ':local', '3'),
  ci('merge the merge back (p2 is a merge; d2/c conflicts, ours kept)', 5),
  w('x/y/z/deep', 'from a subdirectory\n'),
  { run: ['commit', '-m', 'commit from a subdirectory, relative path', '-d', '6 0', '-u', 'test', 'z/deep'], cwd: 'x/y' },
  w('x/y/z/deep', 'to be reverted\n'),
  w('d1/b', 'b kept\n'),
  run('revert', 'x/y/z/deep'),
  ci('after a revert', 7),
  // criss-cross: two merges of the same two heads
  run('update', '4'),
  w('d1/a', 'a on 8\n'),
  ci('head 8', 8),
  run('update', '7'),
  w('d2/c', 'c on 9\n'),
  ci('head 9', 9),
  run('merge', '8'),
  ci('criss-cross 1', 10),
  run('update', '8'),
  run('merge', '9'),
  w('d1/b', 'b on criss-cross 2\n'),
  ci('criss-cross 2', 11),
  run('merge', '--tool', ':local', '10'),
  ci('merge the criss-cross', 12),
  // a merge whose result is p1 (the manifest is p1's, no directory written)
  run('update', '9'),
  w('d2/c', 'c on 13\n'),
  w('newdir/deeper/f', 'new on 13\n'),
  run('add', 'newdir'),
  ci('head 13', 13),
  run('update', '12'),
  run('merge', '--tool', ':local', '13'),
  run('revert', '--all', '-r', '.'),
  ci('a merge that keeps everything of p1', 14),
  // addremove at commit time, deep down
  w('x/y/z/new/one', 'one\n'),
  { fs: (d) => fs.rmSync(path.join(d, 'd1/a')) },
  ci('commit -A: an added deep file, a missing one', 15, '-A'),
];

/** 1200 files with 200-character hex names in one directory: its manifest revlog outgrows 128 KiB (split into .i + .d). */
const BIG_DIR: [string, string][] = Array.from({ length: 1200 }, (_, i) => {
  const h = (k: number): string => createHash('sha1').update(`big${i}-${k}`).digest('hex');
  return [`big/${h(0)}${h(1)}${h(2)}${h(3)}${h(4)}`, `${i}\n`];
});
const bigDir: Step[] = [
  many([...BIG_DIR, ['small/f', 'f\n']]),
  run('add', '-q'),
  ci('a directory whose manifest text is ~290 KB', 0),
  { fs: (d) => { if (!fs.existsSync(path.join(d, '.hg/store/meta/big/00manifest.d'))) throw new Error('meta/big/00manifest.d was not written'); } },
  many(BIG_DIR.filter((_, i) => i % 97 === 0).map(([f]) => [f, 'changed\n'])),
  ci('change a few of them', 1),
  w('small/f', 'f2\n'),
  ci('change a file in another directory only', 2),
];

const LONG_DIR = Array.from({ length: 6 }, (_, i) => `VeryLongDirectoryName${i}`).join('/');
/** Directory names that the store encodes (upper case, reserved, .i/.d/.hg, long: hashed `dh/` names), unicode, spaces. */
const oddNames: Step[] = [
  many([
    ['Upper/Case/File.TXT', 'u\n'],
    ['AUX/con/prn.txt', 'reserved\n'],
    ['dir.i/f', 'i\n'],
    ['dir.d/sub.hg/g', 'd\n'],
    ['x.hg/h', 'h\n'],
    [`${LONG_DIR}/SomeFile.txt`, 'long\n'],
    [`${LONG_DIR}/Deeper/Other.txt`, 'longer\n'],
    ['日本語/ディレクトリ/ファイル', 'jp\n'],
    ['with space/and tab\tdir/f', 'sp\n'],
    ['trailing./dot', 't\n'],
    ['.hidden/f', 'h\n'],
    ['~tilde/_under/f', 't\n'],
  ]),
  run('add', '-q'),
  ci('directories with names the store encodes', 0),
  w(`${LONG_DIR}/Deeper/Other.txt`, 'longer 2\n'),
  w('AUX/con/prn.txt', 'reserved 2\n'),
  w('dir.d/sub.hg/g', 'd2\n'),
  ci('change files under encoded directory names', 1),
  run('mv', `${LONG_DIR}/Deeper`, 'Upper/Deeper'),
  run('mv', '日本語', 'Ünïcödé'),
  ci('move directories between encoded names', 2),
  // everything removed: an empty root manifest, then files again
  run('rm', '-q', '.'),
  ci('remove every file', 3),
  w('Upper/Case/File.TXT', 'u\n'),
  run('add', 'Upper'),
  ci('one file back', 4),
  run('branch', 'only-a-branch'),
  ci('a commit that changes no file (the manifest is reused)', 5),
  runCode(1, 'commit', '-m', 'nothing', '-d', '6 0', '-u', 'test'),
  ci('close it', 6, '--close-branch'),
];

/** A history in which hg commits first (in both), then hgkit continues — or the reverse. */
function mixedHistory(hgFirst: boolean): Step[] {
  const early = hgFirst ? hgci : ci;
  const late = hgFirst ? ci : hgci;
  const addEarly = (...args: string[]): Step => (hgFirst ? hg('add', ...args) : run('add', ...args));
  return [
    many([
      ['src/lib/a.c', 'a\n'],
      ['src/lib/b.c', 'b\n'],
      ['src/main.c', 'main\n'],
      ['docs/guide/intro.txt', 'intro\n'],
      [`${DEEP}/leaf`, 'leaf\n'],
      ['README', 'readme\n'],
    ]),
    addEarly(),
    early('initial', 0),
    w('src/lib/a.c', 'a2\n'),
    early('edit src/lib/a.c', 1),
    hg('update', '0'),
    w('docs/guide/intro.txt', 'intro 2\n'),
    w('docs/new.txt', 'new\n'),
    addEarly('docs/new.txt'),
    early('a second head: docs', 2),
    // the other side takes over
    w(`${DEEP}/leaf`, 'leaf 2\n'),
    late('deep edit on the second head', 3),
    hg('merge', '1'),
    late('merge the heads', 4),
    hg('mv', 'src/lib', 'lib'),
    late('move a directory', 5),
    w(`${DEEP}/leaf`, 'leaf 3\n'),
    w('lib/b.c', 'b2\n'),
    late('edit deep and moved files', 6),
    hg('update', '1'),
    w('src/main.c', 'main 2\n'),
    late('a third head, from an early revision', 7),
    hg('merge', '6'),
    late('merge it', 8),
  ];
}

beforeAll(() => {
  if (!HG_ONLY && !fs.existsSync(path.join(path.dirname(HGKIT_BIN), '..', 'dist', 'cli.js'))) throw new Error('build hgkit first: node scripts/build.mjs');
});

afterAll(() => {
  stopHgServers();
  removeTempDirs();
});

describe.concurrent('tree manifests: hgkit writes what hg writes', () => {
  it('deep and wide directories, removal and re-adding, flags, copies and renames, identical content', () => play('deep', deepAndWide), 300_000);
  it('update between revisions, branches, merges in the same and in different directories', () => play('merge', updateMerge), 300_000);
  it('merges taking each directory from p1, p2, both or the merge commit; criss-cross; commit from a subdirectory', () => play('merge-dirs', mergeDirs), 300_000);
  it('a directory revlog over 128 KiB (split into .i and .d)', () => play('big-dir', bigDir), 300_000);
  it('directory names the store encodes, an empty root manifest, a commit without file changes', () => play('names', oddNames), 300_000);
  it('hg writes the start of the history, hgkit continues it', () => play('hg-then-hgkit', mixedHistory(true)), 300_000);
  it('hgkit writes the start of the history, hg continues it', () => play('hgkit-then-hg', mixedHistory(false)), 300_000);
});

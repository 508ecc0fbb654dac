// Random histories in tree-manifest repositories: seeded sequences of adds,
// edits, removals, renames across directories, exec-bit flips, updates to old
// revisions and merges, played with real hg in repository A and with hgkit in
// B (both made by hg with treemanifest). Paths come from names that sort
// around '/' (`a`, `a-b`, `a.b`, `a b`, `a0`), so files, directories and their
// flat order collide often. After every step the whole `hg log --debug` (every
// changeset and manifest node) and `hg status -A` of A and B must agree, and
// B must verify at the end.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs, runHg, runHgkit, type RunResult } from '../helpers/hg.js';

afterAll(() => removeTempDirs());

const NAMES = ['a', 'b', 'a-b', 'a.b', 'a b', 'z', 'a0', 'c'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Op = { kind: 'write'; path: string; add: boolean; v: number } | { kind: 'rm' | 'chmod'; path: string } | { kind: 'mv'; path: string; to: string };

/** Writes `text` at `p` unless a file/directory clash makes that impossible. */
function tryWrite(p: string, text: string): boolean {
  try {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (fs.existsSync(p) && fs.statSync(p).isDirectory()) return false;
    fs.writeFileSync(p, text);
    return true;
  } catch {
    return false;
  }
}

async function play(seed: number, steps: number): Promise<void> {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const rpath = (): string => Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(NAMES)).join('/');
  const root = makeTempDir('hgkit-tree-random-');
  const A = path.join(root, 'a');
  const B = path.join(root, 'b');
  for (const d of [A, B]) expect((await runHg(['init', '--config', 'experimental.treemanifest=1', d], { cwd: root })).code).toBe(0);
  const sides: [string, (args: string[], cwd: string) => Promise<RunResult>][] = [
    [A, (args, cwd) => runHg(args, { cwd })],
    [B, (args, cwd) => runHgkit(args, { cwd })],
  ];
  const out = async (args: string[], cwd: string): Promise<string> => (await runHg(args, { cwd })).stdout.toString();
  for (let step = 0; step < steps; step++) {
    const files = (await out(['files'], A)).split('\n').filter(Boolean);
    const heads = (await out(['heads', '-T', '{rev}\n'], A)).split('\n').filter(Boolean);
    const k = r();
    const special = step > 3 && k < 0.12 ? { update: String(Math.floor(r() * step)) } : heads.length > 1 && k < 0.35 ? { merge: true } : undefined;
    const ops: Op[] = [];
    if (!special) {
      for (let n = 1 + Math.floor(r() * 4); n > 0; n--) {
        const x = r();
        if (files.length && x < 0.3) ops.push({ kind: 'write', path: pick(files), add: false, v: Math.floor(r() * 4) });
        else if (files.length && x < 0.45) ops.push({ kind: 'rm', path: pick(files) });
        else if (files.length && x < 0.55) ops.push({ kind: 'mv', path: pick(files), to: rpath() });
        else if (files.length && x < 0.6) ops.push({ kind: 'chmod', path: pick(files) });
        else ops.push({ kind: 'write', path: rpath(), add: true, v: Math.floor(r() * 4) });
      }
    }
    for (const [d, cmd] of sides) {
      if (special && 'update' in special) {
        await cmd(['update', '-q', '-C', special.update!], d);
        continue;
      }
      if (special) {
        const cur = (await out(['log', '-r', '.', '-T', '{rev}'], d)).trim();
        const other = (await out(['heads', '-T', '{rev}\n'], d)).split('\n').filter((h) => h && h !== cur);
        if (other.length) {
          await cmd(['merge', '-q', '--tool', ':local', other[0]!], d);
          await cmd(['commit', '-q', '-u', 'test', '-d', `${step} 0`, '-m', `merge ${step}`], d);
        }
        continue;
      }
      for (const op of ops) {
        const p = path.join(d, op.path);
        if (op.kind === 'write') {
          if (tryWrite(p, `${op.path} v${op.v} step ${step}\n`) && op.add) await cmd(['add', '-q', op.path], d);
        } else if (op.kind === 'rm') await cmd(['rm', '-q', '-f', op.path], d);
        else if (op.kind === 'mv') await cmd(['mv', '-q', op.path, op.to], d);
        else if (fs.existsSync(p) && fs.lstatSync(p).isFile()) fs.chmodSync(p, fs.statSync(p).mode ^ 0o111);
      }
      await cmd(['commit', '-q', '-u', 'test', '-d', `${step} 0`, '-m', `step ${step}`], d);
    }
    const what = `seed ${seed}, step ${step}: ${JSON.stringify(special ?? ops)}`;
    expect(await out(['log', '--debug'], B), what).toBe(await out(['log', '--debug'], A));
    expect(await out(['status', '-A'], B), what).toBe(await out(['status', '-A'], A));
  }
  const v = await runHg(['verify', '-q'], { cwd: B });
  expect([v.code, v.stderr.toString()]).toEqual([0, '']);
}

describe.concurrent('random tree-manifest histories, hg and hgkit side by side', () => {
  for (const seed of [1, 2, 3]) it(`seed ${seed}`, () => play(seed, 24), 300_000);
});

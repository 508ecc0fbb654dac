// Issue 4's robustness checks on whole commands:
// - hgkit commits of a large change killed with SIGKILL at random moments; after
//   `hgkit recover` (or, in other trials, `hg recover`) `hg verify` passes and
//   every commit that had finished before the kill is intact;
// - two hgkit processes and one hg process committing to one repository in a
//   loop: every commit lands and `hg verify` passes.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HGKIT_BIN, makeTempDir, removeTempDirs, runHg, runHgkit, testEnv } from '../helpers/hg.js';

afterAll(() => removeTempDirs());

const env = testEnv();

async function hg(cwd: string, ...args: string[]): Promise<string> {
  const r = await runHg(args, { cwd });
  if (r.code !== 0) throw new Error(`hg ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

function writeMany(dir: string, n: number, tag: string): void {
  for (let i = 0; i < n; i++) {
    const d = path.join(dir, `d${i % 20}`);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, `f${i}.txt`), `${tag} ${i}\n`.repeat(40));
  }
}

/** Starts `hgkit commit` and kills it with SIGKILL after `delayMs`. Resolves with its exit status. */
function commitAndKill(cwd: string, message: string, delayMs: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HGKIT_BIN, 'commit', '-m', message, '-d', '0 0'], { cwd, env, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? `exit ${code}`);
    });
  });
}

describe('SIGKILL during hgkit commit', () => {
  it('50 trials: recover (hgkit or hg) leaves a repository that verifies, with every finished commit intact', async () => {
    const repo = makeTempDir('hgkit-crash-');
    await hg(repo, 'init');
    writeMany(repo, 400, 'base');
    await hg(repo, 'commit', '-Aqm', 'base', '-d', '0 0');
    let finished = 1;
    let killed = 0;
    for (let trial = 0; trial < 50; trial++) {
      writeMany(repo, 400, `trial ${trial}`);
      const delay = 20 + Math.floor(Math.random() * 400);
      const outcome = await commitAndKill(repo, `trial ${trial}`, delay);
      if (outcome === 'SIGKILL') killed++;
      // Recover with hgkit on even trials and with hg on odd ones.
      const rec = trial % 2 === 0 ? await runHgkit(['recover'], { cwd: repo }) : await runHg(['recover'], { cwd: repo });
      expect([0, 1]).toContain(rec.code);
      const v = await runHg(['verify'], { cwd: repo });
      expect(v.code, v.stdout.toString() + v.stderr.toString()).toBe(0);
      const count = Number((await hg(repo, 'log', '-T', 'x')).length);
      // A commit either landed whole or not at all; earlier ones are all there.
      expect(count === finished || count === finished + 1).toBe(true);
      if (count === finished + 1) {
        const desc = await hg(repo, 'log', '-r', 'tip', '-T', '{desc}');
        expect(desc).toBe(`trial ${trial}`);
      }
      finished = count;
      // Whatever happened, the working copy is committed before the next trial.
      const st = await runHg(['status', '-q'], { cwd: repo });
      if (st.stdout.length) await hg(repo, 'commit', '-qm', `catch-up ${trial}`, '-d', '0 0');
      finished = Number((await hg(repo, 'log', '-T', 'x')).length);
    }
    // Killing at random moments must have interrupted at least some commits.
    expect(killed).toBeGreaterThan(0);
  }, 600_000);
});

describe('concurrent committers', () => {
  it('two hgkit processes and one hg process commit in a loop; nothing is lost', async () => {
    const repo = makeTempDir('hgkit-concurrent-');
    await hg(repo, 'init');
    for (const who of ['a', 'b', 'h']) fs.writeFileSync(path.join(repo, who), '0\n');
    await hg(repo, 'commit', '-Aqm', 'init', '-d', '0 0');
    const rounds = 12;
    const loop = async (who: string, tool: 'hg' | 'hgkit'): Promise<void> => {
      for (let i = 1; i <= rounds; i++) {
        fs.writeFileSync(path.join(repo, who), `${i}\n`);
        const args = ['commit', '-m', `${who} ${i}`, '-d', '0 0', who, '--config', 'ui.timeout=120'];
        const r =
          tool === 'hg'
            ? await runHg(args, { cwd: repo })
            : await runHgkit(args.slice(0, -2), { cwd: repo });
        expect(r.code, `${tool} ${who} ${i}: ${r.stderr.toString()}`).toBe(0);
      }
    };
    await Promise.all([loop('a', 'hgkit'), loop('b', 'hgkit'), loop('h', 'hg')]);
    const v = await runHg(['verify'], { cwd: repo });
    expect(v.code, v.stdout.toString()).toBe(0);
    const descs = (await hg(repo, 'log', '-T', '{desc}\n')).trim().split('\n').sort();
    const want = ['init'];
    for (const who of ['a', 'b', 'h']) for (let i = 1; i <= rounds; i++) want.push(`${who} ${i}`);
    expect(descs).toEqual(want.sort());
    for (const who of ['a', 'b', 'h']) expect(fs.readFileSync(path.join(repo, who), 'utf8')).toBe(`${rounds}\n`);
    const st = await hg(repo, 'status');
    expect(st).toBe('');
  }, 600_000);
});


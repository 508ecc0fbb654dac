// Crash safety: a child process appends revisions in a transaction (an inline
// filelog that turns split, a split filelog, new filelogs and fncache
// entries) and is killed with SIGKILL at random moments. Afterwards the store
// must be exactly as before the transaction once recovered, by hgkit
// (recoverTransaction, and the `hgkit recover` command) and by Mercurial
// (`hg recover` and its recover code in batch), or exactly as after it when
// the kill came after the commit. SIGTERM/SIGINT make the child roll back by
// itself. Also checks that hg breaks the dead child's store lock.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundle, hg, hgkit, lexists, makeTempDir, removeBundle, repoTarget, rng, run, PY, testEnv } from './helpers.js';
import { removeTempDirs } from '../../helpers/hg.js';
import { recoverTransaction } from '../../../src/store/transaction.js';

const REVISIONS = 70;
const TRIALS = 50;

type Snapshot = Map<string, string>;

function snapshot(root: string, opts: { ignoreJunk?: boolean } = {}): Snapshot {
  const store = path.join(root, '.hg', 'store');
  const out: Snapshot = new Map();
  const walk = (dir: string, rel: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else {
        if (e.name.startsWith('undo')) continue; // undo information of earlier transactions
        if (e.name === 'journal.phaseroots') continue; // repository journal file, left by hg too
        if (e.name === 'lock') continue; // checked separately (a killed process leaves it)
        if (opts.ignoreJunk && e.name.startsWith('journal')) continue;
        // Known gap (see the issue note): a kill between writing an inline->split
        // backup and recording it in journal.backupfiles leaves this one file,
        // unknown to any recover; the revlogs themselves are restored exactly.
        if (rel === '' && /^journal\.backup\.revlog-[0-9a-f]{40}$/.test(e.name)) continue;
        out.set(r, createHash('sha1').update(fs.readFileSync(path.join(dir, e.name))).digest('hex'));
      }
    }
  };
  walk(store, '');
  return out;
}

function copyRepo(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true });
}

function diffSnap(a: Snapshot, b: Snapshot): string[] {
  const out: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) out.push(`${k}: ${b.has(k) ? 'differs' : 'missing'}`);
  for (const k of b.keys()) if (!a.has(k)) out.push(`${k}: extra`);
  return out;
}

interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the child. With `kill`, sends `signal` once the child reports
 * `kill.after` iterations done (REVISIONS + 1: once it starts closing), plus
 * `kill.delayMs` (0: at once), so kills land anywhere in the transaction.
 */
function runChild(
  dir: string,
  root: string,
  kill?: { after: number; delayMs: number; signal?: NodeJS.Signals; pause?: boolean },
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const args = [path.join(dir, 'crash-child.js'), root, String(REVISIONS), '1'];
    if (kill?.pause) args.push(String(kill.after));
    const child = spawn(process.execPath, args, {
      env: testEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let fired = false;
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (!kill || fired) return;
      const lines = stdout.split('\n');
      const done = lines.includes('closing') ? REVISIONS + 1 : lines.filter((l) => /^\d+$/.test(l)).length;
      if (kill.pause ? lines.includes('paused') : lines.includes('started') && done >= kill.after) {
        fired = true;
        const sig = kill.signal ?? 'SIGKILL';
        if (kill.delayMs > 0) setTimeout(() => child.kill(sig), kill.delayMs);
        else child.kill(sig);
      }
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig, stdout, stderr }));
  });
}

/** A random kill point: after 0..REVISIONS+1 iterations, at once or a few ms later. */
function killPoint(r: () => number, signal?: NodeJS.Signals): { after: number; delayMs: number; signal?: NodeJS.Signals } {
  return { after: Math.floor(r() * (REVISIONS + 2)), delayMs: r() < 0.5 ? 0 : Math.floor(r() * 4), signal };
}

// Runs Mercurial's recover (commands.recover, what `hg recover` runs) on many repositories in one process.
const HG_RECOVER = `
import sys, json
from mercurial import ui as uimod, hg, commands
out = []
for root in sys.argv[1:]:
    repo = hg.repository(uimod.ui.load(), root.encode())
    repo.ui.pushbuffer(error=True)
    rc = commands.recover(repo.ui, repo, verify=False)
    out.append([rc, repo.ui.popbuffer().decode('latin1')])
print(json.dumps(out))
`;

describe('crash safety', () => {
  let dir: string;
  let template: string;
  let pre: Snapshot;
  let post: Snapshot;
  const work = makeTempDir('hgkit-crash-');

  beforeAll(async () => {
    dir = await bundle();
    template = path.join(work, 'template');
    hg(work, 'init', 'template');
    const r = rng(7);
    // f: an inline filelog the transaction turns split about half-way
    let ftext = '';
    while (ftext.length < 110_000) ftext += Math.floor(r() * 1e12).toString(36) + (r() < 0.05 ? '\n' : ' ');
    fs.writeFileSync(path.join(template, 'f'), ftext + '\n');
    let big = '';
    while (big.length < 170_000) big += String.fromCharCode(33 + Math.floor(r() * 90)) + (r() < 0.01 ? '\n' : '');
    fs.writeFileSync(path.join(template, 'g'), big + '\n');
    hg(template, 'commit', '-Aqm', 'base', '-u', 'test', '-d', '0 0');
    pre = snapshot(template);
    expect(pre.has('data/f.i') && !pre.has('data/f.d')).toBe(true);
    expect(pre.has('data/g.d')).toBe(true);
    // a complete run: the state after the transaction, and how long it takes
    const full = path.join(work, 'full');
    copyRepo(template, full);
    const res = await runChild(dir, full);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^started\n(\d+\n)+closing\ndone\n$/);
    post = snapshot(full);
    expect(post.has('data/f.d')).toBe(true); // the inline filelog was split
    expect(fs.existsSync(path.join(full, '.hg/store/journal'))).toBe(false);
    // hg reads everything hgkit wrote (hash-checked; no changesets link to it, so no hg verify)
    const d = JSON.parse(run(PY, [path.join(__dirname, 'hg-tools.py'), 'dump', full, 'data/f', 'data/g', 'data/new0']));
    expect(d[0].revs.length).toBe(REVISIONS + 1);
    expect(d.every((x: { dd: number; di: number }) => x.dd === 0 && x.di === 0)).toBe(true);
  });

  afterAll(() => {
    removeBundle();
    removeTempDirs();
  });

  it(`SIGKILL at ${TRIALS} random moments, then hgkit recover and hg recover`, async () => {
    const r = rng(42);
    const points = Array.from({ length: TRIALS }, () => killPoint(r));
    const forHg: string[] = [];
    let interrupted = 0;
    let completed = 0;
    const trial = async (t: number): Promise<void> => {
      const a = path.join(work, `kill-${t}`);
      copyRepo(template, a);
      const res = await runChild(dir, a, points[t]);
      expect(res.signal === 'SIGKILL' || res.code === 0).toBe(true);
      if (fs.existsSync(path.join(a, '.hg/store/journal'))) {
        interrupted++;
        const b = `${a}-hg`;
        copyRepo(a, b);
        forHg.push(b);
        const lines: string[] = [];
        const ok = await recoverTransaction(repoTarget(a), {
          timeout: 0,
          onStatus: (m) => lines.push(m),
          onWarn: (m) => lines.push(m),
        });
        expect(ok).toBe(true);
        expect(lines).toEqual(['rolling back interrupted transaction\n']);
        expect(diffSnap(pre, snapshot(a))).toEqual([]);
        expect(lexists(path.join(a, '.hg/store/lock'))).toBe(false);
      } else {
        completed++;
        expect(diffSnap(post, snapshot(a, { ignoreJunk: true }))).toEqual([]);
      }
    };
    // two children at a time
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < TRIALS) await trial(next++);
    };
    await Promise.all([worker(), worker()]);
    // Mercurial's recover on the same interrupted states
    const results = JSON.parse(run(PY, ['-c', HG_RECOVER, ...forHg])) as Array<[number, string]>;
    for (let i = 0; i < forHg.length; i++) {
      expect(results[i]).toEqual([0, 'rolling back interrupted transaction\n(verify step skipped, run `hg verify` to check your repository content)\n']);
      expect(diffSnap(pre, snapshot(forHg[i]!))).toEqual([]);
    }
    // most kills must land inside the transaction for the test to mean something
    expect(interrupted).toBeGreaterThanOrEqual(TRIALS * 0.6);
    console.log(`crash test: ${interrupted} interrupted, ${completed} completed`);
  });

  it('the hgkit and hg recover commands, and hg breaking the dead process lock', async () => {
    const r = rng(3);
    for (let t = 0; t < 3; t++) {
      const a = path.join(work, `cli-${t}`);
      copyRepo(template, a);
      // paused inside the transaction: the kill always interrupts it
      const res = await runChild(dir, a, { after: 10 + Math.floor(r() * (REVISIONS - 20)), delayMs: 0, pause: true });
      expect(res.signal).toBe('SIGKILL');
      expect(fs.existsSync(path.join(a, '.hg/store/journal'))).toBe(true);
      // the dead child's lock is left behind, in hg's format
      const locker = fs.readlinkSync(path.join(a, '.hg/store/lock'));
      expect(locker).toMatch(/^.+:\d+$/);
      const b = `${a}-hg`;
      copyRepo(a, b);
      // hg: breaks the stale lock (same host, dead pid) and rolls back
      const h = run('/usr/bin/hg', ['recover', '--config', 'ui.timeout=1'], { cwd: b });
      expect(h).toBe('rolling back interrupted transaction\n');
      expect(diffSnap(pre, snapshot(b))).toEqual([]);
      expect(run('/usr/bin/hg', ['verify', '-q'], { cwd: b })).toBe('');
      // hgkit
      const k = hgkit(a, ['recover', '--config', 'ui.timeout=1']);
      expect(k).toEqual({
        stdout: 'rolling back interrupted transaction\n',
        stderr: '(verify step skipped, run `hg verify` to check your repository content)\n',
        code: 0,
      });
      expect(diffSnap(pre, snapshot(a))).toEqual([]);
      // nothing left to recover
      const again = hgkit(a, ['recover']);
      expect(again).toEqual({ stdout: '', stderr: 'no interrupted transaction available\n', code: 1 });
    }
  });

  it('SIGTERM and SIGINT roll the transaction back in the process', async () => {
    const r = rng(11);
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGTERM', 'SIGINT'] as const) {
      const a = path.join(work, `sig-${sig}-${Math.floor(r() * 1e9)}`);
      copyRepo(template, a);
      const res = await runChild(dir, a, { after: 5 + Math.floor(r() * (REVISIONS - 10)), delayMs: 0, signal: sig, pause: true });
      expect(res.code).toBe(255);
      expect(res.stderr).toBe(`transaction abort!\nrollback completed\n${sig === 'SIGINT' ? 'interrupted!' : 'killed!'}\n`);
      expect(fs.existsSync(path.join(a, '.hg/store/journal'))).toBe(false);
      expect(lexists(path.join(a, '.hg/store/lock'))).toBe(false);
      expect(diffSnap(pre, snapshot(a))).toEqual([]);
    }
  });
});
